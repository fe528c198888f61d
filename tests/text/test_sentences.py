"""Sentence splitting on abbreviations, decimals, initials, ellipses, quotes and CJK."""

from __future__ import annotations

import pytest

from faceless.text.sentences import split_sentences

CASES = [
    ("Dr. Smith paid $5.99 for it. Then he left! Did he? Yes.",
     ["Dr. Smith paid $5.99 for it.", "Then he left!", "Did he?", "Yes."]),
    ("J. K. Rowling wrote it. George W. Bush read it.", ["J. K. Rowling wrote it.", "George W. Bush read it."]),
    ("Take vitamin C. Then rest.", ["Take vitamin C.", "Then rest."]),
    ("The U.S. government said so. Done.", ["The U.S. government said so.", "Done."]),
    ("Pi is 3.14 and e is 2.718. Good.", ["Pi is 3.14 and e is 2.718.", "Good."]),
    ("Wait... what?! He said \"Stop.\" Then he ran. (It was late.) Fine.",
     ["Wait... what?!", 'He said "Stop."', "Then he ran.", "(It was late.)", "Fine."]),
    ("“Why?” she asked. “Because!” he said.", ["“Why?” she asked.", "“Because!” he said."]),
    ("Call at 5 p.m. Then leave.", ["Call at 5 p.m.", "Then leave."]),
    ("See No. 5 today. Apples, etc. and more.", ["See No. 5 today.", "Apples, etc. and more."]),
    ("Smith et al. found it. In Fig. 3 it shows.", ["Smith et al. found it.", "In Fig. 3 it shows."]),
    ("But wait… There's more", ["But wait…", "There's more"]),
    ("今日は晴れです。明日は雨でしょう！本当？はい。", ["今日は晴れです。", "明日は雨でしょう！", "本当？", "はい。"]),
    ("i went home. then i slept. the end", ["i went home.", "then i slept.", "the end"]),
    ("Line one\nstill one.\n\nNew para\n\nAnother.", ["Line one still one.", "New para", "Another."]),
    ("Really?!? Yes!!! ...", ["Really?!?", "Yes!!! ..."]),
    ("Launch day 🚀. Go!", ["Launch day 🚀.", "Go!"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_split(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "...", "!!! ?"])
def test_nothing_gives_no_items(text: str) -> None:
    assert split_sentences(text) == []


def test_no_text_is_lost() -> None:
    text = "Alpha beta. Gamma… delta? Epsilon! 'Zeta.' 漢字。 C:\\path %{x} \u00a0 end"
    joined = "".join(split_sentences(text)).replace(" ", "")
    assert joined == text.replace(" ", "").replace("\u00a0", "")


def test_long_text_is_linear() -> None:
    text = "This is sentence number one with Dr. Who in it. " * 5000
    assert len(split_sentences(text)) == 5000
