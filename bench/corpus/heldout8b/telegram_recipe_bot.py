"""Recipe planner Telegram bot.

python-telegram-bot v21 (async Application) + google-genai (Gemini) + aiosqlite pantry store.
Users save dietary preferences, log pantry items and ask for meal plans.
"""
from __future__ import annotations

import json
import logging
import os
import re

import aiosqlite
import httpx
from google import genai
from google.genai import types
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

logging.basicConfig(level=logging.INFO)
gclient = genai.Client(api_key=os.environ["GEMINI_API_KEY"])
MODEL = "gemini-2.0-flash"
DB = os.environ.get("PANTRY_DB", "pantry.db")
CHEF = "You are a practical home-cooking assistant. Metric units. Keep recipes under 45 minutes."
DIETS = {"vegan", "vegetarian", "pescatarian", "omnivore", "keto"}
UNITS = {"g", "kg", "ml", "l", "pcs"}


async def diet_of(user_id: int) -> str:
    async with aiosqlite.connect(DB) as db:
        async with db.execute("SELECT diet FROM prefs WHERE user_id = ?", (user_id,)) as cur:
            row = await cur.fetchone()
    diet = row[0] if row else "omnivore"
    if diet not in DIETS:
        return "omnivore"
    return diet


async def set_diet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    diet = (context.args[0] if context.args else "").lower()
    if diet not in DIETS:
        await update.message.reply_text("Choose one of: " + ", ".join(sorted(DIETS)))
        return
    async with aiosqlite.connect(DB) as db:
        await db.execute("INSERT OR REPLACE INTO prefs(user_id, diet) VALUES (?, ?)", (update.effective_user.id, diet))
        await db.commit()
    await update.message.reply_text(f"Saved: {diet}")


