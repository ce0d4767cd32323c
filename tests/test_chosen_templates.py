"""A constant prompt template chosen from a constant collection (`TEMPLATES[style]`,
`TEMPLATES.get(kind, DEFAULT)`, `STYLES[n]`) is still constant instruction text with slots:
filling it with request data is AIS202 (AIS201 in the system role) exactly as filling a
template named directly is; a choice of bare `{q}` slots is the user channel."""

from __future__ import annotations

from test_prompt_injection import check

HEADER = """
    from fastapi import FastAPI
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_openai import ChatOpenAI
    from pydantic import BaseModel
    app = FastAPI()
    llm = ChatOpenAI(model="gpt-4o")
    SYSTEM = "You are the helpdesk agent."
    REPLY = {
        "short": "Reply to {employee} in two sentences about: {summary}",
        "long": "Reply to {employee} with numbered steps about: {summary}",
    }
    STYLES = ("Reply to {employee} in two sentences about: {summary}", "Reply to {employee} in steps: {summary}")
    BARE = {"a": "{q}", "b": "{question}"}
    PERSONAS = {"terse": "You are a terse agent for team {team}", "kind": "You are a kind agent for team {team}"}
    class Ticket(BaseModel):
        employee: str
        description: str
        style: str = "short"
        n: int = 0
"""


def test_a_template_chosen_by_key_after_an_allowlist_check_is_filled_with_request_data() -> None:
    check(
        HEADER
        + """
    @app.post("/reply")
    def reply(ticket: Ticket):
        if ticket.style not in REPLY:
            raise ValueError(ticket.style)
        prompt = ChatPromptTemplate.from_messages([("system", SYSTEM), ("human", REPLY[ticket.style])])
        return (prompt | llm).invoke({"employee": ticket.employee, "summary": ticket.description})  # <- AIS202, AIS202
    """
    )


def test_get_with_a_default_and_a_tuple_index_choose_constant_templates_too() -> None:
    check(
        HEADER
        + """
    @app.post("/get")
    def by_get(ticket: Ticket):
        prompt = ChatPromptTemplate.from_messages([("human", REPLY.get(ticket.style, REPLY["short"]))])
        return (prompt | llm).invoke({"employee": ticket.employee, "summary": "-"})  # <- AIS202
    @app.post("/tuple")
    def by_index(ticket: Ticket):
        template = STYLES[ticket.n]
        prompt = ChatPromptTemplate.from_messages([("system", SYSTEM), ("human", template)])
        chain = prompt | llm
        return chain.invoke({"employee": "-", "summary": ticket.description})  # <- AIS202
    """
    )


def test_a_chosen_system_template_filled_with_request_data_is_instruction_context() -> None:
    check(
        HEADER
        + """
    @app.post("/persona")
    def persona(ticket: Ticket):
        prompt = ChatPromptTemplate.from_messages([("system", PERSONAS[ticket.style]), ("human", "{q}")])
        return (prompt | llm).invoke({"team": ticket.employee, "q": "-"})  # <- AIS201
    """
    )


def test_look_alikes_bare_slots_clean_values_and_data_only_in_the_named_user_slot() -> None:
    check(
        HEADER
        + """
    @app.post("/bare")
    def bare(ticket: Ticket):
        prompt = ChatPromptTemplate.from_messages([("system", SYSTEM), ("human", BARE[ticket.style])])
        return (prompt | llm).invoke({"q": ticket.description, "question": ticket.description})
    @app.post("/clean")
    def clean(ticket: Ticket):
        prompt = ChatPromptTemplate.from_messages([("human", REPLY.get(ticket.style, REPLY["short"]))])
        return (prompt | llm).invoke({"employee": int(ticket.employee), "summary": str(ticket.n)})
    @app.post("/persona")
    def persona(ticket: Ticket):
        prompt = ChatPromptTemplate.from_messages([("system", PERSONAS[ticket.style]), ("human", "{q}")])
        return (prompt | llm).invoke({"team": "billing", "q": ticket.description})
    """
    )
