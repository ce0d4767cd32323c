"""The LLM-output taint catalog: where model responses come from and where they must not go.

Sources: the return value of every LLM call of the prompt sink catalog's SDKs (and the chains,
agents and query engines built on them) is `LLM_OUTPUT`; attribute and subscript propagation
carries it to the accessors (`resp.choices[0].message.content`, `resp.output_text`,
`msg.content[0].text`, `resp.text`, `resp["message"]["content"]`, `out[0]["generated_text"]`,
`json.loads(tool_call.function.arguments)`), so the accessors need no entries of their own.

Sinks carry pass-through roles the AIS3xx rules select: `exec` (AIS301), `sql` (AIS302), `html`
(AIS303), and `deserialize`, `path`, `url`, `import`, `dispatch` (AIS304). Escapers are the
engine's encoders (`html.escape`, `markupsafe.escape`, `bleach.clean`, `shlex.quote`, ...): a
fact lists them in `TaintFact.encoded` and each rule decides which ones neutralise its sink.
Casts and allowlist guards (`if name in TOOLS:`) are the engine's too.
"""

from __future__ import annotations

from aisec.hooks import (
    ENCODER,
    GUARD,
    LLM_OUTPUT,
    ParameterSource,
    SafeArgument,
    Sanitizer,
    Sink,
    SinkArgument,
    Source,
    TaintCatalog,
)
from aisec.plugins.prompt_injection.catalog import (
    HTTP_CALLS,
    JINJA_COMPILERS,
    LANGCHAIN_MODEL_BASES,
    LANGCHAIN_PROVIDER_PACKAGES,
    _methods,
)

EXEC = "exec"
SQL = "sql"
HTML = "html"
DESERIALIZE = "deserialize"
PATH = "path"
URL = "url"
IMPORT = "import"
DISPATCH = "dispatch"
UNSAFE_USE_ROLES = (DESERIALIZE, PATH, URL, IMPORT, DISPATCH)


def _llm(patterns: tuple[str, ...], label: str) -> list[Source]:
    return [Source(pattern, LLM_OUTPUT, "call", label) for pattern in patterns]


def _sink(
    patterns: tuple[str, ...],
    role: str,
    keyword: str | None = None,
    position: int | None = 0,
    reads_files: bool = False,
) -> list[Sink]:
    argument = SinkArgument(role, keyword, position, reads_files=reads_files)
    return [Sink(pattern, (argument,)) for pattern in patterns]


# ----- sources: LLM calls (their return value is model output) -----

_LANGCHAIN_PROVIDERS = (
    *LANGCHAIN_PROVIDER_PACKAGES,
    "langchain_community",
    "langchain_core",
    "langchain",
    "langgraph",
)
_RUNNABLE_METHODS = ("invoke", "ainvoke", "batch", "abatch", "predict", "apredict", "run", "arun")

# URLs that are recognisably a model API's: a raw HTTP call there returns the model's reply.
LLM_API_URLS = (
    r"api\.openai\.com",
    r"\.openai\.azure\.com",
    r"api\.anthropic\.com",
    r"generativelanguage\.googleapis\.com",
    r"aiplatform\.googleapis\.com/.*:(?:stream)?[gG]enerateContent",
    r"api\.mistral\.ai",
    r"api\.cohere\.(?:ai|com)",
    r"api\.groq\.com",
    r"api\.together\.(?:xyz|ai)",
    r"api\.deepseek\.com",
    r"api\.fireworks\.ai",
    r"api\.perplexity\.ai",
    r"api\.x\.ai",
    r"openrouter\.ai/api",
    r"api-inference\.huggingface\.co",
    r"router\.huggingface\.co",
    r"bedrock-runtime\.[\w.-]*amazonaws\.com",
    r":11434(?:/|$)",  # Ollama's port
    r"ollama[\w.-]*(?::\d+)?/api/(?:generate|chat)\b",
    r"/v1/chat/completions\b",  # OpenAI-compatible servers (vLLM, llama.cpp, LM Studio, ...)
    r"/v1/completions\b",
    r":(?:stream)?[gG]enerateContent\b",
)

