"""OpenAI and every OpenAI-compatible server (Ollama, vLLM, LM Studio, OpenRouter, Groq)."""

from faceless.providers.openai.images import OpenAIImages
from faceless.providers.openai.llm import OpenAILLM
from faceless.providers.openai.tts import OpenAITTS

__all__ = ["OpenAIImages", "OpenAILLM", "OpenAITTS"]
