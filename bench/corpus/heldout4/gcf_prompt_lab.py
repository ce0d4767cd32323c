"""Google Cloud Functions (functions-framework) prompt lab for the marketing team, on Vertex AI."""

import html
import os

import functions_framework
import vertexai
from flask import Request, jsonify
from google.cloud import firestore
from jinja2 import Template
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from markupsafe import Markup
from vertexai.generative_models import GenerativeModel

vertexai.init(project=os.environ["GCP_PROJECT"], location=os.environ.get("GCP_REGION", "europe-west4"))
db = firestore.Client()
BRAND_RULES = "You write copy for Northwind Outdoor. Never promise discounts."
base_model = GenerativeModel("gemini-1.5-flash", system_instruction=BRAND_RULES)
CHANNELS = {"email": "Write a 120-word email.", "tweet": "Write a tweet under 240 characters.", "banner": "Write a 6-word banner."}


def generate(prompt: str) -> str:
    # ok: AIS202
    return base_model.generate_content(prompt).text


@functions_framework.http
def copy_draft(request: Request):
    body = request.get_json(silent=True) or {}
    channel = body.get("channel", "email")
    count = int(body.get("count", 3))
    if channel not in CHANNELS:
        return jsonify(error="unknown channel"), 400
    # ok: AIS202
    draft = base_model.generate_content(f"{CHANNELS[channel]} Produce {count} variants about our tents.").text
    return jsonify(draft=draft)


@functions_framework.http
def copy_from_template(request: Request):
    template_text = request.args.get("template", "Describe {product} in one line.")
    # ruleid: AIS203
    prompt = PromptTemplate.from_template(template_text)
    return jsonify(prompt=prompt.format(product="trail shoes"))


@functions_framework.http
def copy_jinja(request: Request):
    body = request.get_json(silent=True) or {}
    # ruleid: AIS203
    prompt = Template(body.get("template", "")).render(product="tent", season="autumn")
    return jsonify(prompt=prompt)


@functions_framework.http
def copy_chat_template(request: Request):
    body = request.get_json(silent=True) or {}
    # ruleid: AIS203
    prompt = ChatPromptTemplate.from_template(body.get("template", ""))
    return jsonify(messages=[m.content for m in prompt.format_messages(product="tent")])


@functions_framework.http
def copy_with_persona(request: Request):
    persona = request.form.get("persona", "")
    # ruleid: AIS201
    model = GenerativeModel("gemini-1.5-pro", system_instruction=[BRAND_RULES, f"Write as {persona}."])
    return jsonify(draft=model.generate_content("Write a headline for the autumn sale.").text)


@functions_framework.http
def copy_with_reviews(request: Request):
    sku = request.args.get("sku", "")
    reviews = [doc.to_dict().get("text", "") for doc in db.collection("reviews").where("sku", "==", sku).limit(20).stream()]
    # ruleid: AIS204
    model = GenerativeModel("gemini-1.5-pro", system_instruction=BRAND_RULES + "\nCustomer reviews:\n" + "\n".join(reviews))
    return jsonify(draft=model.generate_content("Write a product blurb that reflects the reviews.").text)


@functions_framework.http
def copy_slogan(request: Request):
    audience = request.args.get("audience", "hikers")
    # ruleid: AIS202
    slogan = base_model.generate_content(f"Write three slogans for {audience}. Keep each under 8 words.").text
    # ruleid: AIS303
    return Markup(f"<ul><li>{slogan}</li></ul>")


@functions_framework.http
def copy_preview(request: Request):
    slogan = generate("Write one slogan for the spring hiking collection.")
    # ok: AIS303
    return f"<p class='slogan'>{html.escape(slogan)}</p>"


@functions_framework.http
def copy_variants(request: Request):
    variants = generate("Write three slogans for the rain-jacket launch, one per line.").splitlines()
    # ruleid: AIS303
    items = [Markup("<li>" + line + "</li>") for line in variants if line.strip()]
    # ok: AIS303
    safe_items = [Markup("<li>{}</li>").format(line) for line in variants if line.strip()]
    return jsonify(html="".join(items), safe="".join(safe_items))
