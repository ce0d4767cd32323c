"""HTTP inference service: loads the registered model and a few helpers at start-up."""

from __future__ import annotations

import os

import mlflow
import skops.io as sio
import torch
from transformers import AutoModel, pipeline

MODEL_URI = os.environ.get("MODEL_URI", "models:/ticket-router/Production")
TRUST_REMOTE = os.environ.get("TRUST_REMOTE_CODE") == "1"
REVIEWED_TYPES = ["sklearn.feature_extraction.text.TfidfTransformer"]


class Predictor:
    def __init__(self) -> None:
        self.router = mlflow.pyfunc.load_model(MODEL_URI)
        self.encoder = AutoModel.from_pretrained(
            "acme/ticket-encoder",
            trust_remote_code=TRUST_REMOTE,
        )
        self.summarizer = pipeline("summarization", model="acme/summarizer", trust_remote_code=False)
        self.reranker = torch.load("artifacts/reranker.pt", weights_only=False)

    def predict(self, text: str) -> dict:
        return {"route": self.router.predict([text])[0]}


def load_postprocessor(path: str):
    unknown = sio.get_untrusted_types(file=path)
    return sio.load(path, trusted=unknown)


def load_tfidf(path: str):
    return sio.load(path, trusted=REVIEWED_TYPES)


def load_audited(path: str):
    unknown = sio.get_untrusted_types(file=path)
    reviewed = [name for name in unknown if name in REVIEWED_TYPES]
    return sio.load(path, trusted=reviewed)


def load_legacy_model(uri: str):
    # Older registry entries were logged with the sklearn flavour.
    return mlflow.sklearn.load_model(uri)


predictor = Predictor()
