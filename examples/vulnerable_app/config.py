"""Reads the service and training configuration.

Lines marked `# issue:` are real vulnerabilities; `# safe:` marks look-alikes.
"""

import json

import yaml

DEFAULTS_PATH = "config/defaults.yaml"


def read_settings(path=DEFAULTS_PATH):
    with open(path) as f:
        return yaml.load(f, Loader=yaml.Loader)  # issue: AIS105 Loader runs !!python/object tags


def read_experiment(text):
    return yaml.load(text)  # issue: AIS105 no Loader


def read_pipeline(path):
    with open(path) as f:
        return yaml.safe_load(f)  # safe: safe_load


def read_labels(path):
    with open(path) as f:
        return yaml.load(f, Loader=yaml.SafeLoader)  # safe: SafeLoader


def read_schema(path):
    with open(path) as f:
        return json.load(f)  # safe: JSON


def write_settings(path, settings):
    with open(path, "w") as f:
        yaml.dump(settings, f)  # safe: dumping
