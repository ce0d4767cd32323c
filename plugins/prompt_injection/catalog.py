"""The prompt-injection taint catalog: where untrusted text comes from and where prompts go.

Sinks follow the SDKs' current signatures (openai 1.x-3.x, anthropic 2.x, google-genai 3.x and
the legacy google-generativeai, cohere 7.x v1/v2, mistralai 1.x-3.x, litellm, ollama 0.6,
boto3 bedrock-runtime, langchain-core 1.x / langchain 1.x, llama-index-core 0.14, transformers,
vllm, huggingface_hub): which argument is instruction context (system/developer prompts,
`instructions=`, agent prompts), which is user content, which is a template. Patterns that start
with `*.` also match clients aisec cannot resolve (a client passed in as a parameter).

Sources are tiered: remote request data (web frameworks, webhooks, chat UIs, Lambda events),
indirect content (HTTP responses, read files, DB rows, retrieved documents) and local CLI input.
The environment and config are trusted: nothing here reads them.
"""

from __future__ import annotations

from aisec.hooks import (
    CLI,
    INDIRECT,
    INPUT,
    INSTRUCTION,
    MESSAGE,
    MESSAGES,
    REMOTE,
    TEMPLATE,
    USER,
    ParameterSource,
    Sink,
    SinkArgument,
    Source,
    TaintCatalog,
)


def _arg(role: str, keyword: str | None = None, position: int | None = None, **extra: object) -> SinkArgument:
    return SinkArgument(role, keyword, position, **extra)  # type: ignore[arg-type]


def _sinks(patterns: tuple[str, ...], *arguments: SinkArgument) -> list[Sink]:
    return [Sink(pattern, tuple(arguments)) for pattern in patterns]


