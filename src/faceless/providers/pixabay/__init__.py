"""Pixabay stock photos and videos."""

from faceless.providers.pixabay.stock import PixabayStock

__all__ = ["PixabayStock"]
