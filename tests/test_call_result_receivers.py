"""A method called at once on what a local helper returns (`build_parser().parse_args()`,
`make_client().chat.completions.create(...)`) is named by the returned object's type, as when
the result is first bound to a name."""

from __future__ import annotations

from test_llm_output import check as check_output
from test_prompt_injection import check


def test_parse_args_on_a_parser_a_helper_built_is_command_line_input() -> None:
    check(
        """
    import argparse
    import ollama
    def build_parser() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser()
        parser.add_argument("--focus", default="top performers")
        parser.add_argument("--weeks", type=int, default=4)
        return parser
    def main(argv=None):
        args = build_parser().parse_args(argv)
        ollama.generate(model="m", prompt=f"Summarise the week for the manager, emphasising {args.focus}.")  # <- AIS202
        ollama.generate(model="m", prompt=f"Summarise the last {args.weeks} weeks for the regional manager.")
    """
    )


def test_a_client_a_factory_returned_is_the_client_when_called_at_once() -> None:
    check(
        """
    from flask import request
    from openai import OpenAI
    def make_client():
        return OpenAI()
    def make_notes():
        return {"persona": "a polite clerk"}
    def chat():
        persona = request.form["persona"]
        make_client().responses.create(model="m", instructions="Reply as " + persona, input="hi")  # <- AIS201
        make_client().responses.create(model="m", instructions="Reply as a clerk", input=persona)
        make_notes().get("persona")
    """
    )


def test_a_model_client_a_local_object_holds_is_named_through_the_object() -> None:
    check_output(
        """
    from aiohttp import web
    from llama_index.core import Settings
    class Assistant:
        def __init__(self) -> None:
            self.llm = Settings.llm
            self.title = "Docs"
    def get_assistant() -> Assistant:
        return Assistant()
    async def at_once(request: web.Request) -> web.Response:
        resp = await get_assistant().llm.acomplete(request.query.get("q", ""))
        return web.Response(text=f"<main>{resp.text}</main>", content_type="text/html")  # <- AIS303
    async def bound(request: web.Request) -> web.Response:
        assistant = get_assistant()
        resp = await assistant.llm.acomplete(request.query.get("q", ""))
        return web.Response(text=f"<main>{resp.text}</main>", content_type="text/html")  # <- AIS303
    async def plain_attribute(request: web.Request) -> web.Response:
        return web.Response(text=f"<h1>{get_assistant().title}</h1>", content_type="text/html")
    """
    )
