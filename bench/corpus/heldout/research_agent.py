# Held-out corpus. Semgrep-style annotations: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
"""Research agent with tools: the model picks URLs, files and code to run."""

import base64
import json
import pickle
import urllib.request
from pathlib import Path

import requests
import yaml
from langchain.agents import AgentExecutor, create_tool_calling_agent
from langchain_core.prompts import ChatPromptTemplate
from langchain_experimental.tools import PythonREPLTool
from langchain_openai import ChatOpenAI
from openai import OpenAI

client = OpenAI()
llm = ChatOpenAI(model="gpt-4o")
WORKSPACE = Path("/srv/agent/workspace")
REPORTS = {"weekly": "weekly.md", "monthly": "monthly.md"}

prompt = ChatPromptTemplate.from_messages(
    [("system", "You are a research assistant."), ("human", "{input}"), ("placeholder", "{agent_scratchpad}")]
)
# ruleid: AIS301
tools = [PythonREPLTool()]
agent = create_tool_calling_agent(llm, tools, prompt)
executor = AgentExecutor(agent=agent, tools=tools)


def plan(goal: str) -> str:
    resp = client.responses.create(model="gpt-4o", instructions="Plan research steps.", input=goal)
    return resp.output_text


def fetch_next(goal: str):
    url = plan(goal)
    # ruleid: AIS304
    page = requests.get(url, timeout=10)
    # ruleid: AIS304
    raw = urllib.request.urlopen(plan("next source for " + goal)).read()
    return page.text, raw


def save_notes(goal: str, notes: str) -> None:
    filename = plan(f"pick a filename for notes about {goal}")
    # ruleid: AIS304
    with open(WORKSPACE / filename, "w") as fh:
        fh.write(notes)
    report = REPORTS.get(plan("weekly or monthly?"), "weekly.md")
    # ok: AIS304
    (WORKSPACE / report).write_text(notes)


def read_cited(goal: str) -> str:
    cited = plan(f"which local file supports: {goal}")
    # ruleid: AIS304
    return Path(cited).read_text()


def load_state(goal: str):
    blob = plan(f"restore state for {goal}")
    # ruleid: AIS304
    state = pickle.loads(base64.b64decode(blob))
    # ok: AIS304
    settings = json.loads(blob)
    return state, settings


def parse_config(goal: str):
    out = plan(f"produce a YAML config for {goal}")
    # ruleid: AIS304
    cfg = yaml.load(out, Loader=yaml.Loader)
    # ok: AIS304
    safe = yaml.safe_load(out)
    return cfg, safe


def run_generated(goal: str):
    code = llm.invoke(f"Write Python for: {goal}").content
    # ruleid: AIS301
    exec(code, {})
    # ok: AIS301
    return executor.invoke({"input": goal})
