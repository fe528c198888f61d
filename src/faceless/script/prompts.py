"""Prompt templates of the script writer: one per format, plus tone, language and length."""

from __future__ import annotations

from faceless.domain.errors import InputError

WORDS_PER_MINUTE = 150
SECONDS_PER_SCENE = 7.5  # one visual every ~7 s keeps a short moving

FORMATS: dict[str, str] = {
    "explainer": (
        "an explainer: open with a surprising hook question or fact, then explain the idea step by step "
        "with one concrete example, and end with a one-sentence takeaway"
    ),
    "listicle": (
        "a listicle: a hook that promises the list, then one scene per item, each starting with its number "
        '("Number three: ..."), counting down to the best one, then a quick closing line'
    ),
    "story": (
        "a story: a gripping first line that drops us into the moment, a build-up with one twist, and a "
        "satisfying ending; past tense, vivid, no list structure"
    ),
    "news": (
        "a news summary: lead with what happened and why it matters, then the key facts (who, what, when, "
        "where), one line of context, and what happens next; neutral, no speculation, no invented quotes"
    ),
}

SYSTEM = (
    "You write narration scripts for short vertical videos (YouTube Shorts, TikTok, Reels). The narration "
    "is read aloud by a text-to-speech voice, so write for the ear: short sentences, plain words, numbers "
    "as people say them, no emoji, no stage directions, no markdown, no URLs. Every scene card has the "
    "narration for that beat, 2-4 concrete stock-footage search keywords in English (nouns a camera could "
    "film), and a visual_intent: one sentence describing what the viewer sees. Answer only with JSON "
    "matching the schema."
)


def target_words(duration: float) -> int:
    """Narration length for `duration` seconds at ~150 words per minute."""
    return max(15, round(duration * WORDS_PER_MINUTE / 60))


def scene_count(duration: float) -> int:
    return max(2, min(20, round(duration / SECONDS_PER_SCENE)))


def user_prompt(topic: str, *, format: str, duration: float, tone: str, language: str) -> str:
    """The request for one script."""
    if format not in FORMATS:
        raise InputError(f"unknown script format {format!r}: use one of {', '.join(FORMATS)}")
    words = target_words(duration)
    scenes = scene_count(duration)
    return (
        f"Topic: {topic.strip()}\n\n"
        f"Write {FORMATS[format]}.\n"
        f"Tone: {tone}.\n"
        f"Language of the narration, title, description and hashtags: {language} "
        "(keywords stay in English for stock search).\n"
        f"Length: about {words} words of narration in total (it must last about {duration:.0f} seconds "
        f"at {WORDS_PER_MINUTE} words per minute), split into {scenes} scenes of similar length.\n"
        "Also give a title under 70 characters, a 1-2 sentence description for the upload, and 3-6 "
        "hashtags (each starting with #, no spaces)."
    )
