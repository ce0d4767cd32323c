from fastapi import FastAPI

from docs_api.prompting import summarise

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
