"""Prompt lab: internal Flask app where PMs iterate on prompt templates and agents.

Flask + LangChain (PromptTemplate / ChatPromptTemplate, ChatOpenAI) + pydantic-ai.
Reachable by everyone on the corporate SSO, including contractors.
"""
from __future__ import annotations

import html
import os
import re

import pandas as pd
from flask import Flask, abort, jsonify, render_template, render_template_string, request
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain.agents import AgentExecutor, create_tool_calling_agent
from langchain_experimental.agents import create_pandas_dataframe_agent
from langchain_experimental.tools import PythonREPLTool
from langchain_openai import ChatOpenAI
from markupsafe import Markup, escape
from pydantic_ai import Agent

app = Flask(__name__)
llm = ChatOpenAI(model="gpt-4o-mini", temperature=0.3)
parser = StrOutputParser()

SAVED_TEMPLATES = {
    "summary": "Summarise the following text in {n} bullet points:\n\n{text}",
    "tweet": "Write a tweet (max 280 chars) announcing: {text}",
    "faq": "Turn the text into 5 FAQ entries:\n\n{text}",
}
DEFAULT_SYSTEM = os.environ.get("LAB_DEFAULT_SYSTEM", "You are a careful copy editor.")
NAME_RE = re.compile(r"[a-z_]{1,32}")


def run_template(template_text: str, variables: dict) -> str:
    # ruleid: AIS203
    prompt = PromptTemplate.from_template(template_text)
    return (prompt | llm | parser).invoke(variables)


@app.post("/lab/run")
def lab_run():
    data = request.get_json()
    output = run_template(data["template"], data.get("variables", {}))
    return jsonify({"output": output})


@app.post("/lab/saved/<name>")
def lab_saved(name: str):
    if name not in SAVED_TEMPLATES:
        abort(404)
    # ok: AIS203
    prompt = PromptTemplate.from_template(SAVED_TEMPLATES[name])
    text = request.form["text"]
    # ruleid: AIS202
    out = (prompt | llm | parser).invoke({"text": text, "n": int(request.form.get("n", 3))})
    return jsonify({"output": out})


@app.post("/lab/default")
def lab_default():
    # ok: AIS201
    # ok: AIS203
    prompt = ChatPromptTemplate.from_messages([("system", DEFAULT_SYSTEM), ("human", "{text}")])
    # ok: AIS202
    out = (prompt | llm | parser).invoke({"text": request.form["text"]})
    return jsonify({"output": out})


@app.post("/lab/jinja")
def lab_jinja():
    body = request.get_json()
    # ruleid: AIS203
    prompt = PromptTemplate(template=body["template"], input_variables=["text"], template_format="jinja2")
    return jsonify({"output": (prompt | llm | parser).invoke({"text": body["text"]})})


@app.post("/lab/chat")
def lab_chat():
    body = request.get_json()
    system_text = body.get("system", "You are a helpful assistant.")
    # ruleid: AIS201
    prompt = ChatPromptTemplate.from_messages([("system", system_text), ("human", "{question}")])
    return jsonify({"output": (prompt | llm | parser).invoke({"question": body["question"]})})


@app.post("/lab/chat-safe")
def lab_chat_safe():
    body = request.get_json()
    # ok: AIS201
    # ok: AIS203
    prompt = ChatPromptTemplate.from_messages([("system", "You are a concise assistant for the product team."), ("human", "{question}")])
    # ok: AIS202
    out = (prompt | llm | parser).invoke({"question": body["question"]})
    return jsonify({"output": out})


@app.post("/lab/human-template")
def lab_human_template():
    body = request.get_json()
    # ruleid: AIS203
    prompt = ChatPromptTemplate.from_template(body["human_template"])
    return jsonify({"output": (prompt | llm | parser).invoke(body.get("variables", {}))})


@app.post("/lab/fill")
def lab_fill():
    pattern = request.form["pattern"]
    name = request.form.get("variable", "text")
    if not NAME_RE.fullmatch(name):
        abort(400)
    # ok: AIS203
    prompt = PromptTemplate(template="Rewrite in plain English:\n{" + name + "}", input_variables=[name])
    # ruleid: AIS203
    filled = pattern % {"text": request.form["text"]}
    # ruleid: AIS202
    out = (prompt | llm | parser).invoke({name: filled})
    return jsonify({"output": out})


@app.post("/agents/run")
def agents_run():
    body = request.get_json()
    # ruleid: AIS201
    agent = Agent("openai:gpt-4o-mini", system_prompt=["You are a lab agent.", body.get("persona", "")])
    result = agent.run_sync(body["task"])
    return jsonify({"output": result.output})


@app.post("/agents/fixed")
def agents_fixed():
    body = request.get_json()
    agent = Agent("openai:gpt-4o-mini", instructions="Answer product questions briefly.")
    # ok: AIS202
    result = agent.run_sync(body["task"])
    return jsonify({"output": result.output})


@app.post("/agents/data")
def agents_data():
    upload = request.files["csv"]
    df = pd.read_csv(upload)
    # ruleid: AIS301
    agent = create_pandas_dataframe_agent(llm, df, allow_dangerous_code=True, verbose=False)
    answer = agent.invoke({"input": request.form["question"]})
    return jsonify({"output": answer["output"]})


@app.post("/agents/calc")
def agents_calc():
    body = request.get_json()
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Use the Python tool for any arithmetic."), ("human", "{input}"), ("placeholder", "{agent_scratchpad}")]
    )
    # ruleid: AIS301
    tools = [PythonREPLTool()]
    executor = AgentExecutor(agent=create_tool_calling_agent(llm, tools, prompt), tools=tools)
    return jsonify({"output": executor.invoke({"input": body["question"]})["output"]})


@app.get("/preview/card")
def preview_card():
    topic = request.args.get("topic", "")
    card = (ChatPromptTemplate.from_messages([("system", "Write an HTML card for the topic."), ("human", "{t}")]) | llm | parser).invoke({"t": topic})
    # ruleid: AIS303
    return render_template("card.html", card=Markup(card))


@app.get("/preview")
def preview():
    topic = request.args.get("topic", "")
    msg = llm.invoke([("system", "Write an HTML snippet (one <div>) teasing the topic."), ("human", topic)])
    # ruleid: AIS303
    return render_template_string("<html><body>{{ snippet|safe }}</body></html>", snippet=msg.content)


@app.get("/preview/escaped")
def preview_escaped():
    topic = request.args.get("topic", "")
    msg = llm.invoke([("system", "Write a one-line teaser for the topic."), ("human", topic)])
    # ok: AIS303
    return jsonify({"teaser": msg.content, "topic": topic})


@app.get("/preview/raw")
def preview_raw():
    topic = request.args.get("topic", "")
    teaser = llm.invoke([("system", "Write a one-line teaser for the topic."), ("human", topic)]).content
    # ruleid: AIS303
    return f"<html><body><h1>Preview</h1><p>{teaser}</p></body></html>"


@app.get("/preview/page")
def preview_page():
    topic = request.args.get("topic", "")
    teaser = llm.invoke([("system", "Write a one-line teaser for the topic."), ("human", topic)]).content
    # ok: AIS303
    return f"<html><body><p>{escape(teaser)}</p><p>{html.escape(topic)}</p></body></html>"


@app.get("/preview/template")
def preview_template():
    topic = request.args.get("topic", "")
    teaser = llm.invoke([("system", "Write a one-line teaser for the topic."), ("human", topic)]).content
    # ok: AIS303
    return render_template("preview.html", teaser=teaser, topic=topic)
