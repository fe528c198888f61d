"""A spoken word with its timing."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Word(BaseModel):
    """One word of narration as written in the script, with start/end in seconds.

    Inside a scene, times are relative to the scene's start; in `words.json` and on the
    timeline they are absolute.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    start: float = Field(ge=0)
    end: float = Field(ge=0)

    def shifted(self, offset: float) -> Word:
        """The same word moved by `offset` seconds."""
        return Word(text=self.text, start=self.start + offset, end=self.end + offset)
