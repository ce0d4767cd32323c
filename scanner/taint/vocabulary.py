"""What Python and common libraries mean, as data the transfer functions consult.

Owns the fixed vocabulary the engine does not take from the catalog: types that never hold text,
typing wrappers, functions that never return, string methods that keep or drop data, container
mutators and getters, route converters, and the convention that an imported constant in capitals
is instruction text.

May import: `values` (for `SPLICE_WORDS`) and the standard library."""

from __future__ import annotations

import re
from functools import lru_cache

from ..globs import glob_matches
from .values import SPLICE_WORDS


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


NON_TEXT_TYPES = _words(
    "builtins.int builtins.float builtins.bool builtins.complex builtins.bytes datetime.date "
    "datetime.datetime datetime.time datetime.timedelta uuid.UUID decimal.Decimal "
    "pydantic.PositiveInt pydantic.NegativeInt pydantic.NonNegativeInt pydantic.PositiveFloat "
    "pydantic.StrictInt pydantic.StrictFloat pydantic.StrictBool pydantic.conint "
    "pydantic.confloat"
)
# Agent frameworks' run contexts: the attribute that holds the dependencies their type parameter
# names (`ctx: RunContext[Deps]`: `ctx.deps` is a `Deps`).
CONTEXT_WRAPPERS = {
    "pydantic_ai.RunContext": "deps",
    "pydantic_ai.tools.RunContext": "deps",
    "agents.RunContextWrapper": "context",
    "agents.run_context.RunContextWrapper": "context",
}
WRAPPER_TYPES = frozenset(
    {"typing.Optional", "typing.Annotated", "typing_extensions.Annotated", "typing.Final", "typing.ClassVar"}
)
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
LITERAL_TYPES = frozenset({"typing.Literal", "typing_extensions.Literal"})
ENUM_BASES = ("enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag")

NORETURN = _words(
    "flask.abort werkzeug.exceptions.abort sys.exit builtins.exit builtins.quit os._exit os.abort "
    "streamlit.stop pytest.fail pytest.skip typer.Exit click.Abort"
)

STRING_METHODS_KEEP = _words(
    "strip lstrip rstrip lower upper title casefold capitalize swapcase removeprefix removesuffix "
    "expandtabs ljust rjust center zfill translate encode decode splitlines split rsplit "
    "partition rpartition copy read readline readlines read_text getvalue text json"
)
CONST_PRESERVING = frozenset({"strip", "lstrip", "rstrip"})
NON_TEXT_METHODS = _words(
    "count find rfind index rindex startswith endswith isdigit isalpha isalnum isnumeric "
    "isdecimal isidentifier islower isupper isspace istitle isascii __len__ __contains__ is_file "
    "is_dir exists"
)
# markupsafe's `Markup` (re-exported by older Flask and Jinja2): `%`, `+`, `.format` and `.join`
# escape every operand that is not `Markup` already, so only the `Markup`'s own text is raw HTML
MARKUP_TYPES = frozenset({"markupsafe.Markup", "flask.Markup", "jinja2.Markup"})
MARKUP_METHODS = frozenset({"format", "format_map", "join"})
CASE_METHODS = frozenset({"lower", "upper", "strip", "casefold", "title", "lstrip", "rstrip"})
GET_METHODS = frozenset({"get", "getlist", "getone", "get_all", "pop", "getfirst", "get_argument"})
MUTATORS = frozenset(
    {"append", "extend", "insert", "update", "setdefault", "add", "appendleft", "__setitem__"}
)
CALLBACK_RUNNERS = {
    "to_thread": 0,  # asyncio.to_thread(fn, *args)
    "run_sync": 0,  # anyio.to_thread.run_sync(fn, *args), starlette.concurrency.run_in_threadpool
    "run_in_threadpool": 0,
    "run_in_executor": 1,  # loop.run_in_executor(executor, fn, *args)
    "submit": 0,  # executor.submit(fn, *args)
    "add_task": 0,  # BackgroundTasks.add_task(fn, *args)
    "start_soon": 0,  # anyio task groups
    "enqueue": 0,  # RQ queue.enqueue(fn, *args)
}
"""Calls that run a function they are given with the arguments after it (position of the function
among the positional arguments); only a function of the module is followed."""
THREAD_STARTERS = frozenset({"Thread", "Process", "Timer"})
"""`threading.Thread(target=fn, args=(...))`-like constructors: `target` runs with `args`."""
FILE_OPENERS = frozenset({"builtins.open", "io.open", "codecs.open", "os.fdopen"})
PATH_TYPES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.WindowsPath"})
SINKS_RETURNING_THE_DATA = frozenset({"builtins.compile", *FILE_OPENERS})
"""Sinks whose result is the data in another form, still to be used (a code object runs where it
is executed, an open file holds what was written into it): their result is not "checked where it
was built"."""
ESCAPING_FORMATTERS = {"django.utils.html.format_html": 0, "django.utils.html.format_html_join": 1}
"""Formatters that HTML-escape what they substitute (`conditional_escape` on every argument and
on `format_html_join`'s separator), by the position of their format string, which is kept as
written: the result is HTML with encoded arguments (unless the format string holds the data)."""
INSTRUCTION_ROLES = frozenset({"system", "developer"})
ASSISTANT_ROLES = frozenset({"assistant", "ai", "model", "chatbot", "bot"})
PLACEHOLDER_ROLES = frozenset({"placeholder"})
JINJA_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)")
JINJA_TEMPLATE_SINKS = frozenset(
    {"haystack*.PromptBuilder", "haystack*.ChatPromptBuilder", "llama_index*.RichPromptTemplate"}
)
"""Template sink patterns whose text is always Jinja (`{{ name }}` slots), without a
`template_format=` saying so."""
RENDERED_KEYS = {"haystack*.PromptBuilder": "prompt"}
"""Template types (patterns) whose `run(**variables)` renders the text and returns it under a key
(`PromptBuilder(template=T).run(x=...)["prompt"]`) instead of sending it: like `.format()`, the
data it was filled with is judged where the text goes."""
FLASK_CONVERTER = re.compile(r"<(int|float|uuid):([A-Za-z_][A-Za-z0-9_]*)>")
STARLETTE_CONVERTER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*):(int|float|uuid)\}")


