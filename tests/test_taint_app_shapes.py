"""Flows in the shapes application code is written in (AIS2xx/AIS3xx end to end, real rules and
the default catalog): objects kept on `self` by another class, request models with upload fields,
tool handlers dispatched through a registry, model output run from a file, and the everyday
Python idioms between a source and a sink. Each case has look-alikes that must stay quiet.

Expected findings are written into the code: a line ending in `# <- AIS301` (several codes
separated by commas) must be reported with exactly those codes, and no other line may be.
"""

from __future__ import annotations

import re
import textwrap

import pytest
from aisec.pluginmanager import load_plugins
from aisec.testing import check_source

RULES = [
    rule
    for code, rule in sorted(load_plugins(entry_points=False).rules.items())
    if code[:4] in ("AIS2", "AIS3")
]
MARK = re.compile(r"#\s*<-\s*(AIS\d{3}(?:\s*,\s*AIS\d{3})*)")


def check(source: str) -> None:
    source = textwrap.dedent(source)
    wanted = sorted(
        (code.strip(), number)
        for number, line in enumerate(source.splitlines(), 1)
        for match in [MARK.search(line)]
        if match
        for code in match.group(1).split(",")
    )
    findings = check_source(RULES, source)
    got = sorted((f.code, f.location.line) for f in findings)
    assert got == wanted, "\n".join(f"{f.code} {f.location.line}: {f.message}" for f in findings)


# ----- 1. an object kept on `self` by another class -----

SELF_HELD = {
    "webhook-class-holding-a-service": """
        import anthropic
        import falcon

        class Triager:
            def __init__(self, repo):
                self.repo = repo
                self.llm = anthropic.Anthropic()

            def summary_for(self, issue):
                msg = self.llm.messages.create(
                    model="m", max_tokens=9,
                    messages=[{"role": "user", "content": "Summarise this issue in two lines:\\n" + issue["body"]}],
                )
                return msg.content[0].text

            def label_for(self, issue):
                msg = self.llm.messages.create(
                    model="m", max_tokens=9, messages=[{"role": "user", "content": issue["body"]}]
                )
                return msg.content[0].text

        class IssueHook:
            def __init__(self):
                self.triager = Triager("acme/widgets")

            def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
                issue = req.get_media()["issue"]
                resp.media = {
                    "summary": self.triager.summary_for(issue),  # <- AIS202
                    "label": self.triager.label_for(issue),
                }
    """,
    "service-set-up-lazily-and-on-two-paths": """
        import os
        import subprocess
        from openai import OpenAI

        class Runner:
            def run(self, command):
                subprocess.run(command, shell=True)

        class Printer:
            def run(self, command):
                print(command)

        class Agent:
            def __init__(self):
                self.client = OpenAI()
                self.tool = Runner() if os.environ.get("LIVE") else Runner()
                self.log = Printer()

            def step(self):
                reply = self.client.chat.completions.create(model="m", messages=[])
                command = reply.choices[0].message.content
                self.tool.run(command)  # <- AIS301
                self.log.run(command)
    """,
}


# ----- 2. request models whose fields are uploads -----

UPLOAD_FIELDS = {
    "litestar-form-dataclass": """
        from dataclasses import dataclass
        from typing import Annotated
        from litestar import post
        from litestar.datastructures import UploadFile
        from litestar.enums import RequestEncodingType
        from litestar.params import Body
        from openai import OpenAI

        client = OpenAI()

        @dataclass
        class MeetingForm:
            audio: UploadFile
            title: str
            attendees: int = 0

        @post("/meetings")
        async def upload(data: Annotated[MeetingForm, Body(media_type=RequestEncodingType.MULTI_PART)]) -> str:
            transcript = (await data.audio.read()).decode()
            client.chat.completions.create(model="m", messages=[
                {"role": "system", "content": "Previous transcript:\\n" + transcript},  # <- AIS204
            ])
            client.chat.completions.create(model="m", messages=[
                {"role": "system", "content": f"Meeting title: {data.title}"},  # <- AIS201
            ])
            client.chat.completions.create(model="m", messages=[
                {"role": "system", "content": f"Attendees: {data.attendees}"},
                {"role": "user", "content": transcript},
            ])
            return "ok"
    """,
    "fastapi-pydantic-form-model": """
        from typing import Annotated
        from fastapi import FastAPI, Form, UploadFile
        from pydantic import BaseModel
        from openai import OpenAI

        app = FastAPI()
        client = OpenAI()

        class Base(BaseModel):
            document: UploadFile

        class Upload(Base):
            note: str

        @app.post("/summarise")
        async def summarise(form: Annotated[Upload, Form()]) -> str:
            text = (await form.document.read()).decode()
            client.chat.completions.create(model="m", messages=[
                {"role": "system", "content": "Summarise this document:\\n" + text},  # <- AIS204
                {"role": "user", "content": form.note},
            ])
            return "ok"
    """,
}


