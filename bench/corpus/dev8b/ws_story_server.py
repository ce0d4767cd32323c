"""Interactive-fiction server over websockets: each connection is a session object; agents draft and check scenes."""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import websockets
from crewai import Agent, Crew, Task
from smolagents import CodeAgent, InferenceClientModel, ToolCallingAgent, tool
from vllm import LLM, SamplingParams

engine = LLM(model="/models/story-13b")
sampling = SamplingParams(temperature=0.8, max_tokens=400)
hf_model = InferenceClientModel(model_id="Qwen/Qwen2.5-Coder-32B-Instruct")
GENRES = {"noir": "Write hard-boiled noir.", "fantasy": "Write high fantasy.", "scifi": "Write hard science fiction."}


@tool
def word_count(text: str) -> int:
    """Count the words in a scene.

    Args:
        text: the scene
    """
    return len(text.split())


class StorySession:
    def __init__(self, socket) -> None:
        self.socket = socket
        self.style = GENRES["fantasy"]
        self.history: list[str] = []

    def set_genre(self, genre: str) -> None:
        self.style = GENRES.get(genre, GENRES["fantasy"])

    def set_custom_style(self, style: str) -> None:
        self.style = style

    def prompt(self, action: str) -> str:
        story = "\n".join(self.history[-6:])
        return f"<|system|>{self.style}<|end|>\n<|user|>Story so far:\n{story}\nPlayer action: {action}<|end|>\n<|assistant|>"

    async def stream_scene(self, action: str) -> AsyncIterator[str]:
        # ruleid: AIS201, AIS202
        outputs = await asyncio.to_thread(engine.generate, [self.prompt(action)], sampling)
        for chunk in outputs[0].outputs[0].text.split("\n"):
            yield chunk

    async def play(self, action: str) -> None:
        scene = []
        async for line in self.stream_scene(action):
            scene.append(line)
            await self.socket.send(json.dumps({"type": "line", "text": line}))
        self.history.append("\n".join(scene))

    async def plan_with_crew(self, goal: str) -> str:
        # ruleid: AIS201
        planner = Agent(role="Plot planner", goal=f"Plan the next chapter so that {goal}", backstory="A veteran editor.")
        task = Task(description="Outline the next chapter in five beats.", expected_output="five beats", agent=planner)
        return str(Crew(agents=[planner], tasks=[task]).kickoff())

    async def check_continuity(self) -> str:
        # ok: AIS301
        checker = ToolCallingAgent(tools=[word_count], model=hf_model)
        return str(checker.run("Check the last scene for continuity errors:\n" + self.history[-1]))

    async def stats(self, request: str) -> str:
        # ruleid: AIS301
        analyst = CodeAgent(tools=[word_count], model=hf_model, additional_authorized_imports=["statistics"])
        # ruleid: AIS202
        return str(analyst.run(f"Compute these statistics about the story: {request}\n\n" + "\n".join(self.history)))


async def handler(websocket) -> None:
    session = StorySession(websocket)
    async for raw in websocket:
        message = json.loads(raw)
        kind = message.get("type")
        if kind == "genre":
            session.set_genre(message["genre"])
        elif kind == "style":
            session.set_custom_style(message["style"])
        elif kind == "act":
            await session.play(message["action"])
        elif kind == "plan":
            await websocket.send(await session.plan_with_crew(message["goal"]))
        elif kind == "check":
            await websocket.send(await session.check_continuity())
        elif kind == "stats":
            await websocket.send(await session.stats(message["request"]))


async def main() -> None:
    async with websockets.serve(handler, "0.0.0.0", 8765):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
