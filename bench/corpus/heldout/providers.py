# Held-out corpus. Semgrep-style annotations: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
"""Flask gateway that fans a request out to several LLM providers."""

import boto3
import cohere
import litellm
import ollama
from flask import Flask, request
from mistralai import Mistral

app = Flask(__name__)
bedrock = boto3.client("bedrock-runtime")
co = cohere.Client()
co2 = cohere.ClientV2()
mistral = Mistral(api_key="placeholder")

DEFAULT_SYSTEM = "You are a concise assistant."
TONES = {"pirate": "Talk like a pirate.", "plain": "Use plain English."}


@app.post("/bedrock")
def via_bedrock():
    data = request.get_json()
    # ruleid: AIS201
    resp = bedrock.converse(
        modelId="anthropic.claude-3-5-sonnet-20240620-v1:0",
        system=[{"text": data["system_prompt"]}],
        messages=[{"role": "user", "content": [{"text": data["message"]}]}],
    )
    # ruleid: AIS303  (relabelled: a str returned from a Flask view is served as text/html)
    return resp["output"]["message"]["content"][0]["text"]


@app.post("/bedrock/plain")
def via_bedrock_plain():
    data = request.get_json()
    # ok: AIS201, AIS202
    resp = bedrock.converse(
        modelId="anthropic.claude-3-5-sonnet-20240620-v1:0",
        system=[{"text": DEFAULT_SYSTEM}],
        messages=[{"role": "user", "content": [{"text": data["message"]}]}],
    )
    # ruleid: AIS303  (relabelled: a str returned from a Flask view is served as text/html)
    return resp["output"]["message"]["content"][0]["text"]


@app.post("/cohere")
def via_cohere():
    data = request.get_json()
    # ruleid: AIS201
    resp = co.chat(message=data["message"], preamble=DEFAULT_SYSTEM + data.get("extra", ""))
    # ruleid: AIS303  (relabelled: a str returned from a Flask view is served as text/html)
    return resp.text


@app.post("/cohere/v2")
def via_cohere_v2():
    data = request.get_json()
    # ruleid: AIS201
    resp = co2.chat(
        model="command-r-plus",
        messages=[{"role": "system", "content": data["rules"]}, {"role": "user", "content": data["message"]}],
    )
    # ruleid: AIS303  (relabelled: a str returned from a Flask view is served as text/html)
    return resp.message.content[0].text


@app.post("/litellm")
def via_litellm():
    data = request.get_json()
    messages = [{"role": "system", "content": DEFAULT_SYSTEM}]
    messages.append({"role": data.get("role", "user"), "content": data["message"]})
    # ruleid: AIS201
    resp = litellm.completion(model="gpt-4o-mini", messages=messages)
    # ruleid: AIS303  (relabelled: a str returned from a Flask view is served as text/html)
    return resp.choices[0].message.content


@app.post("/litellm/tone")
def via_litellm_tone():
    data = request.get_json()
    tone = TONES.get(data.get("tone"), TONES["plain"])
    # ok: AIS201
    resp = litellm.completion(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": DEFAULT_SYSTEM + " " + tone}, {"role": "user", "content": data["message"]}],
    )
    # ruleid: AIS303  (relabelled: a str returned from a Flask view is served as text/html)
    return resp.choices[0].message.content


@app.post("/ollama")
def via_ollama():
    data = request.get_json()
    # ruleid: AIS201
    resp = ollama.chat(
        model="llama3.1",
        messages=[{"role": "system", "content": "Answer as " + data["character"]}, {"role": "user", "content": data["message"]}],
    )
    # ruleid: AIS303  (relabelled: a str returned from a Flask view is served as text/html)
    return resp["message"]["content"]


@app.post("/ollama/prompt")
def via_ollama_prompt():
    data = request.get_json()
    # ruleid: AIS202
    resp = ollama.generate(model="llama3.1", prompt="Classify the sentiment (positive/negative) of: %s" % data["text"])
    # ruleid: AIS303  (relabelled: a str returned from a Flask view is served as text/html)
    return resp["response"]


@app.post("/mistral")
def via_mistral():
    data = request.get_json()
    instructions = "Extract all dates from the text below as ISO-8601, one per line.\n\n"
    # ruleid: AIS202
    resp = mistral.chat.complete(model="mistral-small-latest", messages=[{"role": "user", "content": instructions + data["text"]}])
    # ruleid: AIS303  (relabelled: a str returned from a Flask view is served as text/html)
    return resp.choices[0].message.content


@app.post("/mistral/plain")
def via_mistral_plain():
    data = request.get_json()
    # ok: AIS201, AIS202
    resp = mistral.chat.complete(
        model="mistral-small-latest",
        messages=[{"role": "system", "content": "Extract all dates as ISO-8601."}, {"role": "user", "content": data["text"]}],
    )
    # ruleid: AIS303  (relabelled: a str returned from a Flask view is served as text/html)
    return resp.choices[0].message.content
