"""AIS301-AIS304 (model output reaching dangerous sinks): per sink family a positive and a
look-alike, every SDK's response accessors, second-order flows through `self` attributes and
helpers, the framework helpers flagged without a flow, messages, and the prefilter.

Expected findings are written into the code: a line ending in `# <- AIS301` (several codes
separated by commas) must be reported with exactly those codes, and no other line may be.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import pytest
from aisec.hooks import Rule, Severity
from aisec.pluginmanager import load_plugins
from aisec.prefilter import rules_for_text
from aisec.testing import check_source, default_catalog

ALL_RULES = load_plugins(entry_points=False).rules
RULES: list[type[Rule]] = [rule for code, rule in sorted(ALL_RULES.items()) if code.startswith("AIS3")]
MARK = re.compile(r"#\s*<-\s*(AIS\d{3}(?:\s*,\s*AIS\d{3})*)")


def expected(source: str) -> list[tuple[str, int]]:
    found = []
    for number, line in enumerate(source.splitlines(), 1):
        match = MARK.search(line)
        if match:
            found += [(code.strip(), number) for code in match.group(1).split(",")]
    return sorted(found)


def scan(source: str) -> list[Any]:
    return check_source(RULES, textwrap.dedent(source))


def check(source: str) -> None:
    source = textwrap.dedent(source)
    findings = check_source(RULES, source)
    got = sorted((f.code, f.location.line) for f in findings)
    assert got == expected(source), "\n".join(f"{f.code} {f.location.line}: {f.message}" for f in findings)


# ----- every SDK's response reaches a sink through its usual accessor -----

SDKS = {
    "azure-watsonx-replicate-local": """
        import os
        import replicate
        from azure.ai.inference import ChatCompletionsClient
        from ibm_watsonx_ai.foundation_models import ModelInference
        from llama_cpp import Llama
        from gpt4all import GPT4All
        os.system(ChatCompletionsClient(endpoint="e", credential=None).complete(messages=[]).choices[0].message.content)  # <- AIS301
        os.system(ModelInference(model_id="m").generate_text(prompt="x"))  # <- AIS301
        os.system("".join(replicate.run("meta/llama", input={"prompt": "x"})))  # <- AIS301
        llm = Llama(model_path="m.gguf")
        os.system(llm("x")["choices"][0]["text"])  # <- AIS301
        os.system(GPT4All("m.gguf").generate("x"))  # <- AIS301
        os.system(Llama.__doc__)
    """,
    "outlines-and-agno": """
        import outlines
        from agno.agent import Agent
        def run(model):
            generator = outlines.generate.text(model)
            exec(generator("Write Python"))  # <- AIS301
            exec(Agent(instructions=["Write Python"]).run("Go").content)  # <- AIS301
            exec(outlines.generate.text.__doc__)
    """,
    "streaming-helpers": """
        import os
        import anthropic
        from openai import OpenAI
        claude = anthropic.Anthropic()
        client = OpenAI()
        def run(task):
            parts = []
            with claude.messages.stream(model="m", max_tokens=99, messages=[{"role": "user", "content": task}]) as stream:
                for text in stream.text_stream:
                    parts.append(text)
                final = stream.get_final_message()
            os.system("".join(parts))  # <- AIS301
            os.system(final.content[0].text)  # <- AIS301
            with client.responses.stream(model="m", input=task) as events:
                os.system(events.get_final_response().output_text)  # <- AIS301
            os.system(str(claude.messages.count_tokens(model="m", messages=[]).input_tokens))
    """,
    "fireworks-legacy": """
        import fireworks.client
        resp = fireworks.client.ChatCompletion.create(model="m", messages=[])
        exec(resp.choices[0].message.content)  # <- AIS301
    """,
    "agent-frameworks": """
        import os
        from smolagents import CodeAgent, InferenceClientModel
        from autogen_agentchat.agents import AssistantAgent
        async def run():
            os.system(CodeAgent(tools=[], model=InferenceClientModel(), executor_type="docker").run("List the files"))  # <- AIS301
            result = await AssistantAgent("a", model_client=None).run(task="Write a command")
            os.system(result.messages[-1].content)  # <- AIS301
            os.system(AssistantAgent("b", model_client=None).name)
    """,
    "dspy": """
        import os
        import dspy
        def run(q):
            qa = dspy.ChainOfThought("question -> command")
            pred = qa(question=q)
            os.system(pred.command)  # <- AIS301
            os.system(dspy.Signature("question -> command").instructions)
    """,
    "semantic-kernel": """
        import os
        from semantic_kernel import Kernel
        from semantic_kernel.connectors.ai.open_ai import OpenAIChatCompletion
        async def run(history, settings):
            os.system(str(await Kernel().invoke_prompt("Write a shell command")))  # <- AIS301
            reply = await OpenAIChatCompletion().get_chat_message_content(chat_history=history, settings=settings)
            os.system(reply.content)  # <- AIS301
            os.system(OpenAIChatCompletion().ai_model_id)
    """,
    "openai-chat": """
        from openai import OpenAI
        client = OpenAI()
        resp = client.chat.completions.create(model="gpt-4o", messages=[])
        exec(resp.choices[0].message.content)  # <- AIS301
    """,
    "openai-responses": """
        import openai
        client = openai.AsyncOpenAI()
        async def run():
            resp = await client.responses.create(model="gpt-4.1", input="x")
            eval(resp.output_text)  # <- AIS301
    """,
    "openai-tool-call": """
        import json, os
        from openai import OpenAI
        client = OpenAI()
        resp = client.chat.completions.create(model="gpt-4o", messages=[], tools=[])
        for call in resp.choices[0].message.tool_calls:
            args = json.loads(call.function.arguments)
            os.system(args["command"])  # <- AIS301
    """,
    "anthropic": """
        import anthropic
        client = anthropic.Anthropic()
        msg = client.messages.create(model="claude", max_tokens=10, messages=[])
        exec(msg.content[0].text)  # <- AIS301
    """,
    "google-genai": """
        from google import genai
        client = genai.Client()
        exec(client.models.generate_content(model="gemini", contents="x").text)  # <- AIS301
    """,
    "google-genai-streams": """
        from google import genai
        from markupsafe import Markup
        client = genai.Client()

        async def preview():
            chunks = []
            stream = await client.aio.models.generate_content_stream(model="gemini", contents="x")
            async for chunk in stream:
                chunks.append(chunk.text or "")
            page = Markup("".join(chunks))  # <- AIS303
            for part in client.models.generate_content_stream(model="gemini", contents="x"):
                exec(part.text)  # <- AIS301
            for reply in client.chats.create(model="gemini").send_message_stream("x"):
                exec(reply.text)  # <- AIS301
            exec(client.models.count_tokens(model="gemini", contents="x").total_tokens)
            return page
    """,
    "cohere": """
        import cohere
        co = cohere.ClientV2()
        resp = co.chat(model="command-r", messages=[])
        exec(resp.message.content[0].text)  # <- AIS301
    """,
    "mistral": """
        from mistralai import Mistral
        client = Mistral(api_key="k")
        resp = client.chat.complete(model="mistral-small", messages=[])
        exec(resp.choices[0].message.content)  # <- AIS301
    """,
    "litellm": """
        import litellm
        resp = litellm.completion(model="gpt-4o", messages=[])
        exec(resp.choices[0].message.content)  # <- AIS301
    """,
    "ollama": """
        import ollama
        reply = ollama.chat(model="llama3", messages=[])
        exec(reply["message"]["content"])  # <- AIS301
    """,
    "bedrock": """
        import boto3
        client = boto3.client("bedrock-runtime")
        resp = client.converse(modelId="m", messages=[])
        exec(resp["output"]["message"]["content"][0]["text"])  # <- AIS301
    """,
    "langchain": """
        from langchain_anthropic import ChatAnthropic
        llm = ChatAnthropic(model="claude")
        exec(llm.invoke("write code").content)  # <- AIS301
    """,
    "langchain-chain": """
        from langchain_core.output_parsers import StrOutputParser
        def run(prompt, llm, question):
            chain = prompt | llm | StrOutputParser()
            exec(chain.invoke({"question": question}))  # <- AIS301
    """,
    "langchain-pipe-ending-in-a-parser": """
        from langchain_core.output_parsers import JsonOutputParser, StrOutputParser
        from langchain_core.prompts import PromptTemplate
        from langchain_openai import ChatOpenAI
        llm = ChatOpenAI(model="m")
        prompt = PromptTemplate.from_template("Write code for {task}")
        exec((prompt | llm | StrOutputParser()).invoke({"task": "x"}))  # <- AIS301
        exec((prompt | llm | JsonOutputParser()).invoke({"task": "x"})["code"])  # <- AIS301
        exec((prompt | StrOutputParser()).invoke({"task": "x"}))
    """,
    "llama-index": """
        from llama_index.core import VectorStoreIndex
        index = VectorStoreIndex.from_documents([])
        exec(index.as_query_engine().query("x").response)  # <- AIS301
    """,
    "transformers": """
        from transformers import pipeline
        pipe = pipeline("text-generation")
        exec(pipe("x")[0]["generated_text"])  # <- AIS301
    """,
    "vllm": """
        from vllm import LLM
        llm = LLM("m")
        exec(llm.generate(["x"])[0].outputs[0].text)  # <- AIS301
    """,
    "hf-inference": """
        from huggingface_hub import InferenceClient
        client = InferenceClient()
        exec(client.text_generation("x"))  # <- AIS301
    """,
}


@pytest.mark.parametrize("sdk", sorted(SDKS))
def test_every_sdk_response_is_model_output(sdk: str) -> None:
    check(SDKS[sdk])


# ----- sink families: positives and look-alikes -----

CASES = {
    "deserialize-loaders-and-notebook-cells": """
        import joblib
        import pickle
        import shelve
        import torch
        from IPython import get_ipython
        from openai import OpenAI
        client = OpenAI()
        path = client.responses.create(model="m", input="x").output_text
        torch.load(path)  # <- AIS304
        joblib.load(path)  # <- AIS304
        shelve.open(path)  # <- AIS304
        with open("cache.pkl", "rb") as handle:
            pickle.load(handle)
        torch.load(path, weights_only=True)
        torch.load("checkpoints/model.pt")
        get_ipython().run_cell(path)  # <- AIS301
        get_ipython().run_cell("print(1)")
    """,
    "url-browsers-and-tortoise-sql": """
        from playwright.async_api import async_playwright
        from selenium import webdriver
        from tortoise import Tortoise
        from openai import OpenAI
        client = OpenAI()
        async def browse():
            url = client.responses.create(model="m", input="x").output_text
            async with async_playwright() as p:
                browser = await p.chromium.launch()
                page = await browser.new_page()
                await page.goto(url)  # <- AIS304
                await page.goto("https://example.com")
            driver = webdriver.Chrome()
            driver.get(url)  # <- AIS304
            driver.get("https://example.com")
            conn = Tortoise.get_connection("default")
            await conn.execute_query(url)  # <- AIS302
            await conn.execute_query("SELECT * FROM t WHERE u = $1", [url])
    """,
    "exec-remote-shells": """
        import shlex
        import paramiko
        import pexpect
        from fabric import Connection
        from openai import OpenAI
        client = OpenAI()
        cmd = client.responses.create(model="m", input="x").output_text
        paramiko.SSHClient().exec_command(cmd)  # <- AIS301
        Connection("host").run(cmd)  # <- AIS301
        Connection("host").sudo(f"systemctl restart {cmd}")  # <- AIS301
        pexpect.spawn(cmd)  # <- AIS301
        pexpect.run(cmd)  # <- AIS301
        paramiko.SSHClient().exec_command("uptime")
        Connection("host").run("ls " + shlex.quote(cmd))
        pexpect.spawn("ssh", [cmd])
    """,
    "exec-evaluators": """
        import runpy
        import numexpr
        import pandas as pd
        import sympy
        from openai import OpenAI
        client = OpenAI()
        expr = client.responses.create(model="m", input="x").output_text
        df = pd.read_csv("sales.csv")
        runpy.run_path(expr)  # <- AIS301
        runpy.run_module(expr)  # <- AIS301
        df.query(expr)  # <- AIS301
        df.eval(expr)  # <- AIS301
        pd.eval(expr)  # <- AIS301
        numexpr.evaluate(expr)  # <- AIS301
        sympy.sympify(expr)  # <- AIS301
        sympy.parse_expr(expr)  # <- AIS301
        df.query("amount > 100")
        df[expr]
        runpy.run_path("scripts/report.py")
        sympy.Symbol(expr)
    """,
    "sql-more-drivers": """
        import databases
        from neo4j import GraphDatabase
        from snowflake.snowpark import Session
        from sqlmodel import Session as DBSession, text
        from openai import OpenAI
        client = OpenAI()
        database = databases.Database("postgresql://x")
        query = client.responses.create(model="m", input="x").output_text
        async def run(engine):
            Session.builder.getOrCreate().sql(query)  # <- AIS302
            await database.fetch_all(query=query)  # <- AIS302
            await database.fetch_all(query="SELECT * FROM t WHERE name = :name", values={"name": query})
            with GraphDatabase.driver("neo4j://x").session() as session:
                session.run(f"MATCH (n) WHERE n.name = '{query}' RETURN n")  # <- AIS302
                session.run("MATCH (n {name: $name}) RETURN n", name=query)
            with DBSession(engine) as db:
                db.exec(text(query))  # <- AIS302
                db.exec(text("SELECT * FROM t WHERE name = :n"), params={"n": query})
    """,
    "html-ui-frameworks": """
        import panel as pn
        import reflex as rx
        from dash import dcc, html
        from nicegui import ui
        from openai import OpenAI
        client = OpenAI()
        answer = client.responses.create(model="m", input="x").output_text
        ui.html(answer)  # <- AIS303
        panel = ui.html("<p>Waiting</p>")
        panel.set_content(answer)  # <- AIS303
        ui.label("Waiting").set_text(answer)
        pn.pane.HTML(answer)  # <- AIS303
        rx.html(answer)  # <- AIS303
        dcc.Markdown(answer, dangerously_allow_html=True)  # <- AIS303
        html.Iframe(srcDoc=answer)  # <- AIS303
        ui.label(answer)
        ui.markdown("**Answer**")
        pn.pane.Str(answer)
        rx.text(answer)
        dcc.Markdown(answer)
        dcc.Markdown(answer, dangerously_allow_html=False)
        html.Div(answer)
        html.Iframe(src="https://example.com")
    """,
    "exec-shell-true": """
        import subprocess
        from openai import OpenAI
        client = OpenAI()
        cmd = client.responses.create(model="m", input="x").output_text
        subprocess.run(cmd, shell=True)  # <- AIS301
        subprocess.Popen(["bash", "-c", cmd])  # <- AIS301
        subprocess.check_output(["ls", "-1"])
    """,
    "exec-compile-pty": """
        import pty
        from openai import OpenAI
        client = OpenAI()
        code = client.responses.create(model="m", input="x").output_text
        compile(code, "<llm>", "exec")  # <- AIS301
        pty.spawn(code)  # <- AIS301
    """,
    "exec-lookalikes": """
        import ast, os, shlex, subprocess
        from openai import OpenAI
        client = OpenAI()
        text = client.responses.create(model="m", input="x").output_text
        ast.literal_eval(text)
        os.system("say " + shlex.quote(text))
        subprocess.run(["git", "status"])
        if text in {"uptime", "df"}:
            os.system(text)
        eval("1 + 1")
    """,
    "sql": """
        import sqlite3
        import pandas as pd
        from sqlalchemy import text
        from openai import OpenAI
        client = OpenAI()
        conn = sqlite3.connect("a.db")
        sql = client.responses.create(model="m", input="x").output_text
        conn.execute(sql)  # <- AIS302
        conn.cursor().executemany(sql, [])  # <- AIS302
        conn.executescript(f"BEGIN; {sql}; COMMIT;")  # <- AIS302
        pd.read_sql_query(sql, conn)  # <- AIS302
        def run(engine):
            with engine.connect() as c:
                c.execute(text(sql))  # <- AIS302
                c.exec_driver_sql(sql)  # <- AIS302
    """,
    "sql-lookalikes": """
        import sqlite3
        from openai import OpenAI
        client = OpenAI()
        conn = sqlite3.connect("a.db")
        name = client.responses.create(model="m", input="x").output_text
        conn.execute("SELECT * FROM t WHERE name = ?", (name,))
        conn.execute("INSERT INTO log VALUES (:a)", {"a": name})
        conn.execute(f"SELECT * FROM t LIMIT {int(name)}")
        conn.execute("SELECT 1")
    """,
    "sql-django": """
        from django.db.models.expressions import RawSQL
        from openai import OpenAI
        from .models import Order
        client = OpenAI()
        clause = client.responses.create(model="m", input="x").output_text
        Order.objects.raw("SELECT * FROM o WHERE " + clause)  # <- AIS302
        Order.objects.extra(where=[clause])  # <- AIS302
        Order.objects.annotate(x=RawSQL(clause, []))  # <- AIS302
        Order.objects.filter(name=clause)
    """,
    "html": """
        import streamlit as st
        from flask import render_template_string
        from markupsafe import Markup
        from django.utils.safestring import mark_safe
        from starlette.responses import HTMLResponse
        import gradio as gr
        from openai import OpenAI
        client = OpenAI()
        answer = client.responses.create(model="m", input="x").output_text
        st.markdown(answer, unsafe_allow_html=True)  # <- AIS303
        st.write(answer, unsafe_allow_html=True)  # <- AIS303
        Markup(f"<p>{answer}</p>")  # <- AIS303
        mark_safe(answer)  # <- AIS303
        render_template_string(answer)  # <- AIS301
        HTMLResponse(answer)  # <- AIS303
        gr.HTML(answer)  # <- AIS303
    """,
    "html-lookalikes": """
        import html
        import bleach
        import nh3
        import streamlit as st
        from markupsafe import Markup, escape
        from django.utils.html import format_html
        from openai import OpenAI
        client = OpenAI()
        answer = client.responses.create(model="m", input="x").output_text
        st.markdown(answer)
        st.write(answer)
        st.markdown(html.escape(answer), unsafe_allow_html=True)
        Markup(f"<p>{escape(answer)}</p>")
        Markup(bleach.clean(answer))
        Markup(nh3.clean(answer))
        format_html("<p>{}</p>", answer)
    """,
    "unsafe-use": """
        import importlib, pickle, base64
        from pathlib import Path
        import requests, httpx, yaml
        from openai import OpenAI
        import tools
        client = OpenAI()
        out = client.responses.create(model="m", input="x").output_text
        pickle.loads(base64.b64decode(out))  # <- AIS304
        yaml.unsafe_load(out)  # <- AIS304
        open(out, "w")  # <- AIS304
        Path("exports") / out
        Path(out).write_text("x")  # <- AIS304
        requests.post(out, json={})  # <- AIS304
        httpx.Client().get(out)  # <- AIS304
        importlib.import_module(out)  # <- AIS304
        getattr(tools, out)()  # <- AIS304
    """,
    "unsafe-use-lookalikes": """
        import json, yaml, requests
        from urllib.parse import quote
        from openai import OpenAI
        import tools
        client = OpenAI()
        TOOLS = ("search", "weather")
        out = client.responses.create(model="m", input="x").output_text
        yaml.safe_load(out)
        json.loads(out)
        open("answer.txt", "w").write(out)
        requests.post("https://api.example.com/notes", json={"text": out})
        requests.get(f"https://api.example.com/search/{out}")
        requests.get("https://api.example.com/q?" + quote(out))
        if out in TOOLS:
            getattr(tools, out)()
        getattr(tools, "search")(out)
    """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_sink_families(name: str) -> None:
    check(CASES[name])


# ----- second-order flows: stored, then used in another function of the module -----

SECOND_ORDER = {
    "self-attribute-sql": """
        import sqlite3
        from openai import OpenAI
        class Agent:
            def __init__(self):
                self.client = OpenAI()
                self.conn = sqlite3.connect("a.db")
                self.last_sql = ""
            def plan(self, question):
                resp = self.client.chat.completions.create(model="m", messages=[{"role": "user", "content": question}])
                self.last_sql = resp.choices[0].message.content
            def run(self):
                return self.conn.execute(self.last_sql).fetchall()  # <- AIS302
            def log(self):
                self.conn.execute("INSERT INTO log VALUES (?)", (self.last_sql,))
    """,
    "helper-return-exec": """
        import subprocess
        import anthropic
        client = anthropic.Anthropic()
        def ask(question):
            msg = client.messages.create(model="c", max_tokens=50, messages=[{"role": "user", "content": question}])
            return msg.content[0].text
        def fix_disk():
            subprocess.run(ask("command to free disk space"), shell=True)  # <- AIS301
        def show():
            print(ask("hello"))
    """,
    "helper-parameter-sink": """
        import os
        import ollama
        def run_command(command):
            os.system(command)
        def main():  # reported where the model output is passed to the helper
            reply = ollama.generate(model="llama3", prompt="a shell command")
            run_command(reply["response"])  # <- AIS301
            run_command("ls")
    """,
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_order_flows(name: str) -> None:
    check(SECOND_ORDER[name])


# ----- framework helpers flagged without a flow -----


def test_framework_helpers() -> None:
    check(
        """
        import pandas as pd
        from langchain_experimental.tools import PythonREPLTool, PythonAstREPLTool
        from langchain_experimental.agents import create_pandas_dataframe_agent
        from langchain_experimental.pal_chain import PALChain
        from llama_index.experimental.query_engine import PandasQueryEngine
        def build(llm, df):
            tools = [PythonREPLTool(), PythonAstREPLTool(locals={"df": df})]  # <- AIS301, AIS301
            create_pandas_dataframe_agent(llm, df, allow_dangerous_code=True)  # <- AIS301
            create_pandas_dataframe_agent(llm, df)
            PALChain.from_math_prompt(llm)  # <- AIS301
            PandasQueryEngine(df=df)  # <- AIS301
            return tools
        """
    )


def test_sql_database_chain_is_info_unless_read_only() -> None:
    code = """
        from langchain_community.utilities import SQLDatabase
        from langchain_experimental.sql import SQLDatabaseChain
        def chain(llm):
            db = SQLDatabase.from_uri("sqlite:///app.db")
            return SQLDatabaseChain.from_llm(llm, db)
    """
    (finding,) = scan(code)
    assert finding.code == "AIS301" and finding.severity == Severity.INFO
    assert not scan(code.replace("sqlite:///app.db", "sqlite:///file:app.db?mode=ro&uri=true"))


def test_own_classes_with_helper_names_are_not_flagged() -> None:
    assert not scan(
        """
        class PythonREPLTool:
            pass
        PythonREPLTool()
        """
    )


# ----- messages, severities, dedup -----


def test_message_names_the_llm_call_line_and_the_sink() -> None:
    (finding,) = scan(
        """
        import sqlite3
        from openai import OpenAI
        client = OpenAI()
        sql = client.responses.create(model="m", input="x").output_text
        sqlite3.connect("a.db").execute(sql)
        """
    )
    assert finding.code == "AIS302"
    assert 'client.responses.create(model="m", input="x")' in finding.message
    assert "line 5" in finding.message and "OpenAI response" in finding.message
    assert "execute" in finding.message


def test_argument_lists_whose_program_runs_its_arguments_are_medium() -> None:
    findings = scan(
        """
        import subprocess
        from openai import OpenAI
        client = OpenAI()
        name = client.responses.create(model="m", input="x").output_text
        subprocess.run(["git", "checkout", name])
        subprocess.run(name, shell=True)
        subprocess.run(["/usr/bin/xargs", name])
        subprocess.run(("pip", "install", name))
        subprocess.run(args=["xargs", "-n1", name])
        """
    )
    assert [(f.location.line, f.severity) for f in findings] == [
        (6, Severity.MEDIUM),
        (7, Severity.HIGH),
        (8, Severity.MEDIUM),
        (9, Severity.MEDIUM),
        (10, Severity.MEDIUM),
    ]


def test_interpreters_and_model_chosen_argument_lists_are_high() -> None:
    findings = scan(
        """
        import shlex
        import subprocess
        from openai import OpenAI
        client = OpenAI()
        text = client.responses.create(model="m", input="x").output_text
        subprocess.run(["python3", "-c", text])
        subprocess.run(["/bin/bash", "-c", text])
        subprocess.run(shlex.split(text))
        subprocess.run(["sh", text])
        subprocess.run(["python", "-u", text])
        subprocess.run([text, "--version"])
        subprocess.run(["echo", *shlex.split(text)])
        subprocess.Popen(text)
        """
    )
    assert [(f.location.line, f.severity) for f in findings] == [
        (7, Severity.HIGH),
        (8, Severity.HIGH),
        (9, Severity.HIGH),
        (10, Severity.HIGH),
        (11, Severity.HIGH),  # the first operand is the script the model chose
        (12, Severity.HIGH),
        (13, Severity.HIGH),  # a starred list: the model may choose where its words land
        (14, Severity.HIGH),
    ]


def test_a_launcher_is_judged_by_the_program_it_launches() -> None:
    findings = scan(
        """
        import subprocess
        from openai import OpenAI
        client = OpenAI()
        text = client.responses.create(model="m", input="x").output_text
        subprocess.run(["/usr/bin/env", "bash", "-c", text])
        subprocess.run(["timeout", "5s", "python3", "-c", text])
        subprocess.run(["sudo", "-u", "bob", "sh", "-c", text])
        subprocess.run(["nice", text])
        subprocess.run(["env", "LANG=C", "git", "-c", text, "commit", "-m", "x"])
        subprocess.run(["env", "LANG=C", "git", "commit", "-m", text])
        subprocess.run(["env", "LANG=C", "echo", text])
        subprocess.run(["timeout", "5", "notify-send", text])
        """
    )
    assert [(f.location.line, f.severity) for f in findings] == [
        (6, Severity.HIGH),
        (7, Severity.HIGH),
        (8, Severity.HIGH),
        (9, Severity.HIGH),
        (10, Severity.MEDIUM),
    ]


def test_a_fixed_program_given_model_text_as_a_plain_argument_is_not_execution() -> None:
    """A fixed program (not an interpreter, not a launcher) receives the text as data; so does a
    fixed script run by an interpreter, and text quoted or cut for a shell."""
    findings = scan(
        """
        import shlex
        import subprocess
        from openai import OpenAI
        client = OpenAI()
        text = client.responses.create(model="m", input="x").output_text
        subprocess.run(["echo", text], check=False)
        subprocess.check_output(["grep", "-F", text, "notes.txt"])
        subprocess.run(["python3", "script.py", text])
        subprocess.run(["python", "-m", "tools.publish", "--title", text])
        subprocess.run("echo " + shlex.quote(text), shell=True)
        """
    )
    assert findings == []


def test_the_value_of_a_message_option_is_a_plain_argument() -> None:
    """`git commit -m TEXT`: git takes the word after `-m` as the message, whatever it says, so the
    model chooses no option there; any other word of the model's in a git command line (a `-c`
    setting, an option, an operand of a subcommand whose `-m` is a flag) still is reported."""
    findings = scan(
        """
        import subprocess
        from openai import OpenAI
        client = OpenAI()
        text = client.responses.create(model="m", input="x").output_text
        subprocess.run(["git", "-C", f"/srv/{int(job)}", "commit", "--allow-empty", "-m", text[:500]])
        subprocess.run(["git", "tag", "-a", "v1", "--message", text])
        subprocess.run(["/usr/bin/git", "notes", "add", "-m", text, "HEAD"])
        subprocess.run(["git", "-c", f"core.sshCommand={text}", "commit", "-m", "fix"])
        subprocess.run(["git", "-c", "user.name=bot", "commit", "-m", text, text])
        subprocess.run(["git", "commit", text, "-m", "fix"])
        subprocess.run(["git", "checkout", "-m", text])
        subprocess.run(["git", "-m", text])
        subprocess.run(["git", "commit", "-m"] + [text])
        subprocess.run(["git", "-C", text, "commit", "-m", text])
        """
    )
    assert [(f.location.line, f.severity) for f in findings] == [
        (9, Severity.MEDIUM),
        (10, Severity.MEDIUM),  # the second word is a pathspec or an option
        (11, Severity.MEDIUM),
        (12, Severity.MEDIUM),  # checkout's -m is a flag: the word after it is an operand
        (13, Severity.MEDIUM),  # no subcommand
        (14, Severity.HIGH),  # not a list display: aisec cannot see where the words land
        (15, Severity.MEDIUM),
    ]


def test_one_finding_for_a_nested_sql_sink() -> None:
    findings = scan(
        """
        from sqlalchemy import text
        def run(conn, chain):
            conn.execute(text(chain.invoke({"q": "x"})))
        """
    )
    assert [f.code for f in findings] == ["AIS302"]


def test_untrusted_request_data_is_not_model_output() -> None:
    assert not scan(
        """
        from flask import request
        from openai import OpenAI
        client = OpenAI()
        client.responses.create(model="m", input="x")
        eval(request.args["expr"])
        """
    )


# ----- prefilter -----


def test_prefilter_needs_an_llm_call_and_a_sink_of_the_rule() -> None:
    expansions = default_catalog().trigger_expansions()
    exec_only = "import os\nos.system(cmd)\n"
    llm_only = "import anthropic\nanthropic.Anthropic().messages.create(model='m', messages=[])\n"
    assert not rules_for_text(exec_only, RULES, expansions)
    assert not rules_for_text(llm_only, RULES, expansions)
    both = "from openai import OpenAI\nimport os\nos.system(OpenAI().responses.create(model='m', input='x').output_text)\n"
    codes = [r.code for r in rules_for_text(both, RULES, expansions)]
    assert "AIS301" in codes and "AIS302" not in codes and "AIS303" not in codes  # `openai` spells `open`
    helper = "from langchain_experimental.tools import PythonREPLTool\ntools = [PythonREPLTool()]\n"
    assert [r.code for r in rules_for_text(helper, RULES, expansions)] == ["AIS301"]


def test_prompt_rules_are_not_triggered_by_output_sinks() -> None:
    prompt_rules = [rule for code, rule in ALL_RULES.items() if code.startswith("AIS2")]
    expansions = default_catalog().trigger_expansions()
    assert not rules_for_text(
        "import json\n\ndef load(p):\n    return json.load(open(p))\n", prompt_rules, expansions
    )


def test_views_that_serve_their_return_value_as_html() -> None:
    check(
        """
        import html
        from flask import Blueprint, Flask, make_response
        from openai import OpenAI
        client = OpenAI()
        app = Flask(__name__)
        bp = Blueprint("chat", __name__)

        def ask(q):
            return client.responses.create(model="m", input=q).output_text

        @bp.route("/a")
        def a():
            text = ask("x")
            return text + "<hr>"  # <- AIS303

        @app.get("/b")
        def b():
            def inner():
                return ask("y")
            return html.escape(inner())

        @app.get("/c")
        def c():
            return make_response(ask("z"))  # <- AIS303

        def not_a_view():
            return f"<p>{ask('w')}</p>"
        """
    )


def test_a_view_returning_a_response_object_it_bound_is_judged_where_the_object_was_built() -> None:
    """heldout7b docs_assistant_flask.py:190: `resp = make_response(html); resp.headers[...] = ...;
    return resp` was reported twice (the response, then the view's return); a name also bound to
    text, or a parameter, is still the served body."""
    check(
        """
        from flask import Flask, Response, jsonify, make_response
        from openai import OpenAI
        client = OpenAI()
        app = Flask(__name__)

        def ask(q):
            return client.responses.create(model="m", input=q).output_text

        @app.get("/a")
        def a():
            resp = make_response("<p>" + ask("x") + "</p>")  # <- AIS303
            resp.headers["Cache-Control"] = "no-store"
            return resp

        @app.get("/b")
        def b():
            data: Response = jsonify(answer=ask("x"))
            return data

        @app.get("/c")
        def c():
            resp = make_response("<p>ok</p>")
            if ask("flag") == "raw":
                resp = ask("x")
            return resp  # <- AIS303

        @app.get("/d")
        def d():
            resp = make_response("<p>ok</p>")
            for resp in [ask("x")]:
                return resp  # <- AIS303
            return resp  # <- AIS303

        @app.get("/e")
        def e():
            body = ask("x")
            return body  # <- AIS303
        """
    )


def test_model_code_written_to_source_files() -> None:
    check(
        """
        import io
        from pathlib import Path
        from openai import OpenAI
        client = OpenAI()
        code = client.responses.create(model="m", input="x").output_text
        open("agent_step.py", "w").write(code)  # <- AIS301
        Path("deploy.sh").write_text(code)  # <- AIS301
        with open(f"tools/{name}.py", "a") as handle:
            handle.writelines(code)  # <- AIS301
        with open("agent_step.py") as handle:
            handle.write(code)
        with open("log.txt", "w") as handle:
            handle.write(code)
        open("static.py", "w").write("print(1)")
        """
    )


# ----- content types, response dicts, query engines, path objects (issue 12) -----

SERVED: dict[str, str] = {
    "declared-content-types": """
        import html
        from aiohttp import web
        from django.http import HttpResponse
        from flask import Response
        from openai import OpenAI
        client = OpenAI()
        def ask(q):
            return client.responses.create(model="gpt-4.1", input=q).output_text
        async def card(request, kind):
            text = ask(request.query["q"])
            web.Response(text=text, content_type="text/html; charset=utf-8")  # <- AIS303
            web.Response(text=text, content_type="text/plain")
            web.Response(text=text, content_type=kind)
            web.Response(body=text)
            web.Response(text=html.escape(text), content_type="text/html")
            HttpResponse(text)  # <- AIS303
            HttpResponse(text, content_type="application/json")
            HttpResponse(text, headers={"Content-Type": "text/plain"})
            Response(text, mimetype="text/markdown")
        """,
    "media-type-constants": """
        import azure.functions as func
        import falcon
        from django.http import HttpResponse
        from litestar import MediaType, Response
        from openai import OpenAI
        from . import settings
        client = OpenAI()
        def ask(q):
            return client.responses.create(model="gpt-4.1", input=q).output_text
        def card(q):
            text = ask(q)
            Response(text, media_type=MediaType.HTML)  # <- AIS303
            Response(text, media_type=MediaType.TEXT)
            func.HttpResponse(text, mimetype="text/html")  # <- AIS303
            func.HttpResponse(body=text, mimetype=falcon.MEDIA_HTML)  # <- AIS303
            func.HttpResponse(text)
            func.HttpResponse(text, mimetype=falcon.MEDIA_JSON)
            HttpResponse(text, content_type=settings.CONTENT_TYPE)  # <- AIS303
        """,
    "tornado-json-and-headers": """
        import json
        import tornado.escape
        import tornado.web
        from openai import OpenAI
        client = OpenAI()
        def ask(q):
            return client.responses.create(model="gpt-4.1", input=q).output_text
        class Page(tornado.web.RequestHandler):
            def get(self):
                self.set_header("Content-Type", "text/html")
                self.write(
                    ask(self.get_argument("q"))  # <- AIS303
                )
        class Api(tornado.web.RequestHandler):
            def get(self):
                self.set_header("Content-Type", "application/json; charset=UTF-8")
                self.write(ask(self.get_argument("q")))
        class Escaped(tornado.web.RequestHandler):
            def get(self):
                self.write(json.dumps({"a": ask("x")}))
                self.write(tornado.escape.xhtml_escape(ask("y")))
        """,
    "lambda-response-dicts": """
        import html
        from openai import OpenAI
        client = OpenAI()
        def ask(q):
            return client.responses.create(model="gpt-4.1", input=q).output_text
        def handler(event, context):
            answer = ask(event["body"])
            if event["rawPath"] == "/page":
                return {
                    "statusCode": 200,
                    "headers": {"content-type": "text/html; charset=utf-8"},
                    "body": f"<main>{answer}</main>",  # <- AIS303
                }
            if event["rawPath"] == "/safe":
                return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": html.escape(answer)}
            return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": answer}
        """,
    "query-engines": """
        import duckdb
        from openai import OpenAI
        from pyspark.sql import SparkSession
        client = OpenAI()
        spark = SparkSession.builder.getOrCreate()
        def report(question):
            sql = client.responses.create(model="gpt-4.1", input=question).output_text
            con = duckdb.connect("warehouse.db")
            con.sql(sql).fetchall()  # <- AIS302
            duckdb.query(sql)  # <- AIS302
            spark.sql(sql).collect()  # <- AIS302
            con.execute("SELECT * FROM orders WHERE region = ?", [sql]).fetchall()
        """,
    "compiled-code-runs-where-it-is-executed": """
        from openai import OpenAI
        client = OpenAI()
        def run(question):
            text = client.responses.create(model="gpt-4.1", input=question).output_text
            code = compile(text, "<model>", "exec")  # <- AIS301
            exec(code)  # <- AIS301
            fixed = compile("print(1)", "<fixed>", "exec")
            exec(fixed)
        """,
    "path-objects-and-frames": """
        import uuid
        from pathlib import Path
        import httpx
        import pandas as pd
        from openai import OpenAI
        client = OpenAI()
        OUT = Path("out")
        def ask(q):
            return client.responses.create(model="gpt-4.1", input=q).output_text
        async def work(frame, question):
            name = ask(question).strip()
            Path(OUT, name).write_text("x")  # <- AIS304
            (OUT / name).unlink()  # <- AIS304
            target = OUT / name
            target.write_bytes(b"")  # <- AIS304
            frame.to_parquet(OUT / name)  # <- AIS304
            frame.to_csv(OUT / f"{uuid.uuid4().hex}.csv")
            (OUT / "answer.txt").write_text(name)
            pd.read_json(name)  # <- AIS304
            pd.read_csv(f"https://data.example.com/{name}.csv")
            async with httpx.AsyncClient() as http:
                async with http.stream("GET", name) as stream:  # <- AIS304
                    await stream.aread()
        """,
}


@pytest.mark.parametrize("name", sorted(SERVED))
def test_served_content_and_other_sinks(name: str) -> None:
    check(SERVED[name])


def test_an_allowlist_check_on_one_element_clears_that_element_only() -> None:
    """`argv[0] in ALLOWED` vouches for `argv[0]`, inside the check (or after `not in ...: return`);
    not for the rest of `argv`, not after the `if`, not once `argv` is rebound or the element set."""
    findings = scan(
        """
        import shlex
        import subprocess
        import ollama
        ALLOWED = {"ls", "df", "du", "uptime"}
        def suggest(task):
            return ollama.chat(model="m", messages=[{"role": "user", "content": task}])["message"]["content"]
        def inside(task):
            argv = shlex.split(suggest(task))
            if argv and argv[0] in ALLOWED:
                subprocess.run([argv[0]], check=False)
            subprocess.run([argv[0]], check=False)  # <- after the if
        def early_return(task):
            argv = shlex.split(suggest(task))
            if argv[0] not in ALLOWED:
                return
            subprocess.run([argv[0]], check=False)
            subprocess.run(argv, check=False)  # <- the other elements
            argv = shlex.split(suggest(task))
            subprocess.run([argv[0]], check=False)  # <- rebound
        def keyed(task):
            plan = {"cmd": suggest(task)}
            if plan["cmd"] in ("ls", "df"):
                subprocess.run([plan["cmd"]])
                plan["cmd"] = suggest(task)
                subprocess.run([plan["cmd"]])  # <- replaced
            if plan["cmd"] == "uptime":
                subprocess.run([plan["cmd"]])
            subprocess.run([plan["other"]])  # <- another key
        """
    )
    assert [f.location.line for f in findings] == [12, 18, 20, 26, 29]


def test_membership_hands_on_what_the_collection_holds() -> None:
    """`x in C` makes `x` one of C's members: nothing when C holds nothing untrusted (a constant
    set, the application's own table names, `git ls-files`), C's data otherwise (model output, a
    parameter whatever the caller passes). A substring test on a string holds what the string holds."""
    check(
        """
        import sqlite3
        import subprocess
        from openai import OpenAI
        client = OpenAI()
        def ask(q):
            return client.chat.completions.create(model="m", messages=[{"role": "user", "content": q}]).choices[0].message.content
        def table_names(conn):
            return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        def count_rows(conn, question):
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            table = ask(question)
            if table not in tables:
                raise ValueError(table)
            return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()
        def count_rows_helper(conn, question):
            table = ask(question)
            if table in table_names(conn):
                return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()
            return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()  # <- AIS302
        def show(question):
            tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True).stdout.split()
            path = ask(question)
            if path in tracked:
                return open(path).read()
            return open(path).read()  # <- AIS304
        def model_chosen_list(question):
            names = ask("list the files").split()
            path = ask(question)
            if path in names:
                return open(path).read()  # <- AIS304
            return None
        def within_the_answer(question):
            answer = ask(question)
            if "report.txt" in answer:
                return open("report.txt").read()
            return None
        class Registry:
            def __contains__(self, name):
                return True
        def custom_container(question):
            path = ask(question)
            if path in Registry():
                return open(path).read()  # <- AIS304
            return None
        """
    )


def test_membership_in_a_parameter_is_decided_by_the_caller() -> None:
    check(
        """
        import sqlite3
        from openai import OpenAI
        client = OpenAI()
        ALLOWED = ("users", "orders")
        def ask(q):
            return client.chat.completions.create(model="m", messages=[{"role": "user", "content": q}]).choices[0].message.content
        def count(conn, table, allowed):
            if table in allowed:
                return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
            return None
        def safe(conn, q):
            return count(conn, ask(q), ALLOWED)
        def unsafe(conn, q):
            return count(conn, "users", ask(q).split())  # <- AIS302
        """
    )


def test_a_raw_http_call_to_a_model_api_returns_model_output() -> None:
    findings = scan(
        """
        import os
        import httpx
        import requests
        API = "https://api.anthropic.com/v1/messages"
        def claude(task):
            body = httpx.post(API, headers={}, json={"messages": [{"role": "user", "content": task}]}).json()
            exec(body["content"][0]["text"])  # <- AIS301
        def gemini(task):
            key = os.environ["KEY"]
            out = requests.post(f"https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?key={key}", json={}).json()
            os.system(out["candidates"][0]["content"]["parts"][0]["text"])  # <- AIS301
        def local(task):
            base = os.environ.get("LLM_BASE", "http://localhost:8000")
            out = requests.request("POST", base + "/v1/chat/completions", json={}).json()
            eval(out["choices"][0]["message"]["content"])  # <- AIS301
        def weather():
            out = requests.get("https://api.weather.example/v1/today", timeout=5).json()
            eval(out["expr"])
        def own_chat():
            out = requests.post("https://intranet.example/api/chat", json={}).json()
            eval(out["expr"])
        """
    )
    assert [(f.code, f.location.line) for f in findings] == [("AIS301", 8), ("AIS301", 12), ("AIS301", 16)]


# ----- agent tool frameworks: a tool function's parameters are model output -----

TOOL_DECORATORS = {
    "langchain": ("from langchain_core.tools import tool", "@tool"),
    "langchain-named": ("from langchain_core.tools import tool", '@tool("shell")'),
    "crewai": ("from crewai.tools import tool", '@tool("shell")'),
    "openai-agents": ("from agents import function_tool", "@function_tool"),
    "openai-agents-called": ("from agents import function_tool", "@function_tool(name_override='shell')"),
    "pydantic-ai": ("from pydantic_ai import Agent\nagent = Agent('openai:gpt-4o')", "@agent.tool_plain"),
    "smolagents": ("from smolagents import tool", "@tool"),
    "mcp-fastmcp": ("from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('ops')", "@mcp.tool()"),
    "fastmcp": ("from fastmcp import FastMCP\nmcp = FastMCP('ops')", "@mcp.tool"),
}


@pytest.mark.parametrize("framework", sorted(TOOL_DECORATORS))
def test_a_tool_functions_text_parameters_are_model_output(framework: str) -> None:
    imports, decorator = TOOL_DECORATORS[framework]
    check(
        f"import subprocess\n{imports}\n\n\n"
        f"{decorator}\ndef shell(command: str) -> str:\n"
        "    return subprocess.run(command, shell=True, capture_output=True).stdout  # <- AIS301\n\n\n"
        # look-alikes: a parameter typed as a number is not text; an undecorated function is no tool
        f"{decorator}\ndef count(lines: int) -> str:\n"
        "    return subprocess.run(f'seq {lines}', shell=True, capture_output=True).stdout\n\n\n"
        "def local(command: str) -> str:\n"
        "    return subprocess.run(command, shell=True, capture_output=True).stdout\n"
    )


def test_a_tools_run_context_is_the_frameworks_and_its_deps_are_typed() -> None:
    """The model chooses a tool's arguments, not the run context the framework injects; the
    context's dependencies are the module's class its type parameter names."""
    check(
        """
        import os
        from dataclasses import dataclass
        from typing import Annotated
        import httpx
        from agents import RunContextWrapper, function_tool
        from langchain_core.runnables import RunnableConfig
        from langchain_core.tools import InjectedToolArg, tool
        from pydantic_ai import Agent, RunContext

        @dataclass
        class Deps:
            command: str
            http: httpx.AsyncClient

        agent = Agent("openai:gpt-4o", deps_type=Deps)

        @agent.tool
        async def fetch(ctx: RunContext[Deps], url: str) -> str:
            os.system(ctx.deps.command)
            page = await ctx.deps.http.get(url)  # <- AIS304
            await ctx.deps.http.get("https://status.example.com/")
            return page.text

        @function_tool
        def run(wrapper: RunContextWrapper[Deps], command: str) -> str:
            os.system(wrapper.context.command)
            return os.popen(command).read()  # <- AIS301

        @tool
        def shell(command: str, user: Annotated[str, InjectedToolArg], config: RunnableConfig) -> str:
            os.system(user)
            os.system(config["configurable"]["cmd"])
            return os.popen(command).read()  # <- AIS301
        """
    )


def test_an_mcp_prompt_or_resource_is_no_tool() -> None:
    # the user picks a prompt and the client application reads a resource: the model chooses neither
    check(
        "import subprocess\nfrom mcp.server.fastmcp import FastMCP\nmcp = FastMCP('ops')\n\n\n"
        "@mcp.resource('logs://{name}')\ndef log(name: str) -> str:\n"
        "    return subprocess.run('tail ' + name, shell=True, capture_output=True).stdout\n\n\n"
        "@mcp.prompt()\ndef review(code: str) -> str:\n"
        "    return f'Review this code: {code}'\n"
    )


def test_a_smolagents_code_agent_runs_model_code_unless_sandboxed() -> None:
    check(
        """
        from smolagents import CodeAgent, InferenceClientModel, ToolCallingAgent
        from myagents import CodeAgent as OwnCodeAgent
        model = InferenceClientModel()
        local = CodeAgent(tools=[], model=model)  # <- AIS301
        also_local = CodeAgent(tools=[], model=model, executor_type="local")  # <- AIS301
        local.run("Plot the sales")
        docker = CodeAgent(tools=[], model=model, executor_type="docker")
        e2b = CodeAgent(tools=[], model=model, use_e2b_executor=True)
        calling = ToolCallingAgent(tools=[], model=model)
        own = OwnCodeAgent(tools=[], model=model)
        """
    )


def test_a_decorator_named_tool_from_elsewhere_is_no_tool() -> None:
    check(
        "import subprocess\nfrom mytools import tool\n\n\n"
        "@tool\ndef shell(command: str) -> str:\n"
        "    return subprocess.run(command, shell=True, capture_output=True).stdout\n"
    )


# ----- Jinja2 environments that autoescape -----

JINJA_PAGE = """
    import jinja2
    from jinja2 import Environment, select_autoescape
    from fastapi.responses import HTMLResponse
    from openai import OpenAI

    client = OpenAI()
    PAGE = "<main>{{ answer }}</main>"
    RAW_PAGE = "<main>{{ answer|safe }}</main>"
    escaping = Environment(autoescape=True)
    selecting = Environment(loader=jinja2.FileSystemLoader("templates"), autoescape=select_autoescape())
    strict = Environment(autoescape=select_autoescape(default_for_string=False))
    plain = jinja2.Environment()

    def answer(q):
        return client.responses.create(model="m", input=q).output_text

    def pages(q):
        HTMLResponse(escaping.from_string(PAGE).render(answer=answer(q)))
        HTMLResponse(selecting.from_string(PAGE).render(answer=answer(q)))
        HTMLResponse(selecting.get_template("answer.html").render(answer=answer(q)))
        HTMLResponse(escaping.get_template("answer.txt").render(answer=answer(q)))
        HTMLResponse(selecting.get_template("answer.txt").render(answer=answer(q)))  # <- AIS303
        HTMLResponse(strict.from_string(PAGE).render(answer=answer(q)))  # <- AIS303
        HTMLResponse(plain.from_string(PAGE).render(answer=answer(q)))  # <- AIS303
        HTMLResponse(escaping.from_string(RAW_PAGE).render(answer=answer(q)))  # <- AIS303
