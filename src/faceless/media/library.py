"""The user's local media folder as a list of validated, described, thumbnailed assets.

`index_library` walks a folder (no symlinks leading out of it, no hidden files), validates every
media file by content (`validate.check_media`), describes it from a sidecar or its file name, makes a
320 px JPEG thumbnail and caches all of it under `cache_dir()/library/`, keyed by each file's
path+size+mtime: a second call on an unchanged folder runs no ffprobe/ffmpeg at all. Sidecars are
re-read on every call (they are tiny), so editing a description takes effect at once.

Sidecars, next to `NAME.EXT` (first found wins): `NAME.EXT.json`, `NAME.json`, `NAME.EXT.txt`,
`NAME.txt`. A `.txt` holds the description; a `.json` may hold `description`, `tags` (list or comma
separated), `licence` (or `license`), `source`, `attribution`, `url`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from faceless.domain.errors import InputError, MediaRejected
from faceless.domain.project import VisualChoice
from faceless.media import validate
from faceless.render.command import FFmpegCommand, Input
from faceless.render.probe import MediaInfo
from faceless.render.run import run_ffmpeg
from faceless.storage.cache import ArtifactCache, content_key, file_key

log = logging.getLogger(__name__)

INDEX_VERSION = "library-entry/2"
THUMB_WIDTH = 320
SIDECAR_SUFFIXES = frozenset({".txt", ".json"})
# Skipped without a warning: our sidecars plus the usual companions of media files (XMP, subtitles).
SKIPPED_SUFFIXES = SIDECAR_SUFFIXES | {".xmp", ".srt", ".vtt", ".ass", ".md"}
MAX_FILES = 10_000
SIDECAR_MAX_BYTES = 64 * 1024
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini"})
DEFAULT_LICENCE = "user-supplied (check your rights)"
# File-name words that say nothing about the picture (camera and stock-site prefixes, quality tags).
NAME_NOISE = frozenset(
    {
        "img",
        "dsc",
        "dscn",
        "dscf",
        "pxl",
        "vid",
        "mvi",
        "gopr",
        "pexels",
        "pixabay",
        "unsplash",
        "hd",
        "fhd",
        "uhd",
        "4k",
        "8k",
        "1080p",
        "720p",
        "2160p",
        "copy",
        "final",
    }
)


@dataclass
class Asset:
    """One usable visual from the library (or, built by a stock provider, from elsewhere)."""

    path: Path
    kind: Literal["video", "image"]
    width: int
    height: int
    duration: float  # seconds; 0 for images
    description: str
    tags: list[str] = field(default_factory=list)
    licence: str = DEFAULT_LICENCE
    source: str = "library"
    attribution: str | None = None
    thumbnail: Path | None = None
    key: str = ""  # identity of the file version (path+size+mtime)
    url: str | None = None
    format_name: str = ""  # the demuxer validation accepted; see `validate.input_options`

    @property
    def match_text(self) -> str:
        """The text embedded for matching: description plus tags."""
        tags = ", ".join(t for t in self.tags if t.lower() not in self.description.lower())
        return f"{self.description}. {tags}" if tags else self.description

    def to_choice(self, score: float, *, start: float = 0.0) -> VisualChoice:
        """This asset as a scene's `VisualChoice`."""
        return VisualChoice(
            kind=self.kind,
            path=str(self.path),
            start=start,
            source=self.source,
            licence=self.licence,
            attribution=self.attribution,
            url=self.url,
            score=max(0.0, min(1.0, score)),
            description=self.description,
        )


def description_from_name(name: str) -> str:
    """`ocean_waves-at_sunset.mp4` → "ocean waves at sunset" (camelCase split, numbers dropped)."""
    stem = Path(name).stem
    stem = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)
    words = [w.lower() for w in re.split(r"[\W_]+", stem) if w]
    kept = [w for w in words if not w.isdigit() and w not in NAME_NOISE]
    return " ".join(kept or words) or stem


@dataclass
class _Sidecar:
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    licence: str | None = None
    source: str | None = None
    attribution: str | None = None
    url: str | None = None


def _str(data: dict[str, Any], *names: str) -> str | None:
    for n in names:
        v = data.get(n)
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


def _read_sidecar(media: Path, root: Path) -> _Sidecar:
    for cand in (
        media.with_name(media.name + ".json"),
        media.with_suffix(".json"),
        media.with_name(media.name + ".txt"),
        media.with_suffix(".txt"),
    ):
        if not cand.is_file():
            continue
        # A sidecar is text we read into descriptions: it must live inside the library too.
        if not cand.resolve().is_relative_to(root) or cand.stat().st_size > SIDECAR_MAX_BYTES:
            log.warning(
                "sidecar %s ignored: outside the library folder or over %d KB",
                cand,
                SIDECAR_MAX_BYTES // 1024,
            )
            continue
        try:
            text = cand.read_text(encoding="utf-8-sig").strip()
            if cand.suffix == ".txt":
                return _Sidecar(description=" ".join(text.split()) or None)
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
        except (OSError, UnicodeDecodeError, ValueError) as e:
            log.warning("sidecar %s ignored (%s): fix it or delete it", cand, e)
            continue
        tags = data.get("tags") or []
        if isinstance(tags, str):
            tags = tags.split(",")
        return _Sidecar(
            description=_str(data, "description", "title"),
            tags=[t.strip() for t in tags if isinstance(t, str) and t.strip()]
            if isinstance(tags, list)
            else [],
            licence=_str(data, "licence", "license"),
            source=_str(data, "source"),
            attribution=_str(data, "attribution", "author", "credit"),
            url=_str(data, "url"),
        )
    return _Sidecar()


