"""Handlers that get the assistant from a factory: only their annotations say what it is."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from flask import request

from .llm import ask, ask_as_user

if TYPE_CHECKING:
    from .llm import Assistant


def use_persona(bot: Assistant, persona):
    bot.set_persona(persona)


def use_question(bot: "Assistant", question):
    bot.ask(question)


def route_annotated(make_bot):
    use_persona(make_bot(), request.args["persona"])
    use_question(make_bot(), request.args["q"])
    bot: Assistant = make_bot()
    bot.set_persona(request.args["persona"])
    return "ok"


def route_partial():
    send = functools.partial(ask)
    send(request.args["q"])
    send_as_user = functools.partial(ask_as_user)
    send_as_user(request.args["q"])
    return "ok"
