"""Pexels: `GET /videos/search` and `GET /v1/search` with `Authorization: <key>`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from faceless.domain.errors import ProviderError
from faceless.providers.base import MediaCandidate, ProviderInfo
from faceless.providers.stock_support import check_orientation, download_candidate
from faceless.providers.vendor import CloudOptions, CloudProvider

LICENCE = "Pexels License (free to use, attribution appreciated)"


def best_file(files: list[dict[str, Any]], short_side: int = 1080) -> dict[str, Any] | None:
    """The MP4 rendition closest to `short_side` pixels on its short side, preferring larger."""
    mp4 = [f for f in files if f.get("file_type") == "video/mp4" and f.get("link") and f.get("width")]
    if not mp4:
        return None
    return min(
        mp4,
        key=lambda f: (
            abs(min(f["width"], f.get("height") or 0) - short_side),
            -(f["width"] * (f.get("height") or 0)),
        ),
    )


class PexelsOptions(CloudOptions):
    """Settings of the [pexels] section."""


class PexelsStock(CloudProvider):
    """Pexels videos and photos (free licence; photographer credited)."""

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="pexels",
        capability="stock",
        env_keys=("PEXELS_API_KEY",),
        description="Pexels videos and photos",
        options=PexelsOptions,
    )
    default_base_url = "https://api.pexels.com"

    def auth_headers(self) -> dict[str, str]:
        return {"authorization": self.api_key or ""}

    def search(
        self, query: str, *, kind: Literal["video", "image"], orientation: str, limit: int = 10
    ) -> list[MediaCandidate]:
        """Search videos or photos; `orientation` is portrait, landscape or square."""
        params = {
            "query": query,
            "orientation": check_orientation(orientation),
            "per_page": max(1, min(80, limit)),
        }
        path = "videos/search" if kind == "video" else "v1/search"
        payload = self.http.request("GET", path, params=params, cache=self.use_cache).json()
        key = "videos" if kind == "video" else "photos"
        items = payload.get(key) if isinstance(payload, dict) else None
        if not isinstance(items, list):
            raise ProviderError(f"pexels: malformed search response (no '{key}')")
        out = []
        for it in items:
            try:
                out.append(self._video(it) if kind == "video" else self._photo(it))
            except (KeyError, TypeError, ValueError):
                continue  # skip one odd item rather than the whole page
        return [c for c in out if c is not None][:limit]

    def _video(self, it: dict[str, Any]) -> MediaCandidate | None:
        f = best_file(it.get("video_files") or [])
        if f is None:
            return None
        user = it.get("user") or {}
        # Pexels has no description for videos; the page URL slug describes it (".../video/ocean-waves-123/").
        slug = str(it.get("url", "")).rstrip("/").rsplit("/", 1)[-1]
        desc = " ".join(w for w in slug.split("-") if not w.isdigit())
        return MediaCandidate(
            id=str(it["id"]),
            kind="video",
            url=f["link"],
            width=int(f["width"]),
            height=int(f["height"]),
            duration=float(it.get("duration") or 0) or None,
            description=desc,
            source="pexels",
            licence=LICENCE,
            attribution=f"Video by {user.get('name', 'unknown')} on Pexels",
            page_url=it.get("url"),
            preview_url=it.get("image"),
            extra={"author_url": user.get("url"), "fps": f.get("fps")},
        )

    def _photo(self, it: dict[str, Any]) -> MediaCandidate:
        src = it.get("src") or {}
        return MediaCandidate(
            id=str(it["id"]),
            kind="image",
            url=src.get("large2x") or src["original"],
            width=int(it["width"]),
            height=int(it["height"]),
            description=str(it.get("alt") or ""),
            source="pexels",
            licence=LICENCE,
            attribution=f"Photo by {it.get('photographer', 'unknown')} on Pexels",
            page_url=it.get("url"),
            preview_url=src.get("medium"),
            extra={"author_url": it.get("photographer_url")},
        )

    def download(self, candidate: MediaCandidate, dest_dir: Path) -> Path:
        """Download (cached, size-capped, validated) into `dest_dir`."""
        return download_candidate(self.http, candidate, Path(dest_dir))
