"""Prompt lab: a Streamlit workbench where marketers try prompt templates against Gemini."""
from __future__ import annotations

import os
from string import Template

import streamlit as st
import streamlit.components.v1 as components
from google import genai
from google.genai import types
from jinja2 import Environment
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_google_genai import ChatGoogleGenerativeAI

client = genai.Client(api_key=os.environ["GEMINI_API_KEY"])
llm = ChatGoogleGenerativeAI(model="gemini-2.0-flash")
BRAND = "You write marketing copy for Acme Outdoor. Never promise discounts."
SAVED_TEMPLATES = {
    "tagline": "Write a tagline for {product} aimed at {audience}.",
    "email": "Write a short launch email for {product} aimed at {audience}.",
}
jinja = Environment()

st.title("Prompt lab")
product = st.text_input("Product", "Trail tent 2P")
audience = st.selectbox("Audience", ["hikers", "families", "climbers"])
tab_saved, tab_custom, tab_chat, tab_preview = st.tabs(["Saved", "Custom", "Chat", "Preview"])

with tab_saved:
    name = st.selectbox("Template", list(SAVED_TEMPLATES))
    # ok: AIS203
    prompt = PromptTemplate.from_template(SAVED_TEMPLATES[name])
    # ruleid: AIS202
    copy = (prompt | llm).invoke({"product": product, "audience": audience}).content
    # ok: AIS303
    st.markdown(copy)

with tab_custom:
    custom = st.text_area("Your template (use {product} and {audience})")
    style = st.text_input("House style override", "")
    if st.button("Try template") and custom:
        # ruleid: AIS203
        chat_prompt = ChatPromptTemplate.from_messages([("system", BRAND), ("human", custom)])
        reply = (chat_prompt | llm).invoke({"product": product, "audience": audience}).content
        # ruleid: AIS303
        st.markdown(f"<div class='copy'>{reply}</div>", unsafe_allow_html=True)
    if st.button("Try Template string") and custom:
        # ruleid: AIS203
        filled = Template(custom).safe_substitute(product=product, audience=audience)
        resp = client.models.generate_content(model="gemini-2.0-flash", contents=filled)
        # ok: AIS303
        st.write(resp.text)
    if st.button("Try Jinja template") and custom:
        # ruleid: AIS203
        rendered = jinja.from_string(custom).render(product=product, audience=audience)
        resp = client.models.generate_content(model="gemini-2.0-flash", contents=rendered)
        st.write(resp.text)
    if st.button("Apply style") and style:
        # ruleid: AIS201
        chat = client.chats.create(
            model="gemini-2.0-flash",
            config=types.GenerateContentConfig(system_instruction=f"{BRAND} {style}"),
        )
        st.write(chat.send_message(f"Write a tagline for {product}.").text)

with tab_chat:
    if "history" not in st.session_state:
        st.session_state.history = []
    # ok: AIS201
    chat = client.chats.create(model="gemini-2.0-flash", config=types.GenerateContentConfig(system_instruction=BRAND))
    if message := st.chat_input("Ask the copywriter"):
        # ok: AIS202
        answer = chat.send_message(message).text
        st.session_state.history.append((message, answer))
    for question, answer in st.session_state.history:
        st.chat_message("user").write(question)
        # ok: AIS303
        st.chat_message("assistant").write(answer)

with tab_preview:
    brief = st.text_area("Landing page brief")
    if st.button("Generate page") and brief:
        resp = client.models.generate_content(
            model="gemini-2.0-flash",
            contents=brief,
            config=types.GenerateContentConfig(system_instruction=BRAND + " Answer with one HTML section."),
        )
        # ruleid: AIS303
        components.html(resp.text, height=600, scrolling=True)
        # ruleid: AIS303
        st.html(resp.text)
        # ok: AIS303
        st.code(resp.text, language="html")
