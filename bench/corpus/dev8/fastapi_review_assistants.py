"""Code-review assistants: one base class, one subclass per review flavour (FastAPI)."""

import os
import re
from pathlib import Path

from fastapi import FastAPI, Form, HTTPException
from openai import OpenAI

app = FastAPI()
client = OpenAI()
MODEL = "gpt-4.1"
UPLOAD_DIR = Path(os.environ.get("UPLOAD_DIR", "/var/lib/review/uploads"))
CHECKLISTS = Path(__file__).parent / "checklists"
NAME = re.compile(r"[A-Za-z0-9_.-]{1,80}")


class Reviewer:
    def __init__(self, diff: str):
        self.diff = diff

    def guidance(self) -> str:
        return "Review the diff for bugs. Be specific and brief."

    def run(self) -> str:
        # ruleid: AIS201
        resp = client.responses.create(model=MODEL, instructions=self.guidance(), input=self.diff)
        return resp.output_text


class SecurityReviewer(Reviewer):
    def guidance(self) -> str:
        return "Review the diff for security problems only (injection, authz, secrets)."


class CustomReviewer(Reviewer):
    def __init__(self, diff: str, focus: str):
        super().__init__(diff)
        self.focus = focus

    def guidance(self) -> str:
        return f"Review the diff. Focus on: {self.focus}"


@app.post("/review")
def review(diff: str = Form(...)):
    return {"review": Reviewer(diff).run()}


@app.post("/review/security")
def security_review(diff: str = Form(...)):
    return {"review": SecurityReviewer(diff).run()}


@app.post("/review/custom")
def custom_review(diff: str = Form(...), focus: str = Form(...)):
    return {"review": CustomReviewer(diff, focus).run()}


@app.post("/review/with-guide")
def review_with_guide(diff: str = Form(...), guide: str = Form(...)):
    if not NAME.fullmatch(guide):
        raise HTTPException(400, "bad guide name")
    text = (UPLOAD_DIR / guide).read_text()
    # ruleid: AIS204
    resp = client.responses.create(model=MODEL, instructions="Apply this team guide:\n" + text, input=diff)
    return {"review": resp.output_text}


@app.post("/review/with-checklist")
def review_with_checklist(diff: str = Form(...), checklist: str = Form(...)):
    if not NAME.fullmatch(checklist):
        raise HTTPException(400, "bad checklist name")
    text = (CHECKLISTS / f"{checklist}.md").read_text()
    # ok: AIS204
    resp = client.responses.create(model=MODEL, instructions="Apply this checklist:\n" + text, input=diff)
    return {"review": resp.output_text}


@app.post("/review/save")
def save_review(diff: str = Form(...)):
    review_text = Reviewer(diff).run()
    name = client.responses.create(model=MODEL, instructions="Reply with a file name for this review.", input=review_text).output_text
    # ruleid: AIS304
    (UPLOAD_DIR / name.strip()).write_text(review_text)
    if NAME.fullmatch(name.strip()):
        # ok: AIS304
        (UPLOAD_DIR / "reviews" / name.strip()).write_text(review_text)
    return {"saved": True}
