"""Standup bot for Slack (slack_bolt + LangChain): collects /standup updates, summarises them
for team leads, lets channels customise style and templates, answers metrics questions."""
import os
import sqlite3
from collections import defaultdict
from datetime import date

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_openai import ChatOpenAI
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

DB_PATH = os.environ.get("STANDUP_DB", "/var/lib/standup/standup.db")
DEFAULT_STYLE = "Be brief. Use bullet points. Mention blockers first."
DEFAULT_TEMPLATE = (
    "Summarise the standup updates below for {team}. Group by person, list blockers first.\n"
    "{updates}"
)
METRICS_SCHEMA = "updates(id INTEGER, channel TEXT, user_id TEXT, day TEXT, text TEXT, blocker INTEGER)"

app = App(token=os.environ["SLACK_BOT_TOKEN"], signing_secret=os.environ["SLACK_SIGNING_SECRET"])
llm = ChatOpenAI(model="gpt-4o-mini", temperature=0)
parser = StrOutputParser()

qa_prompt = ChatPromptTemplate.from_messages(
    [
        ("system", "You answer questions about the team's standup process. Today is {today}."),
        ("human", "{question}"),
    ]
)

persona_prompt = ChatPromptTemplate.from_messages(
    [
        ("system", "You are {persona}, helping the team reflect on its standups. Stay in character."),
        ("human", "{question}"),
    ]
)


class StandupBot:
    def __init__(self) -> None:
        self.updates: dict[str, list[str]] = defaultdict(list)
        self.styles: dict[str, str] = {}
        self.templates: dict[str, PromptTemplate] = {}
        self.db = sqlite3.connect(DB_PATH, check_same_thread=False)

    def record(self, channel: str, user: str, text: str) -> None:
        self.updates[channel].append(f"<@{user}>: {text}")
        self.db.execute(
            "INSERT INTO updates (channel, user_id, day, text, blocker) VALUES (?, ?, ?, ?, ?)",
            (channel, user, date.today().isoformat(), text, int("blocked" in text.lower())),
        )
        self.db.commit()

    def set_style(self, channel: str, style: str) -> None:
        self.styles[channel] = style

    def lead_summary(self, channel: str) -> str:
        style = self.styles.get(channel, DEFAULT_STYLE)
        messages = [
            SystemMessage(content="You write standup digests for team leads. " + style),
            HumanMessage(content="\n".join(self.updates[channel]) or "No updates today."),
        ]
        # ruleid: AIS201
        return llm.invoke(messages).content

    def digest(self, channel: str) -> str:
        lines = "\n".join(f"- {u}" for u in self.updates[channel])
        prompt = (
            "You are preparing the daily digest. Flag anything that sounds like a blocker, "
            "then list the remaining updates.\n\nUpdates:\n" + lines
        )
        # ruleid: AIS202
        return llm.invoke(prompt).content

    def custom_digest(self, channel: str, team: str) -> str:
        template = self.templates.get(channel) or PromptTemplate.from_template(DEFAULT_TEMPLATE)
        chain = template | llm | parser
        # ruleid: AIS202
        return chain.invoke({"team": team, "updates": "\n".join(self.updates[channel])})


bot = StandupBot()


@app.command("/standup")
def standup(ack, respond, command):
    ack()
    bot.record(command["channel_id"], command["user_id"], command["text"])
    respond("Thanks, update recorded.")


@app.command("/standup-style")
def standup_style(ack, respond, command):
    ack()
    bot.set_style(command["channel_id"], command["text"])
    respond("Digest style updated for this channel.")


@app.command("/standup-lead")
def standup_lead(ack, respond, command):
    ack()
    respond(bot.lead_summary(command["channel_id"]))


@app.command("/standup-digest")
def standup_digest(ack, say, command):
    ack()
    say(bot.digest(command["channel_id"]))


