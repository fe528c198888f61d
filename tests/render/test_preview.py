"""Scene previews: a small JPEG drawn by the segment graph, for designed cards, pictures and clips."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageStat

from faceless.domain import Scene, VisualChoice, get_format
from faceless.render.preview import preview_key, render_scene_preview, small_format
from faceless.testing.media import make_image, make_video


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("pv")
    return make_image(d / "p.jpg", size="1200x800"), make_video(d / "v.mp4", seconds=3, size="640x360")


def _scenes(media: tuple[Path, Path]) -> list[Scene]:
    img, vid = media
    return [
        Scene(id="s1", narration="Octopuses have three hearts and blue blood.", keywords=["octopuses", "hearts"]),
        Scene(id="s2", narration="An arm can taste.", visual=VisualChoice(kind="image", path=str(img), source="x")),
        Scene(id="s3", narration="Colour in a blink.", visual=VisualChoice(kind="video", path=str(vid), source="x")),
    ]


@pytest.mark.parametrize(("fmt", "size"), [("shorts", (360, 640)), ("youtube", (360, 202)), ("square", (360, 360))])
def test_previews_are_small_frames_of_the_format(tmp_path: Path, media: tuple[Path, Path], fmt: str,
                                                size: tuple[int, int]) -> None:
    for i, scene in enumerate(_scenes(media)):
        out = render_scene_preview(scene, i, tmp_path / f"{fmt}-{scene.id}.jpg", format_name=fmt)
        with Image.open(out) as im:
            assert im.format == "JPEG" and im.size == size
            assert max(ImageStat.Stat(im.convert("L")).stddev) > 8  # a picture, not a flat colour


def test_caption_sample_is_drawn(tmp_path: Path, media: tuple[Path, Path]) -> None:
    scene = _scenes(media)[0]
    with_captions = render_scene_preview(scene, 0, tmp_path / "a.jpg", caption_style="pop")
    without = render_scene_preview(scene, 0, tmp_path / "b.jpg", caption_style="none")
    with Image.open(with_captions) as a, Image.open(without) as b:
        box = (0, 300, 360, 360)  # where the pop style sets its line in a 360x640 frame
        diff = ImageStat.Stat(Image.frombytes("L", (360, 60), bytes(
            abs(x - y) for x, y in zip(a.convert("L").crop(box).tobytes(), b.convert("L").crop(box).tobytes(),
                                       strict=True)))).mean[0]
        assert diff > 3


def test_key_follows_what_is_drawn(media: tuple[Path, Path]) -> None:
    scene = _scenes(media)[0]
    base = preview_key(scene, 0, "shorts", "pop", "#FFD700", 360)
    assert base == preview_key(scene, 0, "shorts", "pop", "#FFD700", 360)
    changed = scene.model_copy(update={"narration": "Octopuses have three hearts."})
    assert preview_key(changed, 0, "shorts", "pop", "#FFD700", 360) != base
    assert preview_key(scene, 0, "shorts", "classic", "#FFD700", 360) != base
    assert small_format(get_format("shorts"), 360).safe.width < 360
