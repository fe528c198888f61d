"""Burn captions with libass for real (one frame each) and measure the pixels."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from faceless.domain.formats import RenderFormat, SafeZone, get_format
from faceless.domain.words import Word
from faceless.render.fonts import find_font, pillow_font
from faceless.render.subtitles import STYLES, CaptionStyle, build_ass

BurnFn = Callable[..., np.ndarray]  # the `burn` fixture of conftest.py

GREY = (128, 128, 128)  # not black, so translucent boxes and shadows are seen too

# The worst plausible cues: wide capitals with accents and descenders filling whole lines
# (up to 87% of the safe width for classic on 1080x1920), and a word too long for any line
# (the cue shrinks to the full safe width).
WIDE = ["WÉMÀ", "gjpqy", "WAVY", "MÉQ", "Wg", "ÀWW", "jMy", "QÉW", "MMW", "gyWÀ", "WQ", "ÉMMA"]
GIANT = ["Pneumonoultramicroscopicsilicovolcanoconiosis", "WWWWWWWWWWWWWWW"]


def ink_box(
    frame: np.ndarray, background: tuple[int, int, int], threshold: int = 10
) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of pixels that differ from the background; right/bottom exclusive."""
    diff = np.abs(frame - np.array(background, dtype=np.int16)).max(axis=2) > threshold
    ys, xs = np.nonzero(diff)
    assert xs.size, "nothing was drawn"
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def near(frame: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 24) -> np.ndarray:
    """Mask of pixels within `tolerance` of `rgb` in every channel."""
    return np.abs(frame - np.array(rgb, dtype=np.int16)).max(axis=2) <= tolerance


def timed(texts: list[str], step: float = 0.4) -> list[Word]:
    return [Word(text=t, start=i * step, end=i * step + step * 0.8) for i, t in enumerate(texts)]


@pytest.mark.slow
@pytest.mark.parametrize("case", ["wide", "giant"])
@pytest.mark.parametrize("fmt_name", ["shorts", "youtube", "square"])
@pytest.mark.parametrize("style", sorted(STYLES))
def test_rendered_caption_stays_inside_safe_zone(burn: BurnFn, style: str, fmt_name: str, case: str) -> None:
    fmt = get_format(fmt_name)
    words = timed(WIDE if case == "wide" else GIANT)
    frame = burn(build_ass(words, fmt, style), fmt, at=0.0)  # first word highlighted (scaled in pop)
    left, top, right, bottom = ink_box(frame, GREY)
    safe = fmt.safe
    assert safe.left <= left and right <= safe.right, (left, right, safe)
    assert safe.top <= top and bottom <= safe.bottom, (top, bottom, safe)


@pytest.mark.slow
def test_highlighted_word_has_the_highlight_colour(burn: BurnFn) -> None:
    fmt = get_format("shorts")
    words = timed(["Hello", "world"], step=1.0)
    doc = build_ass(words, fmt, "pop", highlight_colour="#00C8FF")
    for at, (lit, plain) in [(0.2, (0, 1)), (1.2, (1, 0))]:
        frame = burn(doc, fmt, at=at)
        _, hi_xs = np.nonzero(near(frame, (0, 200, 255)))
        _, white_xs = np.nonzero(near(frame, (255, 255, 255)))
        assert hi_xs.size > 800 and white_xs.size > 800  # solid glyph interiors of both colours
        # "Hello world" fits one line: the highlighted word is the left or right one.
        centre = (fmt.safe.left + fmt.safe.right) / 2
        hi_side = np.median(hi_xs) < centre
        assert hi_side == (lit == 0)
        assert (np.median(white_xs) < centre) == (plain == 0)


HOSTILE = [r"{\b1}bold{\b0}", r"a\Nb", r"x\ny", r"\h\h", "{unclosed", "closed}", "%{pts}", r"C:\new\{}"]


@pytest.mark.slow
@pytest.mark.parametrize("text", HOSTILE)
def test_libass_draws_hostile_text_literally(
    burn: BurnFn, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    # A plain style (no outline, shadow or scaling) so libass' ink can be compared with
    # Pillow drawing the same literal string with the same font.
    plain = CaptionStyle(
        name="plain",
        font_size=324,  # 60 px on a 200 px short side outline=0, shadow=0, anchor="middle", position=0.5,
        max_chars=80,
        max_lines=1,
    )
    monkeypatch.setitem(STYLES, "plain", plain)
    fmt = RenderFormat("strip", 1000, 200, SafeZone(left=0, top=0, right=1000, bottom=200))
    doc = build_ass([Word(text=text, start=0, end=1)], fmt, "plain", highlight_colour="#FFFFFF")
    frame = burn(doc, fmt, at=0.1, background="black")
    left, top, right, bottom = ink_box(frame, (0, 0, 0), threshold=60)
    x0, y0, x1, y1 = pillow_font(find_font().path, 60).getbbox(text)
    # Tags would remove characters, \N would add a line: either changes the box a lot.
    assert abs((right - left) - (x1 - x0)) <= 4, (text, right - left, x1 - x0)
    assert abs((bottom - top) - (y1 - y0)) <= 4, (text, bottom - top, y1 - y0)
