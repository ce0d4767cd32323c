"""Python tutor: explains exercises and checks answers with Llama on Groq (Gradio Blocks)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile

import gradio as gr
from groq import Groq

client = Groq(api_key=os.environ["GROQ_API_KEY"])
MODEL = os.environ.get("TUTOR_MODEL", "llama-3.3-70b-versatile")

TUTOR_SYSTEM = (
    "You are a patient Python tutor for beginners. Explain with short examples. "
    "Do not give the full solution unless asked twice."
)
LEVELS = {"beginner": "Use no classes or comprehensions.", "intermediate": "Comprehensions are fine."}
CHECKERS = {"pyflakes", "pycodestyle"}
REFERENCE_SOLUTIONS = {
    "sum the even numbers in a list": lambda xs: sum(x for x in xs if x % 2 == 0),
    "reverse a string": lambda s: s[::-1],
}


def complete(messages: list[dict], temperature: float = 0.2) -> str:
    # ruleid: AIS202
    resp = client.chat.completions.create(model=MODEL, messages=messages, temperature=temperature)
    return resp.choices[0].message.content or ""


def tutor_reply(message: str, history: list[dict], course_note: str, level: str):
    guidance = LEVELS.get(level, LEVELS["beginner"])
    system = f"{TUTOR_SYSTEM}\n{guidance}\nCourse note from the instructor: {course_note}"
    # ruleid: AIS201
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": system}, *history, {"role": "user", "content": message}],
        stream=True,
    )
    partial = ""
    for chunk in stream:
        partial += chunk.choices[0].delta.content or ""
        yield partial


def hint(exercise: str, attempt: str) -> str:
    prompt = (
        "Give one hint, not the answer, for this exercise.\n"
        "Exercise: {exercise}\nStudent attempt:\n{attempt}"
    ).format(exercise=exercise, attempt=attempt)
    return complete([{"role": "system", "content": TUTOR_SYSTEM}, {"role": "user", "content": prompt}])


def explain(code: str) -> str:
    return complete([{"role": "system", "content": TUTOR_SYSTEM}, {"role": "user", "content": code}])


def generate_tests(exercise: str) -> str:
    return complete(
        [
            {"role": "system", "content": "Write three assert statements testing a function named solve. Code only."},
            {"role": "user", "content": exercise},
        ]
    )


def run_tests(exercise: str, attempt: str) -> str:
    tests = generate_tests(exercise)
    namespace: dict = {"solve": REFERENCE_SOLUTIONS.get(exercise.strip().lower(), lambda *a: None)}
    try:
        # ruleid: AIS301
        exec(tests, namespace)
    except AssertionError as err:
        return f"A test failed: {err}"
    return "All generated tests passed."


def run_tests_isolated(exercise: str, attempt: str) -> str:
    tests = complete(
        [
            {"role": "system", "content": "Write three assert statements testing solve(). Code only."},
            {"role": "user", "content": exercise},
        ]
    )
    script = attempt + "\n\n" + tests
    # ruleid: AIS301
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=10)
    return proc.stdout + proc.stderr


def draw_solution(exercise: str) -> str:
    code = complete(
        [
            {"role": "system", "content": "Write matplotlib code that visualises the exercise. Code only."},
            {"role": "user", "content": exercise},
        ]
    )
    namespace: dict = {}
    # ruleid: AIS301
    exec(compile(code, "<tutor-plot>", "exec"), namespace)
    return "Figure drawn."


def sample_inputs(exercise: str) -> list:
    raw = complete(
        [
            {"role": "system", "content": "Return a Python list literal of five example inputs. Nothing else."},
            {"role": "user", "content": exercise},
        ]
    )
    # ok: AIS301
    return ast.literal_eval(raw.strip())


def grading_rubric(exercise: str) -> dict:
    raw = complete(
        [
            {"role": "system", "content": 'Return JSON {"criteria": [...], "max_points": int}.'},
            {"role": "user", "content": exercise},
        ]
    )
    # ok: AIS301, AIS304
    return json.loads(raw)


def style_check(attempt: str) -> str:
    checker = complete(
        [
            {"role": "system", "content": "Answer with exactly one word: pyflakes or pycodestyle."},
            {"role": "user", "content": attempt},
        ]
    ).strip()
    if checker not in CHECKERS:
        return "Could not pick a checker."
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(attempt)
    # ok: AIS301
    proc = subprocess.run([sys.executable, "-m", checker, fh.name], capture_output=True, text=True)
    return proc.stdout or "No style issues."


def complexity_of(attempt: str) -> str:
    answer = complete(
        [
            {"role": "system", "content": "Reply with the big-O time complexity only, e.g. O(n log n)."},
            {"role": "user", "content": attempt},
        ]
    )
    # ok: AIS301
    subprocess.run(["logger", "-t", "tutor", "complexity computed"], check=False)
    return answer


with gr.Blocks(title="Python tutor") as demo:
    with gr.Tab("Chat"):
        course_note = gr.Textbox(label="Instructor note", lines=2)
        level = gr.Dropdown(list(LEVELS), value="beginner", label="Level")
        gr.ChatInterface(tutor_reply, type="messages", additional_inputs=[course_note, level])
    with gr.Tab("Exercise"):
        exercise = gr.Textbox(label="Exercise", lines=4)
        attempt = gr.Code(label="Your solution", language="python")
        out = gr.Markdown()
        gr.Button("Hint").click(hint, [exercise, attempt], out)
        gr.Button("Explain").click(explain, [attempt], out)
        gr.Button("Run generated tests").click(run_tests, [exercise, attempt], out)
        gr.Button("Run tests (subprocess)").click(run_tests_isolated, [exercise, attempt], out)
        gr.Button("Visualise").click(draw_solution, [exercise], out)
        gr.Button("Sample inputs").click(lambda e: str(sample_inputs(e)), [exercise], out)
        gr.Button("Rubric").click(lambda e: json.dumps(grading_rubric(e)), [exercise], out)
        gr.Button("Style").click(style_check, [attempt], out)
        gr.Button("Complexity").click(complexity_of, [attempt], out)

if __name__ == "__main__":
    demo.launch()
