"""Nightly insurance-claims batch: Gemini on Vertex AI triages claims stored in Postgres."""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field

import sqlalchemy as sa
import vertexai
from google import genai
from google.genai import types
from vertexai.generative_models import GenerationConfig, GenerativeModel

vertexai.init(project="acme-claims", location="europe-west4")
engine = sa.create_engine("postgresql+psycopg://claims@db/claims")
TRIAGE_RULES = "You triage insurance claims into: fast-track, review, fraud-check. Answer in JSON."
QUEUES = {"fast-track", "review", "fraud-check"}


@dataclass
class Claim:
    id: int
    customer_note: str
    adjuster_note: str
    tags: list[str] = field(default_factory=list)


class Triage:
    def __init__(self, region: str, adjuster_guidance: str):
        self.region = region
        self.guidance = adjuster_guidance
        # ok: AIS201
        self.model = GenerativeModel("gemini-2.0-flash", system_instruction=[TRIAGE_RULES])

    def guided_model(self) -> GenerativeModel:
        # ruleid: AIS204
        return GenerativeModel("gemini-2.0-flash", system_instruction=[TRIAGE_RULES, self.guidance])

    def triage(self, claim: Claim) -> dict:
        # ok: AIS204
        resp = self.model.generate_content(
            claim.customer_note, generation_config=GenerationConfig(response_mime_type="application/json")
        )
        return json.loads(resp.text)

    def route(self, claim: Claim) -> None:
        verdict = self.triage(claim)
        queue = verdict.get("queue", "review")
        if queue not in QUEUES:
            queue = "review"
        with engine.begin() as conn:
            # ok: AIS302
            conn.execute(sa.text("UPDATE claims SET queue = :q WHERE id = :id"), {"q": queue, "id": claim.id})
            # ruleid: AIS302
            conn.execute(sa.text(f"UPDATE claims SET reason = '{verdict.get('reason', '')}' WHERE id = {claim.id}"))


def load_claims(limit: int) -> list[Claim]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, customer_note, adjuster_note FROM claims LIMIT :n"), {"n": limit})
        return [Claim(id=r.id, customer_note=r.customer_note, adjuster_note=r.adjuster_note) for r in rows]


def explain_with_genai(claim: Claim) -> str:
    client = genai.Client(vertexai=True, project="acme-claims", location="europe-west4")
    # ruleid: AIS204
    resp = client.models.generate_content(
        model="gemini-2.0-flash",
        contents="Explain the triage decision to the customer.",
        config=types.GenerateContentConfig(system_instruction=f"{TRIAGE_RULES}\nAdjuster said: {claim.adjuster_note}"),
    )
    return resp.text


def run_custom_check(claim: Claim) -> bool:
    model = GenerativeModel("gemini-2.0-flash")
    resp = model.generate_content(
        "Write a Python function `check(claim)` returning True when the claim looks duplicated. Code only."
    )
    namespace: dict = {}
    # ruleid: AIS301
    exec(compile(resp.text, "<generated-check>", "exec"), namespace)
    return bool(namespace["check"](claim))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=500)
    parser.add_argument("--region", default="EU")
    args = parser.parse_args()
    with engine.connect() as conn:
        guidance = conn.execute(sa.text("SELECT body FROM guidance WHERE region = :r"), {"r": args.region}).scalar_one()
    triage = Triage(args.region, guidance)
    for claim in load_claims(args.limit):
        triage.route(claim)
        print(explain_with_genai(claim))
        print(triage.guided_model().count_tokens("ping"))


if __name__ == "__main__":
    main()
