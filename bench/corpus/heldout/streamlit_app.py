# Held-out corpus. Semgrep-style annotations: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
"""Streamlit document assistant using the Google genai SDK."""

import bleach
import streamlit as st
import streamlit.components.v1 as components
from google import genai
from google.genai import types
from langchain_core.prompts import PromptTemplate

client = genai.Client()

st.title("Doc assistant")
role = st.text_input("Assistant role", "a helpful editor")
uploaded = st.file_uploader("Reference document", type=["txt", "md"])
question = st.chat_input("Ask something")

if question:
    # ruleid: AIS201
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        contents=question,
        config=types.GenerateContentConfig(system_instruction=f"You are {role}."),
    )
    # ruleid: AIS303
    st.markdown(response.text, unsafe_allow_html=True)
    # ok: AIS303
    st.markdown(response.text)
    # ok: AIS303
    st.write(response.text)

if question and uploaded is not None:
    reference = uploaded.read().decode("utf-8")
    # ruleid: AIS204
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        contents=question,
        config=types.GenerateContentConfig(system_instruction="Reference material:\n" + reference),
    )
    # ok: AIS303
    st.markdown(bleach.clean(response.text), unsafe_allow_html=True)

if question:
    # ok: AIS201, AIS202
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        contents=question,
        config=types.GenerateContentConfig(system_instruction="You are a helpful editor."),
    )
    st.write(response.text)

custom = st.text_area("Prompt template", "Rewrite this text more clearly: {text}")
draft = st.text_area("Text")
if st.button("Run template"):
    # ruleid: AIS203
    template = PromptTemplate.from_template(custom)
    # ok: AIS203
    fixed = PromptTemplate.from_template("Rewrite this text more clearly: {text}")
    st.write(fixed.format(text=draft), template.format(text=draft))

if st.button("Rewrite"):
    # ruleid: AIS202
    response = client.models.generate_content(model="gemini-2.5-flash", contents=f"Rewrite this text more clearly, keep the meaning:\n{draft}")
    st.write(response.text)

chat = client.chats.create(
    model="gemini-2.5-flash",
    config=types.GenerateContentConfig(system_instruction="You are a patient tutor."),
)
if question:
    # ok: AIS201, AIS202
    reply = chat.send_message(question)
    # ruleid: AIS303
    components.html(reply.text, height=400)
