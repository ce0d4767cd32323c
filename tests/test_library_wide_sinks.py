"""A library-wide sink pattern (`llama_index.*` reading `system_prompt=`) is a sink only for the
calls that can pass that argument: every other call of the library keeps its own meaning
(`QA_TEMPLATE.format(query_str=q)` renders a prompt template, it sends nothing)."""

from __future__ import annotations

from test_prompt_injection import check

HEAD = """
    import json
    from flask import request
    from llama_index.core import PromptTemplate, Settings, VectorStoreIndex
    QA = PromptTemplate(
        "Answer the question using only the documentation excerpts.\\n"
        "Question: {query_str}\\nAnswer: "
    )
"""


def test_a_rendered_llama_index_template_carries_request_data_into_the_prompt() -> None:
    check(
        HEAD
        + """
    def plain():
        return Settings.llm.complete(QA.format(query_str=request.args["q"]))  # <- AIS202
    def local():
        qa = PromptTemplate("Rewrite the question below so it is formal and self-contained: {q}")
        return Settings.llm.complete(qa.format(q=request.args["q"]))  # <- AIS202
    """
    )


def test_a_rendered_template_filled_with_encoded_cast_or_constant_values_is_clean() -> None:
    check(
        HEAD
        + """
    def encoded():
        return Settings.llm.complete(QA.format(query_str=json.dumps(request.args["q"])))
    def cast():
        return Settings.llm.complete(QA.format(query_str=int(request.args["n"])))
    def constant():
        return Settings.llm.complete(QA.format(query_str="What is a vector index?"))
    """
    )


def test_the_library_wide_pattern_still_reads_its_argument_given_by_name_or_spread() -> None:
    check(
        HEAD
        + """
    index = VectorStoreIndex([])
    def named():
        return index.as_chat_engine(system_prompt="You support " + request.args["p"])  # <- AIS201
    def spread():
        options = {"system_prompt": "You support " + request.args["p"]}
        return index.as_chat_engine(**options)  # <- AIS201
    def absent():
        return index.as_chat_engine(chat_mode="context").chat(request.args["q"])
    """
    )
