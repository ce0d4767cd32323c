# Held-out corpus. Semgrep-style annotations: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
"""Gradio helpdesk: answers using ticket history from the database."""

import sqlite3

import gradio as gr
from anthropic import Anthropic
from openai import OpenAI

oa = OpenAI()
claude = Anthropic()
db = sqlite3.connect("helpdesk.db", check_same_thread=False)


def ticket_history(user_id: int) -> str:
    rows = db.execute("SELECT subject, body FROM tickets WHERE user_id = ?", (user_id,)).fetchall()
    return "\n".join(f"{s}: {b}" for s, b in rows)


def respond(message, history, user_id, agent_name):
    past = ticket_history(int(user_id))
    # ruleid: AIS204
    msg = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=800,
        system="You are a helpdesk agent. Previous tickets from this user:\n" + past,
        messages=[{"role": "user", "content": message}],
    )
    return msg.content[0].text


def respond_named(message, history, agent_name):
    # ruleid: AIS201
    msg = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=800,
        system=f"You are {agent_name}, a helpdesk agent.",
        messages=[{"role": "user", "content": message}],
    )
    return msg.content[0].text


def respond_history(message, history):
    turns = [{"role": h["role"], "content": h["content"]} for h in history]
    # ruleid: AIS201
    resp = oa.chat.completions.create(model="gpt-4o-mini", messages=turns + [{"role": "user", "content": message}])
    return resp.choices[0].message.content


def respond_plain(message, history):
    # ok: AIS201, AIS202
    resp = oa.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "You are a helpdesk agent."}, {"role": "user", "content": message}],
    )
    return resp.choices[0].message.content


def close_ticket(message):
    resp = oa.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "Reply with the ticket id to close."}, {"role": "user", "content": message}],
    )
    ticket = resp.choices[0].message.content
    # ruleid: AIS302
    db.execute(f"UPDATE tickets SET status = 'closed' WHERE id = {ticket}")
    # ok: AIS302
    db.execute("UPDATE tickets SET status = 'closed' WHERE id = ?", (ticket,))
    # ok: AIS302
    db.execute(f"UPDATE tickets SET status = 'closed' WHERE id = {int(ticket)}")
    db.commit()
    return "closed"


def attach_log(message):
    resp = oa.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "Reply with the log file to attach."}, {"role": "user", "content": message}],
    )
    log_name = resp.choices[0].message.content.strip()
    # ruleid: AIS304
    with open("/var/log/helpdesk/" + log_name) as fh:
        return fh.read()


def attach_known_log(message):
    resp = oa.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "Reply with the log file to attach."}, {"role": "user", "content": message}],
    )
    log_name = resp.choices[0].message.content.strip()
    if log_name not in ("app.log", "worker.log"):
        return "unknown log"
    # ok: AIS304
    with open("/var/log/helpdesk/" + log_name) as fh:
        return fh.read()


def run_macro(message):
    resp = oa.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "Write a Python expression that computes the refund."}, {"role": "user", "content": message}],
    )
    # ruleid: AIS301
    return str(eval(resp.choices[0].message.content, {"__builtins__": {}}))


with gr.Blocks() as demo:
    gr.ChatInterface(respond, type="messages", additional_inputs=[gr.Number(label="user id"), gr.Textbox(label="agent")])
    gr.ChatInterface(respond_named, type="messages", additional_inputs=[gr.Textbox(label="agent name")])
    gr.ChatInterface(respond_history, type="messages")
    gr.ChatInterface(respond_plain, type="messages")
    gr.Interface(close_ticket, "text", "text")
    gr.Interface(attach_log, "text", "text")
    gr.Interface(attach_known_log, "text", "text")
    gr.Interface(run_macro, "text", "text")

demo.launch()
