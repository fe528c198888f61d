"""Caption files from word timings: karaoke ASS (burned in by libass), SRT, VTT and words.json.

Pure text builders plus one writer (`write_caption_files`). ASS lines are broken here, measured
with Pillow at the size libass draws them, so every line stays inside the format's safe zone.
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pysubs2

from faceless.domain.errors import InputError
from faceless.domain.formats import RenderFormat
from faceless.domain.words import Word
from faceless.render.captions import Cue, group_cues
from faceless.render.fonts import FontSpec, coverage, find_font, text_width
from faceless.storage.files import write_text_atomic

_WORD_JOINER = "\u2060"  # zero-width, default-ignorable; present in Noto Sans and DejaVu Sans
_HEX_COLOUR = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


@dataclass(frozen=True)
class CaptionStyle:
    """How burned-in captions look and how words are grouped into cues for them.

    Sizes are for a 1080-pixel short side and scale with the frame. `position` places the
    block's anchor (`"middle"` = its centre, `"bottom"` = its bottom edge) at that fraction
    of the safe zone's height; the block is then clamped inside the safe zone.
    """

    name: str
    font_size: float  # ASS Fontsize (~ line height in pixels)
    bold: bool = True
    text_colour: str = "#FFFFFF"
    outline_colour: str = "#000000"
    outline_alpha: int = 0  # 0 = opaque ... 255 = invisible
    outline: float = 4.0  # outline width, or padding of the box when `box`
    shadow: float = 0.0
    box: bool = (
        False  # translucent box behind the whole cue (BorderStyle 4, libass >= 0.17), padded by `outline`
    )
    anchor: str = "bottom"  # "middle" | "bottom"
    position: float = 1.0
    highlight_scale: float = 1.0  # the spoken word is drawn this much larger
    highlight_strength: float = 1.0  # 1 = the highlight colour; 0.5 = halfway from the text colour
    # Grouping (see faceless.render.captions.group_cues).
    max_chars: int = 42
    max_lines: int = 2
    max_words: int | None = None
    max_duration: float = 6.0
    pause_break: float = 0.35


STYLES: dict[str, CaptionStyle] = {
    # Big bold words in the lower middle of the safe zone; the spoken word pops in colour and size.
    "pop": CaptionStyle(
        name="pop",
        font_size=92,
        outline=6,
        shadow=2,
        anchor="middle",
        position=0.72,
        highlight_scale=1.15,
        max_chars=24,
        max_lines=2,
        max_words=4,
        max_duration=3.0,
        pause_break=0.3,
    ),
    # Subtitle look: two lines at the bottom of the safe zone on a translucent dark box.
    # BorderStyle 4 needs libass >= 0.17 (Debian 12: 0.17.1); the glyphs keep a soft dark outline.
    "classic": CaptionStyle(
        name="classic",
        font_size=62,
        outline=10,
        outline_alpha=0x50,
        box=True,
        anchor="bottom",
        position=1.0,
        max_chars=42,
        max_lines=2,
        max_duration=6.0,
    ),
    # Smaller regular weight, thin outline, lower part of the safe zone, gentle highlight.
    "minimal": CaptionStyle(
        name="minimal",
        font_size=52,
        bold=False,
        outline=2,
        shadow=1,
        anchor="bottom",
        position=0.92,
        highlight_strength=0.6,
        max_chars=36,
        max_lines=2,
        max_duration=5.0,
    ),
}

CAPTION_STYLES = (*STYLES, "none")


def get_style(name: str) -> CaptionStyle | None:
    """The style called `name` (None for "none"); InputError naming the valid ones otherwise."""
    if name == "none":
        return None
    try:
        return STYLES[name]
    except KeyError:
        raise InputError(f"unknown caption style {name!r}: use one of {', '.join(CAPTION_STYLES)}") from None


# ---------------------------------------------------------------------------------------------
# Text safety


def clean_text(text: str) -> str:
    """Whitespace collapsed, control characters removed (for every output format)."""
    text = "".join(ch for ch in " ".join(text.split()) if unicodedata.category(ch) != "Cc")
    return text.strip()


def renderable_text(text: str, font: FontSpec) -> str:
    """`text` without the characters `font` has no glyph for (emoji, other scripts): no tofu boxes."""
    cmap = coverage(font.path)
    kept = "".join(ch for ch in clean_text(text) if ch == " " or ord(ch) in cmap)
    return " ".join(kept.split())


def escape_ass(text: str) -> str:
    """Make `text` literal in an ASS event: no override blocks, no \\N/\\n/\\h escapes.

    libass reads `\\{` and `\\}` as literal braces and a backslash not followed by N, n, h,
    { or } as itself, so a word joiner (invisible, zero width) goes after every backslash.
    """
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\" + _WORD_JOINER)
        elif ch in "{}":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def parse_colour(colour: str) -> tuple[int, int, int]:
    """`#RRGGBB` or `#RGB` as an (r, g, b) tuple; InputError otherwise."""
    m = _HEX_COLOUR.fullmatch(colour.strip())
    if not m:
        raise InputError(f"colour {colour!r} is not a hex colour: write it like #FFD700")
    digits = m.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _ass_colour(rgb: tuple[int, int, int], alpha: int = 0) -> str:
    r, g, b = rgb
    return f"&H{alpha:02X}{b:02X}{g:02X}{r:02X}&" if alpha else f"&H{b:02X}{g:02X}{r:02X}&"


# ---------------------------------------------------------------------------------------------
# ASS


@dataclass(frozen=True)
class _Geometry:
    """A style resolved for one frame size and font."""

    size: float
    outline: float
    shadow: float
    avail_width: float  # widest line (advance width, scaled word included) that fits the safe zone
    font: FontSpec


def _geometry(style: CaptionStyle, fmt: RenderFormat, font: FontSpec) -> _Geometry:
    k = min(fmt.width, fmt.height) / 1080
    size = round(style.font_size * k, 1)
    outline = round(style.outline * k, 1)
    shadow = round(style.shadow * k, 1)
    # Outline on both sides (scaled with the word), the shadow's offset, and 2% for side
    # bearings and rounding between Pillow and libass (measured 1 px in 600).
    edge = 2 * outline * style.highlight_scale + shadow
    avail = fmt.safe.width - edge - 0.02 * fmt.safe.width
    return _Geometry(size=size, outline=outline, shadow=shadow, avail_width=avail, font=font)


def _line_width(texts: Sequence[str], size: float, style: CaptionStyle, font: FontSpec) -> float:
    """Pixel width of a line when any one of its words is drawn scaled up."""
    if not texts:
        return 0.0
    full = text_width(font, size, " ".join(texts))
    widest = max(text_width(font, size, t) for t in texts)
    return full + (style.highlight_scale - 1) * widest


def ass_cues(
    words: list[Word], fmt: RenderFormat, style: str | CaptionStyle, font: FontSpec | None = None
) -> list[Cue]:
    """The cues `build_ass` draws: display text only (no tofu), lines that fit the safe zone."""
    sty = get_style(style) if isinstance(style, str) else style
    if sty is None:
        return []
    font = font or find_font(sty.bold)
    geo = _geometry(sty, fmt, font)
    shown = []
    for w in words:
        text = renderable_text(w.text, font)
        if text:
            shown.append(w if text == w.text else Word(text=text, start=w.start, end=w.end))

    @lru_cache(maxsize=4096)
    def fits(texts: tuple[str, ...]) -> bool:
        return _line_width(texts, geo.size, sty, font) <= geo.avail_width

    return group_cues(
        shown,
        max_chars=sty.max_chars,
        max_lines=sty.max_lines,
        max_words=sty.max_words,
        max_duration=sty.max_duration,
        pause_break=sty.pause_break,
        line_fits=lambda texts: fits(tuple(texts)),
    )


def build_ass(
    words: list[Word],
    fmt: RenderFormat,
    style: str,
    *,
    highlight_colour: str = "#FFD700",
    offset: float = 0.0,
    font: FontSpec | None = None,
) -> str:
    """A complete ASS document with word-by-word karaoke captions inside `fmt.safe`.

    One Dialogue event per spoken word shows the whole cue with that word highlighted, so
    exactly one state is on screen at a time. Times are shifted by `offset` seconds (events
    before 0 are cut). `style` is a key of STYLES or "none" (a valid file with no events).
    `font` defaults to `find_font(style.bold)`; libass must resolve the same family.
    """
    highlight = parse_colour(highlight_colour)
    sty = get_style(style)
    subs = pysubs2.SSAFile()
    subs.info.update(
        {
            "PlayResX": str(fmt.width),
            "PlayResY": str(fmt.height),
            "WrapStyle": "2",  # never wrap: lines are broken here, measured against the safe zone
            "ScaledBorderAndShadow": "yes",
            "YCbCr Matrix": "None",  # colours are plain RGB
        }
    )
    if sty is None:
        subs.styles["Default"] = pysubs2.SSAStyle(fontname="Sans")
        return subs.to_string("ass")
    font = font or find_font(sty.bold)
    geo = _geometry(sty, fmt, font)
    text_rgb = parse_colour(sty.text_colour)
    mixed = tuple(
        round(t + (h - t) * sty.highlight_strength) for t, h in zip(text_rgb, highlight, strict=True)
    )
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=font.family,
        fontsize=geo.size,
        bold=sty.bold,
        primarycolor=pysubs2.Color(*text_rgb),
        secondarycolor=pysubs2.Color(*highlight),
        outlinecolor=pysubs2.Color(*parse_colour(sty.outline_colour), sty.outline_alpha),
        backcolor=pysubs2.Color(0, 0, 0, 0x80),
        borderstyle=4 if sty.box else 1,
        outline=geo.outline,
        shadow=geo.shadow,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginl=fmt.safe.left,
        marginr=fmt.width - fmt.safe.right,
        marginv=fmt.height - fmt.safe.bottom,
    )
    on = _ass_colour(mixed)
    off = _ass_colour(text_rgb)
    if sty.highlight_scale != 1:
        pct = round(sty.highlight_scale * 100)
        on += f"\\fscx{pct}\\fscy{pct}"
        off += "\\fscx100\\fscy100"
    for cue in ass_cues(words, fmt, sty, font):
        head = _cue_placement(cue, sty, geo, fmt)
        for k, (start, end) in enumerate(_word_spans(cue)):
            start_ms, end_ms = _centis(start + offset), _centis(end + offset)
            if end_ms <= start_ms:
                continue  # shorter than 1/100 s, or before the scene
            body = _cue_text(cue, k, on, off)
            subs.events.append(pysubs2.SSAEvent(start=start_ms, end=end_ms, text=head + body))
    return subs.to_string("ass")


def _cue_text(cue: Cue, current: int, on: str, off: str) -> str:
    """The cue's lines joined by \\N, with word number `current` wrapped in `on`/`off` tags."""
    lines = []
    index = 0
    for line in cue.lines:
        parts = []
        for word in line:
            text = escape_ass(word.text)
            parts.append(f"{{\\1c{on}}}{text}{{\\1c{off}}}" if index == current else text)
            index += 1
        lines.append(" ".join(parts))
    return r"\N".join(lines)


