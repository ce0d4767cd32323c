"""A file named by checked data (issue 12): a path that passed a check which left no constant (a
collection computed at run time such as `git ls-files`, a `re.fullmatch` guard) may be opened,
but what is read from it is still indirect content (AIS204), unlike a file the project names
itself: a constant path, one under `__file__`, or one chosen from an allowlist of literals."""

from __future__ import annotations

from test_taint_app_shapes import check


def test_a_file_checked_against_a_computed_allowlist_is_still_indirect_content() -> None:
    check(
        """
        import os
        import subprocess
        from pathlib import Path
        from mcp.server.fastmcp import FastMCP
        from openai import OpenAI

        mcp = FastMCP("repo")
        client = OpenAI()
        ROOT = Path(os.environ.get("REPO_ROOT", ".")).resolve()

        def tracked():
            out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
            return set(out.stdout.splitlines())

        @mcp.tool()
        def review(path: str) -> str:
            if path not in tracked():
                return "not tracked"
            source = (ROOT / path).read_text()
            return client.responses.create(model="gpt-4.1", instructions="Review this:\\n" + source, input="go")  # <- AIS204

        @mcp.tool()
        def explain(path: str) -> str:
            if path not in tracked():
                return "not tracked"
            source = (ROOT / path).read_text()
            return client.responses.create(model="gpt-4.1", instructions="Explain the file.", input=source)
        """
    )


def test_a_regex_checked_name_under_a_configured_folder_is_indirect_content() -> None:
    check(
        """
        import os
        import re
        from flask import Flask, request, abort
        from anthropic import Anthropic

        app = Flask(__name__)
        client = Anthropic()
        UPLOADS = os.environ["UPLOAD_DIR"]
        NAME = re.compile(r"[a-z0-9_-]+\\.md")

        @app.post("/brief")
        def brief():
            name = request.form["doc"]
            if not NAME.fullmatch(name):
                abort(400)
            with open(os.path.join(UPLOADS, name)) as fh:
                guide = fh.read()
            reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=500, system=guide, messages=[{"role": "user", "content": "Summarise."}])  # <- AIS204
            return {"summary": reply.content[0].text}
        """
    )


def test_the_projects_own_files_stay_trusted() -> None:
    check(
        """
        import re
        from pathlib import Path
        from flask import Flask, request, abort
        from anthropic import Anthropic

        app = Flask(__name__)
        client = Anthropic()
        PROMPTS = Path(__file__).parent / "prompts"
        STYLES = ("formal", "casual")

        @app.post("/styled")
        def styled():
            style = request.form["style"]
            if not re.fullmatch(r"[a-z]+", style):
                abort(400)
            system = (PROMPTS / f"{style}.txt").read_text()
            reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=500, system=system, messages=[{"role": "user", "content": request.form["q"]}])
            return {"answer": reply.content[0].text}

        @app.post("/listed")
        def listed():
            style = request.form["style"]
            if style not in STYLES:
                abort(400)
            system = open(f"prompts/{style}.txt").read()
            reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=500, system=system, messages=[{"role": "user", "content": request.form["q"]}])
            return {"answer": reply.content[0].text}

        def load(name):
            if not re.fullmatch(r"[a-z]+", name):
                raise ValueError(name)
            return open(name + ".txt").read()

        SYSTEM = load("system")

        @app.post("/ask")
        def ask():
            reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=500, system=SYSTEM, messages=[{"role": "user", "content": request.form["q"]}])
            return {"answer": reply.content[0].text}
        """
    )


def test_a_checked_value_is_clean_for_every_sink() -> None:
    check(
        """
        import sqlite3
        from openai import OpenAI

        client = OpenAI()
        conn = sqlite3.connect("app.db")

        def tables():
            return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}

        def count(question):
            reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": question}])
            table = reply.choices[0].message.content.strip()
            if table not in tables():
                raise ValueError(table)
            return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        """
    )
