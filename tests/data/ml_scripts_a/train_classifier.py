"""Fine-tune a text classifier and resume from the last checkpoint.

Loading notes: we used to call torch.load(path) on resume and np.load(..., allow_pickle=True)
for the label cache; both are reported by aisec.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import joblib
import numpy as np
import torch
from torch import nn
from transformers import AutoModelForSequenceClassification, AutoTokenizer

CHECKPOINTS = Path("checkpoints")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="acme/bert-base-tickets")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--epochs", type=int, default=3)
    return parser.parse_args()


def load_label_cache(path: Path) -> dict:
    # Object arrays need pickle; TODO: move to JSON.
    cache = np.load(path, allow_pickle=True)
    return cache.item()


def load_features(path: Path) -> np.ndarray:
    return np.load(path, mmap_mode="r")  # plain float32 arrays: safe default


def resume(model: nn.Module, optimizer: torch.optim.Optimizer) -> int:
    state = torch.load(CHECKPOINTS / "last.pt", map_location="cpu")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    return state["epoch"]


def load_best_weights(model: nn.Module) -> None:
    model.load_state_dict(torch.load(CHECKPOINTS / "best.pt", weights_only=True))


def main() -> None:
    args = parse_args()
    with open("config.json") as handle:
        config = json.load(handle)
    tokenizer = AutoTokenizer.from_pretrained(args.model, trust_remote_code=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        args.model,
        num_labels=config["num_labels"],
    )
    vectorizer = joblib.load("artifacts/tfidf.joblib")
    optimizer = torch.optim.AdamW(model.parameters(), lr=config["lr"])
    start = resume(model, optimizer) if args.resume else 0
    labels = load_label_cache(Path("artifacts/labels.npy"))
    for epoch in range(start, args.epochs):
        print(epoch, len(labels), tokenizer, vectorizer)
        torch.save({"model": model.state_dict(), "epoch": epoch}, CHECKPOINTS / "last.pt")
    joblib.dump(vectorizer, "artifacts/tfidf.joblib")


if __name__ == "__main__":
    main()