def _word_spans(cue: Cue) -> list[tuple[float, float]]:
    """Back-to-back spans: word k is highlighted from its start until word k+1 starts."""
    starts = [max(w.start, cue.start) for w in cue.words]
    starts[0] = cue.start
    ends = [*starts[1:], cue.end]
    return list(zip(starts, ends, strict=True))


def _centis(seconds: float) -> int:
    """Milliseconds on the ASS centisecond grid, never negative (rounded once, so spans abut)."""
    return max(0, round(seconds * 100)) * 10


def _cue_placement(cue: Cue, sty: CaptionStyle, geo: _Geometry, fmt: RenderFormat) -> str:
    """Override tags that pin the cue's block inside the safe zone (and shrink a too-wide word)."""
    size = geo.size
    edge = geo.outline * sty.highlight_scale
    # libass stacks lines `Fontsize` apart; the line holding the scaled word grows with it.
    rows = len(cue.lines) + sty.highlight_scale - 1
    widest = max(1.0, *(_line_width([w.text for w in line], size, sty, geo.font) for line in cue.lines))
    room = fmt.safe.height - 2 * edge - geo.shadow - 2
    # Only a single word longer than a line (or a style with very many lines) needs this:
    # shrink the whole cue until it fits.
    shrink = min(1.0, geo.avail_width / widest, room / (size * rows))
    tags = ""
    if shrink < 1.0:
        size = math.floor(size * shrink * 0.98 * 10) / 10
        tags = f"\\fs{size:g}"
    height = size * rows
    lowest = fmt.safe.bottom - edge - geo.shadow - 1
    highest = fmt.safe.top + edge + height + 1
    target = fmt.safe.top + sty.position * fmt.safe.height
    bottom = target + height / 2 if sty.anchor == "middle" else target
    bottom = min(max(bottom, highest), lowest)
    x = (fmt.safe.left + fmt.safe.right) / 2
    return f"{{\\an2\\pos({x:g},{bottom:.0f}){tags}}}"


