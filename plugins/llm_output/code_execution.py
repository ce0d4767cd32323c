"""AIS301: model output executed as code or as a shell command; agent tools that run model code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aisec.hooks import LLM_OUTPUT, Confidence, Example, Severity, SinkFlow
from aisec.regexes import compiled

from .catalog import EXEC, TOOL_ARGUMENTS_DOC
from .code_files import TRIGGERS as WRITE_TRIGGERS
from .code_files import CodeFileWrites
from .flows import LLM_TRIGGERS, OutputFlowRule, call_keyword, sink_triggers

if TYPE_CHECKING:
    import libcst

# (last name part, condition keyword or None, severity, what it does)
_HELPERS: dict[str, tuple[str | None, Severity, str]] = {
    "PythonREPLTool": (None, Severity.HIGH, "runs model-written Python in this process"),
    "PythonAstREPLTool": (None, Severity.HIGH, "runs model-written Python in this process"),
    "PythonREPL": (None, Severity.HIGH, "runs model-written Python in this process"),
    "create_python_agent": (None, Severity.HIGH, "gives the agent a Python REPL"),
    "create_pandas_dataframe_agent": (
        "allow_dangerous_code",
        Severity.HIGH,
        "with `allow_dangerous_code=True` runs model-written Python",
    ),
    "create_csv_agent": (
        "allow_dangerous_code",
        Severity.HIGH,
        "with `allow_dangerous_code=True` runs model-written Python",
    ),
    "create_spark_dataframe_agent": (
        "allow_dangerous_code",
        Severity.HIGH,
        "with `allow_dangerous_code=True` runs model-written Python",
    ),
    "PALChain": (None, Severity.HIGH, "executes model-written Python programs"),
    "ShellTool": (None, Severity.HIGH, "runs model-chosen shell commands"),
    "BashProcess": (None, Severity.HIGH, "runs model-chosen shell commands"),
    "LLMBashChain": (None, Severity.HIGH, "runs model-written bash scripts"),
    "CodeInterpreterToolSpec": (None, Severity.HIGH, "runs model-written Python in a subprocess"),
    "PandasQueryEngine": (None, Severity.HIGH, "evaluates model-written pandas code with `eval`"),
    "SQLDatabaseChain": (None, Severity.INFO, "runs model-written SQL"),
    "CodeAgent": (None, Severity.HIGH, "runs the Python its model writes in this process"),
}
_FRAMEWORKS = ("langchain", "llama_index", "smolagents")
# smolagents runs a CodeAgent's code elsewhere when told to: a remote or container executor
_SANDBOX_EXECUTORS = frozenset({"e2b", "docker", "modal", "wasm", "blaxel"})
_READ_ONLY_MARKERS = ("mode=ro", "readonly", "read_only", "read-only")


# Programs that run code given on their command line (a `-c` flag, or the script as the first
# operand: `["python", "-c", text]`, `["sh", text]`, `["awk", text]`), and the flags that introduce it.
_INTERPRETERS = frozenset(
    {
        "python", "python3", "sh", "bash", "zsh", "dash", "ksh", "fish", "node", "perl", "ruby",
        "php", "pwsh", "powershell", "deno", "lua", "Rscript", "osascript", "awk", "gawk", "sed",
    }
)  # fmt: skip
_CODE_FLAGS = frozenset({"-c", "-e", "--eval", "-Command", "-command", "eval", "-r"})
# Launchers run the program their first operand names (`["env", "bash", "-c", text]` is bash):
# their options, `NAME=value` settings and durations come before it.
_LAUNCHERS = frozenset(
    {
        "env", "sudo", "doas", "nohup", "nice", "ionice", "stdbuf", "time", "timeout", "setsid",
        "chrt", "taskset", "unbuffer", "exec",
    }
)  # fmt: skip
# A launcher's option or setting before the program it runs (`nice -n 5`, `env A=1`, `timeout 5s`),
# compiled (`compiled`) when a rule first reads an argument list.
LAUNCHER_SETTING = r"^(?:-.*|\w+=.*|\d+(?:\.\d+)?[smhd]?)$"

# Programs whose arguments can run other programs or code: launchers of whole command lines
# (`xargs`, `ssh`, `su -c`, `watch`), options that run commands (`git -c core.sshCommand=`,
# `find -exec`, `tar --checkpoint-action=`, `rsync -e`), and package installers (installing runs
# the package's code).
_CODE, _RUNNER, _PLAIN = "code", "runner", "plain"
_ARGUMENT_RUNNERS = frozenset(
    {
        "su", "runuser", "chroot", "xargs", "watch", "flock", "ssh", "git", "find", "tar",
        "rsync", "zip", "docker", "podman", "kubectl", "make", "pip", "pip3", "uv", "uvx", "pipx",
        "npm", "npx", "pnpm", "yarn", "gem", "cargo", "go", "conda",
    }
)  # fmt: skip
# Subcommands of an argument runner whose message option takes the next word as its value, whatever
# it says (`git commit -m TEXT`: a commit message, never an option), and that runner's global
# options that take a separate value (`git -C DIR`), skipped to find the subcommand.
_MESSAGE_OPTIONS = frozenset({"-m", "--message"})
_MESSAGE_SUBCOMMANDS: dict[str, frozenset[str]] = {
    "git": frozenset({"commit", "tag", "merge", "notes", "stash"}),
}
_GLOBAL_VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "git": frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env"}),
}
_MODEL = object()  # an argv word that carries the model's text (other words: a constant or None)


class ModelOutputExecuted(OutputFlowRule):
    code = "AIS301"
    name = "llm-output-executed"
    summary = "Model output executed as code or as a shell command"
    severity = Severity.HIGH
    cwe = "CWE-94"
    roles = (EXEC,)
    triggers = (*sink_triggers((EXEC,)), *_HELPERS, *WRITE_TRIGGERS)
    trigger_groups = ((*LLM_TRIGGERS, *_HELPERS),)
    description = (
        "Text an LLM returned (`resp.choices[0].message.content`, `resp.output_text`, "
        "`msg.content[0].text`, `resp.text`, the streaming helpers' text (`with "
        "client.messages.stream(...) as stream:` `stream.text_stream`, `get_final_message()`; "
        "`responses.stream`, `chat.completions.stream`; each chunk of google-genai's "
        "`generate_content_stream`, sync or `client.aio`, and `send_message_stream`), LangChain `.invoke(...)`, Haystack generator and "
        "`Pipeline.run` results, pipeline "
        "`generated_text`, tool-call arguments) reaches `eval`, `exec`, `compile` (and the code "
        "object `compile` returns reaches `eval`/`exec`: both are reported), a Jinja2, Mako or Django "
        "`Template` or Flask's (or Quart's) `render_template_string` (server-side template injection: template "
        "code runs in the server, so this is code execution, not only HTML; Jinja's "
        "`SandboxedEnvironment` is not reported), `os.system`/`os.popen`/`os.exec*`/`pty.spawn`, or a `subprocess` call, whether "
        "as a shell string (`shell=True`) or inside an argument list; a command run on another "
        "host or in a pseudo-terminal (paramiko `exec_command`, Fabric/Invoke `run`/`sudo`, "
        "`pexpect.spawn`/`run`); code run from a path or module name (`runpy.run_path`/"
        "`run_module`) or as a notebook cell (`get_ipython().run_cell`); expression evaluators that reach `eval` (pandas `eval` and "
        "`DataFrame.query`/`eval`, `numexpr.evaluate`, sympy `sympify`/`parse_expr`). Model "
        "output includes the replies of Azure AI Inference, watsonx.ai, Replicate, llama-cpp-python "
        "and GPT4All, DSPy modules, Outlines generators, Semantic Kernel, "
        "smolagents, AutoGen, CrewAI, Agno and Marvin agents. The flow is followed through "
        "variables, helpers that return the response, and attributes set in one method and used in "
        "another (`self.last_code = ...`). Inside a LangChain model integration (a method of a class "
        "deriving from `BaseChatModel`, `SimpleChatModel`, `BaseLLM`, `LLM` or `BaseLanguageModel`, "
        "or a function nested in one), the integration's own HTTP call to its provider "
        "(`requests`, `httpx`, `aiohttp`, `urllib`) returns the model's reply: model output too; "
        "so does a raw HTTP POST (or `request(method, url)`) to a URL that is recognisably a model "
        "API's (`api.openai.com`, "
        "`api.anthropic.com`, `generativelanguage.googleapis.com`, Ollama's port 11434, an "
        "OpenAI-compatible `/v1/chat/completions`, ...: the constant text of the URL, a module "
        "constant or the literal parts of an f-string).\n\n"
        "Agent tools that execute model-written code are reported without a flow: LangChain "
        "`PythonREPLTool`/`PythonAstREPLTool`/`PythonREPL`, `create_python_agent`, "
        "`create_pandas_dataframe_agent(..., allow_dangerous_code=True)` (and the CSV and Spark "
        "agents), `PALChain`, `ShellTool`, `BashProcess`, `LLMBashChain`, LlamaIndex "
        "`CodeInterpreterToolSpec`, LlamaIndex `PandasQueryEngine`, a smolagents `CodeAgent` that runs its code in this process (not with `executor_type='e2b'`, `'docker'`, `'modal'`, `'wasm'` or `'blaxel'`); `SQLDatabaseChain` is reported at "
        "info severity unless the module mentions a read-only connection (`mode=ro`, `read_only`).\n\n"
        "Model output written into a source file (`open('gen.py', 'w').write(code)`, "
        "`Path('tool.sh').write_text(code)`, a `with open(...) as f` handle; names ending in `.py`, "
        "`.sh`, `.js`, `.ps1`, ...) is reported at the write, at medium severity and confidence. "
        "When the module itself runs or reads the file back, that step is followed too, whatever "
        "the file's name: a temporary file (`NamedTemporaryFile(...).name`, `tempfile.mkstemp()`), "
        "a constant path, a `Path` or a path built from a base and constant parts "
        "(`os.path.join(workdir, 'gen.py')`, `Path(workdir) / 'gen.py'`) written with model output "
        "and then given to an interpreter "
        "(`subprocess.run([sys.executable, path])`, `f'python {path}'` with `shell=True`), to "
        "`runpy.run_path`, or read into `exec(open(path).read())` (the write in one function and the "
        "run in another count, within one module); a fixed program given the file as a plain "
        "argument (`['wc', '-l', path]`) is not reported.\n\n"
        "`ast.literal_eval` is not a sink. `shlex.quote` around the model text in a shell string (unless "
        "the quoted text is handed to an interpreter's code flag or `eval`: `'bash -c ' + "
        "shlex.quote(text)` still runs it), a "
        "cast (`int(...)`) or an allowlist check (`if cmd in ALLOWED:`, `if argv[0] not in ALLOWED: "
        "return`) make the text safe. In an argument list without a shell, what the program does "
        "with the model's text decides: a fixed program that takes it as a plain argument "
        "(`['echo', text]`, `['python', 'report.py', text]`) runs no code of the model's and is not "
        "reported; an interpreter given it as code or as its script (`['python', '-c', text]`, "
        "`['bash', '-c', text]`, `['sh', text]`, `['awk', text]`) is high; a launcher (`env`, "
        "`sudo`, `timeout`, `nice`, ...) is judged by the program it launches; a program whose "
        "arguments can run commands (`xargs`, `ssh`, `su`; `git -c core.sshCommand=`, `find "
        "-exec`, `tar --checkpoint-action=`, `rsync -e`; package installers such as `pip "
        "install`) is medium, unless every word of the model's there is the value of a message option "
        "(`['git', '-C', repo, 'commit', '-m', text]`, also `git tag`, `merge`, `notes`, `stash`: git "
        "takes the word after `-m`/`--message` as the message, never as an option). A list the model chose whole "
        "(`shlex.split(text)`, `[text, ...]`) is high." + "\n\n" + TOOL_ARGUMENTS_DOC
    )
    rationale = (
        "Model output is attacker-influenced: anyone who can put text in front of the model (a "
        "chat message, a retrieved page, a document) can make it answer with code. Executing it "
        "turns prompt injection into remote code execution with the application's privileges "
        "(OWASP LLM05, insecure output handling; CVE-2023-29374 and CVE-2023-36258 in LangChain's "
        "math and PAL chains)."
    )
    remediation = (
        "Do not execute model output. Have the model choose among fixed actions (a tool name "
        "checked against an allowlist, parameters parsed with `json.loads` and validated), parse "
        "literals with `ast.literal_eval`, and pass command arguments as a list after checking "
        "each one. If the product is a code interpreter, run the code in an isolated sandbox "
        "(a container or a remote service without credentials), never in the application process."
    )
    references = (
        "https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/",
        "https://cwe.mitre.org/data/definitions/94.html",
        "https://cwe.mitre.org/data/definitions/78.html",
        "https://nvd.nist.gov/vuln/detail/CVE-2023-29374",
    )
    invalid = (
        # Quart's render_template_string compiles model text as a template (SSTI)
        'from openai import AsyncOpenAI\nfrom quart import Quart, render_template_string\n\napp = Quart(__name__)\nclient = AsyncOpenAI()\n\n\n@app.get("/page")\nasync def page():\n    html = (await client.responses.create(model="gpt-4.1", input="A landing page")).output_text\n    return await render_template_string(html)\n',
        # a raw HTTP call to a model API: its JSON is the model's reply
        'import subprocess\n\nimport requests\n\nOLLAMA = "http://localhost:11434"\n\n\ndef run(task):\n    reply = requests.post(f"{OLLAMA}/api/generate", json={"model": "llama3.1", "prompt": task}, timeout=60).json()\n    subprocess.run(reply["response"], shell=True)\n',
        # a provider integration: its HTTP call returns the model's reply
        "import requests\nfrom langchain_core.language_models.llms import LLM\n\n\n"
        "class AcmeLLM(LLM):\n    def _call(self, prompt, stop=None, **kwargs):\n"
        "        reply = requests.post(self.endpoint, json={'prompt': prompt}, timeout=30).json()\n"
        "        if reply['text'].startswith('CODE:'):\n            exec(reply['text'][5:])\n"
        "        return reply['text']\n",
        "import httpx\nfrom langchain_core.language_models.chat_models import BaseChatModel\n\n\n"
        "class ChatAcme(BaseChatModel):\n    def _generate(self, messages, stop=None, **kwargs):\n"
        "        def ask():\n            return httpx.post(self.api_base, json={'m': messages}).json()\n\n"
        "        return eval(ask()['tool_args'])\n",
        # code-interpreter chat
        'from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef run_code(task):\n    resp = client.chat.completions.create(\n        model="gpt-4o", messages=[{"role": "user", "content": f"Write Python for: {task}"}]\n    )\n    code = resp.choices[0].message.content.strip("`")\n    exec(code, {})\n',
        # shell assistant
        'import subprocess\n\nimport anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef suggest(goal):\n    msg = client.messages.create(\n        model="claude-sonnet-4-5", max_tokens=200, messages=[{"role": "user", "content": goal}]\n    )\n    command = msg.content[0].text\n    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout\n',
        # tool call arguments
        'import json\nimport os\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef handle(messages, tools):\n    resp = client.chat.completions.create(model="gpt-4o", messages=messages, tools=tools)\n    for call in resp.choices[0].message.tool_calls or []:\n        args = json.loads(call.function.arguments)\n        if call.function.name == "shell":\n            os.system(args["command"])\n',
        # second order: helper returning the response text
        'import os\n\nfrom langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI(model="gpt-4o")\n\n\ndef ask(question):\n    return llm.invoke(question).content\n\n\ndef cleanup():\n    os.popen(ask("Which command frees disk space on this host?"))\n',
        # argument list: the model chooses arguments
        Example(
            'import subprocess\n\nfrom google import genai\n\nclient = genai.Client()\n\n\ndef branch_for(issue):\n    name = client.models.generate_content(model="gemini-2.5-flash", contents=f"Branch name for: {issue}").text\n    subprocess.run(["git", "checkout", "-b", name], check=True)\n',
            expect=1,
        ),
        # second order through self attributes
        'from transformers import pipeline\n\n\nclass Calculator:\n    def __init__(self):\n        self.pipe = pipeline("text-generation", model="Qwen/Qwen2.5-0.5B-Instruct")\n        self.expression = ""\n\n    def parse(self, question):\n        self.expression = self.pipe(question)[0]["generated_text"]\n\n    def answer(self):\n        return eval(self.expression)\n',
        Example(
            "from langchain_experimental.tools import PythonREPLTool\nfrom langgraph.prebuilt import create_react_agent\n\n\ndef build(model):\n    return create_react_agent(model, tools=[PythonREPLTool()])\n",
            expect=1,
        ),
        'import pandas as pd\nfrom langchain_experimental.agents import create_pandas_dataframe_agent\nfrom langchain_openai import ChatOpenAI\n\nagent = create_pandas_dataframe_agent(ChatOpenAI(), pd.read_csv("sales.csv"), allow_dangerous_code=True)\n',
        "from llama_index.experimental.query_engine import PandasQueryEngine\n\n\ndef engine(df):\n    return PandasQueryEngine(df=df, verbose=True)\n",
        # server-side template compiled from model text (SSTI)
        'from mako.template import Template\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\npage = Template(ask("Write a greeting template")).render(user=name)\n',
        # argv form: the model chooses the program
        'import shlex\nimport subprocess\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef run(goal):\n    subprocess.run(shlex.split(ask(goal)), check=True)\n',
        # an interpreter given the model's text as its script, or a launcher running it
        Example(
            'import subprocess\n\nimport ollama\n\n\ndef run(task):\n    script = ollama.generate(model="llama3.1", prompt=task)["response"]\n    subprocess.run(["sh", script])\n    subprocess.run(["awk", script, "data.csv"])\n    subprocess.run(["sudo", script])\n    subprocess.run([script, "--help"])\n',
            expect=4,
        ),
        # a constant interpreter running the model's code
        'import subprocess\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef run(task):\n    subprocess.run(["python3", "-c", ask(task)])\n',
        # Flask template compiled from model text
        'from flask import Flask, render_template_string\nfrom google import genai\n\napp = Flask(__name__)\nclient = genai.Client()\n\n\n@app.get("/page")\ndef page():\n    html = client.models.generate_content(model="gemini-2.5-flash", contents="A landing page").text\n    return render_template_string(html)\n',
        # an agent tool: the model chooses its arguments
        'import subprocess\n\nfrom langchain_core.tools import tool\n\n\n@tool\ndef run_shell(command: str) -> str:\n    """Run a shell command on the build host."""\n    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout\n',
        "from langchain_community.tools import ShellTool\nfrom langgraph.prebuilt import create_react_agent\n\nagent = create_react_agent(model, [ShellTool()])\n",
        # written into a script that a later step runs
        Example(
            'import subprocess\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef build(task):\n    with open("generated_tool.py", "w") as handle:\n        handle.write(ask(task))\n    subprocess.run(["python", "generated_tool.py"], check=True)\n',
            expect=1,
        ),
        # quoted for the outer shell, then run as code by the inner one
        'import os\nimport shlex\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef fix(log):\n    script = client.responses.create(model="gpt-4.1", input=f"Bash fix for: {log}").output_text\n    os.system("bash -c " + shlex.quote(script))\n',
        # a temporary script the module runs
        Example(
            'import subprocess\nimport sys\nimport tempfile\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef run(task):\n    code = client.responses.create(model="gpt-4.1", input=task).output_text\n    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:\n        handle.write(code)\n    subprocess.run([sys.executable, handle.name], check=True)\n',
            expect=1,
        ),
        Example(
            'from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef evaluate(question, frame):\n    expression = client.responses.create(model="gpt-4.1", input=question).output_text\n    program = compile(expression, "<model>", "eval")\n    return eval(program, {"df": frame})\n',
            expect=2,
        ),
    )
    valid = (
        # a model-written template rendered in Jinja's sandbox
        'from jinja2.sandbox import SandboxedEnvironment\nfrom openai import OpenAI\n\nclient = OpenAI()\nsandbox = SandboxedEnvironment()\n\n\ndef header(title):\n    snippet = client.responses.create(model="gpt-4.1", input="A Jinja header for a note").output_text\n    return sandbox.from_string(snippet).render(title=title)\n',
        # model output saved to a temporary file that a fixed program only reads
        'import subprocess\nimport tempfile\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef count(task):\n    text = client.responses.create(model="gpt-4.1", input=task).output_text\n    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:\n        handle.write(text)\n    return subprocess.run(["wc", "-w", handle.name], capture_output=True).stdout\n',
        # a raw HTTP call to another service: fetched content, not model output (AIS204's business)
        'import requests\n\n\ndef run():\n    job = requests.get("https://ci.example.com/api/chat/next", timeout=5).json()\n    exec(job["script"])\n',
        # a class named like a model base but not LangChain's: its HTTP reply is fetched content
        "import requests\nfrom acme.plugins import LLM\n\n\n"
        "class Updater(LLM):\n    def run(self, url):\n"
        "        script = requests.get(url, timeout=30).text\n        exec(script)\n",
        # literal_eval parses, it does not execute
        'import ast\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef numbers(text):\n    resp = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])\n    return ast.literal_eval(resp.choices[0].message.content)\n',
        # allowlisted command
        'import subprocess\n\nimport ollama\n\nALLOWED = {"uptime", "df", "free"}\n\n\ndef diagnose(question):\n    reply = ollama.chat(model="llama3", messages=[{"role": "user", "content": question}])\n    command = reply["message"]["content"].strip()\n    if command in ALLOWED:\n        return subprocess.run([command], capture_output=True).stdout\n    return "not allowed"\n',
        # constant command; the model output is only printed
        'import subprocess\n\nfrom openai import OpenAI\n\nclient = OpenAI()\nresp = client.responses.create(model="gpt-4.1", input="Summarise the release notes.")\nprint(resp.output_text)\nsubprocess.run(["git", "log", "-1"], check=True)\n',
        # a fixed program given the model's text as a plain argument
        'import subprocess\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef announce(topic):\n    text = client.responses.create(model="gpt-4.1", input=f"One line about {topic}").output_text\n    subprocess.run(["echo", text], check=True)\n    subprocess.run(["notify-send", "Release", text])\n    subprocess.run(["python3", "tools/post.py", "--message", text], check=True)\n',
        # the model's text as a commit message: git takes it as the message, never as an option
        'import subprocess\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef commit(diff):\n    text = client.responses.create(model="gpt-4.1", input=f"Commit message for: {diff}").output_text\n    subprocess.run(["git", "-C", "/srv/repo", "commit", "-m", text], check=True)\n',
        # quoted for the shell
        'import os\nimport shlex\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef speak(topic):\n    text = client.responses.create(model="gpt-4.1", input=f"One sentence about {topic}").output_text\n    os.system("say " + shlex.quote(text))\n',
        # cast
        'import os\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef pick():\n    n = int(client.responses.create(model="gpt-4.1", input="Pick a number from 1 to 9").output_text)\n    os.system(f"sleep {n}")\n',
        # eval of trusted text next to an LLM call
        'from openai import OpenAI\n\nclient = OpenAI()\nFORMULA = "2 * 21"\nprint(eval(FORMULA))\nclient.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])\n',
        'import pandas as pd\nfrom langchain_experimental.agents import create_pandas_dataframe_agent\nfrom langchain_openai import ChatOpenAI\n\nagent = create_pandas_dataframe_agent(ChatOpenAI(), pd.read_csv("sales.csv"), allow_dangerous_code=False)\n',
        'from mako.template import Template\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\npage = Template("Hello ${text}").render(text=ask("greeting"))\n',
        # the model text is a value in a constant template (autoescaped)
        'from flask import Flask, render_template_string\nfrom google import genai\n\napp = Flask(__name__)\nclient = genai.Client()\n\n\n@app.get("/page")\ndef page():\n    text = client.models.generate_content(model="gemini-2.5-flash", contents="A tip").text\n    return render_template_string("<p>{{ tip }}</p>", tip=text)\n',
        # typed tool arguments are numbers, not code
        'from langchain_core.tools import tool\n\n\n@tool\ndef add(a: int, b: int) -> int:\n    """Add two numbers."""\n    return eval(f"{a} + {b}")\n',
        # model text saved as a report, not as code
        'from pathlib import Path\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\nPath("summary.md").write_text(ask("Summarise the incident"))\nwith open("notes.txt", "w") as out:\n    out.write(ask("notes"))\n',
    )

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._code_files = CodeFileWrites(self.names, self.args)

    def visit_Module(self, node: libcst.Module) -> None:
        self._module = node

    def visit_Call(self, node: libcst.Call) -> None:
        self._current = node
        super().visit_Call(node)
        self._check_helper(node)
        self._check_code_file(node)

    def visit_With(self, node: libcst.With) -> None:
        self._code_files.enter_with(node)

    def _check_code_file(self, node: libcst.Call) -> None:
        written = self._code_files.written(node)
        if written is None:
            return
        path, text = written
        self.report_expression(
            text,
            EXEC,
            f"the code file '{path}'",
            f"is written into the code file '{path}', which is there to be run or imported",
            severity=Severity.MEDIUM,
            confidence=Confidence.MEDIUM,
        )

    def accepts(self, flow: SinkFlow) -> bool:
        if self._quoted_as_code(flow):
            return True
        return super().accepts(flow) and self._argv_kind(flow) != _PLAIN

    def _quoted_as_code(self, flow: SinkFlow) -> bool:
        """`"bash -c " + shlex.quote(text)`: quoting keeps the outer shell from splitting the
        model's text, then hands all of it to an interpreter's code flag (or `eval`) as code."""
        import libcst

        if (
            flow.fact.tier != LLM_OUTPUT
            or flow.role not in self.roles
            or flow.fact.encoded != ("shlex.quote",)
        ):
            return False
        parts: list[Any] = []
        pending: list[Any] = [flow.node]
        while pending:  # the pieces of a `+` concatenation or an f-string, in order
            piece = pending.pop(0)
            if isinstance(piece, libcst.BinaryOperation) and isinstance(piece.operator, libcst.Add):
                pending[:0] = [piece.left, piece.right]
            elif isinstance(piece, libcst.FormattedString):
                pending[:0] = [getattr(part, "expression", part) for part in piece.parts]
            else:
                parts.append(piece)
        before = ""
        for part in parts:
            if isinstance(part, libcst.Call) and self.names.qualified(part.func) in (
                "shlex.quote",
                "pipes.quote",
            ):
                words = before.split()
                return (
                    bool(words)
                    and words[-1] in _CODE_FLAGS
                    and (
                        words[-1] == "eval" or any(w.rsplit("/", 1)[-1] in _INTERPRETERS for w in words[:-1])
                    )
                )
            text = part.value if isinstance(part, libcst.FormattedStringText) else self.args.constant(part)
            before += text if isinstance(text, str) else " <value> "
        return False

    def severity_of(self, flow: SinkFlow) -> Severity:
        return Severity.MEDIUM if self._argv_kind(flow) == _RUNNER else Severity.HIGH

    def _argv_kind(self, flow: SinkFlow) -> str | None:
        """For an argument list with a constant program and no shell: `_CODE` when the program
        runs the model's text as code (an interpreter given it with `-c` or as its script),
        `_RUNNER` when the program's arguments can run commands, `_PLAIN` when the model's text is
        a plain argument of a fixed program (`["echo", text]`); None for any other sink."""
        import libcst

        node = self._current
        name = (flow.sink.pattern if flow.sink else "").rsplit(".", 1)[-1]
        if name in ("system", "popen", "eval", "exec", "compile", "Template", "from_string"):
            return None
        if self.args.is_true(node, "shell"):
            return None
        first = (
            node.args[0].value if node.args and node.args[0].keyword is None else call_keyword(node, "args")
        )
        if not isinstance(first, (libcst.List, libcst.Tuple)) or not first.elements:
            return None
        if any(isinstance(e, libcst.StarredElement) for e in first.elements):
            return None
        words = [self.args.constant(element.value) for element in first.elements]
        model = [
            i
            for i, element in enumerate(first.elements)
            if not isinstance(words[i], str) and self.taint.origin(element.value, [flow.fact.tier])
        ]
        for i in model:  # when no word can be placed, every word that is not a constant may be it
            words[i] = _MODEL
        return self._command_kind(words)

    def _command_kind(self, words: list[Any]) -> str:
        """What a command line does with its words that are not constants (the model's text)."""
        program = words[0] if words else None
        if not isinstance(program, str):
            return _CODE  # the model chooses the program
        program = program.rsplit("/", 1)[-1]
        if program in _LAUNCHERS:
            rest = words[1:]
            while rest and isinstance(rest[0], str) and compiled(LAUNCHER_SETTING).match(rest[0]):
                rest = rest[1:]
            # an option's value may come first (`sudo -u bob bash -c ...`): any constant word
            # after the settings may be the program; the most dangerous reading counts
            starts = [0] + [i for i, word in enumerate(rest) if i and isinstance(word, str)]
            kinds = {self._command_kind(rest[i:]) for i in starts} if rest else {_PLAIN}
            return next(kind for kind in (_CODE, _RUNNER, _PLAIN) if kind in kinds)
        if program in _ARGUMENT_RUNNERS:
            return _PLAIN if _only_messages(program, words) else _RUNNER
        if program not in _INTERPRETERS:
            return _PLAIN
        if any(w in _CODE_FLAGS for w in words[1:]):
            return _CODE
        # the first operand is the script: a constant one receives the model's text as arguments
        operands = [w for w in words[1:] if not (isinstance(w, str) and w.startswith("-"))]
        return _PLAIN if operands and isinstance(operands[0], str) else _CODE

    def advice(self, flow: SinkFlow) -> str:
        return (
            "anyone who can steer the model can run code here; do not execute model output (map it "
            "to an allowlisted action, parse literals with `ast.literal_eval`, or sandbox it)"
        )

    def _sandboxed(self, node: libcst.Call) -> bool:
        """A smolagents `CodeAgent` told to run its code in a sandbox (`executor_type="e2b"`,
        `"docker"`, ...; the older `use_e2b_executor=True`) does not run it in this process."""
        executor = call_keyword(node, "executor_type")
        kind = self.args.constant(executor) if executor is not None else None
        return kind in _SANDBOX_EXECUTORS or self.args.is_true(node, "use_e2b_executor")

    def _check_helper(self, node: libcst.Call) -> None:
        qualified = self.qualified_name(node.func)
        if not qualified or not qualified.startswith(_FRAMEWORKS):
            return  # a team's own class of the same name, or a callee we cannot place
        parts = qualified.split(".")
        name = parts[-1] if parts[-1] in _HELPERS else (parts[-2] if len(parts) > 1 else "")
        entry = _HELPERS.get(name)
        if entry is None:
            return
        condition, severity, what = entry
        if condition is not None and not self.args.is_true(node, condition):
            return
        if name == "CodeAgent" and (parts[-1] != name or self._sandboxed(node)):
            return  # the agent's construction is the finding, not each call on it
        if name == "SQLDatabaseChain":
            code = getattr(getattr(self, "_module", None), "code", "")
            if any(marker in code.lower() for marker in _READ_ONLY_MARKERS):
                return
            self.report(
                node,
                f"`{name}` {what} against the connected database; connect it with a read-only "
                "role or engine so that a prompt-injected query cannot change data",
                severity=severity,
                confidence=Confidence.LOW,
            )
            return
        self.report(
            node,
            f"`{name}` {what}: anyone who can steer the model (a chat message, a retrieved "
            "document) can run code on this host; run it in an isolated sandbox or use a tool "
            "with fixed actions",
            severity=severity,
        )


def _only_messages(program: str, words: list[Any]) -> bool:
    """Whether every word of the model's in an argument runner's command line is the value of a
    message option (`["git", "-C", repo, "commit", "-m", text]`): that value is the message, never
    an option, so the model chooses no option there. The model's words are the `_MODEL` ones, or
    every word that is not a constant when none could be placed."""
    subcommands = _MESSAGE_SUBCOMMANDS.get(program)
    if not subcommands:
        return False
    at = 1
    while at < len(words) and isinstance(words[at], str) and words[at].startswith("-"):
        at += 2 if words[at] in _GLOBAL_VALUE_OPTIONS.get(program, ()) else 1
    if at >= len(words) or words[at] not in subcommands:
        return False
    marked = any(word is _MODEL for word in words)
    model = [i for i, word in enumerate(words) if (word is _MODEL if marked else not isinstance(word, str))]
    return bool(model) and all(i > at + 1 and words[i - 1] in _MESSAGE_OPTIONS for i in model)