# Model APIs are called with POST (or a generic `request(method, url)`): only these calls are
# read for a model API's URL, which keeps the prefilter's source tokens selective (`get` is
# everywhere).
_API_CALLS = tuple(call for call in HTTP_CALLS if call.rsplit(".", 1)[-1] in ("post", "request"))

SOURCES: tuple[Source, ...] = (
    # A raw HTTP call to a model API's URL returns the model's reply.
    *(
        Source(
            pattern,
            LLM_OUTPUT,
            "call",
            "the model API's reply",
            matching=LLM_API_URLS,
            matching_arguments=(0, 1, "url"),
        )
        for pattern in _API_CALLS
    ),
    # A LangChain model integration's own HTTP call to its provider returns the model's reply.
    *(
        Source(pattern, LLM_OUTPUT, "call", "the model API's reply", within=LANGCHAIN_MODEL_BASES)
        for pattern in HTTP_CALLS
    ),
    *_llm(
        (
            "*.chat.completions.create",
            "*.chat.completions.parse",
            "*.responses.create",
            "*.responses.parse",
            # the streaming helpers' managers (`with client.responses.stream(...) as stream:`)
            "*.chat.completions.stream",
            "*.responses.stream",
            "*.completions.create",
            "openai.ChatCompletion.create",
            "openai.ChatCompletion.acreate",
            "openai.Completion.create",
            "fireworks.client.ChatCompletion.create",
            "fireworks.client.ChatCompletion.acreate",
            "*.beta.threads.messages.list",
            "agents.Runner.run",
            "agents.Runner.run_sync",
        ),
        "OpenAI response",
    ),
    *_llm(
        (
            "anthropic.*.messages.create",
            "*.messages.create",
            "anthropic.*.messages.stream",
            "*.messages.stream",
        ),
        "Anthropic response",
    ),
    *_llm(
        (
            "*.models.generate_content",
            "*.models.generate_content_stream",  # google-genai, sync and `client.aio`: text chunks
            "google.generativeai.GenerativeModel.generate_content",
            "vertexai.*GenerativeModel.generate_content",
            "google.*.send_message",
            "vertexai.*.send_message",
            "*chat.send_message",
            "google.*.send_message_stream",
            "*chat.send_message_stream",
        ),
        "Gemini response",
    ),
    *_llm(("cohere.*.chat",), "Cohere response"),
    *_llm(
        (
            *_methods(("mistralai.*.chat", "*.chat"), ("complete", "complete_async")),
            "mistralai.*.agents.complete",
        ),
        "Mistral response",
    ),
    *_llm(
        (
            "litellm.completion",
            "litellm.acompletion",
            "litellm.text_completion",
            "litellm.atext_completion",
            "litellm.Router.completion",
            "litellm.Router.acompletion",
            "litellm.responses",
        ),
        "LiteLLM response",
    ),
    *_llm(
        ("ollama.chat", "ollama.generate", "ollama.*Client.chat", "ollama.*Client.generate"),
        "Ollama response",
    ),
    *_llm(("*.converse", "*.invoke_model"), "Bedrock response"),
    *_llm(
        (
            *_methods(tuple(f"{provider}.*" for provider in _LANGCHAIN_PROVIDERS), _RUNNABLE_METHODS),
            *_methods(("langchain.chat_models.init_chat_model",), _RUNNABLE_METHODS),
            # chains and models passed in or composed with `|` resolve to the name as written
            *_methods(("*chain", "*llm", "*model", "*agent", "*executor", "*graph"), ("invoke", "ainvoke")),
        ),
        "LangChain output",
    ),
    *_llm(
        (
            *_methods(("llama_index.*",), ("query", "aquery", "chat", "achat", "complete", "acomplete")),
            *_methods(("*.as_query_engine", "*query_engine"), ("query", "aquery")),
            *_methods(("*.as_chat_engine", "*chat_engine"), ("chat", "achat")),
        ),
        "LlamaIndex response",
    ),
    # a Haystack pipeline's result holds its generators' replies
    *_llm(
        (
            "haystack*.*Generator.run",
            "haystack*.*Generator.run_async",
            "haystack*.Pipeline.run",
            "haystack*.AsyncPipeline.run_async",
        ),
        "Haystack reply",
    ),
    *_llm(
        (
            "transformers.pipeline.__call__",
            "transformers.*.generate",
            "transformers.*Tokenizer*.decode",
            "transformers.*Tokenizer*.batch_decode",
        ),
        "transformers output",
    ),
    *_llm(("vllm.LLM.generate", "vllm.LLM.chat"), "vLLM output"),
    *_llm(
        (
            "azure.ai.inference.*ChatCompletionsClient.complete",
            "ibm_watsonx_ai.foundation_models.ModelInference.chat",
            "ibm_watsonx_ai.foundation_models.ModelInference.generate_text",
            "replicate.run",
            "replicate.Client.run",
            "llama_cpp.Llama.create_chat_completion",
            "llama_cpp.Llama.create_completion",
            "llama_cpp.Llama.__call__",
            "gpt4all.GPT4All.generate",
        ),
        "model response",
    ),
    *_llm(
        (
            "huggingface_hub.*InferenceClient.chat_completion",
            "huggingface_hub.*InferenceClient.text_generation",
        ),
        "Hugging Face Inference response",
    ),
    *_llm(
        (
            "pydantic_ai*.Agent.run",
            "pydantic_ai*.Agent.run_sync",
            "pydantic_ai*.Agent.run_stream",
            "pydantic_ai*.Agent.iter",
            "crewai.Crew.kickoff",
            "crewai.Crew.kickoff_async",
            "crewai.Agent.kickoff",
            "smolagents.*Agent.run",
            "autogen_agentchat.*.run",
            "autogen*.initiate_chat",
            "marvin.run",
            "marvin.Agent.run",
            "semantic_kernel.agents.*Agent.get_response",
            "agno.agent.Agent.run",
            "agno.agent.Agent.arun",
            "phi.agent.Agent.run",
        ),
        "agent output",
    ),
    *_llm(
        (
            # DSPy modules and language models: what calling them returns
            *(
                f"dspy.{module}.__call__"
                for module in ("Predict", "ChainOfThought", "ReAct", "ProgramOfThought", "LM")
            ),
            *_methods(("dspy.Predict", "dspy.ChainOfThought", "dspy.ReAct"), ("forward", "acall")),
            # Semantic Kernel: prompts and functions the kernel runs, chat services' replies
            "semantic_kernel*.Kernel.invoke_prompt",
            "semantic_kernel*.Kernel.invoke",
            "semantic_kernel.*.get_chat_message_content",
            "semantic_kernel.*.get_chat_message_contents",
            "semantic_kernel.*.get_text_content",
            # Outlines generators and models (the 0.x `generate.*` API and 1.x `from_*` models)
            "outlines.generate.*.__call__",
            "outlines.from_*.__call__",
        ),
        "framework LLM output",
    ),
)