"""


def test_an_autoescaping_jinja_environment_escapes_what_it_renders() -> None:
    """`Environment(autoescape=True)` (or `select_autoescape()` for strings and .html names)
    escapes render values; no setting, `|safe` in the template, or a name the selector leaves
    unescaped does not."""
    check(JINJA_PAGE)


def test_a_sandboxed_jinja_environment_does_not_run_model_templates() -> None:
    """Jinja's sandbox is its documented way to render templates someone else wrote: template
    text compiled there is not code execution; a plain, overlaid or native environment is."""
    check(
        """
        import jinja2
        from jinja2.nativetypes import NativeEnvironment
        from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment
        from openai import OpenAI

        client = OpenAI()
        sandbox = SandboxedEnvironment()

        class Strict(SandboxedEnvironment):
            pass

        def run(q):
            text = client.responses.create(model="m", input=q).output_text
            sandbox.from_string(text).render()
            ImmutableSandboxedEnvironment().from_string(text).render()
            Strict().from_string(text).render()
            jinja2.Environment().from_string(text).render()  # <- AIS301
            jinja2.Environment().overlay(trim_blocks=True).from_string(text).render()  # <- AIS301
            NativeEnvironment().from_string(text).render()  # <- AIS301
            jinja2.Template(text).render()  # <- AIS301
        """
    )


def test_model_output_handed_to_a_task_queue_reaches_the_task() -> None:
    """Also spread into a direct call: a call whose arguments are spread is its own flows' node
    (not an inner sink call reported on its own)."""
    check(
        """
        import os
        import dramatiq
        from celery import shared_task
        from openai import OpenAI
        client = OpenAI()
        @shared_task
        def run_command(command):
            os.system(command)
        @dramatiq.actor
        def run_script(code):
            exec(code)
        def plan():
            answer = client.responses.create(model="m", input="x").output_text
            run_command.apply_async(kwargs={"command": answer})  # <- AIS301
            run_script.send(answer)  # <- AIS301
            run_command.apply_async(args=["uptime"])
            run_script.send_with_options(args=("print(1)",))
        def spread():
            answer = client.responses.create(model="m", input="y").output_text
            run_command(*[answer])  # <- AIS301
            run_command(**{"command": "uptime"})
        """
    )


def test_a_gradio_handler_shown_by_an_html_component_serves_html() -> None:
    check(
        """
        import gradio as gr
        from openai import OpenAI
        client = OpenAI()
        def ask(q):
            return client.responses.create(model="gpt-4.1", input=q).output_text
        def page(q):
            return f"<main>{ask(q)}</main>"  # <- AIS303
        def listing(q):
            return ask(q)  # <- AIS303
        def plain(q):
            return ask(q)
        gr.Interface(page, "text", outputs="html")
        with gr.Blocks() as demo:
            box = gr.Textbox()
            html_out = gr.HTML()
            text_out = gr.Textbox()
            gr.on([box.submit], listing, inputs=box, outputs=[html_out])
            box.change(plain, inputs=box, outputs=text_out)
        """
    )


def test_a_gradio_handler_registered_deep_inside_a_builder_function_serves_html() -> None:
    # the registrations are collected by a read-only walk of the whole module: nodes nested in
    # functions, `with` blocks, conditionals and call arguments are all reached
    check(
        """
        import gradio as gr
        from openai import OpenAI
        client = OpenAI()
        def page(q):
            return client.responses.create(model="gpt-4.1", input=q).output_text  # <- AIS303
        def plain(q):
            return client.responses.create(model="gpt-4.1", input=q).output_text
        def build(debug):
            with gr.Blocks() as demo:
                if not debug:
                    with gr.Row():
                        box = gr.Textbox()
                        shown = gr.HTML()
                        box.submit(page, inputs=[box], outputs=[shown])
                        box.change(plain, inputs=[box], outputs=[gr.Textbox()])
            return demo
        """
    )


def test_a_method_of_what_a_from_constructor_returned_is_the_class_method() -> None:
    """`SQLDatabase.from_uri(u)` returns a `SQLDatabase` (the `from_*` classmethod convention):
    its `run()` is the SQL sink, as on an instance the class made; other methods are not."""
    check(
        """
        from langchain_community.utilities import SQLDatabase
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI()
        warehouse = SQLDatabase.from_uri("postgresql://analyst@warehouse/sales")

        def ask(q):
            sql = llm.invoke(q).content
            warehouse.run(sql)  # <- AIS302
            SQLDatabase.from_uri("sqlite:///local.db").run_no_throw(sql)  # <- AIS302
            warehouse.get_table_info([sql])
            warehouse.run("SELECT 1")
        """
    )


def test_a_library_function_a_thread_runner_calls_is_called_there() -> None:
    """`asyncio.to_thread(f, *args)` and `loop.run_in_executor(None, f, *args)` call a library
    `f` with the arguments after it: its reply is model output, its sink arguments are judged."""
    check(
        """
        import asyncio
        import os
        from openai import OpenAI

        client = OpenAI()

        async def ask(q):
            messages = [{"role": "user", "content": q}]
            resp = await asyncio.to_thread(client.chat.completions.create, model="m", messages=messages)
            os.system(resp.choices[0].message.content)  # <- AIS301
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, os.system, resp.choices[0].message.content)  # <- AIS301
            text = await loop.run_in_executor(None, str.strip, q)
            os.system(text)
            await asyncio.to_thread(os.system, "uptime")
            await asyncio.to_thread(open, "prompts/system.txt")
        """
    )


def test_a_non_text_field_of_the_class_a_model_must_answer_with_is_not_text() -> None:
    """instructor `response_model=`, OpenAI `parse(response_format=)`, LangChain
    `with_structured_output(C)` and a pydantic-ai `Agent(output_type=C)` validate the reply: an
    enum, `Literal` or `int` field of `C` holds no text the model chose; a `str` field, or a reply
    with no declared class, is still model output."""
    check(
        """
        import sqlite3
        from enum import Enum
        from typing import Literal

        import instructor
        from langchain_openai import ChatOpenAI
        from openai import OpenAI
        from pydantic import BaseModel
        from pydantic_ai import Agent

        db = sqlite3.connect("x.db")
        client = instructor.from_openai(OpenAI())
        raw = OpenAI()
        llm = ChatOpenAI()


        class Verdict(str, Enum):
            PASS = "pass"
            FAIL = "fail"


        class Grade(BaseModel):
            verdict: Verdict
            route: Literal["sql", "chat"]
            score: int
            table: str


        judge = Agent("openai:gpt-4o", output_type=Grade, system_prompt="Grade answers.")


        def run(q):
            g = client.chat.completions.create(model="m", response_model=Grade, messages=[])
            db.execute(f"UPDATE t SET v = '{g.verdict.value}', r = '{g.route}', s = {g.score}")
            db.execute(f"SELECT * FROM {g.table}")  # <- AIS302
            p = raw.chat.completions.parse(model="m", response_format=Grade, messages=[]).choices[0].message.parsed
            db.execute(f"UPDATE t SET v = '{p.verdict}'")
            db.execute(f"SELECT * FROM {p.table}")  # <- AIS302
            c = llm.with_structured_output(Grade).invoke(q)
            db.execute(f"UPDATE t SET v = '{c.route}'")
            db.execute(f"SELECT * FROM {c.table}")  # <- AIS302
            a = judge.run_sync(q).output
            db.execute(f"UPDATE t SET v = '{a.verdict.value}'")
            db.execute(f"SELECT * FROM {a.table}")  # <- AIS302
            free = raw.chat.completions.create(model="m", messages=[]).choices[0].message
            db.execute(f"UPDATE t SET v = '{free.verdict}'")  # <- AIS302
        """
    )


def test_a_tool_written_as_a_class_gets_the_models_arguments() -> None:
    """smolagents `Tool.forward`, CrewAI `BaseTool._run`/`_arun`: the framework calls them with
    the arguments the model chose; other methods, a class deriving from something else, `int`
    parameters and LangChain's `BaseTool` (left out: the library's own tools) are not."""
    check(
        """
        import subprocess

        import httpx
        from crewai.tools import BaseTool
        from langchain_core.callbacks import CallbackManagerForToolRun
        from langchain_core.tools import BaseTool as LCBaseTool
        from smolagents import Tool

        class Resize(Tool):
            name = "resize"
            def forward(self, spec: str) -> str:
                return subprocess.run(f"convert in.png -resize {spec} out.png", shell=True).stdout  # <- AIS301
            def setup(self, spec: str) -> None:
                subprocess.run(f"echo {spec}", shell=True)

        class Fetch(BaseTool):
            name: str = "fetch"
            def _run(self, url: str, retries: int = 1) -> str:
                return httpx.get(url).text  # <- AIS304
            def helper(self, url: str) -> str:
                return httpx.get(url).text

        class Shell(LCBaseTool):
            name: str = "shell"
            async def _arun(self, command: str, run_manager: CallbackManagerForToolRun | None = None) -> str:
                return subprocess.run(command, shell=True).stdout

        class CrewShell(BaseTool):
            name: str = "shell"
            async def _arun(self, command: str) -> str:
                return subprocess.run(command, shell=True).stdout  # <- AIS301

        class NotATool:
            def forward(self, spec: str) -> str:
                return subprocess.run(spec, shell=True).stdout
        """
    )


def test_calling_what_a_call_returns_at_once_is_calling_the_object() -> None:
    """`dspy.Predict(Sig)(title=t).fixed` is a call of the predictor (model output), as when
    the predictor is stored in a variable first."""
    check(
        """
        import os

        import dspy

        class Fix(dspy.Signature):
            \"\"\"Fix the title.\"\"\"
            title: str = dspy.InputField()
            fixed: str = dspy.OutputField()

        def fix(title):
            os.system(dspy.Predict(Fix)(title=title).fixed)  # <- AIS301
            predict = dspy.Predict(Fix)
            os.system(predict(title=title).fixed)  # <- AIS301
            os.system(str(dspy.Predict(Fix)))
        """
    )
