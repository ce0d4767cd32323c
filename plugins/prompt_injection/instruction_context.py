"""AIS201: untrusted data in an LLM's instruction context (system/developer prompt, agent instructions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from aisec.hooks import INSTRUCTION, REMOTE, Example, Severity, SinkFlow

from .flows import PromptFlowRule, direct, forged_turn, source

if TYPE_CHECKING:
    import libcst
    from aisec.hooks import TaintFact


class UntrustedInstructions(PromptFlowRule):
    code = "AIS201"
    name = "untrusted-data-in-instructions"
    summary = "Untrusted data reaches an LLM's instruction context"
    severity = Severity.HIGH
    description = (
        "Request data (Flask, Quart, Django, Django REST framework, FastAPI, Litestar and Django "
        "Ninja handler parameters, Starlette, Tornado, aiohttp, Sanic, Falcon, Bottle, Pyramid, "
        "CherryPy, Flask-RESTful/RESTX parsers, Flask-Smorest/webargs arguments, Flask-WTF form "
        "fields, Django `FormView.form_valid` forms and DRF `perform_create` serializers, Quart "
        "and `websockets` messages, Modal, BentoML, Cog and LitServe inputs, AWS Lambda "
        "events (handlers by name or by their `(event, context)` signature), Slack (Bolt and Socket Mode), Zulip, LINE, Matrix, Mattermost and e-mail payloads, "
        "discord.py and Telegram commands and messages, MCP tool arguments, Chainlit messages, "
        "actions and settings, Streamlit, Gradio, Dash callback, NiceGUI, Panel and Reflex event inputs; "
        "messages from Kafka, SQS, Pub/Sub (also a Cloud Function's CloudEvent), RabbitMQ and "
        "Redis pub/sub; uploaded files are "
        "documents, AIS204) or command-line input "
        "that reaches the *instruction context* of an LLM call: a `system` or `developer` message "
        "(OpenAI, Anthropic, Mistral, LiteLLM, Ollama, Cohere v2, Bedrock `converse`, Azure AI "
        "Inference `SystemMessage`, IBM watsonx.ai, llama-cpp-python, "
        'transformers/vLLM chat templates, LangChain `SystemMessage` and `("system", ...)` '
        "templates), `instructions=` (OpenAI Responses, Assistants, Agents SDK), Anthropic and "
        "Bedrock `system=`, google-genai `system_instruction`, Cohere `preamble`, Ollama `system=`, "
        'Replicate `input={"system_prompt": ...}`, GPT4All `chat_session(system_prompt=)`, '
        "`create_agent(system_prompt=)`, LangGraph `create_react_agent(prompt=)`, LlamaIndex "
        "`system_prompt=`, Haystack 2 `ChatMessage.from_system(x)` and generators' "
        "`system_prompt=`, CrewAI agents' `role`/`goal`/`backstory`, AutoGen `system_message=`, "
        "pydantic-ai, smolagents and Marvin `instructions=`, DSPy signature instructions, "
        "Semantic Kernel `ChatHistory(system_message=)`/`add_system_message` and agents' "
        "`instructions=`, Google ADK `instruction=`/`global_instruction=`, Agno "
        "`instructions`/`description`/`goal`/`role`/`system_message`. An assistant-role message "
        "built from the data (a forged model turn) counts too, at medium severity, and so does a "
        'message list whose roles the data decides (`messages = request.json["messages"]`).\n\n'
        "The data is followed through assignments, string building, containers, messages built "
        "over several statements, helper functions and methods of the same module (also when "
        "handed to a background task, an executor, a thread or a task queue: `add_task(f, x)`, "
        "`submit(f, x)`, `Thread(target=f, args=(x,))`, Celery `f.delay(x)`; a flow into "
        "a helper is reported at the call that passes the data in, once per flow, with the "
        "helper's sink on its path, as a flow into another module is), `self` "
        "attributes, and prompt-template variables filled by `.invoke`/`.format`. Casts "
        "(`int`, `float`, `bool`, `uuid.UUID`), allowlist checks (`if tone not in TONES: "
        "abort(400)`), `re.fullmatch` guards, sanitizers from the taint catalog, and the "
        "project's own sanitizer and guard helpers, in the same module or another (`if not "
        "allowed(tone): abort(400)` with `def allowed(v): return v in TONES`) clear it. "
        "Data only in a user message is not reported. Command-line input is reported at low "
        "severity; fetched pages, files and database rows are AIS204."
    )
    rationale = (
        "Models give the instruction context precedence: it sets the rules, the persona, the "
        "tools' policies. Whoever controls text there can override those rules (\"ignore previous "
        'instructions and ..."), exfiltrate the system prompt or the conversation, or steer tool '
        "calls. Quotes, tags and delimiters around the data do not help: the model still reads "
        "it as instructions. Role separation is the control that exists: instruction text "
        "constant, untrusted text in a user message."
    )
    remediation = (
        "Keep the instruction context constant (or built only from trusted configuration) and "
        "pass untrusted text as a user message. When the instructions must vary, choose between "
        "fixed variants with an allowlist (`PERSONAS[choice]`, `if choice not in ALLOWED: "
        "abort(400)`) or cast the value (`int(n)`)."
    )
    references = (
        "https://genai.owasp.org/llmrisk/llm01-prompt-injection/",
        "https://cwe.mitre.org/data/definitions/1427.html",
        "https://platform.openai.com/docs/guides/text#message-roles-and-instruction-following",
    )
    invalid = (
        'from flask import Flask, request\nfrom openai import OpenAI\n\napp = Flask(__name__)\nclient = OpenAI()\n\n\n@app.post("/chat")\ndef chat():\n    bio = request.form["bio"]\n    reply = client.chat.completions.create(\n        model="gpt-4o",\n        messages=[\n            {"role": "system", "content": f"You are a helpful assistant. The user says about themselves: {bio}"},\n            {"role": "user", "content": request.form["question"]},\n        ],\n    )\n    return reply.choices[0].message.content\n',
        'import anthropic\nfrom flask import request\n\nclient = anthropic.Anthropic()\n\n\ndef answer():\n    persona = request.args["persona"]\n    return client.messages.create(\n        model="claude-sonnet-4-5", max_tokens=512, system=f"Act as {persona}.", messages=[{"role": "user", "content": "Hi"}]\n    )\n',
        'from fastapi import FastAPI\nfrom openai import OpenAI\n\napp = FastAPI()\nclient = OpenAI()\n\n\n@app.get("/summary")\ndef summary(style: str, text: str):\n    return client.responses.create(model="gpt-4.1", instructions=f"Summarise in this style: {style}", input=text)\n',
        'from flask import request\nfrom langchain_core.messages import HumanMessage, SystemMessage\nfrom langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI(model="gpt-4o")\n\n\ndef reply():\n    rules = request.get_json()["rules"]\n    return llm.invoke([SystemMessage(content=rules), HumanMessage(content="Hello")])\n',
        Example(
            'import ollama\n\nrole = input("Persona: ")\nout = ollama.generate(model="llama3", prompt="Tell me a joke", system=role)\n',
            expect=1,
        ),
        'from flask import request\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef chat():\n    messages = [{"role": "system", "content": "You answer billing questions."}]\n    messages.append({"role": "developer", "content": "Customer tier: " + request.form["tier"]})\n    messages.append({"role": "user", "content": request.form["q"]})\n    return client.chat.completions.create(model="gpt-4o", messages=messages)\n',
        'import streamlit as st\nfrom google import genai\nfrom google.genai import types\n\nclient = genai.Client()\ntone = st.text_input("Tone")\nquestion = st.chat_input("Ask")\nresponse = client.models.generate_content(\n    model="gemini-2.5-flash",\n    contents=question,\n    config=types.GenerateContentConfig(system_instruction=f"Answer in a {tone} tone."),\n)\n',
        'from flask import request\nfrom langchain_core.prompts import ChatPromptTemplate\nfrom langchain_openai import ChatOpenAI\n\nprompt = ChatPromptTemplate.from_messages([("system", "You are {persona}."), ("human", "{question}")])\nchain = prompt | ChatOpenAI()\n\n\ndef ask():\n    return chain.invoke({"persona": request.args["persona"], "question": request.args["q"]})\n',
        'import discord\nfrom discord.ext import commands\nfrom openai import OpenAI\n\nclient = OpenAI()\nbot = commands.Bot(command_prefix="!", intents=discord.Intents.default())\n\n\n@bot.command()\nasync def roleplay(ctx, character: str, *, line: str):\n    reply = client.chat.completions.create(\n        model="gpt-4o",\n        messages=[\n            {"role": "system", "content": f"Stay in character as {character}."},\n            {"role": "user", "content": line},\n        ],\n    )\n    await ctx.reply(reply.choices[0].message.content)\n',
        Example(
            'from openai import OpenAI\nfrom sanic import Sanic, response\n\napp = Sanic("chat")\nclient = OpenAI()\n\n\ndef ask(system, question):\n    reply = client.chat.completions.create(\n        model="gpt-4o",\n        messages=[{"role": "system", "content": system}, {"role": "user", "content": question}],\n    )\n    return reply.choices[0].message.content\n\n\n@app.post("/chat")\nasync def chat(request):\n    body = request.json\n    # reported here, where the request data enters the helper\n    return response.text(ask("Answer as " + body["persona"], body["question"]))\n',
            expect=1,
        ),
        'import falcon\nfrom anthropic import Anthropic\n\nclient = Anthropic()\n\n\nclass Persona:\n    def on_post(self, req, resp):\n        data = req.get_media()\n        msg = client.messages.create(\n            model="claude-sonnet-4-5",\n            max_tokens=300,\n            system=f"You are {data[\'persona\']}.",\n            messages=[{"role": "user", "content": data["q"]}],\n        )\n        resp.media = {"answer": msg.content[0].text}\n',
        # Haystack 2: a system message built by the `ChatMessage` factory
        'from fastapi import FastAPI\nfrom haystack.components.generators.chat import OpenAIChatGenerator\nfrom haystack.dataclasses import ChatMessage\n\napp = FastAPI()\nchat = OpenAIChatGenerator()\n\n\n@app.get("/ask")\ndef ask(voice: str, question: str):\n    messages = [ChatMessage.from_system(f"Brand voice: {voice}"), ChatMessage.from_user(question)]\n    return chat.run(messages=messages)["replies"][0].text\n',
    )
    valid = (
        # an uploaded document is indirect content: AIS204 reports it, not this rule
        'import anthropic\nfrom flask import Flask, request\n\napp = Flask(__name__)\nclient = anthropic.Anthropic()\n\n\n@app.post("/review")\ndef review():\n    policy = request.files["policy"].read().decode()\n    return client.messages.create(\n        model="claude-sonnet-4-5", max_tokens=500, system=f"Follow this policy: {policy}",\n        messages=[{"role": "user", "content": request.form["question"]}],\n    ).content[0].text\n',
        'from flask import Flask, request\nfrom openai import OpenAI\n\napp = Flask(__name__)\nclient = OpenAI()\n\n\n@app.post("/chat")\ndef chat():\n    reply = client.chat.completions.create(\n        model="gpt-4o",\n        messages=[\n            {"role": "system", "content": "You are a helpful assistant."},\n            {"role": "user", "content": request.form["question"]},\n        ],\n    )\n    return reply.choices[0].message.content\n',
        'import anthropic\nfrom flask import abort, request\n\nclient = anthropic.Anthropic()\nPERSONAS = {"pirate", "butler"}\n\n\ndef answer():\n    persona = request.args["persona"]\n    if persona not in PERSONAS:\n        abort(400)\n    return client.messages.create(\n        model="claude-sonnet-4-5", max_tokens=512, system=f"Act as a {persona}.", messages=[{"role": "user", "content": "Hi"}]\n    )\n',
        'from fastapi import FastAPI\nfrom openai import OpenAI\n\napp = FastAPI()\nclient = OpenAI()\n\n\n@app.get("/summary")\ndef summary(words: int, text: str):\n    return client.responses.create(model="gpt-4.1", instructions=f"Summarise in at most {words} words.", input=text)\n',
        'import os\nfrom flask import request\nfrom langchain_core.messages import HumanMessage, SystemMessage\nfrom langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI(model="gpt-4o")\n\n\ndef reply():\n    rules = os.environ["ASSISTANT_RULES"]\n    return llm.invoke([SystemMessage(content=rules), HumanMessage(content=request.get_json()["text"])])\n',
        'import logging\nfrom flask import request\nfrom openai import OpenAI\n\nclient = OpenAI()\nlog = logging.getLogger(__name__)\n\n\ndef chat():\n    log.info("persona requested: %s", request.form["persona"])\n    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "system", "content": "Be brief."}])\n',
        'from pathlib import Path\nfrom flask import request\nfrom openai import OpenAI\n\nclient = OpenAI()\nSYSTEM = (Path(__file__).parent / "prompts" / "system.txt").read_text()\n\n\ndef chat():\n    n = int(request.args["n"])\n    return client.chat.completions.create(\n        model="gpt-4o", messages=[{"role": "system", "content": f"{SYSTEM} Give {n} ideas."}, {"role": "user", "content": request.args["q"]}]\n    )\n',
        'from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef system_prompt(persona):\n    return f"You are {persona}."\n\n\nreply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "system", "content": system_prompt("a tutor")}])\n',
        'import discord\nfrom discord.ext import commands\nfrom openai import OpenAI\n\nclient = OpenAI()\nbot = commands.Bot(command_prefix="!", intents=discord.Intents.default())\n\n\n@bot.command()\nasync def ask(ctx, *, question: str):\n    reply = client.chat.completions.create(\n        model="gpt-4o",\n        messages=[{"role": "system", "content": "You are Pip."}, {"role": "user", "content": question}],\n    )\n    await ctx.reply(reply.choices[0].message.content)\n',
        'import json\n\nimport boto3\n\ns3 = boto3.client("s3")\nbedrock = boto3.client("bedrock-runtime")\n\n\ndef handler(event, context):\n    key = json.loads(event["body"])["document"]\n    policy = s3.get_object(Bucket="policies", Key=key)["Body"].read().decode()\n    return bedrock.converse(\n        modelId="anthropic.claude-3-5-sonnet-20240620-v1:0",\n        system=[{"text": "Answer from this policy:\\n" + policy}],\n        messages=[{"role": "user", "content": [{"text": "Summarise it"}]}],\n    )\n',
        'from fastapi import FastAPI\nfrom haystack.components.generators.chat import OpenAIChatGenerator\nfrom haystack.dataclasses import ChatMessage\n\napp = FastAPI()\nchat = OpenAIChatGenerator()\n\n\n@app.get("/ask")\ndef ask(question: str):\n    messages = [ChatMessage.from_system("Answer briefly."), ChatMessage.from_user(question)]\n    return chat.run(messages=messages)["replies"][0].text\n',
        # a project\'s own `ChatMessage` class is not Haystack\'s
        'from fastapi import FastAPI\n\nfrom .chat import ChatMessage\n\napp = FastAPI()\n\n\n@app.get("/log")\ndef log(note: str):\n    return ChatMessage.from_system(note).to_dict()\n',
    )

    def accepts(self, flow: SinkFlow) -> bool:
        return flow.role == INSTRUCTION and direct(flow)

    def severity_of(self, flow: SinkFlow) -> Severity:
        if flow.fact.tier != REMOTE:
            return Severity.LOW
        if forged_turn(flow):
            return Severity.MEDIUM
        return Severity.HIGH

    def message(self, flow: SinkFlow, call: libcst.Call, others: Sequence[TaintFact]) -> str:
        return (
            f"untrusted data from {source(flow.fact, others)} reaches {flow.target}, where it can "
            "override the application's instructions; keep instruction text constant and pass the "
            "data as a user message"
        )