def _methods(prefixes: tuple[str, ...], methods: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{prefix}.{method}" for prefix in prefixes for method in methods)


# ----- sinks -----

# Jinja calls that compile template text (`Template(text)`, an environment's `from_string`),
# also through an overlay or a native-types environment; `jinja2.sandbox` environments are not
# here (the sandbox is Jinja's documented way to render templates users write)
JINJA_COMPILERS = (
    "jinja2.Template",
    "jinja2.environment.Template",
    "jinja2.Environment*.from_string",
    "jinja2.environment.*from_string",
    "jinja2.nativetypes.*from_string",
)

_OPENAI = [
    # Chat Completions (also AzureOpenAI, AsyncOpenAI, OpenAI-compatible clients: Groq, Together,
    # huggingface_hub.InferenceClient's alias): roles system/developer/assistant are instructions.
    *_sinks(
        ("*.chat.completions.create", "*.chat.completions.parse", "*.chat.completions.stream"),
        _arg(MESSAGES, "messages"),
    ),
    *_sinks(
        (
            "openai.ChatCompletion.create",
            "openai.ChatCompletion.acreate",
            # Fireworks' own client keeps the OpenAI 0.x shape
            "fireworks.client.ChatCompletion.create",
            "fireworks.client.ChatCompletion.acreate",
        ),
        _arg(MESSAGES, "messages"),
    ),
    # Responses API
    *_sinks(
        ("*.responses.create", "*.responses.parse", "*.responses.stream"),
        _arg(INSTRUCTION, "instructions"),
        _arg(INPUT, "input"),
    ),
    # legacy completions: one prompt string
    *_sinks(
        ("*.completions.create", "openai.Completion.create", "openai.Completion.acreate"),
        _arg(USER, "prompt"),
    ),
    # Assistants (beta)
    *_sinks(("*.beta.assistants.create", "*.beta.assistants.update"), _arg(INSTRUCTION, "instructions")),
    *_sinks(
        ("*.beta.threads.runs.create", "*.beta.threads.runs.create_and_poll", "*.beta.threads.runs.stream"),
        _arg(INSTRUCTION, "instructions"),
        _arg(INSTRUCTION, "additional_instructions"),
        _arg(MESSAGES, "additional_messages"),
    ),
    *_sinks(("*.beta.threads.create",), _arg(MESSAGES, "messages")),
    *_sinks(("*.beta.threads.create_and_run",), _arg(INSTRUCTION, "instructions")),
    *_sinks(("*.beta.threads.messages.create",), _arg(MESSAGE, "content")),
    *_sinks(
        ("*.beta.realtime.sessions.create", "*.realtime.sessions.create"), _arg(INSTRUCTION, "instructions")
    ),
    # Agents SDK
    *_sinks(("agents.Agent",), _arg(INSTRUCTION, "instructions"), _arg(INSTRUCTION, "handoff_description")),
    *_sinks(("agents.Agent.as_tool",), _arg(INSTRUCTION, "tool_description")),
    *_sinks(("agents.FunctionTool",), _arg(INSTRUCTION, "description")),
    *_sinks(("agents.function_tool",), _arg(INSTRUCTION, "description_override")),
    *_sinks(
        ("agents.Runner.run", "agents.Runner.run_sync", "agents.Runner.run_streamed"), _arg(INPUT, "input", 1)
    ),
]

_ANTHROPIC = _sinks(
    # also beta.messages, AsyncAnthropic, AnthropicBedrock, AnthropicVertex; 2.x accepts a system role
    ("*.messages.create", "*.messages.stream"),
    _arg(INSTRUCTION, "system"),
    _arg(MESSAGES, "messages"),
) + _sinks(("claude_agent_sdk.ClaudeAgentOptions",), _arg(INSTRUCTION, "system_prompt"))

_GOOGLE = [
    *_sinks(
        (
            "google.genai.types.GenerateContentConfig",
            "google.genai.types.LiveConnectConfig",
            "google.genai.types.CreateCachedContentConfig",
        ),
        _arg(INSTRUCTION, "system_instruction"),
    ),
    *_sinks(
        ("*.models.generate_content", "*.models.generate_content_stream"),
        _arg(INPUT, "contents"),
        _arg(INSTRUCTION, "config", path=("system_instruction",)),
    ),
    *_sinks(
        ("google.genai.*.chats.create",),
        _arg(INSTRUCTION, "config", path=("system_instruction",)),
        _arg(MESSAGES, "history"),
    ),
    *_sinks(("google.genai.types.Content",), _arg(MESSAGE, "parts")),
    # legacy google-generativeai and Vertex AI
    *_sinks(
        (
            "google.generativeai.GenerativeModel",
            "vertexai.generative_models.GenerativeModel",
            "vertexai.preview.generative_models.GenerativeModel",
        ),
        _arg(INSTRUCTION, "system_instruction"),
    ),
    *_sinks(
        (
            "google.generativeai.GenerativeModel.generate_content",
            "vertexai.*GenerativeModel.generate_content",
        ),
        _arg(INPUT, "contents", 0),
    ),
]

_COHERE = _sinks(
    # v2 (ClientV2): messages with roles; v1 (Client): preamble, message, chat_history
    ("cohere.*.chat", "cohere.*.chat_stream"),
    _arg(MESSAGES, "messages"),
    _arg(INSTRUCTION, "preamble"),
    _arg(USER, "message"),
    _arg(MESSAGES, "chat_history"),
)

_MISTRAL = [
    # `from mistralai import Mistral` (1.x) and `from mistralai.client import Mistral` (2.x/3.x)
    *_sinks(
        _methods(("mistralai.*.chat", "*.chat"), ("complete", "complete_async", "stream", "stream_async")),
        _arg(MESSAGES, "messages"),
    ),
    *_sinks(("mistralai.*.agents.complete", "mistralai.*.agents.stream"), _arg(MESSAGES, "messages")),
    *_sinks(("mistralai.*.fim.complete",), _arg(USER, "prompt")),
]

_LITELLM = [
    *_sinks(
        (
            "litellm.completion",
            "litellm.acompletion",
            "litellm.Router.completion",
            "litellm.Router.acompletion",
        ),
        _arg(MESSAGES, "messages", 1),
    ),
    *_sinks(("litellm.text_completion", "litellm.atext_completion"), _arg(USER, "prompt")),
    *_sinks(
        ("litellm.responses", "litellm.aresponses"), _arg(INSTRUCTION, "instructions"), _arg(INPUT, "input")
    ),
]

_OLLAMA = [
    *_sinks(("ollama.chat", "ollama.*Client.chat"), _arg(MESSAGES, "messages", 1)),
    *_sinks(
        ("ollama.generate", "ollama.*Client.generate"),
        _arg(USER, "prompt", 1),
        _arg(INSTRUCTION, "system"),
        _arg(TEMPLATE, "template"),
    ),
    *_sinks(
        ("ollama.create", "ollama.*Client.create"), _arg(INSTRUCTION, "system"), _arg(TEMPLATE, "template")
    ),
]

_BEDROCK = [
    *_sinks(("*.converse", "*.converse_stream"), _arg(INSTRUCTION, "system"), _arg(MESSAGES, "messages")),
    # invoke_model bodies are provider-specific JSON: Anthropic `system`/`messages`, Cohere
    # `preamble`/`message`, Llama/Mistral `prompt`, Titan `inputText`
    *_sinks(
        ("*.invoke_model", "*.invoke_model_with_response_stream"),
        _arg(INSTRUCTION, "body", path=("system",)),
        _arg(INSTRUCTION, "body", path=("preamble",)),
        _arg(MESSAGES, "body", path=("messages",)),
        _arg(USER, "body", path=("prompt",)),
        _arg(USER, "body", path=("inputText",)),
        _arg(USER, "body", path=("message",)),
    ),
    *_sinks(("*.invoke_agent",), _arg(USER, "inputText")),
]

# LangChain's provider packages (their chat models and LLMs); the LLM-output catalog reuses it.
LANGCHAIN_PROVIDER_PACKAGES = (
    "langchain_openai",
    "langchain_anthropic",
    "langchain_google_genai",
    "langchain_google_vertexai",
    "langchain_mistralai",
    "langchain_ollama",
    "langchain_aws",
    "langchain_groq",
    "langchain_cohere",
    "langchain_huggingface",
    "langchain_together",
    "langchain_fireworks",
    "langchain_xai",
    "langchain_deepseek",
)
_LANGCHAIN_PROVIDERS = (
    *LANGCHAIN_PROVIDER_PACKAGES,
    "langchain_community.chat_models",
    "langchain_community.llms",
)
_LANGCHAIN = [
    *_sinks(("langchain*.SystemMessage",), _arg(INSTRUCTION, "content", 0, message_role="system")),
    *_sinks(("langchain*.AIMessage",), _arg(INSTRUCTION, "content", 0, message_role="assistant")),
    *_sinks(("langchain*.HumanMessage",), _arg(USER, "content", 0, message_role="user")),
    *_sinks(("langchain*.ChatMessage",), _arg(MESSAGE, "content", 0)),
    *_sinks(
        ("langchain*.ChatPromptTemplate.from_messages", "langchain*.ChatPromptTemplate"),
        _arg(MESSAGES, "messages", 0, template=True),
    ),
    *_sinks(
        (
            "langchain*.PromptTemplate.from_template",
            "langchain*.PromptTemplate",
            "langchain*.ChatPromptTemplate.from_template",
            "langchain*.HumanMessagePromptTemplate.from_template",
        ),
        _arg(TEMPLATE, "template", 0),
    ),
    # Template engines compile their first argument: data there is the template itself (and, for
    # jinja2 and Mako, expressions that run in the process). What they render is a prompt or a
    # page: either way the template text must be the application's. Jinja's sandboxed
    # environments are its documented way to render templates users write, so they are not here.
    *_sinks(
        (*JINJA_COMPILERS, "mako.template.Template"),
        _arg(TEMPLATE, "source", 0),
    ),
    *_sinks(
        ("langchain*.SystemMessagePromptTemplate.from_template",),
        _arg(INSTRUCTION, "template", 0, template=True),
    ),
    *_sinks(("langchain.agents.create_agent",), _arg(INSTRUCTION, "system_prompt")),
    # `state_modifier` and `messages_modifier` are the prompt's names before langgraph 0.3
    *_sinks(
        ("langgraph.prebuilt.create_react_agent",),
        _arg(INSTRUCTION, "prompt"),
        _arg(INSTRUCTION, "state_modifier"),
        _arg(INSTRUCTION, "messages_modifier"),
    ),
    *_sinks(
        (
            *_methods(
                (
                    *(f"{provider}.*" for provider in _LANGCHAIN_PROVIDERS),
                    "langchain.chat_models.init_chat_model",
                ),
                ("invoke", "ainvoke", "stream", "astream", "batch", "abatch", "predict", "predict_messages"),
            ),
        ),
        _arg(INPUT, "input", 0),
    ),
]

_LLAMA_INDEX = [
    *_sinks(("llama_index.*", "*.as_chat_engine"), _arg(INSTRUCTION, "system_prompt")),
    *_sinks(("llama_index*.ChatMessage",), _arg(MESSAGE, "content")),
    *_sinks(
        _methods(("llama_index.*",), ("complete", "acomplete", "stream_complete", "astream_complete")),
        _arg(USER, "prompt", 0),
    ),
    *_sinks(
        _methods(("llama_index.*",), ("chat", "achat", "stream_chat", "astream_chat")),
        _arg(INPUT, "messages", 0),
    ),
    *_sinks(
        ("llama_index*.PromptTemplate", "llama_index*.RichPromptTemplate"), _arg(TEMPLATE, "template", 0)
    ),
]

# Haystack 2 (`haystack` and the `haystack_integrations` provider packages): message factories,
# prompt builders (Jinja templates) and generators, whose `system_prompt` is instructions.
_HAYSTACK_GENERATORS = ("haystack*.*Generator", "haystack*.*Generator.run", "haystack*.*Generator.run_async")
_HAYSTACK = [
    *_sinks(("haystack*.ChatMessage.from_system",), _arg(INSTRUCTION, "text", 0, message_role="system")),
    *_sinks(
        ("haystack*.ChatMessage.from_assistant",), _arg(INSTRUCTION, "text", 0, message_role="assistant")
    ),
    *_sinks(("haystack*.ChatMessage.from_user",), _arg(USER, "text", 0, message_role="user")),
    *_sinks(("haystack*.PromptBuilder", "haystack*.ChatPromptBuilder"), _arg(TEMPLATE, "template", 0)),
    *_sinks(_HAYSTACK_GENERATORS, _arg(INSTRUCTION, "system_prompt")),
    *_sinks(
        ("haystack*.*ChatGenerator.run", "haystack*.*ChatGenerator.run_async"), _arg(MESSAGES, "messages", 0)
    ),
    *_sinks(_HAYSTACK_GENERATORS[1:], _arg(USER, "prompt")),
]

_HUGGING_FACE = [
    *_sinks(("transformers.pipeline.__call__",), _arg(INPUT, "text_inputs", 0)),
    *_sinks(("*.apply_chat_template",), _arg(MESSAGES, "conversation", 0)),
    *_sinks(("transformers.*Tokenizer*.__call__",), _arg(USER, "text", 0)),
    *_sinks(("vllm.LLM.chat",), _arg(MESSAGES, "messages", 0)),
    *_sinks(("vllm.LLM.generate",), _arg(USER, "prompts", 0)),
    *_sinks(("huggingface_hub.*InferenceClient.chat_completion",), _arg(MESSAGES, "messages", 0)),
    *_sinks(("huggingface_hub.*InferenceClient.text_generation",), _arg(USER, "prompt", 0)),
]

_AGENT_FRAMEWORKS = [
    *_sinks(("pydantic_ai.Agent",), _arg(INSTRUCTION, "system_prompt"), _arg(INSTRUCTION, "instructions")),
    # a run's prompt (a string or a list of parts)
    *_sinks(
        _methods(("pydantic_ai*.Agent",), ("run", "run_sync", "run_stream", "iter")),
        _arg(INPUT, "user_prompt", 0),
    ),
    *_sinks(
        ("crewai.Agent",),
        _arg(INSTRUCTION, "role"),
        _arg(INSTRUCTION, "goal"),
        _arg(INSTRUCTION, "backstory"),
    ),
    *_sinks(("autogen*.AssistantAgent", "autogen*.ConversableAgent"), _arg(INSTRUCTION, "system_message")),
    # a CrewAI task's description is the agent's prompt (instructions spliced with data there)
    *_sinks(("crewai.Task",), _arg(USER, "description")),
    # smolagents: `instructions` join the system prompt; `run(task)` is the prompt
    *_sinks(("smolagents.*Agent",), _arg(INSTRUCTION, "instructions")),
    *_sinks(("smolagents.*Agent.run",), _arg(USER, "task", 0)),
    # DSPy: a signature's instructions are the system prompt of every module built on it
    *_sinks(("dspy.Signature", "dspy.make_signature"), _arg(INSTRUCTION, "instructions", 1)),
    *_sinks(("dspy.Signature.with_instructions",), _arg(INSTRUCTION, "instructions", 0)),
    # Semantic Kernel: a chat history's system message, agents' instructions, and prompts,
    # which are templates (`{{plugin.function}}` in them calls kernel functions)
    *_sinks(("semantic_kernel*.ChatHistory",), _arg(INSTRUCTION, "system_message")),
    *_sinks(
        (
            "semantic_kernel*.ChatHistory.add_system_message",
            "semantic_kernel*.ChatHistory.add_developer_message",
        ),
        _arg(INSTRUCTION, "content", 0),
    ),
    *_sinks(("semantic_kernel.agents.*Agent",), _arg(INSTRUCTION, "instructions")),
    *_sinks(("semantic_kernel*.Kernel.invoke_prompt",), _arg(TEMPLATE, "prompt", 0)),
    *_sinks(("marvin.Agent",), _arg(INSTRUCTION, "instructions")),
    # Google ADK (`LlmAgent`, aliased `Agent`) and Agno (formerly phidata): the parts of the
    # system prompt an agent is built with
    *_sinks(
        ("google.adk.agents.*Agent", "google.adk.Agent"),
        _arg(INSTRUCTION, "instruction"),
        _arg(INSTRUCTION, "global_instruction"),
    ),
    *_sinks(
        ("agno.agent.Agent", "phi.agent.Agent"),
        *(
            _arg(INSTRUCTION, keyword)
            for keyword in ("instructions", "description", "goal", "role", "system_message", "system_prompt")
        ),
    ),
]

# Other hosted and local model APIs: Azure AI Inference (message classes like LangChain's),
# IBM watsonx.ai, Replicate (`input=` holds the model's own parameters), llama-cpp-python, GPT4All
_AZURE_MESSAGES = "azure.ai.inference.models"
_OTHER_MODEL_APIS = [
    *_sinks(("azure.ai.inference.*ChatCompletionsClient.complete",), _arg(MESSAGES, "messages")),
    *_sinks(
        (f"{_AZURE_MESSAGES}.SystemMessage", f"{_AZURE_MESSAGES}.DeveloperMessage"),
        _arg(INSTRUCTION, "content", 0, message_role="system"),
    ),
    *_sinks(
        (f"{_AZURE_MESSAGES}.AssistantMessage",), _arg(INSTRUCTION, "content", 0, message_role="assistant")
    ),
    *_sinks((f"{_AZURE_MESSAGES}.UserMessage",), _arg(USER, "content", 0, message_role="user")),
    *_sinks(("ibm_watsonx_ai.foundation_models.ModelInference.chat",), _arg(MESSAGES, "messages")),
    *_sinks(("ibm_watsonx_ai.foundation_models.ModelInference.generate_text",), _arg(USER, "prompt", 0)),
    *_sinks(
        ("replicate.run", "replicate.Client.run", "replicate.stream"),
        _arg(INSTRUCTION, "input", path=("system_prompt",)),
        _arg(USER, "input", path=("prompt",)),
    ),
    *_sinks(("llama_cpp.Llama.create_chat_completion",), _arg(MESSAGES, "messages", 0)),
    *_sinks(("llama_cpp.Llama.create_completion", "llama_cpp.Llama.__call__"), _arg(USER, "prompt", 0)),
    *_sinks(("gpt4all.GPT4All.chat_session",), _arg(INSTRUCTION, "system_prompt", 0)),
    *_sinks(("gpt4all.GPT4All.generate",), _arg(USER, "prompt", 0)),
]

SINKS: tuple[Sink, ...] = (
    *_OPENAI,
    *_ANTHROPIC,
    *_GOOGLE,
    *_COHERE,
    *_MISTRAL,
    *_LITELLM,
    *_OLLAMA,
    *_BEDROCK,
    *_LANGCHAIN,
    *_LLAMA_INDEX,
    *_HAYSTACK,
    *_HUGGING_FACE,
    *_AGENT_FRAMEWORKS,
    *_OTHER_MODEL_APIS,
)

# ----- sources -----


def _sources(patterns: tuple[str, ...], tier: str, kind: str, label: str, **extra: object) -> list[Source]:
    return [Source(pattern, tier, kind, label, **extra) for pattern in patterns]  # type: ignore[arg-type]


_FLASK_DATA = ("args", "form", "values", "json", "data", "headers", "cookies", "view_args", "stream")
_FLASK_URL = ("url", "base_url", "full_path", "path", "query_string")
_DJANGO_DATA = ("GET", "POST", "body", "headers", "COOKIES", "META", "data", "query_params", "path")
_STARLETTE_DATA = ("query_params", "path_params", "headers", "cookies", "url")
_STARLETTE_CALLS = ("json", "form", "body", "stream")
_WEBSOCKET_CALLS = ("receive_text", "receive_json", "receive_bytes", "iter_text", "iter_json")
_AIOHTTP_DATA = ("query", "match_info", "headers", "cookies", "rel_url", "content")
_AIOHTTP_CALLS = ("json", "post", "text", "read")
_TORNADO_CALLS = (
    "get_argument",
    "get_arguments",
    "get_body_argument",
    "get_body_arguments",
    "get_query_argument",
    "get_query_arguments",
    "get_cookie",
)
_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "request", "options", "stream")
_SANIC_REQUEST = ("sanic.request.Request", "sanic.Request", "sanic.request.types.Request")
_SANIC_DATA = (
    "json",
    "args",
    "form",
    "body",
    "query_args",
    "query_string",
    "headers",
    "cookies",
    "path",
    "url",
)
_SANIC_CALLS = ("get_args", "get_query_args", "get_form", "receive_body")
_FALCON_REQUEST = ("falcon.Request", "falcon.request.Request", "falcon.asgi.Request")
_FALCON_DATA = (
    "media",
    "params",
    "stream",
    "bounded_stream",
    "headers",
    "cookies",
    "path",
    "query_string",
    "uri",
    "url",
    "relative_uri",
)
_FALCON_CALLS = ("get_param", "get_param_as_list", "get_media", "get_header", "get_cookie_values")
_LITESTAR_REQUEST = ("litestar.Request", "litestar.connection.Request", "litestar.WebSocket")
_BOTTLE_DATA = (
    "forms",
    "query",
    "json",
    "params",
    "body",
    "GET",
    "POST",
    "headers",
    "cookies",
    "url",
    "path",
)
# Pyramid (WebOb) requests and CherryPy's request object
_PYRAMID_REQUEST = ("pyramid.request.Request",)
_PYRAMID_DATA = (
    "params",
    "GET",
    "POST",
    "json_body",
    "json",
    "matchdict",
    "body",
    "text",
    "headers",
    "cookies",
    "url",
    "path_qs",
    "query_string",
)
_CHERRYPY_DATA = ("json", "params", "body", "headers", "cookie", "query_string", "path_info")
# UI widgets whose `value` is what the user typed
_NICEGUI_INPUTS = ("input", "textarea", "editor", "codemirror", "chat_message")
_PANEL_INPUTS = ("TextInput", "TextAreaInput", "PasswordInput", "AutocompleteInput", "CodeEditor")

