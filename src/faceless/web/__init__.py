"""The browser app: Jinja2 templates and static files (CSS, ES modules, PWA manifest, service worker, icons).

No build step: the files here are served as they are by `faceless.server.routes.pages`.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"


@cache
def static_version() -> str:
    """A short hash of every static file: cache-busts URLs and names the service worker's cache."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def shell_files() -> list[str]:
    """Static paths (relative to STATIC_DIR) the service worker pre-caches as the app shell."""
    return sorted(
        p.relative_to(STATIC_DIR).as_posix()
        for p in STATIC_DIR.rglob("*")
        if p.is_file() and p.suffix in {".css", ".js", ".svg", ".png"}
    )
