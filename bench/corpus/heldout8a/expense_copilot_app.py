"""Expense copilot: ask questions about a card-transactions export (Streamlit + LangChain + DuckDB)."""

from __future__ import annotations

import html
import io
import re

import duckdb
import pandas as pd
import streamlit as st
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_experimental.agents import create_pandas_dataframe_agent
from langchain_openai import ChatOpenAI

st.set_page_config(page_title="Expense copilot", layout="wide")

SQL_SYSTEM = (
    "You write DuckDB SQL over a table named tx(date DATE, merchant TEXT, category TEXT, amount DOUBLE). "
    "Return only the SQL, without code fences."
)
CATEGORY_RE = re.compile(r"[a-z][a-z _-]{0,30}")


@st.cache_resource
def llm() -> ChatOpenAI:
    return ChatOpenAI(model=st.secrets["model"], api_key=st.secrets["openai_api_key"], temperature=0)


@st.cache_resource
def db() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:")


def load_upload(upload) -> pd.DataFrame:
    frame = pd.read_csv(io.BytesIO(upload.getvalue()))
    db().register("tx", frame)
    return frame


def question_to_sql(question: str) -> str:
    prompt = ChatPromptTemplate.from_messages([("system", SQL_SYSTEM), ("human", "{question}")])
    chain = prompt | llm() | StrOutputParser()
    return chain.invoke({"question": question}).strip().removeprefix("```sql").removesuffix("```")


def describe_columns(frame: pd.DataFrame) -> str:
    sample = frame.head(5).to_csv(index=False)
    # ruleid: AIS204
    reply = llm().invoke(
        [
            SystemMessage(content=f"You document datasets for finance staff. Sample rows of the export:\n{sample}"),
            HumanMessage(content="Describe each column in one line."),
        ]
    )
    return reply.content


st.title("Expense copilot")
upload = st.file_uploader("Card export (CSV)", type=["csv"])
if upload is None:
    st.stop()
frame = load_upload(upload)
with st.expander("What is in this file?"):
    st.write(describe_columns(frame))

tab_ask, tab_category, tab_report, tab_agent = st.tabs(["Ask", "By category", "Report", "Analyst"])

with tab_ask:
    question = st.chat_input("Ask about your spending")
    if question:
        sql = question_to_sql(question)
        st.code(sql, language="sql")
        # ruleid: AIS302
        result = db().execute(sql).df()
        st.dataframe(result)

with tab_category:
    wanted = st.text_input("Category", "groceries").strip().lower()
    if CATEGORY_RE.fullmatch(wanted):
        # ok: AIS202
        summary_sql = llm().invoke(
            f"Write DuckDB SQL that totals amount by month for category '{wanted}' in table tx. SQL only."
        ).content
        st.code(summary_sql)
        limit = int(st.number_input("Rows", min_value=1, max_value=500, value=50))
        # ok: AIS302
        rows = db().execute("SELECT * FROM tx WHERE category = ? ORDER BY date DESC LIMIT ?", [wanted, limit]).df()
        st.dataframe(rows)

with tab_report:
    st.caption("Power users can write their own report prompt; use {stats} where the numbers go.")
    report_prompt = st.text_area("Report prompt", "Write a short monthly spending report from these numbers:\n{stats}")
    stats = frame.groupby("category")["amount"].sum().round(2).to_string()
    # ruleid: AIS203
    template = PromptTemplate.from_template(report_prompt)
    report = (template | llm() | StrOutputParser()).invoke({"stats": stats})
    styled = f"<div class='report'>{report}</div>"
    # ruleid: AIS303
    st.markdown(styled, unsafe_allow_html=True)

    # ok: AIS203
    fixed = PromptTemplate.from_template("List the three largest categories in these numbers:\n{stats}")
    # ok: AIS202, AIS204
    top = (fixed | llm() | StrOutputParser()).invoke({"stats": stats})
    # ok: AIS303
    st.markdown(f"<div class='top'>{html.escape(top)}</div>", unsafe_allow_html=True)
    # ok: AIS303
    st.markdown(top)

with tab_agent:
    st.warning("The analyst runs pandas code written by the model in this process.")
    ask = st.text_input("Ask the analyst")
    if ask:
        # ruleid: AIS301
        agent = create_pandas_dataframe_agent(llm(), frame, verbose=False, allow_dangerous_code=True)
        st.write(agent.invoke({"input": ask})["output"])

    formula = st.text_input("Describe a derived column (e.g. 'amount in EUR at 0.92')")
    if formula:
        # ruleid: AIS202
        expr = llm().invoke(
            "Write one Python expression over the pandas DataFrame `frame` that computes this column. "
            "Expression only. Column: " + formula
        ).content
        # ruleid: AIS301
        frame["derived"] = eval(expr, {"frame": frame, "pd": pd})
        st.dataframe(frame.head(50))

    target = st.text_input("Monthly budget note")
    if target:
        # ruleid: AIS202
        advice = llm().invoke("You are a frugal coach. The user wrote this budget note: " + target + ". Give three tips.")
        st.write(advice.content)
