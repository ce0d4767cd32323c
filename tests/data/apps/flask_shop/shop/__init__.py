from .llm import ask as ask_model
from .checks import allowed as tone_allowed