_REMOTE_SOURCES = [
    *_sources(
        tuple(f"{m}.request.{a}" for m in ("flask", "quart") for a in (*_FLASK_DATA, *_FLASK_URL)),
        REMOTE,
        "attribute",
        "Flask request data",
    ),
    *_sources(
        tuple(
            f"{t}.{a}"
            for t in ("flask.Request", "flask.wrappers.Request", "werkzeug.wrappers.Request")
            for a in (*_FLASK_DATA, *_FLASK_URL)
        ),
        REMOTE,
        "attribute",
        "request data",
    ),
    *_sources(
        tuple(
            f"{t}.{c}"
            for t in ("flask.Request", "flask.wrappers.Request", "werkzeug.wrappers.Request")
            for c in ("get_json", "get_data")
        ),
        REMOTE,
        "call",
        "request data",
    ),
    *_sources(
        tuple(f"{m}.request.{c}" for m in ("flask", "quart") for c in ("get_json", "get_data")),
        REMOTE,
        "call",
        "Flask request data",
    ),
    *_sources(
        tuple(
            f"{t}.{a}"
            for t in ("django.http.HttpRequest", "rest_framework.request.Request")
            for a in _DJANGO_DATA
        ),
        REMOTE,
        "attribute",
        "Django request data",
    ),
    *_sources(
        tuple(
            f"{t}.{a}"
            for t in ("starlette.requests.Request", "fastapi.Request", "fastapi.requests.Request")
            for a in _STARLETTE_DATA
        ),
        REMOTE,
        "attribute",
        "request data",
    ),
    *_sources(
        tuple(
            f"{t}.{c}"
            for t in ("starlette.requests.Request", "fastapi.Request", "fastapi.requests.Request")
            for c in _STARLETTE_CALLS
        )
        + tuple(
            f"{t}.{c}"
            for t in ("fastapi.WebSocket", "starlette.websockets.WebSocket", "fastapi.websockets.WebSocket")
            for c in _WEBSOCKET_CALLS
        ),
        REMOTE,
        "call",
        "request data",
    ),
    *_sources(
        tuple(
            f"{t}.{a}"
            for t in ("aiohttp.web.Request", "aiohttp.web.BaseRequest", "aiohttp.web.View.request")
            for a in _AIOHTTP_DATA
        ),
        REMOTE,
        "attribute",
        "aiohttp request data",
    ),
    *_sources(
        tuple(
            f"{t}.{c}"
            for t in ("aiohttp.web.Request", "aiohttp.web.BaseRequest", "aiohttp.web.View.request")
            for c in _AIOHTTP_CALLS
        ),
        REMOTE,
        "call",
        "aiohttp request data",
    ),
    *_sources(
        tuple(f"tornado.web.RequestHandler.{c}" for c in _TORNADO_CALLS),
        REMOTE,
        "call",
        "Tornado request data",
    ),
    *_sources(
        tuple(
            f"tornado.web.RequestHandler.request.{a}" for a in ("body", "arguments", "query", "uri", "path")
        ),
        REMOTE,
        "attribute",
        "Tornado request data",
    ),
    *_sources(
        tuple(f"{t}.{a}" for t in _SANIC_REQUEST for a in _SANIC_DATA),
        REMOTE,
        "attribute",
        "Sanic request data",
    ),
    *_sources(
        tuple(f"{t}.{c}" for t in _SANIC_REQUEST for c in _SANIC_CALLS), REMOTE, "call", "Sanic request data"
    ),
    *_sources(
        tuple(f"{t}.{a}" for t in _FALCON_REQUEST for a in _FALCON_DATA),
        REMOTE,
        "attribute",
        "Falcon request data",
    ),
    *_sources(
        tuple(f"{t}.{c}" for t in _FALCON_REQUEST for c in _FALCON_CALLS),
        REMOTE,
        "call",
        "Falcon request data",
    ),
    *_sources(
        tuple(f"{t}.{a}" for t in _LITESTAR_REQUEST for a in _STARLETTE_DATA),
        REMOTE,
        "attribute",
        "Litestar request data",
    ),
    *_sources(
        tuple(
            f"{t}.{c}" for t in _LITESTAR_REQUEST for c in (*_STARLETTE_CALLS, "msgpack", *_WEBSOCKET_CALLS)
        ),
        REMOTE,
        "call",
        "Litestar request data",
    ),
    *_sources(tuple(f"bottle.request.{a}" for a in _BOTTLE_DATA), REMOTE, "attribute", "Bottle request data"),
    *_sources(
        tuple(f"{t}.{a}" for t in _PYRAMID_REQUEST for a in _PYRAMID_DATA),
        REMOTE,
        "attribute",
        "Pyramid request data",
    ),
    *_sources(
        tuple(f"cherrypy.request.{a}" for a in _CHERRYPY_DATA), REMOTE, "attribute", "CherryPy request data"
    ),
    # request parsers and payloads of Flask API extensions
    *_sources(
        ("flask_restful.reqparse.RequestParser.parse_args", "flask_restx.reqparse.RequestParser.parse_args"),
        REMOTE,
        "call",
        "request arguments",
    ),
    *_sources(
        ("flask_restx.Api.payload", "flask_restx.Namespace.payload"), REMOTE, "attribute", "request payload"
    ),
    # Flask-WTF forms read the request themselves: their fields' data is what was posted (a field
    # declared on a form class is named by its own type: `form.persona` is a `wtforms.StringField`)
    *_sources(
        ("flask_wtf.FlaskForm.*.data", "flask_wtf.FlaskForm.data", "wtforms.*Field.data"),
        REMOTE,
        "attribute",
        "form data",
    ),
    *_sources(
        ("quart.websocket.receive", "quart.websocket.receive_json"), REMOTE, "call", "websocket message"
    ),
    *_sources(
        (
            *(f"nicegui.ui.{widget}.value" for widget in _NICEGUI_INPUTS),
            *(f"panel.widgets.{widget}.value" for widget in _PANEL_INPUTS),
            *(f"panel.widgets.{widget}.value_input" for widget in _PANEL_INPUTS),
            "panel.chat.ChatAreaInput.value",
        ),
        REMOTE,
        "attribute",
        "UI input",
    ),
    # message queues and streams: what another service or user published
    *_sources(
        (
            "confluent_kafka.Consumer.poll",
            "confluent_kafka.Consumer.consume",
            "confluent_kafka.DeserializingConsumer.poll",
            "kafka.KafkaConsumer",  # iterated for its records
            "kafka.KafkaConsumer.poll",
            "aiokafka.AIOKafkaConsumer",
            "aiokafka.AIOKafkaConsumer.getone",
            "aiokafka.AIOKafkaConsumer.getmany",
            "boto3.*.receive_message",
            "aioboto3.*.receive_message",
            "redis.*pubsub.listen",
            "redis.*pubsub.get_message",
            "pika.*.basic_get",
        ),
        REMOTE,
        "call",
        "a queue message",
    ),
    *_sources(
        ("bottle.request.get_header", "bottle.request.get_cookie"), REMOTE, "call", "Bottle request data"
    ),
    # chat platforms: a message or reply a user typed
    *_sources(
        (
            *(f"{lib}.*.wait_for" for lib in ("discord", "nextcord", "disnake")),
            "chainlit.AskUserMessage.send",
            "chainlit.AskActionMessage.send",
        ),
        REMOTE,
        "call",
        "chat message",
    ),
    *_sources(
        tuple(f"azure.functions.HttpRequest.{a}" for a in ("params", "route_params", "form", "headers")),
        REMOTE,
        "attribute",
        "Azure Functions request data",
    ),
    *_sources(
        ("azure.functions.HttpRequest.get_json", "azure.functions.HttpRequest.get_body"),
        REMOTE,
        "call",
        "Azure Functions request data",
    ),
    # chat and form UIs
    *_sources(
        (
            *(
                f"streamlit.*{widget}"
                for widget in (
                    "text_input",
                    "text_area",
                    "chat_input",
                    "camera_input",
                    "audio_input",
                )
            ),
            "streamlit.experimental_get_query_params",
        ),
        REMOTE,
        "call",
        "Streamlit input",
    ),
    Source("streamlit.query_params", REMOTE, "attribute", "Streamlit query parameter"),
    # inbound e-mail
    *_sources(
        (
            "email.message_from_string",
            "email.message_from_bytes",
            "email.message_from_file",
            "email.message_from_binary_file",
            "email.parser.*.parse*",
            "imaplib.IMAP4*.fetch",
            "mailparser.parse_from_*",
        ),
        REMOTE,
        "call",
        "inbound e-mail",
    ),
]

