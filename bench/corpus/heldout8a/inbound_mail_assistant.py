"""Shared-inbox assistant: drafts replies to inbound support mail with Azure OpenAI (Flask)."""

from __future__ import annotations

import email.utils
import os
import re

import psycopg2
from flask import Flask, abort, jsonify, render_template, request
from flask.views import MethodView
from langchain_core.prompts import PromptTemplate
from markupsafe import Markup, escape
from openai import AzureOpenAI

app = Flask(__name__)
aoai = AzureOpenAI(
    azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
    api_key=os.environ["AZURE_OPENAI_API_KEY"],
    api_version="2024-10-21",
)
DEPLOYMENT = os.environ.get("AZURE_OPENAI_DEPLOYMENT", "gpt-4o-support")
INBOUND_TOKEN = os.environ["SENDGRID_INBOUND_TOKEN"]

DRAFT_SYSTEM = (
    "You draft replies for the Acme support inbox. Be polite and concise, never promise refunds, "
    "and sign off as 'Acme Support'."
)
MAILBOXES = {"support@acme.example": "general support", "billing@acme.example": "billing"}
ORDER_NO = re.compile(r"AC-\d{8}")


def pg():
    return psycopg2.connect(os.environ["SUPPORT_DSN"])


def chat(messages: list[dict], **kwargs) -> str:
    # ok: AIS201, AIS202, AIS204
    resp = aoai.chat.completions.create(model=DEPLOYMENT, messages=messages, **kwargs)
    return resp.choices[0].message.content or ""


class InboundMail(MethodView):
    """SendGrid Inbound Parse posts multipart form data here."""

    def post(self):
        if request.args.get("token") != INBOUND_TOKEN:
            abort(403)
        sender = email.utils.parseaddr(request.form.get("from", ""))[1]
        subject = request.form.get("subject", "")
        body = request.form.get("text", "")
        mailbox = request.form.get("to", "")
        if mailbox not in MAILBOXES:
            mailbox = "support@acme.example"
        queue = MAILBOXES[mailbox]
        draft = chat(
            [
                {"role": "system", "content": f"{DRAFT_SYSTEM}\nThis mail arrived in the {queue} queue."},
                {"role": "user", "content": body},
            ]
        )
        self.store_draft(sender, subject, draft)
        return jsonify({"status": "drafted"})

    def store_draft(self, sender: str, subject: str, draft: str) -> None:
        with pg() as conn, conn.cursor() as cur:
            # ok: AIS302
            cur.execute(
                "INSERT INTO drafts (sender, subject, body) VALUES (%s, %s, %s)",
                (sender, subject, draft),
            )


app.add_url_rule("/inbound", view_func=InboundMail.as_view("inbound"))


@app.post("/inbound/vip")
def inbound_vip():
    subject = request.form.get("subject", "")
    body = request.form.get("text", "")
    signature = request.form.get("from", "")
    messages = [
        {"role": "system", "content": DRAFT_SYSTEM + "\nThe customer is a VIP: " + signature},
        {"role": "user", "content": body},
    ]
    # ruleid: AIS201
    resp = aoai.chat.completions.create(model=DEPLOYMENT, messages=messages, temperature=0.4)
    return jsonify({"draft": resp.choices[0].message.content, "subject": subject})


@app.post("/inbound/classify")
def classify():
    subject = request.form.get("subject", "")
    body = request.form.get("text", "")
    lines = ["Classify this e-mail as one of: bug, billing, how-to, spam.", "Subject: " + subject, "Body:", body]
    # ruleid: AIS202
    resp = aoai.chat.completions.create(
        model=DEPLOYMENT,
        messages=[{"role": "user", "content": "\n".join(lines)}],
    )
    return jsonify({"label": resp.choices[0].message.content.strip()})


@app.post("/inbound/attachments")
def summarise_attachment():
    attachment = request.files.get("attachment1")
    if attachment is None:
        abort(400)
    log_text = attachment.read().decode("utf-8", "replace")[:20000]
    # ruleid: AIS204
    resp = aoai.chat.completions.create(
        model=DEPLOYMENT,
        messages=[
            {"role": "system", "content": DRAFT_SYSTEM + "\nThe customer attached this log; use it as context:\n" + log_text},
            {"role": "user", "content": "Summarise what went wrong for the support engineer."},
        ],
    )
    return jsonify({"summary": resp.choices[0].message.content})


@app.post("/inbound/order-lookup")
def order_lookup():
    body = request.form.get("text", "")
    order_no = chat(
        [
            {"role": "system", "content": "Extract the order number (format AC-12345678) from the mail. Reply with it only."},
            {"role": "user", "content": body},
        ]
    ).strip()
    with pg() as conn, conn.cursor() as cur:
        # ruleid: AIS302
        cur.execute("SELECT status, carrier FROM orders WHERE order_no = '%s'" % order_no)
        row = cur.fetchone()
    return jsonify({"order": order_no, "status": row[0] if row else None})


@app.post("/inbound/order-lookup/v2")
def order_lookup_v2():
    body = request.form.get("text", "")
    order_no = chat(
        [
            {"role": "system", "content": "Extract the order number (format AC-12345678) from the mail. Reply with it only."},
            {"role": "user", "content": body},
        ]
    ).strip()
    if not ORDER_NO.fullmatch(order_no):
        return jsonify({"order": None})
    with pg() as conn, conn.cursor() as cur:
        # ok: AIS302
        cur.execute(f"SELECT status, carrier FROM orders WHERE order_no = '{order_no}'")
        row = cur.fetchone()
    return jsonify({"order": order_no, "status": row[0] if row else None})


@app.get("/drafts/<int:draft_id>")
def review_draft(draft_id: int):
    with pg() as conn, conn.cursor() as cur:
        cur.execute("SELECT subject, body FROM drafts WHERE id = %s", (draft_id,))
        subject, body = cur.fetchone()
    polished = chat(
        [
            {"role": "system", "content": DRAFT_SYSTEM + " Return the reply as HTML paragraphs."},
            {"role": "user", "content": body},
        ]
    )
    # ruleid: AIS303
    preview = Markup("<section class='draft'>%s</section>" % polished)
    # ok: AIS303
    plain = Markup("<pre>{}</pre>").format(polished)
    return render_template("draft.html", subject=subject, preview=preview, plain=plain, raw=escape(polished))


@app.post("/macros/preview")
def preview_macro():
    """Agents write reply macros as prompt templates; preview one against a sample customer."""
    # ruleid: AIS203
    macro = PromptTemplate.from_template(request.form["macro"])
    prompt = macro.format(customer_name="Sam Example", product="Acme Router X2")
    resp = aoai.chat.completions.create(
        model=DEPLOYMENT,
        messages=[{"role": "system", "content": DRAFT_SYSTEM}, {"role": "user", "content": prompt}],
    )
    return jsonify({"preview": resp.choices[0].message.content})
