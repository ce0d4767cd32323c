"""A command-line assistant: argparse + Ollama, reading local notes."""

import argparse
import sys
from pathlib import Path

import ollama

PROMPTS = Path(__file__).parent / "prompts"


def load_prompt(name):
    return (PROMPTS / name).read_text()


def read_notes(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("question")
    parser.add_argument("--persona", default="a patient teacher")
    parser.add_argument("--words", type=int, default=100)
    parser.add_argument("--notes")
    args = parser.parse_args()

    system = load_prompt("system.txt") + f" Answer in at most {args.words} words."
    ollama.chat("llama3", [{"role": "system", "content": system}, {"role": "user", "content": args.question}])

    ollama.generate(model="llama3", prompt=args.question, system=f"You are {args.persona}.")  # <- AIS201

    if args.notes:
        notes = read_notes(args.notes)
        ollama.generate(model="llama3", prompt=args.question, system="Use these notes: " + notes)  # <- AIS204

    extra = input("Anything else? ")
    ollama.generate(model="llama3", prompt=f"Answer the follow-up question in one paragraph: {extra}")  # <- AIS202
    ollama.generate(model="llama3", prompt=sys.argv[-1])


if __name__ == "__main__":
    main()
