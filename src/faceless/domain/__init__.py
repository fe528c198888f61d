"""Pure, typed data of Faceless. Imports nothing else from the package."""

from faceless.domain.errors import FacelessError, InputError, MediaRejected, ProviderError
from faceless.domain.formats import FORMATS, RenderFormat, SafeZone, get_format
from faceless.domain.project import (
    SCHEMA,
    CaptionSettings,
    MusicSettings,
    Project,
    Scene,
    VisualChoice,
    VoiceSettings,
)
from faceless.domain.timeline import FPS, SceneClip, Timeline, frames_to_seconds, seconds_to_frames
from faceless.domain.words import Word

__all__ = [
    "FORMATS",
    "FPS",
    "SCHEMA",
    "CaptionSettings",
    "FacelessError",
    "InputError",
    "MediaRejected",
    "MusicSettings",
    "Project",
    "ProviderError",
    "RenderFormat",
    "SafeZone",
    "Scene",
    "SceneClip",
    "Timeline",
    "VisualChoice",
    "VoiceSettings",
    "Word",
    "frames_to_seconds",
    "get_format",
    "seconds_to_frames",
]
