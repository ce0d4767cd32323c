"""Support inbox (Django): generic views, a ModelForm's cleaned_data, attachments, DB-backed macros."""

import os
import subprocess

from anthropic import Anthropic
from django import forms
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import DetailView, UpdateView

from .models import Macro, Ticket

client = Anthropic()
MODEL = "claude-sonnet-4-5"
SYSTEM = [{"type": "text", "text": "You are ACME's support assistant. Be accurate and kind.", "cache_control": {"type": "ephemeral"}}]
EXPORT_DIR = os.environ.get("EXPORT_DIR", "/var/exports")


class ReplyForm(forms.Form):
    instructions = forms.CharField(widget=forms.Textarea, required=False)
    attachment = forms.FileField(required=False)


class TicketDetail(DetailView):
    model = Ticket
    template_name = "inbox/ticket.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ticket = self.object
        # ok: AIS201, AIS204
        msg = client.messages.create(
            model=MODEL,
            max_tokens=500,
            system=SYSTEM,
            messages=[{"role": "user", "content": f"Summarise this ticket:\n{ticket.body}"}],
        )
        # ruleid: AIS303
        ctx["summary"] = mark_safe(msg.content[0].text)
        return ctx


class DraftReply(View):
    def post(self, request, pk):
        ticket = get_object_or_404(Ticket, pk=pk)
        form = ReplyForm(request.POST, request.FILES)
        if not form.is_valid():
            return JsonResponse(form.errors, status=400)
        extra = form.cleaned_data["instructions"]
        # ruleid: AIS201
        msg = client.messages.create(
            model=MODEL,
            max_tokens=800,
            system=[*SYSTEM, {"type": "text", "text": f"Agent instructions: {extra}"}],
            messages=[{"role": "user", "content": ticket.body}],
        )
        upload = form.cleaned_data.get("attachment")
        if upload is not None:
            notes = upload.read().decode("utf-8", errors="replace")
            # ruleid: AIS204
            msg = client.messages.create(
                model=MODEL,
                max_tokens=800,
                system=[*SYSTEM, {"type": "text", "text": "Context from the customer's attachment:\n" + notes}],
                messages=[{"role": "user", "content": ticket.body}],
            )
        return JsonResponse({"draft": msg.content[0].text})


class MacroForm(forms.ModelForm):
    class Meta:
        model = Macro
        fields = ["name", "template"]


class MacroUpdate(UpdateView):
    model = Macro
    form_class = MacroForm

    def form_valid(self, form):
        template = form.cleaned_data["template"]
        ticket = Ticket.objects.first()
        # ruleid: AIS202
        msg = client.messages.create(
            model=MODEL,
            max_tokens=300,
            messages=[{"role": "user", "content": f"Fill in this reply macro for the ticket below and follow its instructions exactly.\nMacro: {template}\nTicket: {ticket.body}"}],
        )
        form.instance.preview = msg.content[0].text
        return super().form_valid(form)


def apply_macro(request, pk):
    macro = get_object_or_404(Macro, pk=pk)
    # ruleid: AIS204
    msg = client.messages.create(
        model=MODEL,
        max_tokens=300,
        system=macro.template,
        messages=[{"role": "user", "content": request.POST.get("ticket_text", "")}],
    )
    # ok: AIS303
    return render(request, "inbox/macro.html", {"reply": msg.content[0].text})


def tag_tickets(request):
    msg = client.messages.create(
        model=MODEL,
        max_tokens=100,
        system="Reply with one tag name (lowercase letters only) for the ticket.",
        messages=[{"role": "user", "content": request.POST.get("ticket_text", "")}],
    )
    tag = msg.content[0].text.strip()
    with connection.cursor() as cur:
        # ruleid: AIS302
        cur.execute("UPDATE inbox_ticket SET tags = tags || '%s' WHERE id = %s" % (tag, int(request.POST["id"])))
        # ok: AIS302
        cur.execute("UPDATE inbox_ticket SET tags = tags || %s WHERE id = %s", [tag, int(request.POST["id"])])
    return JsonResponse({"tag": tag})


def export_ticket(request, pk):
    ticket = get_object_or_404(Ticket, pk=pk)
    msg = client.messages.create(model=MODEL, max_tokens=50, system="Reply with a short file name.", messages=[{"role": "user", "content": ticket.body}])
    name = msg.content[0].text.strip()
    # ruleid: AIS304
    with open(os.path.join(EXPORT_DIR, name), "w") as fh:
        fh.write(ticket.body)
    # ok: AIS304
    with open(os.path.join(EXPORT_DIR, f"ticket-{ticket.pk}.txt"), "w") as fh:
        fh.write(msg.content[0].text)
    # ruleid: AIS301
    subprocess.run(f"gzip {os.path.join(EXPORT_DIR, name)}", shell=True, check=False)
    # ok: AIS301
    subprocess.run(["gzip", os.path.join(EXPORT_DIR, f"ticket-{ticket.pk}.txt")], check=False)
    # ok: AIS303
    return HttpResponse(msg.content[0].text, content_type="text/plain")
