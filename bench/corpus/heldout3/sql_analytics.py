"""Ask-your-data views for the analytics dashboard (Django app `insights`, LiteLLM router).

Analysts type a question; the model writes SQL against the reporting replica and explains it.
"""

from __future__ import annotations

import re

import litellm
import pandas as pd
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from langchain_core.prompts import PromptTemplate

from .models import Order

SCHEMA = """orders(id int, customer_id int, total numeric, created_at timestamptz, region text)
customers(id int, name text, segment text)"""
ALLOWED_TABLES = {"orders", "customers"}
DIALECTS = {"postgres": "PostgreSQL 16", "duckdb": "DuckDB 1.1"}
SQL_SYSTEM = "You translate analytics questions into one read-only SQL query. Reply with SQL only."
EXPLAIN_SYSTEM = "Explain SQL queries to business users in two short sentences."
FENCE = re.compile(r"^```(?:sql)?\s*|\s*```$")


def _strip_fences(text: str) -> str:
    return FENCE.sub("", text.strip())


def _explain(sql: str) -> str:
    response = litellm.completion(
        model=settings.INSIGHTS_MODEL,
        messages=[{"role": "system", "content": EXPLAIN_SYSTEM}, {"role": "user", "content": sql}],
    )
    return response.choices[0].message.content


@require_POST
def ask(request: HttpRequest) -> JsonResponse:
    question = request.POST.get("question", "")
    dialect = request.POST.get("dialect", "postgres")
    if dialect not in DIALECTS:
        return HttpResponseBadRequest("unknown dialect")
    # ruleid: AIS202
    # ok: AIS201
    response = litellm.completion(
        model=settings.INSIGHTS_MODEL,
        messages=[
            {"role": "system", "content": f"{SQL_SYSTEM} Target: {DIALECTS[dialect]}. Schema:\n{SCHEMA}"},
            {"role": "user", "content": "Write a query that answers this question: %s" % question},
        ],
        temperature=0,
    )
    sql = _strip_fences(response.choices[0].message.content)
    with connection.cursor() as cursor:
        # ruleid: AIS302
        cursor.execute(sql)
        columns = [col[0] for col in cursor.description]
        rows = [dict(zip(columns, row)) for row in cursor.fetchall()]
        # ok: AIS302
        cursor.execute(
            "INSERT INTO insights_querylog (question, generated_sql) VALUES (%s, %s)", [question, sql]
        )
    return JsonResponse({"sql": sql, "rows": rows[:500]})


@require_GET
def ask_for_audience(request: HttpRequest) -> JsonResponse:
    audience = request.GET.get("audience", "finance team")
    question = request.GET.get("q", "")
    # ruleid: AIS201
    response = litellm.completion(
        model=settings.INSIGHTS_MODEL,
        messages=[
            {"role": "system", "content": SQL_SYSTEM + " The results are read by the " + audience + "."},
            {"role": "user", "content": question},
        ],
    )
    sql = _strip_fences(response.choices[0].message.content)
    # ruleid: AIS302
    orders = list(Order.objects.raw(sql)[:200])
    return JsonResponse({"sql": sql, "ids": [o.pk for o in orders]})


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    question = request.GET.get("q", "")
    # ok: AIS202
    response = litellm.completion(
        model=settings.INSIGHTS_MODEL,
        messages=[{"role": "system", "content": SQL_SYSTEM}, {"role": "user", "content": question}],
    )
    sql = _strip_fences(response.choices[0].message.content)
    # ruleid: AIS302
    frame = pd.read_sql(sql, connection)
    out = HttpResponse(content_type="text/csv")
    out["Content-Disposition"] = 'attachment; filename="export.csv"'
    frame.to_csv(out, index=False)
    return out


@require_GET
def table_size(request: HttpRequest) -> JsonResponse:
    question = request.GET.get("q", "")
    response = litellm.completion(
        model=settings.INSIGHTS_MODEL,
        messages=[
            {"role": "system", "content": f"Name the one table from {sorted(ALLOWED_TABLES)} the user means."},
            {"role": "user", "content": question},
        ],
    )
    table = response.choices[0].message.content.strip().lower()
    if table not in ALLOWED_TABLES:
        return JsonResponse({"error": "could not pick a table"}, status=400)
    limit = int(request.GET.get("limit", "1000"))
    with connection.cursor() as cursor:
        # ok: AIS302
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {limit}) AS t")
        (count,) = cursor.fetchone()
    return JsonResponse({"table": table, "count": count})


def explain_page(request: HttpRequest) -> HttpResponse:
    sql = request.session.get("last_sql", "SELECT 1")
    explanation = _explain(sql)
    # ruleid: AIS303
    rich = mark_safe(f"<p class='explain'>{explanation}</p>")
    # ok: AIS303
    plain = format_html("<p class='explain'>{}</p>", explanation)
    return render(request, "insights/explain.html", {"explanation": rich, "explanation_plain": plain})


@require_POST
def custom_prompt(request: HttpRequest) -> JsonResponse:
    # ruleid: AIS203
    template = PromptTemplate.from_template(request.POST["template"], template_format="jinja2")
    return JsonResponse({"variables": template.input_variables})


def default_prompt(request: HttpRequest) -> JsonResponse:
    # ok: AIS203
    template = PromptTemplate.from_template(settings.INSIGHTS_PROMPT_TEMPLATE)
    return JsonResponse({"variables": template.input_variables})
