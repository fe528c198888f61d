"""Jamendo: Creative Commons music by mood (API v3.0)."""

from faceless.providers.jamendo.music import JamendoMusic

__all__ = ["JamendoMusic"]
