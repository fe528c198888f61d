"""Find the caption font on this machine and measure text the way libass will draw it."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

from faceless.domain.errors import FacelessError

# (family, bold file, regular file) in order of preference.
_CANDIDATES: tuple[tuple[str, str, str], ...] = (
    (
        "Noto Sans",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    ),
    (
        "DejaVu Sans",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    ),
)


class FontNotFound(FacelessError):
    """No usable caption font is installed."""


@dataclass(frozen=True)
class FontSpec:
    """A font family name (as written in the ASS style) and the file libass will load for it."""

    family: str
    path: Path


@cache
def find_font(bold: bool = True) -> FontSpec:
    """The caption font: "Noto Sans" (bold), else "DejaVu Sans", via fontconfig or known paths."""
    for family, bold_path, regular_path in _CANDIDATES:
        found = _fc_match(family, bold)
        if found is not None:
            return FontSpec(family, found)
        known = Path(bold_path if bold else regular_path)
        if known.is_file():
            return FontSpec(family, known)
    raise FontNotFound(
        "no caption font found (Noto Sans or DejaVu Sans): install one with "
        "`apt-get install fonts-noto-core` or `apt-get install fonts-dejavu-core`"
    )


def _fc_match(family: str, bold: bool) -> Path | None:
    """Ask fontconfig for `family`; None when it is not installed (fc-match would substitute)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    pattern = f"{family}:{'bold' if bold else 'regular'}"
    try:
        res = subprocess.run(
            [fc_match, "--format=%{family}\n%{file}\n%{weight}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = res.stdout.splitlines()
    if res.returncode != 0 or len(lines) < 3:
        return None
    families = {f.strip().lower() for f in lines[0].split(",")}
    path = Path(lines[1].strip())
    try:
        weight = float(lines[2].split()[0].strip("[]"))
    except (ValueError, IndexError):
        weight = 0.0
    # fontconfig weights: regular 80, bold 200. A substitute family or weight means "not installed".
    if family.lower() not in families or not path.is_file() or (weight >= 200) != bold:
        return None
    return path


@cache
def coverage(path: Path) -> frozenset[int]:
    """Code points the font has glyphs for (its cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        cmap = font.getBestCmap() or {}
    return frozenset(cmap)


@cache
def ass_em_ratio(path: Path) -> float:
    """Pixels of em per unit of ASS `Fontsize`.

    libass (like VSFilter) sizes a font so that usWinAscent + usWinDescent equals Fontsize,
    so a Pillow font of `Fontsize * ratio` pixels has the same advances (measured: 600 vs
    601 px for "Wonderful HIjgy" at Fontsize 100 with Noto Sans Bold).
    """
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        upm = font["head"].unitsPerEm
        height = 0
        if "OS/2" in font:
            os2 = font["OS/2"]
            height = os2.usWinAscent + os2.usWinDescent
        if height <= 0:
            hhea = font["hhea"]
            height = hhea.ascent - hhea.descent
    return upm / height if height > 0 else 1.0


@lru_cache(maxsize=64)
def pillow_font(path: Path, ass_size: float) -> ImageFont.FreeTypeFont:
    """A Pillow font that measures like libass does at ASS `Fontsize` `ass_size`."""
    return ImageFont.truetype(str(path), size=ass_size * ass_em_ratio(path))


def text_width(font: FontSpec, ass_size: float, text: str) -> float:
    """Advance width in pixels of `text` rendered by libass at `ass_size` (no outline)."""
    return _advance(font.path, round(ass_size, 2), text)


@lru_cache(maxsize=65536)
def _advance(path: Path, ass_size: float, text: str) -> float:
    # Shaping with raqm costs ~0.1 ms a call and line breaking asks about the same words often.
    return float(pillow_font(path, ass_size).getlength(text))
