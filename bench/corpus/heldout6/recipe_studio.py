"""Recipe studio: Flask site where home cooks adapt recipes with Claude."""
from __future__ import annotations

import os
import re

import anthropic
import requests
from flask import Flask, abort, jsonify, render_template, request
from markupsafe import Markup

app = Flask(__name__)
client = anthropic.Anthropic(api_key=os.environ["ANTHROPIC_API_KEY"])
MODEL = "claude-sonnet-4-5"
HOUSE_STYLE = "You are RecipeStudio's kitchen assistant. Use metric units and short steps."
DIETS = ("vegan", "vegetarian", "gluten-free", "halal", "none")
STOCK_PHOTOS = {
    "pasta": "https://images.recipestudio.example/stock/pasta.jpg",
    "salad": "https://images.recipestudio.example/stock/salad.jpg",
    "cake": "https://images.recipestudio.example/stock/cake.jpg",
    "soup": "https://images.recipestudio.example/stock/soup.jpg",
}
SLUG_RE = re.compile(r"[a-z0-9-]{3,64}")


def ask_claude(system: str, user: str, max_tokens: int = 1024) -> str:
    # ok: AIS201, AIS202
    message = client.messages.create(
        model=MODEL,
        max_tokens=max_tokens,
        system=system,
        messages=[{"role": "user", "content": user}],
    )
    return "".join(block.text for block in message.content if block.type == "text")


@app.post("/adapt")
def adapt_recipe():
    payload = request.get_json(force=True)
    diet = payload.get("diet", "none")
    if diet not in DIETS:
        abort(400)
    recipe_text = payload["recipe"]
    adapted = ask_claude(f"{HOUSE_STYLE} Adapt recipes for a {diet} diet.", recipe_text)
    # ok: AIS303
    return jsonify({"recipe": adapted})


@app.post("/chef-persona")
def chef_persona():
    persona = request.form.get("persona", "a friendly grandmother from Naples")
    question = request.form["question"]
    # ruleid: AIS201
    message = client.messages.create(
        model=MODEL,
        max_tokens=800,
        system=[{"type": "text", "text": f"{HOUSE_STYLE} Speak as {persona}."}],
        messages=[{"role": "user", "content": question}],
    )
    answer = message.content[0].text
    # ruleid: AIS303
    return f"<div class='chef-answer'>{answer}</div>"


@app.get("/pairing/<slug>")
def wine_pairing(slug: str):
    if not SLUG_RE.fullmatch(slug):
        abort(404)
    # ok: AIS202
    message = client.messages.create(
        model=MODEL,
        max_tokens=300,
        system=HOUSE_STYLE,
        messages=[{"role": "user", "content": f"Suggest one wine pairing for the recipe '{slug}'. One sentence."}],
    )
    pairing = message.content[0].text
    # ok: AIS303
    return render_template("pairing.html", slug=slug, pairing=pairing)


@app.post("/shopping-list")
def shopping_list():
    servings = request.form.get("servings", "4")
    ingredients = request.form["ingredients"]
    prompt = (
        "Build a shopping list grouped by supermarket aisle. Scale quantities for "
        + servings
        + " servings. Ingredients follow:\n"
        + ingredients
    )
    # ruleid: AIS202
    message = client.messages.create(
        model=MODEL,
        max_tokens=600,
        system=HOUSE_STYLE,
        messages=[{"role": "user", "content": prompt}],
    )
    items = message.content[0].text
    # ruleid: AIS303
    return render_template("list.html", items=Markup(items.replace("\n", "<br>")))


@app.post("/scale")
def scale():
    servings = int(request.form.get("servings", "4"))
    recipe_id = int(request.form["recipe_id"])
    # ok: AIS202
    message = client.messages.create(
        model=MODEL,
        max_tokens=600,
        system=HOUSE_STYLE,
        messages=[{"role": "user", "content": f"Scale recipe #{recipe_id} to {servings} servings."}],
    )
    scaled = message.content[0].text
    # ok: AIS303
    return render_template("scaled.html", body=Markup("<pre>{}</pre>").format(scaled))


@app.post("/cover-image")
def cover_image():
    title = request.form["title"]
    suggestion = ask_claude(HOUSE_STYLE + " Reply with only the URL of a matching stock photo.", title)
    url = suggestion.strip()
    # ruleid: AIS304
    image = requests.get(url, timeout=10)
    return app.response_class(image.content, mimetype=image.headers.get("content-type", "image/jpeg"))


@app.post("/cover-image/safe")
def cover_image_safe():
    title = request.form["title"]
    suggestion = ask_claude(HOUSE_STYLE + " Reply with one word: pasta, salad, cake or soup.", title)
    category = suggestion.strip().lower()
    if category not in STOCK_PHOTOS:
        abort(422)
    # ok: AIS304
    image = requests.get(STOCK_PHOTOS[category], timeout=10)
    return app.response_class(image.content, mimetype="image/jpeg")
