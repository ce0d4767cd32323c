"""Language-tutor demo: Gemini chat with selectable personas and a Cohere grammar checker (Gradio)."""

from __future__ import annotations

import json
import os
import re

import cohere
import gradio as gr
from google import genai
from google.genai import types

genai_client = genai.Client(api_key=os.environ["GEMINI_API_KEY"])
co = cohere.ClientV2(api_key=os.environ["COHERE_API_KEY"])
GEMINI_MODEL = os.environ.get("TUTOR_MODEL", "gemini-2.0-flash")

PERSONAS = {
    "Strict teacher": "You are a strict but fair language teacher. Correct every mistake.",
    "Friendly peer": "You are a friendly conversation partner. Correct only serious mistakes.",
    "Exam coach": "You prepare students for CEFR exams. Point out exam-relevant errors.",
}
LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")


def history_to_contents(history: list[dict]) -> list[types.Content]:
    contents = []
    for turn in history:
        role = "user" if turn["role"] == "user" else "model"
        contents.append(types.Content(role=role, parts=[types.Part(text=turn["content"])]))
    return contents


def tutor_reply(message: str, history: list[dict], persona: str, level: str, target_language: str):
    if persona not in PERSONAS or level not in LEVELS:
        raise gr.Error("Unknown persona or level")
    if not re.fullmatch(r"[A-Za-z ]{2,20}", target_language):
        raise gr.Error("Pick a language name")
    config = types.GenerateContentConfig(
        system_instruction=f"{PERSONAS[persona]} The student is at level {level} learning {target_language}.",
        temperature=0.7,
    )
    contents = [types.Content(role="user", parts=[types.Part(text=message)])]
    # ok: AIS201
    stream = genai_client.models.generate_content_stream(model=GEMINI_MODEL, contents=contents, config=config)
    partial = ""
    for chunk in stream:
        partial += chunk.text or ""
        yield partial


def custom_persona_reply(message: str, history: list[dict], persona_text: str):
    contents = history_to_contents(history) + [types.Content(role="user", parts=[types.Part(text=message)])]
    # ruleid: AIS201
    resp = genai_client.models.generate_content(
        model=GEMINI_MODEL,
        contents=contents,
        config={"system_instruction": persona_text or PERSONAS["Friendly peer"], "temperature": 0.8},
    )
    return resp.text


def syllabus_reply(message: str, history: list[dict], syllabus_path: str | None):
    syllabus = ""
    if syllabus_path:
        with open(syllabus_path, encoding="utf-8", errors="replace") as fh:
            syllabus = fh.read()[:20000]
    # ruleid: AIS204
    resp = genai_client.models.generate_content(
        model=GEMINI_MODEL,
        contents=message,
        config=types.GenerateContentConfig(
            system_instruction="Tutor the student strictly following this course syllabus:\n" + syllabus
        ),
    )
    return resp.text


def explain_word(word: str, sentence: str) -> str:
    # ruleid: AIS202
    resp = genai_client.models.generate_content(
        model=GEMINI_MODEL,
        contents=f"Explain the word '{word}' as used in this sentence, with two more examples:\n{sentence}",
    )
    return resp.text


def explain_word_fenced(word: str) -> str:
    # ok: AIS202
    resp = genai_client.models.generate_content(
        model=GEMINI_MODEL,
        contents="Explain the word given as a JSON string below, with two examples.\n" + json.dumps(word),
    )
    return resp.text


def grammar_check(text: str, feedback_language: str) -> str:
    # ruleid: AIS201
    resp = co.chat(
        model="command-r-plus-08-2024",
        messages=[
            {"role": "system", "content": f"List grammar mistakes. Write your feedback in {feedback_language}."},
            {"role": "user", "content": text},
        ],
    )
    return resp.message.content[0].text


def grammar_check_legacy(text: str, strictness: float) -> str:
    legacy = cohere.Client(api_key=os.environ["COHERE_API_KEY"])
    # ok: AIS201
    resp = legacy.chat(
        message=text,
        preamble=f"You are a grammar checker. Strictness from 0 to 1: {float(strictness):.1f}.",
        model="command-r",
    )
    return resp.text


def vocab_quiz(topic: str, n: float) -> str:
    # ruleid: AIS202
    resp = co.chat(
        model="command-r-plus-08-2024",
        messages=[{"role": "user", "content": "Make a %d-question vocabulary quiz about %s." % (int(n), topic)}],
    )
    return resp.message.content[0].text


with gr.Blocks(title="Language tutor") as demo:
    with gr.Tab("Tutor"):
        persona = gr.Dropdown(list(PERSONAS), value="Friendly peer", label="Persona")
        level = gr.Dropdown(list(LEVELS), value="B1", label="Level")
        language = gr.Textbox(value="Spanish", label="Language")
        gr.ChatInterface(tutor_reply, type="messages", additional_inputs=[persona, level, language])
    with gr.Tab("Your own tutor"):
        persona_text = gr.Textbox(lines=4, label="Describe your tutor")
        gr.ChatInterface(custom_persona_reply, type="messages", additional_inputs=[persona_text])
    with gr.Tab("Course tutor"):
        syllabus_file = gr.File(label="Course syllabus (.txt/.md)", type="filepath")
        gr.ChatInterface(syllabus_reply, type="messages", additional_inputs=[syllabus_file])
    with gr.Tab("Words"):
        word, sentence = gr.Textbox(label="Word"), gr.Textbox(label="Sentence")
        out = gr.Markdown()
        gr.Button("Explain").click(explain_word, [word, sentence], out)
        gr.Button("Explain (single word)").click(explain_word_fenced, [word], out)
    with gr.Tab("Grammar"):
        text, fb_lang = gr.Textbox(lines=6, label="Your text"), gr.Textbox(value="English", label="Feedback language")
        strict = gr.Slider(0, 1, value=0.5, label="Strictness")
        result = gr.Markdown()
        gr.Button("Check").click(grammar_check, [text, fb_lang], result)
        gr.Button("Check (classic)").click(grammar_check_legacy, [text, strict], result)
    with gr.Tab("Quiz"):
        topic, count = gr.Textbox(label="Topic"), gr.Number(value=5, label="Questions")
        quiz = gr.Markdown()
        gr.Button("Quiz me").click(vocab_quiz, [topic, count], quiz)

if __name__ == "__main__":
    demo.launch()
