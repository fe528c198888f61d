"""Content-addressed cache of stage outputs: same inputs, same key, no second computation."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    """FACELESS_CACHE_DIR, else $XDG_CACHE_HOME/faceless, else ~/.cache/faceless."""
    explicit = os.environ.get("FACELESS_CACHE_DIR")
    if explicit:
        root = Path(explicit)
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "faceless"
    root.mkdir(parents=True, exist_ok=True)
    return root


def content_key(*parts: Any) -> str:
    """A stable hex digest of JSON-able parts (dicts sorted); bump a part's version to invalidate."""
    payload = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def file_key(path: str | os.PathLike[str]) -> str:
    """Identity of a file for cache keys: absolute path, size and mtime (cheap, no full read)."""
    p = Path(path).resolve()
    st = p.stat()
    return content_key(str(p), st.st_size, st.st_mtime_ns)


class ArtifactCache:
    """Files under `root/<area>/<key[:2]>/<key><suffix>`; writers use temp-then-rename."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or cache_dir()

    def path(self, area: str, key: str, suffix: str) -> Path:
        p = self.root / area / key[:2] / f"{key}{suffix}"
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def get(self, area: str, key: str, suffix: str) -> Path | None:
        p = self.path(area, key, suffix)
        return p if p.exists() and p.stat().st_size > 0 else None
