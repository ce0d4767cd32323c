"""Input checks. This module spells no catalog source or sink: it is read lazily, when a caller
passes request data into one of its functions."""

import re
import uuid

TONES = {"formal", "casual"}
LANGUAGES = ("en", "de")
STYLES = {"short": "Answer in one sentence.", "long": "Answer in detail."}
SLUG = r"[a-z0-9-]{1,32}"


def clean_count(value):
    return int(value)


def clean_id(value):
    return str(uuid.UUID(value))


def pick_tone(value):
    return value if value in TONES else "formal"


def style_text(name):
    return STYLES[name]


def tidy(value):
    return value.strip()  # look-alike: the text passes through


def allowed(tone):
    return tone in TONES


def is_slug(value):
    return bool(re.fullmatch(SLUG, value))


def known_language(value):
    if value in LANGUAGES:
        return True
    return False


def always(tone):
    return tone in TONES or True  # look-alike: true for any tone


def searched(value):
    return re.search(SLUG, value) is not None  # look-alike: a match anywhere, not a full one


def in_list(value, options):
    return value in options  # look-alike: the caller's options, not a constant


def either(tone, other):
    return tone in TONES or other in TONES  # look-alike: which one was checked is not known


class Checks:
    @staticmethod
    def allowed(tone):
        return tone in TONES

    def vouch(self, tone):
        return allowed(tone)
