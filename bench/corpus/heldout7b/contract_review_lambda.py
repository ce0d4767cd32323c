"""AWS Lambda behind API Gateway: contract review with Amazon Bedrock. Contracts are uploaded to
S3 by the web app; this function reviews them, answers questions and stores extracted clauses."""
import json
import logging
import os

import boto3
import psycopg
from langchain_core.prompts import PromptTemplate

logger = logging.getLogger()
logger.setLevel(logging.INFO)

s3 = boto3.client("s3")
ssm = boto3.client("ssm")
bedrock = boto3.client("bedrock-runtime", region_name=os.environ.get("AWS_REGION", "eu-west-1"))
MODEL_ID = os.environ.get("MODEL_ID", "anthropic.claude-3-5-sonnet-20240620-v1:0")
BUCKET = os.environ["CONTRACTS_BUCKET"]
DSN = os.environ["CLAUSES_DSN"]
SUMMARY_STYLES = {
    "short": "Summarise the contract below in five bullet points.\n{contract}",
    "executive": "Write a one-paragraph executive summary of the contract below.\n{contract}",
}
JURISDICTIONS = {"us-ny", "us-ca", "uk", "de", "fr"}

REVIEW_SYSTEM = (
    "You are a contract analyst. Identify unusual liability, termination and payment clauses. "
    "Quote the clause text and explain the risk in one sentence."
)


def _response(status: int, payload: dict) -> dict:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(payload),
    }


def _contract_text(key: str) -> str:
    obj = s3.get_object(Bucket=BUCKET, Key=key)
    return obj["Body"].read().decode("utf-8", errors="replace")


def _converse(system_blocks: list[dict], user_text: str, max_tokens: int = 2000) -> str:
    # ruleid: AIS204
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=system_blocks,
        messages=[{"role": "user", "content": [{"text": user_text}]}],
        inferenceConfig={"maxTokens": max_tokens, "temperature": 0.0},
    )
    return resp["output"]["message"]["content"][0]["text"]


def review(event, context):
    body = json.loads(event.get("body") or "{}")
    role = body.get("reviewer_role", "in-house counsel")
    jurisdiction = body.get("jurisdiction", "uk")
    if jurisdiction not in JURISDICTIONS:
        return _response(400, {"error": "unsupported jurisdiction"})
    contract = _contract_text(body["contract_key"])
    system = f"{REVIEW_SYSTEM}\nJurisdiction: {jurisdiction}.\nWrite for: {role}."
    # ruleid: AIS201
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": system}],
        messages=[{"role": "user", "content": [{"text": contract}]}],
        inferenceConfig={"maxTokens": 3000, "temperature": 0.0},
    )
    return _response(200, {"review": resp["output"]["message"]["content"][0]["text"]})


def review_by_jurisdiction(event, context):
    params = event.get("queryStringParameters") or {}
    jurisdiction = params.get("jurisdiction", "uk")
    if jurisdiction not in JURISDICTIONS:
        return _response(400, {"error": "unsupported jurisdiction"})
    contract = _contract_text(params["contract_key"])
    # ok: AIS201
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": REVIEW_SYSTEM}, {"text": f"Apply {jurisdiction} law."}],
        messages=[{"role": "user", "content": [{"text": contract}]}],
        inferenceConfig={"maxTokens": 3000},
    )
    return _response(200, {"review": resp["output"]["message"]["content"][0]["text"]})


def compare_to_playbook(event, context):
    body = json.loads(event["body"])
    contract = _contract_text(body["contract_key"])
    blocks = [{"text": REVIEW_SYSTEM}, {"text": "Contract under review:\n" + contract}]
    return _response(200, {"diff": _converse(blocks, "List deviations from the standard playbook.")})


def ask_question(event, context):
    body = json.loads(event["body"])
    contract = _contract_text(body["contract_key"])
    question = body["question"]
    # ok: AIS202
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": "Answer questions about the contract in the first user message. Cite clauses."}],
        messages=[
            {"role": "user", "content": [{"text": contract}]},
            {"role": "assistant", "content": [{"text": "I have read the contract."}]},
            {"role": "user", "content": [{"text": question}]},
        ],
        inferenceConfig={"maxTokens": 800},
    )
    return _response(200, {"answer": resp["output"]["message"]["content"][0]["text"]})


