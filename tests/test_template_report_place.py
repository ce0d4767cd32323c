"""AIS203 is reported where untrusted text becomes a template: once for a template object (where
it is built), at each filling call for a plain format string (it has no other place)."""

from __future__ import annotations

from test_prompt_injection import check


def test_a_template_object_is_reported_where_built_not_where_filled() -> None:
    check(
        """
    import argparse
    from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
    from langchain_openai import ChatOpenAI
    from flask import request
    llm = ChatOpenAI()
    cli = argparse.ArgumentParser()
    cli.add_argument("--prompt-template")
    args = cli.parse_args()
    if args.prompt_template:
        task_prompt = PromptTemplate.from_template(args.prompt_template)  # <- AIS203
    else:
        task_prompt = PromptTemplate.from_template("Write a Python function that {instruction}.")
    for instruction in ("sorts rows", "drops duplicates"):
        llm.invoke(task_prompt.format(instruction=instruction))
        llm.invoke(task_prompt.format_prompt(instruction=instruction).to_string())
    def preview():
        template = PromptTemplate(template=request.form["t"], input_variables=["x"])  # <- AIS203
        chat = ChatPromptTemplate.from_messages([("system", "Be brief."), ("human", request.form["h"])])  # <- AIS203
        llm.invoke(template.format(x="1"))
        (chat | llm).invoke({"x": "1"})
        return chat.format_messages(x="2")
    """
    )


def test_a_plain_format_string_is_reported_at_each_call_that_fills_it() -> None:
    check(
        """
    from flask import request
    from langchain_core.prompts import PromptTemplate
    from langchain_openai import ChatOpenAI
    llm = ChatOpenAI()
    def ask():
        template = request.form["template"]
        first = llm.invoke(template.format(topic="cats")).content  # <- AIS203
        text = template.format_map({"topic": "dogs"})  # <- AIS203
        return first + llm.invoke(text).content
    def joined(choice: str):
        template = PromptTemplate.from_template("Rewrite: {text}") if choice else request.form["t"]
        return llm.invoke(template.format(text="x"))  # <- AIS203
    """
    )