# ----- sinks -----

# Responses that are HTML only when their content type says so: aiohttp, Sanic and Azure Functions
# (text or body), Starlette, FastAPI and Litestar (content)
_DECLARED_BODY = (
    "aiohttp.web.Response",
    "aiohttp.web_response.Response",
    "sanic.response.HTTPResponse",
    "sanic.HTTPResponse",
    "sanic.response.raw",
    "azure.functions.HttpResponse",
)
_DECLARED_CONTENT = (
    "starlette.responses.Response",
    "fastapi.Response",
    "fastapi.responses.Response",
    "litestar.Response",
    "litestar.response.Response",
)
HTML_IF_DECLARED = (*_DECLARED_BODY, *_DECLARED_CONTENT)

_SUBPROCESS = tuple(
    f"subprocess.{name}"
    for name in ("run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput")
)
_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
# pandas (and polars) readers fetch URLs and open paths; writers write to the path they are given
_PANDAS_READERS = tuple(
    f"{lib}.read_{kind}"
    for lib in ("pandas", "polars")
    for kind in (
        "csv",
        "json",
        "html",
        "excel",
        "parquet",
        "table",
        "xml",
        "feather",
        "fwf",
        "orc",
        "sas",
        "stata",
        "ndjson",
    )
)
_FRAME_WRITERS = tuple(
    f"*.{method}"
    for method in (
        "to_csv",
        "to_parquet",
        "to_excel",
        "to_pickle",
        "to_feather",
        "to_hdf",
        "to_stata",
        "to_orc",
        "write_csv",
        "write_parquet",
        "write_ndjson",
        "write_excel",
    )
)
# methods of a path object: the path is the object they are called on
# (names common in other APIs, `open`, `replace`, `rename`, `mkdir`, are left out: the prefilter
# would analyse most modules that import pathlib)
_PATH_METHODS = tuple(
    f"*.{method}"
    for method in (
        "write_text",
        "write_bytes",
        "read_text",
        "read_bytes",
        "unlink",
        "rmdir",
        "touch",
        "symlink_to",
        "hardlink_to",
    )
)
# the same, and the names too common to match on any object, on a path object that resolves
# to pathlib: constructing a path touches nothing, the file is touched where the path is used
_PATHLIB_METHODS = tuple(f"pathlib.*.{method}" for method in ("open", "mkdir", "rename", "replace"))
DASH_MARKDOWN = "dash.dcc.Markdown"  # HTML only with dangerously_allow_html=True (AIS303 reads it)
_YAML_SAFE_LOADERS = ("yaml.SafeLoader", "yaml.CSafeLoader", "yaml.BaseLoader", "yaml.CBaseLoader")

