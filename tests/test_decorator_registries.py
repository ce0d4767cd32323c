"""Tool registries filled by the module's own decorator (`@tool("run_python")` storing the function
in `REGISTRY[name]`, or `@tool` storing it by `fn.__name__`): a dispatch through the table calls
every function registered in it, and a constant key only the one registered under it."""

from __future__ import annotations

from test_llm_output import check

HEAD = """
    import subprocess
    import sys
    import anthropic
    client = anthropic.Anthropic()
    REGISTRY = {}
    LOGGED = {}
"""


def test_a_factory_decorator_registry_dispatches_model_tool_calls_to_its_functions() -> None:
    check(
        HEAD
        + """
    def tool(name):
        def register(fn):
            REGISTRY[name] = fn
            return fn
        return register
    @tool("run_python")
    def run_python(args):
        return subprocess.run([sys.executable, "-c", args["code"]], capture_output=True)
    @tool("echo")
    def echo(args):
        return subprocess.run(["echo", "ok"], capture_output=True)
    def loop():
        response = client.messages.create(model="m", max_tokens=10, messages=[])
        for block in response.content:
            fn = REGISTRY.get(block.name)
            if fn:
                fn(block.input)  # <- AIS301
    """
    )


def test_a_plain_decorator_registry_and_a_constant_key() -> None:
    check(
        HEAD
        + """
    def tool(fn):
        REGISTRY[fn.__name__] = fn
        return fn
    @tool
    def shell(args):
        return subprocess.run(args["cmd"], shell=True)
    @tool
    def version(args):
        return subprocess.run(["python", "--version"], capture_output=True)
    def loop():
        response = client.messages.create(model="m", max_tokens=10, messages=[])
        block = response.content[0]
        REGISTRY[block.name](block.input)  # <- AIS301
        REGISTRY["version"](block.input)
    """
    )


def test_a_decorator_that_only_wraps_or_logs_registers_nothing() -> None:
    check(
        HEAD
        + """
    def traced(fn):
        LOGGED["last"] = fn.__name__
        return fn
    @traced
    def shell(args):
        return subprocess.run(args["cmd"], shell=True)
    def loop():
        response = client.messages.create(model="m", max_tokens=10, messages=[])
        block = response.content[0]
        fn = REGISTRY.get(block.name)
        if fn:
            fn(block.input)
    """
    )