# ----- 3. tool handlers dispatched through a registry -----
# (a flow into a helper's sink is reported at the call that passes the data, the path names the sink)

DISPATCH = {
    "responses-api-dict-get": """
        import json, sqlite3, subprocess
        from openai import OpenAI

        client = OpenAI()
        SAFE = {"disk": ["df", "-h"]}

        def search_kb(args):
            cur = sqlite3.connect("kb.db").cursor()
            cur.execute(f"SELECT body FROM kb WHERE body LIKE '%{args['query']}%'")
            cur.execute("SELECT body FROM kb WHERE id = ?", (int(args["id"]),))

        def run_diagnostic(args):
            if args["command"] in SAFE:
                return subprocess.run(SAFE[args["command"]])
            return subprocess.run(args["command"], shell=True)

        DISPATCH = {"search_kb": search_kb, "run_diagnostic": run_diagnostic}

        def run_tools(question):
            response = client.responses.create(model="m", input=question, tools=[])
            for item in response.output:
                handler = DISPATCH.get(item.name)
                if handler is None:
                    continue
                handler(json.loads(item.arguments))  # <- AIS301, AIS302
    """,
    "chat-tool-calls-subscript-and-keywords": """
        import json
        import requests
        from openai import OpenAI

        client = OpenAI()

        def fetch(url, timeout=10):
            return requests.get(url, timeout=timeout).text

        def read_file(path):
            with open(path) as handle:
                return handle.read()

        def weather(city):
            return requests.get("https://api.example/weather", params={"q": city}).text

        HANDLERS = {"fetch": fetch, "read_file": read_file, "weather": weather}

        def step(messages):
            reply = client.chat.completions.create(model="m", messages=messages, tools=[])
            for call in reply.choices[0].message.tool_calls or []:
                result = HANDLERS[call.function.name](**json.loads(call.function.arguments))  # <- AIS304, AIS304
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
    """,
    "methods-in-a-dispatch-table": """
        import json, os
        from openai import OpenAI

        class Agent:
            def __init__(self):
                self.client = OpenAI()
                self.tools = {"shell": self.shell, "echo": self.echo}

            def shell(self, command):
                os.system(command)

            def echo(self, text):
                print(text)

            def step(self):
                reply = self.client.chat.completions.create(model="m", messages=[], tools=[])
                call = reply.choices[0].message.tool_calls[0]
                self.tools[call.function.name](**json.loads(call.function.arguments))  # <- AIS301
    """,
    "table-called-with-trusted-arguments": """
        import os, subprocess

        def backup(target):
            subprocess.run(f"tar czf /backups/{target}.tgz /srv/{target}", shell=True)

        def rotate(target):
            os.system("logrotate /etc/logrotate.d/" + target)

        JOBS = {"backup": backup, "rotate": rotate}

        def nightly():
            for name in ("backup", "rotate"):
                JOBS[name](os.environ.get("TARGET", "app"))
    """,
    "globals-and-prefixed-keys": """
        import os, subprocess
        from openai import OpenAI

        client = OpenAI()

        def answer(task):
            return client.responses.create(model="m", input=task).output_text

        def tool_shell(command):
            subprocess.run(command, shell=True)

        def tool_echo(command):
            print(command)

        def admin_wipe(command):
            os.system("rm -rf /srv/" + command)

        TOOLS = {"tool_echo": tool_echo, "admin_wipe": admin_wipe}

        def step(task):
            name = answer("Which tool?")
            globals()[f"tool_{name}"](answer(task))  # <- AIS301, AIS304
            TOOLS["tool_" + name](answer(task))
    """,
    "registration-decorator": """
        import json, os, subprocess
        from openai import OpenAI

        client = OpenAI()
        REGISTRY = {}
        AUDIT = {}

        def tool(fn):
            REGISTRY[fn.__name__] = fn
            return fn

        def audited(fn):
            AUDIT["last"] = fn.__name__
            return fn

        @tool
        def run_shell(command: str) -> str:
            return subprocess.run(command, shell=True, capture_output=True).stdout

        @audited
        def wipe(target: str) -> None:
            os.system("rm -rf /srv/" + target)

        def loop(messages):
            reply = client.chat.completions.create(model="m", messages=messages, tools=[])
            for call in reply.choices[0].message.tool_calls or []:
                REGISTRY[call.function.name](**json.loads(call.function.arguments))  # <- AIS301
                REGISTRY["run_shell"]("uptime")
    """,
    "registration-decorator-factory": """
        import json, os
        from openai import OpenAI

        client = OpenAI()
        TOOLS = {}
        HOOKS = []

        def register(name, description=""):
            def wrap(fn):
                TOOLS[name] = fn
                return fn
            return wrap

        def hook(fn):
            HOOKS.append(fn)
            return fn

        @register("shell", description="run a command")
        def shell(command):
            os.system(command)

        @register(name="echo")
        def echo(text):
            print(text)

        @hook
        def on_start(path):
            os.remove(path)

        def step(messages):
            reply = client.chat.completions.create(model="m", messages=messages, tools=[])
            call = reply.choices[0].message.tool_calls[0]
            TOOLS.get(call.function.name)(**json.loads(call.function.arguments))  # <- AIS301
            TOOLS["echo"](**json.loads(call.function.arguments))
            for handler in HOOKS:
                handler(reply.choices[0].message.content)  # <- AIS304
                handler("/tmp/cache")
    """,
}


