"""Sales-ops "ask your pipeline" feature: Django REST Framework views backed by LangChain.

Mounted under /api/insights/ in the CRM project (apps/insights/views.py).
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.generic import DetailView
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_openai import ChatOpenAI
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Account, Opportunity, SavedPrompt

log = logging.getLogger(__name__)

llm = ChatOpenAI(model=settings.INSIGHTS_MODEL, temperature=0)
SCHEMA_HINT = (
    "Tables: crm_opportunity(id, account_id, stage, amount, close_date, owner_id), "
    "crm_account(id, name, industry, region)."
)
SQL_SYSTEM = "You write a single read-only PostgreSQL SELECT statement. " + SCHEMA_HINT + " Output SQL only."
GROUPABLE_COLUMNS = {"stage", "region", "industry", "owner_id"}


def strip_fences(sql: str) -> str:
    return sql.strip().removeprefix("```sql").removeprefix("```").removesuffix("```").strip()


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=2000)
    analyst_persona = serializers.CharField(required=False, allow_blank=True)


class AskPipelineView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        ser = QuestionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        persona = ser.validated_data.get("analyst_persona") or "a concise revenue analyst"
        # ruleid: AIS201
        messages = [
            SystemMessage(content=f"You are {persona}. Answer questions about the sales pipeline."),
            HumanMessage(content=ser.validated_data["question"]),
        ]
        answer = llm.invoke(messages)
        return Response({"answer": answer.content})


class SqlInsightView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        question = request.data.get("question", "")
        # ok: AIS201, AIS202
        reply = llm.invoke([SystemMessage(content=SQL_SYSTEM), HumanMessage(content=question)])
        sql = strip_fences(reply.content)
        log.info("insight sql: %s", sql)
        # ruleid: AIS302
        rows = list(Opportunity.objects.raw(sql))
        return Response({"ids": [r.pk for r in rows]})


class BreakdownView(APIView):
    """Lets the model pick the grouping column for a chart, then runs a fixed aggregate."""

    permission_classes = [IsAuthenticated]

    def post(self, request):
        chain = (
            ChatPromptTemplate.from_messages(
                [("system", "Pick the single best column to group by from: stage, region, industry, owner_id. "
                            "Reply with the column name only."),
                 ("human", "{question}")]
            )
            | llm
            | StrOutputParser()
        )
        column = chain.invoke({"question": request.data["question"]}).strip().lower()
        if column not in GROUPABLE_COLUMNS:
            return Response({"error": "could not pick a column"}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        with connection.cursor() as cur:
            # ok: AIS302
            cur.execute(
                f"SELECT {column}, SUM(amount) FROM crm_opportunity o JOIN crm_account a ON a.id = o.account_id "
                f"GROUP BY {column} ORDER BY 2 DESC"
            )
            data = cur.fetchall()
        return Response({"column": column, "data": data})


class ForecastSqlView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        reply = llm.invoke([SystemMessage(content=SQL_SYSTEM), HumanMessage(content=request.data["question"])])
        sql = strip_fences(reply.content)
        with connection.cursor() as cur:
            # ruleid: AIS302
            cur.execute(sql)
            columns = [c[0] for c in cur.description]
            rows = cur.fetchall()
        return Response({"columns": columns, "rows": rows})


class AccountLookupView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        reply = llm.invoke(
            [SystemMessage(content="Extract the company name from the request. Reply with the name only."),
             HumanMessage(content=request.data["text"])]
        )
        with connection.cursor() as cur:
            # ok: AIS302
            cur.execute("SELECT id, name, region FROM crm_account WHERE name ILIKE %s LIMIT 10", [f"%{reply.content.strip()}%"])
            matches = cur.fetchall()
        return Response({"matches": matches})


class SavedPromptRunView(APIView):
    """Analysts save their own prompt templates and run them against an account."""

    permission_classes = [IsAuthenticated]

    def post(self, request):
        template_text = request.data["template"]
        account = get_object_or_404(Account, pk=int(request.data["account_id"]))
        # ruleid: AIS203
        prompt = PromptTemplate.from_template(template_text)
        answer = (prompt | llm | StrOutputParser()).invoke({"account": account.name, "region": account.region})
        SavedPrompt.objects.create(owner=request.user, template=template_text)
        return Response({"answer": answer})


class StandardBriefView(APIView):
    permission_classes = [IsAuthenticated]
    BRIEF_TEMPLATE = "Write a five-bullet account brief. Account name: {account}. Region: {region}."

    def post(self, request):
        account = get_object_or_404(Account, pk=int(request.data["account_id"]))
        # ok: AIS203
        prompt = PromptTemplate.from_template(self.BRIEF_TEMPLATE)
        answer = (prompt | llm | StrOutputParser()).invoke({"account": account.name, "region": account.region})
        return Response({"answer": answer})


class AccountSummaryPage(DetailView):
    model = Account
    template_name = "insights/account_summary.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reply = llm.invoke(
            [SystemMessage(content="Summarise the account for a sales manager as a short HTML fragment using <p> and <ul>."),
             HumanMessage(content=f"{self.object.name} ({self.object.industry}, {self.object.region})")]
        )
        # ruleid: AIS303
        context["summary_html"] = mark_safe(reply.content)
        return context


def account_headline(request: HttpRequest, pk: int):
    account = get_object_or_404(Account, pk=pk)
    reply = llm.invoke([SystemMessage(content="Write one headline about this account."), HumanMessage(content=account.name)])
    # ok: AIS303
    headline = format_html("<h2 class='headline'>{}</h2>", reply.content)
    return render(request, "insights/headline.html", {"headline": headline})
