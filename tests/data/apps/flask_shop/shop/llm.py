import openai

from .prompts import SYSTEM


def build(question):
    return f"{SYSTEM} The customer asks: {question}"


def ask(question):
    return openai.chat.completions.create(
        model="gpt-4o", messages=[{"role": "system", "content": build(question)}]
    )


def ask_safely(question):
    return openai.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
    )


def order_id():
    from flask import request

    return request.args["order"]
