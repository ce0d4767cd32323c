"""The one-file samples of the pre-commit benchmark (written to a temporary folder at run time)."""

TRIGGER_FREE = '''\
"""Feature engineering helpers (no model loading here)."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence


@dataclass
class ColumnStats:
    name: str
    count: int = 0
    mean: float = 0.0
    stdev: float = 0.0
    top: list[tuple[str, int]] = field(default_factory=list)


def numeric_stats(name: str, values: Sequence[float]) -> ColumnStats:
    clean = [v for v in values if v is not None and not math.isnan(v)]
    if not clean:
        return ColumnStats(name)
    stdev = statistics.pstdev(clean) if len(clean) > 1 else 0.0
    return ColumnStats(name, len(clean), statistics.fmean(clean), stdev)


def categorical_stats(name: str, values: Iterable[str], top: int = 5) -> ColumnStats:
    counts = Counter(v for v in values if v)
    return ColumnStats(name, sum(counts.values()), top=counts.most_common(top))


def standardize(values: Sequence[float], stats: ColumnStats) -> list[float]:
    if stats.stdev == 0:
        return [0.0 for _ in values]
    return [(v - stats.mean) / stats.stdev for v in values]


def one_hot(values: Sequence[str], vocabulary: Sequence[str]) -> list[list[int]]:
    index = {word: i for i, word in enumerate(vocabulary)}
    rows = []
    for value in values:
        row = [0] * len(vocabulary)
        if value in index:
            row[index[value]] = 1
        rows.append(row)
    return rows


def bucketize(values: Sequence[float], edges: Sequence[float]) -> list[int]:
    out = []
    for v in values:
        bucket = 0
        while bucket < len(edges) and v >= edges[bucket]:
            bucket += 1
        out.append(bucket)
    return out


def group_means(keys: Sequence[str], values: Sequence[float]) -> dict[str, float]:
    groups: dict[str, list[float]] = defaultdict(list)
    for key, value in zip(keys, values):
        groups[key].append(value)
    return {key: statistics.fmean(vals) for key, vals in groups.items()}


class FeaturePipeline:
    def __init__(self, numeric: Sequence[str], categorical: Sequence[str]) -> None:
        self.numeric = list(numeric)
        self.categorical = list(categorical)
        self.stats: dict[str, ColumnStats] = {}

    def fit(self, table: dict[str, list]) -> "FeaturePipeline":
        for column in self.numeric:
            self.stats[column] = numeric_stats(column, table[column])
        for column in self.categorical:
            self.stats[column] = categorical_stats(column, table[column])
        return self

    def transform(self, table: dict[str, list]) -> list[list[float]]:
        columns: list[list[float]] = []
        for column in self.numeric:
            columns.append(standardize(table[column], self.stats[column]))
        for column in self.categorical:
            vocabulary = [word for word, _ in self.stats[column].top]
            for j, _ in enumerate(vocabulary):
                columns.append([row[j] for row in one_hot(table[column], vocabulary)])
        return [list(row) for row in zip(*columns)]
'''

# A model store with several model-loading calls (AIS101-AIS105 findings).
MODEL_LOADING = '''\
"""Model store: loads models and settings (several real findings)."""

import json
import pickle
from pathlib import Path

import joblib
import numpy as np
import torch
import yaml


class ModelStore:
    def __init__(self, root):
        self.root = Path(root)

    def settings(self):
        with open(self.root / "settings.yaml") as f:
            return yaml.load(f, Loader=yaml.Loader)

    def schema(self):
        with open(self.root / "schema.json") as f:
            return json.load(f)

    def model(self, name):
        with open(self.root / f"{name}.pkl", "rb") as f:
            return pickle.load(f)

    def pipeline(self, name):
        return joblib.load(self.root / f"{name}.joblib")

    def checkpoint(self, name):
        return torch.load(self.root / f"{name}.pt", map_location="cpu")

    def weights(self, name):
        return torch.load(self.root / f"{name}.pt", weights_only=True)

    def embeddings(self, name):
        return np.load(self.root / f"{name}.npy", allow_pickle=True)
'''

# A 30-line LLM route: request data in the system message (an AIS201 finding).
LLM_ROUTE = '''\
"""Support chat endpoint: the user's question goes to the model with a persona."""

from fastapi import FastAPI
from openai import OpenAI
from pydantic import BaseModel

app = FastAPI()
client = OpenAI()


class Question(BaseModel):
    customer: str
    text: str


@app.post("/ask")
def ask(question: Question) -> dict:
    persona = f"You are a support agent. The customer is called {question.customer}."
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": persona},
            {"role": "user", "content": question.text},
        ],
    )
    answer = response.choices[0].message.content
    return {"answer": answer}
'''
