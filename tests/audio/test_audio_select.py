"""select_music: none / generated (cached) / a file / a folder picked by mood, with credits."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from faceless.audio.music import GENERATED_LICENCE, select_music
from faceless.domain.errors import InputError
from faceless.storage.cache import cache_dir
from faceless.testing.media import make_image, make_tone, make_video

pytestmark = pytest.mark.slow  # probes and makes small files with ffmpeg


def test_none_means_no_music(tmp_path: Path) -> None:
    assert select_music("none", "calm", tmp_path) is None
    assert select_music("", "calm", tmp_path) is None


def test_generated_is_cached_with_credits(tmp_path: Path) -> None:
    chosen = select_music("generated", "inspiring", tmp_path)
    assert chosen is not None
    path, credits = chosen
    assert path.is_file() and (cache_dir() / "music") in path.parents
    assert credits["source"] == "generated" and credits["licence"] == GENERATED_LICENCE and credits["title"]
    mtime = path.stat().st_mtime_ns
    again = select_music("generated", "inspiring", tmp_path)
    assert again is not None and again[0] == path and path.stat().st_mtime_ns == mtime  # reused, not rebuilt
    other = select_music("generated", "dark", tmp_path)
    assert other is not None and other[0] != path


def test_a_valid_file_is_used_with_sidecar_credits(tmp_path: Path) -> None:
    track = make_tone(tmp_path / "song.mp3", seconds=1.0)
    path, credits = select_music(str(track), "calm", tmp_path) or (None, {})
    assert path == track and credits["title"] == "song" and credits["source"] == "file"
    (tmp_path / "song.json").write_text(
        json.dumps(
            {"title": "Morning", "artist": "Ann", "licence": "CC-BY-4.0", "source": "freemusicarchive"}
        )
    )
    _, credits = select_music(str(track), "calm", tmp_path) or (None, {})
    assert credits == {
        "title": "Morning",
        "artist": "Ann",
        "licence": "CC-BY-4.0",
        "source": "freemusicarchive",
    }


@pytest.mark.parametrize("kind", ["garbage", "image", "silent_video", "missing", "matroska"])
def test_bad_files_are_input_errors_naming_the_file(tmp_path: Path, kind: str) -> None:
    if kind == "garbage":
        bad = tmp_path / "track.mp3"
        bad.write_text("this is not an mp3")
    elif kind == "image":
        bad = make_image(tmp_path / "cover.png", size="32x32")
    elif kind == "silent_video":
        bad = make_video(tmp_path / "clip.mp4", seconds=1.0, size="64x64")
    elif kind == "matroska":
        bad = make_tone(tmp_path / "tone.mka", seconds=1.0)
    else:
        bad = tmp_path / "nope.wav"
    with pytest.raises(InputError) as err:
        select_music(str(bad), "calm", tmp_path)
    assert str(bad) in str(err.value) and "\n" not in str(err.value)
    why = {
        "image": "allowed audio format",
        "silent_video": "no audio stream",
        "matroska": "allowed audio format",
        "missing": "does not exist",
        "garbage": "unusable",
    }[kind]
    assert why in str(err.value)


def test_folder_picks_by_mood_skipping_invalid_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lib = tmp_path / "music"
    lib.mkdir()
    make_tone(lib / "a_calm_piano.wav", seconds=1.0)
    make_tone(lib / "b-Upbeat.mp3", seconds=1.0)
    (lib / "0_broken_dark.wav").write_bytes(b"RIFF....WAVEjunk")
    make_tone(lib / "c.flac", seconds=1.0)
    (lib / "c.json").write_text(
        json.dumps(
            {"mood": "dark", "title": "Night", "licence": "CC0-1.0", "artist": "Bo", "source": "pixabay"}
        )
    )
    (lib / "notes.txt").write_text("not music")

    with caplog.at_level(logging.WARNING, logger="faceless.audio.music"):
        path, credits = select_music(str(lib), "dark", tmp_path) or (None, {})
    assert path == lib / "c.flac"
    assert credits == {"title": "Night", "source": "pixabay", "licence": "CC0-1.0", "artist": "Bo"}
    assert any("0_broken_dark.wav" in r.getMessage() for r in caplog.records)

    assert (select_music(str(lib), "upbeat", tmp_path) or (None,))[0] == lib / "b-Upbeat.mp3"
    # No track for the mood: the first valid one by name, deterministically.
    assert (select_music(str(lib), "inspiring", tmp_path) or (None,))[0] == lib / "a_calm_piano.wav"


def test_folder_without_usable_tracks_is_an_input_error(tmp_path: Path) -> None:
    lib = tmp_path / "empty"
    lib.mkdir()
    (lib / "x.mp3").write_text("nope")
    with pytest.raises(InputError, match="no usable audio"):
        select_music(str(lib), "calm", tmp_path)


def test_unknown_mood_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="mood"):
        select_music("generated", "jolly", tmp_path)
