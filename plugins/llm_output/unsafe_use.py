"""AIS304: model output deserialised, used as a file path, a URL, a module name or a dispatch name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from aisec.hooks import Example, Severity, SinkFlow, cst
from aisec.regexes import compiled

from .catalog import DESERIALIZE, DISPATCH, IMPORT, PATH, TOOL_ARGUMENTS_DOC, UNSAFE_USE_ROLES, URL
from .flows import OutputFlowRule, call_keyword, origin, sink_triggers

if TYPE_CHECKING:
    import libcst
    from aisec.hooks import TaintFact
# A constant scheme and host before the model text (the model only picks a path or query),
# compiled (`compiled`) when a rule first asks: a pre-commit run on a file without such a call never does.
_FIXED_HOST = r"^[rbufRBUF]*['\"]{1,3}[a-zA-Z][a-zA-Z0-9+.-]*://[^/'\"{}]+/"

_ADVICE = {
    DESERIALIZE: "parse it as data (`json.loads`, `yaml.safe_load`); these loaders run code",
    PATH: "let the model pick from known files, or resolve the path and check it stays inside an allowed directory",
    URL: "check the host against an allowlist (and block private addresses) before fetching",
    IMPORT: "map the model's choice to modules through an allowlist",
    DISPATCH: "check the name against an allowlist (`if name in TOOLS:`) or dispatch through a dict of tools",
}
# `globals()[name]`, `vars(module)[name]`, `module.__dict__[name]`: a namespace looked up by name.
_NAMESPACES = ("globals", "locals", "vars", "__dict__")
_WHAT = {
    DESERIALIZE: "deserialised by a loader that can run code",
    PATH: "used as a file path (path traversal, overwriting files)",
    URL: "used as a URL (server-side request forgery)",
    IMPORT: "used as a module name to import",
    DISPATCH: "used to look up an attribute to call",
}


class ModelOutputUnsafeUse(OutputFlowRule):
    code = "AIS304"
    name = "llm-output-unsafe-use"
    summary = "Model output deserialised, used as a path or URL, imported or dispatched"
    severity = Severity.MEDIUM
    cwe = "CWE-20"
    roles = UNSAFE_USE_ROLES
    triggers = (*sink_triggers(UNSAFE_USE_ROLES), *_NAMESPACES)
    description = (
        "Text an LLM returned decides what the application loads, opens, fetches or calls:\n\n"
        "- deserialised with `pickle.loads`, `dill`/`cloudpickle`, `marshal.loads`, the file loaders "
        "`pickle.load`, `joblib.load`, `shelve.open` and `torch.load` (not with `weights_only=True`), "
        "`jsonpickle.decode`, `yaml.load`/`unsafe_load`/`full_load` (high severity; `yaml.load` "
        "with `Loader=yaml.SafeLoader` or `yaml.BaseLoader`, C versions too, builds plain data and "
        "is not reported);\n"
        "- used as a file path: `open()`, `os.remove`, "
        "`shutil.rmtree`, `shutil.copy`/`move`, `os.rename`, a path object's own methods "
        "(`(base / name).write_text(...)`, `.write_bytes`, `.unlink`, ...; `.open`, `.mkdir`, "
        "`.rename`, `.replace` of a `pathlib.Path`), a file served by Flask `send_file` or "
        "Starlette/FastAPI `FileResponse`, the path of a pandas "
        "or polars writer (`df.to_csv(base / name)`, `to_json`, `to_parquet`, `write_csv`, ...);\n"
        "- used as the URL of `requests`, `httpx` (also `httpx.stream`), `aiohttp`, `urllib` "
        "(`urlopen`, `urlretrieve`), a browser the application drives (Playwright `page.goto`, "
        "Selenium `driver.get`) or a pandas/polars reader (`pd.read_csv(url)`: SSRF; "
        "`pd.read_pickle` of a model-chosen path is deserialisation); a URL whose scheme "
        'and host are constant text before the model output (`f"https://api.example.com/{slug}"`) '
        "is not reported;\n"
        "- used as a module name (`importlib.import_module`, `__import__`);\n"
        "- used as the attribute name of `getattr(module, name)`, or as the key of `globals()[name]`, "
        "`locals()[name]`, `vars(obj)[name]` or `obj.__dict__[name]`, to choose a function to call: "
        "tool dispatch without an allowlist.\n\n"
        "Allowlist checks (`if name in TOOLS:`, `if name not in ALLOWED: return`, a host "
        "allowlist `if urlparse(url).hostname in HOSTS:`; a scheme check is not one), casts and "
        "URL quoting (`urllib.parse.quote`) clear the text." + "\n\n" + TOOL_ARGUMENTS_DOC
    )
    rationale = (
        "Tool-calling and agent code routinely turns the model's answer into an action. A "
        "prompt-injected model then chooses which file is overwritten or read back into the "
        "conversation, which internal URL (cloud metadata, admin endpoints) is fetched, which module "
        "is imported and which function runs: the attacker gets the application's reach."
    )
    remediation = (
        "Treat the model's answer as a request, not a decision: map names to actions through a "
        "dict or an allowlist, resolve paths and check they stay inside a base directory "
        "(`path.resolve().is_relative_to(BASE)`), check URL hosts against an allowlist, and parse "
        "data with `json.loads` or `yaml.safe_load`."
    )
    references = (
        "https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/",
        "https://genai.owasp.org/llmrisk/llm062025-excessive-agency/",
        "https://cwe.mitre.org/data/definitions/918.html",
        "https://cwe.mitre.org/data/definitions/22.html",
    )
    invalid = (
        # tool dispatch with getattr
        'import json\n\nfrom openai import OpenAI\n\nimport tools\n\nclient = OpenAI()\n\n\ndef step(messages, schema):\n    resp = client.chat.completions.create(model="gpt-4o", messages=messages, tools=schema)\n    for call in resp.choices[0].message.tool_calls or []:\n        handler = getattr(tools, call.function.name)\n        messages.append({"role": "tool", "tool_call_id": call.id, "content": handler(**json.loads(call.function.arguments))})\n',
        # SSRF
        'import requests\nfrom langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI()\n\n\ndef research(topic):\n    url = llm.invoke(f"Give one URL with facts about {topic}. Reply with the URL only.").content.strip()\n    return requests.get(url, timeout=10).text\n',
        # file write path
        'import anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef save_note(note):\n    msg = client.messages.create(model="claude-sonnet-4-5", max_tokens=50, messages=[{"role": "user", "content": f"File name for this note: {note}"}])\n    with open(msg.content[0].text, "w") as handle:\n        handle.write(note)\n',
        # a loader that is not a safe one keeps the sink (FullLoader, a variable, an unsafe default)
        Example(
            'import ollama\nimport yaml\n\n\ndef plan(goal, loader):\n    reply = ollama.generate(model="llama3", prompt=f"A YAML plan for: {goal}")["response"]\n    return yaml.load(reply, Loader=yaml.FullLoader), yaml.load(reply, loader), yaml.load_all(reply, Loader=yaml.UnsafeLoader)\n',
            expect=3,
        ),
        # yaml.load of model output
        'import ollama\nimport yaml\n\n\ndef plan(goal):\n    reply = ollama.generate(model="llama3", prompt=f"A YAML plan for: {goal}")\n    return yaml.load(reply["response"], Loader=yaml.Loader)\n',
        # import_module
        'import importlib\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef plugin_for(task):\n    name = client.responses.create(model="gpt-4.1", input=f"Which plugin module handles: {task}").output_text\n    return importlib.import_module(name)\n',
        # second order: stored, then used in another method
        'from pathlib import Path\n\nfrom google import genai\n\n\nclass Exporter:\n    def __init__(self):\n        self.client = genai.Client()\n        self.target = "out.txt"\n\n    def choose(self, request):\n        self.target = self.client.models.generate_content(model="gemini-2.5-flash", contents=request).text\n\n    def export(self, data):\n        Path(self.target).write_text(data)\n',
        Example(
            'import httpx\nfrom litellm import completion\n\n\ndef fetch_reference(question):\n    resp = completion(model="gpt-4o", messages=[{"role": "user", "content": question}])\n    link = resp.choices[0].message.content\n    return httpx.get(link).json()\n',
            expect=1,
        ),
        # an agent tool reading whatever path the model picks
        'from langchain_core.tools import tool\n\n\n@tool\ndef read_file(path: str) -> str:\n    """Read a project file."""\n    return open(path).read()\n',
        # dispatch through the module namespace
        'from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef run_tool(task):\n    name = ask(task)\n    return globals()[name]()\n',
        'import httpx\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef download(question):\n    url = ask(question).strip()\n    with httpx.stream("GET", url) as stream:\n        return b"".join(stream.iter_bytes())\n',
        'from pathlib import Path\n\nimport pandas as pd\nfrom openai import OpenAI\n\nclient = OpenAI()\nEXPORTS = Path("exports")\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef load(question):\n    return pd.read_csv(ask(f"The URL of a CSV about {question}"))\n\n\ndef export(frame, question):\n    name = ask(f"A file name for: {question}").strip()\n    frame.to_csv(EXPORTS / name, index=False)\n\n\ndef note(question):\n    name, _, body = ask(question).partition("\\n")\n    (EXPORTS / name.strip()).write_text(body)\n',
        # a path built from model output, reported where the file is touched
        Example(
            'from pathlib import Path\n\nfrom flask import send_file\nfrom openai import OpenAI\n\nclient = OpenAI()\nEXPORTS = Path("exports")\n\n\ndef export(question, text):\n    name = client.responses.create(model="gpt-4.1", input=question).output_text\n    path = Path(EXPORTS, f"{name}.md").resolve()\n    path.write_text(text)\n    with Path(name).open("a") as handle:\n        handle.write(text)\n    Path(EXPORTS, name).mkdir()\n    return send_file(path)\n',
            expect=4,
        ),
        # two sinks inside one helper are two findings at the call; two model answers reaching
        # one sink are one
        Example(
            'import json\nfrom pathlib import Path\n\nimport httpx\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef run_tool(name, args):\n    if name == "http_get":\n        return httpx.get(args["url"]).text\n    return Path(args["path"]).read_text()\n\n\ndef step(messages):\n    call = client.chat.completions.create(model="gpt-4o", messages=messages).choices[0].message.tool_calls[0]\n    return run_tool(call.function.name, json.loads(call.function.arguments))\n',
            expect=2,
        ),
        Example(
            'import httpx\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef fetch(url):\n    return httpx.get(url).text\n\n\ndef step(question):\n    first = client.responses.create(model="gpt-4.1", input=question).output_text\n    second = client.responses.create(model="gpt-4.1", input=first).output_text\n    return fetch(first + second)\n',
            expect=1,
        ),
        # a scheme check does not choose the host
        'from urllib.parse import urlparse\n\nimport requests\nfrom openai import OpenAI\n\nclient = OpenAI()\nALLOWED_HOSTS = {"docs.example.com", "status.example.com"}\n\n\ndef follow(question):\n    url = client.responses.create(model="gpt-4.1", input=question).output_text.strip()\n    if urlparse(url).scheme not in ("http", "https"):\n        return None\n    return requests.get(url, timeout=10).text\n',
    )
    valid = (
        # building a path touches nothing: the file is touched where the path is used, and the
        # checked use is the only one
        'from pathlib import Path\n\nfrom openai import OpenAI\n\nclient = OpenAI()\nBASE = Path("exports").resolve()\n\n\ndef export(question, text):\n    name = client.responses.create(model="gpt-4.1", input=question).output_text\n    path = Path(BASE, f"{name}.md").resolve()\n    if not path.is_relative_to(BASE):\n        raise ValueError(name)\n    path.write_text(text)\n',
        # allowlisted tool names
        'import json\n\nfrom openai import OpenAI\n\nimport tools\n\nclient = OpenAI()\nTOOLS = {"search", "weather"}\n\n\ndef step(messages, schema):\n    resp = client.chat.completions.create(model="gpt-4o", messages=messages, tools=schema)\n    for call in resp.choices[0].message.tool_calls or []:\n        if call.function.name in TOOLS:\n            getattr(tools, call.function.name)(**json.loads(call.function.arguments))\n',
        # dispatch through a dict
        'import json\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef search(query):\n    return []\n\n\nHANDLERS = {"search": search}\n\n\ndef step(messages):\n    resp = client.chat.completions.create(model="gpt-4o", messages=messages)\n    call = resp.choices[0].message.tool_calls[0]\n    return HANDLERS[call.function.name](**json.loads(call.function.arguments))\n',
        # fixed host: the model picks the query only
        'import requests\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef lookup(question):\n    term = client.responses.create(model="gpt-4.1", input=question).output_text\n    return requests.get(f"https://en.wikipedia.org/w/index.php?search={term}", timeout=10).text\n',
        # a safe loader given to yaml.load, by keyword or position
        'import ollama\nimport yaml\nfrom yaml import CSafeLoader\n\n\ndef plan(goal):\n    reply = ollama.generate(model="llama3", prompt=f"A YAML plan for: {goal}")["response"]\n    steps = yaml.load(reply, Loader=yaml.SafeLoader)\n    return steps, list(yaml.load_all(reply, CSafeLoader))\n',
        # yaml.safe_load and json are data parsers
        'import json\n\nimport ollama\nimport yaml\n\n\ndef plan(goal):\n    reply = ollama.generate(model="llama3", prompt=f"A YAML plan for: {goal}")\n    return yaml.safe_load(reply["response"]), json.loads(reply["response"])\n',
        # constant file path, model text is the content
        'import anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef save_summary(text):\n    msg = client.messages.create(model="claude-sonnet-4-5", max_tokens=300, messages=[{"role": "user", "content": text}])\n    with open("summary.md", "w") as handle:\n        handle.write(msg.content[0].text)\n',
        # getattr with a constant name
        'import json\n\nfrom openai import OpenAI\n\nimport tools\n\nclient = OpenAI()\n\n\ndef weather(messages):\n    resp = client.chat.completions.create(model="gpt-4o", messages=messages)\n    args = json.loads(resp.choices[0].message.tool_calls[0].function.arguments)\n    return getattr(tools, "weather")(**args)\n',
        # quoted URL component
        'from urllib.parse import quote\n\nimport httpx\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef wiki(question):\n    title = client.responses.create(model="gpt-4.1", input=question).output_text\n    return httpx.get("https://en.wikipedia.org/wiki/" + quote(title)).text\n',
        # a plain function that is not registered as a tool
        "def read_file(path: str) -> str:\n    return open(path).read()\n",
        # the same lookup behind an allowlist
        'TOOLS = {"search", "weather"}\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef run_tool(task):\n    name = ask(task)\n    if name in TOOLS:\n        return globals()[name]()\n    return None\n',
        'import uuid\nfrom pathlib import Path\n\nfrom openai import OpenAI\n\nclient = OpenAI()\nEXPORTS = Path("exports")\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef export(frame, question):\n    summary = ask(question)\n    frame.to_csv(EXPORTS / f"{uuid.uuid4().hex}.csv", index=False)\n    (EXPORTS / "summary.md").write_text(summary)\n',
        # a host allowlist: the request goes to a host the application chose
        'from urllib.parse import urlparse\n\nimport requests\nfrom openai import OpenAI\n\nclient = OpenAI()\nALLOWED_HOSTS = {"docs.example.com", "status.example.com"}\n\n\ndef follow(question):\n    url = client.responses.create(model="gpt-4.1", input=question).output_text.strip()\n    if urlparse(url).hostname not in ALLOWED_HOSTS:\n        return None\n    return requests.get(url, timeout=10).text\n',
    )

    def visit_Call(self, node: libcst.Call) -> None:
        self._current = node
        super().visit_Call(node)

    def accepts(self, flow: SinkFlow) -> bool:
        if not super().accepts(flow):
            return False
        return not (flow.role == URL and self._fixed_host(self._url_argument(flow)))

    def _url_argument(self, flow: SinkFlow) -> object:
        call = self._current
        url = call_keyword(call, "url")
        if url is not None:
            return url
        method = flow.sink.pattern.rsplit(".", 1)[-1] if flow.sink is not None else ""
        position = 1 if method in ("request", "stream") else 0
        positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
        return positional[position] if len(positional) > position else None

    def _fixed_host(self, node: object) -> bool:
        """`f"https://host/...{x}"` or `"https://host/..." + x`, written in the call."""
        import libcst

        while isinstance(node, libcst.BinaryOperation) and isinstance(node.operator, libcst.Add):
            node = node.left
        if isinstance(node, libcst.FormattedString):
            head = node.parts[0] if node.parts else None
            text = head.value if isinstance(head, libcst.FormattedStringText) else ""
            return bool(compiled(_FIXED_HOST).match(node.start + text))
        if isinstance(node, libcst.SimpleString):
            return bool(compiled(_FIXED_HOST).match(node.value))
        return False

    def visit_Subscript(self, node: libcst.Subscript) -> None:
        if not self._namespace(node.value) or len(node.slice) != 1:
            return
        index = node.slice[0].slice
        if not isinstance(index, cst.Index):
            return
        namespace = cst.Module([]).code_for_node(node.value)
        self.report_expression(
            index.value,
            DISPATCH,
            "the key of a namespace lookup",
            f"is the key of a namespace lookup (`{namespace}[...]`), {_WHAT[DISPATCH]}",
        )

    def _namespace(self, expr: libcst.BaseExpression) -> bool:
        """`globals()`, `locals()`, `vars(x)` or `x.__dict__`."""
        if isinstance(expr, cst.Attribute):
            return expr.attr.value == "__dict__"
        if isinstance(expr, cst.Call):
            return self.names.qualified(expr.func) in ("builtins.globals", "builtins.locals", "builtins.vars")
        return False

    def severity_of(self, flow: SinkFlow) -> Severity:
        return Severity.HIGH if flow.role in (DESERIALIZE, IMPORT) else Severity.MEDIUM

    def message(self, flow: SinkFlow, call: libcst.Call, others: Sequence[TaintFact]) -> str:
        return (
            f"model output from {origin(flow, others)} reaches {flow.target}, {_WHAT[flow.role]}; "
            f"{_ADVICE[flow.role]}"
        )

    def advice(self, flow: SinkFlow) -> str:
        return _ADVICE[flow.role]
