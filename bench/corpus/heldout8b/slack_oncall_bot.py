"""On-call helper Slack bot: /oncall-ask, /oncall-summary, mentions and a runbook fetcher.

slack_bolt (Socket Mode) + OpenAI Responses API + psycopg for the incident log.
"""
import json
import os
import re

import shlex
import subprocess

import httpx
import psycopg
from jinja2 import Environment
from openai import OpenAI
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

app = App(token=os.environ["SLACK_BOT_TOKEN"])
oai = OpenAI()
MODEL = os.environ.get("ONCALL_MODEL", "gpt-4.1-mini")
DSN = os.environ["INCIDENT_DSN"]
jinja_env = Environment()
RUNBOOK_BASE = "https://runbooks.internal.example.com/"

INSTRUCTIONS = (
    "You are the on-call assistant for the platform team. Be brief, cite runbooks by name, "
    "never suggest disabling alerts."
)
SEVERITIES = {"sev1", "sev2", "sev3"}
KNOWN_RUNBOOKS = {
    "db-failover": RUNBOOK_BASE + "db-failover.md",
    "cache-flush": RUNBOOK_BASE + "cache-flush.md",
    "queue-backlog": RUNBOOK_BASE + "queue-backlog.md",
}


class IncidentLog:
    def __init__(self, dsn: str):
        self.dsn = dsn

    def recent(self, service: str) -> list[tuple]:
        with psycopg.connect(self.dsn) as conn:
            return conn.execute(
                "SELECT id, title, severity FROM incidents WHERE service = %s ORDER BY opened_at DESC LIMIT 10",
                (service,),
            ).fetchall()

    def run_report(self, sql: str) -> list[tuple]:
        with psycopg.connect(self.dsn) as conn:
            # ruleid: AIS302
            return conn.execute(sql).fetchall()

    def severity_count(self, severity: str) -> int:
        with psycopg.connect(self.dsn) as conn:
            # ok: AIS302
            return conn.execute("SELECT count(*) FROM incidents WHERE severity = %s", (severity,)).fetchone()[0]


incidents = IncidentLog(DSN)


def ask_model(instructions: str, user_input: str) -> str:
    # ruleid: AIS201
    resp = oai.responses.create(model=MODEL, instructions=instructions, input=user_input)
    return resp.output_text


@app.command("/oncall-ask")
def oncall_ask(ack, command, respond):
    ack()
    question = command["text"]
    # ok: AIS201
    resp = oai.responses.create(model=MODEL, instructions=INSTRUCTIONS, input=question)
    respond(resp.output_text)


@app.command("/oncall-persona")
def oncall_persona(ack, command, respond):
    ack()
    # A channel can set its own assistant persona: "/oncall-persona You are the payments on-call bot ..."
    persona = command["text"].strip()
    channel = command["channel_name"]
    answer = ask_model(f"{INSTRUCTIONS}\nChannel #{channel} persona: {persona}", "Introduce yourself in one line.")
    respond(answer)


@app.command("/oncall-summary")
def oncall_summary(ack, command, respond):
    ack()
    parts = command["text"].split(maxsplit=1)
    service = parts[0] if parts else "api"
    rows = incidents.recent(service)
    history = "\n".join(f"#{r[0]} [{r[2]}] {r[1]}" for r in rows)
    prompt = "Summarise the recent incidents for service " + service + " and flag repeats:\n" + history
    # ruleid: AIS202
    # ok: AIS204
    resp = oai.responses.create(model=MODEL, instructions=INSTRUCTIONS, input=prompt)
    respond(resp.output_text)


@app.command("/oncall-format")
def oncall_format(ack, command, respond):
    ack()
    # "/oncall-format Status for {{ service }}: {% for i in incidents %}{{ i[1] }}; {% endfor %} | api"
    # lets teams keep their own status-update shape
    template_text, _, service = command["text"].rpartition("|")
    rows = incidents.recent(service.strip())
    # ruleid: AIS203
    prompt = jinja_env.from_string(template_text).render(service=service.strip(), incidents=rows)
    resp = oai.responses.create(model=MODEL, instructions=INSTRUCTIONS, input=prompt)
    respond(resp.output_text)


