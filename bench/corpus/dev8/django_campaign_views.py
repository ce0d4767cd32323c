"""Campaign assistant for the marketing site (Django + DRF, LiteLLM behind a proxy)."""

import json

import litellm
from django import forms
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.views.generic import FormView, TemplateView
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

MODEL = "openai/gpt-4o-mini"
CHANNELS = ("email", "sms", "push")
SYSTEM = "You write marketing copy for ACME. Never promise discounts."


def complete(messages: list) -> str:
    # ok: AIS201, AIS202
    resp = litellm.completion(model=MODEL, messages=messages, temperature=0.7)
    return resp.choices[0].message.content


class BriefForm(forms.Form):
    product = forms.CharField(max_length=120)
    audience = forms.CharField(max_length=200)
    channel = forms.ChoiceField(choices=[(c, c) for c in CHANNELS])


class BriefView(FormView):
    form_class = BriefForm
    template_name = "campaigns/brief.html"

    def form_valid(self, form):
        data = form.cleaned_data
        # ruleid: AIS201
        resp = litellm.completion(
            model=MODEL,
            messages=[
                {"role": "system", "content": SYSTEM + f" Write for this audience: {data['audience']}."},
                {"role": "user", "content": f"Product: {data['product']}"},
            ],
        )
        copy = resp.choices[0].message.content
        # ruleid: AIS303
        return HttpResponse(f"<section class='copy'>{copy}</section>")


class TaglineSerializer(serializers.Serializer):
    product = serializers.CharField(max_length=120)
    channel = serializers.ChoiceField(choices=CHANNELS)
    notes = serializers.CharField(required=False, allow_blank=True)


class TaglineView(APIView):
    def post(self, request):
        ser = TaglineSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        text = complete(
            [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": data["product"]},
            ]
        )
        # ruleid: AIS202
        resp = litellm.completion(
            model=MODEL,
            messages=[{"role": "user", "content": "Write three taglines for the product below and follow these notes: " + data.get("notes", "")}],
        )
        return Response({"copy": text, "taglines": resp.choices[0].message.content})


class SegmentView(APIView):
    def get(self, request):
        goal = request.query_params.get("goal", "")
        sql = complete(
            [
                {"role": "system", "content": "Write one PostgreSQL SELECT over customers(id, country, plan, spend). SQL only."},
                {"role": "user", "content": goal},
            ]
        )
        with connection.cursor() as cursor:
            # ruleid: AIS302
            cursor.execute(f"SELECT id FROM ({sql.strip().rstrip(';')}) AS segment LIMIT 500")
            ids = [row[0] for row in cursor.fetchall()]
        label = complete([{"role": "system", "content": SYSTEM}, {"role": "user", "content": goal}])
        with connection.cursor() as cursor:
            # ok: AIS302
            cursor.execute("INSERT INTO segments(label, size) VALUES (%s, %s)", [label, len(ids)])
        return Response({"count": len(ids)})


class CampaignSerializer(serializers.Serializer):
    name = serializers.CharField()
    summary = serializers.CharField(read_only=True)


class CampaignCreate(generics.CreateAPIView):
    serializer_class = CampaignSerializer

    def perform_create(self, serializer):
        name = serializer.validated_data["name"]
        summary = complete([{"role": "system", "content": SYSTEM}, {"role": "user", "content": name}])
        serializer.save(summary=summary)


class PreviewView(TemplateView):
    template_name = "campaigns/preview.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        product = self.request.GET.get("product", "")
        copy = complete([{"role": "system", "content": SYSTEM}, {"role": "user", "content": product}])
        # ruleid: AIS303
        ctx["copy_html"] = mark_safe(copy)
        # ok: AIS303
        ctx["copy_card"] = format_html("<div class='card'>{}</div>", copy)
        # ruleid: AIS303
        ctx["copy_banner"] = format_html("<div class='banner'>" + copy + "</div>")
        # ok: AIS303
        ctx["copy_escaped"] = mark_safe("<p>" + escape(copy) + "</p>")
        return ctx


def export_json(request):
    product = request.GET.get("product", "")
    copy = complete([{"role": "system", "content": SYSTEM}, {"role": "user", "content": product}])
    # ok: AIS303
    return JsonResponse({"copy": copy})


def export_settings(request):
    product = request.GET.get("product", "")
    spec = complete([{"role": "system", "content": "Reply with a JSON object of email settings."}, {"role": "user", "content": product}])
    settings = json.loads(spec)
    # ok: AIS303
    return HttpResponse(json.dumps(settings), content_type="application/json")