# HTTP client calls: what they return is fetched content (the LLM-output catalog makes the ones
# inside a model integration the model's reply).
HTTP_CALLS = (
    *(f"requests.{verb}" for verb in _HTTP_VERBS),
    *(f"requests.Session.{verb}" for verb in _HTTP_VERBS),
    *(f"requests.session.{verb}" for verb in _HTTP_VERBS),
    *(f"httpx.{verb}" for verb in _HTTP_VERBS),
    *(f"httpx.*Client.{verb}" for verb in _HTTP_VERBS),
    *(f"aiohttp.ClientSession.{verb}" for verb in _HTTP_VERBS),
    "urllib.request.urlopen",
    "urllib3.request",
    "urllib3.PoolManager.request",
)
# Base classes of LangChain model integrations: a class deriving from one talks to a model API.
LANGCHAIN_MODEL_BASES = tuple(
    f"langchain*.{name}"
    for name in ("BaseChatModel", "SimpleChatModel", "BaseLLM", "LLM", "BaseLanguageModel")
)
_INDIRECT_SOURCES = [
    # Uploaded files are documents: whoever uploads one may not have written it (a CV, an invoice,
    # a web page saved as PDF), so instructions in it are indirect injection (AIS204), like a
    # fetched page; the text a user types is remote data.
    *_sources(
        (
            *(f"{m}.request.files" for m in ("flask", "quart")),
            *(f"{t}.FILES" for t in ("django.http.HttpRequest", "rest_framework.request.Request")),
            "azure.functions.HttpRequest.files",
        ),
        INDIRECT,
        "attribute",
        "an uploaded file",
    ),
    *_sources(("streamlit.*file_uploader",), INDIRECT, "call", "an uploaded file"),
    *_sources(
        (*HTTP_CALLS, "trafilatura.fetch_url"),
        INDIRECT,
        "call",
        "an HTTP response",
    ),
    # web pages fetched, scraped or rendered by a library, and feeds
    *_sources(
        (
            "newspaper.Article",  # its text and html, once downloaded
            "newspaper.article",
            "feedparser.parse",
            "wikipedia.summary",
            "wikipedia.page",
            "arxiv.Client.results",
            "arxiv.Search.results",
            "crawl4ai.AsyncWebCrawler.arun",
            "crawl4ai.AsyncWebCrawler.arun_many",
            "firecrawl.FirecrawlApp.scrape_url",
            "firecrawl.Firecrawl.scrape",
            "youtube_transcript_api.YouTubeTranscriptApi.get_transcript",
            "youtube_transcript_api.YouTubeTranscriptApi.fetch",
            *(
                f"playwright.*.{method}"
                for method in (
                    "content",
                    "inner_text",
                    "inner_html",
                    "text_content",
                    "all_inner_texts",
                    "all_text_contents",
                )
            ),
        ),
        INDIRECT,
        "call",
        "a fetched web page",
    ),
    *_sources(
        ("selenium.*.page_source", "selenium.*.find_element.text"),
        INDIRECT,
        "attribute",
        "a fetched web page",
    ),
    # files: only when the path is not static (the project's own prompt files are trusted)
    *_sources(
        ("builtins.open", "io.open", "codecs.open"), INDIRECT, "call", "a file's contents", static_argument=0
    ),
    *_sources(
        ("pathlib.Path.read_text", "pathlib.Path.read_bytes", "pathlib.Path.open"),
        INDIRECT,
        "call",
        "a file's contents",
        static_argument="self",
    ),
    *_sources(
        (
            "pandas.read_csv",
            "pandas.read_excel",
            "pandas.read_json",
            "pypdf.PdfReader",
            "PyPDF2.PdfReader",
            "fitz.open",
            "pymupdf.open",
            "docx.Document",
            "pdfplumber.open",
            "pymupdf4llm.to_markdown",
            "docx2txt.process",
            "markitdown.MarkItDown.convert",
            # text read out of images and audio recordings
            "pytesseract.image_to_string",
            "whisper.*.transcribe",
        ),
        INDIRECT,
        "call",
        "a document's contents",
        static_argument=0,
    ),
    *_sources(
        ("unstructured.partition.*.partition*",),
        INDIRECT,
        "call",
        "a document's contents",
        static_argument="filename",
    ),
    # uploaded files: content of the caller's choosing, like a fetched document
    *_sources(
        (
            "tornado.web.RequestHandler.request.files",
            *(f"{t}.files" for t in ("flask.Request", "flask.wrappers.Request", "werkzeug.wrappers.Request")),
            *(f"{t}.files" for t in _SANIC_REQUEST),
            "bottle.request.files",
            "chainlit.AskFileMessage.send",
        ),
        INDIRECT,
        "any",
        "an uploaded file",
    ),
    # object storage: what a read returns is the stored document, whoever chose the key
    *_sources(
        (
            "boto3.*.get_object",
            "boto3.*.Object.get",
            "aioboto3.*.get_object",
            "botocore.*.get_object",
            "google.cloud.storage.*.download_as_text",
            "google.cloud.storage.*.download_as_bytes",
            "google.cloud.storage.*.download_as_string",
            "azure.storage.blob.*.download_blob",
            "minio.Minio.get_object",
            "s3fs.S3FileSystem.open",
            "s3fs.S3FileSystem.cat",
            "fsspec.open",
        ),
        INDIRECT,
        "call",
        "a stored object",
    ),
    # database rows (written by other users: profiles, tickets, comments)
    *_sources(
        (
            "*.fetchone",
            "*.fetchall",
            "*.fetchmany",
            "sqlalchemy.orm.Session.execute",
            "sqlalchemy.orm.Session.scalars",
            "sqlalchemy.orm.Session.scalar",
            "sqlalchemy.orm.Session.get",
            "sqlalchemy.orm.Session.query",
            # SQLAlchemy Core: a connection's (or engine's) result, iterated or read by `scalar*()`
            "sqlalchemy.*.execute",
            "sqlalchemy.*.scalar",
            "sqlalchemy.*.scalars",
            "sqlalchemy.*.exec_driver_sql",
            # sqlite3: the cursor `execute` returns is iterated for its rows
            "sqlite3.*.execute",
            "sqlmodel.Session.exec",
            "sqlmodel.Session.get",
            *(
                f"*.objects.{method}"
                for method in (
                    "get",
                    "filter",
                    "all",
                    "first",
                    "last",
                    "values",
                    "values_list",
                    "raw",
                    "exclude",
                )
            ),
            "django.shortcuts.get_object_or_404",
            "*.find_one",
            "pymongo.*.find",
            # query APIs that return the rows themselves (a data frame, records, documents)
            "pandas.read_sql",
            "pandas.read_sql_query",
            "pandas.read_sql_table",
            "polars.read_database",
            "polars.read_database_uri",
            "asyncpg.*.fetch",
            "asyncpg.*.fetchrow",
            "asyncpg.*.fetchval",
            "google.cloud.firestore.*.stream",
            "google.cloud.firestore.*.get",
        ),
        INDIRECT,
        "call",
        "a database row",
    ),
    # retrieved documents, loaders, search tools
    *_sources(
        (
            "*.similarity_search",
            "*.similarity_search_with_score",
            "*.similarity_search_with_relevance_scores",
            "*.max_marginal_relevance_search",
            "*.get_relevant_documents",
            "*.aget_relevant_documents",
            "*.as_retriever.invoke",
            "*.as_retriever.ainvoke",
            "*.retrieve",
            "*.get_content",
            "langchain*.document_loaders.*.load",
            "langchain*.document_loaders.*.lazy_load",
            "langchain*.document_loaders.*.aload",
            "langchain_community.utilities.*.run",
            "langchain_community.tools.*.invoke",
            "langchain_community.tools.*.run",
            "langchain_tavily.*.invoke",
            "tavily.TavilyClient.search",
            "duckduckgo_search.DDGS.text",
            "duckduckgo_search.DDGS.news",
            "ddgs.DDGS.text",
            "ddgs.DDGS.news",
            "exa_py.Exa.search_and_contents",
            "exa_py.Exa.get_contents",
            "llama_index*.SimpleDirectoryReader.load_data",
            "llama_index.readers.*.load_data",
            "chromadb.*.query",
            "pinecone.*.query",
            "qdrant_client.*.search",
            "qdrant_client.*.query_points",
            "haystack*.*Retriever.run",
            "haystack*.*Retriever.run_async",
            "haystack*.*DocumentStore.filter_documents",
            "haystack*.LinkContentFetcher.run",
            # vector and search databases
            *(
                f"weaviate.*.{method}"
                for method in ("near_text", "near_vector", "hybrid", "bm25", "fetch_objects")
            ),
            "pymilvus.MilvusClient.search",
            "pymilvus.MilvusClient.query",
            "lancedb.*.search",
            "elasticsearch.Elasticsearch.search",
            "elasticsearch.AsyncElasticsearch.search",
            "opensearchpy.OpenSearch.search",
            # issues, pull requests, files and messages other people wrote (PyGithub, Jira, Slack)
            *(
                f"github.*.{method}"
                for method in (
                    "get_issue",
                    "get_issues",
                    "get_pull",
                    "get_pulls",
                    "get_comments",
                    "get_issue_comments",
                    "get_review_comments",
                    "get_contents",
                    "get_readme",
                )
            ),
            "jira.JIRA.issue",
            "jira.JIRA.search_issues",
            "jira.JIRA.comments",
            "*.conversations_history",
            "*.conversations_replies",
        ),
        INDIRECT,
        "call",
        "retrieved content",
    ),
    Source("*.page_content", INDIRECT, "attribute", "a retrieved document"),
]

