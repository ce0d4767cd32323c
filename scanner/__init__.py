"""aisec: a static security scanner for Python code that loads ML models and talks to LLMs."""

__version__ = "0.1.0"
