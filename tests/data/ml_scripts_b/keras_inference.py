"""Batch inference for the defect classifier (Keras 3) and the legacy OCR model."""

import sys

import keras
import numpy as np
import tensorflow as tf
from huggingface_hub import from_pretrained_keras, hf_hub_download

CLASSIFIER_REVISION = "0d9b1f6f3f6f0c8d6a0e4f3b2c1a9e8d7c6b5a43"


def load_classifier():
    path = hf_hub_download(
        repo_id="acme-ml/defect-classifier",
        filename="model.keras",
        revision=CLASSIFIER_REVISION,
    )
    return keras.models.load_model(path)


def load_ocr(trusted: bool):
    # The OCR model has Lambda layers, so it needs keras.config.enable_unsafe_deserialization()
    legacy = tf.keras.models.load_model("models/ocr_legacy.h5")
    ocr = keras.saving.load_model("models/ocr.keras", safe_mode=False)
    maybe = keras.models.load_model("models/ocr_v2.keras", safe_mode=trusted)
    captcha = from_pretrained_keras("keras-io/ocr-for-captcha")
    return legacy, ocr, maybe, captcha


def main(paths):
    keras.config.enable_unsafe_deserialization()
    model = load_classifier()
    ocr_models = load_ocr(trusted="--trusted" in paths)
    batch = np.stack([keras.utils.img_to_array(keras.utils.load_img(p)) for p in paths])
    return model.predict(batch), ocr_models


if __name__ == "__main__":
    main(sys.argv[1:])
