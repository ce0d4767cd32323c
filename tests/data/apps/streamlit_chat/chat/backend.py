from openai import OpenAI

client = OpenAI()


def answer(persona, question):
    return client.chat.completions.create(
        model="gpt-4o",
        messages=[
            {"role": "system", "content": f"You are {persona}, a helpful expert."},
            {"role": "user", "content": question},
        ],
    )