# ----- 4. model output written to a file, then read back or run -----

LOADER = """
        import json
        from flask import Flask, request
        from langchain_core.prompts import ChatPromptTemplate

        app = Flask(__name__)

        def load_prompt(path):
            with open(path) as handle:
                return from_config(json.load(handle))

        def load_chat(config):
            if "template_path" in config:
                return load_prompt(config["template_path"])
            return ChatPromptTemplate.from_template(config["template"])

        LOADERS = {"chat": load_chat}

        def from_config(config):
            return LOADERS[config["_type"]](config)
"""

FILES = {
    "temporary-script-run-by-an-interpreter": """
        import os, runpy, subprocess, sys, tempfile
        from pathlib import Path
        from openai import OpenAI

        client = OpenAI()

        def generate(task):
            reply = client.chat.completions.create(model="m", messages=[{"role": "user", "content": task}])
            return reply.choices[0].message.content

        def run_named(task):
            with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
                handle.write(generate(task))
                script = handle.name
            subprocess.run([sys.executable, script], timeout=30)  # <- AIS301

        def run_mkstemp(task):
            fd, script = tempfile.mkstemp(suffix=".sh")
            with os.fdopen(fd, "w") as handle:
                handle.write(generate(task))
            subprocess.run(["bash", script])  # <- AIS301
            subprocess.run(["wc", "-l", script])
            subprocess.run(["python", "tools/lint.py", script])

        def run_constant_path(task):
            target = "/tmp/generated_job.py"
            with open(target, "w") as handle:
                handle.write(generate(task))
            subprocess.run(f"python {target}", shell=True)  # <- AIS301

        def run_path_object(task):
            script = Path("job.txt")
            script.write_text(generate(task))
            runpy.run_path(str(script))  # <- AIS301
    """,
    "written-in-one-function-read-in-another": """
        import yaml
        from openai import OpenAI

        client = OpenAI()
        PLAN = "plan.out"

        def save_plan(goal):
            reply = client.chat.completions.create(model="m", messages=[{"role": "user", "content": goal}])
            with open(PLAN, "w") as out:
                out.write(reply.choices[0].message.content)

        def replay_plan():
            with open(PLAN) as handle:
                exec(handle.read())  # <- AIS301
            with open(PLAN) as handle:
                yaml.load(handle, Loader=yaml.Loader)  # <- AIS304
            with open("settings.yaml") as handle:
                yaml.load(handle, Loader=yaml.Loader)
    """,
    "files-that-hold-only-trusted-text": """
        import subprocess, tempfile
        from openai import OpenAI

        client = OpenAI()
        TEMPLATE = "print('hello')"

        def scaffold(task):
            with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
                handle.write(TEMPLATE)
                script = handle.name
            subprocess.run(["python", script])
            notes = client.chat.completions.create(model="m", messages=[{"role": "user", "content": task}])
            with open("notes.md", "w") as out:
                out.write(notes.choices[0].message.content)
            subprocess.run(["python", "tools/publish.py", "report.md"])
            exec(open("report.md").read())
    """,
    "upload-saved-then-opened-by-a-helper": """
        import tempfile
        from fastapi import FastAPI, UploadFile
        from openai import OpenAI

        app = FastAPI()
        client = OpenAI()

        class Assistant:
            def __init__(self, csv_path: str):
                with open(csv_path, encoding="utf-8") as handle:
                    self.sample = "".join(handle.readlines()[:20])

            def plan(self):
                return client.responses.create(
                    model="m", instructions="Plan the cleaning of these rows:\\n" + self.sample, input="Go."  # <- AIS204
                )

        class Template:
            def __init__(self, path: str):
                with open(path, encoding="utf-8") as handle:
                    self.text = handle.read()

            def plan(self):
                return client.responses.create(model="m", instructions=self.text, input="Go.")

        @app.post("/clean")
        async def clean(upload: UploadFile):
            with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as tmp:
                tmp.write(await upload.read())
            Assistant(tmp.name).plan()
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as header:
                header.write("Plan the cleaning of a CSV file.")
            Template(header.name).plan()
    """,
    # a loader that reads paths out of the file it loads: the file's contents are the project's
    # own unless a caller passes a path from elsewhere (a request)
    "a-loader-reading-paths-out-of-the-file-it-loads": LOADER,
    "a-loader-given-a-requested-path": LOADER.replace(
        "            return from_config(json.load(handle))",
        "            return from_config(json.load(handle))  # <- AIS204",
    )
    + """
        @app.post("/preview")
        def preview():
            return load_prompt(request.form["path"])
    """,
    "path-built-from-parts": """
        import os, subprocess, sys, tempfile
        from pathlib import Path
        from openai import OpenAI

        client = OpenAI()

        def ask(q):
            return client.responses.create(model="m", input=q).output_text

        def run_joined(task):
            path = os.path.join(tempfile.mkdtemp(), "gen.py")
            with open(path, "w") as handle:
                handle.write(ask(task))
            subprocess.run([sys.executable, path], check=True)  # <- AIS301

        def run_in(task, workdir):
            (Path(workdir) / "build" / "job.sh").write_text(ask(task))
            subprocess.run(["bash", os.path.join(workdir, "build", "job.sh")])  # <- AIS301
            subprocess.run(["bash", os.path.join(workdir, "job.sh")])
            subprocess.run(["bash", os.path.join(self_dir(), "build", "job.sh")])

        def count(task, workdir):
            out = Path(workdir) / "reply.txt"
            out.write_text(ask(task))
            subprocess.run(["wc", "-w", str(out)])
            subprocess.run(["bash", str(Path(workdir) / "other.sh")])

        def constant_dir(task):
            (Path("/srv/jobs") / "nightly.sh").write_text(ask(task))
            os.system("sh /srv/jobs/nightly.sh")  # <- AIS301
            os.system("sh /srv/jobs/weekly.sh")

        def self_dir():
            return os.getcwd()
    """,
}


