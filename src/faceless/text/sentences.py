"""Rule-based sentence splitting that survives abbreviations, decimals, initials, ellipses and CJK."""

from __future__ import annotations

import re
import unicodedata

from faceless.text.chars import SPACE_RE

# Never end a sentence: titles and words that always introduce something.
_NEVER_FINAL = {
    "mr", "mrs", "ms", "dr", "prof", "mt", "capt", "lt", "sgt", "gen", "col", "rev", "hon", "gov", "sen",
    "rep", "vs", "v", "e.g", "eg", "i.e", "ie", "approx", "cf", "st", "viz",
}  # fmt: skip
# End a sentence unless a number follows ("No. 5", "p. 12", "c. 1900", "Fig. 3").
_BEFORE_NUMBER = {"no", "nos", "p", "pp", "c", "ca", "fig", "figs", "vol", "ch", "op", "art", "sec", "est"}
# May end a sentence: the stop ends it only when a capital follows ("... at 5 p.m. Then").
_MAYBE_FINAL = {
    "etc", "inc", "ltd", "co", "corp", "jr", "sr", "ave", "blvd", "rd", "al", "dept", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}  # fmt: skip
_OPENERS = "\"'“‘«‹([{¿¡-—–*"

# A candidate end: stop punctuation and closing quotes/brackets before a space or the end of the text;
# CJK full stops end a sentence with no space after them.
_CANDIDATE = re.compile(r"(?:[.!?]+|…+)[\"'”’»›)\]}」』]*(?=\s|$)|[。！？]+[」』”’）)\"'»]*")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def _next_char(text: str, pos: int) -> str:
    """First character of the next sentence after any opening quotes/brackets ("" at the end)."""
    for k in range(pos, min(len(text), pos + 32)):
        ch = text[k]
        if ch not in _OPENERS and not ch.isspace():
            return ch
    return ""


def _is_boundary(text: str, start: int, end: int) -> bool:
    """Whether the punctuation text[start:end] ends a sentence, judging by the words around it."""
    stop = text[start:end]
    if stop[0] in "。！？":
        return True
    nxt = _next_char(text, end)
    if not nxt:
        return True
    if stop.startswith(("..", "…")) or stop[0] in "!?" or "?" in stop or "!" in stop:
        return not nxt.islower()  # "Wait... what", "“Why?” she asked"
    m = _WORD_BEFORE.search(text, max(0, start - 64), start)  # a window: linear time on long texts
    if not m:
        return True
    raw = m.group(1).strip(".")
    word = raw.lower()
    if word in _NEVER_FINAL:
        return False
    if word in _BEFORE_NUMBER:
        return not nxt.isdecimal()
    if word in _MAYBE_FINAL or "." in word:  # "etc.", "U.S.", "a.m.", "Ph.D."
        return nxt.isupper()
    if len(raw) == 1 and raw.isupper() and nxt.isupper():
        # An initial ("J. K. Rowling", "George W. Bush") unless a lower-case word precedes it ("vitamin C.").
        before = text[max(0, m.start(1) - 64) : m.start(1)].split()
        return bool(before) and not before[-1][:1].isupper() and not before[-1].endswith(".")
    return True


def split_sentences(text: str) -> list[str]:
    """Split `text` into sentences (whitespace inside each collapsed to single spaces); no empty items.

    Blank lines always end a sentence; single line breaks are spaces.
    """
    out: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text):
        block = SPACE_RE.sub(" ", block).strip()
        if not block:
            continue
        begin = 0
        for m in _CANDIDATE.finditer(block):
            if _is_boundary(block, m.start(), m.end()):
                piece = block[begin : m.end()].strip()
                if piece:
                    out.append(piece)
                begin = m.end()
        tail = block[begin:].strip()
        if tail:
            out.append(tail)
    # Pieces made only of punctuation ("...", "!!") belong to the sentence before them.
    merged: list[str] = []
    for s in out:
        if any(c.isalnum() for c in s):
            merged.append(s)
        elif all(unicodedata.category(c).startswith(("P", "Z")) for c in s):
            if merged:
                merged[-1] = f"{merged[-1]} {s}"
        else:
            merged.append(s)  # emoji-only: shown, even if not spoken
    return merged
