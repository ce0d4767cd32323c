"""Community Discord bot backed by Cohere's v2 chat API.

Commands: !ask, !roleplay, !translate, !prompt, !calc, !quote, !emoji
"""

from __future__ import annotations

import ast
import io
import logging
import os
import sqlite3
from pathlib import Path

import aiohttp
import cohere
import discord
from discord.ext import commands
from langchain_core.prompts import PromptTemplate

log = logging.getLogger("discord_bot")

co = cohere.AsyncClientV2(api_key=os.environ["COHERE_API_KEY"])
MODEL = os.environ.get("COHERE_MODEL", "command-a-03-2025")
EMOJI_DIR = Path(os.environ.get("EMOJI_DIR", "/var/lib/bot/emoji"))
SYSTEM = "You are Pip, the friendly helper of the Python Learners server. Keep answers short."
LANGUAGES = {"fr": "French", "de": "German", "es": "Spanish", "ja": "Japanese"}

intents = discord.Intents.default()
intents.message_content = True
bot = commands.Bot(command_prefix="!", intents=intents)
quotes = sqlite3.connect(os.environ.get("QUOTES_DB", "quotes.db"))


async def chat(system: str, user: str) -> str:
    response = await co.chat(
        model=MODEL,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
    )
    return response.message.content[0].text


@bot.command()
async def ask(ctx: commands.Context, *, question: str) -> None:
    # ok: AIS201, AIS202
    answer = await chat(SYSTEM, question)
    await ctx.reply(answer[:1900])


@bot.command()
async def roleplay(ctx: commands.Context, character: str, *, line: str) -> None:
    # ruleid: AIS201
    answer = await chat(f"{SYSTEM} For this reply, stay in character as {character}.", line)
    await ctx.reply(answer[:1900])


@bot.command()
async def translate(ctx: commands.Context, language: str, *, text: str) -> None:
    if language not in LANGUAGES:
        await ctx.reply("Supported: " + ", ".join(sorted(LANGUAGES)))
        return
    # ok: AIS201
    system = f"{SYSTEM} Translate everything the user writes into {LANGUAGES[language]}."
    # ok: AIS202
    answer = await chat(system, text)
    # ruleid: AIS202
    literal = await chat(SYSTEM, f"Translate word by word into {language} and explain the grammar of: {text}")
    await ctx.reply(f"{answer[:900]}\n\n{literal[:900]}")


@bot.command(name="prompt")
async def custom_prompt(ctx: commands.Context, *, template_text: str) -> None:
    """Lets members try prompt templates such as 'Explain {topic} like I am five'."""
    # ruleid: AIS203
    template = PromptTemplate.from_template(template_text, template_format="jinja2")
    answer = await chat(SYSTEM, template.format(topic="decorators"))
    await ctx.reply(answer[:1900])


@bot.command()
async def explain(ctx: commands.Context, *, topic: str) -> None:
    # ok: AIS203
    template = PromptTemplate.from_template("Explain {topic} to a beginner in three sentences.")
    # ruleid: AIS202
    answer = await chat(SYSTEM, template.format(topic=topic))
    await ctx.reply(answer[:1900])


@bot.command()
async def calc(ctx: commands.Context, *, problem: str) -> None:
    expression = await chat("Reply with one Python arithmetic expression and nothing else.", problem)
    try:
        # ok: AIS301
        value = ast.literal_eval(expression.strip())
    except (ValueError, SyntaxError):
        # ruleid: AIS301
        value = eval(expression.strip(), {"__builtins__": {}})
    await ctx.reply(f"{expression.strip()} = {value}")


@bot.command()
async def quote(ctx: commands.Context, *, description: str) -> None:
    sql = await chat(
        "Write one SQLite SELECT over the table quotes(author TEXT, text TEXT, added TEXT). SQL only.",
        description,
    )
    try:
        # ruleid: AIS302
        rows = quotes.execute(sql.strip().strip("`")).fetchmany(3)
    except sqlite3.Error as exc:
        await ctx.reply(f"query failed: {exc}")
        return
    await ctx.reply("\n".join(f"> {text} — {author}" for author, text, *_ in rows) or "nothing found")


@bot.command()
async def quote_by(ctx: commands.Context, *, description: str) -> None:
    author = await chat("Reply with the author's name only.", description)
    # ok: AIS302
    rows = quotes.execute("SELECT text FROM quotes WHERE author = ? LIMIT 3", (author.strip(),)).fetchall()
    await ctx.reply("\n".join(f"> {text}" for (text,) in rows) or "nothing found")


@bot.command()
async def emoji(ctx: commands.Context, *, mood: str) -> None:
    """The model picks an image URL for the mood; the bot caches it and uploads it."""
    url = await chat("Reply with one https URL of a public-domain emoji PNG.", mood)
    async with aiohttp.ClientSession() as session:
        # ruleid: AIS304
        async with session.get(url.strip()) as resp:
            data = await resp.read()
    name = await chat("Reply with a short snake_case file name ending in .png.", mood)
    # ruleid: AIS304
    target = open(EMOJI_DIR / name.strip(), "wb")
    with target:
        target.write(data)
    await ctx.send(file=discord.File(io.BytesIO(data), filename="emoji.png"))


@bot.event
async def on_message(message: discord.Message) -> None:
    if message.author.bot:
        return
    if bot.user in message.mentions:
        # ok: AIS201, AIS202
        answer = await chat(SYSTEM, message.clean_content)
        await message.channel.send(answer[:1900])
    await bot.process_commands(message)


if __name__ == "__main__":
    bot.run(os.environ["DISCORD_TOKEN"])
