"""Shared fixtures. Media tests make their own tiny inputs with ffmpeg's lavfi sources."""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_SERVICES = os.environ.get("FACELESS_REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session", autouse=True)
def _ffmpeg_present() -> None:
    if not shutil.which("ffmpeg"):
        pytest.exit("ffmpeg is not installed: run ./install.sh (or apt-get install ffmpeg)", returncode=2)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Never share caches between tests or with the user's real cache.
    monkeypatch.setenv("FACELESS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
