"""Bottle app + pydantic-ai agent that extracts invoices from uploaded text and books them in SQLite."""

import os
import sqlite3
from decimal import Decimal

import bottle
from bottle import request, template
from pydantic import BaseModel
from pydantic_ai import Agent

DB_PATH = os.environ.get("INVOICE_DB", "invoices.db")
CURRENCIES = {"EUR", "USD", "GBP"}


class Invoice(BaseModel):
    vendor: str
    number: str
    total: Decimal
    currency: str
    category_sql: str = ""


extractor = Agent(
    "openai:gpt-4o",
    output_type=Invoice,
    system_prompt="Extract the invoice fields. category_sql is an SQL expression for the booking category.",
)
writer = Agent("openai:gpt-4o-mini", system_prompt="You write short, friendly notes to accountants.")


class Ledger:
    def __init__(self, path: str = DB_PATH):
        self.conn = sqlite3.connect(path)

    def book(self, invoice: Invoice) -> None:
        currency = invoice.currency if invoice.currency in CURRENCIES else "EUR"
        # ok: AIS302
        self.conn.execute(
            "INSERT INTO invoices (vendor, number, total, currency) VALUES (?, ?, ?, ?)",
            (invoice.vendor, invoice.number, str(invoice.total), currency),
        )
        self.conn.commit()

    def categorise(self, invoice: Invoice) -> None:
        # ruleid: AIS302
        self.conn.execute(f"UPDATE invoices SET category = {invoice.category_sql} WHERE number = '{invoice.number}'")
        self.conn.commit()

    def vendor_history(self, vendor: str) -> list[tuple]:
        # ruleid: AIS302
        return self.conn.execute("SELECT number, total FROM invoices WHERE vendor = '%s'" % vendor).fetchall()

    def recent_notes(self) -> str:
        rows = self.conn.execute("SELECT vendor, note FROM invoices ORDER BY id DESC LIMIT 10").fetchall()
        return "\n".join(f"{vendor}: {note}" for vendor, note in rows)


ledger = Ledger()


@bottle.post("/invoices")
def upload_invoice():
    upload = request.files.get("invoice")
    text = upload.file.read().decode("utf-8", errors="replace")
    # ok: AIS204
    result = extractor.run_sync(text)
    invoice = result.output
    ledger.book(invoice)
    ledger.categorise(invoice)
    return {"vendor": invoice.vendor, "history": ledger.vendor_history(invoice.vendor)}


@bottle.post("/invoices/guided")
def guided_invoice():
    hints = request.forms.get("hints", "")
    # ruleid: AIS201
    agent = Agent("openai:gpt-4o", output_type=Invoice, system_prompt=f"Extract the invoice fields. Reviewer hints: {hints}")
    invoice = agent.run_sync(request.forms.get("text", "")).output
    ledger.book(invoice)
    return {"number": invoice.number}


@bottle.get("/invoices/digest")
def digest():
    notes = ledger.recent_notes()
    # ruleid: AIS204
    agent = Agent("openai:gpt-4o-mini", instructions="Write a weekly digest. Accountant notes so far:\n" + notes)
    summary = agent.run_sync("Summarise this week's bookings.").output
    # ruleid: AIS303
    return template("<h1>Digest</h1><div>{{!summary}}</div>", summary=summary)


@bottle.get("/invoices/note")
def note():
    vendor = request.query.get("vendor", "")
    # ruleid: AIS202
    reply = writer.run_sync(f"Write a two-line note telling accounting that {vendor} sent a new invoice.")
    # ok: AIS303
    return template("<p>{{note}}</p>", note=reply.output)


@bottle.get("/invoices/total")
def total_for():
    limit = int(request.query.get("days", "30"))
    # ok: AIS202
    reply = writer.run_sync(f"Write one sentence announcing the invoice total for the last {limit} days.")
    return {"text": reply.output}


if __name__ == "__main__":
    bottle.run(port=int(os.environ.get("PORT", "8080")))
