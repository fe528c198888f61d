"""LLM script writer: topic in, validated script draft (title, description, hashtags, scenes) out."""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from faceless.domain.errors import InputError, ProviderError
from faceless.domain.project import Scene
from faceless.providers.base import ChatMessage, LLMProvider
from faceless.providers.llm_support import InvalidOutput
from faceless.script.prompts import SYSTEM, target_words, user_prompt

log = logging.getLogger("faceless.script")


class SceneCard(BaseModel):
    model_config = ConfigDict(extra="ignore")

    narration: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    visual_intent: str = ""

    @field_validator("narration")
    @classmethod
    def _spoken(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("empty narration")
        return v

    @field_validator("keywords")
    @classmethod
    def _clean_keywords(cls, v: list[str]) -> list[str]:
        return [k.strip() for k in v if k.strip()][:6]


class ScriptDraft(BaseModel):
    """What the LLM wrote, validated."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    hashtags: list[str] = Field(default_factory=list)
    scenes: list[SceneCard] = Field(min_length=1)

    @field_validator("hashtags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        tags = []
        for t in v:
            t = re.sub(r"\s+", "", t.strip())
            if t.strip("#"):
                tags.append("#" + t.lstrip("#"))
        return tags[:10]

    @property
    def word_count(self) -> int:
        return sum(len(s.narration.split()) for s in self.scenes)

    def to_scenes(self) -> list[Scene]:
        """Domain scenes (`s1`, `s2`, ...) for a Project."""
        return [
            Scene(id=f"s{i}", narration=c.narration, keywords=c.keywords, visual_intent=c.visual_intent)
            for i, c in enumerate(self.scenes, 1)
        ]


def script_schema() -> dict[str, Any]:
    """The JSON schema sent to the model (strict: every field required, no extra fields)."""
    string = {"type": "string"}
    return {
        "title": "script",
        "type": "object",
        "properties": {
            "title": string,
            "description": string,
            "hashtags": {"type": "array", "items": string},
            "scenes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "narration": string,
                        "keywords": {"type": "array", "items": string},
                        "visual_intent": string,
                    },
                    "required": ["narration", "keywords", "visual_intent"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["title", "description", "hashtags", "scenes"],
        "additionalProperties": False,
    }


def write_script(
    topic: str,
    *,
    llm: LLMProvider,
    format: str = "explainer",
    duration: float = 60,
    tone: str = "friendly",
    language: str = "en",
    tier: Literal["draft", "final"] = "final",
) -> ScriptDraft:
    """Ask `llm` for a script about `topic`; validate it and retry once if the answer is invalid."""
    if not topic.strip():
        raise InputError('empty topic: pass --topic "what the video is about"')
    if not 5 <= duration <= 600:
        raise InputError(f"duration {duration}s out of range: choose 5 to 600 seconds")
    messages = [
        ChatMessage("system", SYSTEM),
        ChatMessage(
            "user", user_prompt(topic, format=format, duration=duration, tone=tone, language=language)
        ),
    ]
    max_tokens = max(1024, target_words(duration) * 4 + 600)
    schema = script_schema()
    problem = ""
    for attempt in range(2):
        text = ""
        try:
            completion = llm.complete(messages, json_schema=schema, max_tokens=max_tokens, tier=tier)
            text = completion.text
            if not isinstance(completion.data, dict):
                raise InvalidOutput("the answer is not a JSON object")
            draft = ScriptDraft.model_validate(completion.data)
        except (InvalidOutput, ValidationError) as exc:
            problem = _describe(exc)
            text = text or getattr(exc, "text", "")
            log.warning("script attempt %d invalid: %s", attempt + 1, problem)
            # Show the model its own answer and what was wrong (also makes the retry a new request,
            # so the response cache cannot hand back the same invalid answer).
            messages = [
                *messages[:2],
                *([ChatMessage("assistant", text)] if text else []),
                ChatMessage(
                    "user",
                    f"That answer was invalid ({problem}). Reply again with only the "
                    "JSON object matching the schema, every field filled in.",
                ),
            ]
            continue
        words, want = draft.word_count, target_words(duration)
        if not want * 0.5 <= words <= want * 1.6:
            log.warning("script has %d words for a target of %d", words, want)
        return draft
    raise ProviderError(
        f"the language model returned an invalid script twice ({problem}): "
        "try again, or use a stronger model (tier final)"
    )


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
    return str(exc)