@app.command("/standup-template")
def standup_template(ack, respond, command):
    ack()
    # ruleid: AIS203
    bot.templates[command["channel_id"]] = PromptTemplate.from_template(command["text"])
    respond("Template saved. Use {team} and {updates} as placeholders.")


@app.view("digest_template_modal")
def digest_template_submitted(ack, body, view):
    ack()
    values = view["state"]["values"]
    raw = values["template_block"]["template_input"]["value"]
    channel = view["private_metadata"]
    # ruleid: AIS203
    template = PromptTemplate.from_template(raw, template_format="jinja2")
    bot.templates[channel] = template


@app.command("/standup-reset-template")
def standup_reset_template(ack, respond, command):
    ack()
    configured = os.environ.get("STANDUP_TEMPLATE", DEFAULT_TEMPLATE)
    # ok: AIS203
    bot.templates[command["channel_id"]] = PromptTemplate.from_template(configured)
    respond("Template reset to the workspace default.")


@app.command("/standup-custom")
def standup_custom(ack, respond, command):
    ack()
    team = command.get("channel_name", "the team")
    respond(bot.custom_digest(command["channel_id"], team))


@app.event("app_mention")
def on_mention(event, say):
    question = event["text"].split(">", 1)[-1].strip()
    chain = qa_prompt | llm | parser
    # ok: AIS201
    answer = chain.invoke({"question": question, "today": date.today().isoformat()})
    say(answer, thread_ts=event.get("ts"))


@app.command("/standup-as")
def standup_as(ack, respond, command):
    ack()
    persona, _, question = command["text"].partition("|")
    chain = persona_prompt | llm | parser
    # ruleid: AIS201
    answer = chain.invoke({"persona": persona.strip() or "an agile coach", "question": question.strip()})
    respond(answer)


@app.command("/standup-window")
def standup_window(ack, respond, command):
    ack()
    try:
        days = int(command["text"].strip() or "7")
    except ValueError:
        respond("Usage: /standup-window <days>")
        return
    system = f"You summarise standup trends over the last {days} days for engineering managers."
    # ok: AIS201
    reply = llm.invoke([SystemMessage(content=system), HumanMessage(content="\n".join(bot.updates[command["channel_id"]]))])
    respond(reply.content)


@app.command("/standup-ask")
def standup_ask(ack, respond, command):
    ack()
    # ok: AIS202
    reply = llm.invoke(
        [
            SystemMessage(content="You answer questions about how standups work at Acme."),
            HumanMessage(content=command["text"]),
        ]
    )
    respond(reply.content)


@app.command("/standup-metrics")
def standup_metrics(ack, respond, command):
    ack()
    sql_prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "Write one SQLite SELECT for this schema, no prose:\n" + METRICS_SCHEMA),
            ("human", "{question}"),
        ]
    )
    sql = (sql_prompt | llm | parser).invoke({"question": command["text"]}).strip().strip("`")
    cur = bot.db.cursor()
    # ruleid: AIS302
    cur.execute(sql)
    rows = cur.fetchmany(20)
    respond("\n".join(" | ".join(str(c) for c in row) for row in rows) or "No rows.")


@app.command("/standup-blockers")
def standup_blockers(ack, respond, command):
    ack()
    reply = llm.invoke(
        [
            SystemMessage(content="Extract the Slack user id (like U123ABC) the question is about. Reply with the id only."),
            HumanMessage(content=command["text"]),
        ]
    )
    user_id = reply.content.strip()
    cur = bot.db.cursor()
    # ok: AIS302
    cur.execute(
        "SELECT day, text FROM updates WHERE user_id = ? AND blocker = 1 ORDER BY day DESC LIMIT 10",
        (user_id,),
    )
    respond("\n".join(f"{d}: {t}" for d, t in cur.fetchall()) or "No blockers recorded.")


if __name__ == "__main__":
    SocketModeHandler(app, os.environ["SLACK_APP_TOKEN"]).start()