def negotiate(event, context):
    body = json.loads(event["body"])
    counterparty = body["counterparty"]
    goals = "; ".join(body.get("goals", []))
    prompt = (
        f"Draft a negotiation email to {counterparty}. Our goals: {goals}. "
        "Be firm but polite and propose concrete wording for each clause."
    )
    payload = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 1500,
        "system": "You draft commercial negotiation emails for Acme's legal team.",
        "messages": [{"role": "user", "content": prompt}],
    }
    # ruleid: AIS202
    resp = bedrock.invoke_model(modelId=MODEL_ID, body=json.dumps(payload))
    text = json.loads(resp["body"].read())["content"][0]["text"]
    return _response(200, {"email": text})


def custom_check(event, context):
    body = json.loads(event["body"])
    contract = _contract_text(body["contract_key"])
    # ruleid: AIS203
    check = PromptTemplate(template=body["check_template"], input_variables=["contract"], template_format="jinja2")
    rendered = check.format(contract=contract)
    return _response(200, {"result": _converse([{"text": REVIEW_SYSTEM}], rendered, 1200)})


def summary_with_template(event, context):
    body = json.loads(event["body"])
    contract = _contract_text(body["contract_key"])
    # ruleid: AIS203
    summary_prompt = PromptTemplate.from_template(body.get("summary_template") or "Summarise:\n{contract}")
    return _response(200, {"summary": _converse([{"text": REVIEW_SYSTEM}], summary_prompt.format(contract=contract), 800)})


def summary_by_style(event, context):
    body = json.loads(event["body"])
    style = body.get("style", "short")
    if style not in SUMMARY_STYLES:
        return _response(400, {"error": "unknown style"})
    contract = _contract_text(body["contract_key"])
    # ok: AIS203
    summary_prompt = PromptTemplate.from_template(SUMMARY_STYLES[style])
    return _response(200, {"summary": _converse([{"text": REVIEW_SYSTEM}], summary_prompt.format(contract=contract), 800)})


def standard_check(event, context):
    body = json.loads(event["body"])
    contract = _contract_text(body["contract_key"])
    template_text = ssm.get_parameter(Name="/contracts/prompts/standard-check")["Parameter"]["Value"]
    # ok: AIS203
    check = PromptTemplate(template=template_text, input_variables=["contract"], template_format="jinja2")
    return _response(200, {"result": _converse([{"text": REVIEW_SYSTEM}], check.format(contract=contract), 1200)})


def extract_clauses(event, context):
    body = json.loads(event["body"])
    contract_id = int(body["contract_id"])
    contract = _contract_text(body["contract_key"])
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": "Extract every termination clause. Reply with a JSON array of strings."}],
        messages=[{"role": "user", "content": [{"text": contract}]}],
        inferenceConfig={"maxTokens": 2000},
    )
    clauses = json.loads(resp["output"]["message"]["content"][0]["text"])
    with psycopg.connect(DSN) as conn, conn.cursor() as cur:
        for clause in clauses:
            # ruleid: AIS302
            cur.execute(f"INSERT INTO clauses (contract_id, kind, text) VALUES ({contract_id}, 'termination', '{clause}')")
    return _response(200, {"stored": len(clauses)})


def extract_parties(event, context):
    body = json.loads(event["body"])
    contract_id = int(body["contract_id"])
    contract = _contract_text(body["contract_key"])
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": "List the contracting parties. Reply with a JSON array of names."}],
        messages=[{"role": "user", "content": [{"text": contract}]}],
        inferenceConfig={"maxTokens": 500},
    )
    parties = json.loads(resp["output"]["message"]["content"][0]["text"])
    with psycopg.connect(DSN) as conn, conn.cursor() as cur:
        # ok: AIS302
        cur.executemany(
            "INSERT INTO parties (contract_id, name) VALUES (%s, %s)",
            [(contract_id, name) for name in parties],
        )
    return _response(200, {"parties": parties})
