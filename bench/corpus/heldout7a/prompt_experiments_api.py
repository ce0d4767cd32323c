"""Prompt experiments service: product managers A/B-test prompt variants against a fixed eval set.

FastAPI + LangChain (LCEL) on OpenAI models; an LLM grader scores each answer.
"""
from __future__ import annotations

import ast
import json
import os
import uuid
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from fastapi import Depends, FastAPI, HTTPException
from langchain.agents import create_agent
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import (
    ChatPromptTemplate,
    HumanMessagePromptTemplate,
    PromptTemplate,
    SystemMessagePromptTemplate,
)
from langchain_experimental.tools import PythonREPLTool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

app = FastAPI(title="prompt-experiments")
RESULTS_DIR = Path(os.environ.get("EXPERIMENT_RESULTS", "/data/experiments"))
EVAL_SET = json.loads((Path(__file__).parent / "eval_set.json").read_text())
BASELINES = {"concise": "Answer the question in one sentence: {question}", "stepwise": "Think step by step, then answer: {question}"}
GRADER_SYSTEM = "You grade answers from 0 to 10 for correctness against the reference. Reply with the number only."

parser = StrOutputParser()


def get_llm() -> ChatOpenAI:
    return ChatOpenAI(model=os.environ.get("EXPERIMENT_MODEL", "gpt-4o-mini"), temperature=0)


class Variant(BaseModel):
    name: str
    template: str


class Experiment(BaseModel):
    title: str
    variants: list[Variant]
    system_template: str | None = None
    grader: Literal["numeric", "rubric"] = "numeric"


class RubricRequest(BaseModel):
    rubric: str
    answer: str


def grade(llm: ChatOpenAI, question: str, reference: str, answer: str) -> float:
    grader_prompt = ChatPromptTemplate.from_messages(
        [("system", GRADER_SYSTEM), ("human", "Question: {question}\nReference: {reference}\nAnswer: {answer}")]
    )
    raw = (grader_prompt | llm | parser).invoke({"question": question, "reference": reference, "answer": answer})
    # ok: AIS301
    return float(ast.literal_eval(raw.strip()))


@app.post("/experiments")
def run_experiment(exp: Experiment, llm: ChatOpenAI = Depends(get_llm)):
    results = {}
    for variant in exp.variants:
        # ruleid: AIS203
        prompt = ChatPromptTemplate.from_template(variant.template)
        chain = prompt | llm | parser
        scores = []
        for case in EVAL_SET:
            answer = chain.invoke({"question": case["question"]})
            scores.append(grade(llm, case["question"], case["reference"], answer))
        results[variant.name] = sum(scores) / len(scores)
    return {"title": exp.title, "scores": results}


@app.post("/experiments/with-system")
def run_with_system(exp: Experiment, llm: ChatOpenAI = Depends(get_llm)):
    if not exp.system_template:
        raise HTTPException(422, "system_template required")
    # ruleid: AIS201, AIS203
    system = SystemMessagePromptTemplate.from_template(exp.system_template)
    # ruleid: AIS203
    human = HumanMessagePromptTemplate.from_template(exp.variants[0].template)
    chain = ChatPromptTemplate.from_messages([system, human]) | llm | parser
    return {"answers": [chain.invoke({"question": c["question"]}) for c in EVAL_SET[:5]]}


@app.post("/experiments/mustache-preview")
def mustache_preview(variant: Variant):
    # ruleid: AIS203
    prompt = PromptTemplate(template=variant.template, input_variables=["question"], template_format="mustache")
    return {"preview": prompt.format(question=EVAL_SET[0]["question"])}


@app.post("/experiments/jinja-preview")
def jinja_preview(variant: Variant):
    # ruleid: AIS203
    prompt = PromptTemplate.from_template(variant.template, template_format="jinja2")
    return {"preview": prompt.format(question=EVAL_SET[0]["question"])}


