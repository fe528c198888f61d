"""Character classes shared by the text modules: emoji, control characters, word characters."""

from __future__ import annotations

import unicodedata

import regex

# Emoji and their glue: pictographs (but not the text symbols © ® ™ ‼ ⁉ that are also "pictographic"),
# skin-tone modifiers, zero-width joiner, variation selectors, keycap, flag letters and tag characters.
EMOJI_RE = regex.compile(
    r"[[\p{Extended_Pictographic}&&\P{ASCII}]--[©®™‼⁉]]"
    r"|[\p{Emoji_Modifier}\p{Regional_Indicator}\u200d\ufe0e\ufe0f\u20e3\U000E0020-\U000E007F]",
    regex.V1,
)

# Control and format characters (C0/C1 controls, zero-width spaces, bidi marks, soft hyphen, BOM).
CONTROL_RE = regex.compile(r"[\p{Cc}\p{Cf}]")

# Whitespace including the exotic ones (no-break, ideographic, line/paragraph separators).
SPACE_RE = regex.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def strip_emoji(text: str) -> str:
    """`text` without emoji (pictographs, modifiers, joiners, flags, keycaps)."""
    return EMOJI_RE.sub("", text)


def strip_controls(text: str, keep_newlines: bool = False) -> str:
    """`text` without control/format characters; with `keep_newlines`, line breaks and tabs stay."""
    if keep_newlines:
        return regex.sub(r"[[\p{Cc}\p{Cf}]--[\n\t]]", "", text, flags=regex.V1)
    return CONTROL_RE.sub("", text)


def clean_text(text: str) -> str:
    """NFC-normalised text with Windows/Mac line ends unified and control characters removed.

    Emoji are kept (they are shown, not spoken); zero-width joiners inside emoji sequences are kept so
    that family/flag emoji survive intact.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    # Keep ZWJ (part of emoji sequences) and variation selectors; drop other format/control characters.
    return regex.sub(r"[[\p{Cc}\p{Cf}]--[\n\t\u200d\U000E0020-\U000E007F]]", "", text, flags=regex.V1)


def has_speakable(text: str) -> bool:
    """True when `text` holds at least one letter or digit (emoji and punctuation alone are not speech)."""
    return any(ch.isalnum() for ch in text)
