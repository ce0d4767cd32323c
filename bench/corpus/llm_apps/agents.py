# Annotated in semgrep style: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
import os
import sqlite3
import subprocess

import markdown
import requests
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from flask import Flask, request
from langchain_core.prompts import PromptTemplate
from langchain_core.tools import tool
from openai import OpenAI

client = OpenAI()
api = FastAPI()
app = Flask(__name__)


@tool
def run_shell(command: str) -> str:
    """Run a shell command."""
    # ruleid: AIS301
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout


@tool
def lookup(table: str) -> list:
    """Read a table."""
    # ruleid: AIS302
    return sqlite3.connect("app.db").execute(f"SELECT * FROM {table}").fetchall()


@tool
def read_doc(path: str) -> str:
    """Read a document."""
    # ruleid: AIS304
    return open(path).read()


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    # ok: AIS301
    return eval(f"{a} + {b}")


def summarise(text):
    out = client.responses.create(model="gpt-4.1", input=f"Summarise: {text}")
    return out.output_text


@api.get("/summary", response_class=HTMLResponse)
def summary(doc: str):
    # ruleid: AIS303
    return HTMLResponse(markdown.markdown(summarise(doc)))


@app.get("/summary")
def flask_summary():
    # ruleid: AIS303
    return f"<div>{summarise(request.args['doc'])}</div>"


@app.post("/persona")
def persona():
    # ruleid: AIS203
    template = PromptTemplate.from_template(request.json["template"])
    return template.format(question="hi")


@app.post("/ask")
def ask():
    question = request.json["q"]
    prompt = f"You are a support bot. Answer only about billing. Question: {question}"
    # a Flask view's string return is served as text/html
    # ruleid: AIS202, AIS303
    return client.responses.create(model="gpt-4.1", input=prompt).output_text


def brief(url):
    page = requests.get(url).text
    # ruleid: AIS204
    return client.responses.create(model="gpt-4.1", instructions=page, input="Summarise").output_text


def safe_brief():
    # ok: AIS201, AIS204
    return client.responses.create(model="gpt-4.1", instructions=os.environ["BRIEF"], input="Go").output_text
