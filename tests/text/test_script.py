"""Scripts in plain text or Markdown become beats; Unicode passes through untouched."""

from __future__ import annotations

import pytest

from faceless.domain.errors import InputError
from faceless.text.script import looks_like_markdown, parse_script, parse_script_paragraphs

MARKDOWN = """---
title: Octopus
tags: [sea]
---
# Why octopuses have *three* hearts

Octopuses have **three** hearts. See [the paper](https://example.com/p) ![diagram](d.png) for <b>details</b>.
Costs are `50%` less.

## Facts
- Blue blood
- Eight arms!

1. First item
2. Second item

| Animal | Hearts |
|--------|--------|
| Octopus | 3 |

```python
print("never spoken")
```

<div class="ad">Sponsored text</div>
<!-- a comment -->
<script>alert("x")</script>

> A quote, here.

    Indented prose is still prose.

---
"""


def test_markdown_is_stripped_into_paragraphs() -> None:
    paragraphs = parse_script_paragraphs(MARKDOWN)
    assert paragraphs == [
        ["Why octopuses have three hearts."],
        ["Octopuses have three hearts.", "See the paper for details.", "Costs are 50% less."],
        ["Facts."],
        ["Blue blood.", "Eight arms!"],
        ["First item.", "Second item."],
        ["Animal, Hearts.", "Octopus, 3."],
        ["Sponsored text."],
        ["A quote, here."],
        ["Indented prose is still prose."],
    ]
    flat = " ".join(parse_script(MARKDOWN))
    for gone in (
        "never spoken",
        "alert",
        "diagram",
        "d.png",
        "https://",
        "**",
        "`",
        "|",
        "title:",
        "comment",
    ):
        assert gone not in flat


def test_plain_text_paragraphs_and_stops() -> None:
    text = "Plain text here. Two sentences\n\nSecond paragraph\r\n\r\n    indented 5 * 3 stays"
    assert parse_script_paragraphs(text) == [
        ["Plain text here.", "Two sentences."],
        ["Second paragraph."],
        ["indented 5 * 3 stays."],
    ]


def test_unicode_passes_through_unharmed() -> None:
    text = "Emoji 🚀 and “curly” quotes: C:\\Users\\me %{name} café naïve 日本語 👨‍👩‍👧 done!"
    assert parse_script(text) == [text]
    # The same text inside Markdown survives too (backslashes before letters are not escapes).
    assert parse_script(f"# Title\n\n{text}") == ["Title.", text]


def test_emoji_at_paragraph_end_gets_no_stray_stop() -> None:
    assert parse_script("Let's go 🚀") == ["Let's go 🚀"]


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t", "```\ncode only\n```", "![x](y.png)", "🚀🔥", "# \n\n---", "<!-- hidden -->", "\x00\x01"],
)
def test_nothing_speakable_raises(text: str) -> None:
    with pytest.raises(InputError, match="script is empty"):
        parse_script(text)


def test_markdown_detection() -> None:
    assert looks_like_markdown("# Heading\n\ntext")
    assert looks_like_markdown("Some **bold** text")
    assert looks_like_markdown("a [link](http://x)")
    assert not looks_like_markdown("It costs $5 * 3 and #hashtags are fine.")
    assert not looks_like_markdown("2024. What a year.")
    # Forcing plain text keeps Markdown-looking characters.
    assert parse_script("**not bold**", markdown=False) == ["**not bold**"]
