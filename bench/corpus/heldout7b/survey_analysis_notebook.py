# %% [markdown]
# # Customer survey analysis (Q3)
# Exported from the analytics team's notebook. Uses the HF Inference API for free-text coding,
# a SQLite copy of the survey warehouse and a LangChain pandas agent for ad-hoc questions.

# %%
import ast
import json
import os
import sqlite3
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from huggingface_hub import InferenceClient
from langchain_experimental.agents import create_pandas_dataframe_agent
from langchain_huggingface import ChatHuggingFace, HuggingFaceEndpoint

DATA = Path(os.environ.get("SURVEY_DATA", "~/data/survey_q3")).expanduser()
OUT = DATA / "figures"
OUT.mkdir(exist_ok=True)
MODEL = "meta-llama/Llama-3.3-70B-Instruct"
client = InferenceClient(model=MODEL, token=os.environ["HF_TOKEN"])
conn = sqlite3.connect(DATA / "warehouse.sqlite")

SCHEMA = """responses(id INTEGER, respondent_id INTEGER, question_id INTEGER, answer TEXT, score INTEGER, region TEXT)
questions(id INTEGER, text TEXT, kind TEXT)"""


def chat(system: str, user: str, max_tokens: int = 800) -> str:
    # ok: AIS204
    out = client.chat_completion(
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        max_tokens=max_tokens,
        temperature=0.2,
    )
    return out.choices[0].message.content.strip()


def strip_fences(text: str) -> str:
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1].rsplit("```", 1)[0]
    return text


# %% Load the free-text export
df = pd.read_csv(DATA / "free_text_export.csv")
df = df.dropna(subset=["answer"])
print(df.shape)

# %% Code the answers into themes: a sample of answers is given as the codebook context
sample = "\n".join(df["answer"].sample(40, random_state=7).tolist())
# ruleid: AIS204
codebook = client.chat_completion(
    messages=[
        {"role": "system", "content": "You build qualitative codebooks. Example answers:\n" + sample},
        {"role": "user", "content": "Propose 8 themes as a JSON list of {name, description}."},
    ],
    max_tokens=1200,
)
proposal = json.loads(strip_fences(codebook.choices[0].message.content))
print(json.dumps(proposal, indent=2))

# %% Themes as reviewed and pinned in the Q3 coding workshop
theme_names = ["pricing", "onboarding", "support", "reliability", "performance", "billing", "features", "docs"]

# %% Assign a theme to each answer (answer alone in the user turn)
def code_answer(answer: str) -> str:
    label = chat("Assign exactly one of these themes: " + ", ".join(theme_names) + ". Reply with the name.", answer, 20)
    return label if label in theme_names else "other"


# ok: AIS204
df["theme"] = [code_answer(a) for a in df["answer"].head(500)] + ["unassigned"] * max(0, len(df) - 500)

# %% Per-region summary with the region rows passed as the user message
for region, group in df.groupby("region"):
    rows = "\n".join(group["answer"].head(60))
    # ok: AIS204
    summary = chat("Summarise the main complaints in three bullets.", rows, 300)
    print(region, summary, sep="\n")

# %% Ad-hoc question answered with generated pandas code
question = "Which theme has the lowest average score per region?"
code = strip_fences(chat(
    "Write pandas code that answers the question using the DataFrame `df` (columns: respondent_id, "
    "region, question_id, answer, score, theme). Store the answer in a variable named result.",
    question,
))
print(code)
namespace = {"df": df, "pd": pd}
# ruleid: AIS301
exec(code, namespace)
print(namespace.get("result"))

# %% Same idea, but only syntax-check the generated code and keep it for review
draft = strip_fences(chat("Write pandas code that plots score by theme. Use the DataFrame `df`.", question))
# ok: AIS301
tree = ast.parse(draft)
# ok: AIS304
Path(OUT / "plot_by_theme_draft.py").write_text(draft)
print(f"{len(tree.body)} statements saved for review")

# %% Quick metric from a model-written expression
expr = chat("Write a single Python expression over `df` computing the NPS. Expression only.", "NPS", 100)
# ruleid: AIS301
nps = eval(expr, {"df": df})
print("NPS", nps)

# %% Pandas agent for exploratory questions
llm = ChatHuggingFace(llm=HuggingFaceEndpoint(repo_id=MODEL, max_new_tokens=512))
# ruleid: AIS301
agent = create_pandas_dataframe_agent(llm, df, allow_dangerous_code=True, verbose=True)
print(agent.invoke({"input": "How many answers mention pricing?"})["output"])

# %% Warehouse questions in SQL
sql = strip_fences(chat("Write one SQLite query for this schema. SQL only.\n" + SCHEMA,
                        "Average score per question kind for the EMEA region"))
# ruleid: AIS302
kinds = pd.read_sql(sql, conn)
kinds.plot.bar(x=kinds.columns[0], y=kinds.columns[-1])
plt.savefig(OUT / "score_by_kind.png")

# %% Let the model pick the question to drill into, then query with parameters
picked = chat("Reply with only the numeric id of the question about onboarding.\n" + SCHEMA, "onboarding", 10)
question_id = int(picked)
# ok: AIS302
drill = pd.read_sql("SELECT answer, score FROM responses WHERE question_id = ?", conn, params=(question_id,))
print(drill.describe())

# %% Cleanup script proposed by the model (deduplicate respondents)
cleanup = strip_fences(chat("Write SQLite statements that delete duplicate respondents. SQL only.\n" + SCHEMA, "dedupe"))
# ruleid: AIS302
conn.executescript(cleanup)
conn.commit()

# %% Region filter chosen by the model, validated against known regions
known_regions = {"EMEA", "NA", "APAC", "LATAM"}
region = chat("Reply with the region code the question is about.", "How is Japan doing?", 10)
if region not in known_regions:
    raise ValueError(f"unexpected region {region!r}")
# ok: AIS302
by_region = pd.read_sql(f"SELECT theme, avg(score) FROM coded WHERE region = '{region}' GROUP BY theme", conn)
print(by_region)

# %% Save the figure under the theme the model calls most urgent
urgent = chat("Reply with the name of the most urgent theme, nothing else.", ", ".join(theme_names), 20)
if urgent in theme_names:
    df[df["theme"] == urgent]["score"].hist()
    # ok: AIS304
    plt.savefig(OUT / f"urgent_{theme_names.index(urgent)}.png")
