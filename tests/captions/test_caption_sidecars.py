"""SRT, VTT, words.json and write_caption_files, read back with pysubs2."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pysubs2
import pytest

from faceless.domain.formats import get_format
from faceless.domain.words import Word
from faceless.render.captions import group_cues
from faceless.render.subtitles import to_srt, to_vtt, words_json, write_caption_files

STORY = (
    "Honey never spoils: archaeologists have found pots of honey in ancient Egyptian tombs that are "
    "over three thousand years old, and still perfectly edible. The secret is low water, high acidity, "
    "and a little hydrogen peroxide made by an enzyme that bees add. Isn't that remarkable?"
)
HOSTILE = [
    r"{\b1}bold{\b0}",
    r"a\Nb",
    r"x\ny",
    r"\h",
    "{unclosed",
    "closed}",
    "%{pts}",
    '"quoted"',
    "key:value",
    "<i>tag</i>",
    "a&b",
    "-->",
    r"C:\new",
    "emoji😀",
]
TIMING = re.compile(r"\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$")


def timed(texts: list[str], step: float = 0.4) -> list[Word]:
    return [Word(text=t, start=i * step, end=i * step + step * 0.8) for i, t in enumerate(texts)]


def check_readable(subs: pysubs2.SSAFile, words: list[Word]) -> list[str]:
    """Assert the sidecar rules and return each cue's lines."""
    assert len(subs) > 0
    lines_per_cue = []
    for ev in subs:
        lines = ev.text.split(r"\N")
        assert 1 <= len(lines) <= 2, lines
        assert all(len(line) <= 42 for line in lines), lines
        assert ev.end > ev.start and ev.end - ev.start <= 7300
        lines_per_cue.append(lines)
    for a, b in zip(subs, subs[1:], strict=False):
        assert a.end <= b.start
    flat = [w for lines in lines_per_cue for line in lines for w in line.split(" ")]
    assert flat == [w.text for w in words]
    return [line for lines in lines_per_cue for line in lines]


@pytest.mark.parametrize("fmt_name,writer", [("srt", to_srt), ("vtt", to_vtt)])
def test_sidecar_cues_are_readable(fmt_name: str, writer) -> None:  # type: ignore[no-untyped-def]
    words = timed(STORY.split(), step=0.3)
    subs = pysubs2.SSAFile.from_string(writer(words), format_=fmt_name)
    check_readable(subs, words)
    assert subs[0].start == 0
    assert abs(subs[-1].end / 1000 - (words[-1].end + 0.3)) < 0.002


def test_srt_and_vtt_keep_hostile_text_literally() -> None:
    words = timed(HOSTILE)
    cues = group_cues(words, max_chars=42, max_lines=2, max_duration=7.0)
    expected = [r"\N".join(" ".join(w.text for w in line) for line in c.lines) for c in cues]
    srt = pysubs2.SSAFile.from_string(to_srt(words), format_="srt", keep_html_tags=True)
    assert [ev.text for ev in srt] == expected
    vtt_text = to_vtt(words)
    text_lines = [line for line in vtt_text.splitlines() if not TIMING.match(line)]
    assert all("<" not in line and "-->" not in line for line in text_lines)
    vtt = pysubs2.SSAFile.from_string(vtt_text, format_="vtt", keep_html_tags=True)
    assert [html.unescape(ev.text) for ev in vtt] == expected


def test_words_json_rounds_to_milliseconds() -> None:
    data = json.loads(
        words_json([Word(text="héllo", start=0.12345, end=0.6789), Word(text="x", start=1, end=2)])
    )
    assert data == {
        "words": [{"text": "héllo", "start": 0.123, "end": 0.679}, {"text": "x", "start": 1.0, "end": 2.0}]
    }


def test_write_caption_files(tmp_path: Path) -> None:
    words = timed(STORY.split(), step=0.3)
    out = write_caption_files(words, tmp_path / "out", get_format("shorts"), "pop", "#00FF88")
    assert {k: p.name for k, p in out.items()} == {
        "srt": "captions.srt",
        "vtt": "captions.vtt",
        "ass": "captions.ass",
        "words": "words.json",
    }
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in out.values())
    check_readable(pysubs2.load(str(out["srt"])), words)
    check_readable(pysubs2.load(str(out["vtt"])), words)
    ass = pysubs2.load(str(out["ass"]))
    assert ass.info["PlayResX"] == "1080" and len(ass) >= len(words) - 1
    assert "88FF00" in out["ass"].read_text()  # highlight colour, ASS byte order BGR
    assert len(json.loads(out["words"].read_text())["words"]) == len(words)
