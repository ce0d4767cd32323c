import openai


def explain(topic):
    return openai.chat.completions.create(
        model="gpt-4o", messages=[{"role": "system", "content": f"Explain {topic} to a new engineer."}]
    )
