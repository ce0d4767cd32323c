"""Hotel concierge views (Django + OpenAI Agents SDK): guest chat, itineraries, local events,
review digests, booking search and the HTML snippets used by the guest portal."""
import json

import markdown
import requests
from agents import Agent, Runner, function_tool
from langchain_core.prompts import PromptTemplate
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from .models import Booking, Hotel, Review

ROOM_TYPES = {"standard", "deluxe", "suite", "family"}
CONCIERGE_RULES = (
    "You are the hotel's digital concierge. Recommend only venues in the guest's city, never "
    "share other guests' data, and hand over to staff for payments or complaints."
)


sql_agent = Agent(
    name="Booking search",
    instructions=(
        "Translate the guest's request into a SQL WHERE clause over "
        "bookings(check_in, nights, room_type). Reply with the clause only."
    ),
    model="gpt-4.1-mini",
)
room_agent = Agent(
    name="Room type",
    instructions="Which room type does the guest mean? Reply standard, deluxe, suite or family.",
    model="gpt-4.1-mini",
)


@function_tool
def opening_hours(venue: str) -> str:
    """Look up today's opening hours for a venue in the partner directory."""
    resp = requests.get(f"{settings.PARTNER_API}/venues", params={"q": venue}, timeout=5)
    return resp.json().get("hours", "unknown")


def concierge(instructions: str) -> Agent:
    # ok: AIS201
    # ruleid: AIS204
    return Agent(name="Concierge", instructions=instructions, tools=[opening_hours], model="gpt-4.1-mini")


@require_POST
@login_required
def chat(request):
    guest_name = request.POST.get("guest_name", request.user.first_name)
    preferences = request.POST.get("preferences", "")
    # ruleid: AIS201
    agent = Agent(
        name="Concierge",
        instructions=f"{CONCIERGE_RULES}\nGuest: {guest_name}. Known preferences: {preferences}",
        tools=[opening_hours],
        model="gpt-4.1-mini",
    )
    result = Runner.run_sync(agent, request.POST["message"])
    return JsonResponse({"reply": result.final_output})


@require_POST
@login_required
def chat_room(request):
    room_type = request.POST.get("room_type", "standard")
    if room_type not in ROOM_TYPES:
        return HttpResponseBadRequest("unknown room type")
    nights = int(request.POST.get("nights", "1"))
    # ok: AIS201
    agent = concierge(f"{CONCIERGE_RULES}\nThe guest stays {nights} nights in a {room_type} room.")
    result = Runner.run_sync(agent, request.POST["message"])
    return JsonResponse({"reply": result.final_output})


@require_POST
@login_required
def itinerary(request):
    days = int(request.POST.get("days", "2"))
    interests = request.POST.get("interests", "food, museums")
    agent = concierge(CONCIERGE_RULES)
    # ruleid: AIS202
    result = Runner.run_sync(
        agent,
        f"Plan a {days}-day itinerary focused on {interests}. Include one rainy-day option "
        "and keep walking distances short.",
    )
    return JsonResponse({"itinerary": result.final_output})


@require_POST
@login_required
def itinerary_plain(request):
    agent = concierge(CONCIERGE_RULES + "\nPlan itineraries. Include one rainy-day option.")
    # ok: AIS202
    result = Runner.run_sync(agent, request.POST["request"])
    return JsonResponse({"itinerary": result.final_output})


@require_GET
def local_events(request, hotel_id: int):
    hotel = get_object_or_404(Hotel, pk=hotel_id)
    feed = requests.get(hotel.events_feed_url, timeout=10).text
    agent = concierge(CONCIERGE_RULES + "\nThis week's events from the city feed:\n" + feed[:20000])
    result = Runner.run_sync(agent, "What are the three best events for a couple this weekend?")
    return JsonResponse({"events": result.final_output})


@require_GET
def review_digest(request, hotel_id: int):
    hotel = get_object_or_404(Hotel, pk=hotel_id)
    reviews = Review.objects.filter(hotel=hotel).order_by("-created_at").values_list("text", flat=True)[:50]
    notes = "\n".join(f"- {r}" for r in reviews)
    # ruleid: AIS204
    digest_agent = Agent(
        name="Review digest",
        instructions="Summarise what guests praise and criticise. Recent reviews:\n" + notes,
        model="gpt-4.1-mini",
    )
    result = Runner.run_sync(digest_agent, "Write the digest for the hotel manager.")
    return JsonResponse({"digest": result.final_output})


@require_GET
def review_digest_v2(request, hotel_id: int):
    hotel = get_object_or_404(Hotel, pk=hotel_id)
    reviews = Review.objects.filter(hotel=hotel).order_by("-created_at").values_list("text", flat=True)[:50]
    digest_agent = Agent(
        name="Review digest",
        instructions="Summarise what guests praise and criticise in the reviews the user sends.",
        model="gpt-4.1-mini",
    )
    # ok: AIS204
    result = Runner.run_sync(digest_agent, "\n\n".join(reviews))
    return JsonResponse({"digest": result.final_output})


@require_POST
@login_required
def welcome_message(request):
    # ruleid: AIS203
    welcome = PromptTemplate.from_template(request.POST["template"], template_format="jinja2")
    hotel = get_object_or_404(Hotel, pk=int(request.POST["hotel_id"]))
    text = welcome.format(hotel=hotel.name, guest=request.user.first_name)
    return JsonResponse({"preview": text})


def _ask(question: str) -> str:
    return Runner.run_sync(concierge(CONCIERGE_RULES), question).final_output


@login_required
def tip_card(request):
    tip = _ask(request.GET.get("q", "What should I see today?"))
    # ruleid: AIS303
    return HttpResponse(markdown.markdown(tip))


@login_required
def tip_banner(request):
    tip = _ask("Give one short tip for today's weather.")
    # ruleid: AIS303
    banner = mark_safe(f"<div class='banner'>{tip}</div>")
    return render(request, "concierge/banner.html", {"banner": banner})


@login_required
def tip_banner_safe(request):
    tip = _ask("Give one short tip for today's weather.")
    # ok: AIS303
    banner = format_html("<div class='banner'>{}</div>", tip)
    return render(request, "concierge/banner.html", {"banner": banner})


@login_required
def tip_page(request):
    tip = _ask(request.GET.get("q", "What should I see today?"))
    # ok: AIS303
    return render(request, "concierge/tip.html", {"tip": tip})


@login_required
def booking_search(request):
    where = Runner.run_sync(sql_agent, request.GET.get("q", "")).final_output
    # ruleid: AIS302
    bookings = Booking.objects.raw(f"SELECT * FROM hotel_booking WHERE guest_id = %s AND ({where})", [request.user.id])
    return JsonResponse({"ids": [b.id for b in bookings]})


@login_required
def booking_by_room(request):
    room_type = Runner.run_sync(room_agent, request.GET.get("q", "")).final_output
    # ok: AIS302
    bookings = Booking.objects.filter(guest=request.user, room_type=room_type.strip().lower())
    return JsonResponse({"ids": list(bookings.values_list("id", flat=True))})
