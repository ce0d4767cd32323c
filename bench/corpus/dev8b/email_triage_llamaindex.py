"""Shared-inbox triage: an IMAP poller hands each e-mail to a LlamaIndex ReAct agent with function tools."""
from __future__ import annotations

import email
import imaplib
import os
import shlex
import subprocess
from email.message import Message
from pathlib import Path

from llama_index.core import PromptTemplate
from llama_index.core.agent import ReActAgent
from llama_index.core.llms import ChatMessage, MessageRole
from llama_index.core.tools import FunctionTool
from llama_index.llms.openai import OpenAI

llm = OpenAI(model="gpt-4o-mini")
ATTACHMENTS = Path("/var/spool/triage")
QUEUES = ("billing", "support", "sales")


def archive_attachment(filename: str) -> str:
    """Delete an attachment once it has been filed."""
    # ruleid: AIS304
    os.remove(ATTACHMENTS / filename)
    return "removed"


def route_ticket(queue: str, ticket_id: str) -> str:
    """Move a ticket to a queue."""
    # ok: AIS301
    subprocess.run(f"ticketctl move {shlex.quote(ticket_id)} {shlex.quote(queue)}", shell=True, check=True)
    return "moved"


def open_ticket(summary: str) -> str:
    """Open a ticket with a summary."""
    # ruleid: AIS301
    subprocess.run(f"ticketctl open --summary '{summary}'", shell=True, check=True)
    return "opened"


tools = [
    FunctionTool.from_defaults(fn=archive_attachment),
    FunctionTool.from_defaults(fn=route_ticket),
    FunctionTool.from_defaults(fn=open_ticket),
]
agent = ReActAgent.from_tools(tools, llm=llm, context="You triage the shared support inbox.")


def _body(msg: Message) -> str:
    if msg.is_multipart():
        for part in msg.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode(errors="replace")
        return ""
    return msg.get_payload(decode=True).decode(errors="replace")


class InboxPoller:
    def __init__(self, host: str) -> None:
        self.imap = imaplib.IMAP4_SSL(host)
        self.imap.login(os.environ["INBOX_USER"], os.environ["INBOX_PASSWORD"])
        self.signature = ""

    def unread(self) -> list[Message]:
        self.imap.select("INBOX")
        _, ids = self.imap.search(None, "UNSEEN")
        messages = []
        for num in ids[0].split():
            _, data = self.imap.fetch(num, "(RFC822)")
            messages.append(email.message_from_bytes(data[0][1]))
        return messages

    def learn_signature(self, msg: Message) -> None:
        self.signature = _body(msg).split("-- \n")[-1]

    def triage(self, msg: Message) -> str:
        text = _body(msg)
        # ok: AIS201, AIS202
        return str(agent.chat(text))

    def draft_reply(self, msg: Message) -> str:
        # ruleid: AIS201
        messages = [
            ChatMessage(role=MessageRole.SYSTEM, content="Draft replies for the support team. Sign as: " + self.signature),
            ChatMessage(role=MessageRole.USER, content=_body(msg)),
        ]
        return str(llm.chat(messages).message.content)

    def summarise(self, msg: Message) -> str:
        subject = msg["Subject"]
        # ruleid: AIS202
        return str(llm.complete(f"Summarise the e-mail titled '{subject}' for the queue lead in one line:\n{_body(msg)}"))

    def custom_rule(self, msg: Message) -> str:
        # ruleid: AIS203
        template = PromptTemplate(_body(msg))
        return str(llm.complete(template.format(queue="support")))

    def pick_queue(self, msg: Message) -> str:
        # ruleid: AIS202
        queue = str(llm.complete("Reply with billing, support or sales for this e-mail:\n" + _body(msg))).strip()
        if queue not in QUEUES:
            queue = "support"
        # ok: AIS301
        subprocess.run(["ticketctl", "queue", queue], check=True)
        return queue


def main() -> None:
    poller = InboxPoller("imap.example.com")
    for msg in poller.unread():
        if msg["From"].endswith("@example.com"):
            poller.learn_signature(msg)
        poller.triage(msg)
        poller.draft_reply(msg)
        poller.summarise(msg)
        poller.pick_queue(msg)
        if msg["X-Triage-Rule"]:
            poller.custom_rule(msg)


if __name__ == "__main__":
    main()
