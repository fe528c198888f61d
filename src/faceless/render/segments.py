"""One scene → one video-only segment (exact frame count, shared encoder settings).

Segments are joined later without re-encoding (`concat.join_segments`), so an edited scene
re-renders only its own segment. Everything here is pure: it builds the ffmpeg command as data.

Motion is a pan by whole pixels over a still that was scaled once (a `crop` whose x/y move at most
one pixel per frame): no per-frame resampling, so it costs about what encoding costs and shows none
of zoompan's wobble (zoompan rounds both the crop size and position every frame). See
`tests/render/bench_segments.py` for the measurements behind this choice.
"""

from __future__ import annotations

import re
from pathlib import Path

from faceless.domain.errors import InputError
from faceless.domain.formats import RenderFormat
from faceless.domain.timeline import SceneClip
from faceless.render.command import FFmpegCommand, Input
from faceless.render.designed import palette_for, seed_number
from faceless.render.encoding import EncoderSettings

# Stills are scaled once to cover the frame plus this margin; the pan travels inside the margin
# (or inside the extra width/height a differently shaped picture leaves after cover-scaling).
PAN_MARGIN = 0.08


def escape_filter_value(value: str) -> str:
    """Escape `value` for use as a filter option value inside a -filter_complex graph.

    Two levels (see ffmpeg-filters "Notes on filtergraph escaping"): first for the option parser
    (\\ ' :), then for the graph parser (\\ ' [ ] , ;).
    """
    if any(c in value for c in "\n\r\0"):
        raise InputError(f"path {value!r} contains a line break or NUL: use a plain directory name")
    level1 = re.sub(r"([\\':])", r"\\\1", value)
    return re.sub(r"([\\'\[\],;])", r"\\\1", level1)


