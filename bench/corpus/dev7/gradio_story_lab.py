"""Story lab: a Gradio Blocks app for co-writing short fiction with an open model on HF Inference."""
from __future__ import annotations

import functools
import os
from string import Template

import gradio as gr
from huggingface_hub import InferenceClient

client = InferenceClient("meta-llama/Llama-3.1-8B-Instruct", token=os.environ.get("HF_TOKEN"))
NARRATOR = "You are a co-writer of short fiction. Keep stories PG-13 and under 400 words."
GENRES = ["fantasy", "noir", "sci-fi", "romance"]
OUTLINE = Template("Write an outline for a $genre story titled '$title'. Premise: $premise")


def chat(system: str, user: str, max_tokens: int = 600) -> str:
    # ok: AIS201, AIS202
    out = client.chat_completion(
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        max_tokens=max_tokens,
    )
    return out.choices[0].message.content


def continue_story(story: str, genre: str) -> str:
    if genre not in GENRES:
        genre = "fantasy"
    return chat(f"{NARRATOR} Genre: {genre}.", story)


def outline(title: str, premise: str, genre: str) -> str:
    prompt = OUTLINE.substitute(genre="fantasy", title=title, premise=premise)
    # ruleid: AIS202
    return client.text_generation(prompt, max_new_tokens=400)


def styled(style_notes: str, story: str) -> str:
    # ruleid: AIS201
    out = client.chat_completion(
        messages=[
            {"role": "system", "content": NARRATOR + " Follow these style notes: " + style_notes},
            {"role": "user", "content": story},
        ],
    )
    return out.choices[0].message.content


def render_page(story: str) -> str:
    text = chat(NARRATOR + " Format the story as simple HTML paragraphs.", story)
    # ruleid: AIS303
    return f"<article class='story'>{text}</article>"


def render_plain(story: str) -> str:
    text = chat(NARRATOR, story)
    # ok: AIS303
    return text


def summarise(max_words: int, story: str) -> str:
    words = int(max_words)
    # ruleid: AIS202
    return chat(NARRATOR, f"Summarise in at most {words} words:\n\n{story}", max_tokens=200)


short_summary = functools.partial(summarise, 60)

with gr.Blocks(title="Story lab") as demo:
    story_box = gr.Textbox(lines=12, label="Your story so far")
    genre = gr.Dropdown(GENRES, value="fantasy", label="Genre")
    title = gr.Textbox(label="Title")
    premise = gr.Textbox(label="Premise")
    style_notes = gr.Textbox(label="Style notes")
    page = gr.HTML()
    plain = gr.Markdown()
    out = gr.Textbox(lines=12, label="Model output")

    gr.Button("Continue").click(continue_story, inputs=[story_box, genre], outputs=out)
    gr.Button("Outline").click(outline, inputs=[title, premise, genre], outputs=out)
    gr.Button("Restyle").click(styled, inputs=[style_notes, story_box], outputs=out)
    gr.Button("Preview page").click(render_page, inputs=[story_box], outputs=page)
    gr.Button("Plain text").click(render_plain, inputs=[story_box], outputs=plain)
    gr.Button("Summary").click(short_summary, inputs=[story_box], outputs=out)

if __name__ == "__main__":
    demo.launch()
