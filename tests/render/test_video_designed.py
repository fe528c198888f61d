"""Keyword cards and palettes for designed scenes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from faceless.domain import FORMATS, InputError, RenderFormat, SafeZone
from faceless.render.designed import keyword_box, palette_for, render_keyword_card

SMALL = RenderFormat("test", 270, 480, SafeZone(16, 68, 232, 312))


def test_palette_is_deterministic_hex() -> None:
    p = palette_for("s01-abc|octopus")
    assert p == palette_for("s01-abc|octopus")
    assert all(len(c) == 7 and c.startswith("#") for c in p)
    assert len({palette_for(f"seed{i}") for i in range(40)}) > 3  # seeds spread over palettes


@pytest.mark.parametrize("fmt", [SMALL, FORMATS["shorts"], FORMATS["youtube"]])
def test_card_is_transparent_png_with_text_in_upper_safe_zone(tmp_path: Path, fmt: RenderFormat) -> None:
    out = render_keyword_card(["octopus", "nine", "brains"], fmt, tmp_path / "card.png", seed="s1")
    with Image.open(out) as im:
        assert im.format == "PNG" and im.mode == "RGBA" and im.size == (fmt.width, fmt.height)
        alpha = np.asarray(im)[:, :, 3]
    ys, xs = np.nonzero(alpha > 200)  # opaque pixels: glyphs, outline and the accent bar
    assert len(xs) > 0.005 * fmt.width * fmt.height
    box = keyword_box(fmt)
    assert xs.min() >= box.left - 2 and xs.max() <= box.right + 2
    assert ys.min() >= box.top - 2 and ys.max() <= box.bottom + 2
    assert alpha[-10:, :].max() == 0  # the bottom (caption area and below) stays clear


def test_long_words_shrink_to_fit(tmp_path: Path) -> None:
    out = render_keyword_card(
        ["Supercalifragilistic", "extraordinarily", "long", "words"], SMALL, tmp_path / "c.png", seed="x"
    )
    alpha = np.asarray(Image.open(out))[:, :, 3]
    xs = np.nonzero(alpha.max(axis=0) > 200)[0]
    assert xs.min() >= SMALL.safe.left - 2 and xs.max() <= SMALL.safe.right + 2


def test_same_input_same_bytes(tmp_path: Path) -> None:
    a = render_keyword_card(["Mars"], SMALL, tmp_path / "a.png", seed="s")
    b = render_keyword_card(["Mars"], SMALL, tmp_path / "b.png", seed="s")
    assert a.read_bytes() == b.read_bytes()


def test_no_words_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        render_keyword_card(["  "], SMALL, tmp_path / "c.png", seed="s")
