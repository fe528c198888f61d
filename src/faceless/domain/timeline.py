"""The composed timeline: exact frame positions of every scene, voice, words and music."""

from __future__ import annotations

import math
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field

from faceless.domain.project import VisualChoice
from faceless.domain.words import Word

FPS = Fraction(30)
AUDIO_RATE = 48_000  # 1,600 samples per frame at 30 fps: scene boundaries are sample-exact


def seconds_to_frames(seconds: float, fps: Fraction = FPS, *, round_up: bool = True) -> int:
    """Frames that cover `seconds` (rounded up by default so no audio is cut)."""
    exact = Fraction(seconds).limit_denominator(1_000_000) * fps
    return math.ceil(exact) if round_up else round(exact)


def frames_to_seconds(frames: int, fps: Fraction = FPS) -> float:
    """Exact start time of frame number `frames` as a float."""
    return float(Fraction(frames) / fps)


class SceneClip(BaseModel):
    """One scene placed on the timeline."""

    model_config = ConfigDict(extra="forbid")

    scene_id: str
    index: int
    start_frame: int = Field(ge=0)
    frames: int = Field(gt=0)
    voice_path: str  # WAV, 48 kHz, exactly `frames` long (silence-padded)
    words: list[Word]  # times relative to the scene start
    visual: VisualChoice
    keywords: list[str] = Field(default_factory=list)
    narration: str = ""

    @property
    def start(self) -> float:
        return frames_to_seconds(self.start_frame)

    @property
    def duration(self) -> float:
        return frames_to_seconds(self.frames)


class Timeline(BaseModel):
    """Everything the renderer needs, with no decisions left to make."""

    model_config = ConfigDict(extra="forbid")

    fps: int = int(FPS)
    width: int
    height: int
    format: str
    caption_style: str = "pop"
    highlight_colour: str = "#FFD700"
    title: str = ""
    clips: list[SceneClip]
    music_path: str | None = None
    music_volume_db: float = -18.0

    @property
    def total_frames(self) -> int:
        return sum(c.frames for c in self.clips)

    @property
    def duration(self) -> float:
        return frames_to_seconds(self.total_frames)

    def absolute_words(self) -> list[Word]:
        """All words with times from the start of the video."""
        return [w.shifted(c.start) for c in self.clips for w in c.words]
