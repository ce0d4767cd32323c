"""Inbound sales e-mail assistant: SES -> S3 -> Lambda -> Bedrock, drafts into the CRM."""

from __future__ import annotations

import email
import json
import logging
import os
import urllib.parse
import urllib.request
from email import policy

import boto3
import yaml

log = logging.getLogger()
log.setLevel(logging.INFO)

s3 = boto3.client("s3")
bedrock = boto3.client("bedrock-runtime", region_name=os.environ.get("AWS_REGION", "us-east-1"))
MODEL_ID = os.environ.get("MODEL_ID", "anthropic.claude-3-5-sonnet-20240620-v1:0")
CRM_API = os.environ.get("CRM_API", "https://crm.internal.example/api")
SIGNATURE = os.environ.get("SALES_SIGNATURE", "The Acme sales team")

REPLY_SYSTEM = (
    "You draft replies to inbound sales e-mails. Be helpful, never quote prices, "
    f"and sign as {SIGNATURE}."
)


def parse_message(raw: bytes) -> dict:
    msg = email.message_from_bytes(raw, policy=policy.default)
    body = msg.get_body(preferencelist=("plain", "html"))
    return {
        "from": msg.get("From", ""),
        "subject": msg.get("Subject", ""),
        "body": body.get_content() if body else "",
    }


def converse(system: list[dict], user_text: str, max_tokens: int = 800) -> str:
    # ruleid: AIS201
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=system,
        messages=[{"role": "user", "content": [{"text": user_text}]}],
        inferenceConfig={"maxTokens": max_tokens, "temperature": 0.3},
    )
    return resp["output"]["message"]["content"][0]["text"]


def draft_reply(mail: dict) -> str:
    # ok: AIS201, AIS202
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": REPLY_SYSTEM}],
        messages=[{"role": "user", "content": [{"text": mail["body"]}]}],
    )
    return resp["output"]["message"]["content"][0]["text"]


def classify(mail: dict) -> dict:
    body = json.dumps(
        {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 300,
            "system": "Classify the e-mail. Reply with YAML with keys intent, urgency, company.",
            "messages": [
                {
                    "role": "user",
                    "content": f"Subject: {mail['subject']}\n\nClassify this e-mail for the sales team:\n{mail['body']}",
                }
            ],
        }
    )
    # ruleid: AIS202
    resp = bedrock.invoke_model(modelId=MODEL_ID, body=body)
    payload = json.loads(resp["body"].read())
    text = payload["content"][0]["text"]
    # ruleid: AIS304
    return yaml.load(text, Loader=yaml.Loader)


def handler(event, context):
    record = event["Records"][0]["s3"]
    bucket = record["bucket"]["name"]
    key = urllib.parse.unquote_plus(record["object"]["key"])
    raw = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    mail = parse_message(raw)

    draft = draft_reply(mail)
    labels = classify(mail)

    sender_note = f"The sender describes themselves as: {mail['from']}. Subject line: {mail['subject']}"
    follow_up = converse([{"text": REPLY_SYSTEM}, {"text": sender_note}], "Suggest one follow-up question.")

    company = str((labels or {}).get("company", "")).strip().lower().replace(" ", "-")
    # ruleid: AIS304
    with urllib.request.urlopen(f"{CRM_API}/companies/{company}", timeout=5) as crm:
        lead = json.load(crm)

    record_out = {"draft": draft, "labels": labels, "follow_up": follow_up, "lead": lead}
    s3.put_object(Bucket=bucket, Key=f"drafts/{key}.json", Body=json.dumps(record_out).encode())
    return {"statusCode": 200}