# ---------------------------------------------------------------------------------------------
# SRT, VTT, words.json


def _reading_cues(words: list[Word]) -> list[Cue]:
    """Classic readable cues for sidecar files: <= 42 chars a line, <= 2 lines, <= 7 s."""
    cleaned = [Word(text=clean_text(w.text), start=w.start, end=w.end) for w in words]
    return group_cues(cleaned, max_chars=42, max_lines=2, max_duration=7.0)


def _timestamp(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(words: list[Word]) -> str:
    """SubRip captions. Text is written literally (SRT has no escapes).

    Written by hand rather than with pysubs2, whose writer reads `{...}` and `\\N` in the
    text as SubStation tags and would change script text that contains them.
    """
    blocks = []
    for i, cue in enumerate(_reading_cues(words), start=1):
        times = f"{_timestamp(cue.start, ',')} --> {_timestamp(cue.end, ',')}"
        blocks.append(f"{i}\n{times}\n{cue.text}\n")
    return "\n".join(blocks)


def _escape_vtt(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(words: list[Word]) -> str:
    """WebVTT captions; `&`, `<`, `>` are written as entities so they show literally."""
    blocks = ["WEBVTT\n"]
    for cue in _reading_cues(words):
        times = f"{_timestamp(cue.start, '.')} --> {_timestamp(cue.end, '.')}"
        blocks.append(f"{times}\n{_escape_vtt(cue.text)}\n")
    return "\n".join(blocks)


def words_json(words: list[Word]) -> str:
    """`{"words": [{"text", "start", "end"}, ...]}` with times rounded to milliseconds."""
    data = {"words": [{"text": w.text, "start": round(w.start, 3), "end": round(w.end, 3)} for w in words]}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def write_caption_files(
    words: list[Word],
    out_dir: str | os.PathLike[str],
    fmt: RenderFormat,
    style: str,
    highlight_colour: str = "#FFD700",
) -> dict[str, Path]:
    """Write captions.srt, captions.vtt, captions.ass and words.json (absolute times) atomically.

    Returns their paths keyed "srt", "vtt", "ass", "words".
    """
    texts = {
        "srt": ("captions.srt", to_srt(words)),
        "vtt": ("captions.vtt", to_vtt(words)),
        "ass": ("captions.ass", build_ass(words, fmt, style, highlight_colour=highlight_colour)),
        "words": ("words.json", words_json(words)),
    }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return {key: write_text_atomic(out / name, text) for key, (name, text) in texts.items()}


# ---------------------------------------------------------------------------------------------
# Burning in

_SAFE_FILTER_PATH = re.compile(r"[A-Za-z0-9/._+-]+")


def ass_filter(path: str | os.PathLike[str], fonts_dir: str | os.PathLike[str] | None = None) -> str:
    """The `ass=` filter for a caption file the renderer wrote itself.

    The path goes into the filter graph, so it must be a plain ASCII path (no quotes, colons,
    commas, brackets or spaces); anything else raises ValueError rather than being escaped.
    """
    parts = [os.path.abspath(os.fspath(path))]
    if fonts_dir is not None:
        parts.append(os.path.abspath(os.fspath(fonts_dir)))
    for p in parts:
        if not _SAFE_FILTER_PATH.fullmatch(p):
            raise ValueError(f"caption path {p!r} is not plain ASCII: write captions to a plain work dir")
    return f"ass=filename={parts[0]}" + (f":fontsdir={parts[1]}" if fonts_dir is not None else "")
