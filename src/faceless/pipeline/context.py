"""What every stage receives: where to write, the cache, progress, cancellation, timings."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from faceless.render.run import Cancelled
from faceless.storage.cache import ArtifactCache

log = logging.getLogger("faceless")

ProgressFn = Callable[[str, float, str], None]  # (stage, fraction 0..1, message)


def _no_progress(stage: str, fraction: float, message: str) -> None:
    return None


def default_jobs() -> int:
    """Scenes rendered at once: FACELESS_JOBS, else 2 (ffmpeg's filters are mostly single-threaded)."""
    value = os.environ.get("FACELESS_JOBS")
    if value and value.isdigit() and int(value) > 0:
        return int(value)
    return 2 if (os.cpu_count() or 1) >= 2 else 1


@dataclass
class RunContext:
    """Run-wide services for the stages. Side effects live here, not in the domain."""

    cache: ArtifactCache = field(default_factory=ArtifactCache)
    progress: ProgressFn = _no_progress
    cancel: threading.Event | None = None
    warn: Callable[[str], None] = log.warning
    jobs: int = field(default_factory=default_jobs)
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def warning(self, message: str) -> None:
        """Record a warning for the summary and pass it to the warn callback."""
        self.warnings.append(message)
        self.warn(message)

    def check_cancelled(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("cancelled")

    def count(self, name: str, n: int = 1) -> None:
        self.stats[name] = self.stats.get(name, 0) + n

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage and report its start and end."""
        self.check_cancelled()
        self.progress(name, 0.0, "")
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - t0, 3)
        self.progress(name, 1.0, "")

    def work_dir(self, name: str) -> Path:
        p = self.cache.root / "work" / name
        p.mkdir(parents=True, exist_ok=True)
        return p