# ----- 5. everyday idioms between a source and a sink -----

IDIOMS = {
    "generators-and-context-managers": """
        import contextlib, os
        from flask import Flask, request
        from openai import AsyncOpenAI, OpenAI

        app = Flask(__name__)
        client = OpenAI()
        aclient = AsyncOpenAI()

        def prompt_lines(question):
            yield "Answer the customer question below politely and briefly:"
            yield question

        def fixed_lines():
            yield "Answer the customer question below politely and briefly:"
            yield "What are your opening hours?"

        @app.post("/ask")
        def ask():
            question = request.json["q"]
            client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "\\n".join(prompt_lines(question))}]  # <- AIS202
            )
            client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "\\n".join(fixed_lines())}]
            )

        async def stream_text(task):
            stream = await aclient.chat.completions.create(model="m", messages=[], stream=True)
            async for chunk in stream:
                yield chunk.choices[0].delta.content or ""

        async def run(task):
            command = ""
            async for piece in stream_text(task):
                command += piece
            os.system(command)  # <- AIS301

        @contextlib.contextmanager
        def generated(task):
            yield client.responses.create(model="m", input=task).output_text

        @contextlib.contextmanager
        def workspace():
            yield "/srv/work"

        def apply(task):
            with generated(task) as code:
                exec(code)  # <- AIS301
            with workspace() as path:
                os.system("ls " + path)
    """,
    "lambdas": """
        import os
        from flask import Flask, request
        from openai import OpenAI

        app = Flask(__name__)
        client = OpenAI()

        def answer(task):
            return client.responses.create(model="m", input=task).output_text

        ACTIONS = {"shell": lambda command: os.system(command), "log": lambda command: print(command)}

        def act(task):
            ACTIONS["shell"](answer(task))  # <- AIS301
            ACTIONS["log"]("cleanup done")

        @app.post("/ask")
        def ask():
            question = request.json["q"]
            framed = lambda text: "Answer the customer question below politely: " + text
            client.responses.create(model="m", input=framed(question))  # <- AIS202
            client.responses.create(model="m", input=framed("opening hours"))
            client.responses.create(model="m", input=sorted([question], key=lambda x: len(x))[0])
    """,
    "functools-partial": """
        import functools
        from flask import Flask, request
        from openai import OpenAI

        app = Flask(__name__)
        client = OpenAI()

        def send(model, prompt):
            return client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}])

        @app.post("/ask")
        def ask():
            question = request.json["q"]
            small = functools.partial(send, "gpt-4o-mini")
            small("Answer the customer question below politely: " + question)  # <- AIS202
            small("Answer the customer question below politely: opening hours")
            small(question)
    """,
    "getattr-dispatch-on-a-local-class": """
        import subprocess
        from openai import OpenAI

        client = OpenAI()

        def answer(task):
            return client.responses.create(model="m", input=task).output_text

        class Toolbox:
            def tool_shell(self, argument):
                subprocess.run(argument, shell=True)

            def tool_echo(self, argument):
                print(argument)

            def render(self, argument):
                subprocess.run(argument, shell=True)

            def step(self, task):
                name = answer("Which tool?")
                getattr(self, f"tool_{name}")(answer(task))  # <- AIS301, AIS304
                getattr(self, "tool_echo")(answer(task))
    """,
    "fastapi-depends": """
        from typing import Annotated
        from fastapi import Depends, FastAPI, Header
        from openai import OpenAI

        app = FastAPI()
        client = OpenAI()
        SYSTEM = "You are the ACME support assistant. Be brief."

        def persona(x_persona: str = Header("")):
            return x_persona

        def settings():
            return {"tone": "friendly"}

        @app.post("/ask")
        def ask(
            question: str,
            who: Annotated[str, Depends(persona)],
            config: dict = Depends(settings),
        ):
            client.chat.completions.create(model="m", messages=[
                {"role": "system", "content": SYSTEM + " Persona: " + who},  # <- AIS201
                {"role": "user", "content": question},
            ])
            client.chat.completions.create(model="m", messages=[
                {"role": "system", "content": SYSTEM + " Tone: " + config["tone"]},
                {"role": "user", "content": question},
            ])
    """,
    "declared-field-written-elsewhere-in-the-module": """
        from dataclasses import dataclass
        import httpx
        from openai import OpenAI

        client = OpenAI()
        SYSTEM = "Summarise news articles for product managers in three sentences."

        @dataclass
        class Article:
            title: str
            link: str
            text: str = ""
            section: str = "news"

        class Digest:
            def __init__(self):
                self.http = httpx.Client(timeout=15)

            def collect(self, links):
                articles = []
                articles.extend(Article("", link) for link in links)
                for article in articles:
                    article.text = self.http.get(article.link).text
                    article.section = "tech"
                return articles

            def summarise_with_context(self, article: Article) -> str:
                client.chat.completions.create(model="m", messages=[
                    {"role": "system", "content": SYSTEM + "\\nARTICLE:\\n" + article.text},  # <- AIS204
                ])
                client.chat.completions.create(model="m", messages=[
                    {"role": "system", "content": SYSTEM + " Section: " + article.section},
                ])
    """,
    "match-statement-captures": """
        import os
        from openai import OpenAI

        client = OpenAI()

        def act(task):
            reply = client.responses.create(model="m", input=task).output_text
            match reply.split():
                case ["run", *command]:
                    os.system(" ".join(command))  # <- AIS301
                case ["status"]:
                    os.system("uptime")
                case [verb, target] if verb == "restart":
                    os.system("systemctl restart " + target)  # <- AIS301
                case _:
                    pass
    """,
    "shell-quoted-then-run-as-code": """
        import os, shlex, subprocess
        from openai import OpenAI

        client = OpenAI()

        def run(task):
            script = client.responses.create(model="m", input=task).output_text
            os.system("bash -c " + shlex.quote(script))  # <- AIS301
            subprocess.run(f"/usr/bin/python3 -c {shlex.quote(script)}", shell=True)  # <- AIS301
            os.system("eval " + shlex.quote(script))  # <- AIS301
            os.system("git commit -m " + shlex.quote(script))
            os.system("git -c " + shlex.quote(script) + " status")
            os.system("echo " + shlex.quote(script) + " | wc -c")
    """,
    "streamlit-session-state-history": """
        import streamlit as st
        from openai import OpenAI

        client = OpenAI()
        SYSTEM = "You are the ACME support assistant. Be brief and polite."

        if "messages" not in st.session_state:
            st.session_state.messages = [{"role": "system", "content": SYSTEM}]
        if "notes" not in st.session_state:
            st.session_state.notes = [{"role": "system", "content": SYSTEM}]
        prompt = st.chat_input("Ask")
        st.session_state.messages.append({"role": "system", "content": "Customer name: " + prompt})
        client.chat.completions.create(model="m", messages=st.session_state.messages)  # <- AIS201
        st.session_state.notes.append({"role": "user", "content": prompt})
        client.chat.completions.create(model="m", messages=st.session_state.notes)
    """,
    "nested-request-models-keep-their-field-types": """
        from dataclasses import dataclass
        from typing import Optional
        from fastapi import FastAPI
        from openai import OpenAI
        from pydantic import BaseModel

        app = FastAPI()
        client = OpenAI()
        SYSTEM = "You plan trips for the ACME travel desk. Answer in one paragraph."

        class Profile(BaseModel):
            name: str
            party_size: int

        @dataclass
        class Budget:
            currency: str
            amount: float

        class Trip(BaseModel):
            destination: str
            profile: Profile
            backup: Optional[Profile] = None
            spare: Profile | None = None
            budget: Budget

        @app.post("/trip")
        def plan(body: Trip):
            client.responses.create(model="m", instructions=SYSTEM + f" Party: {body.profile.party_size}", input="x")
            client.responses.create(model="m", instructions=SYSTEM + f" Backup: {body.backup.party_size}", input="x")
            client.responses.create(model="m", instructions=SYSTEM + f" Spare: {body.spare.party_size}", input="x")
            client.responses.create(model="m", instructions=SYSTEM + f" Budget: {body.budget.amount}", input="x")
            client.responses.create(model="m", instructions=SYSTEM + " Name: " + body.profile.name, input="x")  # <- AIS201
            client.responses.create(model="m", instructions=SYSTEM + " Cur: " + body.budget.currency, input="x")  # <- AIS201
            client.responses.create(model="m", instructions=SYSTEM + " Spare: " + body.spare.name, input="x")  # <- AIS201
            client.responses.create(model="m", instructions=SYSTEM + " Whole: " + str(body.profile), input="x")  # <- AIS201
    """,
    "fastapi-dependency-through-an-annotated-alias": """
        from typing import Annotated
        from fastapi import Depends, FastAPI, Security
        from openai import OpenAI
        from sqlalchemy import text
        from sqlalchemy.ext.asyncio import AsyncSession

        app = FastAPI()
        client = OpenAI()
        SYSTEM = "You triage facilities work orders for the ACME maintenance team."

        async def get_session():
            yield AsyncSession()

        def tenant():
            return {"tone": "brief"}

        SessionDep = Annotated[AsyncSession, Depends(get_session)]
        TenantDep = Annotated[dict, Security(tenant)]
        Note = Annotated[str, "free text"]  # an alias without a dependency: still request data

        @app.post("/triage")
        async def triage(site: str, session: SessionDep, settings: TenantDep, note: Note):
            rows = await session.execute(text("SELECT body FROM comments WHERE site = :s"), {"s": site})
            history = "\\n".join(row.body for row in rows)
            client.responses.create(model="m", instructions=SYSTEM + " Tone: " + settings["tone"], input=site)
            client.responses.create(model="m", instructions=SYSTEM + " History: " + history, input=site)  # <- AIS204
            client.responses.create(model="m", instructions=SYSTEM + " Note: " + note, input=site)  # <- AIS201
    """,
}

