"""Anthropic Claude through the Messages API."""

from faceless.providers.anthropic.llm import AnthropicLLM

__all__ = ["AnthropicLLM"]
