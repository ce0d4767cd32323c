"""Lore keeper bot for a tabletop RPG Discord server.

discord.py (commands extension) + Ollama's AsyncClient running a local model.
Players ask lore questions, roll dice described in words and save session recaps.
"""
from __future__ import annotations

import ast
import asyncio
import os
import re
from pathlib import Path

import discord
import httpx
from discord.ext import commands
from ollama import AsyncClient

MODEL = os.environ.get("LORE_MODEL", "llama3.1:8b")
WIKI_URL = os.environ.get("WIKI_URL", "https://wiki.ashen-reaches.example")
RECAP_DIR = Path("./recaps")

intents = discord.Intents.default()
intents.message_content = True
bot = commands.Bot(command_prefix="!", intents=intents)
ollama = AsyncClient(host=os.environ.get("OLLAMA_HOST", "http://localhost:11434"))

KEEPER = "You are the Lore Keeper of the Ashen Reaches campaign. Stay in character, never reveal GM secrets."
DICE_RE = re.compile(r"\d{1,2}d\d{1,3}([+-]\d{1,3})?")
VOICES = {"bard": "Speak in rhyme.", "sage": "Speak formally and cite old tomes.", "pirate": "Speak like a pirate."}


class LoreSession:
    """Per-channel state: the voice chosen by the table and the running transcript."""

    def __init__(self, channel_id: int):
        self.channel_id = channel_id
        self.voice = ""
        self.house_rules = ""
        self.transcript: list[str] = []

    def set_house_rules(self, rules: str) -> None:
        self.house_rules = rules

    def system(self) -> str:
        parts = [KEEPER, self.voice]
        if self.house_rules:
            parts.append("House rules agreed by the table: " + self.house_rules)
        return "\n".join(p for p in parts if p)


sessions: dict[int, LoreSession] = {}


def session_for(channel_id: int) -> LoreSession:
    return sessions.setdefault(channel_id, LoreSession(channel_id))


async def lore_page(topic: str) -> str:
    # the campaign wiki is editable by every player
    async with httpx.AsyncClient(base_url=WIKI_URL, timeout=10) as http:
        r = await http.get(f"/pages/{topic}.md")
        return r.text if r.status_code == 200 else ""


@bot.command(name="voice")
async def voice(ctx: commands.Context, choice: str):
    if choice not in VOICES:
        await ctx.send("voices: " + ", ".join(VOICES))
        return
    s = session_for(ctx.channel.id)
    s.voice = VOICES[choice]
    await ctx.send(f"The Keeper now speaks as a {choice}.")


@bot.command(name="houserules")
async def houserules(ctx: commands.Context, *, rules: str):
    session_for(ctx.channel.id).set_house_rules(rules)
    await ctx.send("Noted.")


@bot.command(name="ask")
async def ask(ctx: commands.Context, *, question: str):
    s = session_for(ctx.channel.id)
    # ruleid: AIS201
    resp = await ollama.chat(
        model=MODEL,
        messages=[{"role": "system", "content": s.system()}, {"role": "user", "content": question}],
    )
    s.transcript.append(f"Q: {question}\nA: {resp.message.content}")
    await ctx.send(resp.message.content[:1900])


@bot.command(name="lore")
async def lore(ctx: commands.Context, topic: str):
    if not re.fullmatch(r"[a-z0-9_-]{1,40}", topic):
        await ctx.send("Unknown topic.")
        return
    page = await lore_page(topic)
    # ruleid: AIS204
    # ok: AIS202
    resp = await ollama.generate(model=MODEL, system=KEEPER + "\nCanon for this answer:\n" + page, prompt=f"Tell the table about {topic}.")
    await ctx.send(resp.response[:1900])


@bot.command(name="lorebrief")
async def lore_brief(ctx: commands.Context, topic: str):
    if not re.fullmatch(r"[a-z0-9_-]{1,40}", topic):
        await ctx.send("Unknown topic.")
        return
    page = await lore_page(topic)
    # ok: AIS204
    resp = await ollama.generate(model=MODEL, system=KEEPER, prompt=f"Summarise this wiki page for new players in five lines:\n\n{page}")
    await ctx.send(resp.response[:1900])