# a function handed to a library call that runs it with the other arguments
CALLBACKS = {
    f"{label}": f"""
        import asyncio, sqlite3, threading
        from concurrent.futures import ThreadPoolExecutor
        from fastapi import BackgroundTasks, FastAPI
        from openai import AsyncOpenAI

        app = FastAPI()
        client = AsyncOpenAI()
        pool = ThreadPoolExecutor()

        def run_sql(sql):
            sqlite3.connect("app.db").execute(sql)

        def log_sql(sql):
            print(sql)

        @app.post("/report")
        async def report(question: str, tasks: BackgroundTasks):
            reply = await client.chat.completions.create(model="m", messages=[{{"role": "user", "content": question}}])
            sql = reply.choices[0].message.content
            {shape.format(fn="run_sql", arg="sql")}  # <- AIS302
            {shape.format(fn="log_sql", arg="sql")}
            {shape.format(fn="run_sql", arg='"SELECT 1"')}
    """
    for label, shape in (
        ("to-thread", "await asyncio.to_thread({fn}, {arg})"),
        ("run-in-executor", "await asyncio.get_running_loop().run_in_executor(None, {fn}, {arg})"),
        ("executor-submit", "pool.submit({fn}, {arg})"),
        ("background-task", "tasks.add_task({fn}, {arg})"),
        ("thread-target", "threading.Thread(target={fn}, args=({arg},)).start()"),
        ("map", "list(map({fn}, [{arg}]))"),
    )
}


