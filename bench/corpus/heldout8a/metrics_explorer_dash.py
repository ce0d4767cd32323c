"""SRE metrics explorer: ask for charts in plain English, the model writes the query (Dash + OpenAI)."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess

import dash
import pandas as pd
import plotly.express as px
import requests
import sqlalchemy as sa
import yaml
from dash import Input, Output, State, dcc, html
from flask import jsonify, request
from openai import OpenAI

client = OpenAI()
MODEL = os.environ.get("EXPLORER_MODEL", "gpt-4.1")
engine = sa.create_engine(os.environ["METRICS_WAREHOUSE_URL"])
RUNBOOK_URL = os.environ.get("RUNBOOK_URL", "https://wiki.internal.example/sre/runbook.md")

SQL_SYSTEM = (
    "You translate questions into PostgreSQL over metrics(ts timestamptz, service text, metric text, value float8). "
    "Return only SQL."
)
CHART_KINDS = {"line": px.line, "bar": px.bar, "scatter": px.scatter}
SERVICE_RE = re.compile(r"[a-z][a-z0-9-]{1,40}")


def ask(system: str, user: str) -> str:
    resp = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        temperature=0,
    )
    return resp.choices[0].message.content.strip().strip("`")


app = dash.Dash(__name__, title="Metrics explorer")
server = app.server

app.layout = html.Div(
    [
        dcc.Textarea(id="question", style={"width": "100%"}),
        html.Button("Chart it", id="go"),
        dcc.Graph(id="chart"),
        html.Pre(id="sql"),
        html.Pre(id="answer"),
        dcc.Input(id="service", placeholder="service"),
        html.Button("Diagnose", id="diagnose"),
    ]
)


@app.callback(Output("chart", "figure"), Output("sql", "children"), Input("go", "n_clicks"), State("question", "value"))
def chart(_, question):
    if not question:
        raise dash.exceptions.PreventUpdate
    sql = ask(SQL_SYSTEM, question)
    # ruleid: AIS302
    frame = pd.read_sql(sql, engine)
    spec = json.loads(
        ask('Pick a chart for the data. Reply JSON {"kind": "line|bar|scatter", "x": col, "y": col}.', question)
    )
    plot = CHART_KINDS.get(spec.get("kind"), px.line)
    return plot(frame, x=spec.get("x"), y=spec.get("y")), sql


@app.callback(Output("answer", "children"), Input("diagnose", "n_clicks"), State("service", "value"))
def diagnose(_, service):
    if not service or not SERVICE_RE.fullmatch(service):
        raise dash.exceptions.PreventUpdate
    runbook = requests.get(RUNBOOK_URL, timeout=10).text
    # ruleid: AIS204
    # ok: AIS202
    notes = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "You are an SRE. Follow this runbook when diagnosing:\n" + runbook},
            {"role": "user", "content": f"Diagnose elevated latency for service {service}."},
        ],
    ).choices[0].message.content
    with engine.connect() as conn:
        # ok: AIS302
        rows = conn.execute(
            sa.text("SELECT metric, avg(value) FROM metrics WHERE service = :svc GROUP BY metric"), {"svc": service}
        ).all()
    metric_name = ask("Reply with the single most relevant metric name.", notes)
    with engine.connect() as conn:
        # ruleid: AIS302
        worst = conn.execute(sa.text(f"SELECT max(value) FROM metrics WHERE metric = '{metric_name}'")).scalar()
    return f"{notes}\n\nbaseline: {rows}\nworst {metric_name}: {worst}"


def derived_series(frame: pd.DataFrame, description: str) -> pd.Series:
    expr = ask("Write a single pandas expression over the DataFrame `df` computing the described series.", description)
    # ruleid: AIS301
    return eval(expr, {"df": frame, "pd": pd})


def threshold_for(description: str) -> float:
    raw = ask("Reply with only a number: a sensible alert threshold for the metric described.", description)
    # ok: AIS301
    return float(ast.literal_eval(raw))


def probe_command(service: str) -> str:
    cmd = ask("Write one shell command that checks the health endpoint of the service. Command only.", service)
    # ruleid: AIS301
    return os.popen(cmd).read()


def kubectl_logs(service: str) -> str:
    pod = ask("Reply with the Kubernetes deployment name for this service, nothing else.", service)
    # ruleid: AIS301
    out = subprocess.run(f"kubectl logs deploy/{pod} --tail=200", shell=True, capture_output=True, text=True)
    return out.stdout


def kubectl_logs_safe(service: str) -> str:
    pod = ask("Reply with the Kubernetes deployment name for this service, nothing else.", service)
    if not SERVICE_RE.fullmatch(pod):
        return ""
    # ok: AIS301
    out = subprocess.run(["kubectl", "logs", f"deploy/{pod}", "--tail=200"], capture_output=True, text=True)
    return out.stdout


def dashboard_spec(description: str) -> dict:
    raw = ask("Write a Grafana dashboard spec as YAML for the described panels.", description)
    # ruleid: AIS304
    return yaml.unsafe_load(raw)


def dashboard_spec_safe(description: str) -> dict:
    raw = ask("Write a Grafana dashboard spec as YAML for the described panels.", description)
    # ok: AIS304
    return yaml.load(raw, Loader=yaml.SafeLoader)


def export_panel(description: str, frame: pd.DataFrame) -> str:
    name = ask("Suggest a short file name for this panel export, ending in .csv.", description)
    # ruleid: AIS304
    frame.to_csv(os.path.join("/srv/explorer/exports", name), index=False)
    return name


def attach_dashboard(description: str) -> int:
    url = ask("Reply with the Grafana API URL to which this dashboard should be posted.", description)
    # ruleid: AIS304
    resp = requests.post(url, json=dashboard_spec_safe(description), timeout=10)
    return resp.status_code


@server.route("/api/explain")
def explain_api():
    """Plain Flask endpoint on the Dash server, used by the on-call bot."""
    team = request.args.get("team", "")
    question = request.args.get("q", "")
    # ruleid: AIS201
    answer = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": f"You are the on-call assistant for the {team} team. {SQL_SYSTEM}"},
            {"role": "user", "content": question},
        ],
    )
    return jsonify({"sql": answer.choices[0].message.content})


@server.route("/api/tools", methods=["POST"])
def tools_api():
    body = request.get_json(force=True)
    frame = pd.DataFrame(body.get("rows", []))
    tool = body.get("tool")
    if tool == "derive":
        return jsonify({"values": derived_series(frame, body["description"]).tolist()})
    if tool == "threshold":
        return jsonify({"threshold": threshold_for(body["description"])})
    if tool == "probe":
        return jsonify({"output": probe_command(body["service"])})
    if tool == "logs":
        return jsonify({"output": kubectl_logs(body["service"])})
    if tool == "logs-safe":
        return jsonify({"output": kubectl_logs_safe(body["service"])})
    if tool == "dashboard":
        return jsonify({"spec": dashboard_spec(body["description"])})
    if tool == "export":
        return jsonify({"file": export_panel(body["description"], frame)})
    if tool == "attach":
        return jsonify({"status": attach_dashboard(body["description"])})
    return jsonify({"error": "unknown tool"}), 400


if __name__ == "__main__":
    app.run(debug=False)