HANDOUTS = {
    "wanted": "Write a WANTED poster for {name}, last seen in {place}.",
    "letter": "Write a sealed letter from {name} found in {place}.",
}


@bot.command(name="handout")
async def handout(ctx: commands.Context, kind: str, name: str, *, place: str = "the Ashen Reaches"):
    if kind in HANDOUTS:
        # ok: AIS203
        prompt = HANDOUTS[kind].format(name=name, place=place)
    else:
        # GMs may type their own handout pattern: !handout "A tavern menu from {place}" Mira
        # ruleid: AIS203
        prompt = kind.format(name=name, place=place)
    # ruleid: AIS202
    resp = await ollama.generate(model=MODEL, system=KEEPER, prompt=prompt)
    await ctx.send(resp.response[:1900])


@bot.command(name="riddle")
async def riddle(ctx: commands.Context, *, hint: str):
    prompt = "Compose a riddle whose answer is hidden in the Ashen Reaches. The players' hint: {}. Keep it to four lines.".format(hint)
    # ruleid: AIS202
    resp = await ollama.generate(model=MODEL, system=KEEPER, prompt=prompt)
    await ctx.send(resp.response)


@bot.command(name="recall")
async def recall(ctx: commands.Context, *, question: str):
    # ok: AIS202
    resp = await ollama.generate(model=MODEL, system=KEEPER, prompt=question)
    await ctx.send(resp.response[:1900])


@bot.command(name="roll")
async def roll(ctx: commands.Context, *, description: str):
    resp = await ollama.chat(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Convert the described roll to dice notation like 2d6+3. Reply with the notation only."},
            {"role": "user", "content": description},
        ],
    )
    notation = resp.message.content.strip()
    if not DICE_RE.fullmatch(notation):
        await ctx.send("I could not read that roll.")
        return
    count, rest = notation.split("d", 1)
    sides = re.split(r"[+-]", rest, maxsplit=1)[0]
    await ctx.send(f"Rolling {int(count)} dice with {int(sides)} sides ({notation}).")


@bot.command(name="calc")
async def calc(ctx: commands.Context, *, expression: str):
    resp = await ollama.chat(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Turn the player's damage description into a Python arithmetic expression."},
            {"role": "user", "content": expression},
        ],
    )
    expr = resp.message.content.strip().strip("`")
    # ruleid: AIS301
    total = eval(expr, {"__builtins__": {}}, {})
    await ctx.send(f"Total damage: {total}")


@bot.command(name="loot")
async def loot(ctx: commands.Context, *, description: str):
    resp = await ollama.chat(
        model=MODEL,
        messages=[
            {"role": "system", "content": "List the loot as a Python list literal of strings."},
            {"role": "user", "content": description},
        ],
    )
    # ok: AIS301
    items = ast.literal_eval(resp.message.content.strip())
    await ctx.send(", ".join(map(str, items)))


@bot.command(name="recap")
async def recap(ctx: commands.Context):
    s = session_for(ctx.channel.id)
    resp = await ollama.chat(
        model=MODEL,
        messages=[
            {"role": "system", "content": KEEPER + " Write a recap and, on the first line, a filename for it."},
            {"role": "user", "content": "\n\n".join(s.transcript[-30:])},
        ],
    )
    first, _, body = resp.message.content.partition("\n")
    # ruleid: AIS304
    with open(RECAP_DIR / first.strip(), "w") as fh:
        fh.write(body)
    # ok: AIS304
    (RECAP_DIR / f"{ctx.channel.id}-latest.md").write_text(body)
    await ctx.send("Recap saved.")


@bot.event
async def on_message(message: discord.Message):
    if message.author.bot:
        return
    if message.content.startswith("?keeper "):
        s = session_for(message.channel.id)
        # ok: AIS201
        resp = await ollama.chat(model=MODEL, messages=[{"role": "system", "content": KEEPER}, {"role": "user", "content": message.content[8:]}])
        await message.channel.send(resp.message.content[:1900])
    await bot.process_commands(message)


if __name__ == "__main__":
    asyncio.run(bot.start(os.environ["DISCORD_TOKEN"]))
