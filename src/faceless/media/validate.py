"""Decide whether a local file is media we are willing to open, by its content, never its name.

Checks, cheapest first, so hostile input is refused before ffmpeg does real work on it:

1. regular file, not empty, not larger than `Limits.max_bytes`;
2. magic bytes: the first bytes must be one of the containers below. This happens *before* ffprobe,
   so playlists and other indirections (HLS/m3u8, ffconcat, SDP/RTP, image2 sequence patterns,
   text files with a media extension) never reach a demuxer that could follow them;
3. for images, the dimensions from the header (Pillow reads only the header) against
   `Limits.max_image_pixels`, so a decompression bomb is refused before any decode;
4. ffprobe pinned to the sniffed demuxer (`-f` for images, `-format_whitelist` for containers),
   then an allow-list of ffprobe `format_name`s, stream presence, dimensions and duration;
5. a real decode of one frame at the start (and, for video and audio, near the end: a file cut in
   half with its index at the front still probes fine, but its tail cannot be decoded).

Accepted containers (ffprobe `format_name`):
- visuals: `mov,mp4,m4a,3gp,3g2,mj2` (MP4/MOV), `matroska,webm`, `avi`, `gif`, and the images
  `png_pipe`, `jpeg_pipe`, `webp_pipe`, `bmp_pipe`, `tiff_pipe`;
- audio: `wav`, `mp3`, `flac`, `ogg`, `aac`, and MP4/M4A and Matroska/WebM with an audio stream.
Everything else (MPEG-TS, raw streams, image2 sequences, playlists, network descriptions) is refused.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image

from faceless.domain.errors import MediaRejected
from faceless.render.command import FFmpegCommand, Input
from faceless.render.probe import MediaInfo, probe
from faceless.render.run import ffmpeg_bin, run_capture

Purpose = Literal["visual", "audio", "any"]

MP4_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
MKV_FAMILY = "matroska,webm"
IMAGE_FORMATS = frozenset({"png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe"})
VIDEO_FORMATS = frozenset({MP4_FAMILY, MKV_FAMILY, "avi", "gif"})
AUDIO_FORMATS = frozenset({"wav", "mp3", "flac", "ogg", "aac", MP4_FAMILY, MKV_FAMILY})
# Codecs that are a single still picture when they come from an image demuxer.
IMAGE_CODECS = frozenset({"png", "mjpeg", "webp", "bmp", "tiff", "gif"})
# An animated GIF at least this long is treated as a video clip; a shorter one as a still.
GIF_VIDEO_MIN_SECONDS = 0.5
_USE = {
    "visual": "use a video (MP4/MOV/MKV/WebM) or an image (PNG/JPEG/WebP)",
    "audio": "use an audio file (WAV/MP3/FLAC/OGG/M4A)",
    "any": "use MP4/MOV/MKV/WebM, PNG/JPEG/WebP or WAV/MP3/FLAC/OGG",
}


@dataclass(frozen=True)
class Limits:
    """Ceilings for what we accept; the defaults suit a personal media library."""

    max_bytes: int = 4 * 1024**3
    max_image_pixels: int = 40_000_000
    max_video_side: int = 4096  # each of width and height; 4K DCI is 4096x2160
    max_duration: float = 2 * 3600.0
    timeout: float = 60.0


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class _Sniffed:
    label: str  # what the bytes say, for messages
    demuxer: str  # ffmpeg demuxer to force (images) or the whitelist (containers)
    image: bool


def _sniff(head: bytes) -> _Sniffed | None:
    """Container type from the first bytes, or None if it is nothing we accept."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _Sniffed("PNG", "png_pipe", True)
    if head.startswith(b"\xff\xd8\xff"):
        return _Sniffed("JPEG", "jpeg_pipe", True)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _Sniffed("WebP", "webp_pipe", True)
    if head.startswith(b"BM") and len(head) >= 26:
        return _Sniffed("BMP", "bmp_pipe", True)
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return _Sniffed("TIFF", "tiff_pipe", True)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _Sniffed("GIF", "gif", False)
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"):
        return _Sniffed("MP4/MOV", MP4_FAMILY, False)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return _Sniffed("Matroska/WebM", MKV_FAMILY, False)
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return _Sniffed("AVI", "avi", False)
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return _Sniffed("WAV", "wav", False)
    if head.startswith(b"fLaC"):
        return _Sniffed("FLAC", "flac", False)
    if head.startswith(b"OggS"):
        return _Sniffed("Ogg", "ogg", False)
    if head.startswith(b"ID3"):
        return _Sniffed("MP3/AAC", "mp3,aac", False)
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # MPEG audio frame sync; layer bits 00 mean an ADTS AAC header.
        return _Sniffed("AAC", "aac", False) if head[1] & 0x06 == 0 else _Sniffed("MP3", "mp3", False)
    return None


