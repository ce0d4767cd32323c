"""Helpers imported by the analytics team's notebooks: "ask the data" with an LLM.

    from notebook_analyst import Analyst
    a = Analyst(df)
    a.ask("monthly revenue by region as a bar chart")
"""

from __future__ import annotations

import ast
import json
import os
import textwrap
import uuid
from pathlib import Path

import pandas as pd
from langchain_experimental.agents import create_pandas_dataframe_agent
from langchain_experimental.pal_chain import PALChain
from langchain_experimental.tools import PythonREPLTool
from langchain_openai import ChatOpenAI
from openai import OpenAI

client = OpenAI()
MODEL = os.environ.get("ANALYST_MODEL", "gpt-4.1")
EXPORT_DIR = Path(os.environ.get("ANALYST_EXPORTS", "exports"))
AGGREGATIONS = {"sum": pd.Series.sum, "mean": pd.Series.mean, "median": pd.Series.median, "max": pd.Series.max}

CODE_SYSTEM = textwrap.dedent(
    """\
    You write pandas code. A DataFrame named df is in scope. Put the final value in a
    variable named result. Reply with code only, no fences."""
)


def _complete(system: str, user: str) -> str:
    response = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        temperature=0,
    )
    return response.choices[0].message.content or ""


def _strip_fences(code: str) -> str:
    lines = [line for line in code.splitlines() if not line.startswith("```")]
    return "\n".join(lines)


class Analyst:
    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self.history: list[str] = []

    def describe_columns(self) -> str:
        return ", ".join(f"{name} ({dtype})" for name, dtype in self.df.dtypes.items())

    def ask(self, question: str):
        code = _strip_fences(_complete(CODE_SYSTEM + "\nColumns: " + self.describe_columns(), question))
        self.history.append(code)
        namespace = {"df": self.df, "pd": pd}
        # ruleid: AIS301
        exec(code, namespace)
        return namespace.get("result")

    def ask_expression(self, question: str):
        expression = _complete("Reply with one pandas expression over df, nothing else.", question)
        # ruleid: AIS301
        program = compile(expression, "<analyst>", "eval")
        # ruleid: AIS301
        return eval(program, {"df": self.df, "pd": pd})

    def aggregate(self, question: str) -> float:
        reply = _complete(
            'Reply with JSON {"column": <name>, "op": "sum"|"mean"|"median"|"max"}.', question
        )
        spec = json.loads(reply)
        op, column = spec.get("op"), spec.get("column")
        if op not in AGGREGATIONS or column not in self.df.columns:
            raise ValueError(f"unsupported aggregation {spec!r}")
        # ok: AIS301
        return AGGREGATIONS[op](self.df[column])

    def thresholds(self, question: str) -> dict:
        reply = _complete("Reply with a Python dict literal mapping column names to numeric limits.", question)
        # ok: AIS301
        return dict(ast.literal_eval(reply))

    def agent(self, question: str) -> str:
        llm = ChatOpenAI(model=MODEL, temperature=0)
        # ruleid: AIS301
        agent = create_pandas_dataframe_agent(llm, self.df, verbose=False, allow_dangerous_code=True)
        return agent.invoke({"input": question})["output"]

    def agent_readonly(self, question: str) -> str:
        llm = ChatOpenAI(model=MODEL, temperature=0)
        # ok: AIS301
        agent = create_pandas_dataframe_agent(llm, self.df, verbose=False, allow_dangerous_code=False)
        return agent.invoke({"input": question})["output"]

    def math(self, word_problem: str) -> str:
        llm = ChatOpenAI(model=MODEL, temperature=0)
        # ruleid: AIS301
        chain = PALChain.from_math_prompt(llm, verbose=False)
        return chain.run(word_problem)

    def repl_tool(self):
        """Handed to the team's agent notebook as one of its tools."""
        # ruleid: AIS301
        return PythonREPLTool()

    def load_reference(self, question: str) -> pd.DataFrame:
        """The model names the public CSV (URL) that holds reference data for the question."""
        source = _complete("Reply with the URL of a CSV with reference data, nothing else.", question)
        # ruleid: AIS304
        return pd.read_csv(source.strip())

    def export(self, question: str) -> Path:
        name = _complete("Suggest a short file name (no directories) ending in .csv.", question).strip()
        path = EXPORT_DIR / name
        # ruleid: AIS304
        self.df.to_csv(path, index=False)
        return path

    def export_safe(self, question: str) -> Path:
        summary = _complete("Summarise the question in five words.", question)
        path = EXPORT_DIR / f"{uuid.uuid4().hex}.csv"
        # ok: AIS304
        self.df.to_csv(path, index=False)
        # ok: AIS304
        (EXPORT_DIR / "index.txt").open("a", encoding="utf-8").write(f"{path.name}\t{summary}\n")
        return path

    def chart(self, question: str) -> None:
        code = _complete(CODE_SYSTEM + " Draw with matplotlib; do not call plt.show().", question)
        # ruleid: AIS301
        exec(_strip_fences(code), {"df": self.df, "pd": pd, "__name__": "analyst_chart"})
