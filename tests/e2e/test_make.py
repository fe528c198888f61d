"""The whole engine through the CLI entry point: real voice, real ffmpeg, real files, probed."""

from __future__ import annotations

import json
from pathlib import Path

import pysubs2
import pytest

from faceless.cli.main import main
from faceless.domain import Project
from faceless.render.probe import probe
from faceless.testing.media import assert_media, loudness, make_image, make_video

pytestmark = pytest.mark.slow

SCRIPT = """# Three hearts

Octopuses have three hearts and blue blood.

Each arm has its own neurons, so it can taste what it touches!
"""


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict | None, str]:
    code = main(args)
    out, err = capsys.readouterr()
    summary = json.loads(out) if code == 0 and "--json" in args else None
    return code, summary, err


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One real render shared by the assertions below (renders take seconds)."""
    base = tmp_path_factory.mktemp("make")
    mp = pytest.MonkeyPatch()
    mp.setenv("FACELESS_CACHE_DIR", str(base / "cache"))
    script = base / "script.md"
    script.write_text(SCRIPT, encoding="utf-8")
    out = base / "out"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["make", "--script", str(script), "--out", str(out), "--json", "--music", "generated"])
    mp.undo()
    assert code == 0
    return out, json.loads(buf.getvalue())


def test_video_is_a_platform_master(made: tuple[Path, dict]) -> None:
    out, summary = made
    frames = sum(s["frames"] for s in summary["scene_frames"])
    info = assert_media(out / "video.mp4", width=1080, height=1920, fps=30, duration=frames / 30)
    v, a = info.video, info.audio
    assert v is not None and a is not None
    assert v.profile == "High" and v.pix_fmt == "yuv420p"
    assert a.sample_rate == 48000 and a.channels == 2
    counted = probe(out / "video.mp4", count_frames=True).video
    assert counted is not None and counted.nb_frames == frames
    # faststart: the moov atom comes before mdat
    head = (out / "video.mp4").read_bytes()[:200_000]
    assert head.find(b"moov") != -1 and head.find(b"moov") < head.find(b"mdat")


def test_loudness_is_mastered(made: tuple[Path, dict]) -> None:
    out, _ = made
    m = loudness(out / "video.mp4")
    assert abs(m["integrated"] - -14.0) <= 1.0, m
    assert m["true_peak"] <= -0.9, m


def test_words_match_the_script_and_fit_the_video(made: tuple[Path, dict]) -> None:
    out, summary = made
    words = json.loads((out / "words.json").read_text())["words"]
    spoken = [w["text"] for w in words]
    expected = "Three hearts Octopuses have three hearts and blue blood. Each arm has its own neurons, so it can taste what it touches!".split()
    # A heading is spoken as its own sentence, so it may gain a full stop; the words are the script's.
    assert [w.rstrip(".") for w in spoken] == [w.rstrip(".") for w in expected]
    starts = [w["start"] for w in words]
    assert starts == sorted(starts)
    assert all(0 <= w["start"] <= w["end"] <= summary["duration"] + 1e-6 for w in words)


def test_captions_are_ordered_and_inside_the_video(made: tuple[Path, dict]) -> None:
    out, summary = made
    for name in ("captions.srt", "captions.vtt", "captions.ass"):
        subs = pysubs2.load(str(out / name))
        events = [e for e in subs if not e.is_comment]
        assert events, name
        assert all(e.start <= e.end for e in events)
        assert [e.start for e in events] == sorted(e.start for e in events)
        assert events[-1].end <= summary["duration"] * 1000 + 1
    srt = pysubs2.load(str(out / "captions.srt"))
    for e in srt:
        lines = e.plaintext.splitlines()
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines)


def test_side_files(made: tuple[Path, dict]) -> None:
    out, summary = made
    project = Project.from_json((out / "project.json").read_text())
    assert len(project.scenes) == len(summary["scene_frames"])
    assert all(s.visual is not None for s in project.scenes)
    import opentimelineio as otio

    tl = otio.adapters.read_from_file(str(out / "timeline.otio"))
    assert round(tl.duration().to_seconds(), 3) == pytest.approx(summary["duration"], abs=1 / 30)
    credits = json.loads((out / "credits.json").read_text())
    assert len(credits["visuals"]) == len(project.scenes) and credits["music"]["licence"]
    thumb = probe(out / "thumbnail.jpg")
    assert thumb.video is not None and (thumb.video.width, thumb.video.height) == (1080, 1920)
    assert not list(out.glob(".*part*")), "no temporary files left behind"


def test_edit_one_scene_rerenders_only_that_scene(
    made: tuple[Path, dict], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = made
    monkeypatch.setenv("FACELESS_CACHE_DIR", str(out.parent / "cache"))  # the cache the first render filled
    cover = (out / "thumbnail.jpg").read_bytes()

    def no_thumbnail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the opening did not change: the cached thumbnail should be used")

    with monkeypatch.context() as m:
        m.setattr("faceless.render.thumbnail.make_thumbnail", no_thumbnail)
        code, same, _ = run_cli(["render", str(out / "project.json"), "--json"], capsys)
    assert code == 0 and same is not None
    assert same["scenes_rendered"] == 0 and same["scenes_cached"] == same["scenes"]
    assert (out / "thumbnail.jpg").read_bytes() == cover
    data = json.loads((out / "project.json").read_text())
    data["scenes"][-1]["narration"] = data["scenes"][-1]["narration"].replace("taste", "smell")
    (out / "project.json").write_text(json.dumps(data))
    code, edited, _ = run_cli(["render", str(out / "project.json"), "--json"], capsys)
    assert code == 0 and edited is not None
    assert edited["scenes_rendered"] == 1 and edited["scenes_cached"] == edited["scenes"] - 1
    words = [w["text"] for w in json.loads((out / "words.json").read_text())["words"]]
    assert "smell" in words and "taste" not in words


def test_library_media_is_matched_and_bad_files_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    make_video(media / "ocean_waves_beach.mp4", seconds=1.5, size="640x360")
    make_image(media / "city_skyline_night.jpg", size="640x480")
    (media / "empty.mp4").write_bytes(b"")
    (media / "fake.jpg").write_text("not an image")
    (media / "list.m3u8").write_text("#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1:9/x.ts\n")
    scenes = tmp_path / "scenes.json"
    scenes.write_text(
        json.dumps(
            [
                {"narration": "Waves crash on the sandy beach."},
                {"narration": "At night the city skyline glows."},
            ]
        )
    )
    code, summary, err = run_cli(
        [
            "make",
            "--scenes",
            str(scenes),
            "--media",
            str(media),
            "--music",
            "none",
            "--captions",
            "classic",
            "--format",
            "square",
            "--out",
            str(tmp_path / "out"),
            "--json",
        ],
        capsys,
    )
    assert code == 0, err
    assert summary is not None
    project = Project.from_json((tmp_path / "out" / "project.json").read_text())
    paths = [Path(s.visual.path).name if s.visual and s.visual.path else None for s in project.scenes]
    assert paths == ["ocean_waves_beach.mp4", "city_skyline_night.jpg"]
    joined = " ".join(summary["warnings"])
    for bad in ("empty.mp4", "fake.jpg", "list.m3u8"):
        assert bad in joined
    assert_media(tmp_path / "out" / "video.mp4", width=1080, height=1080)


HOSTILE = "Café “naïve” — 100% of {\\b1}bold{\\b0} %{pts} C:\\path\\file: it's ok 🎉 über-cool, ¿sí?"


def test_hostile_unicode_renders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.txt"
    script.write_text(HOSTILE, encoding="utf-8")
    code, summary, err = run_cli(
        [
            "make",
            "--script",
            str(script),
            "--music",
            "none",
            "--format",
            "youtube",
            "--out",
            str(tmp_path / "out"),
            "--json",
        ],
        capsys,
    )
    assert code == 0, err
    words = [w["text"] for w in json.loads((tmp_path / "out" / "words.json").read_text())["words"]]
    assert "%{pts}" in words and "{\\b1}bold{\\b0}" in words
    assert_media(tmp_path / "out" / "video.mp4", width=1920, height=1080)


@pytest.mark.parametrize("content", ["", "   \n\t  \n"])
def test_empty_script_is_a_clear_error(
    tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "s.txt"
    script.write_text(content)
    code, _, err = run_cli(["make", "--script", str(script), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    assert err.startswith("error:") and "empty" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "video.mp4").exists()


def test_bad_inputs_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        ["make", "--script", str(tmp_path / "missing.txt")],
        ["make", "--topic", "octopuses"],
        ["make", "--script", "a", "--topic", "b"],
        ["make", "--scenes", str(tmp_path / "bad.json")],
        ["render", str(tmp_path / "bad.json")],
        ["make", "--script", str(tmp_path / "x"), "--format", "cinema"],
    ]
    (tmp_path / "bad.json").write_text("{not json")
    for args in cases:
        code, _, err = run_cli(args, capsys)
        assert code == 2, (args, err)
        assert err.startswith("error:") or "Error" in err, (args, err)
