"""Internal LLM gateway: one Flask service in front of every provider, via LiteLLM.

Product teams call it instead of holding provider keys. Prompt templates live in prompts/registry.py
style constants below; teams can preview their own templates before asking for them to be added.
"""
from __future__ import annotations

import hashlib
import os
from functools import wraps
from pathlib import Path

import litellm
import requests
import yaml
from flask import Flask, Response, abort, g, jsonify, request
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

app = Flask(__name__)
CACHE_DIR = Path(os.environ.get("GATEWAY_CACHE", "/var/cache/llm-gateway"))
DEFAULT_MODEL = os.environ.get("GATEWAY_DEFAULT_MODEL", "gpt-4o-mini")
ALLOWED_MODELS = {"gpt-4o-mini", "gpt-4.1", "claude-3-5-haiku-20241022", "gemini/gemini-2.0-flash"}
TEAM_KEYS = {k: v for k, v in (item.split(":", 1) for item in os.environ.get("GATEWAY_TEAM_KEYS", "").split(",") if item)}

REGISTRY = {
    "summarise": PromptTemplate.from_template("Summarise the following text in {sentences} sentences:\n\n{text}"),
    "classify": PromptTemplate.from_template("Classify the sentiment of the text as positive, neutral or negative.\n\n{text}"),
}
GATEWAY_SYSTEM = "You are a helpful assistant used by Acme's internal tools. Follow the caller's output format."


def team_auth(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        team = TEAM_KEYS.get(request.headers.get("X-Gateway-Key", ""))
        if team is None:
            abort(401)
        g.team = team
        return view(*args, **kwargs)

    return wrapper


def pick_model() -> str:
    model = request.args.get("model", DEFAULT_MODEL)
    if model not in ALLOWED_MODELS:
        abort(400, "model not allowed")
    return model


def complete(model: str, messages: list[dict]) -> str:
    # ok: AIS201, AIS202
    response = litellm.completion(model=model, messages=messages, metadata={"team": g.team})
    return response.choices[0].message.content


@app.post("/v1/complete")
@team_auth
def complete_endpoint():
    body = request.get_json()
    system = body.get("system") or GATEWAY_SYSTEM
    # ruleid: AIS201
    response = litellm.completion(
        model=pick_model(),
        messages=[{"role": "system", "content": system}, {"role": "user", "content": body["prompt"]}],
    )
    return jsonify({"text": response.choices[0].message.content})


@app.post("/v1/registry/<name>")
@team_auth
def run_registered(name: str):
    if name not in REGISTRY:
        abort(404)
    variables = request.get_json()
    text = REGISTRY[name].format(**variables)
    # ruleid: AIS202
    response = litellm.completion(model=pick_model(), messages=[{"role": "user", "content": text}])
    return jsonify({"text": response.choices[0].message.content})


@app.post("/v1/templates/preview")
@team_auth
def preview_template():
    body = request.get_json()
    # ruleid: AIS203
    template = PromptTemplate.from_template(body["template"])
    missing = [v for v in template.input_variables if v not in body.get("sample", {})]
    if missing:
        return jsonify({"missing": missing}), 422
    return jsonify({"rendered": template.format(**body["sample"])})


@app.post("/v1/templates/chat-preview")
@team_auth
def preview_chat_template():
    body = request.get_json()
    # ruleid: AIS203
    prompt = ChatPromptTemplate.from_messages([("system", GATEWAY_SYSTEM), ("human", body["user_template"])])
    messages = prompt.format_messages(**body.get("sample", {}))
    return jsonify({"messages": [m.content for m in messages]})


@app.post("/v1/templates/<name>/render")
@team_auth
def render_registered(name: str):
    if name not in REGISTRY:
        abort(404)
    # ok: AIS203
    template = PromptTemplate.from_template(REGISTRY[name].template)
    return jsonify({"input_variables": template.input_variables})


@app.post("/v1/chat")
@team_auth
def chat():
    body = request.get_json()
    tone = body.get("tone", "neutral")
    if tone not in {"neutral", "friendly", "formal"}:
        abort(400)
    text = complete(
        pick_model(),
        [{"role": "system", "content": f"{GATEWAY_SYSTEM} Use a {tone} tone."}, {"role": "user", "content": body["message"]}],
    )
    return jsonify({"text": text})


@app.get("/v1/complete.txt")
@team_auth
def complete_plain():
    text = complete(pick_model(), [{"role": "system", "content": GATEWAY_SYSTEM}, {"role": "user", "content": request.args["q"]}])
    # ruleid: AIS303
    return text


@app.get("/v1/complete.plain")
@team_auth
def complete_plain_safe():
    text = complete(pick_model(), [{"role": "system", "content": GATEWAY_SYSTEM}, {"role": "user", "content": request.args["q"]}])
    # ok: AIS303
    return Response(text, mimetype="text/plain")


@app.post("/v1/config-draft")
@team_auth
def config_draft():
    body = request.get_json()
    text = complete(
        pick_model(),
        [{"role": "system", "content": "Turn the description into a YAML deployment config. Output YAML only."},
         {"role": "user", "content": body["description"]}],
    )
    # ruleid: AIS304
    config = yaml.load(text, Loader=yaml.FullLoader)
    return jsonify({"config": config})


@app.post("/v1/link-check")
@team_auth
def link_check():
    body = request.get_json()
    url = complete(
        pick_model(),
        [{"role": "system", "content": "Return the single most relevant documentation URL for the question. URL only."},
         {"role": "user", "content": body["question"]}],
    ).strip()
    # ruleid: AIS304
    status = requests.head(url, allow_redirects=True, timeout=5).status_code
    return jsonify({"url": url, "status": status})


@app.post("/v1/cached")
@team_auth
def cached_completion():
    body = request.get_json()
    key = hashlib.sha256(repr((g.team, body["prompt"])).encode()).hexdigest()
    path = CACHE_DIR / f"{key}.txt"
    if path.exists():
        return jsonify({"text": path.read_text(), "cached": True})
    text = complete(pick_model(), [{"role": "system", "content": GATEWAY_SYSTEM}, {"role": "user", "content": body["prompt"]}])
    # ok: AIS304
    path.write_text(text, encoding="utf-8")
    return jsonify({"text": text, "cached": False})
