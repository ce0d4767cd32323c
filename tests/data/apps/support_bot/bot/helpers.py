"""Helpers that fill the object they are given instead of returning a value."""

import functools


def add_system(messages, text):
    messages.append({"role": "system", "content": text})


def add_user(messages, text):
    messages.append({"role": "user", "content": text})


def add_fixed(messages, text):
    messages.append({"role": "system", "content": "Answer briefly."})


def with_system(messages, text):
    messages = list(messages)  # a copy: the caller's list is not changed
    messages.append({"role": "system", "content": text})
    return messages


def set_system(request_options, text):
    request_options.system = text


def set_context(context, text):
    context.update(system=text)


def traced(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper
