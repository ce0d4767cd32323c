"""Web UI handler shapes (issue 12, dev8): a Gradio handler with several outputs shows only the
returned tuple's elements at `gr.HTML` positions as HTML; a NiceGUI element styled where it is
built (`ui.textarea(...).classes(...)`) is still the element, its `.value` still user input."""

from __future__ import annotations

from test_taint_app_shapes import check


def test_a_gradio_handler_with_several_outputs_shows_the_html_position_only() -> None:
    check(
        """
        import html
        import gradio as gr
        from openai import OpenAI

        client = OpenAI()

        def ask(q):
            return client.responses.create(model="gpt-4.1", input=q).output_text

        def card(dish):
            text = ask(dish)
            return text.splitlines()[0], f"<div>{text}</div>"  # <- AIS303

        def swapped(dish):
            text = ask(dish)
            return f"<div>{text}</div>", "<hr>"

        def escaped(dish):
            text = ask(dish)
            return text, f"<div>{html.escape(text)}</div>"

        with gr.Blocks() as demo:
            dish = gr.Textbox()
            title = gr.Textbox()
            page = gr.HTML()
            gr.Button("a").click(card, inputs=dish, outputs=[title, page])
            gr.Button("b").click(swapped, inputs=dish, outputs=[title, gr.HTML()])
            gr.Button("c").click(escaped, inputs=dish, outputs=[title, page])
        """
    )


def test_a_styled_nicegui_element_is_still_the_element() -> None:
    check(
        """
        import anthropic
        from nicegui import ui

        client = anthropic.Anthropic()

        @ui.page("/")
        def index():
            notes = ui.textarea("Notes").classes("w-full").props("outlined")
            count = ui.number("Count").classes("w-20")

            def actions():
                msg = client.messages.create(model="m", max_tokens=9, messages=[{"role": "user", "content": f"List the action items with owners, from these notes: {notes.value}"}])  # <- AIS202
                ui.notify(msg.content[0].text)

            def counted():
                msg = client.messages.create(model="m", max_tokens=9, messages=[{"role": "user", "content": f"List the top action items, at most {count.value} of them"}])
                ui.notify(msg.content[0].text)

            ui.button("Actions", on_click=actions)
            ui.button("Counted", on_click=counted)
        """
    )


def test_a_ui_object_passed_into_a_helper_keeps_its_library_type() -> None:
    check(
        """
        import streamlit as st
        from nicegui import ui
        from openai import OpenAI

        client = OpenAI()

        def ask(q):
            return client.responses.create(model="gpt-4.1", input=q).output_text

        def show(box, text):
            box.markdown(f"<div>{text}</div>", unsafe_allow_html=True)

        def note(box, text):
            box.markdown(text)

        def render(target, text):
            target.set_content(text)

        def label(target, text):
            target.set_text(text)

        def page():
            answer = ask(st.text_input("q"))
            show(st.container(border=True), answer)  # <- AIS303
            note(st.sidebar, answer)
            render(ui.html(""), answer)  # <- AIS303
            label(ui.label(), answer)

        page()
        """
    )


def test_a_helper_given_a_local_object_names_no_library_type() -> None:
    check(
        """
        import streamlit as st
        from openai import OpenAI

        client = OpenAI()

        class Card:
            def markdown(self, text, unsafe_allow_html=False):
                self.text = text

        def show(box, text):
            box.markdown(text, unsafe_allow_html=True)

        answer = client.responses.create(model="gpt-4.1", input=st.text_input("q")).output_text
        show(Card(), answer)
        """
    )


REVIEWERS = """
from fastapi import FastAPI, Form
from openai import OpenAI

app = FastAPI()
client = OpenAI()

class Reviewer:
    def __init__(self, diff):
        self.diff = diff

    def guidance(self):
        return "Review the diff for bugs."

    def run(self):
        return client.responses.create(model="gpt-4.1", instructions=self.guidance(), input=self.diff).output_text  MARK

class Strict(Reviewer):
    def guidance(self):
        return "Review the diff for security problems only."
"""


def test_an_inherited_method_runs_a_subclass_override_it_calls_through_self() -> None:
    check(
        REVIEWERS.replace("MARK", "# <- AIS201")
        + """
class Custom(Reviewer):
    def __init__(self, diff, focus):
        super().__init__(diff)
        self.focus = focus

    def guidance(self):
        return f"Review the diff. Focus on: {self.focus}"

@app.post("/review")
def review(diff: str = Form(...), focus: str = Form(...)):
    return {"a": Strict(diff).run(), "b": Custom(diff, focus).run()}
"""
    )


def test_overrides_in_unrelated_classes_or_with_constants_add_nothing() -> None:
    check(
        REVIEWERS.replace("MARK", "")
        + """
class Note:
    def __init__(self, focus):
        self.focus = focus

    def guidance(self):
        return f"Focus on: {self.focus}"

@app.post("/review")
def review(diff: str = Form(...), focus: str = Form(...)):
    return {"a": Strict(diff).run(), "b": Note(focus).guidance()}
"""
    )


