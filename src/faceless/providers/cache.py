"""Content-addressed cache of provider responses: same request, no second call, no second charge.

Entries live under `cache_dir()/responses/<key[:2]>/<key>.bin` with a `.json` sidecar holding
the status and content type. The key is made from the request's method, URL, query and body,
never from its headers, so API keys are not part of it (and not stored anywhere).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faceless.storage.cache import cache_dir, content_key

CACHE_VERSION = 1


@dataclass(frozen=True)
class CachedResponse:
    status: int
    content_type: str
    content: bytes


class ResponseCache:
    """Files keyed by `request_key(...)`; writes are temp-then-rename so readers never see halves."""

    def __init__(self, root: Path | None = None) -> None:
        self._root = root

    @property
    def root(self) -> Path:
        # Resolved lazily: tests (and jobs) set FACELESS_CACHE_DIR after import time.
        root = self._root or cache_dir() / "responses"
        root.mkdir(parents=True, exist_ok=True)
        return root

    @staticmethod
    def request_key(method: str, url: str, params: Any = None, body: Any = None, scope: str = "") -> str:
        """Key of a request. `scope` separates identical requests that must not share answers."""
        if isinstance(body, bytes):
            body = {"sha": content_key(body.hex())}
        return content_key("response", CACHE_VERSION, scope, method.upper(), url, params, body)

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.bin", folder / f"{key}.json"

    def get(self, key: str) -> CachedResponse | None:
        data_path, meta_path = self._paths(key)
        if not (data_path.is_file() and meta_path.is_file()):
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            return CachedResponse(
                int(meta["status"]), str(meta.get("content_type", "")), data_path.read_bytes()
            )
        except (OSError, ValueError, KeyError):
            return None

    def delete(self, key: str) -> None:
        for path in self._paths(key):
            path.unlink(missing_ok=True)

    def put(self, key: str, response: CachedResponse) -> None:
        data_path, meta_path = self._paths(key)
        data_path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(data_path, response.content)
        meta = {"status": response.status, "content_type": response.content_type}
        _atomic_write(meta_path, json.dumps(meta).encode("utf-8"))


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
