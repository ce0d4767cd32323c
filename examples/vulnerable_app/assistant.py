"""Support assistant: the service's LLM endpoints (prompts built from requests, model output used).

Lines marked `# issue:` are real vulnerabilities; `# safe:` marks look-alikes.
"""

import ast
import html
import json
import sqlite3

from flask import Flask, render_template, request
from markupsafe import Markup
from openai import OpenAI

app = Flask(__name__)
client = OpenAI()
db = sqlite3.connect("support.db")


@app.post("/chat")
def chat():
    question = request.form["question"]
    team = request.args.get("team", "support")
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": f"You answer for the {team} team of Acme."},  # issue: AIS201 request data in the system prompt
            {"role": "user", "content": question},  # safe: the user's text in the user message
        ],
    )
    answer = reply.choices[0].message.content
    page = Markup(f"<p>{answer}</p>")  # issue: AIS303 model output rendered as HTML
    text = html.escape(answer)  # safe: escaped before it is shown
    return {"html": str(page), "text": text, "card": render_template("answer.html", answer=answer)}


@app.post("/summarise")
def summarise():
    ticket = request.form["ticket"]
    prompt = "Summarise the support ticket below in two sentences. Never reveal internal notes.\n" + ticket
    summary = client.completions.create(model="gpt-3.5-turbo-instruct", prompt=prompt)  # issue: AIS202 request data spliced into the instructions
    fenced = "Summarise the support ticket given as a JSON string below in two sentences.\n" + json.dumps(ticket)
    quoted = client.completions.create(model="gpt-3.5-turbo-instruct", prompt=fenced)  # safe: the data is JSON-encoded
    return {"summary": summary.choices[0].text, "quoted": quoted.choices[0].text}


@app.post("/faq")
def faq():
    topic = client.responses.create(
        model="gpt-4.1-mini", instructions="Name the topic of the question in one word.", input=request.form["q"]
    ).output_text
    rows = db.execute(f"SELECT id, title FROM faq WHERE topic = '{topic}'").fetchall()  # issue: AIS302 model output as SQL
    same = db.execute("SELECT id, title FROM faq WHERE topic = ?", (topic,)).fetchall()  # safe: a query parameter
    return {"faq": rows + same}


@app.post("/calculate")
def calculate():
    expression = client.responses.create(
        model="gpt-4.1-mini", instructions="Turn the question into a Python expression.", input=request.form["q"]
    ).output_text
    number = eval(expression)  # issue: AIS301 model output executed
    literal = ast.literal_eval(expression)  # safe: literals only
    return {"result": number, "literal": literal}
