"""Helpdesk triage views (Django + Anthropic): classify, summarise and search tickets."""

from __future__ import annotations

import json
import re

import anthropic
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from .models import Comment, Ticket

client = anthropic.Anthropic(api_key=settings.ANTHROPIC_API_KEY)
MODEL = getattr(settings, "TRIAGE_MODEL", "claude-sonnet-4-20250514")

TRIAGE_SYSTEM = (
    "You triage helpdesk tickets. Answer with JSON: "
    '{"category": one of billing|outage|account|other, "priority": 1-4, "summary": str}'
)
CATEGORIES = ("billing", "outage", "account", "other")
QUEUE_RE = re.compile(r"[a-z][a-z0-9_-]{1,30}")


def _text(message) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


@login_required
@require_POST
def triage(request: HttpRequest, ticket_id: int) -> JsonResponse:
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    # ok: AIS204
    message = client.messages.create(
        model=MODEL,
        max_tokens=400,
        system=TRIAGE_SYSTEM,
        messages=[{"role": "user", "content": ticket.body}],
    )
    data = json.loads(_text(message))
    category = data.get("category") if data.get("category") in CATEGORIES else "other"
    Ticket.objects.filter(pk=ticket.pk).update(category=category, priority=int(data.get("priority", 3)))
    return JsonResponse({"category": category})


@login_required
def summary(request: HttpRequest, ticket_id: int):
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    thread = "\n".join(f"{c.author_name}: {c.text}" for c in Comment.objects.filter(ticket=ticket))
    system = (
        "Summarise the ticket for the next agent. Conversation so far, oldest first:\n" + thread
    )
    # ruleid: AIS204
    message = client.messages.create(
        model=MODEL,
        max_tokens=600,
        system=system,
        messages=[{"role": "user", "content": "Write the hand-over summary as HTML bullet points."}],
    )
    summary_html = _text(message)
    # ruleid: AIS303
    return render(request, "helpdesk/summary.html", {"ticket": ticket, "summary": mark_safe(summary_html)})


@login_required
def summary_plain(request: HttpRequest, ticket_id: int):
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    last = Comment.objects.filter(ticket=ticket).order_by("-created").first()
    # ok: AIS204
    message = client.messages.create(
        model=MODEL,
        max_tokens=300,
        system="Summarise the customer's latest comment in one sentence.",
        messages=[{"role": "user", "content": last.text if last else ticket.body}],
    )
    line = _text(message)
    # ok: AIS303
    badge = format_html('<span class="summary">{}</span>', line)
    return render(request, "helpdesk/summary_plain.html", {"ticket": ticket, "badge": badge})


@login_required
@require_POST
def escalate(request: HttpRequest, ticket_id: int) -> JsonResponse:
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    reason = request.POST.get("reason", "")
    # ruleid: AIS201
    message = client.messages.create(
        model=MODEL,
        max_tokens=300,
        system=[
            {"type": "text", "text": TRIAGE_SYSTEM},
            {"type": "text", "text": f"The agent escalated this ticket because: {reason}"},
        ],
        messages=[{"role": "user", "content": ticket.body}],
    )
    return JsonResponse({"note": _text(message)})


@login_required
def search(request: HttpRequest) -> JsonResponse:
    question = request.GET.get("q", "")
    # ruleid: AIS202
    message = client.messages.create(
        model=MODEL,
        max_tokens=200,
        system="Translate helpdesk search questions into a SQL WHERE clause over tickets(category, priority, status, created).",
        messages=[{"role": "user", "content": f"Return only the WHERE clause, no prose.\nQuestion: {question}"}],
    )
    where = _text(message).strip().rstrip(";")
    # ruleid: AIS302
    rows = Ticket.objects.raw(f"SELECT id, subject, status FROM helpdesk_ticket WHERE {where} LIMIT 50")
    return JsonResponse({"results": [{"id": t.id, "subject": t.subject} for t in rows]})


@login_required
def queue_stats(request: HttpRequest) -> JsonResponse:
    # ok: AIS202
    message = client.messages.create(
        model=MODEL,
        max_tokens=50,
        system="Pick the queue most likely to be overloaded this week. Reply with its name only.",
        messages=[{"role": "user", "content": request.GET.get("context", "")}],
    )
    queue = _text(message).strip()
    if not QUEUE_RE.fullmatch(queue):
        return JsonResponse({"error": "bad queue"}, status=502)
    with connection.cursor() as cursor:
        # ok: AIS302
        cursor.execute(
            "SELECT status, COUNT(*) FROM helpdesk_ticket WHERE queue = %s GROUP BY status", [queue]
        )
        counts = dict(cursor.fetchall())
    return JsonResponse({"queue": queue, "counts": counts})
