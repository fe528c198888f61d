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
        Scene(
            id="s1", narration="Octopuses have three hearts and blue blood.", keywords=["octopuses", "hearts"]
        ),
        Scene(
            id="s2",
            narration="An arm can taste.",
            visual=VisualChoice(kind="image", path=str(img), source="x"),
        ),
        Scene(
            id="s3",
            narration="Colour in a blink.",
            visual=VisualChoice(kind="video", path=str(vid), source="x"),
        ),
    ]


@pytest.mark.parametrize(
    ("fmt", "size"), [("shorts", (360, 640)), ("youtube", (360, 202)), ("square", (360, 360))]
)
def test_previews_are_small_frames_of_the_format(
    tmp_path: Path, media: tuple[Path, Path], fmt: str, size: tuple[int, int]
) -> None:
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
        diff = ImageStat.Stat(
            Image.frombytes(
                "L",
                (360, 60),
                bytes(
                    abs(x - y)
                    for x, y in zip(
                        a.convert("L").crop(box).tobytes(), b.convert("L").crop(box).tobytes(), strict=True
                    )
                ),
            )
        ).mean[0]
        assert diff > 3


def test_key_follows_what_is_drawn(media: tuple[Path, Path]) -> None:
    scene = _scenes(media)[0]
    base = preview_key(scene, 0, "shorts", "pop", "#FFD700", 360)
    assert base == preview_key(scene, 0, "shorts", "pop", "#FFD700", 360)
    changed = scene.model_copy(update={"narration": "Octopuses have three hearts."})
    assert preview_key(changed, 0, "shorts", "pop", "#FFD700", 360) != base
    assert preview_key(scene, 0, "shorts", "classic", "#FFD700", 360) != base
    assert small_format(get_format("shorts"), 360).safe.width < 360


def _colour_bands(path: Path) -> Path:
    """A clip that is red for 1 s, blue for 2 s, then green for 6 s, with a key frame every 0.4 s."""
    from faceless.render.command import FFmpegCommand, Input
    from faceless.render.run import run_ffmpeg

    bands = [("red", 1), ("blue", 2), ("green", 6)]
    inputs = [Input(f"color=c={c}:s=320x240:r=25:d={d}", lavfi=True) for c, d in bands]
    graph = "".join(f"[{i}:v]" for i in range(len(bands))) + f"concat=n={len(bands)}:v=1:a=0[v]"
    return run_ffmpeg(
        FFmpegCommand(
            inputs=inputs,
            output=str(path),
            filter_complex=graph,
            output_options=[
                "-map",
                "[v]",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "10",
                "-pix_fmt",
                "yuv420p",
            ],
        )
    )


def _dominant(path: Path) -> str:
    with Image.open(path) as im:
        r, g, b = ImageStat.Stat(
            im.convert("RGB").crop((0, 0, im.width, im.height // 3))
        ).mean  # above captions
    return max((r, "red"), (g, "green"), (b, "blue"))[1]


def test_clip_preview_shows_the_middle_of_what_the_scene_plays(tmp_path: Path) -> None:
    clip = _colour_bands(tmp_path / "bands.mp4")
    words = " ".join(["word"] * 12)  # about 4.9 s spoken: the middle is ~2.5 s after the in-point
    scene = Scene(id="s", narration=words, visual=VisualChoice(kind="video", path=str(clip), source="x"))
    assert _dominant(render_scene_preview(scene, 0, tmp_path / "a.jpg", caption_style="none")) == "blue"
    longer = scene.model_copy(update={"narration": " ".join(["word"] * 30)})  # ~11.8 s: middle ~5.9 s
    assert _dominant(render_scene_preview(longer, 0, tmp_path / "b.jpg", caption_style="none")) == "green"
    later = scene.model_copy(update={"visual": scene.visual.model_copy(update={"start": 3.0})})  # type: ignore[union-attr]
    assert _dominant(render_scene_preview(later, 0, tmp_path / "c.jpg", caption_style="none")) == "green"
    past_end = scene.model_copy(update={"narration": " ".join(["word"] * 60)})  # middle ~11.7 s, clip 9 s
    with Image.open(render_scene_preview(past_end, 0, tmp_path / "d.jpg", caption_style="none")) as im:
        assert im.size == (360, 640)
    # The in-point moves the picture, so it is part of the cache key.
    assert preview_key(later, 0, "shorts", "pop", "#FFD700", 360) != preview_key(
        scene, 0, "shorts", "pop", "#FFD700", 360
    )


def test_a_changed_file_changes_the_key(tmp_path: Path) -> None:
    img = make_image(tmp_path / "p.png", size="64x64")
    scene = Scene(id="s", narration="Look.", visual=VisualChoice(kind="image", path=str(img), source="x"))
    before = preview_key(scene, 0, "shorts", "pop", "#FFD700", 360)
    make_image(img, size="80x80")  # same path, new content (size and mtime change)
    assert preview_key(scene, 0, "shorts", "pop", "#FFD700", 360) != before
