"""Product-feedback intake Lambda (API Gateway HTTP API, payload v2).

POST /feedback      -> classify + store feedback, reply with a thank-you note
POST /feedback/ask  -> analysts ask questions over stored feedback
AWS Lambda + Bedrock Converse API (Claude on Bedrock) + psycopg2 (RDS Postgres).
"""
import base64
import json
import logging
import os
import re
import urllib.request
import uuid

import boto3
import psycopg2

log = logging.getLogger()
log.setLevel(logging.INFO)

bedrock = boto3.client("bedrock-runtime", region_name=os.environ.get("AWS_REGION", "eu-west-1"))
MODEL_ID = os.environ.get("MODEL_ID", "anthropic.claude-3-5-sonnet-20240620-v1:0")
PRODUCTS = {"mobile", "web", "api", "desktop"}
SYSTEM_BASE = "You triage product feedback for Acme. Be neutral. Never promise features or dates."
_conn = None


def db():
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg2.connect(os.environ["FEEDBACK_DSN"])
    return _conn


def parse_body(event: dict) -> dict:
    body = event.get("body") or "{}"
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return json.loads(body)


def converse(system_text: str, user_text: str, max_tokens: int = 800) -> str:
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": system_text}],
        messages=[{"role": "user", "content": [{"text": user_text}]}],
        inferenceConfig={"maxTokens": max_tokens, "temperature": 0.2},
    )
    return resp["output"]["message"]["content"][0]["text"]


def respond(status: int, payload: dict) -> dict:
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(payload)}


def handle_feedback(body: dict) -> dict:
    product = body.get("product", "web")
    if product not in PRODUCTS:
        return respond(400, {"error": "unknown product"})
    text = body["text"]
    customer = body.get("customer_name", "there")
    system = SYSTEM_BASE + f" The feedback is about the {product} product."
    # ok: AIS201
    label = converse(system + ' Reply with one word: bug, idea, praise or complaint.', text, max_tokens=5).strip().lower()
    # ruleid: AIS202
    thanks = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": SYSTEM_BASE}],
        messages=[{"role": "user", "content": [{"text": f"Write a two-sentence thank-you note to {customer} for this {label} feedback:\n{text}"}]}],
    )["output"]["message"]["content"][0]["text"]
    feedback_id = str(uuid.uuid4())
    with db(), db().cursor() as cur:
        # ok: AIS302
        cur.execute(
            "INSERT INTO feedback (id, product, label, text, reply) VALUES (%s, %s, %s, %s, %s)",
            (feedback_id, product, label, text, thanks),
        )
    return respond(201, {"id": feedback_id, "label": label, "reply": thanks})


def handle_ask(body: dict, claims: dict) -> dict:
    question = body["question"]
    team_context = body.get("team_context", "")
    # ruleid: AIS201
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": SYSTEM_BASE}, {"text": "Context from the asking team: " + team_context}],
        messages=[{"role": "user", "content": [{"text": question}]}],
    )
    plan = resp["output"]["message"]["content"][0]["text"]
    match = re.search(r"```sql\s*(.+?)```", plan, re.S)
    if not match:
        return respond(200, {"answer": plan})
    sql = match.group(1)
    with db().cursor() as cur:
        # ruleid: AIS302
        cur.execute(sql)
        rows = cur.fetchmany(200)
    return respond(200, {"answer": plan, "rows": rows, "asked_by": claims.get("email")})


def handle_digest(body: dict) -> dict:
    days = int(body.get("days", 7))
    with db().cursor() as cur:
        cur.execute("SELECT label, text FROM feedback WHERE created_at > now() - %s * interval '1 day'", (days,))
        rows = cur.fetchall()
    corpus = "\n".join(f"[{label}] {text}" for label, text in rows)
    # ruleid: AIS204
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": SYSTEM_BASE + "\nRecent feedback for reference:\n" + corpus}],
        messages=[{"role": "user", "content": [{"text": f"Write the digest for the last {days} days."}]}],
    )
    digest = resp["output"]["message"]["content"][0]["text"]
    # ok: AIS202
    follow_up = converse(SYSTEM_BASE, f"List the three most urgent themes from the last {days} days, one per line.")
    return respond(200, {"digest": digest, "themes": follow_up.splitlines()})


PRESET_TEMPLATES = {
    "themes": "List recurring themes in this feedback for {product}:\n{feedback}",
    "quotes": "Pick five representative customer quotes about {product}:\n{feedback}",
}


def handle_custom(body: dict) -> dict:
    with db().cursor() as cur:
        cur.execute("SELECT text FROM feedback ORDER BY created_at DESC LIMIT 50")
        sample = "\n".join(r[0] for r in cur.fetchall())
    preset = body.get("preset")
    if preset in PRESET_TEMPLATES:
        # ok: AIS203
        rendered = PRESET_TEMPLATES[preset].format(feedback=sample, product="all")
    else:
        prompt_template = body["prompt_template"]
        # ruleid: AIS203
        rendered = prompt_template.format(feedback=sample, product="all")
    answer = converse(SYSTEM_BASE, rendered, max_tokens=1200)
    return respond(200, {"answer": answer})


def handle_enrich(body: dict) -> dict:
    feedback_id = str(uuid.UUID(body["id"]))
    with db().cursor() as cur:
        cur.execute("SELECT text FROM feedback WHERE id = %s", (feedback_id,))
        (text,) = cur.fetchone()
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": "If the feedback mentions a public URL, reply with that URL only, else NONE."}],
        messages=[{"role": "user", "content": [{"text": text}]}],
    )
    url = resp["output"]["message"]["content"][0]["text"].strip()
    if url == "NONE":
        return respond(200, {"id": feedback_id})
    # ruleid: AIS304
    with urllib.request.urlopen(url, timeout=5) as page:
        title = re.search(rb"<title>(.*?)</title>", page.read(200_000), re.S)
    return respond(200, {"id": feedback_id, "title": title.group(1).decode() if title else None})


def lambda_handler(event, context):
    route = event.get("routeKey", "")
    body = parse_body(event)
    if route == "POST /feedback":
        return handle_feedback(body)
    if route == "POST /feedback/ask":
        claims = event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})
        return handle_ask(body, claims)
    if route == "POST /feedback/digest":
        return handle_digest(body)
    if route == "POST /feedback/custom":
        return handle_custom(body)
    if route == "POST /feedback/enrich":
        return handle_enrich(body)
    return respond(404, {"error": "no route"})
