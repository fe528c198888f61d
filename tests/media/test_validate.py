"""check_media: content sniffing, format allow-list, pixel and duration limits, truncation."""

from __future__ import annotations

from pathlib import Path

import pytest
from media_samples import GOOD, HOSTILE, png_bomb

from faceless.domain.errors import MediaRejected
from faceless.media import validate
from faceless.media.validate import Limits, check_media, input_options, kind_of
from faceless.testing.media import make_image, make_tone, make_video

pytestmark = pytest.mark.slow


def _reason(path: Path) -> str:
    with pytest.raises(MediaRejected) as exc:
        check_media(path)
    assert exc.value.path.endswith(path.name)
    return exc.value.reason


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_files_are_accepted_with_kind_and_size(media_folder: Path, name: str) -> None:
    path = next(media_folder.rglob(name))
    info = check_media(path)
    kind, w, h = GOOD[name]
    assert kind_of(info) == kind
    assert (info.video.width, info.video.height) == (w, h)  # type: ignore[union-attr]
    if kind == "video":
        assert info.format_name == validate.MP4_FAMILY and abs(info.duration - 2.0) < 0.1
    else:
        assert info.format_name in validate.IMAGE_FORMATS


@pytest.mark.parametrize("name", [n for n in sorted(HOSTILE) if n != "escape.png"])
def test_hostile_files_are_rejected_naming_the_problem(media_folder: Path, name: str) -> None:
    path = next(media_folder.rglob(name))
    assert HOSTILE[name] in _reason(path)


@pytest.mark.parametrize("name", ["notes.jpg", "list.m3u8", "concat.mp4", "bomb.png", "huge_header.png"])
def test_indirections_and_bombs_never_reach_ffmpeg(
    media_folder: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(validate, "run_capture", lambda argv, **kw: calls.append(argv))
    _reason(media_folder / name)
    assert calls == []


def test_image_sequence_pattern_in_a_name_is_not_expanded(tmp_path: Path) -> None:
    # image2 would read `shot%d.jpg` as the sequence shot0.jpg, shot1.jpg...: the demuxer is pinned.
    real = make_image(tmp_path / "a.jpg", size="80x60")
    named = tmp_path / "shot%d.jpg"
    real.rename(named)
    make_image(tmp_path / "shot1.jpg", size="32x32")
    info = check_media(named)
    assert info.format_name == "jpeg_pipe" and info.video.width == 80  # type: ignore[union-attr]


def test_symlinks_are_refused(media_folder: Path) -> None:
    assert "not a regular file" in _reason(media_folder / "escape.png")


def test_video_over_the_side_limit_is_rejected(tmp_path: Path) -> None:
    wide = make_video(tmp_path / "wide.mp4", seconds=0.2, size="4112x16", fps=5)
    assert "video too large: 4112x16" in _reason(wide)
    assert check_media(wide, limits=Limits(max_video_side=5000)).video.width == 4112  # type: ignore[union-attr]


def test_duration_limit(tmp_path: Path) -> None:
    clip = make_video(tmp_path / "clip.mp4", seconds=2, size="64x36", fps=10)
    with pytest.raises(MediaRejected, match="too long"):
        check_media(clip, limits=Limits(max_duration=1.0))


def test_small_image_limit_applies_to_real_images(tmp_path: Path) -> None:
    img = make_image(tmp_path / "img.png", size="200x100")
    with pytest.raises(MediaRejected, match="image too large"):
        check_media(img, limits=Limits(max_image_pixels=10_000))


def test_pixel_bomb_is_cheap_to_refuse(tmp_path: Path) -> None:
    bomb = png_bomb(tmp_path / "b.png")
    assert bomb.stat().st_size < 200_000  # 900 MP claimed in ~110 KB
    assert "pixel bomb" in _reason(bomb)


def test_audio_purpose(tmp_path: Path) -> None:
    tone = make_tone(tmp_path / "tone.wav", seconds=1.5)
    assert "an audio file (wav), not a picture" in _reason(tone)
    info = check_media(tone, purpose="audio")
    assert info.format_name == "wav" and info.audio is not None
    mp3 = make_tone(tmp_path / "tone.mp3", seconds=1.5)
    assert check_media(mp3, purpose="audio").format_name == "mp3"
    img = make_image(tmp_path / "i.png", size="32x32")
    with pytest.raises(MediaRejected, match="audio was expected"):
        check_media(img, purpose="audio")


def test_input_options_pin_the_demuxer(media_folder: Path) -> None:
    jpg = check_media(media_folder / "city_skyline_night.jpg")
    assert input_options(jpg)[-2:] == ["-f", "jpeg_pipe"]
    mp4 = check_media(media_folder / "ocean_waves.mp4")
    assert input_options(mp4)[-2:] == ["-format_whitelist", validate.MP4_FAMILY]
    assert validate.demuxer_options(media_folder / "ocean_waves.mp4") == input_options(mp4)
    assert validate.demuxer_options(media_folder / "city_skyline_night.jpg") == input_options(jpg)
    with pytest.raises(MediaRejected, match="playlist"):
        validate.demuxer_options(media_folder / "list.m3u8")


def test_sniff_table() -> None:
    assert validate._sniff(b"\x00\x00\x00\x20ftypisom") is not None
    assert validate._sniff(b"\x1a\x45\xdf\xa3rest").demuxer == validate.MKV_FAMILY  # type: ignore[union-attr]
    assert validate._sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ").demuxer == "webp_pipe"  # type: ignore[union-attr]
    for text in (b"#EXTM3U\n", b"ffconcat version 1.0\n", b"v=0\r\n", b"<?xml version='1.0'?><MPD/>"):
        assert validate._sniff(text) is None
    assert "SDP" in validate._describe_text(b"v=0\n")
