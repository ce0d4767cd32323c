# Held-out corpus. Semgrep-style annotations: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
"""FastAPI "prompt studio": teams store and run their own prompt templates."""

from fastapi import Body, FastAPI
from jinja2 import Template
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

app = FastAPI()
llm = ChatOpenAI(model="gpt-4o-mini")

SUMMARY_TEMPLATE = "Summarise the text for a {audience} audience."


class RunRequest(BaseModel):
    template: str
    variables: dict[str, str] = {}
    system: str = ""


@app.post("/run")
def run(req: RunRequest):
    # ruleid: AIS203
    tpl = PromptTemplate.from_template(req.template)
    return llm.invoke(tpl.format(**req.variables)).content


@app.post("/run/jinja")
def run_jinja(req: RunRequest):
    # ruleid: AIS203
    tpl = PromptTemplate(template=req.template, input_variables=list(req.variables), template_format="jinja2")
    return llm.invoke(tpl.format(**req.variables)).content


@app.post("/run/chat")
def run_chat(req: RunRequest):
    # ruleid: AIS203
    chat_tpl = ChatPromptTemplate.from_template(req.template)
    return llm.invoke(chat_tpl.format_messages(**req.variables)).content


@app.post("/run/system")
def run_system(req: RunRequest):
    # ruleid: AIS201
    chat_tpl = ChatPromptTemplate.from_messages([("system", req.system), ("human", "{question}")])
    return (chat_tpl | llm).invoke({"question": req.variables.get("question", "")}).content


@app.post("/run/fixed")
def run_fixed(req: RunRequest):
    # ok: AIS201, AIS203
    chat_tpl = ChatPromptTemplate.from_messages([("system", "You are a careful editor."), ("human", "{text}")])
    return (chat_tpl | llm).invoke({"text": req.variables.get("text", "")}).content


@app.post("/run/summary")
def run_summary(audience: str = Body(...), text: str = Body(...)):
    # ok: AIS203
    system_tpl = PromptTemplate.from_template(SUMMARY_TEMPLATE)
    # ok: AIS201
    messages = [("system", SUMMARY_TEMPLATE), ("human", "{text}")]
    # ok: AIS203
    chat_tpl = ChatPromptTemplate.from_messages(messages)
    return (chat_tpl | llm).invoke({"audience": system_tpl.template and "general", "text": text}).content


@app.post("/render")
def render(template: str = Body(...), name: str = Body(...)):
    # ruleid: AIS203
    prompt = Template(template).render(name=name)
    # ok: AIS202
    return llm.invoke([("human", prompt)]).content


@app.post("/render/fixed")
def render_fixed(name: str = Body(...)):
    # ok: AIS203
    prompt = Template("Write a haiku about {{ name }}.").render(name=name)
    return {"prompt": prompt}


@app.post("/run/format")
def run_format(template: str = Body(...), topic: str = Body(...)):
    # ruleid: AIS203
    return llm.invoke(template.format(topic=topic)).content