def _describe_text(head: bytes) -> str:
    """Name the usual impostors so the message says what the file really is."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"#extm3u"):
        return "a playlist (M3U/HLS), not media"
    if text.startswith(b"ffconcat") or text.startswith(b"file "):
        return "an ffconcat file list, not media"
    if text.startswith(b"v=0"):
        return "a network stream description (SDP), not media"
    if text.startswith((b"<?xml", b"<mpd", b"<smil")):
        return "an XML manifest, not media"
    if head and all(b in b"\t\n\r" or 32 <= b < 127 or b >= 128 for b in head[:512]):
        return "a text file, not media"
    return "an unknown or unsupported format"


def _image_header_size(path: Path) -> tuple[int, int]:
    """Width and height from the image header only (Pillow decodes nothing on open)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                return im.size
    except Image.DecompressionBombError as e:
        # Pillow refuses to even open headers past 2x its own limit; its message names the pixel count.
        found = re.search(r"\((\d+) pixels\)", str(e))
        claimed = f"{int(found.group(1)) / 1e6:.0f} MP" if found else "too many pixels"
        raise MediaRejected(
            str(path), f"image too large (pixel bomb?): header claims {claimed}; downscale it"
        ) from None
    except Exception as e:  # noqa: BLE001 - any header failure means unreadable
        raise MediaRejected(str(path), f"unreadable image header ({e}); re-export the image") from None


def _input_options(sniffed: _Sniffed, limits: Limits) -> list[str]:
    # max_pixels makes the decoders refuse oversized frames even if a header lied to us.
    pixels = limits.max_image_pixels if sniffed.image else limits.max_video_side**2
    pin = ["-f", sniffed.demuxer] if sniffed.image else ["-format_whitelist", sniffed.demuxer]
    return ["-max_pixels", str(pixels), *pin]


def _ffprobe(path: Path, options: list[str], timeout: float) -> MediaInfo:
    """ffprobe with the demuxer pinned (see the module docstring for why we must)."""
    return probe(path, input_options=options, timeout=timeout)


def _decodes(
    path: Path, options: list[str], stream: str, *, at: float, timeout: float, need_frame: bool = True
) -> str | None:
    """Decode one frame of `stream` (e.g. "v:0") from `at` seconds; None if fine, else the problem.

    With `need_frame` False only read errors count (a video track may end before the audio does)."""
    # One run per position: with two inputs in one run, ffmpeg ends the output at the first frame.
    seek = ["-ss", f"{at:.3f}"] if at > 0 else []
    cmd = FFmpegCommand(
        inputs=[Input(str(path), options=[*seek, *options])],
        output="-",  # frame checksums on stdout: analysis only, no file is written
        output_options=["-map", f"0:{stream}", f"-frames:{stream[0]}", "1", "-f", "framemd5"],
    )
    try:
        res = run_capture(cmd.argv(ffmpeg_bin()), timeout=timeout)
    except Exception as e:  # noqa: BLE001 - timeouts included
        return f"decoding failed ({e})"
    frames = [ln for ln in res.stdout.splitlines() if ln and not ln.startswith("#")]
    log = res.stderr.strip().splitlines()
    if "partial file" in res.stderr:
        return "truncated file (data missing" + (" near the end)" if at > 0 else ")")
    if res.returncode != 0 or (need_frame and not frames):
        return "no frame could be decoded" + (f" ({log[-1]})" if log else "")
    return None


def kind_of(info: MediaInfo) -> Literal["video", "image"]:
    """Whether a checked visual is a still image or a moving clip."""
    if info.format_name in IMAGE_FORMATS:
        return "image"
    if info.format_name == "gif":
        return "video" if info.duration >= GIF_VIDEO_MIN_SECONDS else "image"
    v = info.video
    if v is None:
        raise MediaRejected(info.path, "no picture in this file; use a video or an image")
    return "video"