SINKS: tuple[Sink, ...] = (
    # AIS301: code and command execution
    *_sink(("builtins.eval", "builtins.exec", "builtins.compile"), EXEC, "source"),
    # (a command line, or a script path, also runs what the module wrote into the files it names)
    *_sink((*_SUBPROCESS, "asyncio.create_subprocess_shell"), EXEC, "args", reads_files=True),
    *_sink(("os.system", "os.popen", "pty.spawn", "commands.getoutput"), EXEC, reads_files=True),
    *_sink(
        ("os.exec*", "os.spawn*", "os.posix_spawn*", "asyncio.create_subprocess_exec"),
        EXEC,
        None,
        None,
        reads_files=True,
    ),
    *_sink(("runpy.run_path",), EXEC, "path_name", reads_files=True),
    # commands run on another host or through a pseudo-terminal: a shell parses them there
    *_sink(("paramiko.*.exec_command",), EXEC, "command"),
    *_sink(
        (
            *_methods(("fabric.Connection", "fabric.connection.Connection"), ("run", "sudo", "local")),
            "invoke.run",
            "invoke.sudo",
            "invoke.Context.run",
            "invoke.Context.sudo",
        ),
        EXEC,
        "command",
    ),
    *_sink(
        ("pexpect.spawn", "pexpect.spawnu", "pexpect.run", "pexpect.popen_spawn.PopenSpawn"), EXEC, "command"
    ),
    # a notebook's kernel runs the cell
    *_sink(
        ("IPython.get_ipython.run_cell", "IPython.core.getipython.get_ipython.run_cell"), EXEC, "raw_cell"
    ),
    # Python code run from a module name, and expression evaluators that reach `eval`
    *_sink(("runpy.run_module",), EXEC, "mod_name"),
    *_sink(("pandas.eval", "pandas.*.eval", "pandas.*.query"), EXEC, "expr"),
    *_sink(("numexpr.evaluate",), EXEC, "ex"),
    *_sink(("sympy.sympify", "sympy.core.sympify.sympify"), EXEC, "a"),
    *_sink(
        ("sympy.parse_expr", "sympy.parsing.sympy_parser.parse_expr", "sympy.parsing.parse_expr"), EXEC, "s"
    ),
    *_sink(JINJA_COMPILERS, EXEC, "source"),
    # AIS302: SQL text (parameters in argument 1 are safe)
    # Server-side templates compiled from model text: template code runs (SSTI).
    *_sink(("mako.template.Template",), EXEC, "text"),
    *_sink(
        (
            "flask.render_template_string",
            "flask.templating.render_template_string",
            "quart.render_template_string",
            "quart.templating.render_template_string",
        ),
        EXEC,
        "source",
    ),
    *_sink(("django.template.Template", "django.template.base.Template"), EXEC, "template_string"),
    *_sink(("*.execute", "*.executemany", "*.executescript", "*.exec_driver_sql", "*.execute_sql"), SQL),
    # engines that take a query string the same way (DB-API-like, analytics, warehouses)
    *_sink(
        (
            "duckdb.sql",
            "duckdb.query",
            "duckdb.*.sql",
            "duckdb.*.query",
            "pyspark.sql.SparkSession.sql",
            "pyspark.*.sql",
            "polars.sql",
            "polars.SQLContext.execute",
            "polars.read_database",
            "clickhouse_connect.*.query",
            "clickhouse_connect.*.command",
            "google.cloud.bigquery.*.query",
            "pandas.read_gbq",
            "asyncpg.*.fetch",
            "asyncpg.*.fetchrow",
            "asyncpg.*.fetchval",
            # a connection from a pool whose type was lost on the way (a session store, app state):
            # `async with pool.acquire() as conn: await conn.fetch(sql)` is asyncpg's idiom
            "*.acquire.fetch",
            "*.acquire.fetchrow",
            "*.acquire.fetchval",
            "psycopg.sql.SQL",
            "psycopg2.sql.SQL",
            "snowflake.snowpark.*.sql",
            "sqlite_utils.Database.query",
        ),
        SQL,
    ),
    # `databases` (async SQL for FastAPI/Starlette apps) and Neo4j's Cypher queries
    *_sink(
        _methods(("databases.Database",), ("fetch_all", "fetch_one", "fetch_val", "iterate")), SQL, "query"
    ),
    *_sink(("neo4j.*.run", "neo4j.*.execute_query"), SQL, "query"),
    *_sink(
        ("tortoise.*.execute_query", "tortoise.*.execute_query_dict", "tortoise.*.execute_script"),
        SQL,
        "query",
    ),
    *_sink(
        (
            "sqlalchemy.text",
            "sqlalchemy.sql.text",
            "sqlalchemy.sql.expression.text",
            "sqlmodel.text",
            "sqlmodel.sql.expression.text",
        ),
        SQL,
        "text",
    ),
    *_sink(("pandas.read_sql", "pandas.read_sql_query"), SQL, "sql"),
    *_sink(("*.objects.raw", "*.raw"), SQL, "raw_query"),
    *_sink(("*.objects.extra", "*.extra"), SQL, None, None),
    *_sink(("django.db.models.RawSQL", "django.db.models.expressions.RawSQL"), SQL, "sql"),
    *_sink(("langchain*.SQLDatabase.run", "langchain*.SQLDatabase.run_no_throw"), SQL, "command"),
    # AIS303: HTML the browser renders
    *_sink(("markupsafe.Markup", "flask.Markup", "jinja2.Markup"), HTML),
    *_sink(("django.utils.safestring.mark_safe", "django.utils.html.format_html"), HTML),
    *_sink(("django.utils.html.format_html_join",), HTML, "format_string", 1),
    *_sink(("starlette.responses.HTMLResponse", "fastapi.responses.HTMLResponse"), HTML, "content"),
    *_sink(("gradio.HTML",), HTML, "value"),
    # UI frameworks' raw-HTML elements (their other text elements escape)
    *_sink(("nicegui.ui.html", "nicegui.ui.add_body_html", "nicegui.ui.add_head_html"), HTML),
    *_sink(("nicegui.ui.html.set_content",), HTML, "content"),
    *_sink(("panel.pane.HTML",), HTML, "object"),
    *_sink(("reflex.html",), HTML),
    *_sink(("dash_dangerously_set_inner_html.DangerouslySetInnerHTML",), HTML),
    *_sink(("dash.html.Iframe",), HTML, "srcDoc", None),
    *_sink((DASH_MARKDOWN,), HTML, "children"),
    # Responses whose default content type is text/html.
    *_sink(("django.http.HttpResponse", "django.http.response.HttpResponse"), HTML, "content"),
    *_sink(("flask.Response", "flask.wrappers.Response", "flask.make_response"), HTML, "response"),
    *_sink(("streamlit.components.v1.html", "streamlit.html"), HTML, "body"),
    *_sink(("tornado.web.RequestHandler.write", "tornado.web.RequestHandler.finish"), HTML, "chunk"),
    *_sink(("django.utils.safestring.SafeString", "django.utils.safestring.SafeText"), HTML),
    *_sink(
        ("streamlit.markdown", "streamlit.write", "streamlit.*.markdown", "streamlit.*.write"),
        HTML,
        None,
        None,
    ),
    *_sink(("IPython.display.HTML",), HTML, "data"),
    *_sink(("sanic.response.html", "sanic.html", "sanic.response.convenience.html"), HTML, "body"),
    # Responses that are HTML only when their content type says so (`content_type="text/html"`):
    # the AIS303 rule reads the content type
    *(
        Sink(pattern, (SinkArgument(HTML, "text", None), SinkArgument(HTML, "body", 0)))
        for pattern in _DECLARED_BODY
    ),
    *_sink(_DECLARED_CONTENT, HTML, "content"),
    # AIS304: other dangerous uses
    *_sink(
        (
            "pickle.loads",
            "dill.loads",
            "cloudpickle.loads",
            "marshal.loads",
            "jsonpickle.decode",
            "yaml.unsafe_load",
            "yaml.full_load",
            "yaml.unsafe_load_all",
        ),
        DESERIALIZE,
    ),
    # loaders of pickled files: a model-chosen file is a model-chosen object graph
    *_sink(("pickle.load", "dill.load", "cloudpickle.load"), DESERIALIZE, "file"),
    *_sink(("joblib.load",), DESERIALIZE, "filename"),
    *_sink(("shelve.open",), DESERIALIZE, "filename"),
    Sink(
        "torch.load",
        (SinkArgument(DESERIALIZE, "f", 0),),
        unless=(SafeArgument("weights_only", ("True", "builtins.True")),),
    ),
    # PyYAML's safe loaders build plain data only (the `Loader` is the second parameter)
    *(
        Sink(
            pattern,
            (SinkArgument(DESERIALIZE, None, 0),),
            unless=(SafeArgument("Loader", _YAML_SAFE_LOADERS, position=1),),
        )
        for pattern in ("yaml.load", "yaml.load_all")
    ),
    *_sink(("builtins.open", "os.remove", "os.unlink", "os.rmdir", "shutil.rmtree"), PATH),
    *(Sink(pattern, (SinkArgument(PATH, receiver=True),)) for pattern in _PATH_METHODS),
    *(Sink(pattern, (SinkArgument(PATH, receiver=True),)) for pattern in _PATHLIB_METHODS),
    *_sink(("flask.send_file",), PATH, "path_or_file"),
    *_sink(("starlette.responses.FileResponse", "fastapi.responses.FileResponse"), PATH, "path"),
    *_sink(_FRAME_WRITERS, PATH, "path_or_buf"),
    *_sink(_PANDAS_READERS, URL, "filepath_or_buffer"),
    *_sink(("pandas.read_pickle",), DESERIALIZE, "filepath_or_buffer"),
    *_sink(("urllib.request.urlretrieve",), URL, "url"),
    *_sink(("shutil.copy*", "shutil.move", "os.rename", "os.replace"), PATH, None, None),
    *_sink(
        (*(f"requests.{verb}" for verb in _HTTP_VERBS), *(f"httpx.{verb}" for verb in _HTTP_VERBS)),
        URL,
        "url",
    ),
    *_sink(
        _methods(
            ("requests.Session", "requests.session", "httpx.*Client", "aiohttp.ClientSession"), _HTTP_VERBS
        ),
        URL,
        "url",
    ),
    *_sink(
        (
            *_methods(
                (
                    "requests",
                    "requests.Session",
                    "httpx",
                    "httpx.*Client",
                    "aiohttp.ClientSession",
                    "aiohttp",
                ),
                ("request",),
            ),
            *_methods(("httpx", "httpx.*Client"), ("stream",)),
            "urllib3.request",
            "urllib3.PoolManager.request",
        ),
        URL,
        "url",
        1,
    ),
    *_sink(("urllib.request.urlopen", "urllib.request.Request"), URL, "url"),
    # a browser the application drives opens the page (server-side, like an HTTP client)
    *_sink(("playwright.*.goto", "selenium.*.get"), URL, "url"),
    *_sink(("importlib.import_module", "builtins.__import__"), IMPORT, "name"),
    *_sink(("builtins.getattr",), DISPATCH, None, 1),
)