def _walk(root: Path, report: Callable[[MediaRejected], None]) -> Iterator[tuple[Path, Path]]:
    """(path as found, resolved real path) for candidate media files under `root`, sorted."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        keep = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            sub = here / d
            if sub.is_symlink():
                # Not followed (a loop or a second path to the same files); report one leading out.
                if not sub.resolve().is_relative_to(root):
                    report(
                        MediaRejected(
                            str(sub),
                            "symbolic link pointing outside the library folder; copy the files in instead",
                        )
                    )
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            low = name.lower()
            if name.startswith(".") or low in IGNORED_NAMES or Path(low).suffix in SKIPPED_SUFFIXES:
                continue
            found = here / name
            real = found.resolve()
            if not real.is_relative_to(root):
                report(
                    MediaRejected(
                        str(found),
                        f"symbolic link pointing outside the library folder "
                        f"(to {real}); copy the file in instead",
                    )
                )
                continue
            yield found, real


def _thumbnail(real: Path, info: MediaInfo, kind: str, target: Path) -> Path | None:
    seek = ["-ss", f"{min(1.0, info.duration / 3):.3f}"] if kind == "video" and info.duration > 0 else []
    cmd = FFmpegCommand(
        inputs=[Input(str(real), options=[*seek, *validate.input_options(info)])],
        output=str(target),
        output_options=[
            "-map",
            "0:v:0",
            "-frames:v",
            "1",
            "-vf",
            f"scale={THUMB_WIDTH}:-2",
            "-q:v",
            "4",
            "-update",
            "1",
        ],
    )
    try:
        return run_ffmpeg(cmd, timeout=60)
    except Exception as e:  # noqa: BLE001 - a missing thumbnail must not lose the asset
        log.warning("no thumbnail for %s: %s", real, e)
        return None


def _index_one(real: Path, limits: validate.Limits, thumbnails: bool) -> dict[str, Any]:
    """The record for one file: its probe facts, or the reason it was rejected (cached by version)."""
    try:
        identity = file_key(real)
    except OSError as e:  # vanished or unreadable since the walk
        return {"rejected": f"cannot read the file ({e.strerror or e}); check it exists and is readable"}
    store = ArtifactCache()
    key = content_key(INDEX_VERSION, identity, limits, thumbnails)
    hit = store.get("library/index", key, ".json")
    if hit is not None:
        try:
            record: dict[str, Any] = json.loads(hit.read_text())
            thumb = record.get("thumbnail")
            if not thumb or Path(thumb).is_file() or not thumbnails:
                return record
        except (OSError, ValueError):
            pass  # damaged entry: redo it
    try:
        info = validate.check_media(real, purpose="visual", limits=limits)
        kind = validate.kind_of(info)
        v = info.video
        if v is None:  # check_media(purpose="visual") already guarantees a picture
            raise MediaRejected(str(real), "no picture in this file; use a video or an image")
        thumb_path = None
        if thumbnails:
            made = _thumbnail(real, info, kind, store.path("library/thumbs", key, ".jpg"))
            thumb_path = str(made) if made else None
        record = {
            "key": identity,
            "kind": kind,
            "width": v.width,
            "height": v.height,
            "duration": info.duration if kind == "video" else 0.0,
            "format_name": info.format_name,
            "thumbnail": thumb_path,
        }
    except MediaRejected as e:
        record = {"rejected": e.reason}
    except Exception as e:  # noqa: BLE001 - one odd file must not stop the indexing; not cached
        log.debug("unexpected failure checking %s", real, exc_info=True)
        return {"rejected": f"could not be checked ({type(e).__name__}: {e}); re-export the file"}
    target = store.path("library/index", key, ".json")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(record))
    os.replace(tmp, target)
    return record


def index_library(
    directory: Path,
    *,
    on_reject: Callable[[MediaRejected], None] | None = None,
    limits: validate.Limits = validate.DEFAULT_LIMITS,
    thumbnails: bool = True,
    embed: bool = True,
    workers: int | None = None,
    max_files: int = MAX_FILES,
) -> list[Asset]:
    """Validate, describe and thumbnail every visual under `directory` (cached; see module doc).

    Refused files go to `on_reject` (default: a logged warning) and are left out; this never raises
    for a bad file, only `InputError` when `directory` itself is not a folder. At most `max_files`
    candidates are considered (in sorted walk order). `embed` also warms the
    embedding cache for the descriptions, so matching afterwards costs only the scene texts.
    """
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise InputError(f"media library folder not found: {directory}; give an existing folder")
    root = directory.resolve()

    def report(err: MediaRejected) -> None:
        if on_reject is not None:
            on_reject(err)
        else:
            log.warning("media skipped: %s: %s", err.path, err.reason)

    seen: set[Path] = set()
    files: list[tuple[Path, Path]] = []
    for found, real in _walk(root, report):
        if len(files) >= max_files:
            log.warning(
                "media library %s has more than %d files: only the first %d are used; "
                "point Faceless at a smaller folder",
                root,
                max_files,
                max_files,
            )
            break
        if real not in seen:  # a link inside the folder to a file already listed
            seen.add(real)
            files.append((found, real))
    # ffprobe/ffmpeg are separate processes, so two threads keep two cores busy.
    with ThreadPoolExecutor(max_workers=workers or max(1, min(2, os.cpu_count() or 1))) as pool:
        records = list(pool.map(lambda fr: _index_one(fr[1], limits, thumbnails), files))

    assets: list[Asset] = []
    for (found, real), rec in zip(files, records, strict=True):
        if "rejected" in rec:
            report(MediaRejected(str(found), rec["rejected"]))
            continue
        side = _read_sidecar(found, root)
        thumb = rec.get("thumbnail")
        assets.append(
            Asset(
                path=real,
                kind=rec["kind"],
                width=int(rec["width"]),
                height=int(rec["height"]),
                duration=float(rec["duration"]),
                description=side.description or description_from_name(found.name),
                tags=side.tags,
                licence=side.licence or DEFAULT_LICENCE,
                source=side.source or "library",
                attribution=side.attribution,
                thumbnail=Path(thumb) if thumb else None,
                key=rec["key"],
                url=side.url,
                format_name=rec.get("format_name", ""),
            )
        )
    if embed and assets:
        from faceless.media.embeddings import cached_embeddings

        try:
            cached_embeddings([a.match_text for a in assets])
        except Exception as e:  # noqa: BLE001 - matching recomputes; indexing must not fail
            log.warning("could not pre-compute embeddings for the library: %s", e)
    return assets
