"""Faceless: script, article or topic in; finished, narrated, captioned video out."""

__version__ = "0.1.0"
