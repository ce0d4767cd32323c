from flask import Flask, request
import openai

from . import ask_model
from .llm import ask, ask_safely, order_id
from .prompts import GREETING, SYSTEM

app = Flask(__name__)


@app.route("/ask")
def route_ask():
    return ask(request.args["q"])


@app.route("/safe")
def route_safe():
    return ask_safely(request.args["q"])


@app.route("/again")
def route_again():
    return ask_model(question=request.form["q"])


@app.route("/const")
def route_const():
    return ask("fixed question")


@app.route("/number")
def route_number():
    return ask(str(int(request.args["n"])))


@app.route("/order")
def route_order():
    text = SYSTEM + " Order: " + order_id()
    return openai.chat.completions.create(model="m", messages=[{"role": "system", "content": text}])


@app.route("/splice")
def route_splice():
    prompt = f"{SYSTEM} {request.args['q']}"
    return openai.chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}])


@app.route("/greet")
def route_greet():
    prompt = f"{GREETING} {request.args['q']}"
    return openai.chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}])
