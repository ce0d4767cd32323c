"""Back-office console: Flask + Flask-SQLAlchemy, with a Mistral-powered "ask the database" box."""

from __future__ import annotations

import os

from flask import Flask, abort, jsonify, render_template, render_template_string, request
from flask_sqlalchemy import SQLAlchemy
from langchain_core.prompts import PromptTemplate
from markupsafe import Markup, escape
from mistralai import Mistral
from sqlalchemy import text

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite:///admin.db")
db = SQLAlchemy(app)
mistral = Mistral(api_key=os.environ["MISTRAL_API_KEY"])
MODEL = os.environ.get("MISTRAL_MODEL", "mistral-large-latest")
SQL_SYSTEM = (
    "You write one PostgreSQL SELECT for the tables users(id, name, email, plan, created_at) and "
    "invoices(id, user_id, amount, status). Reply with SQL only."
)
SORTABLE = {"name", "email", "plan", "created_at"}
SAVED_PROMPTS = {
    "welcome": "Write a welcome note for this customer record: {record}",
    "dunning": "Write a polite payment reminder for this customer record: {record}",
    "renewal": "Write a renewal offer for this customer record: {record}",
}


def complete(system: str, user: str) -> str:
    response = mistral.chat.complete(
        model=MODEL,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
    )
    return response.choices[0].message.content.strip()


@app.post("/admin/query")
def ask_database():
    sql = complete(SQL_SYSTEM, request.form["question"])
    try:
        # ruleid: AIS302
        rows = db.session.execute(text(sql)).mappings().all()
    except Exception as exc:  # surfaced to the operator, not swallowed
        return jsonify(error=str(exc), sql=sql), 400
    return jsonify(rows=[dict(row) for row in rows], sql=sql)


@app.get("/admin/users/search")
def search_users():
    name = complete("Extract the person's name from the request. Name only.", request.args.get("q", ""))
    # ok: AIS302
    exact = db.session.execute(text("SELECT id, name FROM users WHERE name = :name"), {"name": name}).all()
    # ruleid: AIS302
    fuzzy = db.session.execute(text(f"SELECT id, name FROM users WHERE name ILIKE '%{name}%' LIMIT 20")).all()
    return jsonify(exact=[list(r) for r in exact], fuzzy=[list(r) for r in fuzzy])


@app.get("/admin/users")
def list_users():
    order = complete("Which column should the user list be sorted by? One word.", request.args.get("hint", "newest"))
    if order not in SORTABLE:
        order = "created_at"
    # ok: AIS302
    rows = db.session.execute(text(f"SELECT id, name, email FROM users ORDER BY {order} LIMIT 100")).all()
    return render_template("users.html", rows=rows)


@app.get("/admin/report/<int:user_id>")
def user_report(user_id: int):
    # ok: AIS302
    invoices = db.session.execute(text("SELECT amount, status FROM invoices WHERE user_id = :u"), {"u": user_id}).all()
    report = complete("Write a short HTML account summary (a <ul> of findings).", repr([tuple(i) for i in invoices]))
    # ruleid: AIS303
    return render_template_string("<h1>Account {{ uid }}</h1><section>{{ body|safe }}</section>", uid=user_id, body=report)


@app.get("/admin/report/<int:user_id>/plain")
def user_report_plain(user_id: int):
    report = complete("Write a short account summary in plain sentences.", f"user {user_id}")
    # ok: AIS303
    return render_template_string("<h1>Account {{ uid }}</h1><p>{{ body }}</p>", uid=user_id, body=report)


@app.get("/admin/banner")
def banner():
    note = complete("Write a one-line maintenance banner for the admin console.", "tonight 22:00 UTC")
    # ok: AIS303
    safe_banner = Markup("<div class='banner'>%s</div>") % note
    # ruleid: AIS303
    rich_banner = Markup(f"<div class='banner rich'>{note}</div>")
    return render_template("banner.html", banner=safe_banner, rich=rich_banner, plain=escape(note))


@app.get("/admin/tagline")
def tagline():
    # ruleid: AIS303
    return complete("Write a witty tagline for the admin dashboard.", request.args.get("mood", "calm"))


@app.get("/admin/tagline.json")
def tagline_json():
    # ok: AIS303
    return jsonify(tagline=complete("Write a witty tagline for the admin dashboard.", "calm"))


@app.post("/admin/assistant")
def assistant():
    persona = request.form.get("persona", "")
    question = request.form["question"]
    # ruleid: AIS201
    answer = complete(SQL_SYSTEM + "\nAdditional operator guidance: " + persona, question)
    return jsonify(answer=answer)


@app.post("/admin/templates/preview")
def preview_template():
    # ruleid: AIS203
    template = PromptTemplate(template=request.form["template"], input_variables=["record"])
    record = db.session.execute(text("SELECT name, plan FROM users WHERE id = :i"), {"i": int(request.form["id"])}).one()
    return jsonify(preview=complete(SQL_SYSTEM, template.format(record=dict(record._mapping))))


@app.post("/admin/templates/render")
def render_saved_template():
    name = request.form["name"]
    if name not in SAVED_PROMPTS:
        abort(404)
    # ok: AIS203
    template = PromptTemplate.from_template(SAVED_PROMPTS[name])
    return jsonify(prompt=template.format(record="{}"))
