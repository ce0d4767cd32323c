"""A Streamlit writing helper on LangChain: chat input, a tone picker, and a custom template box."""

import streamlit as st
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o-mini")
TONES = ["neutral", "playful", "formal"]

st.title("Writing helper")
tone = st.selectbox("Tone", TONES)
audience = st.text_input("Who is the text for?")
custom = st.text_area("Your own prompt template (advanced)")

prompt = ChatPromptTemplate.from_messages(
    [
        ("system", "You improve texts. Tone: {tone}. Audience: {audience}."),
        ("human", "{text}"),
    ]
)
chain = prompt | llm

if "history" not in st.session_state:
    st.session_state.history = []

if text := st.chat_input("Paste your text"):
    answer = chain.invoke({"tone": tone, "audience": audience, "text": text})  # <- AIS201
    st.session_state.history.append(HumanMessage(content=text))
    st.session_state.history.append(AIMessage(content=answer.content))
    st.write(answer.content)

    follow_up = llm.invoke([SystemMessage(content="You answer follow-up questions."), *st.session_state.history])
    st.write(follow_up.content)

    rewrite = llm.invoke(f"Rewrite the text below so a ten-year-old understands it:\n{text}")  # <- AIS202
    st.write(rewrite.content)

if custom:
    template = PromptTemplate.from_template(custom)  # <- AIS203
    st.write(llm.invoke(template.format(text="Hello")).content)
