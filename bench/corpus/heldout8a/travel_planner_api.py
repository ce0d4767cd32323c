"""Trip planning API: itinerary drafts with the OpenAI Responses API (FastAPI)."""

from __future__ import annotations

import html
import os
import uuid
from functools import lru_cache
from typing import Literal

import httpx
from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse, JSONResponse
from openai import OpenAI
from pydantic import BaseModel, Field

app = FastAPI(title="trip-planner")

PLANNER_INSTRUCTIONS = (
    "You are a travel planner. Produce a day-by-day itinerary with realistic travel times. "
    "Never invent opening hours; say 'check locally' instead."
)
TILE_ENDPOINTS = {
    "https://maps.googleapis.com/maps/api/staticmap",
    "https://api.mapbox.com/styles/v1/mapbox/streets-v12/static",
}


class TravellerProfile(BaseModel):
    name: str
    home_city: str
    interests: list[str] = Field(default_factory=list)
    travel_style: Literal["budget", "comfort", "luxury"] = "comfort"
    party_size: int = 1


class TripRequest(BaseModel):
    destination: str
    days: int = Field(ge=1, le=21)
    profile: TravellerProfile
    notes: str = ""


@lru_cache
def get_client() -> OpenAI:
    return OpenAI(api_key=os.environ["OPENAI_API_KEY"])


def model_name() -> str:
    return os.environ.get("PLANNER_MODEL", "gpt-4.1-mini")


def persona_for(profile: TravellerProfile) -> str:
    likes = ", ".join(profile.interests)
    return f"The traveller {profile.name} from {profile.home_city} enjoys {likes}."


@app.post("/trips/draft")
def draft_trip(body: TripRequest, client: OpenAI = Depends(get_client)):
    persona = persona_for(body.profile)
    instructions = PLANNER_INSTRUCTIONS + "\n" + persona
    # ruleid: AIS201
    response = client.responses.create(
        model=model_name(),
        instructions=instructions,
        input=body.notes or f"Plan {body.days} days.",
    )
    return {"itinerary": response.output_text}


@app.post("/trips/quick")
def quick_trip(body: TripRequest, client: OpenAI = Depends(get_client)):
    # days and party_size are int fields: pydantic has already converted them
    brief = f"Plan a {body.days}-day trip for {body.profile.party_size} people."
    # ok: AIS201
    response = client.responses.create(
        model=model_name(),
        instructions=PLANNER_INSTRUCTIONS + "\n" + brief,
        input=body.destination,
    )
    return {"itinerary": response.output_text}


@app.post("/trips/draft-with-advisory")
def draft_with_advisory(body: TripRequest, client: OpenAI = Depends(get_client)):
    advisory = httpx.get("https://travel-advisories.example/api/v1/global-summary", timeout=10).json()
    # ruleid: AIS204
    response = client.responses.create(
        model=model_name(),
        instructions=f"{PLANNER_INSTRUCTIONS}\nCurrent travel advisory: {advisory['summary']}",
        input=body.notes or f"Plan {body.days} days.",
    )
    return {"itinerary": response.output_text}


@app.get("/trips/ideas")
def trip_ideas(city: str = Query(..., max_length=80), client: OpenAI = Depends(get_client)):
    prompt = "List five lesser-known things to do in %s. Answer as a bulleted list." % city
    # ruleid: AIS202
    response = client.responses.create(model=model_name(), instructions=PLANNER_INSTRUCTIONS, input=prompt)
    return {"ideas": response.output_text}


@app.get("/trips/ask")
def trip_question(q: str, client: OpenAI = Depends(get_client)):
    # ok: AIS201, AIS202
    response = client.responses.create(model=model_name(), instructions=PLANNER_INSTRUCTIONS, input=q)
    return {"answer": response.output_text}


@app.get("/trips/{trip_id}/print", response_class=HTMLResponse)
def printable_itinerary(trip_id: uuid.UUID, destination: str, client: OpenAI = Depends(get_client)):
    response = client.responses.create(
        model=model_name(),
        instructions=PLANNER_INSTRUCTIONS + " Format the answer as an HTML fragment with <h2> per day.",
        input=[{"role": "user", "content": [{"type": "input_text", "text": destination}]}],
    )
    fragment = response.output_text
    page = f"<html><body><h1>Trip {trip_id}</h1>{fragment}</body></html>"
    # ruleid: AIS303
    return HTMLResponse(content=page)


@app.get("/trips/{trip_id}/summary", response_class=HTMLResponse)
def summary_card(trip_id: uuid.UUID, destination: str, client: OpenAI = Depends(get_client)):
    response = client.responses.create(model=model_name(), instructions=PLANNER_INSTRUCTIONS, input=destination)
    safe = html.escape(response.output_text)
    # ok: AIS303
    return HTMLResponse(f"<div class='card'><pre>{safe}</pre></div>")


class MapLookup:
    """Asks the model which map tile endpoint to use for a region, then fetches it."""

    def __init__(self, client: OpenAI):
        self.client = client
        self.last_url: str | None = None

    def choose_endpoint(self, region: str) -> None:
        result = self.client.responses.create(
            model=model_name(),
            instructions="Return only the URL of a static map image for the region, nothing else.",
            input=region,
        )
        self.last_url = result.output_text.strip()

    def fetch(self) -> bytes:
        # ruleid: AIS304
        reply = httpx.get(self.last_url, timeout=10)
        reply.raise_for_status()
        return reply.content

    def fetch_checked(self) -> bytes:
        if self.last_url not in TILE_ENDPOINTS:
            raise HTTPException(status_code=502, detail="model proposed an unknown map host")
        # ok: AIS304
        reply = httpx.get(self.last_url, timeout=10)
        return reply.content


@app.get("/maps/preview")
def map_preview(region: str, client: OpenAI = Depends(get_client)):
    lookup = MapLookup(client)
    lookup.choose_endpoint(region)
    data = lookup.fetch()
    return JSONResponse({"bytes": len(data)})


@app.get("/maps/safe-preview")
def safe_map_preview(region: str, client: OpenAI = Depends(get_client)):
    lookup = MapLookup(client)
    lookup.choose_endpoint(region)
    return JSONResponse({"bytes": len(lookup.fetch_checked())})
