"""Azure batch synthesis (REST, api-version 2024-04-01) for word boundaries from the service itself.

The real-time REST endpoint returns audio only; the documented way to get word-boundary events
over plain HTTP is a batch synthesis job with `wordBoundaryEnabled`:

    PUT  {endpoint}/texttospeech/batchsyntheses/{id}?api-version=2024-04-01   (SSML input)
    GET  {endpoint}/texttospeech/batchsyntheses/{id}?api-version=2024-04-01   until Succeeded/Failed
    GET  outputs.result  (a ZIP: 0001.wav, 0001.word.json, summary.json)
    DELETE the job (it would otherwise live for timeToLiveInHours)

`0001.word.json` lists `{"Text", "AudioOffset", "Duration"}` in milliseconds per word (and
punctuation); they are mapped onto the words of the input text.
"""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from faceless.domain.errors import ProviderError
from faceless.domain.words import Word
from faceless.providers.http import HTTPClient
from faceless.providers.speech import decode_audio, words_from_characters

API_VERSION = "2024-04-01"
BATCH_FORMAT = "riff-48khz-16bit-mono-pcm"
MAX_RESULT_BYTES = 200 * 1024 * 1024


def boundary_words(text: str, boundaries: list[dict[str, Any]]) -> list[Word]:
    """Word timings of `text` from the service's word boundaries (ms offsets and durations)."""
    chars: list[str] = []
    starts: list[float] = []
    ends: list[float] = []
    for b in boundaries:
        token = str(b.get("Text") or "")
        try:
            start = float(b["AudioOffset"]) / 1000.0
            end = start + float(b.get("Duration") or 0) / 1000.0
        except (KeyError, TypeError, ValueError):
            raise ProviderError("azure: malformed word boundary (no AudioOffset)") from None
        if not token:
            continue
        if chars:  # a separator between boundaries, timed at the previous end
            chars.append(" ")
            starts.append(ends[-1])
            ends.append(ends[-1])
        step = (end - start) / len(token)
        for k, ch in enumerate(token):
            chars.append(ch)
            starts.append(start + k * step)
            ends.append(start + (k + 1) * step)
    if not chars:
        raise ProviderError("azure: the batch result has no word boundaries")
    return words_from_characters(text, chars, starts, ends)


def batch_synthesize(
    http: HTTPClient,
    download: HTTPClient,
    ssml: str,
    text: str,
    out_wav: Path,
    *,
    poll_every: float = 2.0,
    timeout: float = 600.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[float, list[Word]]:
    """Run one batch job for `ssml`; write the audio to `out_wav`; return (seconds, words of `text`)."""
    job = f"faceless-{uuid.uuid4().hex}"
    path = f"texttospeech/batchsyntheses/{job}"
    params = {"api-version": API_VERSION}
    body = {
        "inputKind": "SSML",
        "inputs": [{"content": ssml}],
        "properties": {"outputFormat": BATCH_FORMAT, "wordBoundaryEnabled": True, "timeToLiveInHours": 24},
    }
    created = http.request("PUT", path, params=params, json_body=body)
    state = _status(created.json())
    deadline = clock() + timeout
    wait = poll_every
    try:
        while state.get("status") in ("NotStarted", "Running"):
            if clock() > deadline:
                raise ProviderError(
                    f"azure: batch synthesis {job} still {state.get('status')} after {timeout:.0f} s"
                )
            sleep(wait)
            wait = min(wait * 1.5, 15.0)
            state = _status(http.request("GET", path, params=params).json())
        if state.get("status") != "Succeeded":
            error = (state.get("properties") or {}).get("error") or {}
            raise ProviderError(
                f"azure: batch synthesis {state.get('status')}: "
                f"{error.get('message') or error.get('code') or 'no reason given'}",
                retryable=False,
            )
        result_url = (state.get("outputs") or {}).get("result")
        if not isinstance(result_url, str):
            raise ProviderError("azure: batch synthesis succeeded without outputs.result")
        archive = out_wav.with_name(f".{out_wav.name}.result.zip")
        try:
            download.download(result_url, archive, max_bytes=MAX_RESULT_BYTES)
            audio, words_json = _read_result(archive.read_bytes())
        finally:
            archive.unlink(missing_ok=True)
    finally:
        try:  # the job and its files are no longer needed; a failed clean-up is not the video's problem
            http.request("DELETE", path, params=params)
        except ProviderError:
            pass
    duration = decode_audio(audio, ".wav", out_wav, provider="azure")
    return duration, boundary_words(text, words_json)


def _status(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict) or "status" not in payload:
        raise ProviderError("azure: malformed batch synthesis response (no status)")
    return payload


def _read_result(data: bytes) -> tuple[bytes, list[dict[str, Any]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            wav = next((n for n in names if n.endswith(".wav")), None)
            words = next((n for n in names if n.endswith(".word.json")), None)
            if wav is None or words is None:
                raise ProviderError(
                    f"azure: batch result lacks audio or word boundaries ({', '.join(names)}); "
                    "not every voice supports word boundaries"
                )
            if z.getinfo(wav).file_size > MAX_RESULT_BYTES:
                raise ProviderError("azure: batch audio too large")
            audio = z.read(wav)
            boundaries = json.loads(z.read(words).decode("utf-8-sig"))
    except (zipfile.BadZipFile, ValueError) as e:
        raise ProviderError(f"azure: unreadable batch result ({e})") from None
    if not isinstance(boundaries, list):
        raise ProviderError("azure: word boundaries are not a list")
    return audio, [b for b in boundaries if isinstance(b, dict)]
