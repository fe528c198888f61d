"""Unsplash: `GET /search/photos` with `Authorization: Client-ID <key>`; downloads are tracked
through `links.download_location` as the API guidelines require."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlencode

from faceless.domain.errors import ProviderError
from faceless.providers.base import MediaCandidate, ProviderInfo
from faceless.providers.stock_support import check_orientation, download_candidate
from faceless.providers.vendor import CloudOptions, CloudProvider

LICENCE = "Unsplash License (free to use; credit the photographer)"
_ORIENT = {"portrait": "portrait", "landscape": "landscape", "square": "squarish"}
_UTM = "utm_source=faceless&utm_medium=referral"


class UnsplashOptions(CloudOptions):
    """Settings of the [unsplash] section."""


class UnsplashStock(CloudProvider):
    """Unsplash photos (no videos); photographer credited with the required referral links."""

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="unsplash",
        capability="stock",
        env_keys=("UNSPLASH_ACCESS_KEY",),
        description="Unsplash photos",
        options=UnsplashOptions,
    )
    default_base_url = "https://api.unsplash.com"

    def auth_headers(self) -> dict[str, str]:
        return {"authorization": f"Client-ID {self.api_key}", "accept-version": "v1"}

    def search(
        self, query: str, *, kind: Literal["video", "image"], orientation: str, limit: int = 10
    ) -> list[MediaCandidate]:
        """Search photos (a video search returns nothing: Unsplash has no videos)."""
        if kind == "video":
            return []
        params = {
            "query": query,
            "orientation": _ORIENT[check_orientation(orientation)],
            "per_page": max(1, min(30, limit)),
        }
        payload = self.http.request("GET", "search/photos", params=params, cache=self.use_cache).json()
        results = payload.get("results") if isinstance(payload, dict) else None
        if not isinstance(results, list):
            raise ProviderError("unsplash: malformed search response (no 'results')")
        out = []
        for r in results:
            try:
                out.append(self._photo(r))
            except (KeyError, TypeError, ValueError):
                continue
        return out[:limit]

    @staticmethod
    def _photo(r: dict[str, Any]) -> MediaCandidate:
        user = r.get("user") or {}
        urls = r["urls"]
        links = r.get("links") or {}
        # A sized JPEG from the imgix `raw` URL rather than the (huge) original.
        url = (
            f"{urls['raw']}&{urlencode({'w': 2160, 'fm': 'jpg', 'q': 85, 'fit': 'max'})}"
            if "raw" in urls
            else urls["regular"]
        )
        author = user.get("name", "unknown")
        profile = ((user.get("links") or {}).get("html") or "https://unsplash.com") + f"?{_UTM}"
        return MediaCandidate(
            id=str(r["id"]),
            kind="image",
            url=url,
            width=int(r["width"]),
            height=int(r["height"]),
            description=str(r.get("description") or r.get("alt_description") or ""),
            source="unsplash",
            licence=LICENCE,
            attribution=f"Photo by {author} ({profile}) on Unsplash (https://unsplash.com/?{_UTM})",
            page_url=links.get("html"),
            preview_url=urls.get("small"),
            extra={"download_location": links.get("download_location"), "author_url": profile},
        )

    def download(self, candidate: MediaCandidate, dest_dir: Path) -> Path:
        """Trigger Unsplash's download tracking, then download the image (cached, validated)."""
        location = candidate.extra.get("download_location")
        if location and str(location).startswith(self.base_url + "/"):  # never send the key elsewhere
            # Required by the API guidelines each time a photo is used; not cached on purpose.
            self.http.request("GET", str(location))
        return download_candidate(self.http, candidate, Path(dest_dir))
