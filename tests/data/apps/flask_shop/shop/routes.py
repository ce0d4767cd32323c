from flask import Flask, jsonify, request
import openai

from . import ask_model
from .llm import ask, ask_safely, order_id
from .prompts import GREETING, SYSTEM

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
