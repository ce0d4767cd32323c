from .rules import Validator, known_style, word_limit