@app.command("/oncall-sev")
def oncall_sev(ack, command, respond):
    ack()
    severity = command["text"].strip().lower()
    if severity not in SEVERITIES:
        respond("usage: /oncall-sev sev1|sev2|sev3")
        return
    count = incidents.severity_count(severity)
    prompt = f"There are {count} open {severity} incidents. Suggest how to split them across the rota."
    # ok: AIS202
    resp = oai.responses.create(model=MODEL, instructions=INSTRUCTIONS, input=prompt)
    respond(resp.output_text)


@app.command("/oncall-report")
def oncall_report(ack, command, respond):
    ack()
    resp = oai.responses.create(
        model=MODEL,
        instructions="Write one PostgreSQL SELECT over incidents(id, service, severity, title, opened_at). SQL only.",
        input=command["text"],
    )
    sql = resp.output_text.strip().strip("`")
    rows = incidents.run_report(sql)
    respond("```" + "\n".join(map(str, rows[:20])) + "```")


KUBECTL_READ_VERBS = {"get", "describe", "logs", "top"}


@app.command("/oncall-kubectl")
def oncall_kubectl(ack, command, respond):
    ack()
    resp = oai.responses.create(
        model=MODEL,
        instructions="Translate the request into one kubectl command for the prod-ro context. Command only.",
        input=command["text"],
    )
    argv = shlex.split(resp.output_text.strip().strip("`"))
    if argv[:1] != ["kubectl"]:
        respond("I can only run kubectl.")
        return
    # ruleid: AIS301
    out = subprocess.run(argv + ["--context", "prod-ro"], capture_output=True, text=True, timeout=30)
    respond("```" + out.stdout[-2500:] + "```")


@app.command("/oncall-pods")
def oncall_pods(ack, command, respond):
    ack()
    resp = oai.responses.create(
        model=MODEL,
        instructions="Which kubectl read verb fits the request: get, describe, logs or top? One word.",
        input=command["text"],
    )
    verb = resp.output_text.strip().lower()
    if verb not in KUBECTL_READ_VERBS:
        verb = "get"
    # ok: AIS301
    out = subprocess.run(["kubectl", verb, "pods", "-n", "platform", "--context", "prod-ro"], capture_output=True, text=True, timeout=30)
    respond("```" + out.stdout[-2500:] + "```")


@app.event("app_mention")
def on_mention(event, say):
    text = re.sub(r"<@[A-Z0-9]+>", "", event["text"]).strip()
    resp = oai.responses.create(
        model=MODEL,
        instructions=INSTRUCTIONS + " If a runbook applies, end with `runbook: <name>`.",
        input=[{"role": "user", "content": text}],
    )
    answer = resp.output_text
    m = re.search(r"runbook:\s*(\S+)", answer)
    if m:
        name = m.group(1)
        url = KNOWN_RUNBOOKS.get(name)
        if url:
            # ok: AIS304
            page = httpx.get(url, timeout=10)
            answer += "\n>" + page.text[:500]
    say(answer)


@app.event("message")
def on_thread_message(event, say):
    if event.get("channel_type") != "im":
        return
    resp = oai.responses.create(
        model=MODEL,
        instructions=INSTRUCTIONS + ' Reply as JSON {"answer": str, "link": str|null}.',
        input=event.get("text", ""),
    )
    data = json.loads(resp.output_text)
    if data.get("link"):
        # ruleid: AIS304
        preview = httpx.get(data["link"], follow_redirects=True, timeout=10)
        data["answer"] += "\n" + preview.text[:300]
    say(data["answer"])


if __name__ == "__main__":
    SocketModeHandler(app, os.environ["SLACK_APP_TOKEN"]).start()
