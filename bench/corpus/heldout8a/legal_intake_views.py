"""Law-firm intake assistant: DRF endpoints backed by LangChain chat models (Django)."""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.views import View
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_openai import ChatOpenAI
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import IntakeCase, Matter

PRACTICE_AREAS = ("employment", "tenancy", "immigration", "family")
INTAKE_SYSTEM = (
    "You are an intake paralegal. Classify the enquiry, list missing facts, and never give legal "
    "advice. Reply in plain English."
)


def chat_model() -> ChatOpenAI:
    return ChatOpenAI(model=settings.INTAKE_MODEL, temperature=0)


class EnquirySerializer(serializers.Serializer):
    client_name = serializers.CharField(max_length=120)
    practice_area = serializers.CharField(max_length=40)
    narrative = serializers.CharField()
    urgency_days = serializers.IntegerField(min_value=0, max_value=365)


class IntakeView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        ser = EnquirySerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        system = (
            f"{INTAKE_SYSTEM}\nThe enquiry is about {data['practice_area']} law "
            f"for client {data['client_name']}."
        )
        # ruleid: AIS201
        messages = [SystemMessage(content=system), HumanMessage(content=data["narrative"])]
        reply = chat_model().invoke(messages)
        return Response({"triage": reply.content})


class UrgencyView(APIView):
    def post(self, request):
        days = int(request.data.get("urgency_days", 30))
        area = request.data.get("practice_area", "")
        if area not in PRACTICE_AREAS:
            return Response({"error": "unknown area"}, status=status.HTTP_400_BAD_REQUEST)
        # ok: AIS201, AIS202
        messages = [
            SystemMessage(content=f"{INTAKE_SYSTEM}\nArea: {area}. Deadline in {days} days."),
            HumanMessage(content=request.data.get("narrative", "")),
        ]
        reply = chat_model().invoke(messages)
        return Response({"triage": reply.content})


class ConflictCheckView(APIView):
    """Drafts the conflict-check memo; the opposing party name goes into the instruction text."""

    def post(self, request):
        opposing = request.data["opposing_party"]
        ask = (
            "Write a conflict-of-interest memo for a new matter. List every way our firm could "
            "be conflicted with the opposing party named " + opposing + ". Use headings."
        )
        # ruleid: AIS202
        memo = chat_model().invoke([SystemMessage(content=INTAKE_SYSTEM), HumanMessage(content=ask)])
        return Response({"memo": memo.content})


class CustomLetterView(APIView):
    """Partners can paste their own engagement-letter prompt with {client} and {matter} slots."""

    def post(self, request):
        raw_template = request.data["template"]
        # ruleid: AIS203
        prompt = PromptTemplate.from_template(raw_template)
        chain = prompt | chat_model() | StrOutputParser()
        letter = chain.invoke({"client": request.user.get_full_name(), "matter": "new matter"})
        return Response({"letter": letter})


class StandardLetterView(APIView):
    def post(self, request):
        # ok: AIS203
        prompt = ChatPromptTemplate.from_messages(
            [("system", INTAKE_SYSTEM), ("human", "Draft an engagement letter for this matter:\n{facts}")]
        )
        chain = prompt | chat_model() | StrOutputParser()
        facts = json.dumps({"facts": request.data.get("facts", "")})
        # ok: AIS202
        letter = chain.invoke({"facts": facts})
        return Response({"letter": letter})


class MatterSearchView(APIView):
    """Natural-language search over matters: the model writes the WHERE clause."""

    def get(self, request):
        question = request.query_params.get("q", "")
        where = chat_model().invoke(
            [
                SystemMessage(content="Translate the question to a SQL WHERE clause over matters(title, area, opened)."),
                HumanMessage(content=question),
            ]
        ).content
        # ruleid: AIS302
        rows = Matter.objects.raw(f"SELECT * FROM legal_matter WHERE {where} LIMIT 50")
        return Response({"ids": [m.pk for m in rows]})

    def post(self, request):
        area = chat_model().invoke(
            [SystemMessage(content="Name the practice area of the question in one word."), HumanMessage(content=request.data["q"])]
        ).content.strip().lower()
        with connection.cursor() as cur:
            # ok: AIS302
            cur.execute("SELECT id FROM legal_matter WHERE area = %s LIMIT 50", [area])
            ids = [r[0] for r in cur.fetchall()]
        return Response({"ids": ids})


class CaseStrategyView(APIView):
    """Drafts a first-meeting agenda grounded in the documents the client uploaded earlier."""

    def post(self, request, case_id: uuid.UUID):
        case = get_object_or_404(IntakeCase, pk=case_id)
        excerpts = [doc.extracted_text[:3000] for doc in case.documents.all()[:5]]
        system = INTAKE_SYSTEM + "\nCase file excerpts:\n" + "\n---\n".join(excerpts)
        # ruleid: AIS204
        messages = [SystemMessage(content=system), HumanMessage(content="Draft a first-meeting agenda.")]
        agenda = chat_model().invoke(messages).content
        return Response({"agenda": agenda})


class DeadlineAuditView(APIView):
    def get(self, request):
        question = request.query_params.get("q", "")
        column = chat_model().invoke(
            [
                SystemMessage(content="Name the intake_case column that answers the question. One word."),
                HumanMessage(content=question),
            ]
        ).content.strip()
        with connection.cursor() as cur:
            # ruleid: AIS302
            cur.execute("SELECT id, %s FROM intake_case ORDER BY created_at DESC LIMIT 20" % column)
            rows = cur.fetchall()
        return Response({"rows": rows})


class CaseSummaryPage(View):
    """Server-rendered summary page for paralegals (not DRF)."""

    def get(self, request, case_id: uuid.UUID):
        case = get_object_or_404(IntakeCase, pk=case_id)
        summary = chat_model().invoke(
            [SystemMessage(content="Summarise the intake in three sentences."), HumanMessage(content=case.narrative)]
        ).content
        body = "<article><h1>Case summary</h1><p>" + summary + "</p></article>"
        # ruleid: AIS303
        return HttpResponse(mark_safe(body))


class CaseHeadlinePage(View):
    def get(self, request, case_id: uuid.UUID):
        case = get_object_or_404(IntakeCase, pk=case_id)
        headline = chat_model().invoke(
            [SystemMessage(content="Write a six-word headline for this intake."), HumanMessage(content=case.narrative)]
        ).content
        # ok: AIS303
        fragment = format_html("<h2 class='headline'>{}</h2>", headline)
        # ok: AIS303
        return HttpResponse(fragment + mark_safe("<hr>") + escape(case.client_name))


class CaseTimelinePage(View):
    def get(self, request, case_id: uuid.UUID):
        case = get_object_or_404(IntakeCase, pk=case_id)
        timeline = chat_model().invoke(
            [
                SystemMessage(content="Turn the narrative into an HTML <ol> timeline of dated events."),
                HumanMessage(content=case.narrative),
            ]
        ).content
        # ruleid: AIS303
        return render(request, "intake/timeline.html", {"case": case, "timeline": mark_safe(timeline)})
