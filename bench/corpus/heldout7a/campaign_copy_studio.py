"""Campaign copy studio: marketing team's internal Gradio app on top of Gemini (google-genai)."""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import gradio as gr
import requests
import yaml
from google import genai
from google.genai import types
from langchain_core.prompts import PromptTemplate

client = genai.Client(api_key=os.environ["GEMINI_API_KEY"])
MODEL = os.environ.get("GEMINI_MODEL", "gemini-2.5-flash")
OUTPUT_DIR = Path(os.environ.get("COPY_OUTPUT_DIR", "/data/copy-studio/exports"))
SLACK_WEBHOOK = os.environ["COPY_STUDIO_SLACK_WEBHOOK"]

HOUSE_RULES = (
    "You are Acme's senior copywriter. Never mention competitors by name, never invent prices, "
    "keep claims verifiable."
)
TONES = {
    "playful": "Use a playful, light tone with at most one pun.",
    "formal": "Use a formal, precise tone.",
    "bold": "Use short, bold sentences.",
}
TEMPLATES = {
    "launch": "Write a launch announcement for {{ product }} aimed at {{ audience }}.",
    "newsletter": "Write a newsletter blurb about {{ product }} for {{ audience }}.",
}
SAMPLE_VALUES = {"product": "Acme Sync 3", "audience": "IT administrators at mid-size companies"}


def _generate(contents, system_instruction: str, temperature: float = 0.8) -> str:
    # ok: AIS201, AIS202, AIS204
    response = client.models.generate_content(
        model=MODEL,
        contents=contents,
        config=types.GenerateContentConfig(system_instruction=system_instruction, temperature=temperature),
    )
    return response.text or ""


def write_copy(product_brief: str, audience: str, brand_voice: str) -> str:
    system = f"{HOUSE_RULES}\nBrand voice guidelines from the client:\n{brand_voice}"
    # ruleid: AIS201
    response = client.models.generate_content(
        model=MODEL,
        contents=product_brief,
        config=types.GenerateContentConfig(system_instruction=system, temperature=0.9),
    )
    return response.text


def write_copy_with_tone(product_brief: str, tone: str) -> str:
    if tone not in TONES:
        raise gr.Error("Unknown tone")
    # ok: AIS201
    response = client.models.generate_content(
        model=MODEL,
        contents=product_brief,
        config={"system_instruction": HOUSE_RULES + " " + TONES[tone] + f" Tone: {tone}."},
    )
    return response.text


def taglines(product_name: str, audience: str) -> str:
    prompt = f"Write three taglines for {product_name}. The audience is {audience}. Number them 1-3."
    # ruleid: AIS202
    response = client.models.generate_content(model=MODEL, contents=prompt)
    return response.text


def taglines_structured(product_name: str, audience: str) -> str:
    brief = json.dumps({"product": product_name, "audience": audience})
    # ok: AIS202
    response = client.models.generate_content(
        model=MODEL,
        contents=f"Write three taglines for the product described in this JSON object:\n{brief}",
        config=types.GenerateContentConfig(system_instruction=HOUSE_RULES),
    )
    return response.text


def counter_positioning(competitor_url: str, product_brief: str) -> str:
    page = requests.get(competitor_url, timeout=15).text[:20000]
    # ruleid: AIS204
    response = client.models.generate_content(
        model=MODEL,
        contents=product_brief,
        config=types.GenerateContentConfig(
            system_instruction=HOUSE_RULES + "\nPosition us against this competitor page:\n" + page,
        ),
    )
    return response.text


def summarise_competitor(competitor_url: str) -> str:
    page = requests.get(competitor_url, timeout=15).text[:20000]
    return _generate([page], "Summarise the competitor's value proposition in five bullets.", temperature=0.2)


def preview_custom_template(template_text: str) -> str:
    """Renders a copywriter's own template with the sample product so they can try it out."""
    # ruleid: AIS203
    prompt = PromptTemplate(template=template_text, input_variables=["product", "audience"], template_format="jinja2")
    response = client.models.generate_content(
        model=MODEL,
        contents=prompt.format(**SAMPLE_VALUES),
        config=types.GenerateContentConfig(system_instruction=HOUSE_RULES),
    )
    return response.text


