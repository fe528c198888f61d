"""Jamendo music by mood against a fake API; music services in `select_music` with their fallback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faceless.audio.music import select_music
from faceless.domain.errors import ProviderError
from faceless.providers.jamendo import JamendoMusic
from faceless.render.probe import probe

from .conftest import Media, Sleeps
from .fakes.music import install_jamendo
from .fakes.server import FakeServer


def test_jamendo_search_sends_mood_tags_and_skips_locked_tracks(
    server: FakeServer, sleeps: Sleeps, media: Media
) -> None:
    install_jamendo(server, client_id="cid-1", mp3=media.mp3)
    found = JamendoMusic(api_key="cid-1", base_url=server.url + "/v3.0", sleep=sleeps).search("calm", 40)
    q = server.calls("GET", "/v3.0/tracks/")[-1].query
    assert q["client_id"] == "cid-1" and q["format"] == "json"
    assert q["vocalinstrumental"] == "instrumental" and "calm" in q["fuzzytags"]
    assert q["durationbetween"] == "40_900"
    assert [t["id"] for t in found] == ["222"]  # the artist of 111 does not allow downloads


def test_jamendo_track_downloads_with_credits(
    server: FakeServer, sleeps: Sleeps, media: Media, tmp_path: Path
) -> None:
    install_jamendo(server, client_id="cid-1", mp3=media.mp3)
    out = JamendoMusic(api_key="cid-1", base_url=server.url + "/v3.0", sleep=sleeps).track(
        "dramatic", 30, tmp_path / "bed.mp3"
    )
    assert probe(out).audio is not None and out.read_bytes() == media.mp3
    credits = json.loads(out.with_suffix(".json").read_text())
    assert credits["title"] == "Still Water" and credits["artist"] == "Lia Moss"
    assert credits["source"] == "jamendo" and "non-commercial" in credits["licence"]
    assert credits["url"] == "https://jamen.do/t/222"


def test_jamendo_error_header_is_a_provider_error(server: FakeServer, sleeps: Sleeps, media: Media) -> None:
    install_jamendo(server, client_id="cid-1", mp3=media.mp3)
    with pytest.raises(ProviderError, match="error 5: Authentication Error") as err:
        JamendoMusic(api_key="wrong", base_url=server.url + "/v3.0", sleep=sleeps).search("calm", 30)
    assert "wrong" not in str(err.value)  # the client id is a secret: never in messages


def test_select_music_from_jamendo_and_cached(
    server: FakeServer, media: Media, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_jamendo(server, client_id="cid-1", mp3=media.mp3)
    monkeypatch.setenv("FACELESS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("JAMENDO_CLIENT_ID", "cid-1")
    monkeypatch.setenv("JAMENDO_BASE_URL", server.url + "/v3.0")
    chosen = select_music("jamendo", "upbeat", tmp_path)
    assert chosen is not None
    path, credits = chosen
    assert credits["source"] == "jamendo" and credits["artist"] == "Lia Moss"
    calls = len(server.requests)
    assert select_music("jamendo", "upbeat", tmp_path) == chosen  # second render: no request at all
    assert len(server.requests) == calls


def test_failing_music_service_falls_back_to_the_generated_bed(
    server: FakeServer, media: Media, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_jamendo(server, client_id="cid-1", mp3=media.mp3)
    monkeypatch.setenv("FACELESS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("JAMENDO_CLIENT_ID", "bad-id")
    monkeypatch.setenv("JAMENDO_BASE_URL", server.url + "/v3.0")
    warnings: list[str] = []
    chosen = select_music("jamendo", "calm", tmp_path, warn=warnings.append)
    assert chosen is not None and chosen[1]["source"] == "generated"
    assert len(warnings) == 1 and "jamendo" in warnings[0] and "generated" in warnings[0]
