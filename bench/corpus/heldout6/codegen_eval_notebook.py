# %% [markdown]
# # Code-generation eval (exported from `notebooks/codegen_eval.ipynb`)
# Scores an open model served by Hugging Face Inference Endpoints on our internal
# "data-wrangling" task set. Run with `python codegen_eval_notebook.py --model ...`.

# %%
import argparse
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
from huggingface_hub import InferenceClient
from langchain_core.prompts import PromptTemplate

# %%
cli = argparse.ArgumentParser()
cli.add_argument("--model", default="Qwen/Qwen2.5-Coder-32B-Instruct")
cli.add_argument("--tasks", default="data/wrangling_tasks.jsonl")
cli.add_argument("--prompt-template", default=None)
cli.add_argument("--limit", type=int, default=50)
args = cli.parse_args()

hf = InferenceClient(model=args.model, token=os.environ["HF_TOKEN"], timeout=120)
results_db = duckdb.connect("eval_results.duckdb")
results_db.execute("CREATE TABLE IF NOT EXISTS runs (task_id INTEGER, model VARCHAR, passed BOOLEAN, answer VARCHAR)")
FIXTURES = Path("data/fixtures")
SYSTEM = "You are an expert Python programmer. Answer with code only, no explanations."

# %%
if args.prompt_template:
    # ruleid: AIS203
    task_prompt = PromptTemplate.from_template(args.prompt_template)
else:
    # ok: AIS203
    task_prompt = PromptTemplate.from_template("Write a Python function `solve(rows)` that {instruction}.\nExample input: {example}")

tasks = [json.loads(line) for line in Path(args.tasks).read_text().splitlines()][: args.limit]


def generate(prompt: str) -> str:
    # ok: AIS204
    out = hf.chat_completion(
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}],
        max_tokens=800,
        temperature=0.0,
    )
    return out.choices[0].message.content.strip().removeprefix("```python").removesuffix("```")


# %%
passed = 0
for task in tasks:
    code = generate(task_prompt.format(instruction=task["instruction"], example=task["example"]))
    scope: dict = {}
    try:
        # ruleid: AIS301
        exec(code, scope)
        ok = scope["solve"](task["input"]) == task["expected"]
    except Exception:
        ok = False
    passed += ok
    # ruleid: AIS302
    results_db.execute(f"INSERT INTO runs VALUES ({int(task['id'])}, '{args.model}', {ok}, '{code}')")

print(f"pass@1 = {passed / max(len(tasks), 1):.2%}")

# %% [markdown]
# ## Isolated re-run of failures in a subprocess (timeouts kill runaway loops)

# %%
for task in tasks[:10]:
    code = generate(task_prompt.format(instruction=task["instruction"], example=task["example"]))
    harness = code + f"\nprint(repr(solve({task['input']!r})))"
    # ruleid: AIS301
    proc = subprocess.run([sys.executable, "-c", harness], capture_output=True, text=True, timeout=20)
    # ok: AIS301
    value = ast.literal_eval(proc.stdout.strip() or "None")
    print(task["id"], value == task["expected"])

# %% [markdown]
# ## Structured-answer tasks: the model returns JSON, not code

# %%
for task in tasks[:10]:
    raw = generate(f"Return only a JSON object {{\"answer\": ...}} for: {task['instruction']}")
    # ok: AIS301
    answer = json.loads(raw)["answer"]
    # ok: AIS302
    results_db.execute("INSERT INTO runs VALUES (?, ?, ?, ?)", [int(task["id"]), args.model, answer == task["expected"], json.dumps(answer)])
    fixture_name = generate(f"Which fixture file (name only) best fits this task? {task['instruction']}")
    # ruleid: AIS304
    fixture = json.loads((FIXTURES / fixture_name).read_text())
    print(task["id"], len(fixture))

# %%
# ok: AIS301
subprocess.run(["git", "rev-parse", "HEAD"], check=True)
results_db.close()
