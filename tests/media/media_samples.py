"""A small media folder with good files (named for their content) and hostile ones (see conftest)."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

from faceless.render.command import FFmpegCommand, Input
from faceless.render.run import run_ffmpeg
from faceless.testing.media import make_image, make_video


def png_bomb(path: Path, width: int = 30000, height: int = 30000, *, full: bool = True) -> Path:
    """A 1-bit greyscale PNG whose header claims width x height; `full` also writes the (all-zero)
    pixel data, compressed in a streaming way so the test never holds the image in memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = b""
    if full:
        z = zlib.compressobj(9)
        block = b"\x00" * (1 << 20)
        total = height * (1 + (width + 7) // 8)  # filter byte + packed bits per row, all zero
        parts = [z.compress(block) for _ in range(total // len(block))]
        parts += [z.compress(b"\x00" * (total % len(block))), z.flush()]
        idat = b"".join(parts)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def faststart_copy(src: Path, dst: Path) -> Path:
    """The same MP4 with its index (moov) moved to the front, as web-ready files have it."""
    return run_ffmpeg(
        FFmpegCommand(
            inputs=[Input(str(src))],
            output=str(dst),
            output_options=["-c", "copy", "-movflags", "+faststart"],
        )
    )


GOOD = {
    "ocean_waves.mp4": ("video", 192, 108),
    "city_skyline_night.jpg": ("image", 160, 120),
    "forest_trail.png": ("image", 120, 160),
    "coffee_cup.jpg": ("image", 160, 90),
}
HOSTILE = {
    "empty.mp4": "empty",
    "half.mp4": "truncated",
    "half_faststart.mp4": "truncated",
    "notes.jpg": "text file",
    "list.m3u8": "playlist",
    "concat.mp4": "ffconcat",
    "bomb.png": "pixel bomb",
    "huge_header.png": "too large",
    "escape.png": "outside the library",
}


def build_media_folder(base: Path) -> Path:
    """Write the sample library under `base/library` (and a file outside it for the symlink)."""
    lib = base / "library"
    (lib / "sub").mkdir(parents=True)
    make_video(lib / "ocean_waves.mp4", seconds=2, size="192x108", fps=25)
    make_image(lib / "city_skyline_night.jpg", size="160x120")
    make_image(lib / "sub" / "forest_trail.png", size="120x160")
    make_image(lib / "coffee_cup.jpg", size="160x90")
    (lib / "coffee_cup.json").write_text(
        json.dumps(
            {
                "description": "a steaming cup of coffee on a wooden table",
                "tags": ["coffee", "morning", "cafe"],
                "licence": "CC-BY-4.0",
                "attribution": "Jane Doe",
                "source": "my camera",
                "url": "https://example.org/coffee",
            }
        )
    )
    # Hostile files.
    (lib / "empty.mp4").write_bytes(b"")
    whole = make_video(base / "whole.mp4", seconds=3, size="192x108", fps=25)
    data = whole.read_bytes()
    (lib / "half.mp4").write_bytes(data[: len(data) // 2])
    fast = faststart_copy(whole, base / "fast.mp4").read_bytes()
    (lib / "sub" / "half_faststart.mp4").write_bytes(fast[: len(fast) // 2])
    (lib / "notes.jpg").write_text("These are my notes, not a picture.\n")
    (lib / "list.m3u8").write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nocean_waves.mp4\n#EXT-X-ENDLIST\n"
    )
    (lib / "concat.mp4").write_text("ffconcat version 1.0\nfile /etc/passwd\n")
    png_bomb(lib / "bomb.png")
    png_bomb(lib / "huge_header.png", 9000, 9000, full=False)
    outside = make_image(base / "outside.png", size="64x64")
    (lib / "escape.png").symlink_to(outside)
    # Ignored: hidden files, sidecars, and a sidecar-less text file.
    (lib / ".hidden.mp4").write_bytes(b"junk")
    (lib / "readme.txt").write_text("not media")
    return lib
