from .llm import ask as ask_model
