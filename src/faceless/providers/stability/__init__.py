"""Stability AI text to image."""

from faceless.providers.stability.images import StabilityImages

__all__ = ["StabilityImages"]