# ----- 7. local classes built on library types -----

LOCAL_TYPES = {
    "subclass-of-a-library-class": """
        import dspy
        from agents import Agent
        from flask import Flask, request
        app = Flask(__name__)

        class Briefer(Agent):
            pass

        class Headline(dspy.Signature):
            \"\"\"Write a headline for the article.\"\"\"
            article: str = dspy.InputField()

        class Persona(Agent):
            def __init__(self, persona):
                super().__init__(name="persona", instructions="Answer politely.")
                self.persona = persona

        class Template(dspy.Signature):
            @classmethod
            def with_instructions(cls, text):
                return cls

        @app.post("/brief")
        def brief():
            tone = request.form["tone"]
            Briefer(name="b", instructions=f"Use a {tone} tone.")  # <- AIS201
            Headline.with_instructions(f"Write a headline. {tone}")  # <- AIS201
            Briefer(name="b", instructions="Use a neutral tone.")
            Persona(tone)
            Template.with_instructions(tone)
            return "ok"
    """,
    "gradio-handler-given-as-a-partial": """
        import functools
        import gradio as gr
        from openai import OpenAI
        client = OpenAI()
        PERSONA = "You are a friendly story editor."

        def answer(system, question):
            return client.responses.create(model="m", instructions=system, input=question).output_text

        def summarise(max_words, story):
            return client.responses.create(model="m", input=f"Summarise in {int(max_words)} words: {story}").output_text  # <- AIS202

        def styled(story, style):
            return client.responses.create(model="m", instructions=f"Edit in this style: {style}", input=story).output_text  # <- AIS201

        with gr.Blocks() as demo:
            box = gr.Textbox()
            out = gr.Textbox()
            gr.Button("Ask").click(functools.partial(answer, PERSONA), inputs=[box], outputs=out)
            gr.Button("Summary").click(functools.partial(summarise, 60), inputs=[box], outputs=out)
            gr.Button("Style").click(functools.partial(styled, style="noir"), inputs=[box], outputs=out)
            gr.Button("Any style").click(styled, inputs=[box, box], outputs=out)
    """,
    "callable-instance": """
        import os
        from flask import Flask, request
        from openai import OpenAI
        app = Flask(__name__)
        client = OpenAI()

        class Summariser:
            def __init__(self, style):
                self.style = style

            def __call__(self, text):
                return client.responses.create(model="m", instructions=self.style, input=text).output_text  # <- AIS201

        class Banner:
            def __call__(self, text):
                return "Welcome!"

        @app.post("/run")
        def run():
            summarise = Summariser("Summarise in one line.")
            os.system(summarise(request.form["text"]))  # <- AIS301
            os.system(Banner()(request.form["text"]))
            persona = Summariser(request.form["persona"])
            return {"s": persona("hello")}
    """,
    "declared-field-types": """
        from dataclasses import dataclass
        import pandas as pd
        from openai import OpenAI
        client = OpenAI()

        class Frame:
            def query(self, expression):
                return expression

        @dataclass
        class Deps:
            frame: pd.DataFrame
            mine: Frame
            names: list

        def run(deps: Deps, path):
            expression = client.responses.create(model="m", input="A filter").output_text
            deps.frame.query(expression)  # <- AIS301
            built = Deps(frame=pd.read_csv(path), mine=Frame(), names=[])
            built.frame.query(expression)  # <- AIS301
            deps.mine.query(expression)
            deps.names.count(expression)
            deps.frame.query("region == 'EU'")
    """,
}