OUTPUT_SCHEMA_KEYWORDS = frozenset(
    {"response_model", "response_format", "text_format", "output_type", "result_type"}
)
"""Keywords naming the class a model must answer with (instructor, OpenAI `parse`, pydantic-ai)."""
_ALTERNATE_CONSTRUCTOR = re.compile(r"(.+\.[A-Z]\w*)\.from_\w+\.(\w+)")


@lru_cache(maxsize=4096)
def alternate_constructor_method(qualified: str | None) -> str | None:
    """`pkg.Class.method` for a method called on what `pkg.Class.from_*(...)` returned: by
    convention (`from_uri`, `from_llm`, `from_documents`) such a classmethod returns an instance
    of its class, so the class's catalog entries apply to it. Asked for every call, every round:
    the answer for a name is kept."""
    found = _ALTERNATE_CONSTRUCTOR.fullmatch(qualified) if qualified else None
    return f"{found.group(1)}.{found.group(2)}" if found else None


def rendered_key(type_name: str | None) -> str | None:
    """The key under which a template of `type_name` returns the text its `run()` renders."""
    if type_name is None:
        return None
    return next((key for pattern, key in RENDERED_KEYS.items() if glob_matches(type_name, pattern)), None)


def imported_constant_words(qualified: str | None) -> int:
    """An imported constant in capitals (`prompts.SYSTEM_PROMPT`) is taken for instruction text."""
    if not qualified or "." not in qualified:
        return 0
    last = qualified.rsplit(".", 1)[-1]
    return SPLICE_WORDS if len(last) > 1 and last.isupper() and any(c.isalpha() for c in last) else 0


TASK_SENDERS = frozenset({"delay", "send", "kiq"})
"""Methods of a task-queue task that queue a call of it with the arguments given: Celery
`task.delay(x)`, Dramatiq `actor.send(x)`, taskiq `task.kiq(x)`."""
TASK_SCHEDULERS = frozenset({"apply_async", "send_with_options"})
"""The same with the arguments in `args=` and `kwargs=` (Celery `apply_async`, Dramatiq
`send_with_options`)."""
FUNCTION_SCHEDULERS = frozenset({"add_job", "apply_async"})
"""Calls given the function first and its arguments in `args=`/`kwargs=` (APScheduler
`scheduler.add_job(fn, args=[...])`, a multiprocessing pool's `apply_async(fn, args=(...))`)."""
SHARED_STORES = frozenset({"flask.g", "flask.session", "quart.g", "quart.session"})
"""Objects one request handler (or a `before_request` hook) writes and another reads: Flask's
`g` and `session` (`g.persona = session["persona"]` in a hook, `g.persona` in the view;
`session["persona"] = request.json["persona"]` in one view, read in another). What any function
of the module writes into an entry is what every function reads there."""