def run_saved_template(template_name: str, product: str, audience: str) -> str:
    if template_name not in TEMPLATES:
        raise gr.Error("Unknown template")
    # ok: AIS203
    prompt = PromptTemplate.from_template(TEMPLATES[template_name], template_format="jinja2")
    text = prompt.format(product=product, audience=audience)
    # ruleid: AIS202
    response = client.models.generate_content(
        model=MODEL,
        contents=text,
        config=types.GenerateContentConfig(system_instruction=HOUSE_RULES),
    )
    return response.text


def campaign_plan(product_brief: str) -> dict:
    text = _generate(
        product_brief,
        HOUSE_RULES + "\nReturn a YAML campaign plan with keys: channels, weeks, budget_split.",
        temperature=0.3,
    )
    # ok: AIS304
    return yaml.safe_load(text.strip().strip("`").removeprefix("yaml"))


def export_copy(product_name: str, copy_text: str) -> str:
    filename = _generate(
        product_name,
        "Suggest a short file name (with .md extension) for an export of marketing copy. Reply with the name only.",
        temperature=0,
    ).strip()
    # ruleid: AIS304
    (OUTPUT_DIR / filename).write_text(copy_text, encoding="utf-8")
    return filename


def export_copy_safely(product_name: str, copy_text: str) -> str:
    title = _generate(product_name, "Write a 5-word title for this product's copy deck.", temperature=0)
    name = f"{uuid.uuid4().hex}.md"
    # ok: AIS304
    (OUTPUT_DIR / name).write_text(f"# {title}\n\n{copy_text}", encoding="utf-8")
    return name


def share_to_slack(copy_text: str) -> str:
    summary = _generate(copy_text, "Summarise this marketing copy in one sentence for a Slack update.")
    # ok: AIS304
    requests.post(SLACK_WEBHOOK, json={"text": f"New copy ready: {summary}"}, timeout=10)
    return "shared"


with gr.Blocks(title="Campaign copy studio") as demo:
    with gr.Tab("Copy"):
        brief = gr.Textbox(label="Product brief", lines=6)
        audience = gr.Textbox(label="Audience")
        voice = gr.Textbox(label="Brand voice guidelines", lines=4)
        tone = gr.Dropdown(list(TONES), label="Tone", value="formal")
        out = gr.Markdown()
        gr.Button("Write").click(write_copy, [brief, audience, voice], out)
        gr.Button("Write with tone").click(write_copy_with_tone, [brief, tone], out)
    with gr.Tab("Taglines"):
        name = gr.Textbox(label="Product name")
        aud2 = gr.Textbox(label="Audience")
        tag_out = gr.Markdown()
        gr.Button("Taglines").click(taglines, [name, aud2], tag_out)
        gr.Button("Taglines (structured)").click(taglines_structured, [name, aud2], tag_out)
    with gr.Tab("Competitors"):
        url = gr.Textbox(label="Competitor URL")
        comp_out = gr.Markdown()
        gr.Button("Counter-position").click(counter_positioning, [url, brief], comp_out)
        gr.Button("Summarise").click(summarise_competitor, [url], comp_out)
    with gr.Tab("Templates"):
        template_box = gr.Textbox(label="Custom Jinja template", lines=4)
        saved = gr.Dropdown(list(TEMPLATES), label="Saved template")
        tpl_out = gr.Markdown()
        gr.Button("Preview custom").click(preview_custom_template, [template_box], tpl_out)
        gr.Button("Run saved").click(run_saved_template, [saved, name, aud2], tpl_out)
    with gr.Tab("Plan & export"):
        plan_out = gr.JSON()
        path_out = gr.Textbox(label="Saved to")
        gr.Button("Plan").click(campaign_plan, [brief], plan_out)
        gr.Button("Export").click(export_copy, [name, out], path_out)
        gr.Button("Export (safe name)").click(export_copy_safely, [name, out], path_out)
        gr.Button("Share").click(share_to_slack, [out], path_out)

if __name__ == "__main__":
    demo.launch(server_name="0.0.0.0", server_port=7860)
