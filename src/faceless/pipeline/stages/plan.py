"""Stage 1–2: any input (script, article, scene list, topic) becomes a Project of scene cards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, get_args

from faceless.domain import InputError, Project, Scene, VisualChoice
from faceless.domain.project import VisualPreference, scene_id

MAX_INPUT_BYTES = 20_000_000
PREFERENCES = get_args(VisualPreference)


def read_text_file(path: Path, what: str) -> str:
    """Read a UTF-8 text file with clear errors for the usual mistakes."""
    if not path.exists():
        raise InputError(f"{what} file not found: {path} (check the path)")
    if not path.is_file():
        raise InputError(f"{what} path is not a file: {path}")
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise InputError(f"{what} file is larger than 20 MB: {path} (split it)")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{what} file is not UTF-8 text: {path} (save it as UTF-8)") from None


def scenes_from_drafts(drafts: list[Any]) -> list[Scene]:
    """SceneDraft-like objects (narration, keywords, visual_intent) → Scenes with stable ids."""
    return [
        Scene(
            id=scene_id(i, d.narration),
            narration=d.narration,
            keywords=list(d.keywords),
            visual_intent=d.visual_intent,
        )
        for i, d in enumerate(drafts)
    ]


def title_from(text: str, limit: int = 70) -> str:
    first = text.strip().splitlines()[0].lstrip("#").strip() if text.strip() else "Untitled"
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def project_from_script(text: str, **settings: Any) -> Project:
    """Plain text or Markdown narration → scene cards."""
    from faceless.text.scenes import plan_scenes
    from faceless.text.script import parse_script_paragraphs

    if not text.strip():
        raise InputError("script is empty: write the narration in the file (plain text or Markdown)")
    drafts = plan_scenes(parse_script_paragraphs(text))
    if not drafts:
        raise InputError("script has nothing to speak: write some sentences of narration")
    settings.setdefault("title", title_from(text))
    return Project(scenes=scenes_from_drafts(drafts), **settings)


def project_from_article(source: str, *, duration: float = 60.0, **settings: Any) -> Project:
    """An article (HTML/text file or URL) → its main text → an offline extractive summary → scenes."""
    from faceless.media.embeddings import embed_texts
    from faceless.text.article import load_article
    from faceless.text.scenes import plan_scenes
    from faceless.text.sentences import split_sentences
    from faceless.text.summarize import summarize, target_words_for

    article = load_article(source)
    sentences = split_sentences(article.text)
    if not sentences:
        raise InputError(f"no article text found in {source}: pass the page's HTML or a text file")
    summary = summarize(sentences, target_words_for(duration), embed_texts)
    drafts = plan_scenes(summary)
    settings.setdefault("title", article.title or title_from(article.text))
    return Project(scenes=scenes_from_drafts(drafts), **settings)


def project_from_topic(
    topic: str,
    *,
    duration: float = 60.0,
    llm: str | None = None,
    tier: Literal["draft", "final"] = "final",
    style: str = "explainer",
    tone: str = "friendly",
    **settings: Any,
) -> Project:
    """A topic → a script written by the LLM (`llm` spec or chain, else the configured one) → scenes.

    `tier="draft"` uses the provider's cheap draft model; `style` picks the prompt template
    (explainer, listicle, story, news); `tone` is free text ("friendly", "dramatic", ...).
    """
    if not topic.strip():
        raise InputError(
            "topic is empty: say what the video is about, e.g. --topic 'why octopuses have three hearts'"
        )
    from faceless.script import default_llm, write_script

    model = default_llm(spec=llm)
    if model is None:
        raise InputError(
            "--topic needs an LLM: set OPENAI_API_KEY (or OPENAI_BASE_URL for Ollama/LM Studio), "
            "ANTHROPIC_API_KEY or GEMINI_API_KEY; or pass --script FILE / --article FILE_OR_URL"
        )
    draft = write_script(
        topic,
        llm=model,
        duration=duration,
        tier=tier,
        format=style,
        tone=tone,
        language=settings.get("language", "en"),
    )
    scenes = [
        Scene(
            id=scene_id(i, c.narration),
            narration=c.narration,
            keywords=list(c.keywords),
            visual_intent=c.visual_intent,
        )
        for i, c in enumerate(draft.scenes)
    ]
    settings.setdefault("title", draft.title)
    settings.setdefault("description", draft.description)
    settings.setdefault("hashtags", list(draft.hashtags))
    return Project(scenes=scenes, **settings)


def project_from_scenes_file(path: Path, **settings: Any) -> Project:
    """A JSON scene list: `[{narration, keywords?, visual_intent?, visual_preference?, visual?}]` or
    `{"title", "scenes": [...]}`.

    `visual` may be a path to an image or video (relative to the JSON file) that is then pinned.
    """
    from faceless.text.keywords import extract_keywords

    try:
        data = json.loads(read_text_file(path, "scenes"))
    except json.JSONDecodeError as e:
        raise InputError(f"scenes file is not valid JSON ({e.msg} at line {e.lineno}): {path}") from None
    if isinstance(data, dict) and data.get("schema"):
        return Project.from_data(data)
    items = data.get("scenes") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise InputError(f"scenes file must hold a non-empty list of scenes: {path}")
    scenes: list[Scene] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            item = {"narration": item}
        if not isinstance(item, dict) or not str(item.get("narration", "")).strip():
            raise InputError(f"scene {i + 1} in {path} has no narration: give each scene a 'narration' text")
        narration = str(item["narration"]).strip()
        visual = None
        if item.get("visual"):
            vpath = (path.parent / str(item["visual"])).resolve()
            if not vpath.is_file():
                raise InputError(f"scene {i + 1} visual not found: {vpath}")
            from faceless.media.validate import check_media, kind_of

            info = check_media(vpath)
            visual = VisualChoice(
                kind=kind_of(info),
                path=str(vpath),
                source="user",
                licence="provided by the user",
                pinned=True,
                score=1.0,
                description=vpath.name,
            )
        keywords = item.get("keywords") or extract_keywords(narration)
        preference = str(item.get("visual_preference") or "auto")
        if preference not in PREFERENCES:
            raise InputError(
                f"scene {i + 1} in {path}: unknown visual_preference {preference!r}: "
                f"use one of {', '.join(PREFERENCES)}"
            )
        scenes.append(
            Scene(
                id=str(item.get("id") or scene_id(i, narration)),
                narration=narration,
                keywords=[str(k) for k in keywords],
                visual_intent=str(item.get("visual_intent") or item.get("visual_hint") or ""),
                visual_preference=preference,  # type: ignore[arg-type]
                visual=visual,
            )
        )
    if isinstance(data, dict):
        for key in ("title", "description", "hashtags"):
            if key in data:
                settings.setdefault(key, data[key])
    settings.setdefault("title", title_from(scenes[0].narration))
    return Project(scenes=scenes, **settings)