def _even(x: float) -> int:
    return 2 * int(-(-x // 2))  # ceil to even, so yuv420p keeps whole chroma samples


def _pan_crop(fmt: RenderFormat, frames: int, index: int) -> str:
    """A crop that pans at <= 1 px/frame along the axis with more room, direction by scene index."""
    span = max(frames - 1, 1)
    sign = 1 if index % 2 == 0 else -1

    def axis(slack: str) -> str:
        travel = f"min({slack},{span})"
        start = f"({slack}-{travel})/2" if sign > 0 else f"({slack}+{travel})/2"
        op = "+" if sign > 0 else "-"
        return f"floor({start}{op}{travel}*n/{span})"

    x = f"if(gte(iw-ow,ih-oh),{axis('(iw-ow)')},floor((iw-ow)/2))"
    y = f"if(gte(iw-ow,ih-oh),floor((ih-oh)/2),{axis('(ih-oh)')})"
    # exact=1: move luma by single pixels (yuv420p chroma then lags half a pixel, invisible)
    return f"crop=w={fmt.width}:h={fmt.height}:x='{x}':y='{y}':exact=1"


def _still_chain(fmt: RenderFormat, frames: int, index: int, fps: int) -> str:
    """Scale one picture to cover frame+margin once, repeat it, and pan across it."""
    bw, bh = _even(fmt.width * (1 + PAN_MARGIN)), _even(fmt.height * (1 + PAN_MARGIN))
    return (
        f"scale=w={bw}:h={bh}:force_original_aspect_ratio=increase:force_divisible_by=2,"
        f"format=yuv420p,loop=loop=-1:size=1:start=0,setpts=N/{fps}/TB," + _pan_crop(fmt, frames, index)
    )


def _gradient_source(clip: SceneClip, fmt: RenderFormat, fps: int) -> str:
    """One frame of ffmpeg's `gradients` source, coloured by the scene's palette, larger than the frame."""
    seed = f"{clip.scene_id}|{' '.join(clip.keywords)}"
    colours = palette_for(seed)[:3]  # background shades; the accent is for the keyword card
    bw, bh = _even(fmt.width * (1 + PAN_MARGIN)), _even(fmt.height * (1 + PAN_MARGIN))
    # Diagonal gradient line, corner chosen by the seed, so the pan visibly shifts the colours.
    n = seed_number(seed)
    x0, x1 = (0, bw) if n & 1 else (bw, 0)
    cs = ":".join(f"c{i}=0x{c.lstrip('#')}" for i, c in enumerate(colours))
    # d: a single frame (t=0 only); it is repeated by `loop`, never regenerated.
    return (
        f"gradients=s={bw}x{bh}:r={fps}:d={0.5 / fps:.6f}:n={len(colours)}:{cs}"
        f":x0={x0}:y0=0:x1={x1}:y1={bh}:seed={n}"
    )


def segment_graph(
    clip: SceneClip,
    fmt: RenderFormat,
    fps: int,
    *,
    ass_path: Path | None = None,
    overlay_png: Path | None = None,
    input_options: list[str] | None = None,
) -> tuple[list[Input], str]:
    """Inputs and filter graph of a scene's pictures (no output label, no pixel format yet).

    image: cover-scaled still with a slow pan; video: from `visual.start`, looped if short, converted
    to the frame rate and cover-cropped; designed: moving gradient with `overlay_png` on top.
    `ass_path` (times relative to the scene start) is burned in last.
    """
    visual = clip.visual
    w, h = fmt.width, fmt.height
    inputs: list[Input] = []
    if visual.kind in ("image", "video") and not visual.path:
        raise InputError(f"scene {clip.scene_id}: a {visual.kind} visual needs a file path: choose a file")
    if visual.kind == "image":
        inputs.append(Input(str(visual.path), options=list(input_options or [])))
        graph = f"[0:v]{_still_chain(fmt, clip.frames, clip.index, fps)}"
    elif visual.kind == "video":
        opts = [*(input_options or []), "-stream_loop", "-1"]  # a clip shorter than the scene repeats
        if visual.start > 0:
            opts += ["-ss", f"{visual.start:.3f}"]
        inputs.append(Input(str(visual.path), options=opts))
        # fps first: never scale more than `fps` frames per second, whatever the source rate.
        graph = (
            f"[0:v]fps={fps},setpts=N/{fps}/TB,"
            # Crop the source to the frame's shape first, then scale: scaling a landscape clip up to
            # cover a portrait frame and cropping afterwards resamples 3x the pixels for nothing.
            f"crop=w='trunc(min(iw,ih*{w}/{h})/2)*2':h='trunc(min(ih,iw*{h}/{w})/2)*2',"
            f"scale=w={w}:h={h}"
        )
    else:
        inputs.append(Input(_gradient_source(clip, fmt, fps), lavfi=True))
        graph = f"[0:v]{_still_chain(fmt, clip.frames, clip.index, fps)}"
    if overlay_png is not None:
        inputs.append(Input(str(overlay_png)))
        # overlay repeats its single (static) picture for every frame of the main input.
        graph += f"[bg];[bg][{len(inputs) - 1}:v]overlay=x=0:y=0:format=yuv420:eof_action=repeat"
    if ass_path is not None:
        graph += f",ass=filename={escape_filter_value(str(Path(ass_path).absolute()))}"
    return inputs, graph


def build_segment_command(
    clip: SceneClip,
    fmt: RenderFormat,
    *,
    out: Path,
    enc: EncoderSettings,
    ass_path: Path | None = None,
    overlay_png: Path | None = None,
    input_options: list[str] | None = None,
) -> FFmpegCommand:
    """The ffmpeg command rendering `clip` as a video-only segment of exactly `clip.frames` frames.

    See `segment_graph` for the pictures. `input_options` pin the visual's demuxer (from
    `media.validate.demuxer_options`) so a file is read only as what it was checked to be. Pure:
    no file is touched.
    """
    inputs, graph = segment_graph(
        clip, fmt, enc.fps, ass_path=ass_path, overlay_png=overlay_png, input_options=input_options
    )
    graph += ",format=yuv420p,setsar=1[v]"
    output_options = [
        "-map",
        "[v]",
        "-an",
        "-sn",
        "-dn",
        "-frames:v",
        str(clip.frames),
        *enc.video_options(),
        "-map_metadata",
        "-1",
    ]
    return FFmpegCommand(inputs=inputs, output=str(out), filter_complex=graph, output_options=output_options)
