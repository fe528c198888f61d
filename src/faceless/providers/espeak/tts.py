"""espeak-ng as a tiny fallback voice: exact word starts from the library's word events."""

from __future__ import annotations

import bisect
import ctypes
from pathlib import Path
from typing import ClassVar

import numpy as np

from faceless.domain.errors import InputError, ProviderError
from faceless.domain.words import Word
from faceless.providers.base import ProviderInfo, Speech, VoiceInfo
from faceless.providers.espeak import lib as es
from faceless.voice.phoneme_match import fill_gaps
from faceless.voice.tokens import Display, Normalizer, SpeechToken, finalize_words, prepare_tokens
from faceless.voice.wav import WavWriter

DEFAULT_VOICE = "en-us"
BASE_RATE = 175  # espeak-ng's default words per minute
_HOP_SECONDS = 0.01  # resolution of the voiced/silent map used to find word ends
_SILENCE = 200  # |sample| below this (about -44 dBFS) counts as silence
_ONSET_SLACK = 0.05  # seconds of sound allowed before a word event


class EspeakTTS:
    """espeak-ng through ctypes (`libespeak-ng.so.1`). Robotic but instant; `voice` is an espeak voice
    name such as "en-us" or "en-gb"."""

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="espeak",
        capability="tts",
        description="espeak-ng formant voice (robotic, instant), word timings from library events",
        offline=True,
    )

    def __init__(
        self,
        voice: str = DEFAULT_VOICE,
        *,
        normalizer: Normalizer | None = None,
        display: Display | None = None,
    ) -> None:
        self._voice = voice
        self._normalizer = normalizer
        self._display = display

    @staticmethod
    def available() -> bool:
        """Whether libespeak-ng can be loaded here."""
        try:
            es.library()
        except ProviderError:
            return False
        return True

    def voices(self) -> list[VoiceInfo]:
        """Installed espeak-ng voices (English ones first)."""
        out = []
        for name, ident, lang, gender in es.list_voices():
            g = {1: "male", 2: "female"}.get(gender)
            out.append(VoiceInfo(id=lang or ident, name=name, language=lang or "", gender=g))
        return sorted(out, key=lambda v: (not v.language.startswith("en"), v.id))

    def synthesize(self, text: str, out_wav: Path, *, voice: str | None = None, speed: float = 1.0) -> Speech:
        """Speak `text` into `out_wav` (mono 16-bit, 22050 Hz) with a `Word` per spoken token."""
        if not 0.25 <= speed <= 4.0:
            raise InputError(f"speed {speed} is out of range: use a value from 0.25 to 4.0")
        tokens = prepare_tokens(text, self._normalizer, self._display)
        if not any(t.is_word for t in tokens):
            raise InputError("nothing to speak: the narration has no words (only emoji/symbols or empty)")
        spoken, offsets, owners = _spoken_layout(tokens)
        lib, rate = es.library()
        hop = max(1, int(rate * _HOP_SECONDS))
        voiced = bytearray()
        starts: dict[int, int] = {}  # token index → first word-event sample
        failure: list[BaseException] = []
        out_wav = Path(out_wav)

        with WavWriter(out_wav, rate) as wav:

            def on_audio(samples: ctypes._Pointer, n: int, events: ctypes._Pointer) -> int:  # type: ignore[type-arg]
                try:
                    i = 0
                    while events[i].type != es.EVENT_LIST_TERMINATED:
                        ev = events[i]
                        if ev.type == es.EVENT_WORD:
                            k = bisect.bisect_right(offsets, ev.text_position - 1) - 1
                            if k >= 0:
                                starts.setdefault(owners[k], ev.sample)
                        i += 1
                    if n > 0 and samples:
                        pcm = np.ctypeslib.as_array(samples, shape=(n,)).copy()
                        _mark_voiced(voiced, pcm, wav.frames, hop)
                        wav.write(pcm)
                except BaseException as exc:  # noqa: BLE001 - must not unwind through C
                    failure.append(exc)
                    return 1
                return 0

            callback = es.SynthCallback(on_audio)  # referenced until synthesis ends
            data = spoken.encode("utf-8") + b"\0"
            with es.LOCK:
                lib.espeak_SetSynthCallback(callback)
                if lib.espeak_SetVoiceByName((voice or self._voice).encode()) != es.EE_OK:
                    raise InputError(
                        f"unknown espeak-ng voice {voice or self._voice!r}: run `espeak-ng --voices` "
                        "for the names (e.g. en-us)"
                    )
                lib.espeak_SetParameter(es.PARAM_RATE, int(min(450, max(80, BASE_RATE * speed))), 0)
                rc = lib.espeak_Synth(data, len(data), 0, es.POS_CHARACTER, 0, es.CHARS_UTF8, None, None)
                lib.espeak_Synchronize()
            if failure:
                raise ProviderError(f"espeak-ng synthesis failed: {failure[0]}") from failure[0]
            if rc != es.EE_OK:
                raise ProviderError(f"espeak-ng synthesis failed (error {rc})")
        duration = wav.frames / rate
        words = _word_timings(tokens, starts, voiced, hop, rate, duration)
        return Speech(path=out_wav, duration=duration, sample_rate=rate, words=words)


def _spoken_layout(tokens: list[SpeechToken]) -> tuple[str, list[int], list[int]]:
    """The text to speak, the character offset of each spoken token in it, and its token index."""
    parts, offsets, owners, pos = [], [], [], 0
    for t in tokens:
        if not t.spoken:
            continue
        offsets.append(pos)
        owners.append(t.index)
        parts.append(t.spoken)
        pos += len(t.spoken) + 1
    return " ".join(parts), offsets, owners


def _mark_voiced(voiced: bytearray, pcm: np.ndarray, offset: int, hop: int) -> None:
    """Mark the hop-sized frames of `pcm` (starting at absolute sample `offset`) that hold sound."""
    loud = np.nonzero(np.abs(pcm.astype(np.int32)) > _SILENCE)[0]
    last_frame = (offset + len(pcm) - 1) // hop
    if len(voiced) <= last_frame:
        voiced.extend(b"\0" * (last_frame + 1 - len(voiced)))
    for f in np.unique((loud + offset) // hop):
        voiced[int(f)] = 1


def _word_timings(
    tokens: list[SpeechToken], starts: dict[int, int], voiced: bytearray, hop: int, rate: int, duration: float
) -> list[Word]:
    """Word starts from the events; each end is the last sound before the next word starts."""
    words = [t for t in tokens if t.is_word]
    spans: list[tuple[float, float] | None] = []
    ordered = sorted(starts.values())
    for t in words:
        s = starts.get(t.index)
        if s is None:
            spans.append(None)
            continue
        k = bisect.bisect_right(ordered, s)
        nxt = ordered[k] if k < len(ordered) else int(duration * rate)
        end = nxt
        f = min(len(voiced) - 1, (nxt - 1) // hop)
        # The next word's sound may begin a few ms before its event: step over that onset first.
        while f >= 0 and f * hop > s and voiced[f] and nxt - f * hop < _ONSET_SLACK * rate:
            f -= 1
        while f >= 0 and f * hop >= s and not voiced[f]:
            f -= 1
        if f >= 0 and (f + 1) * hop > s:
            end = min(nxt, (f + 1) * hop)
        spans.append((s / rate, end / rate))
    filled = fill_gaps(spans, [t.weight for t in words], 0.0, duration)
    return finalize_words([(t.display, s, e) for t, (s, e) in zip(words, filled, strict=True)], duration)
