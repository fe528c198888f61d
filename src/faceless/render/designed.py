"""Designed visuals: deterministic palettes and Pillow-rendered text cards (keywords, titles)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from faceless.domain.errors import InputError
from faceless.domain.formats import RenderFormat, SafeZone
from faceless.storage.files import atomic_path

BOLD_FONTS = (
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)

# Dark-to-warm palettes that keep white text readable; picked by a hash, never at random.
PALETTES: tuple[tuple[str, ...], ...] = (
    ("#0F2027", "#203A43", "#2C5364", "#F2A65A"),
    ("#1A1A2E", "#16213E", "#0F3460", "#E94560"),
    ("#231942", "#5E548E", "#9F86C0", "#E0B1CB"),
    ("#03071E", "#370617", "#6A040F", "#F48C06"),
    ("#0B132B", "#1C2541", "#3A506B", "#5BC0BE"),
    ("#10002B", "#240046", "#5A189A", "#FF9E00"),
    ("#081C15", "#1B4332", "#2D6A4F", "#B7E4C7"),
    ("#2B2D42", "#3D405B", "#8D99AE", "#EF233C"),
    ("#0D1B2A", "#1B263B", "#415A77", "#E0E1DD"),
    ("#3C1518", "#69140E", "#A44200", "#F2F3AE"),
)


def _digest(seed: str) -> bytes:
    return hashlib.sha256(seed.encode("utf-8")).digest()


def palette_for(seed: str) -> tuple[str, ...]:
    """Hex colours (dark background shades first, accent last) chosen deterministically from `seed`."""
    return PALETTES[_digest(seed)[0] % len(PALETTES)]


def seed_number(seed: str) -> int:
    """A stable 32-bit number from `seed` (for ffmpeg sources that take a numeric seed)."""
    return int.from_bytes(_digest(seed)[4:8], "big")


@lru_cache(maxsize=1)
def bold_font_path() -> str | None:
    """Path of the bold sans font used for text cards, or None when neither font is installed."""
    return next((p for p in BOLD_FONTS if os.path.isfile(p)), None)


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = bold_font_path()
    if path is None:  # Pillow's bundled font still scales; install fonts-noto-core for the real look
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(path, size=size)


@dataclass(frozen=True)
class TextBlock:
    """Lines fitted into a box, with the font size that made them fit."""

    lines: tuple[str, ...]
    size: int
    line_height: int
    width: int
    height: int


def _text_width(text: str, size: int, stroke: int) -> int:
    left, _, right, _ = _font(size).getbbox(text, stroke_width=stroke)
    return int(right - left)


def _wrap(words: list[str], size: int, max_width: int, stroke: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and _text_width(f"{lines[-1]} {word}", size, stroke) <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def fit_text(
    text: str, box_width: int, box_height: int, *, max_size: int, min_size: int = 12, max_lines: int = 3
) -> TextBlock:
    """Wrap `text` greedily and shrink the font until it fits `box_width` x `box_height`."""
    words = text.split()
    if not words:
        raise InputError("no text to set: give at least one word")
    size = max(max_size, min_size)
    while True:
        stroke = _stroke_for(size)
        lines = _wrap(words, size, box_width, stroke)
        line_height = int(size * 1.15)
        widest = max(_text_width(line, size, stroke) for line in lines)
        height = line_height * len(lines)
        fits = len(lines) <= max_lines and widest <= box_width and height <= box_height
        if fits or size <= min_size:
            return TextBlock(tuple(lines), size, line_height, widest, height)
        size = max(min_size, int(size * 0.92))


def _stroke_for(size: int) -> int:
    return max(2, size // 14)


def draw_text_block(
    image: Image.Image,
    block: TextBlock,
    box: SafeZone,
    *,
    top: int | None = None,
    fill: str = "#FFFFFF",
    stroke_fill: str = "#000000",
) -> tuple[int, int, int, int]:
    """Draw `block` centred horizontally in `box` (at `top`, else centred), with outline and soft shadow.

    Returns the drawn text's bounding box (left, top, right, bottom).
    """
    stroke = _stroke_for(block.size)
    font = _font(block.size)
    y0 = top if top is not None else box.top + (box.height - block.height) // 2
    shadow = Image.new("L", image.size, 0)
    sdraw = ImageDraw.Draw(shadow)
    offset = max(2, block.size // 20)
    positions = []
    for i, line in enumerate(block.lines):
        x = box.left + (box.width - _text_width(line, block.size, stroke)) // 2
        y = y0 + i * block.line_height
        positions.append((x, y, line))
        sdraw.text((x + offset, y + offset), line, font=font, fill=160, stroke_width=stroke, stroke_fill=160)
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(2, block.size // 16)))
    black = Image.new(image.mode, image.size, (0, 0, 0, 255) if image.mode == "RGBA" else (0, 0, 0))
    if image.mode == "RGBA":
        # Composite the shadow under whatever is already there, keeping transparency elsewhere.
        image.alpha_composite(Image.merge("RGBA", (*black.split()[:3], shadow)))
    else:
        image.paste(black, (0, 0), shadow)
    draw = ImageDraw.Draw(image)
    for x, y, line in positions:
        draw.text((x, y), line, font=font, fill=fill, stroke_width=stroke, stroke_fill=stroke_fill)
    return (box.left, y0, box.right, y0 + block.height)


def keyword_box(fmt: RenderFormat) -> SafeZone:
    """Upper part of the safe zone, where keyword cards go (captions use the lower part)."""
    s = fmt.safe
    return SafeZone(s.left, s.top, s.right, s.top + int(s.height * 0.45))


def render_keyword_card(words: list[str], fmt: RenderFormat, out: Path, *, seed: str) -> Path:
    """A transparent PNG at frame size with the scene's 1-4 key words set large in bold.

    Words are upper-cased, wrapped and shrunk to fit the upper part of the safe zone; an accent bar
    in the palette of `seed` sits under them. The same input gives the same bytes.
    """
    cleaned = [w.strip() for w in words if w and w.strip()][:4]
    if not cleaned:
        raise InputError("a keyword card needs at least one word: give the scene keywords")
    if any("\n" in w or "\r" in w for w in cleaned):
        raise InputError("keywords must be single-line words: remove line breaks")
    text = " ".join(cleaned).upper()
    box = keyword_box(fmt)
    bar_gap = max(8, fmt.height // 120)
    bar_h = max(4, fmt.height // 160)
    block = fit_text(
        text,
        box.width,
        box.height - bar_gap - bar_h,
        max_size=int(fmt.width * 0.14),
        min_size=max(10, fmt.width // 40),
        max_lines=3,
    )
    image = Image.new("RGBA", (fmt.width, fmt.height), (0, 0, 0, 0))
    top = box.top + max(0, (box.height - block.height - bar_gap - bar_h) // 3)
    _, _, _, bottom = draw_text_block(image, block, box, top=top)
    accent = palette_for(seed)[-1]
    bar_w = min(box.width, max(block.width // 3, fmt.width // 8))
    bx = box.left + (box.width - bar_w) // 2
    ImageDraw.Draw(image).rectangle((bx, bottom + bar_gap, bx + bar_w, bottom + bar_gap + bar_h), fill=accent)
    return save_atomic(image, out, "PNG")


def save_atomic(image: Image.Image, out: Path, format: str, **options: object) -> Path:
    """Save with Pillow to a temporary sibling, then rename onto `out`."""
    out = Path(out)
    with atomic_path(out) as tmp:
        image.save(tmp, format=format, **options)
    return out
