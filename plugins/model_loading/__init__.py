"""Model-loading rules (AIS1xx): deserializers and loaders that can run code from a file."""

from __future__ import annotations

from aisec.hooks import Rule, hookimpl

from .pickle_load import PickleLoad
from .yaml_load import YamlLoad


@hookimpl
def aisec_rules() -> list[type[Rule]]:
    return [PickleLoad, YamlLoad]
