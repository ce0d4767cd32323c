"""Meeting-notes helper (NiceGUI): paste a transcript, get minutes and action items."""

import html
import os

import anthropic
from nicegui import ui

client = anthropic.Anthropic()
MODEL = os.environ.get("NOTES_MODEL", "claude-haiku-4-5")
FORMATS = {"bullets": "Use bullet points.", "prose": "Write short paragraphs."}


def summarise(transcript: str, fmt: str) -> str:
    # ok: AIS201, AIS202
    msg = client.messages.create(
        model=MODEL,
        max_tokens=1000,
        system=[{"type": "text", "text": "Write meeting minutes. " + FORMATS.get(fmt, FORMATS["bullets"])}],
        messages=[{"role": "user", "content": transcript}],
    )
    return msg.content[0].text


def render_minutes(target: ui.html, minutes: str) -> None:
    # ruleid: AIS303
    target.set_content(f"<article>{minutes}</article>")


def render_escaped(target: ui.html, minutes: str) -> None:
    # ok: AIS303
    target.set_content(f"<pre>{html.escape(minutes)}</pre>")


def render_label(target: ui.label, minutes: str) -> None:
    # ok: AIS303
    target.set_text(minutes)


@ui.page("/")
def index():
    transcript = ui.textarea("Transcript").classes("w-full")
    fmt = ui.select(list(FORMATS), value="bullets")
    tone = ui.input("Tone for the follow-up e-mail", value="friendly")
    minutes_box = ui.html("")
    escaped_box = ui.html("")
    label = ui.label()
    email_box = ui.html("")

    def on_summarise():
        minutes = summarise(transcript.value, fmt.value)
        render_minutes(minutes_box, minutes)
        render_escaped(escaped_box, minutes)
        render_label(label, minutes)

    def on_email():
        # ruleid: AIS201
        msg = client.messages.create(
            model=MODEL,
            max_tokens=600,
            system=f"Write a follow-up e-mail in a {tone.value} tone.",
            messages=[{"role": "user", "content": transcript.value}],
        )
        # ruleid: AIS303
        email_box.set_content(msg.content[0].text)

    def on_actions():
        # ruleid: AIS202
        msg = client.messages.create(
            model=MODEL,
            max_tokens=600,
            messages=[{"role": "user", "content": f"Extract the action items as a checklist, owners first, from these notes:\n{transcript.value}"}],
        )
        ui.notify(msg.content[0].text)

    ui.button("Summarise", on_click=on_summarise)
    ui.button("Follow-up e-mail", on_click=on_email)
    ui.button("Action items", on_click=on_actions)


ui.run()
