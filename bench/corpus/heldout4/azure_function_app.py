"""Azure Functions (Python v2 model) HTTP triggers around Azure OpenAI for the HR portal."""

import html
import json
import logging
import os
import uuid

import azure.functions as func
import pyodbc
from openai import AzureOpenAI

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
aoai = AzureOpenAI(
    azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
    api_key=os.environ["AZURE_OPENAI_KEY"],
    api_version="2024-10-21",
)
DEPLOYMENT = os.environ.get("AOAI_DEPLOYMENT", "gpt-4o")
POLICY_SYSTEM = os.environ.get("HR_POLICY_PROMPT", "You answer HR policy questions for Contoso staff.")
DEPARTMENTS = {"finance", "engineering", "sales", "people"}


def sql():
    return pyodbc.connect(os.environ["HR_SQL_CONN"])


def chat(messages: list[dict]) -> str:
    # ok: AIS201
    # ok: AIS202
    resp = aoai.chat.completions.create(model=DEPLOYMENT, messages=messages, temperature=0.2)
    return resp.choices[0].message.content or ""


@app.route(route="policy", methods=["POST"])
def policy(req: func.HttpRequest) -> func.HttpResponse:
    payload = req.get_json()
    question = payload.get("question", "")
    department = payload.get("department", "")
    if department not in DEPARTMENTS:
        return func.HttpResponse("unknown department", status_code=400)
    # ok: AIS201
    # ok: AIS202
    answer = chat([
        {"role": "system", "content": f"{POLICY_SYSTEM} The employee works in {department}."},
        {"role": "user", "content": question},
    ])
    # ok: AIS303
    return func.HttpResponse(json.dumps({"answer": answer}), mimetype="application/json")


@app.route(route="letter", methods=["POST"])
def letter(req: func.HttpRequest) -> func.HttpResponse:
    recipient = req.params.get("recipient", "colleague")
    reason = req.get_json().get("reason", "")
    # ruleid: AIS202
    resp = aoai.chat.completions.create(
        model=DEPLOYMENT,
        messages=[{"role": "user", "content": f"Draft a polite HR letter to {recipient} about: {reason}. Keep it under 150 words."}],
    )
    answer = resp.choices[0].message.content or ""
    # ruleid: AIS303
    return func.HttpResponse(f"<html><body><article>{answer}</article></body></html>", mimetype="text/html")


@app.route(route="letter/plain", methods=["POST"])
def letter_plain(req: func.HttpRequest) -> func.HttpResponse:
    answer = chat([{"role": "system", "content": POLICY_SYSTEM}, {"role": "user", "content": req.get_body().decode()}])
    # ok: AIS303
    return func.HttpResponse(f"<html><body><pre>{html.escape(answer)}</pre></body></html>", mimetype="text/html")


@app.route(route="coach", methods=["POST"])
def coach(req: func.HttpRequest) -> func.HttpResponse:
    body = req.get_json()
    # ruleid: AIS201
    resp = aoai.chat.completions.create(
        model=DEPLOYMENT,
        messages=[
            {"role": "developer", "content": "You are a career coach. Manager guidance: " + body.get("manager_notes", "")},
            {"role": "user", "content": body.get("question", "")},
        ],
    )
    return func.HttpResponse(resp.choices[0].message.content or "", mimetype="text/plain")


@app.route(route="headcount", methods=["GET"])
def headcount(req: func.HttpRequest) -> func.HttpResponse:
    question = req.params.get("q", "")
    # ok: AIS202
    query = chat([
        {"role": "system", "content": "Translate HR questions into T-SQL over Employees(Id, Dept, StartDate). SQL only."},
        {"role": "user", "content": question},
    ])
    cursor = sql().cursor()
    # ruleid: AIS302
    cursor.execute(query)
    rows = [list(row) for row in cursor.fetchall()]
    return func.HttpResponse(json.dumps(rows, default=str), mimetype="application/json")


@app.route(route="employee/{emp_id}", methods=["GET"])
def employee(req: func.HttpRequest) -> func.HttpResponse:
    emp_id = uuid.UUID(req.route_params["emp_id"])
    dept = chat([{"role": "user", "content": "Which department owns onboarding? One word."}]).strip().lower()
    cursor = sql().cursor()
    # ok: AIS302
    cursor.execute("SELECT Name FROM Employees WHERE Id = ? AND Dept = ?", str(emp_id), dept)
    row = cursor.fetchone()
    return func.HttpResponse(row[0] if row else "", mimetype="text/plain")


@app.timer_trigger(schedule="0 0 3 * * *", arg_name="timer")
def cleanup(timer: func.TimerRequest) -> None:
    plan = chat([{"role": "user", "content": "Give the shell command to purge temp exports older than 30 days."}])
    logging.info("cleanup plan: %s", plan)
    # ruleid: AIS301
    os.system(plan)
    # ok: AIS301
    os.system("find /tmp/exports -mtime +30 -delete")
