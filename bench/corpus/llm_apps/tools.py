# Annotated in semgrep style: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
import subprocess
from pathlib import Path

from langchain_community.tools import ShellTool
from openai import OpenAI

client = OpenAI()
TOOLS = {"search", "weather"}


def ask(task):
    return client.responses.create(model="gpt-4.1", input=task).output_text


def search():
    return "results"


def dispatch(task):
    name = ask(task)
    # ruleid: AIS304
    return globals()[name]()


def dispatch_checked(task):
    name = ask(task)
    if name in TOOLS:
        # ok: AIS304
        return globals()[name]()
    return None


def write_and_run(task):
    # ruleid: AIS301
    Path("step.py").write_text(ask(task))
    subprocess.run(["python", "step.py"], check=True)


def save_report(task):
    # ok: AIS301
    Path("report.md").write_text(ask(task))


# ruleid: AIS301
shell = ShellTool()
