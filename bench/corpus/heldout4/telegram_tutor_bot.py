"""Telegram maths-tutor bot (python-telegram-bot v21, async) backed by LangChain + OpenAI."""

import ast
import html
import os
import re

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_openai import ChatOpenAI
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

llm = ChatOpenAI(model="gpt-4o-mini", temperature=0)
TUTOR_SYSTEM = "You are a patient maths tutor for secondary-school pupils."
LEVELS = {"beginner", "intermediate", "advanced"}
EXPRESSION = re.compile(r"[0-9+\-*/(). ]{1,64}")


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    question = update.message.text
    # ok: AIS201
    # ok: AIS202
    reply = await llm.ainvoke([SystemMessage(content=TUTOR_SYSTEM), HumanMessage(content=question)])
    await update.message.reply_text(reply.content)


async def set_persona(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    persona = " ".join(context.args)
    # ruleid: AIS201
    reply = await llm.ainvoke([SystemMessage(content=f"{TUTOR_SYSTEM} Speak like {persona}."), HumanMessage(content="Introduce yourself.")])
    await update.message.reply_text(reply.content)


async def set_level(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    level = (context.args or ["beginner"])[0].lower()
    if level not in LEVELS:
        await update.message.reply_text("Choose beginner, intermediate or advanced.")
        return
    # ok: AIS201
    reply = await llm.ainvoke([("system", f"{TUTOR_SYSTEM} Pupil level: {level}."), ("human", "Give me a warm-up exercise.")])
    await update.message.reply_text(reply.content)


async def hint(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    problem = update.message.text.removeprefix("/hint").strip()
    # ruleid: AIS202
    reply = await llm.ainvoke(f"Give one hint, never the full solution, for this problem: {problem}")
    await update.message.reply_text(reply.content)


async def quiz(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    custom = update.message.text.split("\n", 1)[-1]
    if "{topic}" in custom:
        # ruleid: AIS203
        prompt = PromptTemplate.from_template(custom)
    else:
        # ok: AIS203
        prompt = PromptTemplate.from_template("Write a three-question quiz about {topic}.")
    chain = prompt | llm
    reply = await chain.ainvoke({"topic": "fractions"})
    await update.message.reply_text(reply.content)


async def chat_template(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    template = update.message.text.removeprefix("/style").strip()
    # ruleid: AIS203
    prompt = ChatPromptTemplate.from_messages([("system", TUTOR_SYSTEM), ("human", template)], template_format="jinja2")
    reply = await (prompt | llm).ainvoke({})
    await update.message.reply_text(reply.content)


async def check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    expression = " ".join(context.args)
    if not EXPRESSION.fullmatch(expression):
        await update.message.reply_text("Only digits and + - * / ( ) please.")
        return
    # ok: AIS202
    reply = await llm.ainvoke(f"Rewrite as a plain Python arithmetic expression: {expression}")
    # ok: AIS301
    value = ast.literal_eval(reply.content.strip())
    # ruleid: AIS301
    expected = eval(reply.content.strip(), {"__builtins__": {}})
    await update.message.reply_text(f"{value} / {expected}")


async def explain(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    reply = await llm.ainvoke([SystemMessage(content=TUTOR_SYSTEM), HumanMessage(content=update.message.text)])
    # ok: AIS303
    await update.message.reply_text(f"<b>Tutor:</b> {html.escape(reply.content)}", parse_mode=ParseMode.HTML)


def main() -> None:
    app = Application.builder().token(os.environ["TELEGRAM_TOKEN"]).build()
    app.add_handler(CommandHandler("persona", set_persona))
    app.add_handler(CommandHandler("level", set_level))
    app.add_handler(CommandHandler("hint", hint))
    app.add_handler(CommandHandler("quiz", quiz))
    app.add_handler(CommandHandler("style", chat_template))
    app.add_handler(CommandHandler("check", check))
    app.add_handler(CommandHandler("explain", explain))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, ask))
    app.run_polling()


if __name__ == "__main__":
    main()
