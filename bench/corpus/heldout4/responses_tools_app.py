"""Flask help-desk assistant on the OpenAI Responses API with function calling."""

import json
import os
import sqlite3
import subprocess

from flask import Flask, jsonify, request
from markupsafe import Markup, escape
from openai import OpenAI

app = Flask(__name__)
client = OpenAI()
MODEL = os.environ.get("HELPDESK_MODEL", "gpt-4.1-mini")
BASE_INSTRUCTIONS = "You are the ACME help-desk assistant. Use the tools when needed."
TEAM_NOTE = os.environ.get("HELPDESK_TEAM_NOTE", "")

TOOLS = [
    {"type": "function", "name": "lookup_ticket", "parameters": {"type": "object", "properties": {"ticket_id": {"type": "integer"}}}},
    {"type": "function", "name": "run_diagnostic", "parameters": {"type": "object", "properties": {"command": {"type": "string"}}}},
    {"type": "function", "name": "search_kb", "parameters": {"type": "object", "properties": {"query": {"type": "string"}}}},
    {"type": "function", "name": "read_log", "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}},
]
SAFE_DIAGNOSTICS = {"disk": ["df", "-h"], "uptime": ["uptime"], "memory": ["free", "-m"]}


def db():
    return sqlite3.connect(os.environ.get("HELPDESK_DB", "helpdesk.db"))


def lookup_ticket(args):
    cur = db().cursor()
    # ok: AIS302
    cur.execute("SELECT id, title, status FROM tickets WHERE id = ?", (int(args["ticket_id"]),))
    return cur.fetchone()


def search_kb(args):
    cur = db().cursor()
    # ruleid: AIS302
    cur.execute(f"SELECT title, body FROM kb WHERE body LIKE '%{args['query']}%'")
    return cur.fetchall()


def run_diagnostic(args):
    name = args["command"]
    if name in SAFE_DIAGNOSTICS:
        # ok: AIS301
        return subprocess.run(SAFE_DIAGNOSTICS[name], capture_output=True, text=True).stdout
    # ruleid: AIS301
    return subprocess.run(name, shell=True, capture_output=True, text=True).stdout


def read_log(args):
    # ruleid: AIS304
    with open(args["path"], encoding="utf-8") as handle:
        return handle.read()[-4000:]


DISPATCH = {"lookup_ticket": lookup_ticket, "search_kb": search_kb, "run_diagnostic": run_diagnostic, "read_log": read_log}


def run_tools(response):
    outputs = []
    for item in response.output:
        if item.type != "function_call":
            continue
        handler = DISPATCH.get(item.name)
        if handler is None:
            continue
        # ok: AIS304
        args = json.loads(item.arguments)
        outputs.append({"type": "function_call_output", "call_id": item.call_id, "output": str(handler(args))})
    return outputs


@app.post("/assist")
def assist():
    body = request.get_json(force=True)
    persona = body.get("persona", "")
    question = body["question"]
    # ruleid: AIS201
    first = client.responses.create(
        model=MODEL,
        instructions=BASE_INSTRUCTIONS + " Persona: " + persona,
        input=question,
        tools=TOOLS,
    )
    outputs = run_tools(first)
    if not outputs:
        return jsonify(answer=first.output_text)
    final = client.responses.create(model=MODEL, previous_response_id=first.id, input=outputs)
    return jsonify(answer=final.output_text)


@app.post("/quick")
def quick():
    question = request.form["q"]
    # ok: AIS201
    reply = client.responses.create(model=MODEL, instructions=BASE_INSTRUCTIONS + TEAM_NOTE, input=question)
    # ok: AIS303
    return jsonify(answer=reply.output_text)


@app.post("/rewrite")
def rewrite():
    draft = request.form["draft"]
    tone = request.form.get("tone", "friendly")
    # ruleid: AIS202
    reply = client.responses.create(
        model=MODEL,
        input=f"Rewrite the customer reply below in a {tone} tone, keep ticket numbers:\n{draft}",
    )
    return jsonify(text=reply.output_text)


@app.get("/faq/<int:topic>")
def faq(topic):
    reply = client.responses.create(model=MODEL, input=f"Write a two-line FAQ answer for topic #{topic}.")
    # ruleid: AIS303
    banner = Markup("<div class='faq'>" + reply.output_text + "</div>")
    # ok: AIS303
    safe_banner = Markup("<div class='faq'>{}</div>").format(escape(reply.output_text))
    return jsonify(html=str(banner), safe=str(safe_banner))
