"""Research crew service on Sanic: CrewAI, smolagents, OpenAI Agents SDK and DSPy behind one API."""
from __future__ import annotations

import dspy
from agents import Agent as SdkAgent
from agents import Runner
from crewai import Agent, Crew, Task
from sanic import Sanic
from sanic.request import Request
from sanic.response import html, json
from smolagents import CodeAgent, InferenceClientModel, ToolCallingAgent, WebSearchTool

app = Sanic("research_crew")
REPORT_STYLE = "Write in plain English for executives. Cite sources inline."
AUDIENCES = {"exec": "executives", "eng": "engineers", "sales": "account managers"}
dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))


@app.post("/crew/brief")
async def crew_brief(request: Request):
    body = request.json
    # ruleid: AIS201
    analyst = Agent(
        role="Market analyst",
        goal=f"Produce a market brief about {body['topic']}",
        backstory=body.get("analyst_backstory", "A veteran analyst at a consulting firm."),
    )
    # ok: AIS202
    task = Task(description="Write a one-page market brief.", expected_output="Markdown", agent=analyst)
    result = Crew(agents=[analyst], tasks=[task]).kickoff()
    return json({"brief": result.raw})


@app.post("/crew/audience")
async def crew_audience(request: Request):
    audience = AUDIENCES.get(request.json.get("audience"), "executives")
    # ok: AIS201
    writer = Agent(role="Writer", goal=f"Write for {audience}", backstory=REPORT_STYLE)
    # ruleid: AIS202
    task = Task(description=f"Summarise these notes for {audience}: {request.json['notes']}", expected_output="Text", agent=writer)
    result = Crew(agents=[writer], tasks=[task]).kickoff()
    return json({"summary": result.raw})


@app.post("/smol/analyse")
async def smol_analyse(request: Request):
    model = InferenceClientModel(model_id="Qwen/Qwen2.5-Coder-32B-Instruct")
    # ruleid: AIS301
    agent = CodeAgent(tools=[WebSearchTool()], model=model, additional_authorized_imports=["pandas"])
    # ok: AIS202
    answer = agent.run(request.json["question"])
    return json({"answer": str(answer)})


@app.post("/smol/search")
async def smol_search(request: Request):
    model = InferenceClientModel()
    # ok: AIS301
    agent = ToolCallingAgent(tools=[WebSearchTool()], model=model)
    answer = agent.run(request.json["question"])
    # ruleid: AIS303
    return html(f"<section>{answer}</section>")


@app.post("/sdk/handoff")
async def sdk_handoff(request: Request):
    tone = request.json.get("tone", "neutral")
    # ruleid: AIS201
    agent = SdkAgent(name="Briefer", instructions=f"{REPORT_STYLE} Use a {tone} tone.")
    result = await Runner.run(agent, request.json["question"])
    return json({"answer": result.final_output})


@app.post("/sdk/plain")
async def sdk_plain(request: Request):
    # ok: AIS201
    agent = SdkAgent(name="Briefer", instructions=REPORT_STYLE)
    # ok: AIS202
    result = await Runner.run(agent, request.json["question"])
    # ruleid: AIS303
    return html("<p>" + result.final_output + "</p>")


class Headline(dspy.Signature):
    """Write a headline for the article."""

    article: str = dspy.InputField()
    headline: str = dspy.OutputField()


@app.post("/dspy/headline")
async def dspy_headline(request: Request):
    house_rules = request.json.get("house_rules", "")
    # ruleid: AIS201
    signature = Headline.with_instructions(f"Write a headline for the article. {house_rules}")
    predict = dspy.Predict(signature)
    # ok: AIS202
    out = predict(article=request.json["article"])
    # ok: AIS303
    return json({"headline": out.headline})
