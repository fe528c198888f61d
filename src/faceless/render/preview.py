"""A still preview of a scene card, drawn by the same graph as its video segment, at a small size.

Used by the project editor before any voice exists: words are spread evenly over an estimated
duration so the caption sample shows the scene's first line in the project's caption style;
designed scenes get their key-phrase card, pictures their pan start, clips the key frame at or just
before the middle of the part the scene plays (one decoded frame, however long the clip's GOP; the
first frame is often a fade). One ffmpeg call, no per-frame Python.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from faceless.domain import Scene, VisualChoice, get_format
from faceless.domain.formats import RenderFormat, SafeZone
from faceless.domain.timeline import SceneClip
from faceless.domain.words import Word
from faceless.render.command import FFmpegCommand
from faceless.render.run import run_ffmpeg
from faceless.render.segments import segment_graph
from faceless.storage.cache import content_key, file_key

PREVIEW_VERSION = "preview/2"  # bump when the drawing changes
WORDS_PER_SECOND = 2.6  # a typical narration pace, for the caption sample's timing
FPS = 30
DESIGNED = VisualChoice(kind="designed", source="designed")


def small_format(fmt: RenderFormat, width: int) -> RenderFormat:
    """`fmt` scaled to `width` pixels wide (even sizes), safe zone included."""
    k = width / fmt.width
    height = 2 * round(fmt.height * k / 2)
    s = fmt.safe
    return replace(
        fmt,
        width=width,
        height=height,
        safe=SafeZone(
            left=round(s.left * k), top=round(s.top * k), right=round(s.right * k), bottom=round(s.bottom * k)
        ),
    )


def estimated_seconds(scene: Scene) -> float:
    """How long the scene will last before its voice exists: its words at a typical pace, plus its pause."""
    return len(scene.narration.split()) / WORDS_PER_SECOND + scene.pause_after


def preview_clip(scene: Scene, index: int) -> SceneClip:
    """A one-frame clip of `scene` with evenly timed words (no voice yet)."""
    tokens = scene.narration.split()
    step = 1.0 / WORDS_PER_SECOND
    words = [
        Word(text=t, start=round(i * step, 3), end=round((i + 0.9) * step, 3)) for i, t in enumerate(tokens)
    ]
    visual = scene.visual or DESIGNED
    if visual.kind == "video":
        # The middle of the part of the clip the scene plays (its estimated spoken length).
        visual = visual.model_copy(update={"start": round(visual.start + estimated_seconds(scene) / 2, 3)})
    return SceneClip(
        scene_id=scene.id,
        index=index,
        start_frame=0,
        frames=1,
        voice_path="",
        words=words,
        visual=visual,
        keywords=list(scene.keywords),
        narration=scene.narration,
    )


def preview_key(
    scene: Scene, index: int, format_name: str, caption_style: str, highlight: str, width: int
) -> str:
    """Everything that changes the preview's pixels."""
    visual = (scene.visual or DESIGNED).model_dump(include={"kind", "path", "start"})
    visual["pause"] = scene.pause_after  # moves a clip's middle frame
    if visual.get("path") and Path(visual["path"]).is_file():
        visual["file"] = file_key(visual["path"])
    return content_key(
        PREVIEW_VERSION,
        visual,
        scene.narration,
        scene.keywords,
        scene.id,
        index % 4,
        format_name,
        caption_style,
        highlight,
        width,
    )


def render_scene_preview(
    scene: Scene,
    index: int,
    out: Path,
    *,
    format_name: str = "shorts",
    caption_style: str = "pop",
    highlight: str = "#FFD700",
    width: int = 360,
    input_options: list[str] | None = None,
    timeout: float = 30.0,
) -> Path:
    """Write a JPEG preview of `scene` (`width` wide, the format's aspect) to `out`."""
    from faceless.render.designed import render_keyword_card
    from faceless.render.subtitles import build_ass
    from faceless.text.keywords import key_phrase

    fmt = small_format(get_format(format_name), width)
    clip = preview_clip(scene, index)
    with tempfile.TemporaryDirectory(prefix="faceless-preview-") as tmp:
        work = Path(tmp)
        ass = None
        if caption_style != "none" and clip.words:
            ass = work / "captions.ass"
            ass.write_text(
                build_ass(clip.words, fmt, caption_style, highlight_colour=highlight), encoding="utf-8"
            )
        overlay = None
        if clip.visual.kind == "designed":
            phrase = key_phrase(clip.narration, clip.keywords) or (clip.narration.split() or ["…"])[0]
            overlay = render_keyword_card([phrase], fmt, work / "card.png", seed=clip.scene_id)
        opts = list(input_options or [])
        if clip.visual.kind == "video":
            # Seek to the key frame at or before the middle and decode just that frame: an exact seek
            # decodes every frame from there up to the middle (up to a GOP of full-size video, ~6 ms each).
            opts.append("-noaccurate_seek")
        inputs, graph = segment_graph(clip, fmt, FPS, ass_path=ass, overlay_png=overlay, input_options=opts)
        cmd = FFmpegCommand(
            inputs=inputs,
            output=str(out),
            filter_complex=graph + ",format=yuvj420p[v]",
            output_options=[
                "-map",
                "[v]",
                "-frames:v",
                "1",
                "-q:v",
                "4",
                "-update",
                "1",
                "-an",
                "-sn",
                "-dn",
                "-map_metadata",
                "-1",
                "-f",
                "image2",
            ],
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        return run_ffmpeg(cmd, timeout=timeout)
