"""index_library: walking, rejections, sidecars, thumbnails and the cache."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from media_samples import GOOD, HOSTILE

from faceless.domain.errors import InputError, MediaRejected
from faceless.media import library, validate
from faceless.media.library import Asset, description_from_name, index_library
from faceless.render.probe import probe


def _index(folder: Path, **kw: object) -> tuple[list[Asset], dict[str, str]]:
    rejected: dict[str, str] = {}
    assets = index_library(
        folder, on_reject=lambda e: rejected.__setitem__(Path(e.path).name, e.reason), **kw
    )  # type: ignore[arg-type]
    return assets, rejected


@pytest.fixture(scope="module")
def indexed(
    media_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[Asset], dict[str, str]]:
    """The sample folder indexed once for the read-only tests of this module (own cache dir)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FACELESS_CACHE_DIR", str(tmp_path_factory.mktemp("library-cache")))
        return _index(media_folder)


@pytest.mark.slow
def test_index_accepts_good_files_and_reports_every_hostile_one(
    media_folder: Path, indexed: tuple[list[Asset], dict[str, str]]
) -> None:
    assets, rejected = indexed
    by_name = {a.path.name: a for a in assets}
    assert sorted(by_name) == sorted(GOOD)
    for name, (kind, w, h) in GOOD.items():
        a = by_name[name]
        assert (a.kind, a.width, a.height) == (kind, w, h)
        assert a.path.is_absolute() and a.path.is_relative_to(media_folder.resolve())
        assert a.key and a.licence
    assert abs(by_name["ocean_waves.mp4"].duration - 2.0) < 0.1
    assert by_name["forest_trail.png"].duration == 0.0
    assert sorted(rejected) == sorted(HOSTILE)
    for name, problem in HOSTILE.items():
        assert problem in rejected[name], (name, rejected[name])
    # Hidden files, sidecars and plain .txt notes are not media candidates at all.
    assert not {".hidden.mp4", "readme.txt", "coffee_cup.json"} & (set(by_name) | set(rejected))


@pytest.mark.slow
def test_descriptions_from_sidecar_and_names(indexed: tuple[list[Asset], dict[str, str]]) -> None:
    assets, _ = indexed
    by_name = {a.path.name: a for a in assets}
    cup = by_name["coffee_cup.jpg"]
    assert cup.description == "a steaming cup of coffee on a wooden table"
    assert cup.tags == ["coffee", "morning", "cafe"]
    assert (cup.licence, cup.attribution, cup.source, cup.url) == (
        "CC-BY-4.0",
        "Jane Doe",
        "my camera",
        "https://example.org/coffee",
    )
    assert "morning" in cup.match_text
    assert by_name["city_skyline_night.jpg"].description == "city skyline night"
    assert by_name["ocean_waves.mp4"].source == "library"
    choice = cup.to_choice(0.7)
    assert choice.kind == "image" and choice.path == str(cup.path) and choice.licence == "CC-BY-4.0"


@pytest.mark.slow
def test_thumbnails_are_320_px_jpegs(indexed: tuple[list[Asset], dict[str, str]]) -> None:
    assets, _ = indexed
    for a in assets:
        assert a.thumbnail is not None and a.thumbnail.parent.parent.name == "thumbs"
        info = probe(a.thumbnail)
        assert info.video is not None and info.video.width == 320 and info.video.codec_name == "mjpeg"
        expected_h = round(320 * a.height / a.width / 2) * 2
        assert abs(info.video.height - expected_h) <= 2


@pytest.mark.slow
def test_second_index_is_served_from_cache(media_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, rejected_first = _index(media_folder)
    calls: list[str] = []
    real_check, real_run = validate.check_media, library.run_ffmpeg
    monkeypatch.setattr(validate, "check_media", lambda *a, **k: calls.append("probe") or real_check(*a, **k))
    monkeypatch.setattr(library, "run_ffmpeg", lambda *a, **k: calls.append("ffmpeg") or real_run(*a, **k))
    second, rejected_second = _index(media_folder)
    assert calls == []
    assert second == first and rejected_second == rejected_first
    # Touching a file (new mtime) re-validates just that file.
    target = media_folder / "coffee_cup.jpg"
    st = target.stat()
    try:
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        _index(media_folder)
        assert calls == ["probe", "ffmpeg"]
    finally:
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.mark.slow
def test_default_reporting_logs_a_warning(media_folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="faceless.media.library"):
        index_library(media_folder, thumbnails=False, embed=False)
    text = caplog.text
    assert "list.m3u8" in text and "playlist" in text and "escape.png" in text


@pytest.mark.slow
def test_broken_sidecar_falls_back_to_the_name(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from faceless.testing.media import make_image

    make_image(tmp_path / "red_barn.png", size="64x48")
    (tmp_path / "red_barn.json").write_text("{not json")
    make_image(tmp_path / "sea_cliff.png", size="64x48")
    (tmp_path / "sea_cliff.png.txt").write_text("  Tall white cliffs\nabove the sea  ")
    assets, rejected = _index(tmp_path, thumbnails=False, embed=False)
    assert rejected == {}
    assert {a.path.name: a.description for a in assets} == {
        "red_barn.png": "red barn",
        "sea_cliff.png": "Tall white cliffs above the sea",
    }
    assert "red_barn.json ignored" in caplog.text


def test_symlinked_folder_leading_out_is_reported_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.mp4").write_bytes(b"x")
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "linked").symlink_to(outside, target_is_directory=True)
    seen: list[MediaRejected] = []
    assert index_library(lib, on_reject=seen.append, embed=False) == []
    assert len(seen) == 1 and "outside the library" in seen[0].reason


def test_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        index_library(tmp_path / "nope")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ocean_waves-at_sunset.mp4", "ocean waves at sunset"),
        ("CitySkylineNight.jpg", "city skyline night"),
        ("pexels-rodnae-7562312.mp4", "rodnae"),
        ("IMG_2041.JPG", "img 2041"),
        ("  coffee  cup .png", "coffee cup"),
    ],
)
def test_description_from_name(name: str, expected: str) -> None:
    assert description_from_name(name) == expected


def test_max_files_caps_the_walk(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        (tmp_path / name).write_text("not a picture")
    seen: list[str] = []
    assert index_library(tmp_path, on_reject=lambda e: seen.append(Path(e.path).name), max_files=2) == []
    assert seen == ["a.jpg", "b.jpg"] and "more than 2 files" in caplog.text


def test_a_vanished_file_is_a_rejection_not_a_crash(tmp_path: Path) -> None:
    record = library._index_one(tmp_path / "gone.mp4", validate.DEFAULT_LIMITS, True)
    assert "cannot read the file" in record["rejected"]