TOOL_ARGUMENTS_DOC = (
    "Model output includes the arguments of agent tools: the parameters of a function decorated "
    "with LangChain's `@tool`, CrewAI's `@tool`, OpenAI Agents' `@function_tool`, pydantic-ai's "
    "`@agent.tool`, smolagents' `@tool` or an MCP server's `@mcp.tool()`, or registered with `StructuredTool.from_function`, "
    "`Tool(...)`, LlamaIndex `FunctionTool.from_defaults` or AutoGen `register_function`, and "
    "the `forward`/`_run`/`_arun` method of a smolagents `Tool` or CrewAI `BaseTool` subclass "
    "(not LangChain's `BaseTool`: the library's own tools would be reported) (the "
    "model chooses them; parameters typed `int`, `bool`, an enum or a `Literal` are not text, and "
    "what the framework injects is not the model's: pydantic-ai `RunContext` (its `ctx.deps` is "
    "the class its type parameter names), OpenAI Agents `RunContextWrapper`, LangChain "
    "`RunnableConfig` and `InjectedToolArg`/`InjectedState` parameters)."
)
# what a tool framework injects, not the model: run contexts, configs, injected state
_INJECTED_TOOL_PARAMETERS = (
    "pydantic_ai.RunContext",
    "pydantic_ai.tools.RunContext",
    "agents.RunContextWrapper",
    "agents.run_context.RunContextWrapper",
    "langchain_core.runnables.RunnableConfig",
    "langchain_core.runnables.config.RunnableConfig",
    "langchain_core.tools.Injected*",
    "langchain_core.tools.base.Injected*",
    "langgraph.prebuilt.Injected*",
    "langgraph.prebuilt.tool_node.Injected*",
)
# Agent tools: the model chooses every argument of a function it can call, so the parameters of
# a tool function are model output (a `str` path, URL, shell command or SQL the tool runs).
PARAMETER_SOURCES: tuple[ParameterSource, ...] = (
    ParameterSource(
        tier=LLM_OUTPUT,
        decorators=(
            "langchain_core.tools.tool",
            "langchain_core.tools.convert.tool",
            "langchain.tools.tool",
            "langchain.agents.tool",
            "langchain_community.tools.tool",
            "crewai.tools.tool",
            "crewai_tools.tool",
            "agents.function_tool",
            "pydantic_ai.Agent.tool",
            "pydantic_ai.Agent.tool_plain",
            "smolagents.tool",
            "llama_index.core.tools.FunctionTool.from_defaults",
            # an MCP server's tools are called by the client's model with arguments it chose
            *(f"{server}.tool" for server in ("mcp.server.fastmcp.FastMCP", "fastmcp.FastMCP")),
            *(
                f"mcp.server.{server}.call_tool"
                for server in ("Server", "lowlevel.Server", "lowlevel.server.Server")
            ),
        ),
        registrars=(
            "langchain*.StructuredTool.from_function",
            "langchain*.Tool",
            "langchain*.Tool.from_function",
            "llama_index.core.tools.FunctionTool.from_defaults",
            "autogen*.register_function",
        ),
        exclude=_INJECTED_TOOL_PARAMETERS,
        label="agent tool argument (chosen by the model)",
    ),
    # tools written as classes: the method the framework calls with the model's arguments.
    # LangChain's `BaseTool` is left out: langchain_community ships a dozen such tools whose
    # model-chosen paths, URLs and SQL are the point (their `root_dir` guards are settings), and
    # applications mostly write LangChain tools with `@tool` or `StructuredTool`, covered above.
    ParameterSource(
        tier=LLM_OUTPUT,
        base_classes=(
            "smolagents.Tool",
            "smolagents.tools.Tool",
            "crewai.tools.BaseTool",
            "crewai.tools.base_tool.BaseTool",
            "crewai_tools.BaseTool",
        ),
        functions=("forward", "_run", "_arun"),
        exclude=_INJECTED_TOOL_PARAMETERS,
        label="agent tool argument (chosen by the model)",
    ),
)

