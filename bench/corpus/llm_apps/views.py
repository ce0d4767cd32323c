# Annotated in semgrep style: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
import html
import shlex
import subprocess

import streamlit as st
import streamlit.components.v1 as components
from django.http import HttpResponse
from flask import Flask, request
from mako.template import Template
from openai import OpenAI

client = OpenAI()
app = Flask(__name__)


def ask(question):
    resp = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": question}])
    return resp.choices[0].message.content


def answer_view(req):
    # ruleid: AIS303
    return HttpResponse(ask(req.GET["q"]))


def escaped_view(req):
    # ok: AIS303
    return HttpResponse(html.escape(ask(req.GET["q"])))


def dashboard():
    # ruleid: AIS303
    components.html(ask("Summarise today's tickets as HTML"))
    # ruleid: AIS303
    st.markdown(ask("Summarise"), unsafe_allow_html=True)
    # ok: AIS303
    st.markdown(ask("Summarise"))


def greeting(name):
    # ruleid: AIS301
    return Template(ask("Write a greeting template")).render(user=name)


def safe_greeting(name):
    # ok: AIS301
    return Template("Hello ${text}").render(text=ask(f"greet {name}"))


def run_tool(goal):
    command = ask(goal)
    # ruleid: AIS301
    subprocess.run(command, shell=True)
    # ruleid: AIS301
    subprocess.run(shlex.split(command))
    # ok: AIS301
    subprocess.run(["echo", shlex.quote(command)])


@app.post("/chat")
def chat():
    system = request.json["persona"]
    messages = [{"role": "system", "content": system}, {"role": "user", "content": "hi"}]
    # ruleid: AIS201, AIS303
    return client.chat.completions.create(model="gpt-4o", messages=messages).choices[0].message.content


@app.post("/ask")
def ask_route():
    # ok: AIS201, AIS202
    # ruleid: AIS303
    return client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": request.json["q"]}],
    ).choices[0].message.content
