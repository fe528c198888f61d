"""Google Gemini through the Generative Language API."""

from faceless.providers.gemini.llm import GeminiLLM

__all__ = ["GeminiLLM"]
