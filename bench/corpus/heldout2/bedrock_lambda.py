"""AWS Lambda behind API Gateway: travel-policy assistant on Amazon Bedrock."""

from __future__ import annotations

import html
import json
import os

import boto3
from jinja2 import Template

bedrock = boto3.client("bedrock-runtime")
agent_runtime = boto3.client("bedrock-agent-runtime")
s3 = boto3.client("s3")
MODEL_ID = os.environ.get("MODEL_ID", "anthropic.claude-3-5-sonnet-20240620-v1:0")
KB_ID = os.environ["KNOWLEDGE_BASE_ID"]
POLICY_BUCKET = os.environ["POLICY_BUCKET"]
SYSTEM = "You answer questions about the company travel policy. Cite the section number."
TONES = {"neutral": "Use a neutral tone.", "warm": "Use a warm, reassuring tone."}


def _converse(system_text: str, user_text: str) -> str:
    result = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": system_text}],
        messages=[{"role": "user", "content": [{"text": user_text}]}],
    )
    return result["output"]["message"]["content"][0]["text"]


def _json(status: int, payload: dict) -> dict:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(payload)}


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    route = event.get("rawPath", "/ask")
    question = body.get("question", "")

    if route == "/ask":
        tone = TONES.get(body.get("tone"), TONES["neutral"])
        # ok: AIS201, AIS202
        return _json(200, {"answer": _converse(SYSTEM + " " + tone, question)})

    if route == "/ask/as":
        # ruleid: AIS201
        result = bedrock.converse(
            modelId=MODEL_ID,
            system=[{"text": SYSTEM}, {"text": "Answer as if you were: " + body.get("role", "an HR partner")}],
            messages=[{"role": "user", "content": [{"text": question}]}],
        )
        return _json(200, {"answer": result["output"]["message"]["content"][0]["text"]})

    if route == "/ask/raw":
        # ruleid: AIS201
        response = bedrock.invoke_model(
            modelId=MODEL_ID,
            body=json.dumps(
                {
                    "anthropic_version": "bedrock-2023-05-31",
                    "max_tokens": 1024,
                    "system": f"{SYSTEM} The traveller's department is {body.get('department')}.",
                    "messages": [{"role": "user", "content": question}],
                }
            ),
        )
        answer = json.loads(response["body"].read())["content"][0]["text"]
        return _json(200, {"answer": answer})

    if route == "/summary":
        # ruleid: AIS202
        response = bedrock.invoke_model(
            modelId="amazon.titan-text-express-v1",
            body=json.dumps({"inputText": f"Summarise this expense note for the approver in two lines: {body.get('note', '')}"}),
        )
        return _json(200, {"summary": json.loads(response["body"].read())["results"][0]["outputText"]})

    if route == "/ask/templated":
        # ruleid: AIS203
        prompt = Template(body.get("template", "{{ question }}")).render(question=question, policy=SYSTEM)
        return _json(200, {"answer": _converse(SYSTEM, prompt)})

    if route == "/ask/policy-doc":
        key = body.get("document_key", "travel/current.md")
        document = s3.get_object(Bucket=POLICY_BUCKET, Key=key)["Body"].read().decode("utf-8")
        # ruleid: AIS204
        answer = _converse(SYSTEM + "\n\nPolicy document:\n" + document, question)
        return _json(200, {"answer": answer})

    if route == "/ask/kb":
        retrieved = agent_runtime.retrieve(knowledgeBaseId=KB_ID, retrievalQuery={"text": question})
        passages = [r["content"]["text"] for r in retrieved["retrievalResults"]]
        # ruleid: AIS204
        result = bedrock.converse(
            modelId=MODEL_ID,
            system=[{"text": SYSTEM}, {"text": "Relevant policy passages:\n" + "\n\n".join(passages)}],
            messages=[{"role": "user", "content": [{"text": question}]}],
        )
        # ok: AIS204
        check = _converse("Say 'yes' if the passages the user pastes answer a travel question.", "\n\n".join(passages))
        return _json(200, {"answer": result["output"]["message"]["content"][0]["text"], "grounded": check})

    if route == "/page":
        answer = _converse(SYSTEM + " Format the answer as an HTML fragment.", question)
        # ruleid: AIS303
        return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": "<main>" + answer + "</main>"}

    if route == "/page/safe":
        answer = _converse(SYSTEM, question)
        # ok: AIS303
        return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": "<main><pre>" + html.escape(answer) + "</pre></main>"}

    return _json(404, {"error": "no such route"})
