"""Stage 8: per-scene segments (cached by content), the mastered audio, and the joined MP4."""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from faceless.domain import SceneClip, Timeline, get_format
from faceless.pipeline.context import RunContext
from faceless.storage.cache import content_key, file_key
from faceless.storage.files import write_text_atomic

SEGMENT_VERSION = "segment/2"  # 2: designed cards show a key phrase instead of a keyword list
AUDIO_VERSION = "audio/1"
SEGMENT_NICE = int(os.environ.get("FACELESS_SEGMENT_NICE", "5"))


def segment_key(clip: SceneClip, timeline: Timeline, enc_key: str) -> str:
    """Everything that changes a segment's pixels — and nothing else (not its start time)."""
    visual = clip.visual.model_dump(include={"kind", "path", "start"})
    if clip.visual.path:
        visual["file"] = file_key(clip.visual.path)
    return content_key(
        SEGMENT_VERSION,
        enc_key,
        timeline.format,
        timeline.width,
        timeline.height,
        clip.frames,
        visual,
        clip.index % 4,
        clip.scene_id if clip.visual.kind == "designed" else "",
        clip.keywords,
        [w.model_dump() for w in clip.words],
        timeline.caption_style,
        timeline.highlight_colour,
    )


def render_segment(clip: SceneClip, timeline: Timeline, ctx: RunContext, enc: object) -> tuple[Path, bool]:
    """Render one scene's video-only segment unless an identical one is cached."""
    from faceless.media.validate import demuxer_options
    from faceless.render.designed import render_keyword_card
    from faceless.render.run import run_ffmpeg
    from faceless.render.segments import build_segment_command
    from faceless.render.subtitles import build_ass
    from faceless.text.keywords import key_phrase

    fmt = get_format(timeline.format)
    key = segment_key(clip, timeline, enc.key())  # type: ignore[attr-defined]
    out = ctx.cache.path("segments", key, ".mp4")
    if out.exists() and out.stat().st_size > 0:
        return out, True
    work = ctx.work_dir(key)
    ass_path = None
    if timeline.caption_style != "none" and clip.words:
        ass_path = work / "captions.ass"
        ass_path.write_text(
            build_ass(clip.words, fmt, timeline.caption_style, highlight_colour=timeline.highlight_colour),
            encoding="utf-8",
        )
    overlay = None
    if clip.visual.kind == "designed":
        phrase = key_phrase(clip.narration, clip.keywords) or clip.narration.split()[0]
        overlay = render_keyword_card([phrase], fmt, work / "card.png", seed=clip.scene_id)
    pin = demuxer_options(Path(clip.visual.path)) if clip.visual.path else None
    cmd = build_segment_command(
        clip,
        fmt,
        out=out,
        enc=enc,
        ass_path=ass_path,  # type: ignore[arg-type]
        overlay_png=overlay,
        input_options=pin,
    )
    # Below the audio master in priority: it is one single-threaded ffmpeg on the critical path of an
    # edit, while x264 soaks up whatever CPU is left (measured: edit re-render 11.9 -> see RESULTS.md).
    run_ffmpeg(cmd, cancel=ctx.cancel, timeout=max(120.0, clip.duration * 20), nice=SEGMENT_NICE)
    return out, False


def master_audio(timeline: Timeline, ctx: RunContext) -> tuple[Path, dict[str, float]]:
    """Narration joined, music ducked under it, mastered to −14 LUFS / −1 dBTP (cached)."""
    from faceless.audio.mix import master
    from faceless.audio.voice_track import concat_voice

    voices = [Path(c.voice_path) for c in timeline.clips]
    music = Path(timeline.music_path) if timeline.music_path else None
    key = content_key(
        AUDIO_VERSION,
        [file_key(v) for v in voices],
        file_key(music) if music else None,
        timeline.music_volume_db,
        timeline.total_frames,
    )
    out = ctx.cache.path("audio", key, ".m4a")
    report_path = out.with_suffix(".json")
    if out.exists() and report_path.exists():
        return out, json.loads(report_path.read_text())
    narration = ctx.cache.path("narration", key, ".wav")
    concat_voice(voices, narration)
    report = master(
        narration, music, out, duration=timeline.duration, music_volume_db=timeline.music_volume_db
    )
    loud = {"integrated": report.integrated, "true_peak": report.true_peak, "lra": report.lra}
    write_text_atomic(report_path, json.dumps(loud))
    return out, loud


def opening_key(timeline: Timeline, segments: list[Path], seconds: float) -> str:
    """What the first `seconds` of the video look like: the cached segments that cover them
    (a segment's file name is the hash of its pixels' inputs)."""
    limit = round(seconds * timeline.fps)
    names = [seg.name for clip, seg in zip(timeline.clips, segments, strict=True) if clip.start_frame < limit]
    return content_key("opening/1", timeline.format, names)


def render_stage(
    timeline: Timeline, out_video: Path, ctx: RunContext
) -> tuple[Path, int, int, dict[str, float], list[Path]]:
    """Master the audio while the changed scenes render (in parallel), then join without re-encoding.

    Returns (video, scenes rendered, scenes taken from the cache, loudness of the mix, segment files). The audio
    pass runs beside the segment renders: an edit that re-encodes one scene then costs about
    max(audio, one segment) instead of their sum.
    """
    from faceless.render.concat import join_segments
    from faceless.render.encoding import EncoderSettings

    enc = EncoderSettings()
    n = len(timeline.clips)
    done = 0
    results: list[tuple[Path, bool]] = [None] * n  # type: ignore[list-item]

    def work(i: int) -> None:
        nonlocal done
        ctx.check_cancelled()
        results[i] = render_segment(timeline.clips[i], timeline, ctx, enc)
        done += 1
        ctx.progress("render", done / (n + 1), f"scene {done}/{n}")

    def audio() -> tuple[Path, dict[str, float]]:
        t0 = time.perf_counter()
        try:
            return master_audio(timeline, ctx)
        finally:
            ctx.timings["audio"] = round(time.perf_counter() - t0, 3)

    with ThreadPoolExecutor(max_workers=max(2, ctx.jobs)) as pool:
        mixed = pool.submit(audio)
        if ctx.jobs > 1:
            for f in [pool.submit(work, i) for i in range(n)]:
                f.result()
        else:
            for i in range(n):
                work(i)
        audio_path, loudness = mixed.result()
    segments = [p for p, _ in results]
    cached = sum(1 for _, c in results if c)
    join_segments(segments, audio_path, out_video, duration=timeline.duration)
    return out_video, n - cached, cached, loudness, segments
