"""Atomic file writes: a temp file beside the target, then a rename, so readers never see half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path, *, mode: int = 0o644) -> Iterator[Path]:
    """Yield a temporary sibling of `path` (same extension) to write; it replaces `path` only if the
    block finishes without an exception, and is removed otherwise."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".part{path.suffix}", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(path: Path, text: str, *, mode: int = 0o644) -> Path:
    """Write `text` (UTF-8, `\\n` line ends) to `path` atomically."""
    with atomic_path(path, mode=mode) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return path
