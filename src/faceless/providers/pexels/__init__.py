"""Pexels stock videos and photos."""

from faceless.providers.pexels.stock import PexelsStock

__all__ = ["PexelsStock"]
