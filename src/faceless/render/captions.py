"""Group word timings into readable caption cues and break each cue into balanced lines.

Pure: no files, no ffmpeg. Used by the ASS/SRT/VTT writers in `faceless.render.subtitles`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from faceless.domain.words import Word

# A line fits when this returns True for its words' texts (e.g. measured pixel width).
LineFits = Callable[[Sequence[str]], bool]

_CLOSERS = "\"'”’»)]}›"
_SENTENCE_END = (".", "!", "?", "…", "。", "！", "？", "‼", "⁉")
_CLAUSE_END = (",", ";", ":", "—", "–", "-", "、", "，", "；", "：")
# A full stop after these is an abbreviation, not the end of a sentence.
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "e.g", "i.e", "approx", "no", "fig"}
)
# Breaking a line or cue right after these reads badly ("the | cat").
_WEAK = frozenset(
    {
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "and",
        "or",
        "but",
        "by",
        "from",
        "as",
        "my",
        "your",
        "our",
        "their",
        "his",
        "her",
        "its",
        "this",
        "that",
        "is",
        "are",
        "was",
        "be",
    }
)

_CUE_COST = 10.0  # each extra cue costs this much: prefer fewer, fuller cues...
_FILL_COST = 3.0  # ...of even size (sum of squared fill is least when cues are balanced)
_BREAK_PLAIN = 6.0  # cue break with no punctuation
_BREAK_CLAUSE = 2.0  # cue break after a comma, semicolon, dash...
_BREAK_WEAK = 3.0  # extra for breaking after an article/preposition
_ORPHAN = 4.0  # a one-word cue cut out of a longer phrase


@dataclass
class Cue:
    """Words shown together, already broken into lines. Times in seconds."""

    start: float
    end: float
    words: list[Word]
    lines: list[list[Word]]

    @property
    def text(self) -> str:
        """The cue as plain text, lines joined with a newline."""
        return "\n".join(" ".join(w.text for w in line) for line in self.lines)


def group_cues(
    words: list[Word],
    *,
    max_chars: int = 42,
    max_lines: int = 2,
    max_words: int | None = None,
    max_duration: float = 6.0,
    pause_break: float = 0.35,
    linger: float = 0.3,
    line_fits: LineFits | None = None,
) -> list[Cue]:
    """Group `words` into ordered, non-overlapping cues of at most `max_lines` balanced lines.

    Cues always break at pauses (gap >= `pause_break`) and sentence ends, then preferably at
    clause punctuation. No line is longer than `max_chars` (or rejected by `line_fits`) unless
    it holds a single word. A cue stays up `linger` seconds after its last word when the next
    cue starts later. Blank words are skipped; whitespace inside a word is collapsed.
    """
    if max_chars < 1 or max_lines < 1 or (max_words is not None and max_words < 1):
        raise ValueError("max_chars, max_lines and max_words must be at least 1")
    clean = _normalise(words)
    if not clean:
        return []

    def fits(texts: Sequence[str]) -> bool:
        if len(texts) == 1:
            return True  # a word longer than a line still has to be shown
        if sum(map(len, texts)) + len(texts) - 1 > max_chars:
            return False
        return line_fits is None or line_fits(texts)

    groups: list[list[Word]] = []
    for phrase in _phrases(clean, pause_break):
        groups += _split_phrase(phrase, fits, max_lines, max_words, max_duration, max_chars)

    cues: list[Cue] = []
    prev_end = 0.0
    for i, group in enumerate(groups):
        start = max(group[0].start, prev_end)
        last_end = max(group[-1].end, start)
        if i + 1 < len(groups):
            next_start = groups[i + 1][0].start
            end = max(last_end, min(last_end + linger, next_start))
        else:
            end = last_end + linger
        lines = layout_lines(group, fits, max_lines) or [group]
        cues.append(Cue(start=start, end=end, words=group, lines=lines))
        prev_end = end
    return cues


def layout_lines(words: Sequence[Word], fits: LineFits, max_lines: int) -> list[list[Word]] | None:
    """Break `words` into the fewest lines (at most `max_lines`) that all fit, balanced in length.

    Among the possible breaks, prefer short longest lines and breaks after punctuation;
    None when the words cannot be laid out.
    """
    texts = [w.text for w in words]
    n = len(texts)
    if n == 0:
        return []
    for count in range(1, min(max_lines, n) + 1):
        best: tuple[float, tuple[int, ...]] | None = None
        for cuts in itertools.combinations(range(1, n), count - 1):
            bounds = (0, *cuts, n)
            lines = [texts[a:b] for a, b in itertools.pairwise(bounds)]
            if not all(fits(line) for line in lines):
                continue
            longest = max(len(" ".join(line)) for line in lines)
            cost = longest + sum(_line_break_cost(texts[c - 1]) for c in cuts)
            if best is None or cost < best[0]:
                best = (cost, bounds)
        if best is not None:
            return [list(words[a:b]) for a, b in itertools.pairwise(best[1])]
    return None


def is_sentence_end(text: str) -> bool:
    """True if the word ends a sentence (., !, ?, …), ignoring closing quotes and abbreviations."""
    core = text.rstrip(_CLOSERS)
    if not core.endswith(_SENTENCE_END):
        return False
    if core.endswith("."):
        stem = core.rstrip(".").lstrip("\"'“‘«([").lower()
        if stem in _ABBREVIATIONS or (len(stem) == 1 and stem.isalpha()):
            return False
    return True


def is_clause_end(text: str) -> bool:
    """True if the word ends a clause (comma, semicolon, colon, dash)."""
    return text.rstrip(_CLOSERS).endswith(_CLAUSE_END)


def _normalise(words: Sequence[Word]) -> list[Word]:
    """Drop blank words, collapse inner whitespace, make times monotonic with end >= start."""
    out: list[Word] = []
    prev_start = 0.0
    for w in words:
        text = " ".join(w.text.split())
        if not text:
            continue
        start = max(w.start, prev_start)
        end = max(w.end, start)
        if (text, start, end) != (w.text, w.start, w.end):
            w = Word(text=text, start=start, end=end)
        out.append(w)
        prev_start = start
    return out


def _phrases(words: list[Word], pause_break: float) -> list[list[Word]]:
    """Split at hard breaks: a pause of at least `pause_break` or the end of a sentence."""
    phrases: list[list[Word]] = [[words[0]]]
    for prev, word in itertools.pairwise(words):
        if word.start - prev.end >= pause_break or is_sentence_end(prev.text):
            phrases.append([word])
        else:
            phrases[-1].append(word)
    return phrases


def _split_phrase(
    phrase: list[Word],
    fits: LineFits,
    max_lines: int,
    max_words: int | None,
    max_duration: float,
    max_chars: int,
) -> list[list[Word]]:
    """Cut one phrase into cues with the least total cost (dynamic programming over cut points)."""
    n = len(phrase)
    capacity = max_lines * max_chars
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * n
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            if j - i > 1 and not _cue_ok(phrase[i:j], fits, max_lines, max_words, max_duration):
                break  # adding earlier words never makes a too-big cue fit
            chars = sum(len(w.text) + 1 for w in phrase[i:j]) - 1
            cost = best[i][0] + _CUE_COST + _FILL_COST * min(chars / capacity, 2.0) ** 2
            if j < n:
                cost += _cue_break_cost(phrase[j - 1].text)
            if j - i == 1 and n > 1:
                cost += _ORPHAN
            if cost < best[j][0]:
                best[j] = (cost, i)
    cues: list[list[Word]] = []
    j = n
    while j > 0:
        i = best[j][1]
        cues.append(phrase[i:j])
        j = i
    return cues[::-1]


def _cue_ok(
    words: list[Word], fits: LineFits, max_lines: int, max_words: int | None, max_duration: float
) -> bool:
    if max_words is not None and len(words) > max_words:
        return False
    if words[-1].end - words[0].start > max_duration:
        return False
    texts = [w.text for w in words]
    n = len(texts)
    # Feasibility only: stop at the first set of line breaks where every line fits.
    return any(
        all(fits(texts[a:b]) for a, b in itertools.pairwise((0, *cuts, n)))
        for count in range(1, min(max_lines, n) + 1)
        for cuts in itertools.combinations(range(1, n), count - 1)
    )


def _cue_break_cost(last_text: str) -> float:
    cost = _BREAK_CLAUSE if is_clause_end(last_text) else _BREAK_PLAIN
    if last_text.lower() in _WEAK:
        cost += _BREAK_WEAK
    return cost


def _line_break_cost(last_text: str) -> float:
    if is_clause_end(last_text):
        return 0.0
    # In characters of the longest line: a plain break must buy 8 characters of balance.
    return 8.0 + (3.0 if last_text.lower() in _WEAK else 0.0)
