"""HR policy assistant for the intranet (apps/policies/views.py).

Django class-based views; answers come from Cohere with the policy handbook as grounding documents.
"""
from __future__ import annotations

import markdown
import cohere
from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic.edit import FormView

from .models import Policy, PolicyQuestionLog

co = cohere.ClientV2(api_key=settings.COHERE_API_KEY)
co_v1 = cohere.Client(api_key=settings.COHERE_API_KEY)
MODEL = "command-r-plus-08-2024"

HR_PREAMBLE = (
    "You are the HR policy assistant for Acme GmbH. Answer only from the provided policy documents, "
    "cite the policy title, and tell the employee to contact HR when the documents do not cover the question."
)
LANGUAGES = {"en": "English", "de": "German", "fr": "French"}


class PolicyQuestionForm(forms.Form):
    question = forms.CharField(widget=forms.Textarea, max_length=3000)
    team_context = forms.CharField(required=False, max_length=500, help_text="Anything HR should know about your team")


def policy_documents(question: str, limit: int = 8) -> list[dict]:
    hits = Policy.objects.search(question)[:limit]
    return [{"id": str(p.pk), "data": {"title": p.title, "snippet": p.body[:2000]}} for p in hits]


def render_answer(text: str) -> str:
    html = markdown.markdown(text, extensions=["tables"])
    # ruleid: AIS303
    return mark_safe(html)


class AskPolicyView(LoginRequiredMixin, FormView):
    template_name = "policies/ask.html"
    form_class = PolicyQuestionForm

    def form_valid(self, form):
        question = form.cleaned_data["question"]
        docs = policy_documents(question)
        # ok: AIS201, AIS204
        response = co.chat(
            model=MODEL,
            messages=[{"role": "system", "content": HR_PREAMBLE}, {"role": "user", "content": question}],
            documents=docs,
        )
        answer = response.message.content[0].text
        PolicyQuestionLog.objects.create(user=self.request.user, question=question, answer=answer)
        # ok: AIS303
        return render(self.request, self.template_name, {"form": form, "answer": answer})


class AskWithTeamContextView(LoginRequiredMixin, FormView):
    template_name = "policies/ask.html"
    form_class = PolicyQuestionForm

    def form_valid(self, form):
        team = form.cleaned_data.get("team_context", "")
        # ruleid: AIS201
        response = co_v1.chat(
            model=MODEL,
            message=form.cleaned_data["question"],
            preamble=f"{HR_PREAMBLE}\nContext about the employee's team: {team}",
            documents=[d["data"] for d in policy_documents(form.cleaned_data["question"])],
        )
        answer_html = render_answer(response.text)
        return render(self.request, self.template_name, {"form": form, "answer_html": answer_html})


class TranslatedAnswerView(LoginRequiredMixin, View):
    def get(self, request):
        lang = request.GET.get("lang", "en")
        if lang not in LANGUAGES:
            return HttpResponseBadRequest("unsupported language")
        question = request.GET.get("q", "")
        # ok: AIS201
        response = co.chat(
            model=MODEL,
            messages=[
                {"role": "system", "content": f"{HR_PREAMBLE} Always answer in {LANGUAGES[lang]} ({lang})."},
                {"role": "user", "content": question},
            ],
            documents=policy_documents(question),
        )
        return JsonResponse({"answer": response.message.content[0].text})


class InlinedPolicyView(LoginRequiredMixin, View):
    """Older endpoint kept for the mobile app: puts the policies straight into the system message."""

    def post(self, request):
        question = request.POST["q"]
        policies = Policy.objects.filter(published=True).order_by("-updated_at")[:5]
        handbook = "\n\n".join(f"## {p.title}\n{p.body}" for p in policies)
        system = HR_PREAMBLE + "\n\nPolicies:\n" + handbook
        # ruleid: AIS204
        response = co.chat(model=MODEL, messages=[{"role": "system", "content": system}, {"role": "user", "content": question}])
        return JsonResponse({"answer": response.message.content[0].text})


@method_decorator(require_POST, name="dispatch")
class OfferLetterView(LoginRequiredMixin, View):
    def post(self, request):
        upload = request.FILES["letter"]
        letter = upload.read().decode("utf-8", errors="replace")[:20000]
        # ruleid: AIS204
        response = co_v1.chat(
            model=MODEL,
            message="Which policies apply to the benefits in this offer letter?",
            preamble=HR_PREAMBLE + "\nThe employee's offer letter:\n" + letter,
        )
        # ok: AIS204
        followup = co.chat(
            model=MODEL,
            messages=[
                {"role": "system", "content": HR_PREAMBLE},
                {"role": "user", "content": "List the benefits mentioned in the attached letter."},
            ],
            documents=[{"id": "letter", "data": {"title": upload.name, "snippet": letter}}],
        )
        return JsonResponse({"answer": response.text, "benefits": followup.message.content[0].text})


class PolicyDigestView(LoginRequiredMixin, View):
    def get(self, request):
        latest = Policy.objects.filter(published=True).order_by("-updated_at")[:10]
        response = co.chat(
            model=MODEL,
            messages=[
                {"role": "system", "content": "Write a short digest of recent policy changes as Markdown."},
                {"role": "user", "content": "\n".join(p.title for p in latest)},
            ],
        )
        digest = response.message.content[0].text
        # ruleid: AIS303
        return render(request, "policies/digest.html", {"digest": mark_safe(markdown.markdown(digest))})


class PolicyFinderView(LoginRequiredMixin, View):
    """Lets the model turn a vague question into a WHERE clause over the policy table."""

    def get(self, request):
        response = co.chat(
            model=MODEL,
            messages=[
                {"role": "system", "content": "Return a PostgreSQL WHERE condition over policies_policy(title, category, body). "
                                              "Condition only."},
                {"role": "user", "content": request.GET.get("q", "")},
            ],
        )
        condition = response.message.content[0].text.strip()
        # ruleid: AIS302
        matches = Policy.objects.raw(f"SELECT * FROM policies_policy WHERE published AND ({condition}) LIMIT 20")
        return JsonResponse({"titles": [p.title for p in matches]})


class PolicyCategoryView(LoginRequiredMixin, View):
    def get(self, request):
        response = co.chat(
            model=MODEL,
            messages=[
                {"role": "system", "content": "Name the single policy category this question belongs to."},
                {"role": "user", "content": request.GET.get("q", "")},
            ],
        )
        category = response.message.content[0].text.strip().lower()
        # ok: AIS302
        matches = Policy.objects.raw("SELECT * FROM policies_policy WHERE category = %s LIMIT 20", [category])
        return JsonResponse({"category": category, "titles": [p.title for p in matches]})
