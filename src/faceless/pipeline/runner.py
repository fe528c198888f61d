"""Run the stages in order: project in, finished video and side files out. Used by CLI, API and workers."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faceless.domain import Project
from faceless.pipeline.context import RunContext
from faceless.pipeline.stages.outputs import outputs_stage
from faceless.pipeline.stages.render import opening_key, render_stage
from faceless.pipeline.stages.timeline import compose_timeline
from faceless.pipeline.stages.visuals import visuals_stage
from faceless.pipeline.stages.voice import voice_stage
from faceless.storage.cache import content_key


@dataclass
class RenderResult:
    """What a run produced, for the CLI's --json summary and the job records."""

    project: Project
    outputs: dict[str, Path]
    duration: float
    scenes: int
    scenes_rendered: int
    scenes_cached: int
    loudness: dict[str, float]
    timings: dict[str, float]
    scene_frames: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "video": str(self.outputs["video"]),
            "outputs": {k: str(v) for k, v in self.outputs.items()},
            "duration": round(self.duration, 3),
            "scenes": self.scenes,
            "scenes_rendered": self.scenes_rendered,
            "scenes_cached": self.scenes_cached,
            "loudness": self.loudness,
            "timings": self.timings,
            "scene_frames": self.scene_frames,
            "stats": self.stats,
            "warnings": self.warnings,
        }


def music_stage(project: Project, ctx: RunContext) -> tuple[str | None, dict[str, Any] | None]:
    """Pick or generate the music bed; None when the project asks for none."""
    from faceless.audio.music import select_music

    duration = sum(s.pause_after for s in project.scenes) + 0.4 * sum(
        len(s.narration.split()) for s in project.scenes
    )
    chosen = select_music(
        project.music.source, project.music.mood, ctx.work_dir("music"), duration=duration, warn=ctx.warning
    )
    if chosen is None:
        return None, None
    path, credit = chosen
    return str(path), credit


def release_models() -> None:
    """Free the voice and embedding models before rendering: the render stages are ffmpeg's, and a
    long render should not carry ~400 MB of ONNX sessions it no longer needs."""
    import gc

    from faceless.media.embeddings import unload_default
    from faceless.providers.piper.models import unload_all

    unload_all()
    unload_default()
    gc.collect()


def render_project(project: Project, out_dir: Path, ctx: RunContext | None = None) -> RenderResult:
    """Voice → visuals → music → timeline → segments + audio → MP4 and side files in `out_dir`."""
    from faceless.runtime import limit_malloc_arenas

    limit_malloc_arenas()  # before the scene threads exist: keeps a long render's memory flat
    ctx = ctx or RunContext()
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with ctx.stage("voice"):
        speeches = voice_stage(project, ctx)
    with ctx.stage("visuals"):
        project = visuals_stage(project, [s.frames / 30 for s in speeches], ctx)
    # Before the music: synthesising a bed allocates ~140 MB of samples, which must not stack on the
    # voice and embedding models (they were the process's peak).
    release_models()
    with ctx.stage("music"):
        music_path, music_credit = music_stage(project, ctx)
    with ctx.stage("timeline"):
        timeline = compose_timeline(project, speeches, music_path)
    with ctx.stage("render"):  # the audio mastering runs inside, beside the scene renders
        video, rendered, cached, loudness, segments = render_stage(timeline, out_dir / "video.mp4", ctx)
    with ctx.stage("outputs"):
        from faceless.render.thumbnail import SAMPLE_SECONDS

        # The thumbnail comes from the opening seconds: unchanged segments there mean the same cover.
        thumb_key = content_key("thumb/1", opening_key(timeline, segments, SAMPLE_SECONDS), project.title)
        outputs = outputs_stage(
            project,
            timeline,
            video,
            out_dir,
            music_credit,
            thumbnail_cache=ctx.cache.path("thumbnails", thumb_key, ".jpg"),
        )
    ctx.timings["total"] = round(time.perf_counter() - t0, 3)
    return RenderResult(
        project=project,
        outputs=outputs,
        duration=timeline.duration,
        scenes=len(timeline.clips),
        scenes_rendered=rendered,
        scenes_cached=cached,
        loudness=loudness,
        timings=dict(ctx.timings),
        warnings=list(ctx.warnings),
        stats=dict(ctx.stats),
        scene_frames=[
            {"id": c.scene_id, "start_frame": c.start_frame, "frames": c.frames} for c in timeline.clips
        ],
    )
