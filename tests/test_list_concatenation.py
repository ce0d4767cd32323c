"""`unknown + [known, ...]`: the known elements follow an unknown number of others, so an index or
slice of the sum may be any of them (`industry, size = (fields + ["", ""])[:2]` pads a model's
answer)."""

from __future__ import annotations

from test_llm_output import check

HEAD = """
    import sqlite3
    from openai import OpenAI
    client = OpenAI()
    def fields() -> list[str]:
        resp = client.responses.create(model="m", input="Extract industry | size.")
        return [part.strip() for part in resp.output_text.split("|")]
"""


def test_a_padded_model_list_unpacked_still_carries_model_output() -> None:
    check(
        HEAD
        + """
    def save(conn: sqlite3.Connection):
        industry, size = (fields() + ["", ""])[:2]
        conn.execute(f"INSERT INTO leads VALUES ('{industry}', '{size}')")  # <- AIS302
    def first(conn: sqlite3.Connection):
        conn.execute(f"INSERT INTO leads VALUES ('{(fields() + ['unknown'])[0]}')")  # <- AIS302
    """
    )


def test_a_padded_list_of_cast_values_is_clean() -> None:
    check(
        HEAD
        + """
    def save(conn: sqlite3.Connection):
        size, revenue = ([int(part) for part in fields()] + [0, 0])[:2]
        conn.execute(f"INSERT INTO leads VALUES ({size}, {revenue})")
    """
    )
