"""Sales data explorer: Streamlit app where analysts ask questions about the sales warehouse.

LangChain + ChatOpenAI writes pandas / SQL; results are rendered in the page.
"""
from __future__ import annotations

import ast
import html
import io
import os

import pandas as pd
import sqlalchemy
import streamlit as st
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_openai import ChatOpenAI

ENGINE = sqlalchemy.create_engine(os.environ["WAREHOUSE_URL"])
ANALYST_PROMPT = "You are a careful data analyst. Only use the columns that exist in the schema."

st.set_page_config(page_title="Sales explorer", layout="wide")


@st.cache_resource
def get_llm() -> ChatOpenAI:
    return ChatOpenAI(model="gpt-4o", temperature=0)


@st.cache_data(ttl=600)
def load_orders() -> pd.DataFrame:
    return pd.read_sql("SELECT * FROM orders WHERE order_date > now() - interval '90 days'", ENGINE)


llm = get_llm()
orders = load_orders()
schema = "order_id (int), order_date (date), region (text), product (text), units (int), revenue (numeric)"

st.title("Sales explorer")
tab_ask, tab_sql, tab_report, tab_upload = st.tabs(["Ask", "SQL", "Report", "Upload"])

with tab_ask:
    persona = st.text_input("Analyst style", value="concise, numbers first")
    question = st.text_area("Question about the last 90 days of orders")
    if st.button("Answer") and question:
        # ruleid: AIS201
        reply = llm.invoke(
            [
                SystemMessage(content=f"{ANALYST_PROMPT} Style: {persona}. Schema: {schema}"),
                HumanMessage(content=question),
            ]
        )
        st.markdown(reply.content)

    code_question = st.text_input("Compute something with pandas (df is the orders frame)")
    if st.button("Compute") and code_question:
        # ok: AIS201
        code_reply = llm.invoke(
            [
                SystemMessage(content=f"{ANALYST_PROMPT} Write one pandas expression over `df`. Schema: {schema}"),
                HumanMessage(content=code_question),
            ]
        )
        expression = code_reply.content.strip().strip("`")
        # ruleid: AIS301
        result = eval(expression, {"df": orders, "pd": pd})
        st.write(result)

    bucket_question = st.text_input("Which revenue buckets should the chart use?")
    if st.button("Suggest buckets") and bucket_question:
        bucket_reply = llm.invoke([SystemMessage(content=ANALYST_PROMPT + " Reply with a Python list of numbers."), HumanMessage(content=bucket_question)])
        # ok: AIS301
        buckets = ast.literal_eval(bucket_reply.content.strip())
        st.bar_chart(pd.cut(orders["revenue"], bins=buckets).value_counts())

with tab_sql:
    sql_question = st.text_input("Ask for a table")
    if sql_question:
        sql_chain = (
            ChatPromptTemplate.from_messages(
                [("system", ANALYST_PROMPT + " Write one PostgreSQL SELECT over orders. Schema: {schema}"), ("human", "{q}")]
            )
            | llm
            | StrOutputParser()
        )
        # ok: AIS201, AIS202
        generated_sql = sql_chain.invoke({"schema": schema, "q": sql_question})
        st.code(generated_sql, language="sql")
        # ruleid: AIS302
        frame = pd.read_sql(generated_sql, ENGINE)
        st.dataframe(frame)

        # ruleid: AIS202
        region = sql_chain.invoke({"schema": schema, "q": "Which region name is mentioned here? " + sql_question})
        # ok: AIS302
        frame_region = pd.read_sql(
            sqlalchemy.text("SELECT * FROM orders WHERE region = :region"), ENGINE, params={"region": region.strip()}
        )
        st.dataframe(frame_region)

with tab_report:
    template_text = st.text_area(
        "Report template (use {metrics} and {period})",
        value="Write a weekly sales report for {period} based on: {metrics}",
    )
    period = st.selectbox("Period", ["last week", "last month", "last quarter"])
    if st.button("Generate report"):
        metrics = orders.groupby("region")["revenue"].sum().to_string()
        # ruleid: AIS203
        report_prompt = PromptTemplate.from_template(template_text)
        report = (report_prompt | llm | StrOutputParser()).invoke({"metrics": metrics, "period": period})
        # ruleid: AIS303
        st.markdown(f"<div class='report'>{report}</div>", unsafe_allow_html=True)

    # ok: AIS203
    headline_prompt = PromptTemplate.from_template("Write a one-line headline for this report: {report}")
    if st.button("Headline"):
        headline = (headline_prompt | llm | StrOutputParser()).invoke({"report": orders.describe().to_string()})
        # ok: AIS303
        st.markdown(f"<h3>{html.escape(headline)}</h3>", unsafe_allow_html=True)
        # ok: AIS303
        st.markdown(headline)

with tab_upload:
    uploaded = st.file_uploader("Upload a targets CSV", type=["csv"])
    if uploaded is not None:
        targets_csv = uploaded.getvalue().decode("utf-8")
        targets = pd.read_csv(io.StringIO(targets_csv))
        st.dataframe(targets)
        # ruleid: AIS204
        comparison = llm.invoke(
            [
                SystemMessage(content=f"{ANALYST_PROMPT} Compare actuals to these targets:\n{targets_csv}"),
                HumanMessage(content="Which regions are behind target?"),
            ]
        )
        st.write(comparison.content)
        # ok: AIS204
        notes = llm.invoke(
            [SystemMessage(content=ANALYST_PROMPT), HumanMessage(content=targets_csv)]
        )
        st.write(notes.content)
