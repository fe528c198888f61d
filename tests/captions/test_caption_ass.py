"""Karaoke ASS documents: structure, timing, escaping, fonts (pure, no rendering)."""

from __future__ import annotations

import re

import pysubs2
import pytest

from faceless.domain.errors import InputError
from faceless.domain.formats import FORMATS, RenderFormat, SafeZone, get_format
from faceless.domain.words import Word
from faceless.render import fonts
from faceless.render.fonts import FontNotFound, FontSpec, find_font, text_width
from faceless.render.subtitles import (
    STYLES,
    ass_cues,
    ass_filter,
    build_ass,
    escape_ass,
    parse_colour,
    renderable_text,
)

SHORTS = get_format("shorts")
TAG = re.compile(r"\{\\(?:an|pos|fs|1c|fscx)[^{}]*\}")  # the override blocks build_ass itself writes


def timed(texts: list[str], step: float = 0.4) -> list[Word]:
    return [Word(text=t, start=i * step, end=i * step + step * 0.8) for i, t in enumerate(texts)]


def visible(event_text: str) -> str:
    """An event's text as libass shows it: our tags removed, escapes resolved."""
    text = TAG.sub("", event_text).replace(r"\N", "\n").replace("\u2060", "")
    return text.replace(r"\{", "{").replace(r"\}", "}")


@pytest.mark.parametrize("style", sorted(STYLES))
def test_one_event_per_word_back_to_back(style: str) -> None:
    words = timed("Octopuses have three hearts and blue blood. Two pump blood to the gills".split())
    doc = build_ass(words, SHORTS, style)
    subs = pysubs2.SSAFile.from_string(doc)
    assert subs.info["PlayResX"] == "1080" and subs.info["PlayResY"] == "1920"
    assert subs.info["WrapStyle"] == "2"
    assert len(subs) == len(words)
    for a, b in zip(subs, subs[1:], strict=False):
        assert a.end <= b.start  # never two states on screen at once
    for ev, word in zip(subs, words, strict=True):
        highlighted = re.findall(r"\{\\1c&H[0-9A-F]{6}&[^}]*\}([^{]*)\{\\1c&HFFFFFF&", ev.text)
        assert highlighted == [word.text]
        assert ev.start <= word.start * 1000 + 10
    assert subs[0].start == 0 and abs(subs[-1].end - (words[-1].end + 0.3) * 1000) <= 10


def test_offset_shifts_and_cuts_before_zero() -> None:
    words = timed(["one", "two", "three"], step=1.0)
    shifted = pysubs2.SSAFile.from_string(build_ass(words, SHORTS, "classic", offset=2.5))
    assert [ev.start for ev in shifted] == [2500, 3500, 4500]
    cut = pysubs2.SSAFile.from_string(build_ass(words, SHORTS, "classic", offset=-1.5))
    assert [(ev.start, ev.end) for ev in cut] == [(0, 500), (500, 1600)]  # 'three' lingers 0.3 s


def test_hostile_text_is_escaped() -> None:
    hostile = [
        r"{\b1}bold{\b0}",
        r"a\Nb",
        r"x\ny",
        r"\h",
        "{unclosed",
        "closed}",
        "%{pts}",
        '"q"',
        "k:v",
        r"C:\new",
    ]
    doc = build_ass(timed(hostile), SHORTS, "minimal")
    subs = pysubs2.SSAFile.from_string(doc)
    for ev in subs:
        body = TAG.sub("", ev.text)
        assert "{" not in body.replace(r"\{", ""), body  # no override block of ours... or theirs
        assert not re.search(r"\\[nh]", body)  # user backslashes are followed by a word joiner
    cue_texts: list[str] = []
    for ev in subs:  # every event of a cue shows the same text
        if not cue_texts or visible(ev.text) != cue_texts[-1]:
            cue_texts.append(visible(ev.text))
    assert " ".join(cue_texts).replace("\n", " ").split(" ") == hostile
    assert escape_ass(r"\N{x}") == "\\\u2060N\\{x\\}"


