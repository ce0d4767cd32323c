from openai import OpenAI

client = OpenAI()
INSTRUCTIONS = "Summarise the document for an engineer and keep it short."


def summarise(document, style="plain"):
    system = f"{INSTRUCTIONS} Use a {style} style."
    return client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "system", "content": system}, {"role": "user", "content": document}],
    )
