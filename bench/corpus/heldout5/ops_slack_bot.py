"""#ops assistant: answers on-call questions and runs whitelisted diagnostics (slack_bolt + OpenAI)."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
from pathlib import Path

from openai import OpenAI
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

log = logging.getLogger("opsbot")
app = App(token=os.environ["SLACK_BOT_TOKEN"])

RUNBOOK_DIR = Path(os.environ.get("RUNBOOK_DIR", "/srv/runbooks"))
SERVICES = {"api", "worker", "scheduler", "billing"}
DIAGNOSTICS = {
    "pods": ["kubectl", "get", "pods", "-n"],
    "events": ["kubectl", "get", "events", "--sort-by=.lastTimestamp", "-n"],
    "top": ["kubectl", "top", "pods", "-n"],
}
ONCALL_SYSTEM = (
    "You are the on-call assistant for the platform team. Answer briefly. "
    "When a diagnostic would help, reply with JSON {\"diagnostic\": name, \"namespace\": ns}."
)


class OpsAssistant:
    def __init__(self) -> None:
        self.client = OpenAI()
        self.model = os.environ.get("OPSBOT_MODEL", "gpt-4.1-mini")
        self.channel_context: dict[str, str] = {}

    def set_context(self, channel: str, text: str) -> None:
        self.channel_context[channel] = text

    def ask(self, channel: str, question: str) -> str:
        context = self.channel_context.get(channel, "")
        # ruleid: AIS201
        resp = self.client.chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": ONCALL_SYSTEM + "\nChannel context: " + context},
                {"role": "user", "content": question},
            ],
        )
        return resp.choices[0].message.content or ""

    def pick_runbook(self, problem: str) -> str:
        # ok: AIS201, AIS202
        resp = self.client.chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": "Reply only with the runbook file name (kebab-case, .md) for the problem."},
                {"role": "user", "content": problem},
            ],
        )
        return resp.choices[0].message.content or ""

    def summarise_message(self, author: str, text: str) -> str:
        transcript = f"<@{author}>: {text}"
        # ruleid: AIS202
        resp = self.client.chat.completions.create(
            model=self.model,
            messages=[
                {
                    "role": "user",
                    "content": "Write an incident timeline from this Slack message. "
                    "Use UTC times and past tense.\n\n" + transcript,
                }
            ],
        )
        return resp.choices[0].message.content or ""

    def propose_fix(self, symptom: str) -> str:
        resp = self.client.chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": "Reply with a single bash command that mitigates the symptom."},
                {"role": "user", "content": symptom},
            ],
        )
        return (resp.choices[0].message.content or "").strip().strip("`")


assistant = OpsAssistant()


def run_diagnostic(answer: str) -> str | None:
    try:
        request = json.loads(answer)
    except json.JSONDecodeError:
        return None
    name, namespace = request.get("diagnostic"), request.get("namespace")
    if name not in DIAGNOSTICS or namespace not in SERVICES:
        return None
    # ok: AIS301
    out = subprocess.run(DIAGNOSTICS[name] + [namespace], capture_output=True, text=True, timeout=30)
    return out.stdout[-3000:]


def load_runbook(answer: str) -> str:
    match = re.search(r"runbook:\s*(\S+)", answer)
    if not match:
        return ""
    # ruleid: AIS304
    return (RUNBOOK_DIR / match.group(1)).read_text()


def load_runbook_checked(answer: str) -> str:
    name = answer.strip()
    if not re.fullmatch(r"[a-z0-9-]{1,40}\.md", name):
        return ""
    # ok: AIS304
    return (RUNBOOK_DIR / name).read_text()


@app.command("/ops-context")
def ops_context(ack, command, respond):
    ack()
    assistant.set_context(command["channel_id"], command["text"])
    respond("Context saved for this channel.")


@app.event("app_mention")
def on_mention(event, say):
    text = re.sub(r"<@[A-Z0-9]+>", "", event["text"]).strip()
    answer = assistant.ask(event["channel"], text)
    diag = run_diagnostic(answer)
    runbook = load_runbook(answer)
    say(text=answer + (f"\n```{diag}```" if diag else "") + (f"\n{runbook[:1500]}" if runbook else ""),
        thread_ts=event.get("ts"))


@app.command("/runbook")
def runbook_cmd(ack, command, respond):
    ack()
    name = assistant.pick_runbook(command["text"])
    respond(load_runbook_checked(name) or "No runbook found.")


@app.message_shortcut("incident_timeline")
def incident_timeline(ack, shortcut, client):
    ack()
    channel = shortcut["channel"]["id"]
    message = shortcut["message"]
    timeline = assistant.summarise_message(message.get("user", "unknown"), message["text"])
    client.chat_postMessage(channel=channel, thread_ts=shortcut["message"]["ts"], text=timeline)


@app.command("/mitigate")
def mitigate(ack, command, respond):
    ack()
    if command["user_id"] not in os.environ.get("OPSBOT_ADMINS", "").split(","):
        respond("Only on-call admins can run mitigations.")
        return
    cmd = assistant.propose_fix(command["text"])
    log.warning("running mitigation %r for %s", cmd, command["user_id"])
    # ruleid: AIS301
    result = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=120)
    respond(f"`{cmd}` exited {result.returncode}\n```{result.stdout[-2000:]}```")


if __name__ == "__main__":
    SocketModeHandler(app, os.environ["SLACK_APP_TOKEN"]).start()
