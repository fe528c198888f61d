"""The standard job, measured side by side: Faceless vs a MoviePy 2 composite vs the x264 floor.

    .venv/bin/python benchmarks/render_bench.py            # 60 s short: (a), (b), (c), edit, end-to-end
    .venv/bin/python benchmarks/render_bench.py --long     # also peak RSS of a 10-minute vs a 1-minute render
    .venv/bin/python benchmarks/render_bench.py --no-moviepy --seconds 20   # quicker look

Job: 1080x1920, 30 fps, 8 scenes (4 stills with motion, 4 clips), word captions, ducked music,
loudness mastering. Every run uses a fresh cache. Results go to benchmarks/results/<name>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from faceless.render.command import FFmpegCommand, Input  # noqa: E402
from faceless.render.encoding import EncoderSettings  # noqa: E402
from faceless.render.run import run_ffmpeg  # noqa: E402

FACELESS = [str(ROOT / ".venv" / "bin" / "faceless")]

# About 20 words per scene: ~7.5 s of Piper speech each, ~60 s in all.
NARRATION = [
    "The ocean covers more than seventy percent of our planet, and yet we have explored only a tiny part of it so far, mostly near the coasts.",
    "Below two hundred metres, sunlight fades away, and the animals that live there make their own light to hunt, to hide and to find a mate.",
    "Giant kelp forests grow along cool coasts, rising up to thirty metres and sheltering thousands of fish, seals and sea otters.",
    "Coral reefs cover less than one percent of the sea floor, but they are home to a quarter of all marine species we know today.",
    "Every spring, grey whales travel some ten thousand kilometres from Mexico to the Arctic, one of the longest migrations of any mammal.",
    "Octopuses solve puzzles, open jars and escape from tanks, and each of their eight arms can act almost on its own, tasting what it touches.",
    "The deepest point we know, the Challenger Deep, lies nearly eleven kilometres down, deeper than Mount Everest is tall, in total darkness.",
    "So next time you stand on a beach, remember that most of the living world is out there, still waiting to be discovered.",
]
STILL_SOURCES = ["testsrc2", "smptehdbars", "rgbtestsrc", "yuvtestsrc"]
CLIP_SOURCES = ["testsrc2", "mandelbrot", "life=ratio=0.3:mold=10:life_color=#00ff88", "cellauto=rule=110"]


def make_inputs(media: Path) -> list[dict[str, str]]:
    """4 stills (3000x2000 JPEG) and 4 clips (1920x1080 H.264, 6 s) from ffmpeg's lavfi sources."""
    media.mkdir(parents=True, exist_ok=True)
    scenes = []
    for i, text in enumerate(NARRATION):
        if i % 2 == 0:
            path = media / f"still{i}.jpg"
            if not path.exists():
                src = STILL_SOURCES[i // 2]
                run_ffmpeg(
                    FFmpegCommand(
                        [Input(f"{src}=s=3000x2000:d=1", lavfi=True)],
                        str(path),
                        output_options=["-frames:v", "1", "-q:v", "3", "-update", "1"],
                    )
                )
        else:
            path = media / f"clip{i}.mp4"
            if not path.exists():
                src = CLIP_SOURCES[i // 2]
                sep = ":" if "=" in src else "="
                run_ffmpeg(
                    FFmpegCommand(
                        [Input(f"{src}{sep}s=1920x1080:r=30", lavfi=True)],
                        str(path),
                        output_options=[
                            "-t",
                            "6",
                            "-c:v",
                            "libx264",
                            "-preset",
                            "veryfast",
                            "-pix_fmt",
                            "yuv420p",
                        ],
                    )
                )
        scenes.append({"narration": text, "visual": str(path)})
    return scenes


class TreeRSS:
    """Polls /proc for the summed and the largest single RSS of a process tree."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_sum, self.peak_single = pid, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _children(self) -> dict[int, list[int]]:
        kids: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                kids.setdefault(ppid, []).append(int(d))
        return kids

    def _rss(self, pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            kids, todo, total = self._children(), [self.pid], 0
            while todo:
                p = todo.pop()
                r = self._rss(p)
                total += r
                self.peak_single = max(self.peak_single, r)
                todo += kids.get(p, [])
            self.peak_sum = max(self.peak_sum, total)
            self._stop.wait(0.1)

    def __enter__(self) -> TreeRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_cli(args: list[str], cache: Path) -> tuple[float, dict, TreeRSS]:
    env = {**os.environ, "FACELESS_CACHE_DIR": str(cache)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        FACELESS + args + ["--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    with TreeRSS(proc.pid) as rss:
        out, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"faceless failed ({proc.returncode}): {err.strip()[-2000:]}")
    return wall, json.loads(out), rss


def x264_floor(frames: int, work: Path) -> float:
    """ffmpeg encoding the same number of frames at the same size with the identical x264 settings."""
    enc = EncoderSettings()
    cmd = FFmpegCommand(
        [Input("testsrc2=s=1080x1920:r=30", lavfi=True)],
        str(work / "floor.mp4"),
        output_options=["-frames:v", str(frames), *enc.video_options()],
    )
    t0 = time.perf_counter()
    run_ffmpeg(cmd)
    return time.perf_counter() - t0


def x264_floor_same_content(video: Path, frames: int, work: Path) -> float:
    """The same floor on the same pixels: Faceless's own output decoded and encoded again with the
    identical x264 settings (decoding included, so this floor is slightly generous to ffmpeg)."""
    enc = EncoderSettings()
    cmd = FFmpegCommand(
        [Input(str(video))],
        str(work / "floor_same.mp4"),
        output_options=["-map", "0:v:0", "-an", "-frames:v", str(frames), *enc.video_options()],
    )
    t0 = time.perf_counter()
    run_ffmpeg(cmd)
    return time.perf_counter() - t0


def moviepy_baseline(scenes: list[dict[str, str]], summary: dict, work: Path) -> float:
    """The same job composited the way MoviePy-based tools do it (resize per frame, TextClip captions)."""
    from moviepy import (
        AudioFileClip,
        ColorClip,
        CompositeAudioClip,
        CompositeVideoClip,
        ImageClip,
        TextClip,
        VideoFileClip,
        concatenate_videoclips,
        vfx,
    )

    from faceless.render.fonts import find_font

    font = str(find_font().path)
    project = json.loads(Path(summary["outputs"]["project"]).read_text())
    words = json.loads(Path(summary["outputs"]["words"]).read_text())["words"]
    video = Path(summary["video"])
    W, H = 1080, 1920
    t0 = time.perf_counter()
    clips, t = [], 0.0
    durations = [s["frames"] / 30 for s in summary["scene_frames"]] if "scene_frames" in summary else None
    total = summary["duration"]
    durations = durations or [total / len(scenes)] * len(scenes)
    for sc, dur in zip(project["scenes"], durations, strict=False):
        path = sc["visual"]["path"]
        if path.endswith(".jpg"):
            base = ImageClip(path).with_duration(dur)
            scale = max(W / base.w, H / base.h)
            c = base.resized(lambda tt, s=scale, d=dur: s * (1 + 0.05 * tt / d))
            c = c.with_position("center")
            c = CompositeVideoClip([c], size=(W, H)).with_duration(dur)
        else:
            v = VideoFileClip(path, audio=False)
            v = v.with_effects([vfx.Loop(duration=dur)]) if v.duration < dur else v.subclipped(0, dur)
            v = v.resized(height=H)
            c = v.cropped(x_center=v.w / 2, width=W).with_duration(dur)
        clips.append(c)
        t += dur
    base = concatenate_videoclips(clips, method="compose")
    caps = []
    for i in range(0, len(words), 3):  # one TextClip per 3-word group, as those tools do
        grp = words[i : i + 3]
        txt = " ".join(w["text"] for w in grp)
        caps.append(
            TextClip(
                font=font,
                text=txt,
                font_size=80,
                color="white",
                stroke_color="black",
                stroke_width=4,
                method="caption",
                size=(860, None),
            )
            .with_start(grp[0]["start"])
            .with_end(grp[-1]["end"])
            .with_position(("center", 1100))
        )
    comp = CompositeVideoClip(
        [ColorClip((W, H), color=(0, 0, 0)).with_duration(total), base, *caps], size=(W, H)
    )
    # The narration is the peer's own; we reuse our mastered track's source for a fair audio load.
    voice = AudioFileClip(str(video))
    music_path = work / "music.wav"
    run_ffmpeg(FFmpegCommand([Input(f"sine=f=220:d={total}", lavfi=True)], str(music_path)))
    audio = CompositeAudioClip([voice, AudioFileClip(str(music_path)).with_volume_scaled(0.2)]).with_duration(
        total
    )
    comp = comp.with_audio(audio).with_duration(total)
    enc = EncoderSettings()
    comp.write_videofile(
        str(work / "moviepy.mp4"),
        fps=30,
        codec="libx264",
        audio_codec="aac",
        preset=enc.preset,
        ffmpeg_params=["-crf", str(enc.crf), "-pix_fmt", "yuv420p"],
        logger=None,
        threads=os.cpu_count(),
    )
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-moviepy", action="store_true", help="skip the (slow) MoviePy baseline")
    ap.add_argument("--long", action="store_true", help="also measure peak RSS of a 10-minute render")
    ap.add_argument("--only-rss", action="store_true", help="only the 1-minute vs 10-minute peak-RSS runs")
    ap.add_argument("--name", default="standard")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="faceless-bench-"))
    results: dict = {"machine": {"cpus": os.cpu_count()}, "date": time.strftime("%Y-%m-%d %H:%M")}
    try:
        scenes = make_inputs(work / "media")
        job = work / "job.json"
        job.write_text(json.dumps({"title": "The ocean, by numbers", "scenes": scenes}))
        cache = work / "cache"

        if args.only_rss:
            args.long = True
        if not args.only_rss:
            # End-to-end, cold cache: script → MP4.
            wall, summary, rss = run_cli(
                ["make", "--scenes", str(job), "--out", str(work / "out"), "--mood", "calm"], cache
            )
            results["end_to_end"] = {
                "wall_s": round(wall, 2),
                "timings": summary["timings"],
                "duration_s": summary["duration"],
                "peak_rss_tree_mb": rss.peak_sum >> 20,
            }
            frames = round(summary["duration"] * 30)

            # (a) the render alone: voices cached, segments and audio not.
            for area in ("segments", "audio", "narration", "work"):
                shutil.rmtree(cache / area, ignore_errors=True)
            project = work / "out" / "project.json"
            wall_a, summary_a, _ = run_cli(["render", str(project)], cache)
            results["a_faceless_render_s"] = round(wall_a, 2)
            results["a_timings"] = summary_a["timings"]

            # Edit one scene's narration, re-render: only that scene re-encodes.
            data = json.loads(project.read_text())
            data["scenes"][3]["narration"] = data["scenes"][3]["narration"].replace(
                "a quarter", "about a quarter"
            )
            project.write_text(json.dumps(data))
            wall_e, summary_e, _ = run_cli(["render", str(project)], cache)
            results["edit_one_scene"] = {
                "wall_s": round(wall_e, 2),
                "rendered": summary_e["scenes_rendered"],
                "cached": summary_e["scenes_cached"],
                "ratio_to_full_render": round(wall_e / wall_a, 3),
                "timings": summary_e["timings"],
            }

            # (c) the x264 floor.
            results["c_x264_floor_s"] = round(x264_floor(frames, work), 2)
            results["a_over_c"] = round(wall_a / results["c_x264_floor_s"], 3)
            results["c2_x264_floor_same_content_s"] = round(
                x264_floor_same_content(Path(summary["video"]), frames, work), 2
            )
            results["a_over_c2"] = round(wall_a / results["c2_x264_floor_same_content_s"], 3)
            render_only = summary_a["timings"]["render"]
            results["a_render_stage_over_c2"] = round(
                render_only / results["c2_x264_floor_same_content_s"], 3
            )

            # (b) MoviePy 2.
            if not args.no_moviepy:
                results["b_moviepy_s"] = round(moviepy_baseline(scenes, summary, work), 2)
                results["b_over_a"] = round(results["b_moviepy_s"] / wall_a, 2)

        if args.long:
            long_scenes = [
                {"narration": NARRATION[i % 8], "visual": scenes[i % 8]["visual"]} for i in range(80)
            ]
            ljob = work / "long.json"
            ljob.write_text(json.dumps({"title": "Long", "scenes": long_scenes}))
            w10, s10, r10 = run_cli(
                ["make", "--scenes", str(ljob), "--out", str(work / "out10")], work / "c10"
            )
            w1, s1, r1 = run_cli(["make", "--scenes", str(job), "--out", str(work / "out1")], work / "c1")
            results["rss"] = {
                "1min": {
                    "duration_s": s1["duration"],
                    "wall_s": round(w1, 1),
                    "peak_tree_mb": r1.peak_sum >> 20,
                    "peak_single_mb": r1.peak_single >> 20,
                },
                "10min": {
                    "duration_s": s10["duration"],
                    "wall_s": round(w10, 1),
                    "peak_tree_mb": r10.peak_sum >> 20,
                    "peak_single_mb": r10.peak_single >> 20,
                },
            }
            results["rss"]["ratio_tree"] = round(r10.peak_sum / max(1, r1.peak_sum), 3)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{args.name}.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
