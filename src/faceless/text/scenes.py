"""Beats → scene cards of a few seconds of speech each, with keywords and a visual intent for search."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from faceless.domain.errors import InputError
from faceless.text.chars import strip_emoji
from faceless.text.keywords import extract_keywords
from faceless.text.normalize import normalize_tokens

# Costs of the segmentation (in seconds² of deviation from the ideal length).
_SHORT_COST = 100.0  # a scene shorter than min_seconds
_PARAGRAPH_COST = 60.0  # a scene that spans a paragraph/heading boundary
_LEAD_IN_COST = 40.0  # ... that starts with a whole short paragraph (a heading) leading into the next
_MAX_UNITS_PER_SCENE = 200  # bounds the search even for beats that speak no words (emoji only)
_CLAUSE_CUT_COST = 12.0  # a scene that ends inside a sentence, at a clause boundary
_WORD_CUT_COST = 30.0  # a scene that ends inside a clause
_PLAIN_WORD = re.compile(r"^[\"'“‘(\[]*[^\W\d_]+(?:['’-][^\W\d_]+)*[.,;:!?…\"'”’)\]]*$")
_CLAUSE_END = re.compile(r"[,;:—–]['\"”’)\]]*$|^[—–-]+$")


@dataclass
class SceneDraft:
    """A planned scene: what is said, and what to look for to show while it is said."""

    narration: str
    keywords: list[str] = field(default_factory=list)
    visual_intent: str = ""
    estimated_seconds: float = 0.0


@dataclass
class _Unit:
    tokens: list[str]
    words: float  # spoken words
    paragraph: int
    cut: float  # cost of a scene ending after this unit (0 at a sentence end)


def spoken_words(tokens: list[str]) -> float:
    """Number of spoken words in `tokens` (numbers, money and symbols expanded; emoji count as none)."""
    total = 0
    for tok in tokens:
        if _PLAIN_WORD.match(tok):
            total += 1  # the common case, no normalisation needed
        elif any(c.isalnum() for c in tok):
            total += max(1, len(normalize_tokens([tok])[0].split()))
    return total


def estimate_seconds(text: str, words_per_minute: float = 150) -> float:
    """Estimated speaking time of `text` at `words_per_minute`."""
    return spoken_words(text.split()) * 60.0 / words_per_minute


def _clauses(tokens: list[str]) -> list[list[str]]:
    """Split a sentence's tokens after clause punctuation (, ; : — –)."""
    out: list[list[str]] = [[]]
    for tok in tokens:
        out[-1].append(tok)
        if _CLAUSE_END.search(strip_emoji(tok)):
            out.append([])
    return [c for c in out if c]


def _units(paragraphs: list[list[str]], max_words: float) -> list[_Unit]:
    """Sentences cut into clauses, and clauses longer than a scene cut evenly by words."""
    units: list[_Unit] = []
    for p, beats in enumerate(paragraphs):
        for beat in beats:
            tokens = beat.split()
            if not tokens:
                continue
            clauses = _clauses(tokens) if spoken_words(tokens) > 0.5 * max_words else [tokens]
            for c, clause in enumerate(clauses):
                last_clause = c == len(clauses) - 1
                words = spoken_words(clause)
                n = max(1, math.ceil(words / max_words))
                size = math.ceil(len(clause) / n)
                pieces = [clause[k : k + size] for k in range(0, len(clause), size)]
                for k, piece in enumerate(pieces):
                    end_of_clause = k == len(pieces) - 1
                    cut = 0.0 if end_of_clause and last_clause else _CLAUSE_CUT_COST
                    if not end_of_clause:
                        cut = _WORD_CUT_COST
                    units.append(_Unit(piece, spoken_words(piece), p, cut))
    return units


