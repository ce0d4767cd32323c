"""Recipe bot on Telegram: per-chat personas kept in a class, Mistral for replies, sqlite for saved recipes."""
from __future__ import annotations

import sqlite3

import requests
from mistralai import Mistral
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

client = Mistral(api_key="set-in-env")
db = sqlite3.connect("recipes.db")
PERSONAS = {"chef": "You are a friendly chef.", "nutritionist": "You are a precise nutritionist."}
SORTABLE = ("title", "created_at", "calories")


class ChatMemory:
    """What each chat told the bot: its persona line and its pantry."""

    def __init__(self) -> None:
        self.persona: dict[int, str] = {}
        self.pantry: dict[int, list[str]] = {}

    def remember_persona(self, chat_id: int, text: str) -> None:
        self.persona[chat_id] = text

    def add_items(self, chat_id: int, items: list[str]) -> None:
        self.pantry.setdefault(chat_id, []).extend(items)

    def system_for(self, chat_id: int) -> str:
        return "You suggest recipes. " + self.persona.get(chat_id, "Be brief.")


memory = ChatMemory()


def _ask(system: str, user: str) -> str:
    resp = client.chat.complete(
        model="mistral-large-latest",
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
    )
    return resp.choices[0].message.content


async def persona(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    memory.remember_persona(update.effective_chat.id, " ".join(context.args))
    await update.message.reply_text("Persona saved.")


async def preset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    name = context.args[0] if context.args else "chef"
    if name not in PERSONAS:
        await update.message.reply_text("Unknown preset.")
        return
    memory.remember_persona(update.effective_chat.id, PERSONAS[name])


async def pantry(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    memory.add_items(update.effective_chat.id, context.args)
    await update.message.reply_text(f"{len(context.args)} items added.")


async def suggest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat_id = update.effective_chat.id
    items = "\n".join(memory.pantry.get(chat_id, []))
    # ruleid: AIS201, AIS202
    resp = client.chat.complete(
        model="mistral-large-latest",
        messages=[
            {"role": "system", "content": memory.system_for(chat_id)},
            {"role": "user", "content": "Suggest three dinners using only these items:\n" + items},
        ],
    )
    await update.message.reply_text(resp.choices[0].message.content)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    question = update.message.text
    # ok: AIS201, AIS202
    answer = _ask("You answer cooking questions.", question)
    await update.message.reply_text(answer)


async def translate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    language, *words = context.args
    prompt = "Translate this recipe into %s and keep the quantities:\n%s" % (language, " ".join(words))
    # ruleid: AIS202
    resp = await client.chat.complete_async(model="mistral-small-latest", messages=[{"role": "user", "content": prompt}])
    await update.message.reply_text(resp.choices[0].message.content)


async def my_recipes(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    wish = update.message.text
    order = _ask("Reply with one column name to sort saved recipes by: title, created_at or calories.", wish)
    # ruleid: AIS302
    rows = db.execute(f"SELECT title FROM recipes WHERE chat = ? ORDER BY {order}", (update.effective_chat.id,)).fetchall()
    column = order.strip() if order.strip() in SORTABLE else "title"
    # ok: AIS302
    rows += db.execute(f"SELECT title FROM recipes WHERE chat = ? ORDER BY {column}", (update.effective_chat.id,)).fetchall()
    await update.message.reply_text("\n".join(r[0] for r in rows))


async def save(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    dish = " ".join(context.args)
    title = _ask("Write a short title for this dish.", dish)
    # ok: AIS302
    db.execute("INSERT INTO recipes(chat, title) VALUES (?, ?)", (update.effective_chat.id, title))
    db.commit()


async def photo_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    dish = " ".join(context.args)
    link = _ask("Reply with only the URL of a public photo of this dish.", dish)
    # ruleid: AIS304
    image = requests.get(link.strip(), timeout=10).content
    await update.message.reply_photo(image)


def main() -> None:
    app = Application.builder().token("set-in-env").build()
    app.add_handler(CommandHandler("persona", persona))
    app.add_handler(CommandHandler("preset", preset))
    app.add_handler(CommandHandler("pantry", pantry))
    app.add_handler(CommandHandler("suggest", suggest))
    app.add_handler(CommandHandler("translate", translate))
    app.add_handler(CommandHandler("mine", my_recipes))
    app.add_handler(CommandHandler("save", save))
    app.add_handler(CommandHandler("photo", photo_of))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.run_polling()


if __name__ == "__main__":
    main()
