"""Audio: per-scene voice fitting and joining, music beds (generated or the user's), mix and mastering."""

from faceless.audio.mix import LoudnessReport, master, measure_loudness
from faceless.audio.music import MOODS, generate_music, select_music
from faceless.audio.voice_track import concat_voice, fit_voice

__all__ = [
    "MOODS",
    "LoudnessReport",
    "concat_voice",
    "fit_voice",
    "generate_music",
    "master",
    "measure_loudness",
    "select_music",
]
