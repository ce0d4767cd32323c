import openai

from .base import BaseBot, UserBot
from .helpers import traced


class Bot(BaseBot):
    def send(self, text):
        return super().send(text)

    def send_through_base(self, text):
        return BaseBot.send(self, text)


class QuietBot(UserBot):
    def send(self, text):
        return super().send(text)

    def send_through_base(self, text):
        return UserBot.send(self, text)


def send_all(messages):
    return openai.chat.completions.create(model="m", messages=messages)


@traced
def ask(text):
    return openai.chat.completions.create(model="m", messages=[{"role": "system", "content": text}])


@traced
def ask_as_user(text):
    return openai.chat.completions.create(model="m", messages=[{"role": "user", "content": text}])


class Assistant:
    def __init__(self):
        self.system = "You are the support assistant of Acme."

    def set_persona(self, persona):
        self.system = persona

    def ask(self, question):
        return openai.chat.completions.create(
            model="m",
            messages=[{"role": "system", "content": self.system}, {"role": "user", "content": question}],
        )
