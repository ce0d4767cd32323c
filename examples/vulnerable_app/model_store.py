"""Loads trained models and feature statistics from disk or the Hugging Face Hub.

Lines marked `# issue:` are real vulnerabilities; `# safe:` marks look-alikes.
"""

import pickle
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import torch
import keras


def load(path):
    """The project's own `load`: reads raw bytes, no deserialization."""
    return Path(path).read_bytes()


class ModelStore:
    def __init__(self, root):
        self.root = Path(root)

    def load(self, name):
        with open(self.root / f"{name}.pkl", "rb") as f:
            return pickle.load(f)  # issue: AIS101 a model file is a pickle

    def load_pipeline(self, name):
        return joblib.load(self.root / f"{name}.joblib")  # issue: AIS104 joblib files are pickles

    def load_checkpoint(self, name):
        return torch.load(self.root / f"{name}.pt", map_location="cpu")  # issue: AIS102 no weights_only

    def load_weights(self, name, model):
        state = torch.load(self.root / f"{name}.pt", map_location="cpu", weights_only=True)  # safe: weights only
        model.load_state_dict(state)
        return model

    def load_embeddings(self, name):
        return np.load(self.root / f"{name}.npy", allow_pickle=True)  # issue: AIS103 object arrays unpickle

    def load_matrix(self, name):
        return np.load(self.root / f"{name}.npy")  # safe: allow_pickle defaults to False

    def load_features(self, name):
        return pd.read_pickle(self.root / f"{name}.pkl.gz")  # issue: AIS101 pandas pickle

    def load_table(self, name):
        return pd.read_parquet(self.root / f"{name}.parquet")  # safe: parquet holds data only

    def load_keras(self, name):
        return keras.models.load_model(self.root / f"{name}.keras", safe_mode=False)  # issue: AIS109 lambdas run

    def load_keras_safe(self, name):
        return keras.models.load_model(self.root / f"{name}.keras")  # safe: safe_mode defaults to True

    def load_detector(self):
        return torch.hub.load("ultralytics/yolov5", "yolov5s")  # issue: AIS108 runs hubconf.py from GitHub

    def checksum(self, name):
        return load(self.root / f"{name}.pkl")  # safe: the module's own load() above


MODELS = Path(__file__).parent / "models"  # written by examples/make_models.py, never committed


def load_ranker():
    return torch.load(MODELS / "ranker.pt", weights_only=True)  # issue: AIS401 at models/ranker.pt its pickle calls os.getpid


def load_encoder():
    from safetensors.torch import load_file

    return load_file(MODELS / "encoder.safetensors")  # safe: safetensors holds tensors only, no code
