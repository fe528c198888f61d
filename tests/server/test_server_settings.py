"""Settings: environment prefix, defaults under the data folder, the persisted secret key, rate syntax."""

from __future__ import annotations

from pathlib import Path

import pytest

from faceless.domain import InputError
from faceless.service.settings import Rate, Settings


def test_env_prefix_and_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FACELESS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FACELESS_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("FACELESS_ACCESS_TOKEN_MINUTES", "5")
    s = Settings()
    assert s.database_url == f"sqlite:///{tmp_path / 'faceless.db'}"
    assert s.queue_url == f"sqlite:///{tmp_path / 'queue.db'}"
    assert s.cors_origins == ["https://a.example", "https://b.example"]
    assert s.access_token_minutes == 5


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    key = Settings(data_dir=tmp_path).ensure_secret_key()
    assert len(key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Settings(data_dir=tmp_path).ensure_secret_key() == key
    assert Settings(data_dir=tmp_path, secret_key="x" * 40).ensure_secret_key() == "x" * 40
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_rate_syntax() -> None:
    assert Rate.parse("10/minute") == Rate(10, 60)
    assert Rate.parse("5/30s") == Rate(5, 30)
    assert Rate.parse("1000 / hour") == Rate(1000, 3600)
    for bad in ("ten/minute", "0/minute", "5/fortnight", ""):
        with pytest.raises(InputError):
            Rate.parse(bad)
    with pytest.raises(ValueError):
        Settings(rate_user="lots")