_CLI_SOURCES = [
    *_sources(
        (
            "builtins.input",
            "argparse.ArgumentParser.parse_args",
            "argparse.ArgumentParser.parse_known_args",
            "fileinput.input",
            "click.prompt",
            "typer.prompt",
            "rich.prompt.Prompt.ask",
        ),
        CLI,
        "call",
        "command-line input",
    ),
    *_sources(("sys.argv", "sys.stdin"), CLI, "attribute", "command-line input"),
]

SOURCES: tuple[Source, ...] = (*_REMOTE_SOURCES, *_INDIRECT_SOURCES, *_CLI_SOURCES)

_ROUTE_DECORATORS = (
    "*.route",
    "*.get",
    "*.post",
    "*.put",
    "*.patch",
    "*.delete",
    "*.api_route",
    "*.websocket",
)
_SANIC_ROUTES = tuple(
    f"sanic.{owner}.{kind}"
    for owner in ("Sanic", "app.Sanic", "Blueprint", "blueprints.Blueprint")
    for kind in ("route", "get", "post", "put", "patch", "delete", "websocket")
)
_GRADIO_EVENTS = tuple(
    f"gradio.*.{event}"
    for event in ("click", "submit", "change", "input", "upload", "select", "then", "blur", "stop_recording")
)

