"""Inference service: a small Flask app that serves predictions from the model store.

Part of aisec's example app; it is scanned, never run. Lines marked `# issue:` are real
vulnerabilities, lines marked `# safe:` are look-alikes that must not be reported. The README
next to this file lists every expected finding with its line.
"""

import json
import pickle

from flask import Flask, jsonify, request

from model_store import ModelStore

app = Flask(__name__)
store = ModelStore("models")


@app.post("/predict")
def predict():
    if request.content_type == "application/x-python-pickle":
        features = pickle.loads(request.data)  # issue: AIS101 unpickles the request body
    else:
        features = json.loads(request.data)  # safe: JSON cannot construct objects
    model = store.load("churn")  # safe: the app's own ModelStore.load
    return jsonify(prediction=model.predict([features]).tolist())


@app.post("/feedback")
def feedback():
    record = {"input": request.json["input"], "label": request.json["label"]}
    with open("feedback.pkl", "ab") as sink:
        pickle.dump(record, sink)  # safe: dumping writes, it does not load
    return jsonify(ok=True)


if __name__ == "__main__":
    app.run(port=8080)
