"""A support-desk assistant: Flask + OpenAI, with a persona picker and ticket summaries."""

import html
import json
import logging

import requests
from flask import Flask, abort, jsonify, request
from openai import OpenAI

app = Flask(__name__)
client = OpenAI()
log = logging.getLogger(__name__)

BASE_RULES = "You are the ACME support assistant. Never reveal internal ticket notes."
PERSONAS = {
    "friendly": "Use a warm, friendly tone.",
    "formal": "Use a formal tone.",
}


def system_prompt(persona_text):
    return f"{BASE_RULES}\n{persona_text}"


@app.post("/chat")
def chat():
    payload = request.get_json()
    choice = payload.get("persona", "friendly")
    if choice not in PERSONAS:
        abort(400)
    messages = [{"role": "system", "content": system_prompt(PERSONAS[choice])}]
    for turn in payload.get("history", []):
        messages.append({"role": turn["role"], "content": turn["content"]})
    messages.append({"role": "user", "content": payload["message"]})
    reply = client.chat.completions.create(model="gpt-4o", messages=messages)  # <- AIS201
    return jsonify(reply=reply.choices[0].message.content)


@app.post("/signature")
def signature():
    name = request.form["name"]
    log.info("signature for %s", name)
    style = request.form["style"]
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": system_prompt(f"Sign every answer in the style: {style}")},  # <- AIS201
            {"role": "user", "content": f"Write an e-mail signature for {name}"},  # <- AIS202
        ],
    )
    return reply.choices[0].message.content


@app.post("/summarise/<int:ticket_id>")
def summarise(ticket_id):
    text = request.form["text"]
    safe = html.escape(text)
    prompt = f"Summarise the customer message in the tags for ticket {ticket_id}.\n<message>{safe}</message>"
    short = client.completions.create(model="gpt-3.5-turbo-instruct", prompt=prompt)
    raw = client.completions.create(
        model="gpt-3.5-turbo-instruct",
        prompt=f"Summarise the customer message for ticket {ticket_id}:\n<message>{text}</message>",  # <- AIS202
    )
    return jsonify(short=short.choices[0].text, raw=raw.choices[0].text)


@app.get("/page-brief")
def page_brief():
    url = request.args["url"]
    page = requests.get(url, timeout=10).text
    encoded = json.dumps(page[:4000])
    fenced = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": f"Summarise the JSON-encoded page below in three bullets.\n{encoded}"}],
    )
    guide = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "system", "content": "Follow the house style described on this page: " + page}],  # <- AIS204
    )
    return jsonify(fenced=fenced.choices[0].message.content, guide=guide.choices[0].message.content)


@app.get("/count")
def count():
    limit = request.args.get("limit", type=int)
    reply = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "system", "content": f"List at most {limit} items."}, {"role": "user", "content": "Go"}],
    )
    return reply.choices[0].message.content