@app.post("/baselines/{name}")
def run_baseline(name: str, question: str, llm: ChatOpenAI = Depends(get_llm)):
    if name not in BASELINES:
        raise HTTPException(404, "unknown baseline")
    # ok: AIS203
    prompt = PromptTemplate.from_template(BASELINES[name])
    return {"answer": (prompt | llm | parser).invoke({"question": question})}


@app.post("/house-style")
def run_house_style(question: str, llm: ChatOpenAI = Depends(get_llm)):
    template_text = os.environ.get("HOUSE_SYSTEM_TEMPLATE", "You are Acme's assistant. Today is {today}.")
    # ok: AIS203
    prompt = ChatPromptTemplate.from_messages([("system", template_text), ("human", "{question}")]).partial(today=date.today().isoformat())
    return {"answer": (prompt | llm | parser).invoke({"question": question})}


@app.post("/ask")
def ask(question: str, llm: ChatOpenAI = Depends(get_llm)):
    # ok: AIS203
    prompt = ChatPromptTemplate.from_messages([("system", "You are a helpful assistant."), ("human", "{question}")])
    return {"answer": (prompt | llm | parser).invoke({"question": question})}


@app.post("/grade/rubric")
def grade_rubric(req: RubricRequest, llm: ChatOpenAI = Depends(get_llm)):
    # ok: AIS203
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Score the answer against the rubric. Reply in YAML with keys score and reasons."),
         ("human", "{payload}")]
    )
    raw = (prompt | llm | parser).invoke({"payload": json.dumps({"rubric": req.rubric, "answer": req.answer})})
    # ruleid: AIS304
    verdict = yaml.load(raw, Loader=yaml.Loader)
    return {"verdict": verdict}


@app.post("/grade/rubric-safe")
def grade_rubric_safe(req: RubricRequest, llm: ChatOpenAI = Depends(get_llm)):
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Score the answer. Reply in YAML with keys score and reasons."), ("human", "{answer}")]
    )
    raw = (prompt | llm | parser).invoke({"answer": req.answer})
    # ok: AIS304
    verdict = yaml.load(raw, Loader=yaml.SafeLoader)
    return {"verdict": verdict}


@app.post("/grade/expression")
def grade_expression(req: RubricRequest, llm: ChatOpenAI = Depends(get_llm)):
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Return the weighted score as an arithmetic expression like 0.4*7 + 0.6*9."), ("human", "{answer}")]
    )
    expression = (prompt | llm | parser).invoke({"answer": req.answer})
    # ruleid: AIS301
    score = eval(expression)
    return {"score": score}


@app.post("/experiments/{experiment_id}/export")
def export_results(experiment_id: uuid.UUID, llm: ChatOpenAI = Depends(get_llm)):
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Suggest a short snake_case file name for experiment results. Name only."), ("human", "{eid}")]
    )
    name = (prompt | llm | parser).invoke({"eid": str(experiment_id)}).strip()
    # ruleid: AIS304
    with open(RESULTS_DIR / f"{name}.json", "w", encoding="utf-8") as fh:
        json.dump({"experiment": str(experiment_id)}, fh)
    return {"file": name}


@app.post("/analyst")
def analyst(question: str, llm: ChatOpenAI = Depends(get_llm)):
    # ruleid: AIS301
    tools = [PythonREPLTool()]
    agent = create_agent(llm, tools=tools, system_prompt="You analyse experiment results. Use Python for arithmetic.")
    result = agent.invoke({"messages": [{"role": "user", "content": question}]})
    return {"answer": result["messages"][-1].content}


@app.post("/analyst/summary")
def analyst_summary(question: str, llm: ChatOpenAI = Depends(get_llm)):
    # ok: AIS301
    agent = create_agent(llm, tools=[], system_prompt="You summarise experiment results for a product manager.")
    result = agent.invoke({"messages": [{"role": "user", "content": question}]})
    summary = result["messages"][-1].content
    # ok: AIS304
    (RESULTS_DIR / f"summary-{uuid.uuid4().hex}.txt").write_text(summary, encoding="utf-8")
    return {"summary": summary}
