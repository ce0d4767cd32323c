"""Streamlit demo: chat with uploaded PDFs (pypdf + naive keyword retrieval + OpenAI).

Run with `streamlit run pdf_rag_streamlit.py`. Used by the sales team to query contracts.
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter

import streamlit as st
from langchain_core.prompts import PromptTemplate
from openai import OpenAI
from pypdf import PdfReader

MODEL = os.environ.get("RAG_MODEL", "gpt-4o-mini")
CHUNK = 1200
SYSTEM = "You answer questions about the user's documents. Cite page numbers. Say 'not found' if unsure."
DEFAULT_TEMPLATE = "Context:\n{context}\n\nAnswer the question in the style of a lawyer: {question}"

client = OpenAI()


@st.cache_data(show_spinner=False)
def pdf_pages(data: bytes, name: str) -> list[tuple[int, str]]:
    import io

    reader = PdfReader(io.BytesIO(data))
    return [(i + 1, page.extract_text() or "") for i, page in enumerate(reader.pages)]


def chunks_of(pages: list[tuple[int, str]]) -> list[str]:
    out = []
    for number, text in pages:
        for start in range(0, len(text), CHUNK):
            out.append(f"[p.{number}] {text[start : start + CHUNK]}")
    return out


def top_chunks(chunks: list[str], keywords: set[str], k: int = 4) -> list[str]:
    scored = sorted(chunks, key=lambda c: -sum(Counter(re.findall(r"\w+", c.lower()))[w] for w in keywords))
    return scored[:k]


st.title("Contract Q&A")
uploads = st.file_uploader("Upload PDFs", type="pdf", accept_multiple_files=True)
persona = st.text_input("Assistant persona", value="a careful paralegal")
mode = st.radio("Mode", ["Chat", "Quick summary", "Custom template"], horizontal=True)
custom_template = st.text_area("Answer template (advanced)", value=DEFAULT_TEMPLATE)
allow_rich = st.toggle("Render rich answers", value=False)

if not uploads:
    st.info("Upload at least one PDF to start.")
    st.stop()

pages: list[tuple[int, str]] = []
for upload in uploads:
    pages.extend(pdf_pages(upload.getvalue(), upload.name))
all_chunks = chunks_of(pages)
document_text = "\n".join(text for _, text in pages)

if mode == "Quick summary":
    if st.button("Summarise"):
        # ruleid: AIS204
        resp = client.chat.completions.create(
            model=MODEL,
            messages=[
                {"role": "system", "content": "Summarise this document for a busy manager:\n\n" + document_text[:20000]},
                {"role": "user", "content": "Five bullets, then the three riskiest clauses."},
            ],
        )
        summary = resp.choices[0].message.content
        # ok: AIS303
        st.markdown(summary)

elif mode == "Chat":
    question = st.chat_input("Ask about your documents")
    if question:
        keywords = {"liability", "termination", "payment", "renewal"}
        context = "\n\n".join(top_chunks(all_chunks, keywords))
        # ruleid: AIS201
        # ok: AIS204
        resp = client.chat.completions.create(
            model=MODEL,
            messages=[
                {"role": "system", "content": f"{SYSTEM} Speak as {persona}."},
                {"role": "user", "content": "Excerpts from the uploaded contracts:\n" + context},
                {"role": "user", "content": question},
            ],
        )
        answer = resp.choices[0].message.content
        with st.chat_message("assistant"):
            if allow_rich:
                # ruleid: AIS303
                st.markdown(answer, unsafe_allow_html=True)
            else:
                # ok: AIS303
                st.markdown(answer, unsafe_allow_html=False)
            st.caption(f"{len(answer)} characters")

        follow_up = f"Based on the excerpts, list two follow-up questions a lawyer should ask about: {question}"
        # ruleid: AIS202
        resp2 = client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": follow_up}],
        )
        st.write(resp2.choices[0].message.content)

else:
    question = st.text_input("Question")
    if question and st.button("Answer"):
        # ruleid: AIS203
        prompt = PromptTemplate.from_template(custom_template)
        context = "\n\n".join(top_chunks(all_chunks, set(question.lower().split())))
        filled = prompt.format(context=context, question=question)
        # ruleid: AIS202
        resp = client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": filled}],
        )
        answer = resp.choices[0].message.content
        # ok: AIS303
        st.markdown(f"<blockquote>{html.escape(answer)}</blockquote>", unsafe_allow_html=True)

        # ok: AIS203
        fallback = PromptTemplate.from_template(DEFAULT_TEMPLATE)
        st.caption("Default template variables: " + ", ".join(fallback.input_variables))
