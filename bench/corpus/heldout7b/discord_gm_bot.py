"""Tabletop game-master bot for Discord (discord.py + LiteLLM): dice in plain English, lore from
the campaign wiki, NPC portraits, handouts and character sheets."""
import ast
import io
import os
import random
import re
from pathlib import Path

import aiohttp
import discord
import litellm
import yaml
from discord.ext import commands

MODEL = os.environ.get("GM_MODEL", "groq/llama-3.3-70b-versatile")
WIKI_BASE = os.environ.get("CAMPAIGN_WIKI", "https://wiki.example-campaign.net/api/pages/")
HANDOUTS = Path(os.environ.get("HANDOUTS_DIR", "/srv/gm/handouts"))
GM_STYLE = "You are a witty but fair game master for a fantasy campaign. Keep replies under 120 words."
DICE_RE = re.compile(r"(\d{1,2})d(\d{1,3})([+-]\d{1,3})?")

intents = discord.Intents.default()
intents.message_content = True
bot = commands.Bot(command_prefix="!", intents=intents)


async def complete(messages: list[dict], **kwargs) -> str:
    # ruleid: AIS204
    resp = await litellm.acompletion(model=MODEL, messages=messages, **kwargs)
    return resp.choices[0].message.content or ""


def roll_dice(count: int, sides: int) -> int:
    return sum(random.randint(1, sides) for _ in range(count))


async def wiki_page(title: str) -> str:
    async with aiohttp.ClientSession() as session:
        async with session.get(WIKI_BASE + title, timeout=aiohttp.ClientTimeout(total=10)) as resp:
            data = await resp.json()
    return data.get("content", "")


@bot.command(name="roll")
async def roll(ctx: commands.Context, *, request: str):
    expr = await complete(
        [
            {"role": "system", "content": "Convert the dice request into a Python expression using d(count, sides). Reply with the expression only."},
            {"role": "user", "content": request},
        ]
    )
    # ruleid: AIS301
    total = eval(expr, {"__builtins__": {}}, {"d": roll_dice})
    await ctx.send(f"{ctx.author.display_name} rolls `{expr}` -> **{total}**")


@bot.command(name="r")
async def roll_strict(ctx: commands.Context, *, request: str):
    notation = (await complete(
        [
            {"role": "system", "content": "Convert the request to dice notation like 2d6+3. Reply with the notation only."},
            {"role": "user", "content": request},
        ]
    )).strip()
    match = DICE_RE.fullmatch(notation)
    if not match:
        await ctx.send("I couldn't understand that roll.")
        return
    count, sides, bonus = int(match[1]), int(match[2]), int(match[3] or 0)
    await ctx.send(f"{notation} -> **{roll_dice(count, sides) + bonus}**")


@bot.command(name="stats")
async def stats(ctx: commands.Context, *, concept: str):
    raw = await complete(
        [
            {"role": "system", "content": "Reply with a Python list of six ability scores between 3 and 18, nothing else."},
            {"role": "user", "content": concept},
        ]
    )
    # ok: AIS301
    scores = ast.literal_eval(raw.strip())
    await ctx.send("STR DEX CON INT WIS CHA: " + " ".join(str(int(s)) for s in scores[:6]))


@bot.command(name="lore")
async def lore(ctx: commands.Context, *, topic: str):
    page = await wiki_page(topic.replace(" ", "_"))
    answer = await complete(
        [
            {"role": "system", "content": GM_STYLE + "\nCanon from the campaign wiki:\n" + page},
            {"role": "user", "content": topic},
        ]
    )
    await ctx.send(answer[:1900])


@bot.command(name="recap")
async def recap(ctx: commands.Context):
    page = await wiki_page("Session_Log")
    # ok: AIS204
    answer = await complete(
        [
            {"role": "system", "content": GM_STYLE + "\nRecap the latest session from the log the players provide."},
            {"role": "user", "content": page},
        ]
    )
    await ctx.send(answer[:1900])


@bot.command(name="portrait")
async def portrait(ctx: commands.Context, *, npc: str):
    url = (await complete(
        [
            {"role": "system", "content": "Reply with only the URL of a public-domain portrait that fits the NPC."},
            {"role": "user", "content": npc},
        ]
    )).strip()
    async with aiohttp.ClientSession() as session:
        # ruleid: AIS304
        async with session.get(url) as resp:
            data = await resp.read()
    await ctx.send(file=discord.File(io.BytesIO(data), filename="portrait.png"))


@bot.command(name="handout")
async def handout(ctx: commands.Context, *, description: str):
    name = (await complete(
        [
            {"role": "system", "content": "Reply with only the file name of the handout that matches the description."},
            {"role": "user", "content": description},
        ]
    )).strip()
    # ruleid: AIS304
    with open(HANDOUTS / name, "rb") as fh:
        await ctx.send(file=discord.File(fh, filename=name))


@bot.command(name="handout2")
async def handout_listed(ctx: commands.Context, *, description: str):
    available = sorted(p.name for p in HANDOUTS.iterdir() if p.is_file())
    name = (await complete(
        [
            {"role": "system", "content": "Reply with only one of these file names: " + ", ".join(available)},
            {"role": "user", "content": description},
        ]
    )).strip()
    if name not in available:
        await ctx.send("No handout matches.")
        return
    # ok: AIS304
    with open(HANDOUTS / name, "rb") as fh:
        await ctx.send(file=discord.File(fh, filename=name))


@bot.command(name="sheet")
async def sheet(ctx: commands.Context, *, concept: str):
    raw = await complete(
        [
            {"role": "system", "content": "Write a character sheet as YAML with keys name, class, level, items."},
            {"role": "user", "content": concept},
        ]
    )
    # ruleid: AIS304
    data = yaml.load(raw, Loader=yaml.Loader)
    await ctx.send(f"**{data['name']}**, level {data['level']} {data['class']}")


@bot.command(name="sheet2")
async def sheet_safe(ctx: commands.Context, *, concept: str):
    raw = await complete(
        [
            {"role": "system", "content": "Write a character sheet as YAML with keys name, class, level, items."},
            {"role": "user", "content": concept},
        ]
    )
    # ok: AIS304
    data = yaml.load(raw, Loader=yaml.SafeLoader)
    await ctx.send(f"**{data['name']}**, level {data['level']} {data['class']}")


if __name__ == "__main__":
    bot.run(os.environ["DISCORD_TOKEN"])
