"""Fixtures of the provider tests: a fresh fake server per test, tiny real media made once."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from faceless.providers.config import ENV_MAP
from faceless.testing.media import make_tone, make_video

from .fakes.server import FakeServer


@dataclass(frozen=True)
class Media:
    mp3: bytes
    mp3_seconds: float
    wav: bytes
    png: bytes
    jpeg: bytes
    mp4: bytes


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    d = tmp_path_factory.mktemp("provider-media")
    mp3 = make_tone(d / "tone.mp3", seconds=1.5, rate=44100)
    wav = make_tone(d / "tone.wav", seconds=1.0, rate=48000)
    mp4 = make_video(d / "clip.mp4", seconds=1.0, size="160x284", fps=10)
    img = Image.new("RGB", (96, 64), (30, 120, 200))
    png, jpeg = io.BytesIO(), io.BytesIO()
    img.save(png, "PNG")
    img.save(jpeg, "JPEG")
    return Media(
        Path(mp3).read_bytes(),
        1.5,
        Path(wav).read_bytes(),
        png.getvalue(),
        jpeg.getvalue(),
        Path(mp4).read_bytes(),
    )


@pytest.fixture
def server() -> Iterator[FakeServer]:
    s = FakeServer().start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(autouse=True)
def _clean_provider_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The developer's own keys and config file must never reach a test.
    for var in ENV_MAP:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("FACELESS_CONFIG", str(tmp_path / "no-config.toml"))


class Sleeps(list[float]):
    """An injectable `sleep` that records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()
