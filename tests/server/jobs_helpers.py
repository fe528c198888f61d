"""Helpers of the jobs/assets API tests: an app with the jobs slice installed and an in-process worker."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from server_helpers import server_settings

from faceless.server.app import create_app
from faceless.server.routes.jobs import install
from faceless.worker import WorkerTuning, run_worker

FAST = WorkerTuning(lease_seconds=5, reap_interval=1, idle_poll=0.05)
TINY = {"script": "Octopuses have three hearts.", "format": "square", "music": {"source": "none"}}


def jobs_app(data_dir: Path, db_url: str, *, upload_limit: int = 50 * 1024**2, **overrides: Any) -> FastAPI:
    """The API with renders, assets and from-input routes, an embedded SQLite queue and local blobs."""
    settings = server_settings(data_dir, db_url, queue_url=f"sqlite:///{data_dir / 'queue.db'}", **overrides)
    app = create_app(settings, migrate=False, jobs=False)
    install(app, upload_limit=upload_limit)
    return app


@contextmanager
def worker(app: FastAPI) -> Iterator[threading.Event]:
    """A worker consuming the app's queue in a thread (the subprocess case is tests/worker)."""
    stop = threading.Event()
    t = threading.Thread(
        target=run_worker, args=(app.state.ctx.settings,), kwargs={"stop": stop, "tuning": FAST}, daemon=True
    )
    t.start()
    try:
        yield stop
    finally:
        stop.set()
        t.join(60)


def parse_sse(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    """Parse a text/event-stream into {id, event, data} dicts (comments and `retry` skipped)."""
    event: dict[str, Any] = {}
    for line in lines:
        if line == "":
            if "data" in event:
                event["data"] = json.loads(event["data"])
                yield event
            event = {}
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field in ("id", "event", "data"):
                event[field] = event.get(field, "") + value if field == "data" else value


def wait_for(predicate: Any, timeout: float = 120.0, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition not met in time")
