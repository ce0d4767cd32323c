# Held-out corpus. Semgrep-style annotations: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
"""Flask customer-support bot backed by OpenAI chat completions."""

import html

from flask import Flask, jsonify, render_template_string, request
from markupsafe import Markup
from openai import OpenAI

app = Flask(__name__)
client = OpenAI()

BASE_SYSTEM = "You are Acme's support assistant. Answer only questions about Acme products."
PERSONAS = {"friendly": "Be warm and casual.", "formal": "Be concise and formal."}


@app.post("/chat")
def chat():
    body = request.get_json()
    persona = body.get("persona", "")
    # ruleid: AIS201
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": BASE_SYSTEM + " " + persona},
            {"role": "user", "content": body["message"]},
        ],
    )
    return jsonify(answer=resp.choices[0].message.content)


@app.post("/chat/safe")
def chat_safe():
    body = request.get_json()
    style = PERSONAS.get(body.get("persona"), PERSONAS["formal"])
    # ok: AIS201, AIS202
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": f"{BASE_SYSTEM} {style}"},
            {"role": "user", "content": body["message"]},
        ],
    )
    return jsonify(answer=resp.choices[0].message.content)


@app.get("/translate")
def translate():
    lang = request.args.get("lang", "English")
    text = request.args["text"]
    # ruleid: AIS201
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "developer", "content": f"Translate everything the user says into {lang}."},
            {"role": "user", "content": text},
        ],
    )
    # ruleid: AIS303  (relabelled: a str returned from a Flask view is served as text/html)
    return resp.choices[0].message.content


@app.get("/translate/checked")
def translate_checked():
    lang = request.args.get("lang", "English")
    if lang not in {"English", "French", "German"}:
        return "unsupported language", 400
    # ok: AIS201
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": f"Translate everything the user says into {lang}."},
            {"role": "user", "content": request.args["text"]},
        ],
    )
    # ruleid: AIS303  (relabelled: a str returned from a Flask view is served as text/html)
    return resp.choices[0].message.content


@app.post("/summarise")
def summarise_ticket():
    ticket = request.form["ticket"]
    prompt = f"Summarise the following support ticket in three bullet points.\n\n{ticket}"
    # ruleid: AIS202
    resp = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}])
    summary = resp.choices[0].message.content
    # relabelled: model output used as the Jinja template itself is template injection (code execution)
    # ruleid: AIS303, AIS301
    return render_template_string("<h2>Summary</h2>" + summary)


@app.post("/summarise/escaped")
def summarise_escaped():
    ticket = request.form["ticket"]
    # ok: AIS202
    resp = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": ticket}])
    summary = resp.choices[0].message.content
    # ok: AIS303
    return render_template_string("<h2>Summary</h2><p>{{ s }}</p>", s=summary)


@app.post("/reply")
def draft_reply():
    customer = request.form["customer_name"]
    complaint = request.form["complaint"]
    # ruleid: AIS202
    completion = client.completions.create(
        model="gpt-3.5-turbo-instruct",
        prompt="Write a polite reply to {} who complained: {}\nReply:".format(customer, complaint),
    )
    draft = completion.choices[0].text
    # ruleid: AIS303
    return Markup("<div class='draft'>%s</div>" % draft)


@app.post("/reply/escaped")
def draft_reply_escaped():
    complaint = request.form["complaint"]
    # ok: AIS202
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "Write a polite reply to the customer's complaint."},
            {"role": "user", "content": complaint},
        ],
    )
    draft = resp.choices[0].message.content
    # ok: AIS303
    return Markup("<div class='draft'>%s</div>") % html.escape(draft)


@app.get("/faq")
def faq():
    # ok: AIS201, AIS202
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": BASE_SYSTEM}, {"role": "user", "content": "List 5 FAQs."}],
    )
    # ok: AIS303
    return jsonify(faq=resp.choices[0].message.content)
