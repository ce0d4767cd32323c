from openai import OpenAI

from .dispatch import dispatch, preview
from .tools import describe, run_shell

client = OpenAI()


def step(goal):
    reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": goal}])
    command = reply.choices[0].message.content
    print(describe(command))
    return run_shell(command)


def step_dispatched(goal):
    reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": goal}])
    action = reply.choices[0].message.content
    print(preview(action))
    return dispatch(action)