_UPLOAD_FILES = (
    "fastapi.UploadFile",
    "fastapi.datastructures.UploadFile",
    "starlette.datastructures.UploadFile",
)
_LITESTAR_ROUTES = tuple(
    f"litestar.{kind}" for kind in ("get", "post", "put", "patch", "delete", "route", "websocket")
) + tuple(f"litestar.handlers.{kind}" for kind in ("get", "post", "put", "patch", "delete", "route"))
_LITESTAR_UPLOADS = ("litestar.datastructures.UploadFile", "litestar.datastructures.upload_file.UploadFile")
_NINJA_UPLOADS = ("ninja.UploadedFile", "ninja.files.UploadedFile")
_NINJA_ROUTES = ("ninja.NinjaAPI.*", "ninja.Router.*", *_ROUTE_DECORATORS)
# FastAPI handler parameters that are injected objects, not request data
_FASTAPI_INJECTED = (
    "fastapi.Depends",
    "fastapi.Security",
    "fastapi.Request",
    "fastapi.requests.Request",
    "fastapi.Response",
    "fastapi.BackgroundTasks",
    "fastapi.WebSocket",
    "fastapi.security.*",
    "starlette.*",
    "sqlalchemy.*",
    "sqlmodel.Session",
)


def _typed_handlers(
    decorators: tuple[str, ...], module: str, exclude: tuple[str, ...], uploads: tuple[str, ...], label: str
) -> tuple[ParameterSource, ...]:
    """Frameworks that pass each request part as its own handler parameter (FastAPI, Django
    Ninja): every parameter is request data unless typed as a non-text scalar or an injected
    object (`exclude`); one typed as an uploaded file (`uploads`) is a document (indirect
    content, as Flask's `request.files`). Decorators match as written too, so routers imported
    from other modules count."""
    return (
        ParameterSource(
            decorators=decorators, requires_import=(module,), exclude=(*exclude, *uploads), label=label
        ),
        ParameterSource(
            tier=INDIRECT,
            decorators=decorators,
            requires_import=(module,),
            annotated=uploads,
            label="an uploaded file",
        ),
    )


PARAMETER_SOURCES: tuple[ParameterSource, ...] = (
    *_typed_handlers(
        ("fastapi.FastAPI.*", "fastapi.APIRouter.*", *_ROUTE_DECORATORS),
        "fastapi",
        _FASTAPI_INJECTED,
        _UPLOAD_FILES,
        "FastAPI request parameter",
    ),
    # Flask / Quart route parameters (`<int:id>` converters are not text)
    ParameterSource(
        decorators=_ROUTE_DECORATORS, requires_import=("flask", "quart"), label="Flask route parameter"
    ),
    # Django and DRF views: `request` is an HttpRequest; its GET/POST/body/... are the data
    ParameterSource(
        requires_import=("django", "rest_framework"),
        params=("request",),
        type="django.http.HttpRequest",
        label="Django request",
    ),
    # Starlette endpoints registered with Route(...)
    ParameterSource(
        registrars=("starlette.routing.Route", "starlette.routing.WebSocketRoute"),
        params=("request",),
        type="starlette.requests.Request",
        label="Starlette request",
    ),
    # aiohttp handlers
    ParameterSource(
        decorators=("aiohttp.web.RouteTableDef.*",),
        registrars=(
            "aiohttp.web.*.add_*",
            *(f"aiohttp.web.{verb}" for verb in ("get", "post", "put", "patch", "delete", "route", "view")),
        ),
        params=("request",),
        type="aiohttp.web.Request",
        label="aiohttp request",
    ),
    # Tornado: path arguments of handler methods
    ParameterSource(
        base_classes=("tornado.web.RequestHandler",),
        functions=("get", "post", "put", "patch", "delete"),
        label="Tornado path argument",
    ),
    # AWS Lambda handlers
    ParameterSource(
        functions=("lambda_handler", "handler", "*_handler"), params=("event",), label="AWS Lambda event"
    ),
    # ... and any module-level function with the handler signature: serverless.yml, SAM and CDK
    # name the handler (`handler: app.review`), so the name proves nothing
    ParameterSource(signature=("event", "context"), params=("event",), label="AWS Lambda event"),
    # webhooks and chat platforms
    ParameterSource(
        decorators=tuple(
            f"slack_bolt.*App.{kind}"
            for kind in (
                *("event", "message", "command", "action", "shortcut", "view", "options"),
                *("message_shortcut", "global_shortcut", "block_action", "attachment_action"),
                *("view_submission", "view_closed", "block_suggestion", "dialog_submission", "function"),
            )
        ),
        params=("event", "message", "command", "body", "payload", "action", "shortcut", "view", "options"),
        label="Slack event payload",
    ),
    ParameterSource(
        registrars=("telegram.ext.MessageHandler", "telegram.ext.CommandHandler"),
        params=("update", "context"),
        label="Telegram update",
    ),
    ParameterSource(
        decorators=(
            "aiogram.*.message",
            "aiogram.*.edited_message",
            "aiogram.*.callback_query",
            "aiogram.*.inline_query",
            "telebot.*.message_handler",
            "telebot.*.callback_query_handler",
            "pyrogram.*.on_message",
        ),
        label="Telegram message",
    ),
    # discord.py and its forks: command arguments, the invoking context and message events
    ParameterSource(
        decorators=tuple(
            f"{lib}.{kind}"
            for lib in ("discord", "nextcord", "disnake", "interactions")
            for kind in (
                "*.command",
                "*.hybrid_command",
                "*.slash_command",
                "*.event",
                "*.listen",
                "*.listener",
            )
        ),
        label="Discord message",
    ),
    ParameterSource(
        decorators=tuple(
            f"{server}.{kind}"
            for server in ("mcp.server.fastmcp.FastMCP", "fastmcp.FastMCP")
            for kind in ("tool", "prompt", "resource")
        )
        + tuple(
            f"mcp.server.{server}.{kind}"
            for server in ("Server", "lowlevel.Server", "lowlevel.server.Server")
            for kind in ("call_tool", "get_prompt", "read_resource")
        ),
        label="MCP tool argument",
    ),
    ParameterSource(decorators=("chainlit.on_message",), label="Chainlit message"),
    # other Chainlit callbacks whose argument the client sends: an action (its payload comes back
    # from the browser), chat settings, a message from the embedding window
    ParameterSource(
        decorators=("chainlit.action_callback", "chainlit.on_settings_update", "chainlit.on_window_message"),
        label="Chainlit client data",
    ),
    # websocket and socket.io handlers: what a client sends
    ParameterSource(
        base_classes=("channels.generic.websocket.*",),
        functions=("receive", "receive_json", "websocket_receive"),
        label="Channels websocket message",
    ),
    ParameterSource(
        decorators=tuple(
            f"{lib}.{kind}"
            for lib in ("flask_socketio.SocketIO", "socketio.*Server", "socketio.*Namespace")
            for kind in ("on", "event", "on_event")
        ),
        label="Socket.IO message",
    ),
    # Bot Framework activities and Google Cloud Functions (a Flask request)
    ParameterSource(
        base_classes=("botbuilder.core.ActivityHandler", "botbuilder.core.*ActivityHandler"),
        functions=("on_message_activity", "on_*_activity"),
        params=("turn_context",),
        label="Bot Framework activity",
    ),
    ParameterSource(
        decorators=("functions_framework.http",),
        params=("request",),
        type="flask.Request",
        label="Cloud Functions request",
    ),
    # Sanic: `request` is a Request (its json/args/form are the data), other parameters are
    # path segments
    ParameterSource(
        decorators=_SANIC_ROUTES,
        params=("request", "req"),
        type="sanic.request.Request",
        label="Sanic request",
    ),
    ParameterSource(decorators=_SANIC_ROUTES, label="Sanic route parameter"),
    # Falcon responders (`on_get(self, req, resp)`): `req` is a Request
    ParameterSource(
        functions=(
            "on_get",
            "on_post",
            "on_put",
            "on_patch",
            "on_delete",
            "on_get_*",
            "on_post_*",
            "on_websocket",
        ),
        requires_import=("falcon",),
        params=("req", "request"),
        type="falcon.Request",
        label="Falcon request",
    ),
    # Litestar: like FastAPI, handler parameters (`data`, query and path parameters) are the data
    ParameterSource(
        decorators=_LITESTAR_ROUTES,
        exclude=(
            "litestar.Request",
            "litestar.connection.*",
            "litestar.WebSocket",
            "litestar.datastructures.State",
            "sqlalchemy.*",
            *_LITESTAR_UPLOADS,
        ),
        label="Litestar request parameter",
    ),
    # Litestar: an uploaded file is a document (as FastAPI's)
    ParameterSource(
        tier=INDIRECT, decorators=_LITESTAR_ROUTES, annotated=_LITESTAR_UPLOADS, label="an uploaded file"
    ),
    ParameterSource(
        decorators=tuple(f"litestar.{kind}" for kind in ("get", "post", "put", "patch", "delete", "route")),
        params=("request",),
        type="litestar.Request",
        label="Litestar request",
    ),
    # Bottle route parameters (request data is `bottle.request`)
    ParameterSource(
        decorators=(
            "bottle.route",
            "bottle.get",
            "bottle.post",
            "bottle.put",
            "bottle.delete",
            "bottle.Bottle.*",
        ),
        label="Bottle route parameter",
    ),
    # Gradio: callbacks registered on an Interface or an event listener
    ParameterSource(
        decorators=_GRADIO_EVENTS,
        registrars=("gradio.Interface", "gradio.ChatInterface", "gradio.on", *_GRADIO_EVENTS),
        label="Gradio input",
    ),
    # Pyramid views (`@view_config`, `config.add_view`, class views taking the request in
    # `__init__`): `request` is a Request (its params/POST/json_body/matchdict are the data)
    ParameterSource(
        decorators=("pyramid.view.view_config",),
        registrars=("pyramid.config.Configurator.add_view",),
        params=("request",),
        type="pyramid.request.Request",
        label="Pyramid request",
    ),
    ParameterSource(
        functions=("__init__",),
        requires_import=("pyramid",),
        params=("request",),
        type="pyramid.request.Request",
        label="Pyramid request",
    ),
    # CherryPy: an exposed method's parameters are the query string and form fields
    ParameterSource(decorators=("cherrypy.expose",), label="CherryPy request parameter"),
    # Django Ninja: like FastAPI, operation parameters (schemas, query and path) are the data;
    # `request` is Django's HttpRequest
    *_typed_handlers(_NINJA_ROUTES, "ninja", (), _NINJA_UPLOADS, "Django Ninja request parameter"),
    ParameterSource(
        decorators=_NINJA_ROUTES,
        requires_import=("ninja",),
        params=("request",),
        type="django.http.HttpRequest",
        label="Django request",
    ),
    # Flask-Smorest and webargs: the parsed request arguments are passed to the view
    ParameterSource(
        decorators=(
            "flask_smorest.Blueprint.arguments",
            "webargs.*parser.use_args",
            "webargs.*parser.use_kwargs",
            "webargs.*parser.parser.use_args",
            "webargs.*parser.parser.use_kwargs",
        ),
        label="request arguments",
    ),
    # Dash callbacks: `Input` and `State` values are what the user typed or chose in the page
    ParameterSource(decorators=("dash.callback", "dash.Dash.callback"), label="Dash callback input"),
    # NiceGUI: page parameters (path and query), handlers of input widgets (their event's value)
    ParameterSource(
        decorators=("nicegui.ui.page",),
        exclude=("nicegui.Client", "nicegui.client.Client", "fastapi.Request", "starlette.*"),
        label="NiceGUI page parameter",
    ),
    ParameterSource(
        registrars=tuple(f"nicegui.ui.{widget}" for widget in _NICEGUI_INPUTS),
        label="UI input",
    ),
    ParameterSource(tier=INDIRECT, registrars=("nicegui.ui.upload",), label="an uploaded file"),
    # Panel: chat callbacks get the message; bound and dependent functions get widget values
    ParameterSource(
        decorators=("panel.depends",),
        registrars=("panel.chat.ChatInterface", "panel.chat.ChatFeed", "panel.bind", "panel.depends"),
        exclude=("panel.*",),
        label="Panel input",
    ),
    # model-serving endpoints: Modal web endpoints (FastAPI underneath), BentoML APIs, Cog
    # predictors, LitServe request decoders
    ParameterSource(
        decorators=("modal.fastapi_endpoint", "modal.web_endpoint"),
        exclude=(*_FASTAPI_INJECTED, *_UPLOAD_FILES),
        label="Modal web endpoint parameter",
    ),
    ParameterSource(decorators=("bentoml.api",), label="BentoML API input"),
    ParameterSource(
        base_classes=("cog.BasePredictor",),
        functions=("predict",),
        exclude=("cog.Path", "cog.File"),
        label="Cog prediction input",
    ),
    ParameterSource(
        base_classes=("litserve.LitAPI",), functions=("decode_request",), label="LitServe request"
    ),
    # websockets servers: the connection a handler is given yields what the client sends
    ParameterSource(
        registrars=(
            "websockets.serve",
            "websockets.server.serve",
            "websockets.asyncio.server.serve",
            "websockets.legacy.server.serve",
        ),
        label="websocket message",
    ),
    # Django and DRF generic views: the bound form or serializer holds the posted data
    ParameterSource(
        base_classes=("django.views.generic.*",),
        functions=("form_valid",),
        params=("form",),
        label="Django form data",
    ),
    ParameterSource(
        base_classes=("rest_framework.*",),
        functions=("perform_create", "perform_update"),
        params=("serializer",),
        label="request data",
    ),
    # Scrapy spiders: the response a callback gets is the crawled page
    ParameterSource(
        tier=INDIRECT,
        base_classes=("scrapy.Spider", "scrapy.spiders.*"),
        functions=("parse", "parse_*"),
        params=("response",),
        label="a fetched web page",
    ),
    # Reflex: event handlers (methods of a State class) get what the browser sent
    ParameterSource(
        base_classes=("reflex.State", "reflex.state.State", "reflex.state.BaseState"), label="Reflex event"
    ),
    # Slack Socket Mode, Zulip: the handler gets the event a user sent
    ParameterSource(
        requires_import=("slack_sdk",),
        annotated=("slack_sdk.socket_mode.request.SocketModeRequest",),
        label="Slack event payload",
    ),
    ParameterSource(
        registrars=("slack_sdk.socket_mode.*.socket_mode_request_listeners.append",),
        params=("req", "request"),
        label="Slack event payload",
    ),
    ParameterSource(
        registrars=("zulip.Client.call_on_each_message", "zulip.Client.call_on_each_event"),
        label="Zulip message",
    ),
    # LINE, Matrix (nio) and Mattermost bots: the message event a user sent
    ParameterSource(decorators=("linebot.*WebhookHandler.add",), label="LINE message"),
    ParameterSource(
        registrars=("nio.AsyncClient.add_event_callback", "nio.*.AsyncClient.add_event_callback"),
        label="Matrix message",
    ),
    ParameterSource(registrars=("mattermostdriver.Driver.init_websocket",), label="Mattermost event"),
    # queue subscribers: a message another service or user published
    ParameterSource(
        registrars=(
            "google.cloud.pubsub_v1.SubscriberClient.subscribe",
            "google.cloud.pubsub.SubscriberClient.subscribe",
        ),
        label="a queue message",
    ),
    ParameterSource(registrars=("pika.*.basic_consume",), params=("body",), label="a queue message"),
    # an event-triggered Cloud Function (a Pub/Sub push, a Storage or Eventarc event): the
    # CloudEvent's `data` is what the publisher sent
    ParameterSource(decorators=("functions_framework.cloud_event",), label="Cloud Functions event"),
    # command-line entry points (low severity)
    ParameterSource(
        tier=CLI,
        decorators=(
            "click.command",
            "click.*.command",
            "click.group",
            "typer.Typer.command",
            "typer.Typer.callback",
        ),
        registrars=("typer.run",),
        label="command-line argument",
    ),
)

CATALOG = TaintCatalog(sources=SOURCES, parameter_sources=PARAMETER_SOURCES, sinks=SINKS)