# HTML escapers and sanitisers beyond the engine's own encoders (other frameworks' and older
# releases' names for the same functions)
_HTML_ESCAPERS = (
    "tornado.escape.xhtml_escape",
    "jinja2.escape",
    "flask.escape",
    "werkzeug.utils.escape",
    "cgi.escape",
    "django.utils.html.strip_tags",
    "bleach.Cleaner.clean",
    "bleach.sanitizer.Cleaner.clean",
    "lxml.html.clean.clean_html",
    "lxml_html_clean.clean_html",
    "html_sanitizer.Sanitizer.sanitize",
)
_URL_ESCAPERS = ("tornado.escape.url_escape",)
SANITIZERS: tuple[Sanitizer, ...] = (
    *(
        Sanitizer(pattern, ENCODER)
        for pattern in (*_HTML_ESCAPERS, *_URL_ESCAPERS, "tornado.escape.json_encode")
    ),
    # `if not path.is_relative_to(BASE): raise` keeps a (resolved) path inside its directory
    Sanitizer("pathlib.*.is_relative_to", GUARD, "self"),
)  # the engine's casts, encoders and guards cover the rest

CATALOG = TaintCatalog(
    sources=SOURCES, parameter_sources=PARAMETER_SOURCES, sinks=SINKS, sanitizers=SANITIZERS
)

