from flask import Flask, abort, request
from openai import OpenAI

from shop import tone_allowed
from shop.checks import Checks, allowed, clean_count, tidy

from .checks import always, clean_id, either, in_list, is_slug, known_language, pick_tone, searched, style_text

app = Flask(__name__)
client = OpenAI()


def instruct(text):
    return [{"role": "system", "content": text}, {"role": "user", "content": "hi"}]


@app.post("/count")
def count():
    n = clean_count(request.form["n"])
    client.chat.completions.create(model="m", messages=instruct(f"Use {n} words."))
    m = tidy(request.form["m"])
    client.chat.completions.create(model="m", messages=instruct(f"Use {m} words."))
    return "ok"


@app.post("/ids")
def ids():
    order = clean_id(request.form["order"])
    tone = pick_tone(request.form["tone"])
    style = style_text(request.form["style"])
    client.chat.completions.create(model="m", messages=instruct(f"Order {order}, {tone}. {style}"))
    return "ok"


@app.post("/tone")
def tone():
    tone = request.form["tone"]
    if not allowed(tone):
        abort(400)
    client.chat.completions.create(model="m", messages=instruct(f"Answer in a {tone} tone."))
    return "ok"


@app.post("/slug")
def slug():
    slug = request.form["slug"]
    language = request.form["language"]
    if not is_slug(slug) or not known_language(language):
        return "bad request", 400
    client.chat.completions.create(model="m", messages=instruct(f"Topic {slug} in {language}."))
    return "ok"


@app.post("/methods")
def methods():
    first = request.form["first"]
    second = request.form["second"]
    third = request.form["third"]
    if not Checks.allowed(first) or not Checks().vouch(second) or not tone_allowed(third):
        raise ValueError("unknown tone")
    client.chat.completions.create(model="m", messages=instruct(f"{first} {second} {third}"))
    return "ok"


@app.post("/lookalikes")
def lookalikes():
    tone = request.form["tone"]
    if not always(tone):
        abort(400)
    client.chat.completions.create(model="m", messages=instruct(f"Answer in a {tone} tone."))
    slug = request.form["slug"]
    if not searched(slug) or not in_list(slug, request.form.getlist("options")):
        abort(400)
    client.chat.completions.create(model="m", messages=instruct(f"Topic {slug}."))
    a, b = request.form["a"], request.form["b"]
    if not either(a, b):
        abort(400)
    client.chat.completions.create(model="m", messages=instruct(f"{a} {b}"))
    return "ok"


@app.post("/misused")
def misused():
    tone = request.form["tone"]
    other = request.form["other"]
    allowed(tone)  # the result is ignored
    client.chat.completions.create(model="m", messages=instruct(f"Answer in a {tone} tone."))
    if allowed(tone):
        pass  # no exit: the data goes on either way
    client.chat.completions.create(model="m", messages=instruct(f"Answer in a {tone} tone."))
    if not allowed(other):  # another variable checked
        abort(400)
    client.chat.completions.create(model="m", messages=instruct(f"Answer in a {tone} tone."))
    if request.form.get("strict"):
        if not allowed(tone):
            abort(400)
    client.chat.completions.create(model="m", messages=instruct(f"Answer in a {tone} tone."))
    return "ok"


@app.post("/asserted")
def asserted():
    tone = request.form["tone"]
    assert allowed(tone)
    client.chat.completions.create(model="m", messages=instruct(f"Answer in a {tone} tone."))
    return "ok"
