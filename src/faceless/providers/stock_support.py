"""What the stock providers share: cached, size-capped, validated downloads; re-ranking of
candidates by meaning against the scene text; near-duplicate removal; per-scene search."""

from __future__ import annotations

import logging
import mimetypes
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import urlparse

import numpy as np

from faceless.domain.errors import MediaRejected, ProviderError
from faceless.providers.base import MediaCandidate, StockProvider
from faceless.providers.http import HTTPClient
from faceless.storage.cache import cache_dir, content_key

log = logging.getLogger("faceless.providers.stock")

Embed = Callable[[list[str]], np.ndarray]
MAX_VIDEO_BYTES = 200 * 1024 * 1024
MAX_IMAGE_BYTES = 40 * 1024 * 1024
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def _suffix(candidate: MediaCandidate) -> str:
    ext = PurePosixPath(urlparse(candidate.url).path).suffix.lower()
    if ext in {".mp4", ".mov", ".webm", ".m4v", ".jpg", ".jpeg", ".png", ".webp"}:
        return ext
    fmt = candidate.extra.get("mime")
    guessed = mimetypes.guess_extension(fmt) if isinstance(fmt, str) else None
    return guessed or (".mp4" if candidate.kind == "video" else ".jpg")


def validate_download(path: Path, kind: Literal["video", "image"]) -> None:
    """Check a downloaded file really is media of `kind` (media.validate when present, else ffprobe)."""
    try:
        from faceless.media.validate import check_media  # content checks: format allow-list, pixel caps
    except ImportError:  # pragma: no cover - the module ships with Faceless; kept optional for plugins
        from faceless.render.probe import probe

        info = probe(path)
    else:
        info = check_media(path, purpose="visual")  # raises MediaRejected with its own reason
    if info.video is None:
        raise MediaRejected(str(path), f"no picture in the downloaded {kind}")
    if kind == "video" and info.duration <= 0.1:
        raise MediaRejected(str(path), "downloaded video has no duration")


def download_candidate(
    http: HTTPClient, candidate: MediaCandidate, dest_dir: Path, *, max_bytes: int | None = None
) -> Path:
    """Download once into the shared cache (`cache_dir()/downloads`), validate, link into `dest_dir`."""
    limit = max_bytes or (MAX_VIDEO_BYTES if candidate.kind == "video" else MAX_IMAGE_BYTES)
    suffix = _suffix(candidate)
    key = content_key("download", candidate.source, candidate.id, candidate.url)
    cached = cache_dir() / "downloads" / key[:2] / f"{key}{suffix}"
    if not cached.is_file():
        http.download(candidate.url, cached, max_bytes=limit)
        try:
            validate_download(cached, candidate.kind)
        except MediaRejected:
            cached.unlink(missing_ok=True)
            raise
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / f"{_SAFE.sub('_', candidate.source)}-{_SAFE.sub('_', candidate.id)}{suffix}"
    if not dest.exists():
        try:
            os.link(cached, dest)  # same filesystem: no copy
        except OSError:
            shutil.copyfile(cached, dest)
    return dest


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def dedupe(candidates: Sequence[MediaCandidate]) -> list[MediaCandidate]:
    """Drop repeats: same source+id, same file size in bytes, or the same description at the same size."""
    seen_ids: set[tuple[str, str]] = set()
    seen_bytes: set[int] = set()
    seen_desc: set[tuple[str, int, int]] = set()
    kept = []
    for c in candidates:
        ident = (c.source, c.id)
        size = c.extra.get("bytes")
        desc = (_norm(c.description), c.width, c.height)
        if (
            ident in seen_ids
            or (isinstance(size, int) and size in seen_bytes)
            or (desc[0] and desc in seen_desc)
        ):
            continue
        seen_ids.add(ident)
        if isinstance(size, int):
            seen_bytes.add(size)
        if desc[0]:
            seen_desc.add(desc)
        kept.append(c)
    return kept


def rank(
    candidates: Sequence[MediaCandidate],
    scene_text: str,
    embed: Embed | None,
    *,
    duplicate_similarity: float = 0.97,
) -> list[MediaCandidate]:
    """Candidates sorted by cosine similarity of their description to the scene text.

    The score goes into `extra["score"]`. Two candidates whose descriptions are near-identical in
    meaning (cosine >= `duplicate_similarity`) and of the same size count as one. Without an
    embedder the vendor's order is kept.
    """
    items = dedupe(candidates)
    if embed is None or not items:
        return items
    vecs = np.asarray(embed([scene_text] + [c.description or c.source for c in items]), dtype=np.float32)
    vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
    scores = vecs[1:] @ vecs[0]
    order = np.argsort(-scores, kind="stable")
    kept: list[int] = []
    for i in order:
        c = items[i]
        if any(
            float(vecs[1 + i] @ vecs[1 + j]) >= duplicate_similarity
            and (items[j].width, items[j].height) == (c.width, c.height)
            for j in kept
        ):
            continue
        kept.append(int(i))
    return [replace(items[i], extra={**items[i].extra, "score": round(float(scores[i]), 4)}) for i in kept]


def scene_query(keywords: Sequence[str], scene_text: str, max_words: int = 4) -> str:
    """The search query of a scene: its keywords, else the first words of its narration."""
    words = [k.strip() for k in keywords if k.strip()] or scene_text.split()
    return " ".join(words[:max_words])


def search_scene(
    providers: Sequence[StockProvider],
    scene_text: str,
    keywords: Sequence[str] = (),
    *,
    kind: Literal["video", "image"] = "video",
    orientation: str = "portrait",
    limit: int = 10,
    embed: Embed | None = None,
) -> list[MediaCandidate]:
    """Search every provider for one scene, merge, de-duplicate and re-rank by meaning."""
    query = scene_query(keywords, scene_text)
    found: list[MediaCandidate] = []
    errors = []
    for p in providers:
        try:
            found += p.search(query, kind=kind, orientation=orientation, limit=limit)
        except ProviderError as exc:  # one failing library must not fail the scene
            log.warning("stock search failed: %s", exc)
            errors.append(str(exc))
    if not found and errors:
        raise ProviderError("no stock provider answered: " + " | ".join(errors), retryable=True)
    return rank(found, scene_text, embed)[:limit]


ORIENTATIONS = ("portrait", "landscape", "square")


def check_orientation(orientation: str) -> str:
    if orientation not in ORIENTATIONS:
        from faceless.domain.errors import InputError

        raise InputError(f"orientation {orientation!r} unknown: use portrait, landscape or square")
    return orientation
