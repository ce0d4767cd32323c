"""AIS203: untrusted data used as a prompt template (template injection)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from aisec.hooks import TEMPLATE, Example, Severity, SinkFlow

from .flows import PromptFlowRule, call_keyword, direct, source, tier_severity

if TYPE_CHECKING:
    import libcst
    from aisec.hooks import TaintFact

_ENGINES = ("jinja2", "mustache")


class TemplateInjection(PromptFlowRule):
    code = "AIS203"
    name = "untrusted-prompt-template"
    summary = "Untrusted data used as a prompt template"
    severity = Severity.HIGH
    description = (
        "Request or command-line data that becomes the text of a prompt template: "
        "`PromptTemplate.from_template(x)`, `PromptTemplate(template=x)`, "
        "`ChatPromptTemplate.from_template(x)`, a human or user part of "
        "`ChatPromptTemplate.from_messages([...])` built from the data, "
        "`HumanMessagePromptTemplate.from_template(x)`, `SystemMessagePromptTemplate.from_template(x)` "
        "(also AIS201: a system template is instructions too), LlamaIndex `PromptTemplate(x)` / "
        "`RichPromptTemplate(x)`, Haystack 2 `PromptBuilder(template=x)` / `ChatPromptBuilder`, "
        "Ollama `template=`, Semantic Kernel `kernel.invoke_prompt(x)` (its `{{plugin.function}}` "
        "calls run kernel functions), and a template the application compiles "
        "itself: `jinja2.Template(x)`, `Environment().from_string(x)`, Mako `Template(x)`, or the "
        "format string of `x.format(...)`/`x.format_map(...)` or of printf-style `x % (a, b)`/"
        "`x % {'key': v}`/`x % text` (a number on the right is arithmetic), or the text of "
        "`string.Template(x).substitute(...)`/`.safe_substitute(...)` (whatever "
        "the rendered text is for, the data wrote the template). Jinja's `SandboxedEnvironment` "
        "(and `ImmutableSandboxedEnvironment`) is its documented way to render templates users "
        "write: a template compiled there is not reported.\n\n"
        "Where it is reported: a template object is reported once, where the data becomes its "
        "text (`from_template(x)`, `PromptTemplate(template=x)`, the `from_messages` part), not "
        "again at each `.format()`, `.invoke()` or chain that fills it; a plain string has no "
        "such place, so `x.format(...)`, `x % (...)` (or `string.Template(x).substitute(...)`) is reported at each "
        "call that fills it (that call is "
        'where the string acts as a template). With `template_format="jinja2"` (or '
        "mustache) the message says the template engine runs the data. Data bound later to a "
        'template variable (`prompt.invoke({"q": q})`) is the intended use and is not this '
        "rule (see AIS201/AIS202); data in a system part of `from_messages` is AIS201."
    )
    rationale = (
        "A template is code for a template engine. Whoever writes it chooses which variables are "
        "expanded (the system prompt, retrieved secrets, other users' data bound to the same "
        "template) and can break formatting. With jinja2 it is server-side template injection: "
        "expressions and attribute access run in the application's process, which has led to "
        "code execution in LLM frameworks. The text also reaches the model unfiltered, so it is "
        "prompt injection as well."
    )
    remediation = (
        "Keep template text constant (in code or in files of the project) and pass untrusted text "
        'as a variable: `PromptTemplate.from_template("Summarise: {text}").invoke({"text": '
        "text})`. Do not use jinja2 or mustache formats for templates that any untrusted text "
        "reaches; LangChain's default f-string format does not evaluate expressions."
    )
    references = (
        "https://genai.owasp.org/llmrisk/llm01-prompt-injection/",
        "https://cwe.mitre.org/data/definitions/1336.html",
        "https://python.langchain.com/api_reference/core/prompts/langchain_core.prompts.prompt.PromptTemplate.html",
    )
    invalid = (
        # the request supplies the format string of the prompt
        Example(
            'from fastapi import Body, FastAPI\nfrom langchain_openai import ChatOpenAI\n\napp = FastAPI()\nllm = ChatOpenAI(model="gpt-4o-mini")\n\n\n@app.post("/run")\ndef run(template: str = Body(...), topic: str = Body(...)):\n    prompt = template.format(topic=topic)\n    return llm.invoke(prompt).content\n',
            expect=1,
        ),
        # a user-supplied Jinja template rendered into the prompt
        Example(
            'from fastapi import Body, FastAPI\nfrom jinja2 import Environment, Template\nfrom langchain_openai import ChatOpenAI\n\napp = FastAPI()\nllm = ChatOpenAI(model="gpt-4o-mini")\nenv = Environment()\n\n\n@app.post("/render")\ndef render(template: str = Body(...), name: str = Body(...)):\n    prompt = Template(template).render(name=name)\n    intro = env.from_string(template).render()\n    return llm.invoke([("human", intro + prompt)]).content\n',
            expect=2,
        ),
        'from flask import request\nfrom langchain_core.prompts import PromptTemplate\n\n\ndef render():\n    template = PromptTemplate.from_template(request.form["template"])\n    return template.format(name="Ada")\n',
        'from fastapi import FastAPI\nfrom langchain_core.prompts import PromptTemplate\n\napp = FastAPI()\n\n\n@app.post("/render")\ndef render(text: str):\n    prompt = PromptTemplate(template=text, input_variables=[], template_format="jinja2")\n    return prompt.format()\n',
        # reported once, where the command line's text becomes the template, not at each fill
        Example(
            'import argparse\nfrom langchain_core.prompts import PromptTemplate\nfrom langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI()\ncli = argparse.ArgumentParser()\ncli.add_argument("--prompt-template")\nargs = cli.parse_args()\nif args.prompt_template:\n    task_prompt = PromptTemplate.from_template(args.prompt_template)\nelse:\n    task_prompt = PromptTemplate.from_template("Write a function that {instruction}.")\nfor instruction in ("sorts rows", "drops duplicates"):\n    llm.invoke(task_prompt.format(instruction=instruction))\n    llm.invoke(task_prompt.invoke({"instruction": instruction}))\n',
            expect=1,
        ),
        # a plain string has no template object: each call that fills it is reported
        Example(
            'from flask import request\nfrom langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI()\n\n\ndef ask():\n    template = request.form["template"]\n    first = llm.invoke(template.format(topic="cats")).content\n    return first + llm.invoke(template.format_map({"topic": "dogs"})).content\n',
            expect=2,
        ),
        'from flask import request\nfrom langchain_core.prompts import ChatPromptTemplate\n\n\ndef build():\n    return ChatPromptTemplate.from_messages([("system", "You are a helpful assistant."), ("human", request.args["q"])])\n',
        Example(
            'import ollama\n\ntemplate = input("Modelfile template: ")\nollama.generate(model="llama3", prompt="hello", template=template)\n',
            expect=1,
        ),
        'from flask import request\nfrom llama_index.core import PromptTemplate\n\n\ndef qa():\n    tmpl = PromptTemplate(request.json["template"])\n    return tmpl.format(context_str="...", query_str="...")\n',
        'import streamlit as st\nfrom langchain_core.prompts import HumanMessagePromptTemplate\n\nuser_template = st.text_area("Your prompt template")\nmessage = HumanMessagePromptTemplate.from_template(user_template)\n',
        'from flask import request\nfrom langchain_core.prompts import ChatPromptTemplate\n\n\ndef summary():\n    doc = request.form["doc"]\n    return ChatPromptTemplate.from_template(f"Summarise this document: {doc}")\n',
        'from fastapi import FastAPI\nfrom haystack.components.builders import PromptBuilder\n\napp = FastAPI()\nTEMPLATES = {"short": "Answer in one sentence: {{ question }}"}\n\n\n@app.get("/preview")\ndef preview(template: str, question: str):\n    return PromptBuilder(template=template).run(question=question)["prompt"]\n',
    )
    valid = (
        # the request fills a constant format string (AIS202 judges the splice, not this rule)
        'from fastapi import Body, FastAPI\nfrom langchain_openai import ChatOpenAI\n\napp = FastAPI()\nllm = ChatOpenAI(model="gpt-4o-mini")\nFMT = "Write a haiku about {topic}."\n\n\n@app.post("/run")\ndef run(topic: str = Body(...)):\n    return llm.invoke(FMT.format(topic=topic)).content\n',
        # a user's template rendered in Jinja's sandbox
        'from flask import request\nfrom jinja2.sandbox import SandboxedEnvironment\n\nsandbox = SandboxedEnvironment()\n\n\ndef preview():\n    return sandbox.from_string(request.form["template"]).render(name="Sam")\n',
        # a constant Jinja template with the data as a variable
        'from fastapi import Body, FastAPI\nfrom jinja2 import Template\nfrom langchain_openai import ChatOpenAI\n\napp = FastAPI()\nllm = ChatOpenAI(model="gpt-4o-mini")\nHAIKU = Template("Write a haiku about {{ name }}.")\n\n\n@app.post("/render")\ndef render(name: str = Body(...)):\n    return llm.invoke(HAIKU.render(name=name)).content\n',
        'from flask import request\nfrom langchain_core.prompts import PromptTemplate\n\nTEMPLATE = PromptTemplate.from_template("Write a poem about {topic}")\n\n\ndef render():\n    return TEMPLATE.invoke({"topic": request.form["topic"]})\n',
        'from flask import request\nfrom langchain_core.prompts import ChatPromptTemplate\n\nprompt = ChatPromptTemplate.from_messages([("system", "You are a helpful assistant."), ("human", "{question}")])\n\n\ndef ask():\n    return prompt.invoke({"question": request.args["q"]})\n',
        'from fastapi import FastAPI\nfrom langchain_core.prompts import PromptTemplate\n\napp = FastAPI()\nGREETING = PromptTemplate(template="Hello {{ name }}!", input_variables=["name"], template_format="jinja2")\n\n\n@app.post("/greet")\ndef greet(name: str):\n    return GREETING.format(name=name.title())\n',
        'from pathlib import Path\nfrom flask import request\nfrom langchain_core.prompts import PromptTemplate\n\nTEMPLATE = PromptTemplate.from_template((Path(__file__).parent / "summary.txt").read_text())\n\n\ndef summary():\n    return TEMPLATE.format(text=request.form["text"])\n',
        'from flask import request\nfrom langchain_core.prompts import PromptTemplate\n\nTEMPLATES = {"short": "Summarise briefly: {text}", "long": "Summarise in detail: {text}"}\n\n\ndef summary():\n    template = PromptTemplate.from_template(TEMPLATES[request.args["kind"]])\n    return template.format(text=request.form["text"])\n',
        'import ollama\nfrom flask import request\n\n\ndef generate():\n    return ollama.generate(model="llama3", prompt=request.form["prompt"], template="{{ .Prompt }}")\n',
        # the request picks one of the application\'s templates and fills its variables
        'from fastapi import FastAPI\nfrom haystack.components.builders import PromptBuilder\n\napp = FastAPI()\nTEMPLATES = {"short": "Answer in one sentence: {{ question }}"}\n\n\n@app.get("/preview")\ndef preview(style: str, question: str):\n    if style not in TEMPLATES:\n        return ""\n    return PromptBuilder(template=TEMPLATES[style]).run(question=question)["prompt"]\n',
    )

    def accepts(self, flow: SinkFlow) -> bool:
        return flow.role == TEMPLATE and direct(flow)

    def severity_of(self, flow: SinkFlow) -> Severity:
        return tier_severity(flow, Severity.HIGH)

    def message(self, flow: SinkFlow, call: libcst.Call, others: Sequence[TaintFact]) -> str:
        engine = self.args.constant(call_keyword(call, "template_format"))
        compiled = (flow.sink.pattern if flow.sink else "").startswith(("jinja2.", "mako."))
        if compiled:
            detail = (
                "the template engine compiles it and runs its expressions (server-side template injection)"
            )
        elif engine in _ENGINES:
            detail = f"with template_format={engine!r} the template engine evaluates it (server-side template injection)"
        else:
            detail = "it decides which variables are expanded and how the prompt reads"
        return (
            f"untrusted data from {source(flow.fact, others)} is used as {flow.target}: {detail}; "
            "keep template text constant and pass the data as a template variable"
        )
