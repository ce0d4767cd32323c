"""Data-cleaning assistant for uploaded CSVs (FastAPI + OpenAI Responses API + pandas).

The model proposes a cleaning plan (YAML) and pandas code; the service applies it to the upload and
returns the cleaned file.
"""

from __future__ import annotations

import ast
import io
import sqlite3
import tempfile

import pandas as pd
import yaml
from fastapi import FastAPI, UploadFile
from fastapi.responses import StreamingResponse
from langchain_experimental.agents import create_pandas_dataframe_agent
from langchain_openai import ChatOpenAI
from openai import OpenAI

app = FastAPI()
PLAN_INSTRUCTIONS = "You are a data engineer. Propose a YAML cleaning plan: a list of steps with 'column' and 'action'."


class CleaningAssistant:
    def __init__(self, csv_path: str, model: str = "gpt-4.1-mini") -> None:
        self.client = OpenAI()
        self.model = model
        self.frame = pd.read_csv(csv_path)
        with open(csv_path, encoding="utf-8") as handle:
            self.sample = "".join(handle.readlines()[:20])

    def _ask(self, instructions: str, question: str) -> str:
        return self.client.responses.create(model=self.model, instructions=instructions, input=question).output_text

    def plan(self) -> list[dict]:
        # ruleid: AIS204
        response = self.client.responses.create(
            model=self.model,
            instructions=PLAN_INSTRUCTIONS + "\nSample rows:\n" + self.sample,
            input="Propose the plan.",
        )
        # ruleid: AIS304
        steps = yaml.load(response.output_text, Loader=yaml.Loader)
        return steps or []

    def plan_safely(self) -> list[dict]:
        # ok: AIS204
        response = self.client.responses.create(model=self.model, instructions=PLAN_INSTRUCTIONS, input=self.sample)
        # ok: AIS304
        return yaml.safe_load(response.output_text) or []

    def rename_map(self) -> dict[str, str]:
        text = self._ask("Reply with a Python dict literal mapping old to new snake_case column names.", ",".join(self.frame.columns))
        # ok: AIS301
        return ast.literal_eval(text)

    def apply_code(self) -> pd.DataFrame:
        code = self._ask("Write pandas code that cleans the DataFrame `df` in place. Code only.", self.sample)
        namespace = {"df": self.frame.copy(), "pd": pd}
        # ruleid: AIS301
        exec(code, namespace)
        return namespace["df"]

    def derived_column(self, name: str) -> pd.Series:
        expr = self._ask("Write one Python expression over `df` that computes the requested column.", name)
        # ruleid: AIS301
        return eval(compile(expr, "<derived>", "eval"), {"df": self.frame, "pd": pd})

    def filter_rows(self, goal: str) -> pd.DataFrame:
        condition = self._ask("Write a Python boolean expression over the dict `row`.", goal)
        keep = []
        for row in self.frame.to_dict(orient="records"):
            # ruleid: AIS301
            if eval(condition, {"row": row}):
                keep.append(row)
        return pd.DataFrame(keep)

    def dedupe_sql(self) -> pd.DataFrame:
        script = self._ask("Write SQLite statements that deduplicate table `t`.", ",".join(self.frame.columns))
        conn = sqlite3.connect(":memory:")
        self.frame.to_sql("t", conn, index=False)
        # ruleid: AIS302
        conn.executescript(script)
        # ok: AIS302
        return pd.read_sql("SELECT * FROM t", conn)

    def agent(self):
        llm = ChatOpenAI(model=self.model)
        # ruleid: AIS301
        return create_pandas_dataframe_agent(llm, self.frame, allow_dangerous_code=True, verbose=False)


@app.post("/clean")
async def clean(upload: UploadFile, mode: str = "plan") -> StreamingResponse:
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as tmp:
        tmp.write(await upload.read())
    assistant = CleaningAssistant(tmp.name)
    frame = assistant.frame
    handlers = {"plan": assistant.plan_safely, "rename": assistant.rename_map, "code": assistant.apply_code}
    action = handlers.get(mode, assistant.plan_safely)
    result = action()
    if isinstance(result, pd.DataFrame):
        frame = result
    out = io.StringIO()
    frame.to_csv(out, index=False)
    out.seek(0)
    return StreamingResponse(out, media_type="text/csv")