def _segment(units: list[_Unit], min_s: float, max_s: float, per_second: float) -> list[tuple[int, int]]:
    """Optimal grouping of consecutive units into scenes (dynamic programming, linear in units).

    Cost of a scene: squared distance in seconds from the ideal length, plus penalties for being too
    short, for crossing paragraph boundaries (less when a whole short paragraph, such as a heading,
    leads into the next) and for ending inside a sentence. A scene never exceeds `max_s` unless a
    single unit does.
    """
    n = len(units)
    target = (min_s + max_s) / 2
    paragraph_seconds: dict[int, float] = {}
    for u in units:
        paragraph_seconds[u.paragraph] = paragraph_seconds.get(u.paragraph, 0.0) + u.words / per_second
    # A scene that starts with a whole paragraph too short to stand alone (a heading) and runs on into
    # the next one is a lead-in, cheaper than tacking a short paragraph onto the end of the one before.
    lead_in = [
        (i == 0 or units[i].paragraph != units[i - 1].paragraph)
        and paragraph_seconds[units[i].paragraph] < min_s
        for i in range(n)
    ]
    best = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    for end in range(1, n + 1):
        seconds = 0.0
        crossings = 0
        for start in range(end - 1, max(-1, end - 1 - _MAX_UNITS_PER_SCENE), -1):
            seconds += units[start].words / per_second
            if start < end - 1 and units[start].paragraph != units[start + 1].paragraph:
                crossings += 1
            if seconds > max_s and start < end - 1:
                break
            cost = (seconds - target) ** 2 + units[end - 1].cut
            if crossings:
                cost += crossings * (_LEAD_IN_COST if lead_in[start] else _PARAGRAPH_COST)
            if seconds < min_s:
                cost += _SHORT_COST + 10 * (min_s - seconds) ** 2
            if best[start] + cost < best[end]:
                best[end] = best[start] + cost
                back[end] = start
    spans = []
    end = n
    while end > 0:
        spans.append((back[end], end))
        end = back[end]
    return spans[::-1]


def _as_paragraphs(beats: list[str] | list[list[str]]) -> list[list[str]]:
    if not beats:
        return []
    if all(isinstance(b, str) for b in beats):
        return [list(beats)]  # type: ignore[arg-type]
    if all(isinstance(b, list) for b in beats):
        return [list(p) for p in beats if p]  # type: ignore[misc]
    raise TypeError("beats must be a list of sentences or a list of paragraphs (lists of sentences)")


def plan_scenes(
    beats: list[str] | list[list[str]],
    *,
    words_per_minute: float = 150,
    min_seconds: float = 3.0,
    max_seconds: float = 8.0,
) -> list[SceneDraft]:
    """Group beats into scenes of about `min_seconds`–`max_seconds` of estimated speech.

    `beats` is a flat list of sentences or a list of paragraphs (as from `parse_script_paragraphs`);
    scenes cross a paragraph boundary only when a paragraph is too short to stand alone. A too-long
    sentence is split at clause punctuation, or else evenly by words.
    """
    if words_per_minute <= 0 or min_seconds <= 0 or max_seconds < min_seconds:
        raise InputError(
            "scene timing is invalid: use words_per_minute > 0 and 0 < min_seconds <= max_seconds"
        )
    paragraphs = _as_paragraphs(beats)
    per_second = words_per_minute / 60.0
    units = _units(paragraphs, max(1.0, max_seconds * per_second))
    scenes: list[SceneDraft] = []
    for start, end in _segment(units, min_seconds, max_seconds, per_second):
        tokens = [t for u in units[start:end] for t in u.tokens]
        narration = " ".join(tokens)
        words = sum(u.words for u in units[start:end])
        keywords = extract_keywords(narration, k=4)
        scenes.append(SceneDraft(narration, keywords, " ".join(keywords[:3]), words / per_second))
    _fill_visual_intents(scenes)
    return scenes


def _fill_visual_intents(scenes: list[SceneDraft]) -> None:
    """Scenes with no keyword of their own ("Yes. Really.") borrow the previous (or next) scene's intent."""
    previous = ""
    for scene in scenes:
        if not scene.visual_intent:
            scene.visual_intent = previous
        previous = scene.visual_intent or previous
    following = ""
    for scene in reversed(scenes):
        if not scene.visual_intent:
            scene.visual_intent = following or strip_emoji(scene.narration).strip()
        following = scene.visual_intent


def scene_to_dict(scene: SceneDraft) -> dict[str, Any]:
    """A JSON-ready dict of a scene draft."""
    return {
        "narration": scene.narration,
        "keywords": list(scene.keywords),
        "visual_intent": scene.visual_intent,
        "estimated_seconds": round(scene.estimated_seconds, 3),
    }
