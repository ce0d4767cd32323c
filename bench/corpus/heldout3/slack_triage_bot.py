"""Incident triage Slack bot (slack_bolt, Socket Mode) using Claude on AWS Bedrock (Converse API)."""

from __future__ import annotations

import json
import os
import subprocess

import boto3
import requests
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

bedrock = boto3.client("bedrock-runtime", region_name=os.environ.get("AWS_REGION", "eu-west-1"))
MODEL_ID = os.environ.get("TRIAGE_MODEL", "anthropic.claude-3-5-sonnet-20240620-v1:0")
RUNBOOK_INDEX_URL = "https://wiki.internal.acme.io/rest/api/content/884422?expand=body.storage"
INCIDENT_WEBHOOK = os.environ["INCIDENT_WEBHOOK_URL"]
TRIAGE_SYSTEM = "You are the on-call triage assistant. Classify severity SEV1-SEV4 and propose next steps."
REMEDIATIONS = {
    "restart-api": ["kubectl", "rollout", "restart", "deployment/api"],
    "flush-cache": ["redis-cli", "-h", "cache.internal", "FLUSHDB"],
    "scale-workers": ["kubectl", "scale", "deployment/worker", "--replicas=6"],
}

app = App(token=os.environ["SLACK_BOT_TOKEN"])


def converse(system: list[dict], text: str) -> str:
    # ok: AIS201
    # ok: AIS202
    response = bedrock.converse(
        modelId=MODEL_ID,
        system=system,
        messages=[{"role": "user", "content": [{"text": text}]}],
        inferenceConfig={"maxTokens": 800, "temperature": 0},
    )
    return response["output"]["message"]["content"][0]["text"]


@app.event("app_mention")
def on_mention(event, say):
    alert = event["text"]
    # ruleid: AIS202
    response = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": TRIAGE_SYSTEM}],
        messages=[{"role": "user", "content": [{"text": "Classify the severity of this alert and propose next steps: " + alert}]}],
    )
    say(response["output"]["message"]["content"][0]["text"], thread_ts=event["ts"])


@app.command("/triage")
def on_triage(ack, command, say):
    ack()
    # ruleid: AIS201
    response = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": f"{TRIAGE_SYSTEM} Address the reporter as {command['user_name']}."}],
        messages=[{"role": "user", "content": [{"text": command["text"]}]}],
    )
    say(response["output"]["message"]["content"][0]["text"])


@app.command("/triage-runbook")
def on_triage_with_runbook(ack, command, say):
    ack()
    runbooks = requests.get(RUNBOOK_INDEX_URL, timeout=10).json()["body"]["storage"]["value"]
    # ruleid: AIS204
    response = bedrock.converse(
        modelId=MODEL_ID,
        system=[{"text": TRIAGE_SYSTEM}, {"text": "Runbook index:\n" + runbooks}],
        messages=[{"role": "user", "content": [{"text": command["text"]}]}],
    )
    answer = json.loads(response["output"]["message"]["content"][0]["text"])
    # ruleid: AIS304
    runbook = requests.get(answer["runbook_url"], timeout=10)
    # ok: AIS304
    requests.post(INCIDENT_WEBHOOK, json={"text": answer["summary"]}, timeout=10)
    say(f"{answer['summary']}\nRunbook status: {runbook.status_code}")


@app.action("run_remediation")
def on_remediation(ack, body, say):
    ack()
    incident = body["actions"][0]["value"]
    plan = json.loads(
        converse(
            [{"text": 'Reply as JSON {"action": one of ' + json.dumps(sorted(REMEDIATIONS)) + ', "command": str}.'}],
            incident,
        )
    )
    action = plan.get("action")
    if action not in REMEDIATIONS:
        say(f"No safe remediation for: {action}")
        return
    # ok: AIS301
    done = subprocess.run(REMEDIATIONS[action], capture_output=True, text=True, timeout=120)
    say(f"`{action}` exited with {done.returncode}")


@app.action("run_suggested_command")
def on_suggested_command(ack, body, say):
    ack()
    incident = body["actions"][0]["value"]
    plan = json.loads(converse([{"text": 'Reply as JSON {"command": "<one bash command>"}.'}], incident))
    # ruleid: AIS301
    done = subprocess.run(["bash", "-c", plan["command"]], capture_output=True, text=True, timeout=120)
    say(f"exit {done.returncode}\n```{done.stdout[-1500:]}```")


@app.command("/postmortem")
def on_postmortem(ack, command, say):
    ack()
    summary = converse([{"text": "Draft a blameless postmortem outline from the timeline."}], command["text"])
    say(summary)


if __name__ == "__main__":
    SocketModeHandler(app, os.environ["SLACK_APP_TOKEN"]).start()
