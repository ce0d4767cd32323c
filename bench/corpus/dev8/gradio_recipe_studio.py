"""Recipe studio: a chat assistant and a recipe card builder (Gradio)."""

import html
import os

import gradio as gr
from openai import OpenAI

client = OpenAI(base_url=os.environ.get("LLM_BASE_URL"), api_key=os.environ.get("LLM_API_KEY", "x"))
MODEL = os.environ.get("LLM_MODEL", "llama-3.1-8b-instruct")
SYSTEM = "You are a friendly cooking assistant. Keep answers short."
DIETS = ["none", "vegetarian", "vegan", "gluten-free"]


def chat(message: str, history: list) -> str:
    messages = [{"role": "system", "content": SYSTEM}]
    for turn in history:
        messages.append({"role": turn["role"], "content": turn["content"]})
    messages.append({"role": "user", "content": message})
    # ruleid: AIS201
    # ok: AIS202
    resp = client.chat.completions.create(model=MODEL, messages=messages)
    return resp.choices[0].message.content


def chef_chat(message: str, history: list, persona: str) -> str:
    # ruleid: AIS201
    resp = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": f"You are {persona}, a chef."}, *history, {"role": "user", "content": message}],
    )
    return resp.choices[0].message.content


def build_card(dish: str, diet: str):
    if diet not in DIETS:
        diet = "none"
    # ok: AIS201
    resp = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": f"Write a recipe card. Diet: {diet}."}, {"role": "user", "content": dish}],
    )
    card = resp.choices[0].message.content
    title = card.splitlines()[0] if card else dish
    # ruleid: AIS303
    return title, f"<div class='card'>{card}</div>"


def build_safe_card(dish: str):
    resp = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": "Write a recipe card."}, {"role": "user", "content": dish}],
    )
    card = resp.choices[0].message.content
    # ok: AIS303
    return card, f"<div class='card'>{html.escape(card)}</div>"


def shopping_list(card_title: str) -> str:
    # ruleid: AIS202
    resp = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "List the groceries needed, one per line, for this dish and nothing else: " + card_title}],
    )
    return resp.choices[0].message.content


def nutrition_panel(card_title: str) -> str:
    resp = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": "Estimate nutrition as an HTML table."}, {"role": "user", "content": card_title}],
    )
    # ruleid: AIS303
    return resp.choices[0].message.content


with gr.Blocks() as demo:
    gr.ChatInterface(chat, type="messages", title="Ask the cook")
    persona = gr.Textbox(label="Chef persona", value="Julia")
    gr.ChatInterface(chef_chat, type="messages", additional_inputs=[persona])
    dish = gr.Textbox(label="Dish")
    diet = gr.Dropdown(DIETS, label="Diet")
    title = gr.Textbox(label="Title")
    card_html = gr.HTML()
    groceries = gr.Textbox(label="Groceries")
    nutrition = gr.HTML()
    plain = gr.Textbox(label="Card (text)")
    safe_html = gr.HTML()
    build = gr.Button("Build card")
    build.click(build_card, inputs=[dish, diet], outputs=[title, card_html]).then(
        shopping_list, inputs=title, outputs=groceries
    )
    gr.Button("Nutrition").click(nutrition_panel, inputs=title, outputs=nutrition)
    gr.Button("Safe card").click(build_safe_card, inputs=dish, outputs=[plain, safe_html])

if __name__ == "__main__":
    demo.launch()
