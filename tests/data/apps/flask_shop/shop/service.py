from .llm import Assistant, ask, ask_safely


def answer(question):
    return ask(question)


def answer_safely(question):
    return ask_safely(question)


def answer_with_assistant(question):
    return Assistant().ask(question)
