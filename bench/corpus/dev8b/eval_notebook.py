# %% [markdown]
# # Support-bot evaluation notebook (exported with jupytext)
# Run with `python eval_notebook.py --cases cases.csv --judge-notes notes.txt`.

# %%
import argparse
import ast
import importlib
import sqlite3
import uuid
from enum import Enum

import instructor
import pandas as pd
from agents import Agent, Runner, function_tool
from openai import OpenAI
from pydantic import BaseModel
from pydantic_ai import Agent as PydanticAgent

parser = argparse.ArgumentParser()
parser.add_argument("--cases", required=True)
parser.add_argument("--judge-notes")
parser.add_argument("--persona", default="a strict grader")
args = parser.parse_args()
client = instructor.from_openai(OpenAI())
raw = OpenAI()
results = sqlite3.connect("eval_results.db")

# %%
cases = pd.read_csv(args.cases)
notes = open(args.judge_notes).read() if args.judge_notes else ""


class Verdict(str, Enum):
    PASS = "pass"
    FAIL = "fail"


class Grade(BaseModel):
    verdict: Verdict
    score: int
    rationale: str
    table: str


# %%
# ruleid: AIS201
judge = PydanticAgent("openai:gpt-4o", output_type=Grade, system_prompt=f"You are {args.persona}. Grade support answers.")
# ruleid: AIS204
strict_judge = PydanticAgent("openai:gpt-4o", output_type=Grade, instructions="Grade support answers.\n" + notes)

# %%
for row in cases.itertuples():
    # ok: AIS204
    grade = judge.run_sync(f"Question: {row.question}\nAnswer: {row.answer}").output
    # ok: AIS302
    results.execute(f"INSERT INTO grades(run, verdict, score) VALUES ('{uuid.uuid4()}', '{grade.verdict.value}', {int(grade.score)})")
    # ok: AIS302
    results.execute("INSERT INTO rationales(text) VALUES (?)", (grade.rationale,))
    # ruleid: AIS302
    results.execute(f"INSERT INTO {grade.table}(verdict) VALUES ('{grade.verdict.value}')")

# %%
extracted = client.chat.completions.create(
    model="gpt-4o-mini",
    response_model=Grade,
    messages=[{"role": "user", "content": "Grade: the bot said 'reboot your router'."}],
)
# ruleid: AIS304
with open(f"reports/{extracted.table}.txt", "w") as out:
    out.write(extracted.rationale)


# %%
@function_tool
def load_scorer(module: str) -> str:
    """Import a custom scorer module by name."""
    # ruleid: AIS304
    scorer = importlib.import_module(module)
    return scorer.__doc__ or ""


@function_tool
def score_expression(expression: str) -> str:
    """Evaluate an arithmetic expression for the rubric."""
    # ok: AIS301
    return str(ast.literal_eval(expression))


@function_tool
def quick_math(expression: str) -> str:
    """Evaluate a Python expression."""
    # ruleid: AIS301
    return str(eval(expression))


analyst = Agent(name="rubric analyst", instructions="Use tools to compute rubric statistics.", tools=[load_scorer, score_expression, quick_math])
print(Runner.run_sync(analyst, "Average score by verdict, please.").final_output)

# %%
while True:
    question = input("ask the judge> ")
    if not question:
        break
    # ruleid: AIS202
    reply = raw.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": f"You are the grading assistant. Explain how the judge would grade: {question}"}],
    )
    code = reply.choices[0].message.content
    if question.startswith("!run"):
        # ruleid: AIS301
        exec(code)
