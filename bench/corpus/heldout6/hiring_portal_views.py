"""Hiring portal (Django): screening summaries and interview kits via the OpenAI Responses API."""
from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection, models
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from openai import OpenAI

client = OpenAI(api_key=settings.OPENAI_API_KEY)
SCREENING_INSTRUCTIONS = settings.HIRING_SCREENING_INSTRUCTIONS
LEVELS = {"junior", "mid", "senior", "staff"}


class Candidate(models.Model):
    name = models.CharField(max_length=200)
    resume_text = models.TextField()
    cover_letter = models.TextField(blank=True)
    role = models.CharField(max_length=100)

    class Meta:
        app_label = "hiring"


class Position(models.Model):
    title = models.CharField(max_length=200)
    rubric = models.TextField()
    hiring_manager_notes = models.TextField(blank=True)

    class Meta:
        app_label = "hiring"


@login_required
@require_POST
def screen_candidate(request, candidate_id: int):
    candidate = get_object_or_404(Candidate, pk=candidate_id)
    position = get_object_or_404(Position, title=candidate.role)
    # ruleid: AIS204
    response = client.responses.create(
        model="gpt-4.1",
        instructions=f"{SCREENING_INSTRUCTIONS}\nRubric:\n{position.rubric}\nCandidate cover letter:\n{candidate.cover_letter}",
        input=candidate.resume_text,
    )
    return JsonResponse({"summary": response.output_text})


@login_required
@require_POST
def screen_candidate_v2(request, candidate_id: int):
    candidate = get_object_or_404(Candidate, pk=candidate_id)
    # ok: AIS204
    response = client.responses.create(
        model="gpt-4.1",
        instructions=SCREENING_INSTRUCTIONS,
        input=[
            {"role": "user", "content": [{"type": "input_text", "text": candidate.resume_text}]},
        ],
    )
    return JsonResponse({"summary": response.output_text})


@login_required
@require_POST
def interview_kit(request):
    level = request.POST.get("level", "mid")
    focus = request.POST.get("focus_areas", "")
    if level not in LEVELS:
        return HttpResponse(status=400)
    # ruleid: AIS201
    response = client.responses.create(
        model="gpt-4.1-mini",
        instructions=f"Write interview questions for a {level} engineer. Emphasise: {focus}",
        input="Produce 8 questions with scoring notes.",
    )
    kit = response.output_text
    # ruleid: AIS303
    return render(request, "hiring/kit.html", {"kit": mark_safe(kit)})


@login_required
@require_POST
def interview_kit_level_only(request):
    level = request.POST.get("level", "mid")
    if level not in LEVELS:
        return HttpResponse(status=400)
    # ok: AIS201
    response = client.responses.create(
        model="gpt-4.1-mini",
        instructions=f"Write interview questions for a {level} engineer.",
        input=request.POST.get("extra_context", ""),
    )
    kit = response.output_text
    # ok: AIS303
    return HttpResponse(format_html("<section class='kit'>{}</section>", kit))


@login_required
def candidate_search(request):
    question = request.GET.get("q", "")
    response = client.responses.create(
        model="gpt-4.1-mini",
        instructions="Translate the recruiter's request into a SQL WHERE clause over hiring_candidate(name, role). Output SQL only.",
        input=question,
    )
    where_clause = response.output_text.strip()
    # ruleid: AIS302
    matches = Candidate.objects.raw(f"SELECT id, name, role FROM hiring_candidate WHERE {where_clause}")
    return JsonResponse({"ids": [c.pk for c in matches]})


@login_required
def candidate_by_role(request):
    response = client.responses.create(
        model="gpt-4.1-mini",
        instructions="Name the single job role the recruiter is asking about. Output only the role.",
        input=request.GET.get("q", ""),
    )
    role = response.output_text.strip()
    with connection.cursor() as cursor:
        # ok: AIS302
        cursor.execute("SELECT id, name FROM hiring_candidate WHERE role = %s", [role])
        rows = cursor.fetchall()
    return JsonResponse({"rows": rows})


@login_required
@require_POST
def manager_brief(request, position_id: int):
    position = get_object_or_404(Position, pk=position_id)
    notes = json.loads(request.body).get("notes", "")
    position.hiring_manager_notes = notes
    position.save(update_fields=["hiring_manager_notes"])
    brief = client.responses.create(
        model="gpt-4.1",
        instructions="Summarise the hiring manager's notes for recruiters as bullet points.",
        input=notes,
    ).output_text
    # ruleid: AIS303
    return HttpResponse(f"<h2>{position.title}</h2><div class='brief'>{brief}</div>")


@login_required
def position_faq(request, position_id: int):
    position = get_object_or_404(Position, pk=position_id)
    # ok: AIS204
    response = client.responses.create(
        model="gpt-4.1-mini",
        instructions="Answer candidate questions about this position politely and briefly.",
        input=position.rubric,
    )
    return JsonResponse({"faq": response.output_text})