# encoders (TaintFact.encoded, as the engine names them) that neutralise model text for one role
NEUTRALISERS: dict[str, frozenset[str]] = {
    EXEC: frozenset({"shlex.quote"}),
    HTML: frozenset(
        {
            "html.escape",
            "markupsafe.escape",
            "markupsafe.Markup.escape",
            "django.utils.html.escape",
            "django.utils.html.conditional_escape",
            "django.utils.html.format_html",  # escapes its arguments (the engine keeps the format)
            "django.utils.html.format_html_join",
            "bleach.clean",
            "nh3.clean",
            "xml.sax.saxutils.escape",
            "xml.sax.saxutils.quoteattr",
            *_HTML_ESCAPERS,
            # autoescaping template renderers: the engine marks the values they substitute
            "flask.render_template",
            "flask.templating.render_template",
            "flask.render_template_string",
            "flask.templating.render_template_string",
            "quart.render_template",
            "quart.templating.render_template",
            "quart.render_template_string",
            "quart.templating.render_template_string",
            "django.shortcuts.render",
            "django.template.loader.render_to_string",
            "starlette.templating.Jinja2Templates.TemplateResponse",
            "fastapi.templating.Jinja2Templates.TemplateResponse",
            "bottle.template",
            "jinja2.Template.render",  # a template of a Jinja2 environment that autoescapes
        }
    ),
    URL: frozenset(
        {
            "urllib.parse.quote",
            "urllib.parse.quote_plus",
            "urllib.parse.urlencode",
            *_URL_ESCAPERS,
        }
    ),
    PATH: frozenset({"urllib.parse.quote", "urllib.parse.quote_plus", "base64.urlsafe_b64encode"}),
}