def test_a_pipe_bound_to_a_name_is_called_as_the_step_whose_result_it_returns() -> None:
    check(
        """
        from flask import Flask, request
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate
        from langchain_core.runnables import RunnableLambda
        from langchain_openai import ChatOpenAI

        app = Flask(__name__)
        llm = ChatOpenAI()
        ASK = "Summarise the following request in one line, then answer it: "

        def tidy(text):
            return text.strip()

        @app.post("/a")
        def a():
            chain = RunnableLambda(tidy) | llm
            return {"x": chain.invoke(ASK + request.form["q"]).content}  # <- AIS202

        @app.post("/b")
        def b():
            chain = llm | StrOutputParser()
            return {"x": chain.invoke(ASK + request.form["q"])}  # <- AIS202

        @app.post("/alone")
        def alone():
            chain = llm | StrOutputParser()
            return {"x": chain.invoke(request.form["q"])}

        @app.post("/templated")
        def templated():
            prompt = ChatPromptTemplate.from_messages([("system", "Answer briefly."), ("human", "{question}")])
            chain = prompt | llm | StrOutputParser()
            return {"x": chain.invoke({"question": request.form["q"]})}

        @app.post("/sets")
        def sets():
            tags = {"a", "b"} | set(request.form.getlist("tag"))
            return {"tags": sorted(tags)}
        """
    )


def test_a_django_forms_file_fields_hold_the_upload_and_its_other_fields_the_posted_data() -> None:
    check(
        """
        from anthropic import Anthropic
        from django import forms

        client = Anthropic()

        class ReplyForm(forms.Form):
            instructions = forms.CharField(required=False)
            attachment = forms.FileField(required=False)

        def post(request):
            form = ReplyForm(request.POST, request.FILES)
            if not form.is_valid():
                return None
            extra = form.cleaned_data["instructions"]
            notes = form.cleaned_data.get("attachment").read().decode()
            a = client.messages.create(model="m", max_tokens=5, system="Agent instructions: " + extra, messages=[{"role": "user", "content": "x"}])  # <- AIS201
            b = client.messages.create(model="m", max_tokens=5, system="Attachment: " + notes, messages=[{"role": "user", "content": "x"}])  # <- AIS204
            c = client.messages.create(model="m", max_tokens=5, system="Agent notes: " + form.cleaned_data["other"], messages=[{"role": "user", "content": "x"}])  # <- AIS201, AIS204
            return a, b, c
        """
    )


def test_flask_g_and_session_entries_carry_what_another_handler_wrote() -> None:
    check(
        """
        from anthropic import Anthropic
        from flask import Flask, g, request, session

        app = Flask(__name__)
        client = Anthropic()

        @app.before_request
        def load_user():
            g.persona = session.get("persona", "a helpful agent")
            g.locale = "en"

        @app.post("/persona")
        def set_persona():
            session["persona"] = request.get_json(silent=True)["persona"]
            session["theme"] = "dark"
            return {"ok": True}

        @app.post("/ask")
        def ask():
            msg = client.messages.create(model="m", max_tokens=9, system=f"You are {g.persona}.", messages=[{"role": "user", "content": "hi"}])  # <- AIS201
            return {"a": msg.content[0].text}

        @app.post("/ask-localised")
        def ask_localised():
            msg = client.messages.create(model="m", max_tokens=9, system=f"Answer in {g.locale}. Theme: {session['theme']}.", messages=[{"role": "user", "content": "hi"}])
            return {"a": msg.content[0].text}
        """
    )


def test_a_local_object_named_like_a_store_is_not_the_store() -> None:
    check(
        """
        from anthropic import Anthropic
        from flask import Flask, request

        app = Flask(__name__)
        client = Anthropic()

        def remember(session):
            session["persona"] = request.form["persona"]

        @app.post("/ask")
        def ask():
            session = {"persona": "a helpful agent"}
            msg = client.messages.create(model="m", max_tokens=9, system=f"You are {session['persona']}.", messages=[{"role": "user", "content": "hi"}])
            return {"a": msg.content[0].text}
        """
    )


def test_a_replaced_list_element_and_a_registry_setdefault_keep_what_they_hold() -> None:
    check(
        """
        import litellm
        from fastapi import FastAPI

        app = FastAPI()

        class Chat:
            def __init__(self, persona):
                self.persona = persona

            def system(self):
                return {"role": "system", "content": f"You are {self.persona}."}

        SESSIONS: dict[str, Chat] = {}

        @app.post("/restyle")
        def restyle(style: str, q: str):
            messages = [{"role": "system", "content": "You help."}, {"role": "user", "content": q}]
            messages[0] = {"role": "system", "content": f"You help sales reps. Style: {style}"}
            return litellm.completion(model="m", messages=messages).choices[0].message.content  # <- AIS201

        @app.post("/plain")
        def plain(style: str, q: str):
            messages = [{"role": "system", "content": "You help."}, {"role": "user", "content": q}]
            messages[-1] = {"role": "user", "content": f"{q}"}
            return litellm.completion(model="m", messages=messages).choices[0].message.content

        @app.post("/session")
        def session(sid: str, persona: str):
            chat = SESSIONS.setdefault(sid, Chat(persona))
            return litellm.completion(model="m", messages=[chat.system()]).choices[0].message.content  # <- AIS201

        @app.post("/constant-session")
        def constant_session(sid: str):
            chat = SESSIONS.get(sid) or Chat("a helpful agent")
            return litellm.completion(model="m", messages=[{"role": "user", "content": sid}]).choices[0].message.content
        """
    )


def test_setdefault_hands_back_no_data_of_the_keys() -> None:
    check(
        """
        from anthropic import Anthropic
        from flask import Flask, request

        app = Flask(__name__)
        client = Anthropic()
        HISTORIES: dict[str, list] = {}

        @app.post("/chat/<cid>")
        def chat(cid):
            history = HISTORIES.setdefault(cid, [])
            history.append({"role": "user", "content": request.json["text"]})
            msg = client.messages.create(model="m", max_tokens=9, system="Be brief.", messages=history)
            return {"a": msg.content[0].text}
        """
    )
