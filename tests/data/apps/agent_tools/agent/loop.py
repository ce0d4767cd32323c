from openai import OpenAI

from .tools import describe, run_shell

client = OpenAI()


def step(goal):
    reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": goal}])
    command = reply.choices[0].message.content
    print(describe(command))
    return run_shell(command)
