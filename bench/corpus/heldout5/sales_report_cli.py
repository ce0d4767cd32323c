"""Weekly sales report generator: local model via Ollama, data in DuckDB/Parquet (argparse CLI)."""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import re
import sys
from pathlib import Path

import duckdb
import ollama
import pandas as pd

MODEL = os.environ.get("REPORT_MODEL", "llama3.1:8b")
DATA_DIR = Path(os.environ.get("SALES_DATA", "/data/sales"))
OUT_DIR = Path(os.environ.get("REPORT_OUT", "./reports"))
REGIONS = ("emea", "amer", "apac")

ANALYST = (
    "You are a sales analyst writing for regional managers. Use the numbers given, never invent data. "
    "Write short paragraphs."
)
SQL_HELPER = (
    "Write one DuckDB SQL query over the table sales(region, rep, product, amount, closed_at). "
    "Return only SQL."
)


class ReportBuilder:
    def __init__(self, region: str, week: dt.date, style: str | None) -> None:
        if region not in REGIONS:
            raise ValueError(f"unknown region {region!r}")
        self.region = region
        self.week = week
        self.style = style
        self.con = duckdb.connect()
        self.con.execute(
            "CREATE VIEW sales AS SELECT * FROM read_parquet(?)", [str(DATA_DIR / "*.parquet")]
        )

    def weekly_totals(self) -> pd.DataFrame:
        # ok: AIS302
        return self.con.execute(
            "SELECT rep, SUM(amount) AS total FROM sales WHERE region = ? AND closed_at >= ? GROUP BY rep",
            [self.region, self.week],
        ).df()

    def narrative(self, totals: pd.DataFrame) -> str:
        system = ANALYST
        if self.style:
            system += f"\nHouse style for this report: {self.style}"
        # ruleid: AIS201
        resp = ollama.chat(
            model=MODEL,
            messages=[
                {"role": "system", "content": system},
                {"role": "user", "content": totals.to_csv(index=False)},
            ],
        )
        return resp["message"]["content"]

    def answer(self, question: str) -> pd.DataFrame:
        # ok: AIS201, AIS202
        resp = ollama.generate(model=MODEL, system=SQL_HELPER, prompt=question)
        sql = resp["response"].strip().strip("`")
        # ruleid: AIS302
        return self.con.sql(sql).df()

    def forecast(self, totals: pd.DataFrame, horizon: int) -> float:
        prompt = (
            f"Given these weekly totals:\n{totals.to_csv(index=False)}\n"
            f"Write a Python expression using only numbers that estimates revenue {horizon} weeks ahead."
        )
        # ok: AIS202, AIS204
        resp = ollama.generate(model=MODEL, prompt=prompt, options={"temperature": 0})
        expr = resp["response"].strip()
        # ruleid: AIS301
        return float(eval(expr))

    def chart(self, totals: pd.DataFrame, path: Path) -> None:
        import matplotlib.pyplot as plt

        # ok: AIS202
        resp = ollama.generate(
            model=MODEL,
            prompt="Write matplotlib code that plots the DataFrame `df` (columns rep, total) as a bar chart. "
            "Only code, no fences.",
        )
        # ruleid: AIS301
        exec(resp["response"], {"df": totals, "plt": plt})
        plt.savefig(path)

    def previous_week(self) -> pd.DataFrame:
        files = sorted(p.name for p in DATA_DIR.glob("*.parquet"))
        resp = ollama.generate(
            model=MODEL, prompt="Which of these files holds last week's sales? Reply with the name.\n" + "\n".join(files)
        )
        # ruleid: AIS304
        return pd.read_parquet(DATA_DIR / resp["response"].strip())

    def targets(self) -> dict:
        # ok: AIS202
        resp = ollama.generate(
            model=MODEL,
            prompt=f"Return next quarter's targets for region {self.region} as a Python dict literal.",
        )
        # ok: AIS301
        return ast.literal_eval(resp["response"].strip())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--region", choices=REGIONS, required=True)
    parser.add_argument("--week", type=dt.date.fromisoformat, default=dt.date.today() - dt.timedelta(days=7))
    parser.add_argument("--style", help="free-text style note for the narrative")
    parser.add_argument("--horizon", type=int, default=4)
    parser.add_argument("--ask", help="ad-hoc question to answer with SQL")
    parser.add_argument("--focus", default="top performers", help="what the summary should emphasise")
    parser.add_argument("--out-name", help="file name for the report")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    builder = ReportBuilder(args.region, args.week, args.style)
    totals = builder.weekly_totals()
    parts = [f"# {args.region.upper()} week of {args.week:%Y-%m-%d}", builder.narrative(totals)]

    # ruleid: AIS202
    summary = ollama.generate(
        model=MODEL,
        prompt=f"Summarise the week for the regional manager, emphasising {args.focus}.\n\n{totals.to_csv(index=False)}",
    )
    parts.append(summary["response"])

    if args.ask:
        parts.append(builder.answer(args.ask).to_markdown())
    parts.append(f"Forecast ({args.horizon} weeks): {builder.forecast(totals, int(args.horizon)):.0f}")
    parts.append("Targets: " + json.dumps(builder.targets()))
    builder.chart(totals, OUT_DIR / f"{args.region}-chart.png")
    parts.append(f"Previous week rows: {len(builder.previous_week())}")

    name = args.out_name or f"{args.region}-{args.week:%Y%m%d}.md"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    # ok: AIS304
    (OUT_DIR / name).write_text("\n\n".join(parts))

    title = ollama.generate(model=MODEL, prompt="Suggest a short kebab-case slug for a weekly sales report.")
    slug = title["response"].strip()
    if re.fullmatch(r"[a-z0-9-]{3,60}", slug):
        # ok: AIS304
        (OUT_DIR / f"{slug}.md").write_text("\n\n".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
