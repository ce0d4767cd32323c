"""A request body serialised with `json.dumps({...})` is a document its reader decodes: a sink that
reads a key path of it (Bedrock `invoke_model(body=...)`: `system`, `messages[].content`,
`prompt`) sees the entries as they were, not encoded. An entry encoded on its own
(`json.dumps(x)` inside the content) stays encoded."""

from __future__ import annotations

from test_prompt_injection import check

HEAD = """
    import json
    import boto3
    from flask import request
    bedrock = boto3.client("bedrock-runtime")
"""


def test_request_data_spliced_into_a_serialised_body_reaches_the_model_decoded() -> None:
    check(
        HEAD
        + """
    def handler():
        return classify(request.get_json())  # <- AIS202
    def classify(mail: dict):
        body = json.dumps({
            "system": "Classify the e-mail. Reply with YAML with keys intent and urgency.",
            "messages": [{"role": "user", "content": f"Classify this e-mail for the sales team:\\n{mail['body']}"}],
        })
        return bedrock.invoke_model(modelId="m", body=body)
    """
    )


def test_an_entry_encoded_on_its_own_or_sent_alone_stays_clean_inside_a_serialised_body() -> None:
    check(
        HEAD
        + """
    def handler():
        mail = request.get_json()
        return encoded(mail), alone(mail)
    def encoded(mail: dict):
        body = json.dumps({
            "messages": [{"role": "user", "content": f"Classify this e-mail for the sales team:\\n{json.dumps(mail['body'])}"}],
        })
        return bedrock.invoke_model(modelId="m", body=body)
    def alone(mail: dict):
        body = json.dumps({"messages": [{"role": "user", "content": mail["body"]}]})
        return bedrock.invoke_model(modelId="m", body=body)
    """
    )


def test_a_serialised_document_spliced_into_a_prompt_as_text_is_encoded() -> None:
    check(
        """
    import json
    from flask import request
    from openai import OpenAI
    client = OpenAI()
    def summarise():
        record = json.dumps({"name": request.form["name"], "notes": [request.form["notes"]]})
        return client.completions.create(model="m", prompt=f"Summarise the JSON record below:\\n{record}")
    """
    )
