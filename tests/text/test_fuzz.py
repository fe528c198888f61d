"""Random hostile text through the whole text pipeline: nothing crashes, invariants hold."""

from __future__ import annotations

import random

from faceless.domain.errors import InputError
from faceless.text import (
    display_token,
    extract_keywords,
    normalize_tokens,
    parse_script_paragraphs,
    plan_scenes,
    split_sentences,
)

PIECES = list("abc XYZ 0123456789 .,;:!?…—–-'\"“”‘’()[]{}<>#@$€£%&+=*/\\_~^|`\n\t") + [
    "🚀", "👍🏽", "👨‍👩‍👧", "🇬🇧", "é", "日", "\u200b", "\x00", "\u202e", "ﬁ", "İ", "ß", "٣", "½", "²",
    "Dr.", "St.", "e.g.", "$5.99", "1998", "3:30pm", "http://", "www.", "**", "# ", "- ", "```",
    "| a |", "<b>", "&amp;", "%{x}", "\n\n", "1.", "\r\n",
]  # fmt: skip


def test_random_text_never_crashes() -> None:
    rng = random.Random(1234)
    parsed = 0
    for _ in range(400):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 80)))
        assert all(s for s in split_sentences(text))
        extract_keywords(text)
        try:
            paragraphs = parse_script_paragraphs(text)
        except InputError as exc:
            assert "script is empty" in str(exc)
            continue
        parsed += 1
        for scene in plan_scenes(paragraphs):
            tokens = scene.narration.split()
            assert len(normalize_tokens(tokens)) == len(tokens)
            for tok in tokens:
                assert "\x00" not in display_token(tok)
    assert parsed > 100
