"""Unsplash stock photos."""

from faceless.providers.unsplash.stock import UnsplashStock

__all__ = ["UnsplashStock"]
