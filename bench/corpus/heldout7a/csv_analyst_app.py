"""Streamlit "talk to your CSV" app used by the finance team (streamlit run csv_analyst_app.py)."""
from __future__ import annotations

import ast
import io
import re
import sqlite3

import pandas as pd
import streamlit as st
from langchain_experimental.agents import create_pandas_dataframe_agent
from langchain_openai import ChatOpenAI
from openai import OpenAI

client = OpenAI(api_key=st.secrets["OPENAI_API_KEY"])
MODEL = st.secrets.get("MODEL", "gpt-4o-mini")

ANALYST_SYSTEM = (
    "You are a careful data analyst. You are given the column names and dtypes of a pandas "
    "DataFrame called df. Answer with a short explanation."
)
CODE_SYSTEM = (
    "Write Python that computes the answer from the pandas DataFrame `df` and stores it in a "
    "variable named `result`. Output only code, no fences."
)

st.set_page_config(page_title="CSV analyst", layout="wide")
st.title("CSV analyst")


def describe_frame(df: pd.DataFrame) -> str:
    return "\n".join(f"{name}: {dtype}" for name, dtype in df.dtypes.astype(str).items())


def chat(messages: list[dict], **kwargs) -> str:
    # ruleid: AIS201
    resp = client.chat.completions.create(model=MODEL, messages=messages, **kwargs)
    return resp.choices[0].message.content or ""


uploaded = st.sidebar.file_uploader("CSV file", type=["csv"])
dictionary_file = st.sidebar.file_uploader("Data dictionary (optional)", type=["txt", "md"])
role = st.sidebar.text_input("Analyst role", value="a careful data analyst")
mode = st.sidebar.radio("Mode", ["Explain", "Compute", "SQL", "Agent"])

if uploaded is None:
    st.info("Upload a CSV to start.")
    st.stop()

df = pd.read_csv(uploaded)
st.dataframe(df.head(50))
schema = describe_frame(df)

if "history" not in st.session_state:
    st.session_state.history = []

question = st.chat_input("Ask a question about the data")

if question and mode == "Explain" and dictionary_file is None:
    system_text = ANALYST_SYSTEM.replace("a careful data analyst", role)
    answer = chat(
        [
            {"role": "system", "content": system_text},
            {"role": "user", "content": schema},
            {"role": "user", "content": question},
        ]
    )
    st.session_state.history.append(("assistant", answer))
    st.markdown(answer)

if question and mode == "Explain" and dictionary_file is not None:
    dictionary = dictionary_file.getvalue().decode("utf-8", errors="replace")
    # ruleid: AIS204
    stream = client.chat.completions.create(
        model=MODEL,
        stream=True,
        messages=[
            {"role": "system", "content": f"{ANALYST_SYSTEM}\nData dictionary:\n{dictionary}"},
            {"role": "user", "content": question},
        ],
    )
    placeholder = st.empty()
    text = ""
    for chunk in stream:
        text += chunk.choices[0].delta.content or ""
        placeholder.markdown(text + " ▌")
    # ruleid: AIS303
    placeholder.markdown(text, unsafe_allow_html=True)

if question and mode == "Compute":
    code = chat(
        [
            {"role": "system", "content": CODE_SYSTEM},
            {"role": "user", "content": schema},
            {"role": "user", "content": question},
        ],
        temperature=0,
    )
    code = re.sub(r"^```(?:python)?|```$", "", code.strip(), flags=re.MULTILINE)
    with st.expander("Generated code"):
        st.code(code, language="python")
    scope = {"df": df, "pd": pd}
    # ruleid: AIS301
    exec(code, scope)
    st.write(scope.get("result"))

if question and mode == "SQL":
    conn = sqlite3.connect(":memory:")
    df.to_sql("data", conn, index=False)
    sql = chat(
        [
            {"role": "system", "content": "Write one SQLite SELECT over the table `data`. Output SQL only."},
            {"role": "user", "content": schema},
            {"role": "user", "content": question},
        ]
    )
    # ruleid: AIS302
    result = pd.read_sql(sql, conn)
    st.dataframe(result)

if question and mode == "Agent":
    agent_llm = ChatOpenAI(model=MODEL, temperature=0, api_key=st.secrets["OPENAI_API_KEY"])
    # ruleid: AIS301
    agent = create_pandas_dataframe_agent(agent_llm, df, verbose=False, allow_dangerous_code=True)
    output = agent.invoke({"input": question})["output"]
    # ok: AIS303
    st.markdown(output)

with st.sidebar.expander("Suggested charts"):
    if st.button("Suggest"):
        raw = chat(
            [
                {"role": "system", "content": "Suggest up to three column pairs to plot. Reply as a Python list of tuples."},
                {"role": "user", "content": schema},
            ]
        )
        # ok: AIS301
        pairs = ast.literal_eval(raw.strip())
        for x, y in pairs:
            if x in df.columns and y in df.columns:
                st.line_chart(df, x=x, y=y)

if question and mode == "Compute":
    # ok: AIS201, AIS202
    explanation = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Explain the result of a pandas computation to a finance manager in two sentences."},
            {"role": "user", "content": question},
        ],
    )
    # ok: AIS303
    st.markdown(explanation.choices[0].message.content)
