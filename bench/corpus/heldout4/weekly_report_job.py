"""Nightly job: asks an LLM for SQL, runs it with pandas/SQLAlchemy and writes HTML reports."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from markupsafe import Markup
from openai import OpenAI
from sqlalchemy import create_engine, text

ENGINE = create_engine(os.environ["REPORT_DB_URL"])
OUT_DIR = Path(os.environ.get("REPORT_OUT", "/srv/reports"))
client = OpenAI()
SCHEMA_HINT = "Tables: orders(id, region, total, created_at), refunds(order_id, amount, reason)."
REGIONS = ("emea", "apac", "amer")


@dataclass
class Section:
    title: str
    question: str
    rows: list[dict] = field(default_factory=list)
    commentary: str = ""


def complete(prompt: str, system: str = "You are a careful analytics assistant.") -> str:
    # ok: AIS201
    resp = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "system", "content": system}, {"role": "user", "content": prompt}],
    )
    return resp.choices[0].message.content or ""


def sql_for(question: str) -> str:
    return complete(f"{SCHEMA_HINT}\nWrite one PostgreSQL SELECT for: {question}\nOutput SQL only.").strip("` \n")


class ReportJob:
    def __init__(self, sections: list[Section]):
        self.sections = sections
        self.html_parts: list[str] = []

    def load(self, section: Section) -> None:
        query = sql_for(section.question)
        # ruleid: AIS302
        frame = pd.read_sql(query, ENGINE)
        section.rows = frame.head(50).to_dict(orient="records")

    def load_region(self, section: Section, region: str) -> None:
        if region not in REGIONS:
            return
        with ENGINE.connect() as conn:
            # ok: AIS302
            result = conn.execute(text("SELECT region, SUM(total) AS total FROM orders WHERE region = :r GROUP BY region"), {"r": region})
            section.rows = [dict(row._mapping) for row in result]

    def refund_filter(self, section: Section) -> None:
        clause = complete("Write a SQL WHERE clause (no WHERE keyword) selecting suspicious refunds.")
        with ENGINE.connect() as conn:
            # ruleid: AIS302
            result = conn.execute(text("SELECT order_id, amount, reason FROM refunds WHERE " + clause))
            section.rows = [dict(row._mapping) for row in result]

    def comment(self, section: Section) -> str:
        frame = pd.read_sql(text("SELECT region, SUM(total) AS total FROM orders GROUP BY region"), ENGINE)
        table = frame.to_string(index=False)
        # ruleid: AIS204
        resp = client.chat.completions.create(
            model="gpt-4o",
            messages=[
                {"role": "system", "content": "You write executive commentary. Data follows:\n" + table},
                {"role": "user", "content": f"Comment on the {section.title} table in three bullet points."},
            ],
        )
        return resp.choices[0].message.content or ""

    def render(self, title: str, commentary: str) -> None:
        # ok: AIS303
        self.html_parts.append(f"<h2>{html.escape(title)}</h2><p>{html.escape(commentary)}</p>")
        # ruleid: AIS303
        self.html_parts.append(str(Markup(f"<div class='notes'>{commentary}</div>")))

    def top_reason(self) -> str | None:
        reason = complete("Reply with one word: the most common refund reason category.").strip().lower()
        with ENGINE.connect() as conn:
            # ok: AIS302
            row = conn.execute(text("SELECT COUNT(*) FROM refunds WHERE reason = :reason"), {"reason": reason}).scalar()
        limit = int(complete("How many orders should the outlier table show? Reply with a number."))
        # ok: AIS302
        outliers = pd.read_sql(f"SELECT * FROM orders ORDER BY total DESC LIMIT {limit}", ENGINE)
        return f"{reason}: {row} refunds, {len(outliers)} outliers"

    def write(self, name: str) -> Path:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        target = OUT_DIR / f"{name}.html"
        # ok: AIS304
        target.write_text("<html><body>" + "".join(self.html_parts) + "</body></html>", encoding="utf-8")
        return target

    def archive_as(self) -> Path:
        name = complete("Suggest a short file name for this week's report.").strip()
        # ruleid: AIS304
        path = open(OUT_DIR / name, "w", encoding="utf-8")
        path.write("".join(self.html_parts))
        path.close()
        return OUT_DIR / name

    def run(self) -> Path:
        for section in self.sections:
            self.load(section)
            self.render(section.title, self.comment(section))
        return self.write("weekly")


if __name__ == "__main__":
    job = ReportJob([Section("Revenue", "weekly revenue per region"), Section("Refunds", "refunds by reason")])
    job.refund_filter(job.sections[1])
    print(job.run(), job.top_reason())