SHAPES = {
    f"{family}/{name}": code
    for family, table in (
        ("self-held", SELF_HELD),
        ("upload-fields", UPLOAD_FIELDS),
        ("dispatch", DISPATCH),
        ("files", FILES),
        ("idioms", IDIOMS),
        ("callbacks", CALLBACKS),
        ("local-types", LOCAL_TYPES),
    )
    for name, code in table.items()
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_application_shapes_are_followed_and_look_alikes_stay_quiet(name: str) -> None:
    check(SHAPES[name])


def test_self_referential_shapes_terminate() -> None:
    """Cycles an attacker (or a confused codebase) can write through the new shapes: dependencies
    that depend on each other, a lambda calling itself, a table holding itself, a generator
    yielding from itself, a file written with its own contents."""
    check(
        """
        import os
        from fastapi import Depends, FastAPI
        from openai import OpenAI

        app = FastAPI()
        client = OpenAI()

        def first(value: str = Depends(lambda: None), other: str = Depends(lambda: None)):
            return value

        def a(x: str, y: str = Depends(first)):
            return x + y

        def b(z: str = Depends(a), w: str = Depends(b)):
            return z

        @app.get("/loop")
        def loop(v: str = Depends(b)):
            spin = lambda n: spin(n)
            TABLE = {"self": None}
            TABLE["self"] = TABLE
            def walk(n):
                yield from walk(n)
            with open("state.txt", "w") as out:
                out.write(open("state.txt").read())
            return spin(v), TABLE["self"]["self"], list(walk(v))

        def run(task):
            os.system(client.responses.create(model="m", input=task).output_text)  # <- AIS301
        """
    )


def test_a_state_graph_runs_its_nodes_with_the_input_and_each_others_updates() -> None:
    """LangGraph: `graph.invoke(input)` runs every node the module added, with the input and what
    the nodes return (one node's answer is the next one's state); other graphs' nodes do not run.
    Both are reported at the call that runs the graph (the sink inside the node is on the path)."""
    check(
        """
        import os
        from typing import TypedDict
        import networkx as nx
        from fastapi import FastAPI
        from langgraph.graph import END, START, StateGraph
        from openai import OpenAI
        app = FastAPI()
        client = OpenAI()

        class State(TypedDict):
            question: str
            persona: str
            command: str

        def plan(state: State) -> dict:
            reply = client.chat.completions.create(
                model="m",
                messages=[
                    {"role": "system", "content": f"You are {state['persona']}."},
                    {"role": "user", "content": state["question"]},
                ],
            )
            return {"command": reply.choices[0].message.content}

        def act(state: State) -> dict:
            os.system(state["command"])
            return {}

        def report(state: State) -> dict:
            os.system(f"echo {state['question']!r} >> /var/log/questions")
            return {}

        builder = StateGraph(State)
        builder.add_node("plan", plan)
        builder.add_node(act)
        builder.add_edge(START, "plan")
        builder.add_edge("plan", "act")
        builder.add_edge("act", END)
        graph = builder.compile()
        other = nx.DiGraph()
        other.add_node(report)

        @app.post("/run")
        def run(question: str, persona: str):
            return graph.invoke({"question": question, "persona": persona})  # <- AIS201, AIS301

        @app.post("/safe")
        def safe(question: str):
            return graph.invoke({"question": question, "persona": "a helpful operator"})
        """
    )
