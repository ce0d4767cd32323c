from fastapi import FastAPI, HTTPException

from docs_api.prompting import summarise

from .validation import Validator, known_style, word_limit
from .validation.rules import shout

app = FastAPI()


@app.get("/summary")
def summary(document: str, style: str):
    return summarise(document, style=style)


@app.get("/plain")
def plain(document: str):
    return summarise(document)


@app.get("/count")
def count(document: str, words: int):
    return summarise(document, style=str(words))


@app.get("/styled")
def styled(document: str, style: str):
    if not known_style(style):
        raise HTTPException(status_code=400)
    return summarise(document, style=style)


@app.get("/limited")
def limited(document: str, size: str):
    return summarise(document, style=f"max {word_limit(size)} words")


@app.get("/validated")
def validated(document: str, style: str, other: str):
    if not Validator().matches(style):
        return {"error": "bad style"}
    summarise(document, style=style)
    if not Validator().loose(other):
        return {"error": "bad style"}
    return summarise(document, style=shout(other))
