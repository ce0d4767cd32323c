"""Latency of `aisec server`: time from `didOpen` to the file's `publishDiagnostics`, warm server.

    python bench/lsp_latency.py             # 30 rounds per file, Markdown to stdout
    python bench/lsp_latency.py --rounds 100

Two generated files: a trigger-free module (500 lines no rule can fire on: the prefilter path) and
a 500-line LLM application (Flask routes building OpenAI chat messages from request data, model
output reaching `eval`/SQL, model loading: the taint and libcst path). The server is started once
and warmed up (both files opened and closed five times) before timing. Every round opens the file
with a different trailing comment, so no round is a result-cache hit: the numbers are analyses,
not cache reads. Needs the lsp extra (pygls).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

WARMUP = 5

LLM_BLOCK = """

@app.post("/chat/{n}")
def chat_{n}():
    question = request.json["question"]
    persona = request.args.get("persona", "assistant")
    messages = [
        {{"role": "system", "content": f"You are a {{persona}}. Answer briefly."}},
        {{"role": "user", "content": question}},
    ]
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    answer = reply.choices[0].message.content
    score = eval(answer)
    rows = db.execute(f"SELECT * FROM notes WHERE topic = '{{answer}}'")
    return jsonify(answer=answer, score=score, rows=len(list(rows)))


def load_model_{n}(path):
    with open(path, "rb") as handle:
        model = pickle.load(handle)
    config = yaml.safe_load(open("config.yml"))
    return model, config
"""

LLM_HEADER = """\
import pickle
import sqlite3

import yaml
from flask import Flask, jsonify, request
from openai import OpenAI

app = Flask(__name__)
client = OpenAI()
db = sqlite3.connect("notes.db")
"""

PLAIN_BLOCK = '''

def total_{n}(values):
    """Sum the positive values."""
    result = 0
    for value in values:
        if value > 0:
            result += value
    return result


class Counter{n}:
    def __init__(self):
        self.count = 0

    def bump(self, step=1):
        self.count += step
        return self.count
'''


def generated(header: str, block: str, lines: int) -> str:
    text, n = header, 0
    while text.count("\n") < lines:
        text += block.format(n=n)
        n += 1
    return "".join(line + "\n" for line in text.splitlines()[:lines])


class Client:
    """An LSP client that times didOpen -> publishDiagnostics."""

    def __init__(self) -> None:
        self.lsp = LanguageClient("aisec-bench", "1")
        self.arrived: dict[str, asyncio.Future[list[types.Diagnostic]]] = {}

        @self.lsp.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(_: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
            future = self.arrived.get(params.uri)
            if future is not None and not future.done():
                future.set_result(list(params.diagnostics))

    async def start(self, cwd: Path) -> None:
        await self.lsp.start_io(sys.executable, "-m", "aisec", "server", cwd=str(cwd))
        await self.lsp.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
        self.lsp.initialized(types.InitializedParams())

    async def open_and_wait(self, path: Path, text: str) -> tuple[float, int]:
        uri = path.as_uri()
        self.arrived[uri] = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        self.lsp.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
        )
        diagnostics = await asyncio.wait_for(self.arrived[uri], 120)
        elapsed = time.perf_counter() - started
        self.lsp.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
        return elapsed, len(diagnostics)

    async def stop(self) -> None:
        await self.lsp.shutdown_async(None)
        self.lsp.exit(None)
        await self.lsp.stop()


async def measure(rounds: int) -> list[tuple[str, int, list[float]]]:
    files = {
        "trigger-free module": generated('"""Plain helpers."""\n', PLAIN_BLOCK, 500),
        "LLM app": generated(LLM_HEADER, LLM_BLOCK, 500),
    }
    results = []
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        (project / ".git").mkdir()
        client = Client()
        await client.start(project)
        try:
            for name, text in files.items():
                path = project / f"{name.split()[0].lower()}.py"
                path.write_text(text, encoding="utf-8")
                for round_ in range(WARMUP):
                    await client.open_and_wait(path, f"{text}# warm-up {round_}\n")
                times, count = [], 0
                for round_ in range(rounds):
                    elapsed, count = await client.open_and_wait(path, f"{text}# round {round_}\n")
                    times.append(elapsed)
                results.append((name, count, times))
        finally:
            await client.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    results = asyncio.run(measure(args.rounds))
    print(
        f"`aisec server`, didOpen -> publishDiagnostics, warm server, {args.rounds} rounds, no cache hits\n"
    )
    print("| file (500 lines) | diagnostics | median ms | max ms |")
    print("|---|---:|---:|---:|")
    for name, count, times in results:
        print(f"| {name} | {count} | {statistics.median(times) * 1000:.1f} | {max(times) * 1000:.1f} |")


if __name__ == "__main__":
    main()