def _check_info(path: Path, info: MediaInfo, sniffed: _Sniffed, purpose: Purpose, limits: Limits) -> None:
    name = info.format_name
    allowed = (
        (IMAGE_FORMATS | VIDEO_FORMATS)
        if purpose == "visual"
        else AUDIO_FORMATS
        if purpose == "audio"
        else IMAGE_FORMATS | VIDEO_FORMATS | AUDIO_FORMATS
    )
    if name not in allowed:
        if purpose == "visual" and name in AUDIO_FORMATS:
            raise MediaRejected(str(path), f"an audio file ({name}), not a picture; {_USE[purpose]}")
        raise MediaRejected(
            str(path), f"container '{name or 'unknown'}' is not accepted for {purpose} media; {_USE[purpose]}"
        )
    v, a = info.video, info.audio
    if purpose == "visual" and (v is None or v.width <= 0 or v.height <= 0):
        raise MediaRejected(str(path), f"no readable video stream; {_USE[purpose]}")
    if purpose == "audio" and a is None:
        raise MediaRejected(str(path), f"no audio stream; {_USE[purpose]}")
    if v is not None and v.width > 0:
        if sniffed.image or name == "gif":
            if v.width * v.height > limits.max_image_pixels:
                raise MediaRejected(
                    str(path),
                    f"image too large: {v.width}x{v.height} is over "
                    f"{limits.max_image_pixels // 1_000_000} MP; downscale it",
                )
        elif max(v.width, v.height) > limits.max_video_side:
            raise MediaRejected(
                str(path),
                f"video too large: {v.width}x{v.height}, the limit is "
                f"{limits.max_video_side} px a side; downscale it",
            )
    if not sniffed.image:
        if info.duration > limits.max_duration:
            raise MediaRejected(
                str(path),
                f"too long: {info.duration:.0f} s, the limit is {limits.max_duration:.0f} s; trim it",
            )
        if name != "gif" and info.duration <= 0:
            raise MediaRejected(
                str(path), "no duration in the container (damaged or truncated); re-export it"
            )
        longest = max((s.duration for s in info.streams), default=0.0)
        if info.duration > 0 and longest > info.duration * 1.5 + 1:
            raise MediaRejected(
                str(path),
                f"inconsistent durations (stream {longest:.1f} s, container "
                f"{info.duration:.1f} s): damaged file; re-export it",
            )


def check_media(path: Path, *, purpose: Purpose = "visual", limits: Limits = DEFAULT_LIMITS) -> MediaInfo:
    """Validate `path` by content and return its probe; raise `MediaRejected(path, reason)` if refused.

    `purpose` "visual" requires a picture (video or image), "audio" an audio stream, "any" either.
    """
    p = Path(path)
    if p.is_symlink() or not p.is_file():
        raise MediaRejected(str(p), "not a regular file (symlink, folder or device); use a plain file")
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(4096)
    except OSError as e:
        raise MediaRejected(
            str(p), f"cannot read the file ({e.strerror or e}); check its permissions"
        ) from None
    if size == 0:
        raise MediaRejected(str(p), "empty file (0 bytes); re-copy or re-export it")
    if size > limits.max_bytes:
        raise MediaRejected(
            str(p),
            f"file too big ({size / 1024**3:.1f} GiB, limit "
            f"{limits.max_bytes / 1024**3:.0f} GiB); compress or trim it",
        )
    sniffed = _sniff(head)
    if sniffed is None:
        raise MediaRejected(str(p), f"content is {_describe_text(head)}; {_USE[purpose]}")
    if sniffed.image:
        if purpose == "audio":
            raise MediaRejected(str(p), f"{sniffed.label} image where audio was expected; {_USE[purpose]}")
        w, h = _image_header_size(p)
        if w * h > limits.max_image_pixels:
            raise MediaRejected(
                str(p),
                f"image too large (pixel bomb?): header says {w}x{h}, over "
                f"{limits.max_image_pixels // 1_000_000} MP; downscale it",
            )
    options = _input_options(sniffed, limits)
    info = _ffprobe(p, options, limits.timeout)
    _check_info(p, info, sniffed, purpose, limits)
    stream = "v:0" if purpose != "audio" and info.video is not None else "a:0"
    problem = _decodes(p, options, stream, at=0.0, timeout=limits.timeout)
    if problem is None and not sniffed.image and info.duration > 1.0:
        # A file cut short with its index at the front probes fine; its tail does not decode.
        track = info.video if stream == "v:0" else info.audio
        end = track.duration if track is not None and 0 < track.duration <= info.duration else info.duration
        problem = _decodes(
            p, options, stream, at=max(0.0, end - 1.0), timeout=limits.timeout, need_frame=False
        )
    if problem:
        raise MediaRejected(str(p), f"{problem}; re-export or re-download the file")
    return info


def input_options(info: MediaInfo, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """ffmpeg input options that pin the demuxer `check_media` accepted (pass them as `Input.options`),
    so a file swapped or renamed after the check cannot be opened as a playlist or image sequence."""
    image = info.format_name in IMAGE_FORMATS
    if not image and info.format_name not in VIDEO_FORMATS | AUDIO_FORMATS:
        raise MediaRejected(info.path, f"container '{info.format_name}' is not accepted")
    return _input_options(_Sniffed(info.format_name, info.format_name, image), limits)


def demuxer_options(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """Input options pinning the demuxer for `path` from its first bytes only (no ffprobe): for the
    renderer, so a checked `.jpg` is read as one JPEG, never as an image2 pattern or a playlist."""
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(4096)
    except OSError as e:
        raise MediaRejected(str(path), f"cannot read the file ({e.strerror or e})") from None
    sniffed = _sniff(head)
    if sniffed is None:
        raise MediaRejected(str(path), f"content is {_describe_text(head)}; {_USE['any']}")
    return _input_options(sniffed, limits)
