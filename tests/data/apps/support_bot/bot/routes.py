import openai
from flask import Flask, request

from . import prompts
from .helpers import add_fixed, add_system, add_user, set_context, set_system, with_system
from .llm import Bot, QuietBot, ask, ask_as_user, send_all

app = Flask(__name__)


class Options:
    system = "Answer briefly."


@app.route("/super")
def route_super():
    Bot().send(request.args["q"])
    QuietBot().send(request.args["q"])
    return "ok"


@app.route("/base")
def route_base():
    Bot().send_through_base(request.args["q"])
    QuietBot().send_through_base(request.args["q"])
    return "ok"


@app.route("/append")
def route_append():
    messages = []
    add_system(messages, request.args["q"])
    openai.chat.completions.create(model="m", messages=messages)
    return "ok"


@app.route("/append-quiet")
def route_append_quiet():
    messages = []
    add_user(messages, request.args["q"])
    add_fixed(messages, request.args["q"])
    with_system(messages, request.args["q"])
    openai.chat.completions.create(model="m", messages=messages)
    return "ok"


@app.route("/append-send-elsewhere")
def route_append_send_elsewhere():
    messages = [{"role": "user", "content": "hello"}]
    add_system(messages, request.args["q"])
    send_all(messages)
    return "ok"


@app.route("/attribute")
def route_attribute():
    options = Options()
    set_system(options, request.args["q"])
    openai.chat.completions.create(model="m", messages=[{"role": "system", "content": options.system}])
    fixed = Options()
    set_system(fixed, "Answer in French.")
    openai.chat.completions.create(model="m", messages=[{"role": "system", "content": fixed.system}])
    return "ok"


@app.route("/context")
def route_context():
    context = {}
    set_context(context, request.args["q"])
    openai.chat.completions.create(model="m", messages=[{"role": "system", "content": context["system"]}])
    return "ok"


@app.route("/decorated")
def route_decorated():
    ask(request.args["q"])
    ask_as_user(request.args["q"])
    return "ok"


@app.route("/module-attribute")
def route_module_attribute():
    text = prompts.SYSTEM.format(tone=request.args["tone"])
    openai.chat.completions.create(model="m", messages=[{"role": "system", "content": text}])
    return "ok"