async def plan(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    diet = await diet_of(update.effective_user.id)
    request_text = " ".join(context.args) or "a three-day dinner plan"
    # ok: AIS201
    config = types.GenerateContentConfig(
        system_instruction=f"{CHEF} The user's diet is {diet}.",
        temperature=0.7,
    )
    # ok: AIS202
    resp = await gclient.aio.models.generate_content(model=MODEL, contents=request_text, config=config)
    await update.message.reply_text(resp.text)


async def allergies(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    notes = update.message.text.partition(" ")[2]
    diet = await diet_of(update.effective_user.id)
    # ruleid: AIS201
    config = types.GenerateContentConfig(system_instruction=[CHEF, f"Diet: {diet}", "Allergies and dislikes (always respect): " + notes])
    resp = await gclient.aio.models.generate_content(model=MODEL, contents="Confirm the allergies in one line.", config=config)
    await update.message.reply_text(resp.text)


async def substitute(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    ingredient = " ".join(context.args)
    # ruleid: AIS202
    resp = await gclient.aio.models.generate_content(
        model=MODEL,
        contents=f"I am out of {ingredient}. Suggest two substitutes and how to adjust quantities.",
        config=types.GenerateContentConfig(system_instruction=CHEF),
    )
    await update.message.reply_text(resp.text)


async def pantry_add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text like 'bought 2 kg potatoes and a litre of milk' is parsed by the model."""
    resp = await gclient.aio.models.generate_content(
        model=MODEL,
        contents=update.message.text,
        config=types.GenerateContentConfig(
            system_instruction='Extract pantry items as JSON [{"item": str, "qty": number, "unit": "g|kg|ml|l|pcs"}].',
            response_mime_type="application/json",
        ),
    )
    items = json.loads(resp.text)
    async with aiosqlite.connect(DB) as db:
        for it in items:
            unit = it.get("unit") if it.get("unit") in UNITS else "pcs"
            # ok: AIS302
            await db.execute(
                "INSERT INTO pantry(user_id, item, qty, unit) VALUES (?, ?, ?, ?)",
                (update.effective_user.id, str(it["item"]), float(it["qty"]), unit),
            )
        await db.commit()
    await update.message.reply_text(f"Added {len(items)} items.")


async def pantry_cleanup(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    # ruleid: AIS202
    resp = await gclient.aio.models.generate_content(
        model=MODEL,
        contents="Items older than their shelf life: " + " ".join(context.args),
        config=types.GenerateContentConfig(
            system_instruction="Write one SQLite DELETE statement for table pantry(user_id, item, qty, unit, added_at)."
        ),
    )
    statement = resp.text.strip().strip("`").removeprefix("sql").strip()
    async with aiosqlite.connect(DB) as db:
        # ruleid: AIS302
        await db.executescript(statement)
        await db.commit()
    await update.message.reply_text("Pantry cleaned.")


async def styled_card(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    # "/styled Write {dish} as a card with Ingredients and Steps for {servings} people | shakshuka"
    style, _, dish = update.message.text.partition(" ")[2].partition("|")
    servings = int(context.args[0]) if context.args and context.args[0].isdigit() else 2
    # ruleid: AIS203
    contents = style.format(dish=dish.strip(), servings=servings)
    resp = await gclient.aio.models.generate_content(model=MODEL, contents=contents, config=types.GenerateContentConfig(system_instruction=CHEF))
    await update.message.reply_text(resp.text)


async def photo_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    dish = " ".join(context.args)
    resp = await gclient.aio.models.generate_content(
        model=MODEL,
        contents=dish,
        config=types.GenerateContentConfig(system_instruction="Reply with a URL of a Creative Commons photo of the dish."),
    )
    url = resp.text.strip()
    async with httpx.AsyncClient(timeout=10) as http:
        # ruleid: AIS304
        img = await http.get(url)
    await update.message.reply_photo(img.content, caption=dish)


CARD_TEMPLATE = "Recipe card for: {dish}"


async def recipe_card(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    dish = " ".join(context.args)
    # ok: AIS203
    contents = CARD_TEMPLATE.format(dish=dish)
    # ruleid: AIS202
    resp = await gclient.aio.models.generate_content(
        model=MODEL,
        contents=contents,
        config=types.GenerateContentConfig(system_instruction=CHEF + " Reply with a recipe card."),
    )
    card = resp.text
    slug = re.sub(r"[^a-z0-9]+", "-", dish.lower()).strip("-")[:40] or "recipe"
    # ok: AIS304
    with open(os.path.join("cards", f"{update.effective_user.id}-{slug}.md"), "w") as fh:
        fh.write(card)
    await update.message.reply_text(card, parse_mode=ParseMode.MARKDOWN)


async def chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    diet = await diet_of(update.effective_user.id)
    history = context.user_data.setdefault("history", [])
    history.append(types.Content(role="user", parts=[types.Part(text=update.message.text)]))
    # ok: AIS201
    resp = await gclient.aio.models.generate_content(
        model=MODEL,
        contents=history,
        config=types.GenerateContentConfig(system_instruction=f"{CHEF} Diet: {diet}."),
    )
    history.append(types.Content(role="model", parts=[types.Part(text=resp.text)]))
    await update.message.reply_text(resp.text)


def main() -> None:
    app = Application.builder().token(os.environ["TELEGRAM_TOKEN"]).build()
    app.add_handler(CommandHandler("diet", set_diet))
    app.add_handler(CommandHandler("plan", plan))
    app.add_handler(CommandHandler("allergies", allergies))
    app.add_handler(CommandHandler("sub", substitute))
    app.add_handler(CommandHandler("cleanup", pantry_cleanup))
    app.add_handler(CommandHandler("photo", photo_of))
    app.add_handler(CommandHandler("card", recipe_card))
    app.add_handler(CommandHandler("styled", styled_card))
    app.add_handler(MessageHandler(filters.Regex(r"^(bought|got) "), pantry_add))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, chat))
    app.run_polling()


if __name__ == "__main__":
    main()
