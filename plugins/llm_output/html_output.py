"""AIS303: model output rendered as HTML without escaping (XSS through the model)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aisec.hooks import Example, Severity, SinkFlow, cst

from .catalog import DASH_MARKDOWN, HTML, TOOL_ARGUMENTS_DOC
from .content_types import (
    body_target,
    html_response_body,
    html_typed_objects,
    json_text,
    served_as_html,
    sets_other_type,
)
from .flows import OutputFlowRule, sink_triggers
from .html_routes import TRIGGERS as ROUTE_TRIGGERS
from .html_routes import (
    WHOLE,
    gradio_html_handlers,
    html_route,
    response_helpers,
    response_objects,
    text_like,
)

if TYPE_CHECKING:
    import libcst

_NEEDS_UNSAFE_FLAG = ("markdown", "write")  # Streamlit escapes unless unsafe_allow_html=True


class ModelOutputAsHtml(OutputFlowRule):
    code = "AIS303"
    name = "llm-output-rendered-as-html"
    summary = "Model output rendered as HTML without escaping"
    severity = Severity.MEDIUM
    cwe = "CWE-79"
    roles = (HTML,)
    triggers = (*sink_triggers((HTML,)), *ROUTE_TRIGGERS, "text/html", "MEDIA_HTML")
    description = (
        "Text an LLM returned is marked safe or rendered as raw HTML: `markupsafe.Markup(...)`, "
        "Django `mark_safe` or `format_html` with the model text as the format string, "
        "Starlette/FastAPI `HTMLResponse`, Django `HttpResponse` and Flask "
        "`Response` / `make_response` (text/html by default), Streamlit `st.markdown` / "
        "`st.write` with `unsafe_allow_html=True`, `st.html` and `components.html`, Django "
        "`SafeString`, Tornado `RequestHandler.write`/`finish` of text (a dict, a `json.dumps(...)` "
        "text or a handler that sets a non-HTML `Content-Type` header is JSON), Sanic "
        "`response.html`, Gradio `gr.HTML` (also what an event handler returns when its output "
        "component is one: `btn.click(fn, inputs=box, outputs=page)` with `page = gr.HTML()`, or the "
        "returned tuple's element at an `HTML` position of several outputs, "
        "`gr.Interface(fn, 'text', outputs='html')`), IPython `HTML`, NiceGUI `ui.html` (its `set_content` too, and `add_body_html`/"
        "`add_head_html`), Panel `pn.pane.HTML`, Reflex `rx.html`, Dash `dcc.Markdown` with "
        "`dangerously_allow_html=True`, an `html.Iframe(srcDoc=...)` and "
        "`dash_dangerously_set_inner_html`; responses that are HTML because their "
        'content type says so (aiohttp `web.Response(..., content_type="text/html")`, Sanic '
        "`HTTPResponse`/`raw`, Starlette/FastAPI/Litestar `Response(media_type=...)`, also "
        '`MediaType.HTML`, Azure Functions `func.HttpResponse(..., mimetype="text/html")`), a '
        "response object given its body by attribute (Falcon `resp.text`/`resp.data`, Pyramid and "
        "WebOb `response.text`/`response.body`) after the same function set its `content_type` to "
        "HTML (`resp.content_type = falcon.MEDIA_HTML` or `'text/html'`), and a "
        "Lambda/API Gateway response dict whose headers say `text/html`; a literal non-HTML "
        'content type (`content_type="application/json"`, `mimetype=`, `media_type=`, '
        '`headers={"Content-Type": ...}`) makes a response that is HTML by default not HTML; '
        "and model text *returned* by a Flask/Quart view as a string "
        "(an f-string, a name, a helper's or `markdown.markdown`'s result: Flask serves it as "
        "text/html; a Bottle view's too) or by a FastAPI route declared with "
        "`response_class=HTMLResponse`. A dict, "
        "`jsonify(...)` returned by a view is not HTML, nor is a response object (`HTMLResponse(page)` "
        "is judged where it is built), also one a same-module helper returns on every path "
        "(`return render_page(title, body)` where `render_page` returns `HTMLResponse(...)`). "
        "Autoescaping renderers escape every value "
        "they substitute: Flask's (and Quart's) `render_template` and `render_template_string` (the template's own "
        "text is not escaped: model text spliced into it is reported, and neither is a value the "
        "template marks `|safe` or puts in an `autoescape false` block), Django `render` and "
        "`render_to_string`, Starlette/FastAPI `Jinja2Templates.TemplateResponse`, Bottle "
        "`template` (except a `{{!x}}` value), and a template of a Jinja2 `Environment` made with "
        "`autoescape=True` (or `select_autoescape()`: strings and `.html`/`.htm`/`.xml` names) when "
        "the render call names it (`env.from_string(PAGE).render(...)`, "
        "`env.get_template('page.html').render(...)`; a template first bound to a name is not "
        "known to escape, so its values are reported). Chat UIs that "
        "render the model's markdown as HTML are the usual case.\n\n"
        "Escaped or sanitised text is not reported: `html.escape`, `markupsafe.escape`, "
        "Django's `escape`/`conditional_escape`/`strip_tags`, Tornado's `xhtml_escape`, the "
        "older `jinja2.escape`/`flask.escape`/`cgi.escape`, "
        "`bleach.clean`, `nh3.clean`, lxml's `clean_html`; nor is Streamlit without `unsafe_allow_html`, nor model text "
        "passed as an argument of `format_html` or a row of `format_html_join` (they escape "
        "their arguments and separator: their result, served as HTML, is escaped text), nor model "
        "text a constant `Markup` is formatted, concatenated or joined with "
        "(`Markup('<p>%s</p>') % text`, `Markup('<p>{}</p>').format(text)`, `Markup('<b>') + text`: "
        "markupsafe escapes every operand; a `Markup` whose own text is model output is reported "
        "where it is built)." + "\n\n" + TOOL_ARGUMENTS_DOC
    )
    rationale = (
        "A prompt-injected model (through a poisoned document, web page or message) can answer "
        "with `<script>` or an `<img src=x onerror=...>` that runs in the user's browser, or with a "
        "markdown image whose URL carries the conversation to the attacker. Rendering model output "
        "as trusted HTML gives the attacker the page."
    )
    remediation = (
        "Render model output as text (let the template engine escape it), or convert its markdown "
        "and sanitise the resulting HTML with an allowlist sanitiser (`nh3.clean`, `bleach.clean`) "
        "that drops scripts, event handlers and external images. Pass model text to `format_html` "
        "as an argument, never as the format string."
    )
    references = (
        "https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/",
        "https://cwe.mitre.org/data/definitions/79.html",
        "https://embracethered.com/blog/posts/2023/bing-chat-data-exfiltration-poc-and-fix/",
    )
    invalid = (
        # a Gradio handler whose output component is HTML
        'import gradio as gr\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef card(topic):\n    text = client.responses.create(model="gpt-4.1", input=topic).output_text\n    return f"<div class=\'card\'>{text}</div>"\n\n\nwith gr.Blocks() as demo:\n    topic = gr.Textbox()\n    page = gr.HTML()\n    gr.Button("Card").click(card, inputs=topic, outputs=page)\n',
        # a Falcon responder that sets its response's content type to HTML
        'import falcon\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\nclass Card:\n    def on_get(self, req, resp):\n        text = client.responses.create(model="gpt-4.1", input=req.get_param("topic")).output_text\n        resp.content_type = falcon.MEDIA_HTML\n        resp.text = f"<div>{text}</div>"\n',
        # Streamlit chat UI
        'import streamlit as st\nfrom openai import OpenAI\n\nclient = OpenAI()\n\nif prompt := st.chat_input("Ask"):\n    resp = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])\n    st.markdown(resp.choices[0].message.content, unsafe_allow_html=True)\n',
        # Flask markdown to HTML
        'import markdown\nfrom flask import Flask, request\nfrom markupsafe import Markup\nfrom openai import OpenAI\n\napp = Flask(__name__)\nclient = OpenAI()\n\n\n@app.post("/chat")\ndef chat():\n    answer = client.responses.create(model="gpt-4.1", input=request.form["q"]).output_text\n    return {"html": str(Markup(markdown.markdown(answer)))}\n',
        # FastAPI HTMLResponse
        'from fastapi import FastAPI\nfrom fastapi.responses import HTMLResponse\nfrom langchain_openai import ChatOpenAI\n\napp = FastAPI()\nllm = ChatOpenAI()\n\n\n@app.get("/summary")\ndef summary(topic: str):\n    text = llm.invoke(f"Summarise {topic}").content\n    return HTMLResponse(f"<article>{text}</article>")\n',
        # Django mark_safe
        'import anthropic\nfrom django.shortcuts import render\nfrom django.utils.safestring import mark_safe\n\nclient = anthropic.Anthropic()\n\n\ndef reply(request):\n    msg = client.messages.create(model="claude-sonnet-4-5", max_tokens=500, messages=[{"role": "user", "content": request.POST["q"]}])\n    return render(request, "chat.html", {"answer": mark_safe(msg.content[0].text)})\n',
        # Gradio HTML
        'import gradio as gr\nimport ollama\n\n\ndef card(topic):\n    reply = ollama.chat(model="llama3", messages=[{"role": "user", "content": f"An HTML card about {topic}"}])\n    return gr.HTML(reply["message"]["content"])\n',
        # Flask template string (also template injection)
        'from flask import Flask, make_response\nfrom google import genai\n\napp = Flask(__name__)\nclient = genai.Client()\n\n\n@app.get("/page")\ndef page():\n    html = client.models.generate_content(model="gemini-2.5-flash", contents="A landing page").text\n    return make_response(html)\n',
        # Django format_html with model text as the format string
        Example(
            'from django.utils.html import format_html\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef badge(user):\n    label = client.responses.create(model="gpt-4.1", input="A short badge label").output_text\n    return format_html(label + " <b>{}</b>", user.name)\n',
            expect=1,
        ),
        # format_html_join's format string from the model (its separator and rows are escaped)
        'from django.http import HttpResponse\nfrom django.utils.html import format_html_join\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef rows(request, items):\n    row = client.responses.create(model="gpt-4.1", input="An HTML row template").output_text\n    return HttpResponse(format_html_join("\\n", row, ((i,) for i in items)))\n',
        # Django view: HttpResponse is text/html by default
        'from django.http import HttpResponse\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef answer(request):\n    return HttpResponse(ask(request.GET["q"]))\n',
        # Streamlit component HTML
        'import streamlit.components.v1 as components\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ncomponents.html(ask("Summarise the ticket"))\n',
        # a Flask view returning the model's markdown rendered to HTML
        'import markdown\nfrom flask import Flask, request\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\napp = Flask(__name__)\n\n\n@app.get("/answer")\ndef answer():\n    return markdown.markdown(ask(request.args["q"]))\n',
        # a FastAPI route declared to answer HTML
        'from fastapi import FastAPI\nfrom fastapi.responses import HTMLResponse\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\napi = FastAPI()\n\n\n@api.get("/card", response_class=HTMLResponse)\ndef card(topic: str):\n    return f"<div class=\'card\'>{ask(topic)}</div>"\n',
        # model text spliced into the template itself is not escaped by the renderer
        Example(
            'from flask import Flask, render_template_string\nfrom openai import OpenAI\n\nclient = OpenAI()\napp = Flask(__name__)\n\n\n@app.post("/summary")\ndef summary():\n    text = client.responses.create(model="gpt-4.1", input="Summarise").output_text\n    page = render_template_string("<h2>Summary</h2>" + text, title="Summary")\n    return page\n\n\n@app.post("/card")\ndef card():\n    text = client.responses.create(model="gpt-4.1", input="A card").output_text\n    return render_template_string("<section>{{ body|safe }}</section>", body=text)\n',
            expect=2,
        ),
        # a Tornado handler writing text (text/html by default)
        'import tornado.web\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\nclass Answer(tornado.web.RequestHandler):\n    def get(self):\n        self.write(ask(self.get_argument("q")))\n',
        'from aiohttp import web\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\nasync def card(request):\n    text = ask(request.query["topic"])\n    return web.Response(text=f"<div>{text}</div>", content_type="text/html")\n',
        'from openai import OpenAI\nfrom sanic import Sanic, response\n\napp = Sanic("chat")\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\n@app.post("/chat")\nasync def chat(request):\n    return response.html("<section>" + ask(request.json["q"]) + "</section>")\n',
        'from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef handler(event, context):\n    answer = ask(event["body"])\n    return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": "<main>" + answer + "</main>"}\n',
        # a module-level service declared with its class and created at startup
        Example(
            'from markupsafe import Markup\nfrom openai import AsyncOpenAI\nfrom quart import Quart, render_template_string\n\napp = Quart(__name__)\n\n\nclass Titles:\n    def __init__(self):\n        self.client = AsyncOpenAI()\n\n    async def title(self, text):\n        return (await self.client.responses.create(model="gpt-4.1", input=text)).output_text\n\n\nservice: Titles | None = None\n\n\n@app.before_serving\nasync def start():\n    global service\n    service = Titles()\n\n\n@app.get("/view")\nasync def view():\n    title = await service.title("Name this chat")\n    return await render_template_string("<h1>{{ t }}</h1>", t=Markup(title))\n',
            expect=1,
        ),
        # model text written into each element of a list (an attribute, a key), rendered later
        Example(
            'from markupsafe import Markup\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef cards(articles, rows):\n    return [Markup(f"<p>{a.summary}</p>") for a in articles] + [Markup(r["note"]) for r in rows]\n\n\ndef digest(articles, rows):\n    for article in articles:\n        article.summary = ask(article.text)\n    for row in rows:\n        row["note"] = ask(row["text"])\n    return cards(articles, rows)\n',
            expect=2,
        ),
        # a Haystack generator\'s reply
        'from fastapi import FastAPI\nfrom fastapi.responses import HTMLResponse, PlainTextResponse\nfrom haystack.components.generators.chat import OpenAIChatGenerator\nfrom haystack.dataclasses import ChatMessage\n\napp = FastAPI()\nchat = OpenAIChatGenerator()\n\n\n@app.get("/ask")\ndef ask(question: str):\n    reply = chat.run(messages=[ChatMessage.from_user(question)])["replies"][0]\n    return HTMLResponse(f"<section>{reply.text}</section>")\n',
        # responses whose content type is declared HTML (a literal or a media-type constant)
        'import azure.functions as func\nfrom openai import OpenAI\n\napp = func.FunctionApp()\nclient = OpenAI()\n\n\n@app.route(route="letter")\ndef letter(req: func.HttpRequest) -> func.HttpResponse:\n    resp = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": req.params.get("topic", "")}])\n    answer = resp.choices[0].message.content\n    return func.HttpResponse(f"<article>{answer}</article>", mimetype="text/html")\n',
        'from litestar import Litestar, MediaType, Response, get\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\n@get("/agenda")\nasync def agenda(title: str) -> Response:\n    resp = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": title}])\n    return Response(f"<ul>{resp.choices[0].message.content}</ul>", media_type=MediaType.HTML)\n',
        # Bottle: a view\'s string is served as text/html; `{{!x}}` turns escaping off
        'from bottle import get, request, template\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\n@get("/digest")\ndef digest():\n    summary = ask(request.query.get("topic", ""))\n    return template("<div>{{!summary}}</div>", summary=summary)\n',
        'from bottle import get, request, template\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\n@get("/digest")\ndef digest():\n    summary = ask(request.query.get("topic", ""))\n    return f"<div>{summary}</div>"\n',
    )
    valid = (
        # the same handler shown by a Markdown component (Gradio sanitises it) or a text box
        'import gradio as gr\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef card(topic):\n    text = client.responses.create(model="gpt-4.1", input=topic).output_text\n    return f"<div class=\'card\'>{text}</div>"\n\n\nwith gr.Blocks() as demo:\n    topic = gr.Textbox()\n    page = gr.HTML("<h1>Cards</h1>")\n    shown = gr.Markdown()\n    gr.Button("Card").click(card, inputs=topic, outputs=shown)\n    gr.Button("Plain").click(card, inputs=topic, outputs=[gr.Textbox()])\n',
        # Falcon serves JSON unless told otherwise; another object's content type says nothing
        'import falcon\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\nclass Card:\n    def on_get(self, req, resp):\n        text = client.responses.create(model="gpt-4.1", input=req.get_param("topic")).output_text\n        resp.text = text\n        resp.media = {"card": f"<div>{text}</div>"}\n\n    def on_post(self, req, resp):\n        text = client.responses.create(model="gpt-4.1", input="A tip").output_text\n        req.context.content_type = "text/html"\n        resp.content_type = falcon.MEDIA_TEXT\n        resp.text = text\n',
        # Quart renders like Flask: values are escaped, awaited or not
        'from openai import AsyncOpenAI\nfrom quart import Quart, render_template_string\n\napp = Quart(__name__)\nclient = AsyncOpenAI()\nPAGE = "<h1>{{ title }}</h1>"\n\n\n@app.get("/view")\nasync def view():\n    title = (await client.responses.create(model="gpt-4.1", input="A title")).output_text\n    return await render_template_string(PAGE, title=title)\n',
        # a loop writing model text into its element only shares it with that collection
        'from markupsafe import Markup\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef digest(articles, headlines):\n    for article in articles:\n        article.summary = ask(article.text)\n    for headline in headlines:\n        headline.title = "Read more"\n    return [Markup(f"<h2>{h.title}</h2>") for h in headlines]\n',
        # autoescaping renderers: the model text is a value, escaped where it is substituted
        'from django.http import HttpResponse\nfrom django.template.loader import render_to_string\nfrom flask import Flask, render_template_string\nfrom openai import OpenAI\n\nclient = OpenAI()\napp = Flask(__name__)\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\n@app.post("/summary")\ndef summary():\n    page = render_template_string("<h2>Summary</h2><p>{{ s }}</p>", s=ask("Summarise"))\n    return page\n\n\ndef card(request):\n    return HttpResponse(render_to_string("card.html", {"body": ask("A card")}))\n',
        # escaped
        'import html\n\nimport streamlit as st\nfrom openai import OpenAI\n\nclient = OpenAI()\nresp = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])\nst.markdown(f"<div class=answer>{html.escape(resp.choices[0].message.content)}</div>", unsafe_allow_html=True)\n',
        # Streamlit escapes by default
        "import streamlit as st\nfrom langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI()\nif q := st.chat_input():\n    st.markdown(llm.invoke(q).content)\n",
        # sanitised markdown
        'import bleach\nimport markdown\nfrom flask import Flask, request\nfrom markupsafe import Markup\nfrom openai import OpenAI\n\napp = Flask(__name__)\nclient = OpenAI()\n\n\n@app.post("/chat")\ndef chat():\n    answer = client.responses.create(model="gpt-4.1", input=request.form["q"]).output_text\n    return str(Markup(bleach.clean(markdown.markdown(answer), tags={"p", "ul", "li", "code"})))\n',
        # format_html escapes its arguments
        'from django.utils.html import format_html\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef answer_html(question):\n    text = client.responses.create(model="gpt-4.1", input=question).output_text\n    return format_html("<p class=answer>{}</p>", text)\n',
        # the escaped fragment (arguments, keyword arguments, format_html_join rows) served as HTML
        'from django.http import HttpResponse\nfrom django.utils.html import format_html, format_html_join\nfrom django.utils.safestring import mark_safe\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef headline(request):\n    text = client.responses.create(model="gpt-4.1", input="A headline").output_text\n    fragment = format_html("<h2>{}</h2>", text) + format_html("<p>{t}</p>", t=text)\n    items = format_html_join(text, "<li>{}</li>", ((w,) for w in text.split()))\n    return HttpResponse(fragment + mark_safe("<hr>") + items)\n',
        # markupsafe.escape
        'from fastapi.responses import HTMLResponse\nfrom markupsafe import escape\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef page(q):\n    text = client.responses.create(model="gpt-4.1", input=q).output_text\n    return HTMLResponse(f"<pre>{escape(text)}</pre>")\n',
        # constant HTML next to an LLM call
        'import gradio as gr\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef answer(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\nwith gr.Blocks() as demo:\n    gr.HTML("<h1>Support bot</h1>")\n    gr.Textbox(label="Answer")\n',
        'import html\nfrom django.http import HttpResponse\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef answer(request):\n    return HttpResponse(html.escape(ask(request.GET["q"])))\n',
        # Django's own escaper
        'from django.http import HttpResponse\nfrom django.utils.html import escape\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef answer(request):\n    return HttpResponse(escape(ask(request.GET["q"])))\n',
        # JSON and autoescaped templates are not raw HTML
        'from flask import Flask, jsonify, render_template\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\napp = Flask(__name__)\n\n\n@app.get("/a")\ndef a():\n    return jsonify(answer=ask("x"))\n\n\n@app.get("/b")\ndef b():\n    return render_template("b.html", answer=ask("x"))\n\n\n@app.get("/c")\ndef c():\n    return {"answer": ask("x")}\n',
        # FastAPI answers JSON by default
        'from fastapi import FastAPI\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\napi = FastAPI()\n\n\n@api.get("/card")\ndef card(topic: str):\n    return ask(topic)\n',
        # Tornado writes a dict as JSON
        'import tornado.web\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\nclass Answer(tornado.web.RequestHandler):\n    def get(self):\n        self.write({"answer": ask(self.get_argument("q"))})\n',
        'from aiohttp import web\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\nasync def card(request):\n    return web.Response(text=ask(request.query["topic"]), content_type="text/plain")\n',
        'import json\n\nimport tornado.escape\nimport tornado.web\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\nclass Answer(tornado.web.RequestHandler):\n    def get(self):\n        self.write(tornado.escape.xhtml_escape(ask(self.get_argument("q"))))\n\n\nclass AnswerJson(tornado.web.RequestHandler):\n    def get(self):\n        self.set_header("Content-Type", "application/json")\n        self.write(json.dumps({"answer": ask(self.get_argument("q"))}))\n',
        'import json\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\ndef handler(event, context):\n    body = json.dumps({"answer": ask(event["body"])})\n    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": body}\n',
        'from fastapi import FastAPI\nfrom fastapi.responses import HTMLResponse, PlainTextResponse\nfrom haystack.components.generators.chat import OpenAIChatGenerator\nfrom haystack.dataclasses import ChatMessage\n\napp = FastAPI()\nchat = OpenAIChatGenerator()\n\n\n@app.get("/ask")\ndef ask(question: str):\n    reply = chat.run(messages=[ChatMessage.from_user(question)])["replies"][0]\n    return PlainTextResponse(reply.text)\n',
        # the same responses served as JSON or plain text (Azure\'s default)
        'import azure.functions as func\nfrom openai import OpenAI\n\napp = func.FunctionApp()\nclient = OpenAI()\n\n\n@app.route(route="letter")\ndef letter(req: func.HttpRequest) -> func.HttpResponse:\n    resp = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": req.params.get("topic", "")}])\n    answer = resp.choices[0].message.content\n    return func.HttpResponse(f"<article>{answer}</article>")\n',
        'from litestar import Litestar, MediaType, Response, get\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\n@get("/agenda")\nasync def agenda(title: str) -> Response:\n    resp = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": title}])\n    return Response(f"<ul>{resp.choices[0].message.content}</ul>", media_type=MediaType.JSON)\n',
        'from bottle import get, request, template\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\n@get("/digest")\ndef digest():\n    summary = ask(request.query.get("topic", ""))\n    return template("<div>{{summary}}</div>", summary=summary)\n',
        'from bottle import get, request, template\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.responses.create(model="gpt-4.1", input=q).output_text\n\n\n@get("/digest")\ndef digest():\n    summary = ask(request.query.get("topic", ""))\n    return {"summary": summary}\n',
    )

    def accepts(self, flow: SinkFlow) -> bool:
        if not super().accepts(flow):
            return False
        pattern = flow.sink.pattern if flow.sink else ""
        if pattern.startswith("streamlit.") and pattern.rsplit(".", 1)[-1] in _NEEDS_UNSAFE_FLAG:
            return self._flag_set(flow, "unsafe_allow_html")
        if pattern == DASH_MARKDOWN:
            return self._flag_set(flow, "dangerously_allow_html")
        if pattern.startswith("tornado."):  # a dict or a JSON text is written as JSON
            chunk = self.args.get(self._current, "chunk", 0)
            return (
                chunk is not None
                and not isinstance(chunk.value, cst.Dict)
                and not json_text(self.names, chunk.value)
                and not sets_other_type(self._handlers[-1] if self._handlers else None)
            )
        return served_as_html(pattern, self._current)

    def visit_Call(self, node: libcst.Call) -> None:
        self._current = node
        super().visit_Call(node)

    def _flag_set(self, flow: SinkFlow, flag: str) -> bool:
        """Whether the sink call passes `flag=True`: the call visited, or, for a flow reported
        where the data enters a helper (`show(box, text)` into `box.markdown(text,
        unsafe_allow_html=True)`), the helper's call holding the sink argument."""
        if flow.sink_node is None:
            return self.args.is_true(self._current, flag)
        if self._flagged is None:
            self._flagged = _flagged_arguments(self._module, self.args)
        return (id(flow.sink_node), flag) in self._flagged

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._routes: list[bool] = []  # per enclosing function: does it serve its return as HTML
        self._handlers: list[libcst.FunctionDef] = []  # the enclosing functions
        # per function, computed when first asked (most functions never are: each is a walk of
        # the function): the responses it types text/html, the names it binds to response objects
        self._html_objects: list[frozenset[str] | None] = []
        self._responses: list[frozenset[str] | None] = []
        self._html_handlers: dict[str, frozenset[int]] = {}  # Gradio handlers shown by `gr.HTML`
        self._shown_parts: list[frozenset[int]] = []  # per function: returned tuple positions shown

    def visit_Module(self, node: libcst.Module) -> None:
        self._module = node
        self._flagged: set[tuple[int, str]] | None = None  # `_flagged_arguments`, on first use
        self._helpers: frozenset[str] | None = None  # `response_helpers`, on first use
        self._html_handlers = gradio_html_handlers(self.names, self.args, node)

    def visit_FunctionDef(self, node: libcst.FunctionDef) -> None:
        shown = self._html_handlers.get(node.name.value, frozenset()) if not self._handlers else frozenset()
        self._routes.append(html_route(self.names, self.args, node) or WHOLE in shown)
        self._shown_parts.append(shown - {WHOLE})
        self._handlers.append(node)
        self._html_objects.append(None)
        self._responses.append(None)

    def leave_FunctionDef(self, original_node: libcst.FunctionDef) -> None:
        self._routes.pop()
        self._shown_parts.pop()
        self._handlers.pop()
        self._html_objects.pop()
        self._responses.pop()

    @property
    def _typed_objects(self) -> frozenset[str]:
        """The enclosing function's `html_typed_objects`, walked for on first use."""
        if self._html_objects[-1] is None:
            self._html_objects[-1] = html_typed_objects(self._handlers[-1])
        return self._html_objects[-1]

    @property
    def _response_names(self) -> frozenset[str]:
        """The enclosing function's `response_objects`, walked for on first use."""
        if self._responses[-1] is None:
            self._responses[-1] = response_objects(self.names, self._handlers[-1])
        return self._responses[-1]

    @property
    def _response_helpers(self) -> frozenset[str]:
        """The module's `response_helpers`, walked for on first use."""
        if self._helpers is None:
            self._helpers = response_helpers(self.names, self._module)
        return self._helpers

    def visit_Assign(self, node: libcst.Assign) -> None:
        bodies = [name for target in node.targets if (name := body_target(target.target)) is not None]
        if self._html_objects and bodies and any(name in self._typed_objects for name in bodies):
            self.report_expression(
                node.value,
                HTML,
                "the HTML response body",
                "is the body of a response whose content type is set to HTML",
            )

    def visit_Return(self, node: libcst.Return) -> None:
        body = html_response_body(node.value)
        if body is not None:  # `{"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": ...}`
            self.report_expression(
                body, HTML, "the HTML response body", "is the body of a response whose headers say text/html"
            )
            return
        if self._shown_parts and self._shown_parts[-1] and isinstance(node.value, cst.Tuple):
            for index in sorted(self._shown_parts[-1]):  # `return title, f"<div>{card}</div>"`
                if index < len(node.value.elements):
                    self.report_expression(
                        node.value.elements[index].value,
                        HTML,
                        "the HTML output of a Gradio handler",
                        "is returned to a Gradio `HTML` output, which shows it unescaped",
                    )
        if not (
            self._routes
            and self._routes[-1]
            and text_like(self.names, node.value, self._response_names, self._response_helpers)
        ):
            return
        self.report_expression(
            node.value, HTML, "the HTML response of a view", "is returned by a view that serves it as HTML"
        )

    def advice(self, flow: SinkFlow) -> str:
        return (
            "a prompt-injected model can answer with script or exfiltrating markup; render it as "
            "escaped text or sanitise it (`nh3.clean`, `bleach.clean`)"
        )


def _flagged_arguments(module: libcst.Module, args: Any) -> set[tuple[int, str]]:
    """(argument node id, flag) of every call in `module` passing an HTML-unescaping flag as
    true (`unsafe_allow_html=True`, `dangerously_allow_html=True`). The calls are read with
    `aisec.walk.walk` (read-only), not `CSTNode.visit`, which rebuilds every node it passes."""
    from aisec.walk import trivia_types, walk

    found: set[tuple[int, str]] = set()

    def visit(node: Any) -> None:
        if type(node) is cst.Call:
            for flag in ("unsafe_allow_html", "dangerously_allow_html"):
                if args.is_true(node, flag):
                    found.update((id(arg.value), flag) for arg in node.args)

    walk(module, visit, lambda node: None, trivia_types())
    return found
