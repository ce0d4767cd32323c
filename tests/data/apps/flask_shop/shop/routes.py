from flask import Flask, jsonify, request
import openai

from . import ask_model
from .llm import Assistant, Echo, ask, ask_safely, assistant, order_id
from .prompts import GREETING, SYSTEM
from .service import answer, answer_safely, answer_with_assistant

app = Flask(__name__)


@app.route("/ask")
def route_ask():
    return jsonify(answer=ask(request.args["q"]).choices[0].message.content)


@app.route("/safe")
def route_safe():
    return jsonify(answer=ask_safely(request.args["q"]).choices[0].message.content)


@app.route("/again")
def route_again():
    return ask_model(question=request.form["q"]).choices[0].message.content


@app.route("/const")
def route_const():
    return jsonify(answer=ask("fixed question").choices[0].message.content)


@app.route("/number")
def route_number():
    return jsonify(answer=ask(str(int(request.args["n"]))).choices[0].message.content)


@app.route("/order")
def route_order():
    text = SYSTEM + " Order: " + order_id()
    reply = openai.chat.completions.create(model="m", messages=[{"role": "system", "content": text}])
    return jsonify(answer=reply.choices[0].message.content)


@app.route("/splice")
def route_splice():
    prompt = f"{SYSTEM} {request.args['q']}"
    reply = openai.chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}])
    return jsonify(answer=reply.choices[0].message.content)


@app.route("/greet")
def route_greet():
    prompt = f"{GREETING} {request.args['q']}"
    reply = openai.chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}])
    return jsonify(answer=reply.choices[0].message.content)


@app.route("/service")
def route_service():
    return jsonify(answer=answer(request.args["q"]).choices[0].message.content)


@app.route("/service-safe")
def route_service_safe():
    return jsonify(answer=answer_safely(request.args["q"]).choices[0].message.content)


@app.route("/service-assistant")
def route_service_assistant():
    return jsonify(answer=answer_with_assistant(request.args["q"]).choices[0].message.content)


@app.route("/assistant")
def route_assistant():
    bot = Assistant("gpt-4o-mini")
    bot.ask_safely(request.args["q"])
    bot.ask_number(request.args["q"])
    Echo().ask(request.args["q"])
    return jsonify(answer=bot.ask(request.args["q"]).choices[0].message.content)


@app.route("/module-instance")
def route_module_instance():
    return jsonify(answer=assistant.ask(request.args["q"]).choices[0].message.content)


@app.route("/static")
def route_static():
    Assistant.quick(request.args["q"])
    return jsonify(answer=Assistant.with_tone(request.args["tone"]).choices[0].message.content)


class Support:
    def __init__(self):
        self.assistant = Assistant()
        self.echo = Echo()

    def handle(self):
        self.echo.ask(request.args["q"])
        return self.assistant.ask(request.args["q"])
