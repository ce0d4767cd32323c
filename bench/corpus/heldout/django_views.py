# Held-out corpus. Semgrep-style annotations: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
"""Django views for a CRM assistant built on LangChain chat models."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from .models import Customer, Note

llm = ChatOpenAI(model="gpt-4o-mini")


def account_brief(request, customer_id):
    tone = request.POST.get("tone", "neutral")
    # ruleid: AIS201
    reply = llm.invoke([SystemMessage(content=f"You brief sales reps. Use a {tone} tone."), HumanMessage(content="Brief me.")])
    # ruleid: AIS303
    return HttpResponse(mark_safe(reply.content))


def account_brief_escaped(request, customer_id):
    # ok: AIS201
    reply = llm.invoke([SystemMessage(content="You brief sales reps."), HumanMessage(content=request.POST["question"])])
    # ok: AIS303
    return HttpResponse(format_html("<div>{}</div>", reply.content))


def notes_digest(request, customer_id):
    notes = Note.objects.filter(customer_id=customer_id).values_list("body", flat=True)
    joined = "\n".join(notes)
    # ruleid: AIS204
    reply = llm.invoke([SystemMessage(content="Notes written by the team:\n" + joined), HumanMessage(content=request.GET["q"])])
    # ok: AIS303
    return HttpResponse(escape(reply.content))


def search_customers(request):
    question = request.GET["q"]
    reply = llm.invoke([SystemMessage(content="Translate the request into a SQL WHERE clause for table crm_customer."), HumanMessage(content=question)])
    where = reply.content
    # ruleid: AIS302
    rows = Customer.objects.raw("SELECT * FROM crm_customer WHERE " + where)
    return JsonResponse({"ids": [r.id for r in rows]})


def search_by_city(request):
    reply = llm.invoke([SystemMessage(content="Extract the city name only."), HumanMessage(content=request.GET["q"])])
    city = reply.content.strip()
    # ok: AIS302
    rows = Customer.objects.raw("SELECT * FROM crm_customer WHERE city = %s", [city])
    with connection.cursor() as cursor:
        # ok: AIS302
        cursor.execute("SELECT count(*) FROM crm_customer WHERE city = %s", [city])
        # ruleid: AIS302
        cursor.execute(f"SELECT count(*) FROM crm_customer WHERE city = '{city}'")
        count = cursor.fetchone()[0]
    return JsonResponse({"ids": [r.id for r in rows], "count": count})


def email_draft(request):
    topic = request.POST["topic"]
    # ruleid: AIS202
    reply = llm.invoke("You are a marketing copywriter. Write a short HTML email about: " + topic)
    # ruleid: AIS303
    return HttpResponse(reply.content)


def email_draft_plain(request):
    # ok: AIS202
    reply = llm.invoke([HumanMessage(content=request.POST["topic"])])
    # ok: AIS303
    return JsonResponse({"draft": reply.content})
