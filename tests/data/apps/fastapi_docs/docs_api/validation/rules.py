"""Validation helpers: no catalog source or sink is spelled here (read when a caller passes data)."""

import re

STYLES = ("plain", "bullet", "legal")
LIMITS = {"short": 50, "long": 400}
NAME = re.compile(r"[a-z]{1,12}")


def known_style(style):
    return style in STYLES


def word_limit(name):
    return LIMITS.get(name, 50)


def shout(text):
    return text.upper()  # look-alike: the text passes through


class Validator:
    def matches(self, value):
        return NAME.fullmatch(value) is not None

    def loose(self, value):
        return NAME.match(value) is not None  # look-alike: a prefix match
