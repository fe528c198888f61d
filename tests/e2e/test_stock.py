"""`faceless make --stock pexels`: per-scene search, ranked, downloaded, credited — against a fake Pexels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faceless.cli.main import main
from faceless.testing.media import make_image, make_video
from providers.fakes.media import install_pexels
from providers.fakes.server import FakeServer

pytestmark = pytest.mark.slow


def test_make_with_pexels_stock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    video = make_video(tmp_path / "v.mp4", seconds=2, size="360x640").read_bytes()
    image = make_image(tmp_path / "p.jpg", size="300x400").read_bytes()
    server = FakeServer().start()
    try:
        install_pexels(server, key="pexels-key-1", video=video, image=image)
        config = tmp_path / "config.toml"
        config.write_text(f'[pexels]\nbase_url = "{server.url}"\n')
        monkeypatch.setenv("FACELESS_CONFIG", str(config))
        monkeypatch.setenv("PEXELS_API_KEY", "pexels-key-1")
        scenes = tmp_path / "scenes.json"
        scenes.write_text(
            json.dumps(
                [
                    {
                        "narration": "Waves roll onto the shore at sunset, one after another, for as long as anyone remembers."
                    },
                    {"narration": "Then the city wakes up."},
                ]
            )
        )
        code = main(
            [
                "make",
                "--scenes",
                str(scenes),
                "--stock",
                "pexels",
                "--music",
                "none",
                "--out",
                str(tmp_path / "out"),
                "--json",
            ]
        )
        out, err = capsys.readouterr()
        searches = [r.path for r in server.requests if r.path.endswith("search")]
    finally:
        server.stop()
    assert code == 0, err
    assert "/videos/search" in searches and "/v1/search" in searches  # long scene: video; short: photo
    project = json.loads((tmp_path / "out" / "project.json").read_text())
    visuals = [s["visual"] for s in project["scenes"]]
    assert [v["source"] for v in visuals] == ["pexels", "pexels"]
    assert visuals[0]["kind"] == "video" and visuals[1]["kind"] == "image"
    assert visuals[0]["url"].startswith("https://www.pexels.com/video/")
    credits = json.loads((tmp_path / "out" / "credits.json").read_text())
    assert all(v["attribution"] for v in credits["visuals"])
    assert json.loads(out)["stats"]["visual_stock"] == 2


def test_unknown_stock_provider_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.txt"
    script.write_text("Hello there.")
    code = main(["make", "--script", str(script), "--stock", "nosuch", "--out", str(tmp_path / "out")])
    assert code == 2 and "nosuch" in capsys.readouterr().err
