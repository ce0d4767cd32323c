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


class Assistant:
    """A client object: the system text comes from `__init__` (constants), the question from a caller."""

    def __init__(self, model="gpt-4o"):
        self.model = model
        self.system = SYSTEM

    def ask(self, question):
        return openai.chat.completions.create(
            model=self.model, messages=[{"role": "system", "content": f"{self.system} {question}"}]
        )

    def ask_safely(self, question):
        return openai.chat.completions.create(
            model=self.model,
            messages=[{"role": "system", "content": self.system}, {"role": "user", "content": question}],
        )

    def ask_number(self, question):
        return self.ask(str(int(question)))

    @staticmethod
    def quick(question):
        return openai.chat.completions.create(model="m", messages=[{"role": "system", "content": question}])

    @classmethod
    def with_tone(cls, tone):
        return openai.chat.completions.create(model="m", messages=[{"role": "system", "content": tone}])


class Echo:
    """A look-alike: a method named `ask` that sends nothing anywhere."""

    def ask(self, question):
        return question


assistant = Assistant()
