"""Segment encode cost at 1080x1920, 300 frames, each with a burned ASS caption (not a test).

Run: .venv/bin/python tests/render/bench_video_segments.py [--threads N] [--preset P] [--repeat R]
Prints wall and CPU seconds (user+sys of ffmpeg) per case and the ratio to the bare-source floor.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pysubs2

from faceless.domain import FORMATS, SceneClip, VisualChoice
from faceless.render.command import FFmpegCommand, Input
from faceless.render.designed import render_keyword_card
from faceless.render.encoding import EncoderSettings
from faceless.render.run import run_ffmpeg
from faceless.render.segments import build_segment_command, escape_filter_value
from faceless.testing.media import make_image, make_video

FRAMES = 300


def _timed(cmd: FFmpegCommand) -> tuple[float, float]:
    r0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    run_ffmpeg(cmd)
    r1, t1 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    return t1 - t0, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--preset", default="veryfast")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--filter-threads", type=int, default=None, help="-filter_complex_threads")
    args = ap.parse_args()
    fmt = FORMATS["shorts"]
    enc = EncoderSettings(preset=args.preset, threads=args.threads)
    d = Path(tempfile.mkdtemp(prefix="faceless-bench-"))
    subs = pysubs2.SSAFile()
    subs.info["PlayResX"], subs.info["PlayResY"] = str(fmt.width), str(fmt.height)
    style = subs.styles["Default"]
    style.fontname, style.bold, style.fontsize, style.outline, style.marginv = "Noto Sans", True, 86, 6, 760
    words = "the quick brown fox jumps over the lazy dog again and again and again".split()
    for i in range(0, len(words), 3):
        subs.append(
            pysubs2.SSAEvent(start=i * 250, end=i * 250 + 750, text=" ".join(words[i : i + 3]).upper())
        )
    ass = d / "c.ass"
    subs.save(str(ass))
    img = make_image(d / "photo.jpg", size="1920x1080")
    vid = make_video(d / "landscape.mp4", seconds=10, size="1920x1080", fps=30)
    card = render_keyword_card(["octopus", "brains"], fmt, d / "card.png", seed="bench")

    def clip(kind: str, path: Path | None) -> SceneClip:
        return SceneClip(
            scene_id="s01",
            index=0,
            start_frame=0,
            frames=FRAMES,
            voice_path="/x.wav",
            words=[],
            visual=VisualChoice(kind=kind, path=str(path) if path else None),
        )  # type: ignore[arg-type]

    floor = FFmpegCommand(
        inputs=[Input(f"testsrc2=s={fmt.width}x{fmt.height}:r=30", lavfi=True)],
        output=str(d / "floor.mp4"),
        filter_complex=f"[0:v]ass=filename={escape_filter_value(str(ass))},format=yuv420p[v]",
        output_options=["-map", "[v]", "-frames:v", str(FRAMES), *enc.video_options()],
    )
    floor_color = FFmpegCommand(
        inputs=[Input(f"color=c=0x336699:s={fmt.width}x{fmt.height}:r=30", lavfi=True)],
        output=str(d / "floor_color.mp4"),
        filter_complex=f"[0:v]ass=filename={escape_filter_value(str(ass))},format=yuv420p[v]",
        output_options=["-map", "[v]", "-frames:v", str(FRAMES), *enc.video_options()],
    )
    cases = {
        "(a) testsrc2 + ass (floor)": floor,
        "(a') color + ass": floor_color,
        "(b) image pan + ass": build_segment_command(
            clip("image", img), fmt, out=d / "b.mp4", enc=enc, ass_path=ass
        ),
        "(c) video 1920x1080 + ass": build_segment_command(
            clip("video", vid), fmt, out=d / "c.mp4", enc=enc, ass_path=ass
        ),
        "(d) designed + card + ass": build_segment_command(
            clip("designed", None), fmt, out=d / "d.mp4", enc=enc, ass_path=ass, overlay_png=card
        ),
    }
    if args.filter_threads is not None:
        for c in cases.values():
            c.global_options += ["-filter_complex_threads", str(args.filter_threads)]
    results: dict[str, tuple[float, float]] = {}
    for name, cmd in cases.items():
        runs = [_timed(cmd) for _ in range(args.repeat)]
        results[name] = (min(r[0] for r in runs), min(r[1] for r in runs))
    base_wall, base_cpu = results["(a) testsrc2 + ass (floor)"]
    print(f"preset={args.preset} threads={args.threads} filter_threads={args.filter_threads} frames={FRAMES}")
    for name, (wall, cpu) in results.items():
        print(
            f"{name:30s} wall {wall:6.2f} s ({wall / base_wall:4.2f}x)  cpu {cpu:6.2f} s ({cpu / base_cpu:4.2f}x)"
            f"  {FRAMES / wall:5.1f} fps"
        )


if __name__ == "__main__":
    main()