def test_emoji_and_unknown_characters_are_dropped() -> None:
    font = find_font()
    assert renderable_text("hi😀 there🚀", font) == "hi there"
    assert renderable_text("Ünïcödé — “quotes” …", font) == "Ünïcödé — “quotes” …"
    doc = build_ass(timed(["Launch", "🚀", "now!"]), SHORTS, "pop")
    subs = pysubs2.SSAFile.from_string(doc)
    assert "🚀" not in doc and len(subs) == 2  # the emoji-only word is not shown at all


@pytest.mark.parametrize("fmt_name", sorted(FORMATS))
@pytest.mark.parametrize("style", sorted(STYLES))
def test_lines_are_measured_to_fit(style: str, fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    sty = STYLES[style]
    words = timed("Extraordinary counterrevolutionaries WWWWWW MMMMMM internationalization wow".split())
    font = find_font(sty.bold)
    size = float(re.search(r"Style: Default,[^,]+,([\d.]+)", build_ass(words, fmt, style)).group(1))  # type: ignore[union-attr]
    for cue in ass_cues(words, fmt, style):
        for line in cue.lines:
            if len(line) > 1:
                width = text_width(font, size, " ".join(w.text for w in line))
                assert width <= fmt.safe.width, (style, fmt_name, line)


def test_cue_shrinks_when_the_safe_zone_is_too_low() -> None:
    flat = RenderFormat("banner", 1080, 1080, SafeZone(left=290, top=800, right=790, bottom=950))
    subs = pysubs2.SSAFile.from_string(build_ass(timed("two lines of words please".split()), flat, "pop"))
    size = float(re.search(r"\\fs([\d.]+)", subs[-1].text).group(1))  # type: ignore[union-attr]
    assert size * (2 + 0.15) + 2 * 6 * 1.15 <= 150
    y = int(re.search(r"\\pos\([\d.]+,(\d+)\)", subs[-1].text).group(1))  # type: ignore[union-attr]
    assert 800 + size * 2.15 < y < 950


def test_rejects_bad_style_and_colour() -> None:
    with pytest.raises(InputError, match="caption style"):
        build_ass(timed(["a"]), SHORTS, "fancy")
    with pytest.raises(InputError, match="#FFD700"):
        build_ass(timed(["a"]), SHORTS, "pop", highlight_colour="yellow")
    assert parse_colour("#fd0") == (255, 221, 0)


def test_style_none_gives_an_empty_document() -> None:
    subs = pysubs2.SSAFile.from_string(build_ass(timed(["a", "b"]), SHORTS, "none"))
    assert len(subs) == 0 and subs.info["PlayResY"] == "1920"


def test_find_font_prefers_noto_and_errors_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    bold = find_font(True)
    assert bold.family in {"Noto Sans", "DejaVu Sans"} and bold.path.is_file()
    assert find_font(False).path != bold.path
    assert fonts.ass_em_ratio(bold.path) == pytest.approx(
        1000 / 1362 if bold.family == "Noto Sans" else 2048 / 2384
    )
    monkeypatch.setattr(fonts, "_CANDIDATES", (("No Such Sans", "/nonexistent/a.ttf", "/nonexistent/b.ttf"),))
    fonts.find_font.cache_clear()
    try:
        with pytest.raises(FontNotFound, match="apt-get install fonts-noto-core"):
            fonts.find_font()
    finally:
        fonts.find_font.cache_clear()


def test_ass_filter_refuses_unsafe_paths() -> None:
    assert ass_filter("/tmp/work/captions.ass") == "ass=filename=/tmp/work/captions.ass"
    for bad in ["/tmp/a b.ass", "/tmp/x:y.ass", "/tmp/it's.ass", "/tmp/[0:v].ass", "/tmp/é.ass"]:
        with pytest.raises(ValueError):
            ass_filter(bad)
    assert isinstance(FontSpec("x", find_font().path), FontSpec)
