"""Fixtures of the media tests: one sample library folder per session (read-only for tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from media_samples import build_media_folder


@pytest.fixture(scope="session")
def media_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_media_folder(tmp_path_factory.mktemp("media"))
