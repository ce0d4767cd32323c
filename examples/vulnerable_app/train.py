"""Trains the churn model and saves it for the inference service.

Lines marked `# issue:` are real vulnerabilities; `# safe:` marks look-alikes.
"""

import pickle
import shelve

import cloudpickle
import joblib
import torch
from sklearn.linear_model import LogisticRegression

from config import read_settings


def resume(path):
    with open(path, "rb") as f:
        return cloudpickle.load(f)  # issue: AIS101 cloudpickle is pickle


def cached_features(key):
    with shelve.open("feature-cache") as cache:  # issue: AIS101 shelf values are pickles
        return cache.get(key)


def train(X, y):
    settings = read_settings()
    model = LogisticRegression(C=settings["C"]).fit(X, y)
    with open("models/churn.pkl", "wb") as f:
        pickle.dump(model, f)  # safe: saving, not loading
    joblib.dump(model, "models/churn.joblib")  # safe: saving, not loading
    torch.save({"coef": torch.tensor(model.coef_)}, "models/churn.pt")  # safe: saving, not loading
    return model
