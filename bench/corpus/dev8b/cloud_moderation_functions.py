"""Comment moderation on two clouds: a Pub/Sub worker and Cloud Functions on GCP, an Azure Functions app for the EU tenant."""
from __future__ import annotations

import base64
import json

import anthropic
import azure.functions as func
import functions_framework
import vertexai
from google.cloud import bigquery, pubsub_v1
from vertexai.generative_models import FunctionDeclaration, GenerativeModel, Tool

vertexai.init(project="acme-moderation", location="europe-west4")
bq = bigquery.Client()
claude = anthropic.Anthropic()
subscriber = pubsub_v1.SubscriberClient()
SUBSCRIPTION = subscriber.subscription_path("acme-moderation", "new-comments")
LOOKUP = FunctionDeclaration(
    name="count_strikes",
    description="Count a user's previous strikes with a BigQuery filter",
    parameters={"type": "object", "properties": {"where": {"type": "string"}}},
)
moderator = GenerativeModel(
    "gemini-1.5-pro",
    system_instruction="You moderate forum comments. Call count_strikes when history matters.",
    tools=[Tool(function_declarations=[LOOKUP])],
)
ACTIONS = {"keep", "hide", "delete"}
app = func.FunctionApp()


def count_strikes(where: str) -> int:
    # ruleid: AIS302
    rows = bq.query(f"SELECT COUNT(*) AS n FROM moderation.strikes WHERE {where}").result()
    return next(iter(rows)).n


def count_strikes_for(user_id: str) -> int:
    # ok: AIS302
    job = bq.query(
        "SELECT COUNT(*) AS n FROM moderation.strikes WHERE user_id = @user",
        job_config=bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("user", "STRING", user_id)]),
    )
    return next(iter(job.result())).n


def moderate(comment: dict) -> str:
    # ok: AIS201, AIS202
    response = moderator.generate_content(comment["text"])
    for call in response.candidates[0].function_calls:
        if call.name == "count_strikes":
            count_strikes(call.args["where"])
    verdict = response.text.strip().lower()
    if verdict in ACTIONS:
        # ok: AIS302
        bq.query(f"UPDATE moderation.comments SET action = '{verdict}' WHERE id = {int(comment['id'])}").result()
    return verdict


def on_message(message: pubsub_v1.subscriber.message.Message) -> None:
    comment = json.loads(message.data)
    moderate(comment)
    message.ack()


@functions_framework.cloud_event
def on_comment_event(cloud_event) -> None:
    comment = json.loads(base64.b64decode(cloud_event.data["message"]["data"]))
    rules = comment.get("community_rules", "")
    # ruleid: AIS201
    model = GenerativeModel("gemini-1.5-flash", system_instruction=["Apply these community rules strictly:", rules])
    model.generate_content(comment["text"])


@functions_framework.http
def explain_decision(request):
    payload = request.get_json()
    model = GenerativeModel("gemini-1.5-flash")
    # ruleid: AIS202
    reply = model.generate_content(f"Explain to the user, kindly, why the comment below was hidden.\n{payload['comment']}")
    return {"explanation": reply.text}


@app.route(route="appeal", methods=["POST"])
def appeal(req: func.HttpRequest) -> func.HttpResponse:
    body = req.get_json()
    # ruleid: AIS201
    msg = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=400,
        system=f"You review moderation appeals for the {body['community']} community.",
        messages=[{"role": "user", "content": body["appeal"]}],
    )
    return func.HttpResponse(msg.content[0].text, mimetype="text/plain")


@app.route(route="appeal-card", methods=["POST"])
def appeal_card(req: func.HttpRequest) -> func.HttpResponse:
    body = req.get_json()
    # ok: AIS201, AIS202
    msg = claude.messages.create(
        model="claude-haiku-4-5",
        max_tokens=300,
        system="Summarise a moderation appeal as an HTML card body.",
        messages=[{"role": "user", "content": body["appeal"]}],
    )
    # ruleid: AIS303
    return func.HttpResponse(msg.content[0].text, mimetype="text/html")


@app.queue_trigger(arg_name="item", queue_name="eu-comments", connection="AzureWebJobsStorage")
def eu_comment(item: func.QueueMessage) -> None:
    comment = json.loads(item.get_body().decode())
    msg = claude.messages.create(
        model="claude-haiku-4-5",
        max_tokens=200,
        system="Decide keep, hide or delete. Use the tool to record it.",
        tools=[{"name": "record", "input_schema": {"type": "object", "properties": {"table": {"type": "string"}}}}],
        messages=[{"role": "user", "content": comment["text"]}],
    )
    for block in msg.content:
        if block.type == "tool_use":
            table = block.input["table"]
            # ruleid: AIS302
            bq.query(f"INSERT INTO {table} (comment_id) VALUES ({int(comment['id'])})").result()


if __name__ == "__main__":
    subscriber.subscribe(SUBSCRIPTION, callback=on_message).result()
