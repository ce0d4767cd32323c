"""Contract review service: Django REST Framework views calling Together-hosted models."""
from __future__ import annotations

import os

from django.db import connection
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView
from together import Together

from .models import Clause, Contract

together = Together(api_key=os.environ["TOGETHER_API_KEY"])
MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
REVIEWER = "You are a contracts paralegal. Flag risky clauses; never give legal advice."
JURISDICTIONS = ("US-CA", "US-NY", "UK", "DE")


class ClauseReviewView(APIView):
    def post(self, request):
        clause = request.data["clause"]
        jurisdiction = request.data.get("jurisdiction", "US-CA")
        if jurisdiction not in JURISDICTIONS:
            return Response({"error": "unsupported jurisdiction"}, status=400)
        # ok: AIS201, AIS202
        resp = together.chat.completions.create(
            model=MODEL,
            messages=[
                {"role": "system", "content": f"{REVIEWER} Apply {jurisdiction} law."},
                {"role": "user", "content": clause},
            ],
        )
        return Response({"review": resp.choices[0].message.content})


class NegotiationView(APIView):
    def post(self, request):
        party = request.data.get("party", "the customer")
        goals = request.data.get("goals", [])
        instructions = "\n".join([REVIEWER, f"You negotiate on behalf of {party}.", *goals])
        # ruleid: AIS201
        resp = together.chat.completions.create(
            model=MODEL,
            messages=[
                {"role": "system", "content": instructions},
                {"role": "user", "content": request.data["draft"]},
            ],
        )
        return Response({"counter": resp.choices[0].message.content})


class ContractViewSet(viewsets.ViewSet):
    def retrieve(self, request, pk=None):
        contract = Contract.objects.get(pk=int(pk))
        # ruleid: AIS204
        resp = together.chat.completions.create(
            model=MODEL,
            messages=[
                {"role": "system", "content": REVIEWER + "\nContract under review:\n" + contract.body},
                {"role": "user", "content": "List the three riskiest clauses."},
            ],
        )
        return Response({"risks": resp.choices[0].message.content})

    @action(detail=True, methods=["post"])
    def explain(self, request, pk=None):
        contract_id = int(pk)
        question = request.query_params.get("q", "")
        # ok: AIS202
        resp = together.chat.completions.create(
            model=MODEL,
            messages=[
                {"role": "system", "content": REVIEWER},
                {"role": "user", "content": f"Contract #{contract_id}: what does clause 4 mean?"},
                {"role": "user", "content": question},
            ],
        )
        return Response({"answer": resp.choices[0].message.content})

    @action(detail=False, methods=["post"])
    def compare(self, request):
        left = request.data["left"]
        right = request.data["right"]
        # ruleid: AIS202
        resp = together.completions.create(
            model=MODEL,
            prompt="Compare the two clauses and list differences.\nA: {}\nB: {}\nDifferences:".format(left, right),
        )
        return Response({"diff": resp.choices[0].text})


class ClauseMigrationView(APIView):
    """Admin tool: the model rewrites the clause table schema from a description."""

    def post(self, request):
        resp = together.chat.completions.create(
            model=MODEL,
            messages=[
                {"role": "system", "content": "Write SQLite DDL statements only."},
                {"role": "user", "content": request.data["change"]},
            ],
        )
        ddl = resp.choices[0].message.content
        with connection.cursor() as cursor:
            # ruleid: AIS302
            cursor.executescript(ddl)
        return Response({"ok": True})


class ClauseSearchView(APIView):
    def post(self, request):
        resp = together.chat.completions.create(
            model=MODEL,
            messages=[
                {"role": "system", "content": "Extract one search keyword from the question."},
                {"role": "user", "content": request.data["question"]},
            ],
        )
        keyword = resp.choices[0].message.content.strip()
        with connection.cursor() as cursor:
            # ok: AIS302
            cursor.execute("SELECT id, title FROM clauses WHERE title LIKE %s", [f"%{keyword}%"])
            rows = cursor.fetchall()
        # ruleid: AIS302
        matches = Clause.objects.raw("SELECT * FROM contracts_clause WHERE body LIKE '%%%s%%'" % keyword)
        return Response({"rows": rows, "matches": [c.pk for c in matches]})
