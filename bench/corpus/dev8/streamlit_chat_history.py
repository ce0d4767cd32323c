"""Internal "ask the handbook" chat (Streamlit), with a report builder tab."""

import os
import sqlite3

import streamlit as st
import streamlit.components.v1 as components
from openai import OpenAI

client = OpenAI()
MODEL = os.environ.get("HANDBOOK_MODEL", "gpt-4o")
SYSTEM = "You answer questions about the employee handbook. Say when you do not know."
LANGUAGES = {"English": "en", "Deutsch": "de", "Français": "fr"}

st.set_page_config(page_title="Handbook chat")

if "history" not in st.session_state:
    st.session_state.history = [{"role": "system", "content": SYSTEM}]


def ask(history: list) -> str:
    # ok: AIS201
    resp = client.chat.completions.create(model=MODEL, messages=history)
    return resp.choices[0].message.content


def show_answer(box, answer: str) -> None:
    # ruleid: AIS303
    box.markdown(f"<div class='answer'>{answer}</div>", unsafe_allow_html=True)


def show_note(box, note: str) -> None:
    # ok: AIS303
    box.markdown(note)


tab_chat, tab_report = st.tabs(["Chat", "Report"])

with tab_chat:
    language = st.sidebar.selectbox("Language", list(LANGUAGES))
    for message in st.session_state.history[1:]:
        with st.chat_message(message["role"]):
            st.markdown(message["content"])
    if prompt := st.chat_input("Ask about the handbook"):
        st.session_state.history.append({"role": "user", "content": prompt})
        answer = ask(st.session_state.history + [{"role": "system", "content": f"Reply in {LANGUAGES[language]}."}])
        st.session_state.history.append({"role": "assistant", "content": answer})
        container = st.container(border=True)
        show_answer(container, answer)
        show_note(st.sidebar, answer)

with tab_report:
    with st.form("report"):
        audience = st.text_input("Audience", "new joiners")
        focus = st.text_area("What should the report focus on?")
        submitted = st.form_submit_button("Build report")
    if submitted:
        # ruleid: AIS201
        resp = client.chat.completions.create(
            model=MODEL,
            messages=[
                {"role": "system", "content": f"{SYSTEM} Write a report for {audience}."},
                {"role": "user", "content": focus},
            ],
        )
        report = resp.choices[0].message.content
        # ruleid: AIS303
        st.html(report)
        # ok: AIS303
        st.markdown(report)
        # ruleid: AIS303
        components.html(f"<html><body>{report}</body></html>", height=600)
        conn = sqlite3.connect("reports.db")
        # ok: AIS302
        conn.execute("INSERT INTO reports(audience, body) VALUES (?, ?)", (audience, report))
        title = client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "system", "content": "Reply with a table name for this report."}, {"role": "user", "content": report}],
        ).choices[0].message.content
        # ruleid: AIS302
        conn.execute(f"CREATE TABLE IF NOT EXISTS {title} (line TEXT)")
        conn.commit()
