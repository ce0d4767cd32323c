"""Lambda functions around a product-review queue: SQS-triggered enrichment with Bedrock tool use, and an API handler."""
from __future__ import annotations

import json
import os

import boto3
import psycopg

bedrock = boto3.client("bedrock-runtime")
s3 = boto3.client("s3")
MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"
conn = psycopg.connect(os.environ["DATABASE_URL"])
SYSTEM = [{"text": "You classify product reviews for the catalog team."}]
TOOL_CONFIG = {
    "tools": [
        {"toolSpec": {"name": "set_category", "inputSchema": {"json": {"type": "object", "properties": {"category": {"type": "string"}, "sku": {"type": "string"}}}}}},
        {"toolSpec": {"name": "flag_review", "inputSchema": {"json": {"type": "object", "properties": {"reason": {"type": "string"}}}}}},
    ]
}
CATEGORIES = {"praise", "complaint", "question", "spam"}


def set_category(review_id: int, category: str, sku: str) -> None:
    with conn.cursor() as cur:
        # ruleid: AIS302
        cur.execute(f"UPDATE reviews SET category = '{category}' WHERE id = %s AND sku = %s", (review_id, sku))


def flag_review(review_id: int, reason: str) -> None:
    with conn.cursor() as cur:
        # ok: AIS302
        cur.execute("UPDATE reviews SET flagged = true, flag_reason = %s WHERE id = %s", (reason, review_id))


def _converse(text: str) -> dict:
    return bedrock.converse(
        modelId=MODEL_ID,
        system=SYSTEM,
        messages=[{"role": "user", "content": [{"text": text}]}],
        toolConfig=TOOL_CONFIG,
    )


def enrich(event, context):
    """SQS trigger: each record's body is a review submitted on the storefront."""
    for record in event["Records"]:
        review = json.loads(record["body"])
        # ok: AIS201, AIS202
        response = _converse(review["text"])
        for block in response["output"]["message"]["content"]:
            if "toolUse" not in block:
                continue
            use = block["toolUse"]
            if use["name"] == "set_category":
                set_category(review["id"], **use["input"])
            elif use["name"] == "flag_review":
                flag_review(review["id"], use["input"]["reason"])


def classify_strict(event, context):
    for record in event["Records"]:
        review = json.loads(record["body"])
        response = _converse(review["text"])
        label = response["output"]["message"]["content"][0]["text"].strip().lower()
        if label not in CATEGORIES:
            continue
        with conn.cursor() as cur:
            # ok: AIS302
            cur.execute(f"UPDATE reviews SET category = '{label}' WHERE id = %s", (review["id"],))


def reply_to_review(event, context):
    """API Gateway: a seller drafts a public reply in their own voice."""
    body = json.loads(event["body"])
    # ruleid: AIS201
    response = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": "Draft a public reply to a product review. Seller's voice: " + body["voice"]}],
        messages=[{"role": "user", "content": [{"text": body["review"]}]}],
    )
    return {"statusCode": 200, "body": response["output"]["message"]["content"][0]["text"]}


def summarise_attachment(event, context):
    """S3 trigger: a review photo's OCR text was stored next to it."""
    key = event["Records"][0]["s3"]["object"]["key"]
    text = s3.get_object(Bucket="review-ocr", Key=key)["Body"].read().decode()
    # ruleid: AIS204
    response = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": "Summarise what the customer photographed."}, {"text": text}],
        messages=[{"role": "user", "content": [{"text": "Summary, please."}]}],
    )
    summary = response["output"]["message"]["content"][0]["text"]
    # ok: AIS304
    s3.put_object(Bucket="review-ocr", Key=key + ".summary.txt", Body=summary.encode())


def invoke_claude(event, context):
    body = json.loads(event["body"])
    request = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 500,
        "system": "Rewrite product questions so they are polite. Tone: " + body.get("tone", "neutral"),
        "messages": [{"role": "user", "content": body["question"]}],
    }
    # ruleid: AIS201
    raw = bedrock.invoke_model(modelId=MODEL_ID, body=json.dumps(request))
    answer = json.loads(raw["body"].read())["content"][0]["text"]
    return {"statusCode": 200, "body": answer}
