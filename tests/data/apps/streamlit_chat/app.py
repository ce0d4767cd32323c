import streamlit as st

from chat.backend import answer

persona = st.text_input("Persona")
question = st.chat_input("Ask")
if question:
    st.write(answer(persona, question).choices[0].message.content)
    st.write(answer("a librarian", question).choices[0].message.content)
