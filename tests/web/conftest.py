"""Web app fixtures: the whole service (API, pages, embedded render worker) on 127.0.0.1:<free port>, and
Debian's Chromium driven by Playwright (never `playwright install`)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from web_helpers import CHROMIUM, CHROMIUM_ARGS, LiveServer, web_settings

from faceless.server.app import create_app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service as `faceless serve` runs it: API + pages in uvicorn (a thread) + an embedded worker process."""
    data_dir = tmp_path_factory.mktemp("web-data")
    settings = web_settings(data_dir)
    app = create_app(settings)  # with the jobs slice's routes, as `faceless serve` runs it
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start within 20 s")
        time.sleep(0.05)
    workers = None
    # One engine cache for the session's worker process (the per-test cache fixture cannot reach it);
    # the worker inherits the environment at spawn, then ours is put back.
    previous = os.environ.get("FACELESS_CACHE_DIR")
    os.environ["FACELESS_CACHE_DIR"] = str(data_dir / "cache")
    try:
        from faceless.worker.service import EmbeddedWorkers

        workers = EmbeddedWorkers(settings)
    except ImportError:
        workers = None
    finally:
        if previous is None:
            os.environ.pop("FACELESS_CACHE_DIR", None)
        else:
            os.environ["FACELESS_CACHE_DIR"] = previous
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app, settings, workers is not None)
    finally:
        if workers is not None:
            workers.stop(timeout=20)
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def web(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser profile (no cookies, storage or service worker) at a laptop viewport."""
    ctx = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()
