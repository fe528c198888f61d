"""Jamendo API v3.0: `GET /tracks/?client_id=…&fuzzytags=…` for instrumental tracks by mood.

Jamendo answers HTTP 200 even on errors; the body's `headers.status` is "success" or "failed"
with a numeric `code` and an `error_message`. Since 2021 each track says whether its artist
allows downloads (`audiodownload_allowed`); only those are used. Tracks are Creative Commons
licensed; the licence URL, artist and page go into the project's credits (some licences are
non-commercial: the credit says which, and `commercial_only` filters them out).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from faceless.domain.errors import InputError, MediaRejected, ProviderError
from faceless.providers.base import ProviderInfo
from faceless.providers.usage import record_usage
from faceless.providers.vendor import CloudOptions, CloudProvider
from faceless.storage.cache import cache_dir, content_key
from faceless.storage.files import write_text_atomic

MAX_TRACK_BYTES = 60 * 1024 * 1024
# Jamendo's tags (genres, moods, instruments) closest to our moods; fuzzytags ranks tracks with any of them.
MOOD_TAGS: dict[str, str] = {
    "calm": "calm+relaxation+ambient+chillout",
    "upbeat": "happy+energetic+pop+funk",
    "dramatic": "epic+cinematic+soundtrack+dramatic",
    "inspiring": "inspirational+uplifting+motivational+corporate",
    "dark": "dark+suspense+horror+ambient",
}
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


class JamendoOptions(CloudOptions):
    """Settings of the [jamendo] section."""

    commercial_only: bool = Field(default=False, description="skip non-commercial (NC) licences")


class JamendoMusic(CloudProvider):
    """Instrumental Creative Commons tracks from Jamendo, chosen by mood and length."""

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="jamendo",
        capability="music",
        env_keys=("JAMENDO_CLIENT_ID",),
        description="Jamendo Creative Commons music by mood",
        options=JamendoOptions,
    )
    default_base_url = "https://api.jamendo.com/v3.0"

    def __init__(self, *, commercial_only: bool = False, **options: Any) -> None:
        super().__init__(**options)
        self.commercial_only = bool(commercial_only)

    def search(self, mood: str, min_duration: float, *, limit: int = 20) -> list[dict[str, Any]]:
        """Downloadable instrumental tracks for `mood`, longest-enough first as Jamendo ranks them."""
        if mood not in MOOD_TAGS:
            raise InputError(f"unknown music mood {mood!r}: use one of {', '.join(MOOD_TAGS)}")
        params: dict[str, Any] = {
            "client_id": self.api_key,
            "format": "json",
            "limit": max(1, min(200, limit)),
            "fuzzytags": MOOD_TAGS[mood],
            "vocalinstrumental": "instrumental",
            "audiodlformat": "mp32",
            "include": "musicinfo licenses",
            "order": "popularity_total",
            # Long enough to need few loops, short enough to download quickly.
            "durationbetween": f"{int(min(max(min_duration, 30), 600))}_900",
        }
        if self.commercial_only:
            params["ccnc"] = "false"
        reply = self.http.request("GET", "tracks/", params=params, cache=self.use_cache)
        with self.http.checking(reply):
            payload = reply.json()
        head = payload.get("headers") if isinstance(payload, dict) else None
        if not isinstance(head, dict):
            raise ProviderError("jamendo: malformed response (no 'headers')")
        if head.get("status") != "success" or head.get("code") not in (0, "0"):
            message = str(head.get("error_message") or "unknown error")
            code = head.get("code")
            hint = " (check JAMENDO_CLIENT_ID)" if "client" in message.lower() else ""
            raise ProviderError(f"jamendo: error {code}: {message}{hint}", retryable=False)
        record_usage("jamendo", "music", "tracks", cached=reply.from_cache)
        results = payload.get("results")
        if not isinstance(results, list):
            raise ProviderError("jamendo: malformed response (no 'results')")
        return [
            r
            for r in results
            if isinstance(r, dict)
            and r.get("audiodownload_allowed") is not False
            and str(r.get("audiodownload") or "").startswith(("https://", "http://"))
        ]

    def track(self, mood: str, duration: float, out_path: Path, *, seed: int = 0) -> Path:
        """Download a track for `mood` to `out_path` (its suffix is kept) with a credits sidecar
        `out_path.with_suffix('.json')`: title, artist, source, licence, url."""
        found = self.search(mood, duration)
        if not found:
            raise ProviderError(f"jamendo: no downloadable instrumental track for mood {mood!r}")
        pick = found[seed % len(found)]
        track_id = _SAFE.sub("_", str(pick.get("id", "track")))
        key = content_key("jamendo", track_id, pick["audiodownload"])
        cached = cache_dir() / "downloads" / key[:2] / f"{key}.mp3"
        if not cached.is_file():
            self.http.download(str(pick["audiodownload"]), cached, max_bytes=MAX_TRACK_BYTES)
            try:
                from faceless.audio.music import check_track

                check_track(cached)
            except MediaRejected as e:
                cached.unlink(missing_ok=True)
                raise ProviderError(f"jamendo: track {track_id} is not usable audio ({e.reason})") from None
        out_path = Path(out_path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = out_path.with_name(f".{out_path.name}.part")
        tmp.write_bytes(cached.read_bytes())
        tmp.replace(out_path)
        write_text_atomic(out_path.with_suffix(".json"), json.dumps(_credits(pick)))
        return out_path


def _credits(track: dict[str, Any]) -> dict[str, str]:
    licence_url = str(track.get("license_ccurl") or "")
    licence = f"Creative Commons ({licence_url})" if licence_url else "Creative Commons (see the track page)"
    if "-nc" in licence_url:
        licence += "; non-commercial use only"
    return {
        "title": str(track.get("name") or f"Jamendo track {track.get('id')}"),
        "artist": str(track.get("artist_name") or ""),
        "source": "jamendo",
        "licence": licence,
        "url": str(track.get("shareurl") or track.get("audiodownload") or ""),
    }
