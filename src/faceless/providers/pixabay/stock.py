"""Pixabay: `GET /api/` (photos) and `GET /api/videos/` with the key as the `key` parameter."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from faceless.domain.errors import ProviderError
from faceless.providers.base import MediaCandidate, ProviderInfo
from faceless.providers.stock_support import check_orientation, download_candidate
from faceless.providers.vendor import CloudOptions, CloudProvider

LICENCE = "Pixabay Content License (free to use, no attribution required)"
_ORIENT = {"portrait": "vertical", "landscape": "horizontal", "square": "all"}


class PixabayOptions(CloudOptions):
    """Settings of the [pixabay] section."""


class PixabayStock(CloudProvider):
    """Pixabay photos and videos."""

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="pixabay",
        capability="stock",
        env_keys=("PIXABAY_API_KEY",),
        description="Pixabay photos and videos",
        options=PixabayOptions,
    )
    default_base_url = "https://pixabay.com"

    def search(
        self, query: str, *, kind: Literal["video", "image"], orientation: str, limit: int = 10
    ) -> list[MediaCandidate]:
        """Search photos or videos (Pixabay allows 3 to 200 per page)."""
        check_orientation(orientation)
        params: dict[str, Any] = {
            "key": self.api_key,
            "q": query[:100],
            "per_page": max(3, min(200, limit)),
            "safesearch": "true",
        }
        if kind == "image":
            params |= {"image_type": "photo", "orientation": _ORIENT[orientation]}
        path = "api/videos/" if kind == "video" else "api/"
        payload = self.http.request("GET", path, params=params, cache=self.use_cache).json()
        hits = payload.get("hits") if isinstance(payload, dict) else None
        if not isinstance(hits, list):
            raise ProviderError("pixabay: malformed search response (no 'hits')")
        out = []
        for h in hits:
            try:
                c = self._video(h) if kind == "video" else self._photo(h)
            except (KeyError, TypeError, ValueError):
                continue
            if c is not None:
                out.append(c)
        return out[:limit]

    @staticmethod
    def _video(h: dict[str, Any]) -> MediaCandidate | None:
        renditions = h.get("videos") or {}
        v = next(
            (renditions[k] for k in ("large", "medium", "small") if (renditions.get(k) or {}).get("url")),
            None,
        )
        if v is None:
            return None
        return MediaCandidate(
            id=str(h["id"]),
            kind="video",
            url=v["url"],
            width=int(v["width"]),
            height=int(v["height"]),
            duration=float(h.get("duration") or 0) or None,
            description=str(h.get("tags", "")),
            source="pixabay",
            licence=LICENCE,
            attribution=f"Video by {h.get('user', 'unknown')} on Pixabay",
            page_url=h.get("pageURL"),
            preview_url=v.get("thumbnail"),
            extra={"bytes": v["size"]} if isinstance(v.get("size"), int) and v["size"] > 0 else {},
        )

    @staticmethod
    def _photo(h: dict[str, Any]) -> MediaCandidate:
        return MediaCandidate(
            id=str(h["id"]),
            kind="image",
            url=h["largeImageURL"],
            width=int(h["imageWidth"]),
            height=int(h["imageHeight"]),
            description=str(h.get("tags", "")),
            source="pixabay",
            licence=LICENCE,
            attribution=f"Image by {h.get('user', 'unknown')} on Pixabay",
            page_url=h.get("pageURL"),
            preview_url=h.get("previewURL"),
            extra={"bytes": h["imageSize"]} if isinstance(h.get("imageSize"), int) else {},
        )

    def download(self, candidate: MediaCandidate, dest_dir: Path) -> Path:
        return download_candidate(self.http, candidate, Path(dest_dir))
