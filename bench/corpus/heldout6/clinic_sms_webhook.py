"""Dental clinic SMS / WhatsApp assistant: Twilio webhook (Flask) backed by LiteLLM.

Patients text the clinic number to ask questions or book a slot; staff see summaries in /admin.
"""
from __future__ import annotations

import html
import os
import sqlite3
from datetime import datetime

import litellm
from flask import Flask, Response, g, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

app = Flask(__name__)
validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
MODEL = os.getenv("CLINIC_MODEL", "gpt-4o-mini")
FALLBACK_MODEL = "claude-3-5-haiku-latest"
CLINIC_POLICY = (
    "You are the front desk assistant of Bright Smile Dental (Leeds). Opening hours Mon-Fri 8-18. "
    "Do not give medical diagnoses; suggest booking instead."
)
DB_PATH = os.getenv("CLINIC_DB", "/var/lib/clinic/clinic.db")


def db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect(DB_PATH)
    return g.db


def twiml(text: str) -> Response:
    resp = MessagingResponse()
    resp.message(text)
    # ok: AIS303
    return Response(str(resp), mimetype="application/xml")


def llm_reply(messages: list[dict]) -> str:
    # ok: AIS204
    response = litellm.completion(model=MODEL, messages=messages, fallbacks=[FALLBACK_MODEL], timeout=20)
    return response.choices[0].message.content


@app.before_request
def check_signature():
    if request.path.startswith("/sms"):
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(request.url, request.form, signature):
            return Response("forbidden", status=403)


@app.post("/sms")
def inbound_sms():
    body = request.form.get("Body", "").strip()
    profile_name = request.form.get("ProfileName", "there")
    # ruleid: AIS201
    response = litellm.completion(
        model=MODEL,
        messages=[
            {"role": "system", "content": f"{CLINIC_POLICY} The patient's name is {profile_name}; greet them by name."},
            {"role": "user", "content": body},
        ],
    )
    return twiml(response.choices[0].message.content)


@app.post("/sms/faq")
def inbound_faq():
    body = request.form.get("Body", "").strip()
    # ok: AIS201, AIS202
    response = litellm.completion(
        model=MODEL,
        messages=[{"role": "system", "content": CLINIC_POLICY}, {"role": "user", "content": body}],
    )
    return twiml(response.choices[0].message.content)


@app.post("/sms/media")
def inbound_media():
    media_count = int(request.form.get("NumMedia", "0"))
    body = request.form.get("Body", "")
    # ok: AIS201
    response = litellm.completion(
        model=MODEL,
        messages=[
            {"role": "system", "content": f"{CLINIC_POLICY} The patient attached {media_count} photo(s); we cannot view photos by SMS."},
            {"role": "user", "content": body},
        ],
    )
    return twiml(response.choices[0].message.content)


@app.post("/sms/classify")
def classify():
    body = request.form.get("Body", "")
    sender = request.form.get("From", "")
    # ruleid: AIS202
    result = litellm.text_completion(
        model="gpt-3.5-turbo-instruct",
        prompt=f"Classify the SMS below as BOOKING, CANCEL, QUESTION or OTHER. Reply with the label only.\nSMS: {body}\nLabel:",
        max_tokens=3,
    )
    label = result.choices[0].text.strip().upper()
    db().execute("INSERT INTO sms_log(sender, label, received_at) VALUES (?, ?, ?)", (sender, label, datetime.utcnow().isoformat()))
    db().commit()
    return twiml("Thanks, we received your message.")


@app.post("/sms/book")
def book():
    body = request.form.get("Body", "")
    phone = request.form.get("From", "")
    slot = llm_reply(
        [
            {"role": "system", "content": "Extract the requested appointment time as 'YYYY-MM-DD HH:MM'. Reply with the time only."},
            {"role": "user", "content": body},
        ]
    ).strip()
    # ok: AIS302
    db().execute("INSERT INTO appointments(phone, slot, status) VALUES (?, ?, 'requested')", (phone, slot))
    db().commit()
    return twiml(f"We have requested {slot} for you. Reception will confirm shortly.")


@app.post("/sms/book-legacy")
def book_legacy():
    body = request.form.get("Body", "")
    phone = request.form.get("From", "")
    treatment = llm_reply(
        [
            {"role": "system", "content": "Which treatment is the patient asking about? Reply with one or two words."},
            {"role": "user", "content": body},
        ]
    ).strip()
    cur = db().cursor()
    # ruleid: AIS302
    cur.execute(f"UPDATE patients SET last_interest = '{treatment}' WHERE phone = '{phone}'")
    db().commit()
    return twiml("Noted, thanks!")


@app.get("/admin/summary/<phone>")
def admin_summary(phone: str):
    rows = db().execute("SELECT body FROM messages WHERE phone = ? ORDER BY id DESC LIMIT 20", (phone,)).fetchall()
    history = "\n".join(r[0] for r in rows)
    summary = llm_reply(
        [
            {"role": "system", "content": "Summarise this patient's recent SMS conversation for reception staff."},
            {"role": "user", "content": history},
        ]
    )
    # ruleid: AIS303
    return f"<h1>Patient {html.escape(phone)}</h1><div class='summary'>{summary}</div>"


@app.get("/admin/summary-safe/<phone>")
def admin_summary_safe(phone: str):
    rows = db().execute("SELECT body FROM messages WHERE phone = ? ORDER BY id DESC LIMIT 20", (phone,)).fetchall()
    summary = llm_reply(
        [
            {"role": "system", "content": "Summarise this patient's recent SMS conversation for reception staff."},
            {"role": "user", "content": "\n".join(r[0] for r in rows)},
        ]
    )
    # ok: AIS303
    return f"<h1>Patient {html.escape(phone)}</h1><div class='summary'>{html.escape(summary)}</div>"
