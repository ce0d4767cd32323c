"""markupsafe's `Markup` escapes what it is formatted with (issue 12, heldout8b
flask_release_notes.py:212): `Markup("<p>%s</p>") % x`, `Markup("<p>{}</p>").format(x)`,
`Markup("<b>") + x` and `Markup(", ").join(xs)` run `escape` on every argument that is not
already `Markup`. The result is safe HTML unless the `Markup`'s own text is model output."""

from __future__ import annotations

from test_taint_app_shapes import check

APP = """
        from flask import Flask, request
        from markupsafe import Markup
        from openai import OpenAI

        app = Flask(__name__)
        client = OpenAI()

        def ask(q):
            return client.responses.create(model="gpt-4.1", input=q).output_text
"""  # indented as the views that follow it: `check` dedents the whole module


def test_formatting_a_constant_markup_escapes_model_output() -> None:
    check(
        APP
        + """

        @app.post("/percent")
        def percent():
            return Markup("<p>Tagged <code>%s</code></p>") % ask(request.form["q"])

        @app.post("/tuple")
        def tuple_():
            answer = ask(request.form["q"])
            return Markup("<p>%s: %s</p>") % ("answer", answer)

        @app.post("/mapping")
        def mapping():
            row = Markup("<li>%(text)s</li>")
            return row % {"text": ask(request.form["q"])}

        @app.post("/format")
        def format_():
            return Markup("<p>{}</p>").format(ask(request.form["q"]))

        @app.post("/format-keyword")
        def format_keyword():
            return Markup("<p>{answer}</p>").format(answer=ask(request.form["q"]))

        @app.post("/concat")
        def concat():
            return Markup("<div>") + ask(request.form["q"]) + Markup("</div>")

        @app.post("/join")
        def join():
            return Markup("<br>").join([ask(request.form["q"]), "done"])
        """
    )


def test_markup_of_model_output_or_a_plain_string_template_is_still_reported() -> None:
    check(
        APP
        + """

        @app.post("/own-text")
        def own_text():
            return Markup(ask(request.form["q"])) % ("x",)  # <- AIS303

        @app.post("/own-text-format")
        def own_text_format():
            return Markup(ask(request.form["q"])).format("x")  # <- AIS303

        @app.post("/plain")
        def plain():
            return "<p>%s</p>" % ask(request.form["q"])  # <- AIS303

        @app.post("/marked-after")
        def marked_after():
            return Markup("<p>%s</p>" % ask(request.form["q"]))  # <- AIS303

        @app.post("/plain-format")
        def plain_format():
            return "<p>{}</p>".format(ask(request.form["q"]))  # <- AIS303

        @app.post("/plain-concat")
        def plain_concat():
            return "<div>" + ask(request.form["q"])  # <- AIS303
        """
    )
