# Held-out corpus. Semgrep-style annotations: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
"""Slack/email ticket triage worker: helpers, a class holding prompt state, and tool actions."""

import json
import shutil
from pathlib import Path

import cohere
import requests
import yaml
from flask import Flask, request
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from openai import OpenAI
from pydantic import BaseModel

app = Flask(__name__)
client = OpenAI()
co = cohere.ClientV2()
SCRATCH = Path("/srv/triage/scratch")
TEMPLATES = {"bug": "Classify this bug report: {text}", "billing": "Classify this billing issue: {text}"}


class Triage(BaseModel):
    queue: str
    priority: int


def build_system(snippets: list[str]) -> str:
    return "You triage tickets. Known incidents:\n" + "\n".join(snippets)


def make_prompt(text: str) -> str:
    return f"Classify the ticket into bug/billing/other and answer with one word.\n\nTicket: {text}"


def ask(messages: list[dict]) -> str:
    resp = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    return resp.choices[0].message.content


class TriageBot:
    def __init__(self, team: str):
        self.system = f"You triage tickets for the {team} team."

    def add_reporter_context(self, reporter_note: str) -> None:
        self.system += "\nReporter says: " + reporter_note

    def run(self, ticket: str) -> str:
        # ruleid: AIS201
        resp = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "system", "content": self.system}, {"role": "user", "content": ticket}],
        )
        return resp.choices[0].message.content


@app.post("/slack/events")
def slack_events():
    event = request.get_json()["event"]
    bot = TriageBot("platform")
    bot.add_reporter_context(event.get("text", ""))
    # ok: AIS303
    return json.dumps({"triage": bot.run(event["text"])}), 200, {"Content-Type": "application/json"}


@app.post("/email")
def inbound_email():
    body = request.form["body-plain"]
    incidents = requests.get("https://status.example.com/api/incidents.json", timeout=5).json()
    snippets = [i["description"] for i in incidents]
    # ruleid: AIS204
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": build_system(snippets)}, {"role": "user", "content": body}],
    )
    # ok: AIS204
    resp2 = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "You triage tickets. The user message lists known incidents."},
            {"role": "user", "content": "\n".join(snippets)},
        ],
    )
    # ok: AIS204
    resp3 = co.chat(
        model="command-r-plus",
        messages=[{"role": "system", "content": "Triage using the documents."}, {"role": "user", "content": body}],
        documents=[{"data": {"text": s}} for s in snippets],
    )
    return json.dumps([resp.choices[0].message.content, resp2.choices[0].message.content, resp3.message.content[0].text])


@app.post("/classify")
def classify():
    text = request.form["text"]
    # ruleid: AIS202
    label = ask([{"role": "user", "content": make_prompt(text)}])
    # ok: AIS202
    label2 = ask([{"role": "system", "content": make_prompt("")}, {"role": "user", "content": text}])
    return json.dumps({"label": label, "label2": label2})


@app.post("/classify/template")
def classify_template():
    kind = request.form["kind"]
    text = request.form["text"]
    # ok: AIS203
    tpl = PromptTemplate.from_template(TEMPLATES.get(kind, TEMPLATES["bug"]))
    # ruleid: AIS203
    chat_tpl = ChatPromptTemplate.from_messages([("system", "Classify tickets."), ("human", request.form["human_template"])])
    return json.dumps({"a": tpl.format(text=text), "b": chat_tpl.format(text=text)})


@app.post("/actions")
def actions():
    text = request.form["text"]
    plan = ask(
        [
            {"role": "system", "content": "Reply with JSON: {queue, priority, cleanup_dir, notify_url}."},
            {"role": "user", "content": text},
        ]
    )
    data = json.loads(plan)
    # ok: AIS304
    triage = Triage.model_validate_json(plan)
    # ok: AIS304
    meta = yaml.load(plan, Loader=yaml.SafeLoader)
    # ruleid: AIS304
    shutil.rmtree(data["cleanup_dir"])
    # ruleid: AIS304
    requests.post(data["notify_url"], json={"queue": triage.queue}, timeout=5)
    # ok: AIS304
    requests.post("https://hooks.example.com/triage", json={"queue": triage.queue, "meta": meta}, timeout=5)
    # ok: AIS304
    (SCRATCH / f"ticket-{int(triage.priority)}.json").write_text(plan)
    return "", 204
