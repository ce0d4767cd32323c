import openai


class BaseBot:
    def send(self, text):
        return openai.chat.completions.create(model="m", messages=[{"role": "system", "content": text}])

    def reply(self, text):
        return self.send(text)


class UserBot:
    """A look-alike: the text goes in as the user's message."""

    def send(self, text):
        return openai.chat.completions.create(model="m", messages=[{"role": "user", "content": text}])
