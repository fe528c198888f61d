"""Pexels, Pixabay and Unsplash against fake servers; downloads, ranking and de-duplication."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from faceless.domain.errors import MediaRejected, ProviderError
from faceless.providers.base import MediaCandidate
from faceless.providers.pexels import PexelsStock
from faceless.providers.pixabay import PixabayStock
from faceless.providers.stock_support import dedupe, rank, search_scene
from faceless.providers.unsplash import UnsplashStock
from faceless.render.probe import probe

from .conftest import Media, Sleeps
from .fakes.media import install_pexels, install_pixabay, install_unsplash
from .fakes.server import Answer, FakeServer

VOCAB = ["ocean", "waves", "sunset", "city", "traffic", "night", "flower", "coffee", "blossom"]


def bag_embed(texts: list[str]) -> np.ndarray:
    """A deterministic stand-in for the sentence embedder: word counts over a fixed vocabulary."""
    return np.array([[t.lower().count(w) for w in VOCAB] + [0.01] for t in texts], dtype=np.float32)


def test_pexels_video_search_maps_candidates(server: FakeServer, sleeps: Sleeps, media: Media) -> None:
    install_pexels(server, key="pexels-key-1", video=media.mp4, image=media.jpeg)
    found = PexelsStock(api_key="pexels-key-1", base_url=server.url, sleep=sleeps).search(
        "ocean waves", kind="video", orientation="portrait", limit=3
    )
    req = server.calls("GET", "/videos/search")[-1]
    assert req.headers["authorization"] == "pexels-key-1"  # Pexels: the bare key, no scheme
    assert req.query == {"query": "ocean waves", "orientation": "portrait", "per_page": "3"}
    c = found[0]
    assert (c.id, c.kind, c.width, c.height, c.duration) == ("1000", "video", 1080, 1920, 12.0)
    assert c.url.endswith("/media/v1000-hd.mp4")  # the 1080p rendition, not SD or 4K
    assert c.description == "ocean waves at sunset" and c.source == "pexels"
    assert c.attribution == "Video by Jane Doe on Pexels" and "Pexels License" in c.licence
    assert c.page_url == "https://www.pexels.com/video/ocean-waves-at-sunset-1000/"


def test_pexels_photos_and_bad_key(server: FakeServer, sleeps: Sleeps, media: Media) -> None:
    install_pexels(server, key="pexels-key-1", video=media.mp4, image=media.jpeg)
    [photo] = PexelsStock(api_key="pexels-key-1", base_url=server.url, sleep=sleeps).search(
        "rocks", kind="image", orientation="landscape"
    )
    assert server.requests[-1].path == "/v1/search"
    assert (photo.kind, photo.description, photo.attribution) == (
        "image",
        "Brown rocks",
        "Photo by Joey Farina on Pexels",
    )
    with pytest.raises(ProviderError, match="authentication failed .*PEXELS_API_KEY"):
        PexelsStock(api_key="nope-nope", base_url=server.url, sleep=sleeps).search(
            "x", kind="video", orientation="portrait"
        )


def test_pexels_rate_limit_is_retried(server: FakeServer, sleeps: Sleeps, media: Media) -> None:
    install_pexels(server, key="pexels-key-1", video=media.mp4, image=media.jpeg)
    server.fail_next(
        "GET",
        "/videos/search",
        Answer(429, {"error": "Rate limit exceeded"}, {"x-ratelimit-remaining": "0", "retry-after": "1"}),
    )
    found = PexelsStock(api_key="pexels-key-1", base_url=server.url, sleep=sleeps).search(
        "ocean", kind="video", orientation="portrait"
    )
    assert found and sleeps == [1.0]


@pytest.mark.slow
def test_download_is_validated_cached_and_linked(
    server: FakeServer, sleeps: Sleeps, media: Media, tmp_path: Path
) -> None:
    install_pexels(server, key="pexels-key-1", video=media.mp4, image=media.jpeg)
    stock = PexelsStock(api_key="pexels-key-1", base_url=server.url, sleep=sleeps)
    cand = stock.search("ocean", kind="video", orientation="portrait")[0]
    path = stock.download(cand, tmp_path / "p1")
    assert path.name == "pexels-1000.mp4" and probe(path).video is not None
    again = stock.download(cand, tmp_path / "p2")  # another project: served from the download cache
    assert again.read_bytes() == path.read_bytes()
    assert len(server.calls("GET", r"/media/.*")) == 1
    assert all("authorization" not in r.headers for r in server.calls("GET", r"/media/.*"))


def test_download_rejects_non_media(server: FakeServer, sleeps: Sleeps, tmp_path: Path) -> None:
    server.route("GET", "/media/fake.mp4", lambda r: Answer(200, b"<html>this is not a video</html>"))
    stock = PexelsStock(api_key="pexels-key-1", base_url=server.url, sleep=sleeps)
    cand = MediaCandidate(
        id="9", kind="video", url=server.url + "/media/fake.mp4", width=1, height=1, source="pexels"
    )
    with pytest.raises(MediaRejected):
        stock.download(cand, tmp_path)
    assert not (tmp_path / "pexels-9.mp4").exists()


def test_pixabay_key_in_query_and_error_text(server: FakeServer, sleeps: Sleeps, media: Media) -> None:
    install_pixabay(server, key="pixa-key-777", image=media.jpeg)
    found = PixabayStock(api_key="pixa-key-777", base_url=server.url, sleep=sleeps).search(
        "flower", kind="image", orientation="portrait", limit=5
    )
    q = server.requests[-1].query
    assert q["key"] == "pixa-key-777" and q["q"] == "flower" and q["orientation"] == "vertical"
    assert q["image_type"] == "photo" and q["per_page"] == "5"
    assert found[0].description == "blossom, bloom, flower" and found[0].extra["bytes"] == 4731420
    assert "Pixabay Content License" in found[0].licence
    videos = PixabayStock(api_key="pixa-key-777", base_url=server.url, sleep=sleeps).search(
        "flower", kind="video", orientation="portrait"
    )
    assert server.requests[-1].path == "/api/videos/" and videos[0].url.endswith("/media/pv125.mp4")
    assert (videos[0].width, videos[0].height) == (1280, 720)  # the empty "large" rendition skipped
    with pytest.raises(ProviderError) as err:
        PixabayStock(api_key="wrong-key-555", base_url=server.url, sleep=sleeps).search(
            "flower", kind="image", orientation="portrait"
        )
    assert "HTTP 400" in str(err.value) and "wrong-key-555" not in str(err.value)


def test_unsplash_search_and_download_tracking(
    server: FakeServer, sleeps: Sleeps, media: Media, tmp_path: Path
) -> None:
    install_unsplash(server, key="unsplash-access-1", image=media.jpeg)
    stock = UnsplashStock(api_key="unsplash-access-1", base_url=server.url, sleep=sleeps)
    assert stock.search("coffee", kind="video", orientation="portrait") == []
    [photo] = stock.search("coffee", kind="image", orientation="square")
    req = server.calls("GET", "/search/photos")[-1]
    assert (
        req.headers["authorization"] == "Client-ID unsplash-access-1"
        and req.headers["accept-version"] == "v1"
    )
    assert req.query["orientation"] == "squarish"
    assert photo.attribution.startswith(
        "Photo by Jeff Sheldon (https://unsplash.com/@ugmonk?utm_source=faceless"
    )
    path = stock.download(photo, tmp_path)
    assert len(server.calls("GET", r"/photos/eOLpJytrbsQ/download")) == 1  # the required tracking call
    assert probe(path).video is not None and path.suffix == ".jpg"


def test_dedupe_by_id_bytes_and_description() -> None:
    def c(i: str, desc: str = "", size: int | None = None, src: str = "pexels") -> MediaCandidate:
        return MediaCandidate(
            id=i,
            kind="video",
            url=f"u{i}",
            width=1080,
            height=1920,
            description=desc,
            source=src,
            extra={"bytes": size} if size else {},
        )

    kept = dedupe(
        [
            c("1", "ocean"),
            c("1", "other"),
            c("2", "x", 500),
            c("3", "y", 500),
            c("4", "Ocean!"),
            c("1", "lake", src="pixabay"),
        ]
    )
    assert [(k.source, k.id) for k in kept] == [("pexels", "1"), ("pexels", "2"), ("pixabay", "1")]


def test_rank_by_meaning_and_merge(server: FakeServer, sleeps: Sleeps, media: Media) -> None:
    install_pexels(server, key="pexels-key-1", video=media.mp4, image=media.jpeg)
    server.route("GET", "/api/videos/", lambda r: Answer(503, "down"))
    pexels = PexelsStock(api_key="pexels-key-1", base_url=server.url, sleep=sleeps)
    broken = PixabayStock(api_key="pixa", base_url=server.url, sleep=sleeps, max_retries=0)
    found = search_scene(
        [broken, pexels],
        "The city never sleeps: traffic at night.",
        ["city", "traffic"],
        kind="video",
        orientation="portrait",
        embed=bag_embed,
    )
    assert [c.id for c in found] == ["1001", "1000"]  # city first, duplicate id 1000 dropped
    assert found[0].extra["score"] > found[1].extra["score"]
    assert server.calls("GET", "/videos/search")[-1].query["query"] == "city traffic"


def test_rank_without_embedder_keeps_vendor_order() -> None:
    cands = [
        MediaCandidate(id=str(i), kind="image", url="u", width=1, height=1, description=d)
        for i, d in enumerate(["b", "a"])
    ]
    assert [c.id for c in rank(cands, "a", None)] == ["0", "1"]


def test_query_keys_never_reach_the_logs(
    server: FakeServer, sleeps: Sleeps, media: Media, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    install_pixabay(server, key="pixa-key-777", image=media.jpeg)
    PixabayStock(api_key="pixa-key-777", base_url=server.url, sleep=sleeps).search(
        "flower", kind="image", orientation="portrait"
    )
    with pytest.raises(ProviderError):
        PixabayStock(api_key="wrong-key-555", base_url=server.url, sleep=sleeps).search(
            "tulip", kind="image", orientation="portrait"
        )
    assert "HTTP Request" in caplog.text  # httpx did log the requests...
    assert "pixa-key-777" not in caplog.text and "wrong-key-555" not in caplog.text  # ...without the keys
