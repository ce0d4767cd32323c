"""Every slack_bolt listener decorator hands the listener a Slack payload (message shortcuts,
global shortcuts, block actions, view submissions, options requests, functions): its payload
arguments are remote request data. The client, logger and context it also passes are not."""

from __future__ import annotations

import pytest
from test_prompt_injection import check

LISTENER = """
    from slack_bolt import App
    from openai import OpenAI
    app = App()
    client = OpenAI()
    @app.{kind}("callback")
    def listener(ack, {param}, client, logger, context):
        ack()
        return client_llm.responses.create(model="m", instructions="Summarise as an incident timeline: " + {read}, input="go"){mark}
    client_llm = OpenAI()
"""


@pytest.mark.parametrize(
    ("kind", "param", "read"),
    [
        ("message_shortcut", "shortcut", 'shortcut["message"]["text"]'),
        ("global_shortcut", "shortcut", 'shortcut["user"]["name"]'),
        ("block_action", "action", 'action["value"]'),
        ("attachment_action", "body", 'body["actions"][0]["value"]'),
        ("view_submission", "view", 'view["state"]["values"]["b"]["a"]["value"]'),
        ("view_closed", "view", 'view["private_metadata"]'),
        ("block_suggestion", "options", 'options["value"]'),
        ("dialog_submission", "payload", 'payload["submission"]["text"]'),
        ("function", "body", 'body["event"]["inputs"]["text"]'),
    ],
)
def test_a_slack_listener_payload_is_request_data(kind: str, param: str, read: str) -> None:
    check(LISTENER.format(kind=kind, param=param, read=read, mark="  # <- AIS201"))


@pytest.mark.parametrize("read", ["str(client.team_id)", "str(logger.name)", 'context["bot_user_id"]'])
def test_what_the_listener_is_given_besides_the_payload_is_not(read: str) -> None:
    check(LISTENER.format(kind="message_shortcut", param="shortcut", read=read, mark=""))


def test_a_message_shortcut_of_another_library_is_not_a_slack_listener() -> None:
    check(
        """
    from openai import OpenAI
    from .routing import router
    client = OpenAI()
    @router.message_shortcut("callback")
    def listener(shortcut):
        return client.responses.create(model="m", instructions="Summarise: " + shortcut["text"], input="go")
    """
    )
