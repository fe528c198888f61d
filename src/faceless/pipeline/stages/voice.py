"""Stage 3: narration per scene (cached by text + voice), fitted to whole frames at 48 kHz."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from faceless.domain import InputError, Project, ProviderError, Scene, Word, seconds_to_frames
from faceless.pipeline.context import RunContext
from faceless.providers.base import Speech, TTSProvider
from faceless.storage.cache import content_key
from faceless.storage.files import write_text_atomic

VOICE_VERSION = "voice/1"
MIN_SCENE_FRAMES = 30  # one second: shorter flashes are unreadable


@dataclass(frozen=True)
class SceneSpeech:
    """A scene's narration, fitted to `frames` (voice_path is exactly that long at 48 kHz)."""

    scene_id: str
    frames: int
    voice_path: Path
    words: list[Word]
    duration: float  # seconds of actual speech
    cached: bool


def resolve_tts(spec: str) -> tuple[TTSProvider, str | None]:
    """`piper:joe`, `piper:/path/voice.onnx`, a bare `.onnx` path, `espeak[:voice]`, or a registry spec.

    A comma-separated list is a fallback chain, tried in order per scene:
    `elevenlabs:Rachel,openai:alloy,piper:joe` (a provider without its key is skipped).
    """
    if "," in spec:
        from faceless.providers.fallback import FallbackTTS

        parts = [p.strip() for p in spec.split(",") if p.strip()]
        if not parts:
            raise InputError(f"empty voice list {spec!r}: give e.g. elevenlabs:Rachel,piper:joe")
        return FallbackTTS(parts), None
    provider, _, voice = spec.partition(":")
    if spec.endswith(".onnx") and provider not in ("piper",):
        provider, voice = "piper", spec
    if provider == "piper":
        from faceless.providers.piper import PiperTTS

        if voice and voice != "joe":
            return PiperTTS(model=voice), None
        return PiperTTS(), None
    if provider == "espeak":
        from faceless.providers.espeak import EspeakTTS

        return EspeakTTS(), voice or None
    try:
        from faceless.providers import registry
    except ImportError:
        registry = None  # type: ignore[assignment]
    if registry is not None and hasattr(registry, "resolve_tts"):
        return registry.resolve_tts(spec)
    raise InputError(f"unknown voice {spec!r}: use piper:joe, a Piper .onnx path, or espeak")


def _load_cached(meta: Path, wav: Path) -> Speech | None:
    if not (meta.exists() and wav.exists()):
        return None
    data = json.loads(meta.read_text())
    return Speech(
        path=wav,
        duration=data["duration"],
        sample_rate=data["sample_rate"],
        words=[Word(**w) for w in data["words"]],
    )


def speak_scene(scene: Scene, project: Project, ctx: RunContext) -> tuple[Speech, bool]:
    """Synthesise one scene (or take it from the cache). Returns (speech, was_cached)."""
    settings = scene.voice or project.voice
    key = content_key(VOICE_VERSION, settings.voice, settings.speed, scene.narration)
    wav = ctx.cache.path("voice", key, ".wav")
    meta = wav.with_suffix(".json")
    cached = _load_cached(meta, wav)
    if cached is not None:
        return cached, True
    tts, voice = resolve_tts(settings.voice)
    try:
        speech = tts.synthesize(scene.narration, wav, voice=voice, speed=settings.speed)
    except ProviderError as e:
        if settings.voice.startswith("espeak"):
            raise
        # The offline fallback keeps the video coming when a voice fails.
        ctx.warning(f"voice {settings.voice} failed ({e}); falling back to espeak-ng")
        from faceless.providers.espeak import EspeakTTS

        speech = EspeakTTS().synthesize(scene.narration, wav, speed=settings.speed)
    write_text_atomic(
        meta,
        json.dumps(
            {
                "duration": speech.duration,
                "sample_rate": speech.sample_rate,
                "words": [w.model_dump() for w in speech.words],
            }
        ),
    )
    return speech, False


def scene_frames(speech_duration: float, pause_after: float) -> int:
    """Frames for a scene: its speech plus the pause after it, whole frames, at least one second."""
    return max(MIN_SCENE_FRAMES, seconds_to_frames(speech_duration + pause_after))


def voice_stage(project: Project, ctx: RunContext) -> list[SceneSpeech]:
    """Speak every scene and fit each to whole frames; only changed scenes are synthesised."""
    from faceless.audio.voice_track import fit_voice

    out: list[SceneSpeech] = []
    n = len(project.scenes)
    for i, scene in enumerate(project.scenes):
        ctx.check_cancelled()
        speech, cached = speak_scene(scene, project, ctx)
        frames = scene_frames(speech.duration, scene.pause_after)
        fkey = content_key("fit/1", str(speech.path), speech.path.stat().st_size, frames)
        fitted = ctx.cache.path("voice48", fkey, ".wav")
        if not fitted.exists():
            fit_voice(speech.path, frames, fitted)
        ctx.count("voice_cached" if cached else "voice_synthesised")
        out.append(SceneSpeech(scene.id, frames, fitted, list(speech.words), speech.duration, cached))
        ctx.progress("voice", (i + 1) / n, f"scene {i + 1}/{n}")
    return out
