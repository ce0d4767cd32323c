import anthropic

client = anthropic.Anthropic()


def reply(ticket_text, tone):
    return client.messages.create(
        model="claude",
        max_tokens=512,
        system=f"You answer support tickets in a {tone} tone.",
        messages=[{"role": "user", "content": ticket_text}],
    )
