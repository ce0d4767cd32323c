"""AIS204: indirect prompt injection: fetched, stored or retrieved content in instructions or spliced prompts."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Sequence

from aisec.hooks import INDIRECT, INSTRUCTION, TEMPLATE, USER, Confidence, Example, Severity, SinkFlow, cst

from .catalog import LANGCHAIN_MODEL_BASES
from .flows import PromptFlowRule, forged_turn, source

if TYPE_CHECKING:
    import libcst
    from aisec.hooks import TaintFact


SPLICED_OPTION = "report-spliced"


def _is_model_base(qualified: str | None) -> bool:
    """A LangChain model integration's base: a module defining a subclass talks to a model API."""
    return qualified is not None and any(fnmatchcase(qualified, base) for base in LANGCHAIN_MODEL_BASES)


def _builds_message(flow: SinkFlow) -> bool:
    """The sink constructs a message object (`SystemMessage(content)`), nothing is sent yet."""
    return flow.message_role is not None and flow.sink is not None and flow.sink.pattern.endswith("Message")


class IndirectInjection(PromptFlowRule):
    code = "AIS204"
    name = "indirect-prompt-injection"
    summary = "Fetched, stored or retrieved content reaches instructions or is spliced into a prompt"
    severity = Severity.MEDIUM
    description = (
        "Content the application did not write and an attacker may have: HTTP responses "
        "(`requests`, `httpx`, `urllib`, `aiohttp`), web pages fetched or rendered by a library "
        "(trafilatura, newspaper, feedparser, Wikipedia, arXiv, crawl4ai, Firecrawl, Playwright "
        "page text, Selenium `page_source`, Scrapy spider responses, YouTube transcripts), files "
        "and documents read from non-constant paths (PDF, Word, `unstructured`, MarkItDown "
        "readers, Whisper transcripts, Tesseract OCR), uploaded "
        "files (Streamlit `file_uploader`, Flask `request.files`, Django `request.FILES`, FastAPI, "
        "Litestar and Django Ninja `UploadFile` parameters, NiceGUI `ui.upload` handlers, Tornado, "
        "Sanic and Bottle `request.files`: a document whoever "
        "uploads it may not have written, unlike the text a user types), stored objects (S3 "
        "`get_object`, Google Cloud Storage `download_as_*`, Azure Blob `download_blob`, MinIO, "
        "fsspec: what a read returns is the stored document, even when the request chose its key), "
        "database "
        "rows (DB-API `fetch*`, sqlite3 `execute` results iterated, SQLAlchemy sessions and Core "
        "connections (`execute`, `scalar*`), Django ORM, MongoDB, pandas `read_sql*`, polars "
        "`read_database*`, asyncpg `fetch*`, Firestore `stream`/`get`: the rows are the "
        "content, even when the request chose the query's parameters), retrieved documents (vector "
        "store searches, retrievers, LangChain/LlamaIndex loaders, Haystack retrievers and "
        "`LinkContentFetcher`, `page_content`, search tools such as Tavily, DuckDuckGo and Exa). "
        "Reported when it reaches instruction context (system/developer messages and instruction "
        "arguments, as AIS201 describes) or is used as a template (AIS203). Spliced next to "
        'instruction text into a user message or a completion prompt (`"Summarise this article: '
        '" + page`) it is the data the prompt is about, which is how every summariser and '
        "retrieval-augmented prompt is built: reported only with the `report-spliced` option. "
        "A separate code from AIS201-AIS203 "
        "so that teams can tune it: the same data sent alone as a user message or as an assistant "
        "turn (how client libraries parse a provider's reply), or encoded "
        "(`json.dumps`, `html.escape` inside a fence) before splicing, is not reported. Neither is "
        "a message object (`SystemMessage(...)`) built from an HTTP response in a module that "
        "defines a LangChain model integration (a class deriving from `BaseChatModel`, "
        "`SimpleChatModel`, `BaseLLM` or `LLM`): there the response is the model API's reply "
        "being parsed, model output rather than planted content.\n\n"
        "Files read from constant paths (the project's own prompt files, paths built from "
        "`__file__`) are trusted, and so are files a helper reads from its path parameter when no "
        "call in the module passes it a non-constant path; so are the environment and configuration. "
        "A path that request data or model output chose stays untrusted after a check that leaves "
        "no constant (membership in a list computed at run time such as `git ls-files`, a "
        "`re.fullmatch` guard): the file may be opened, but outside the project's own tree "
        "(paths built from `__file__`) what is read from it is this content."
    )
    rationale = (
        "Indirect prompt injection: an attacker plants instructions in a web page, a document, a "
        "support ticket or a profile field, and waits for the application to feed it to a model. "
        "In the instruction context the planted text steers the model with the application's "
        "authority; spliced into a prompt it competes with the instructions. Agents that read "
        "the web or a shared knowledge base and can call tools turn this into data exfiltration "
        "or unwanted actions."
    )
    remediation = (
        "Keep instructions constant. Put fetched or retrieved text in its own user message or in "
        "a clearly fenced, encoded block (`json.dumps(doc)`, `html.escape(doc)` inside "
        "`<document>` tags) and tell the model it is data. Limit what the model may do after "
        "reading such content (no tool calls on its say-so, human confirmation for actions)."
    )
    references = (
        "https://genai.owasp.org/llmrisk/llm01-prompt-injection/",
        "https://cwe.mitre.org/data/definitions/1427.html",
        "https://arxiv.org/abs/2302.12173",
    )
    options_doc = (
        f"`{SPLICED_OPTION}` (boolean, default `false`): also report this content spliced with "
        "instruction text into a user message or a completion prompt, at medium confidence. "
        "Useful where retrieved or fetched text drives an agent that can act; noisy in "
        "summarisers and question answering over documents:\n\n"
        f"```toml\n[tool.aisec.rule-options.AIS204]\n{SPLICED_OPTION} = true\n```"
    )
    default_options = {SPLICED_OPTION: False}
    invalid = (
        # a FastAPI upload in the instructions (the other parameters are request data: AIS201)
        Example(
            'from fastapi import FastAPI, UploadFile\nfrom openai import OpenAI\n\napp = FastAPI()\nclient = OpenAI()\n\n\n@app.post("/review")\nasync def review(policy: UploadFile, question: str):\n    text = (await policy.read()).decode()\n    return client.chat.completions.create(\n        model="gpt-4o-mini",\n        messages=[{"role": "system", "content": f"Follow this policy: {text}"}, {"role": "user", "content": question}],\n    )\n',
            expect=1,
        ),
        # an uploaded document in the instructions
        Example(
            'import streamlit as st\nfrom google import genai\nfrom google.genai import types\n\nclient = genai.Client()\nuploaded = st.file_uploader("Reference document")\nquestion = st.chat_input("Ask")\nif question and uploaded is not None:\n    reference = uploaded.read().decode("utf-8")\n    client.models.generate_content(\n        model="gemini-2.5-flash",\n        contents=question,\n        config=types.GenerateContentConfig(system_instruction="Reference:\\n" + reference),\n    )\n',
            expect=1,
        ),
        'import requests\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef brief(url):\n    page = requests.get(url, timeout=10).text\n    return client.chat.completions.create(\n        model="gpt-4o", messages=[{"role": "system", "content": f"Use this page as your guide: {page}"}]\n    )\n',
        # retrieved text spliced into the question: only with the option
        Example(
            'from langchain_core.messages import HumanMessage\nfrom langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI()\n\n\ndef answer(vectorstore, question):\n    docs = vectorstore.similarity_search(question, k=4)\n    context = "\\n\\n".join(doc.page_content for doc in docs)\n    prompt = f"Answer the question using only the context below.\\nContext: {context}\\nQuestion: {question}"\n    return llm.invoke([HumanMessage(content=prompt)])\n',
            options={SPLICED_OPTION: True},
        ),
        'import anthropic\nfrom django.http import JsonResponse\n\nfrom .models import Ticket\n\nclient = anthropic.Anthropic()\n\n\ndef triage(request, pk):\n    ticket = Ticket.objects.get(pk=pk)\n    reply = client.messages.create(\n        model="claude-sonnet-4-5",\n        max_tokens=400,\n        system=f"You triage support tickets. Ticket notes: {ticket.notes}",\n        messages=[{"role": "user", "content": "Classify the ticket."}],\n    )\n    return JsonResponse({"label": reply.content[0].text})\n',
        'import sys\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef review(path):\n    with open(path) as handle:\n        guidelines = handle.read()\n    return client.responses.create(model="gpt-4.1", instructions=guidelines, input="Review the attached diff.")\n\n\nfor name in sys.argv[1:]:\n    review(name)\n',
        'import httpx\nfrom agents import Agent\n\n\ndef build_agent(profile_url):\n    profile = httpx.get(profile_url).json()\n    return Agent(name="helper", instructions="Help this customer: " + profile["bio"])\n',
        'import sqlite3\nimport ollama\n\nconn = sqlite3.connect("app.db")\n\n\ndef persona(user_id):\n    row = conn.execute("SELECT persona FROM users WHERE id = ?", (user_id,)).fetchone()\n    return ollama.chat(model="llama3", messages=[{"role": "system", "content": row[0]}, {"role": "user", "content": "Hi"}])\n',
        Example(
            "from langchain_core.prompts import PromptTemplate\nfrom langchain_community.document_loaders import WebBaseLoader\n\n\ndef template_from(url):\n    text = WebBaseLoader(url).load()[0].page_content\n    return PromptTemplate.from_template(text)\n",
            expect=1,
        ),
        # the same parsing outside a model integration: a fetched document becomes instructions
        Example(
            "import requests\nfrom langchain_core.messages import SystemMessage\n\n\n"
            "def _to_message(item):\n    return SystemMessage(content=item['content'])\n\n\n"
            "def load_rules(url):\n    return [_to_message(item) for item in requests.get(url).json()]\n",
            expect=1,
        ),
        Example(
            'import json\n\nimport boto3\n\ns3 = boto3.client("s3")\nbedrock = boto3.client("bedrock-runtime")\n\n\ndef handler(event, context):\n    key = json.loads(event["body"])["document"]\n    policy = s3.get_object(Bucket="policies", Key=key)["Body"].read().decode()\n    return bedrock.converse(\n        modelId="anthropic.claude-3-5-sonnet-20240620-v1:0",\n        system=[{"text": "Answer from this policy:\\n" + policy}],\n        messages=[{"role": "user", "content": [{"text": "Summarise it"}]}],\n    )\n',
            expect=1,
        ),
        'import tornado.web\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\nclass Attach(tornado.web.RequestHandler):\n    def post(self):\n        upload = self.request.files["document"][0]\n        text = upload["body"].decode()\n        reply = client.chat.completions.create(\n            model="gpt-4o",\n            messages=[\n                {"role": "system", "content": "Follow this policy:\\n" + text},\n                {"role": "user", "content": self.get_body_argument("q")},\n            ],\n        )\n        self.write({"answer": reply.choices[0].message.content})\n',
        # rows a query API returns (a data frame, records, documents) were written by others
        Example(
            'import pandas as pd\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef comment(engine):\n    table = pd.read_sql("SELECT region, note FROM feedback", engine).to_string()\n    return client.chat.completions.create(\n        model="gpt-4o", messages=[{"role": "system", "content": "Comment on this data:\\n" + table}]\n    )\n',
            expect=1,
        ),
        Example(
            'import asyncpg\nfrom anthropic import AsyncAnthropic\n\nclient = AsyncAnthropic()\n\n\nasync def persona(dsn, user_id):\n    conn = await asyncpg.connect(dsn)\n    bio = await conn.fetchval("SELECT bio FROM users WHERE id = $1", user_id)\n    return await client.messages.create(\n        model="claude-sonnet-4-5", max_tokens=300, system=f"The user describes themselves: {bio}", messages=[{"role": "user", "content": "Hi"}]\n    )\n',
            expect=1,
        ),
        # the request only picks the documents: what reaches the instructions is their text
        Example(
            'import functions_framework\nfrom google.cloud import firestore\nfrom vertexai.generative_models import GenerativeModel\n\ndb = firestore.Client()\n\n\n@functions_framework.http\ndef blurb(request):\n    sku = request.args.get("sku", "")\n    reviews = [doc.to_dict()["text"] for doc in db.collection("reviews").where("sku", "==", sku).stream()]\n    model = GenerativeModel("gemini-1.5-pro", system_instruction="Reviews:\\n" + "\\n".join(reviews))\n    return model.generate_content("Write a blurb.").text\n',
            expect=1,
        ),
        # Haystack 2: retrieved documents in a system message
        Example(
            'from haystack.components.generators.chat import OpenAIChatGenerator\nfrom haystack.components.retrievers.in_memory import InMemoryBM25Retriever\nfrom haystack.dataclasses import ChatMessage\nfrom haystack.document_stores.in_memory import InMemoryDocumentStore\n\nretriever = InMemoryBM25Retriever(document_store=InMemoryDocumentStore())\nchat = OpenAIChatGenerator()\n\n\ndef answer(question):\n    docs = retriever.run(query=question, top_k=4)["documents"]\n    excerpts = "\\n".join(doc.content for doc in docs)\n    messages = [ChatMessage.from_system("Answer from:\\n" + excerpts), ChatMessage.from_user(question)]\n    return chat.run(messages=messages)\n',
            expect=1,
        ),
        # a Litestar upload (the other parameters are request data: AIS201)
        Example(
            'from typing import Annotated\n\nfrom litestar import post\nfrom litestar.datastructures import UploadFile\nfrom litestar.enums import RequestEncodingType\nfrom litestar.params import Body\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\n@post("/policy")\nasync def policy(data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)], question: str) -> str:\n    text = (await data.read()).decode()\n    return client.chat.completions.create(\n        model="gpt-4o-mini",\n        messages=[{"role": "system", "content": f"Follow this policy: {text}"}, {"role": "user", "content": question}],\n    ).choices[0].message.content\n',
            expect=1,
        ),
        # a parsed page\'s element (`find` on a document object returns its content)
        Example(
            'import anthropic\nimport requests\nfrom bs4 import BeautifulSoup\n\nclaude = anthropic.Anthropic()\n\n\ndef links(url):\n    soup = BeautifulSoup(requests.get(url, timeout=15).text, "html.parser")\n    footer = soup.find("footer")\n    footer_text = footer.get_text(" ", strip=True) if footer else ""\n    return claude.messages.create(\n        model="claude-sonnet-4-5", max_tokens=300, system=[{"type": "text", "text": "Site footer: " + footer_text}], messages=[]\n    )\n',
            expect=1,
        ),
    )
    valid = (
        # retrieved text spliced into the question (the summariser shape): the designed use
        'from langchain_core.messages import HumanMessage\nfrom langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI()\n\n\ndef answer(vectorstore, question):\n    docs = vectorstore.similarity_search(question, k=4)\n    context = "\\n\\n".join(doc.page_content for doc in docs)\n    prompt = f"Answer the question using only the context below.\\nContext: {context}\\nQuestion: {question}"\n    return llm.invoke([HumanMessage(content=prompt)])\n',
        'import requests\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef summarise(url):\n    page = requests.get(url, timeout=10).text\n    return client.chat.completions.create(\n        model="gpt-4o",\n        messages=[{"role": "system", "content": "Summarise the page the user sends."}, {"role": "user", "content": page}],\n    )\n',
        'import json\nfrom langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI()\n\n\ndef answer(vectorstore, question):\n    docs = vectorstore.similarity_search(question, k=4)\n    context = json.dumps([doc.page_content for doc in docs])\n    return llm.invoke(f"Answer the question using only the JSON list of passages below.\\n{context}")\n',
        'from pathlib import Path\nfrom openai import OpenAI\n\nclient = OpenAI()\nGUIDELINES = (Path(__file__).parent / "guidelines.md").read_text()\n\n\ndef review(diff):\n    return client.responses.create(model="gpt-4.1", instructions=GUIDELINES, input=diff)\n',
        'import anthropic\n\nfrom .models import Ticket\n\nclient = anthropic.Anthropic()\n\n\ndef triage(request):\n    open_tickets = len(Ticket.objects.filter(status="open"))\n    return client.messages.create(\n        model="claude-sonnet-4-5", max_tokens=400, system=f"There are {open_tickets} open tickets.", messages=[{"role": "user", "content": "Plan the day."}]\n    )\n',
        'from openai import OpenAI\n\nclient = OpenAI()\n\nwith open("prompts/system.txt") as handle:\n    SYSTEM = handle.read()\n\nclient.chat.completions.create(model="gpt-4o", messages=[{"role": "system", "content": SYSTEM}])\n',
        'from langchain_core.messages import HumanMessage, SystemMessage\nfrom langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI()\n\n\ndef answer(retriever, question):\n    docs = retriever.get_relevant_documents(question)\n    return llm.invoke([SystemMessage(content="Answer from the documents."), HumanMessage(content=docs[0].page_content)])\n',
        # a provider integration parsing its API's reply into messages (model output)
        "import requests\nfrom langchain_core.language_models.chat_models import BaseChatModel\n"
        "from langchain_core.messages import AIMessage, SystemMessage\n\n\n"
        "def _to_message(item):\n    if item['role'] == 'system':\n        return SystemMessage(content=item['content'])\n"
        "    return AIMessage(content=item['content'])\n\n\n"
        "class ChatAcme(BaseChatModel):\n    def _generate(self, messages, stop=None, **kwargs):\n"
        "        reply = requests.post(self.api_base, json={'messages': messages}).json()\n"
        "        return [_to_message(item) for item in reply['choices']]\n",
        'import json\n\nimport boto3\n\ns3 = boto3.client("s3")\nbedrock = boto3.client("bedrock-runtime")\n\n\ndef handler(event, context):\n    key = json.loads(event["body"])["document"]\n    policy = s3.get_object(Bucket="policies", Key=key)["Body"].read().decode()\n    return bedrock.converse(\n        modelId="anthropic.claude-3-5-sonnet-20240620-v1:0",\n        system=[{"text": "Summarise the document the user sends."}],\n        messages=[{"role": "user", "content": [{"text": policy}]}],\n    )\n',
        # query rows sent as the user's turn, and a `fetch` that is not a database's
        'import pandas as pd\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef comment(engine):\n    table = pd.read_sql("SELECT region, note FROM feedback", engine).to_string()\n    return client.chat.completions.create(\n        model="gpt-4o",\n        messages=[{"role": "system", "content": "Comment on the data the user sends."}, {"role": "user", "content": table}],\n    )\n',
        'from anthropic import Anthropic\n\nfrom .settings import config\n\nclient = Anthropic()\n\n\ndef reply(question):\n    tone = config.fetch("tone")\n    return client.messages.create(\n        model="claude-sonnet-4-5", max_tokens=300, system=f"Answer in a {tone} tone.", messages=[{"role": "user", "content": question}]\n    )\n',
        'from haystack.components.generators.chat import OpenAIChatGenerator\nfrom haystack.components.retrievers.in_memory import InMemoryBM25Retriever\nfrom haystack.dataclasses import ChatMessage\nfrom haystack.document_stores.in_memory import InMemoryDocumentStore\n\nretriever = InMemoryBM25Retriever(document_store=InMemoryDocumentStore())\nchat = OpenAIChatGenerator()\n\n\ndef answer(question):\n    docs = retriever.run(query=question, top_k=4)["documents"]\n    excerpts = "\\n".join(doc.content for doc in docs)\n    messages = [ChatMessage.from_system("Answer from the excerpts."), ChatMessage.from_user(excerpts)]\n    return chat.run(messages=messages)\n',
        # `str.find` is a position, not content
        'import anthropic\nimport requests\nfrom bs4 import BeautifulSoup\n\nclaude = anthropic.Anthropic()\n\n\ndef links(url):\n    page = requests.get(url, timeout=15).text\n    at = page.find("<footer")\n    return claude.messages.create(model="claude-sonnet-4-5", max_tokens=300, system=f"The footer starts at {at}.", messages=[])\n',
    )

    _provider = False  # the module defines a LangChain model integration

    def visit_Module(self, node: libcst.Module) -> None:
        self._provider = any(
            isinstance(statement, cst.ClassDef)
            and any(_is_model_base(self.names.qualified(base.value)) for base in statement.bases)
            for statement in node.body
        )

    def accepts(self, flow: SinkFlow) -> bool:
        if flow.fact.tier != INDIRECT or forged_turn(flow) or flow.message_role == "?":
            # assistant turns and role-carrying messages built from fetched data are how client
            # libraries parse a provider's reply (model output), not planted instructions
            return False
        if self._provider and _builds_message(flow):
            # a provider integration turning its API's reply into message objects: model output
            return False
        spliced = flow.role == USER and flow.fact.spliced and self.options.get(SPLICED_OPTION, False)
        return flow.role in (INSTRUCTION, TEMPLATE) or spliced

    def confidence_of(self, flow: SinkFlow) -> Confidence:
        return Confidence.HIGH if flow.role == INSTRUCTION else Confidence.MEDIUM

    def message(self, flow: SinkFlow, call: libcst.Call, others: Sequence[TaintFact]) -> str:
        where = source(flow.fact, others)
        if flow.role == INSTRUCTION:
            what = f"reaches {flow.target}, where instructions planted in it act with the application's authority"
        elif flow.role == TEMPLATE:
            what = f"is used as {flow.target}, so whoever wrote it writes the prompt"
        else:
            what = f"is spliced into instruction text and sent as {flow.target}, where planted instructions compete with yours"
        return (
            f"content from {where} {what}; keep it out of instructions, send it as its own "
            "user message or encode it (`json.dumps`, `html.escape` inside a fence)"
        )
