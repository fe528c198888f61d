"""Text → speech-ready beats and scene cards: parsing, sentence splitting, normalisation, scene planning,
keywords, article loading and extractive summaries. Pure Python, no model weights."""

from faceless.text.article import Article, load_article
from faceless.text.keywords import extract_keywords
from faceless.text.normalize import display_token, normalize_for_speech, normalize_tokens
from faceless.text.scenes import SceneDraft, estimate_seconds, plan_scenes
from faceless.text.script import parse_script, parse_script_paragraphs
from faceless.text.sentences import split_sentences
from faceless.text.summarize import summarize, target_words_for

__all__ = [
    "Article",
    "SceneDraft",
    "display_token",
    "estimate_seconds",
    "extract_keywords",
    "load_article",
    "normalize_for_speech",
    "normalize_tokens",
    "parse_script",
    "parse_script_paragraphs",
    "plan_scenes",
    "split_sentences",
    "summarize",
    "target_words_for",
]
