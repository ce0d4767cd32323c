"""Market-research helper: paste competitor URLs, get a briefing (Streamlit + LangChain OpenAI)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import requests
import streamlit as st
from bs4 import BeautifulSoup
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_openai import ChatOpenAI

st.set_page_config(page_title="Competitor briefing", layout="wide")

ANALYST_SYSTEM = "You are a market analyst. Be factual and cite the page you used."
DEFAULT_TEMPLATE = (
    "Write a competitor briefing for {company}.\n"
    "Focus on pricing, positioning and recent launches. Use at most {words} words."
)
AUDIENCES = {"sales": "account executives", "exec": "the leadership team", "product": "product managers"}


@st.cache_resource
def get_llm() -> ChatOpenAI:
    return ChatOpenAI(model=os.getenv("BRIEF_MODEL", "gpt-4o"), temperature=0.2)


@dataclass
class Page:
    url: str
    text: str


@dataclass
class Briefing:
    company: str
    pages: list[Page] = field(default_factory=list)

    def fetch(self, url: str) -> None:
        resp = requests.get(url, timeout=10, headers={"User-Agent": "brief-bot/1.0"})
        resp.raise_for_status()
        text = BeautifulSoup(resp.text, "html.parser").get_text(" ", strip=True)
        self.pages.append(Page(url=url, text=text[:8000]))

    def context(self) -> str:
        return "\n\n".join(f"[{p.url}]\n{p.text}" for p in self.pages)


llm = get_llm()
parser = StrOutputParser()

company = st.text_input("Company")
urls = st.text_area("Pages to read (one per line)").splitlines()
audience = st.selectbox("Audience", list(AUDIENCES))
words = st.number_input("Length (words)", min_value=100, max_value=1500, value=400)
extra = st.text_area("Extra instructions for the analyst")

if st.button("Build briefing") and company:
    brief = Briefing(company=company)
    for url in filter(None, (u.strip() for u in urls)):
        brief.fetch(url)

    if audience not in AUDIENCES:
        st.stop()
    reader = AUDIENCES[audience]
    # ruleid: AIS204
    answer = llm.invoke(
        [
            SystemMessage(content=f"{ANALYST_SYSTEM}\nSource pages:\n{brief.context()}"),
            HumanMessage(content=company),
        ]
    )
    st.subheader("Briefing")
    # ruleid: AIS303
    st.markdown(answer.content, unsafe_allow_html=True)

    # ok: AIS201, AIS204
    digest = llm.invoke(
        [
            SystemMessage(content=f"{ANALYST_SYSTEM} Write for {reader}, at most {int(words)} words."),
            HumanMessage(content=brief.context()),
        ]
    )
    # ok: AIS303
    st.markdown(digest.content)

    if extra:
        # ruleid: AIS201
        follow_up = llm.invoke([SystemMessage(content=ANALYST_SYSTEM + "\n" + extra), HumanMessage(content=company)])
        st.write(follow_up.content)

    # ok: AIS203
    base = PromptTemplate.from_template(DEFAULT_TEMPLATE)
    # ruleid: AIS202
    outline = llm.invoke(base.format(company=company, words=int(words)))
    st.write(outline.content)

    # ok: AIS203
    qa = ChatPromptTemplate.from_messages(
        [("system", ANALYST_SYSTEM + " Audience: {reader}."), ("human", "{question}")]
    )
    chain = qa | llm | parser
    # ok: AIS201
    st.session_state["last_answer"] = chain.invoke({"reader": reader, "question": company})

with st.expander("Prompt lab"):
    st.caption("Experiment with your own briefing template. Use {company} and {words}.")
    custom = st.text_area("Template", value=DEFAULT_TEMPLATE)
    use_jinja = st.checkbox("Jinja2 syntax ({{ company }})")
    if st.button("Run template") and company:
        if use_jinja:
            # ruleid: AIS203
            lab_prompt = PromptTemplate.from_template(custom, template_format="jinja2")
        else:
            # ruleid: AIS203
            lab_prompt = PromptTemplate.from_template(custom)
        st.write((lab_prompt | llm | parser).invoke({"company": company, "words": 300}))

    # ok: AIS203
    fixed = PromptTemplate.from_template(DEFAULT_TEMPLATE + "\nEnd with three open questions.")
    if st.button("Run default"):
        # ok: AIS202
        st.write((fixed | llm | parser).invoke({"company": "Acme Corp", "words": 300}))
