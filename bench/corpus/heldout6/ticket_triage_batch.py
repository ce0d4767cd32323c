"""Nightly ticket triage: reads open tickets from Postgres and routes them with Claude on Bedrock.

Run by cron: `python -m support.ticket_triage_batch --limit 500`.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import re

import boto3
import psycopg
from psycopg import sql

log = logging.getLogger("triage")
bedrock = boto3.client("bedrock-runtime", region_name=os.getenv("AWS_REGION", "eu-west-1"))
MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"
TRIAGE_RULES = "Route each ticket to one team: billing, platform, identity or sales. Be terse."
TEAMS = {"billing", "platform", "identity", "sales"}
MACRO_DIR = "/srv/support/macros"
MACRO_RE = re.compile(r"[a-z_]{3,40}")


def converse(system_text: str, user_text: str) -> str:
    # ok: AIS204
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": system_text}],
        messages=[{"role": "user", "content": [{"text": user_text}]}],
        inferenceConfig={"maxTokens": 400, "temperature": 0},
    )
    return resp["output"]["message"]["content"][0]["text"]


def route_ticket(cur: psycopg.Cursor, ticket: dict) -> str:
    team = converse(TRIAGE_RULES, f"Subject: {ticket['subject']}\n\n{ticket['body']}").strip().lower()
    # ruleid: AIS302
    cur.execute(f"UPDATE tickets SET team = '{team}', triaged_at = now() WHERE id = {ticket['id']}")
    return team


def route_ticket_safe(cur: psycopg.Cursor, ticket: dict) -> str:
    team = converse(TRIAGE_RULES, ticket["body"]).strip().lower()
    if team not in TEAMS:
        team = "platform"
    # ok: AIS302
    cur.execute(
        sql.SQL("UPDATE tickets SET team = %s WHERE id = %s RETURNING {}").format(sql.Identifier("team")),
        (team, ticket["id"]),
    )
    return team


def customer_context(cur: psycopg.Cursor, ticket: dict) -> str:
    cur.execute("SELECT note FROM customer_notes WHERE customer_id = %s ORDER BY created_at DESC LIMIT 5", (ticket["customer_id"],))
    notes = "\n".join(row["note"] for row in cur.fetchall())
    # ruleid: AIS204
    resp = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": TRIAGE_RULES}, {"text": "Account notes from the CRM:\n" + notes}],
        messages=[{"role": "user", "content": [{"text": ticket["body"]}]}],
    )
    return resp["output"]["message"]["content"][0]["text"]


def draft_reply(ticket: dict) -> str:
    body = json.dumps(
        {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 700,
            "system": f"You draft replies for the support team. Match the customer's own wording:\n{ticket['body']}",
            "messages": [{"role": "user", "content": "Draft the reply."}],
        }
    )
    # ruleid: AIS204
    resp = bedrock.invoke_model(modelId=MODEL_ID, body=body)
    payload = json.loads(resp["body"].read())
    return payload["content"][0]["text"]


def tag_ticket(cur: psycopg.Cursor, ticket: dict) -> list[str]:
    raw = converse(TRIAGE_RULES + " Return a JSON array of up to 3 lowercase tags.", ticket["body"])
    # ok: AIS304
    tags = json.loads(raw)
    # ruleid: AIS302
    cur.execute("INSERT INTO ticket_tags (ticket_id, tag) VALUES " + ", ".join(f"({ticket['id']}, '{t}')" for t in tags))
    return tags


def attach_macro(ticket: dict) -> str:
    macro = converse("Pick the best macro file name for this ticket, e.g. refund_policy. Reply with the name only.", ticket["body"]).strip()
    # ruleid: AIS304
    with open(os.path.join(MACRO_DIR, macro + ".md"), encoding="utf-8") as fh:
        return fh.read()


def attach_macro_checked(ticket: dict) -> str:
    macro = converse("Pick the best macro file name for this ticket. Reply with the name only.", ticket["body"]).strip()
    if not MACRO_RE.fullmatch(macro):
        return ""
    # ok: AIS304
    with open(os.path.join(MACRO_DIR, macro + ".md"), encoding="utf-8") as fh:
        return fh.read()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=200)
    args = parser.parse_args()
    with psycopg.connect(os.environ["SUPPORT_DSN"], row_factory=psycopg.rows.dict_row) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT id, customer_id, subject, body FROM tickets WHERE team IS NULL LIMIT %s", (args.limit,))
            for ticket in cur.fetchall():
                route_ticket(cur, ticket)
                route_ticket_safe(cur, ticket)
                log.info("context %s", customer_context(cur, ticket))
                log.info("draft %s", draft_reply(ticket))
                tag_ticket(cur, ticket)
                attach_macro(ticket)
                attach_macro_checked(ticket)
        conn.commit()


if __name__ == "__main__":
    main()
