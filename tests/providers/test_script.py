"""The LLM script writer through the OpenAI-compatible provider and a fake server."""

from __future__ import annotations

from typing import Any

import pytest

from faceless.domain.errors import InputError, ProviderError
from faceless.providers.anthropic import AnthropicLLM
from faceless.providers.openai import OpenAILLM
from faceless.script import ScriptDraft, default_llm, script_schema, write_script

from .conftest import Sleeps
from .fakes.llm import install_openai_chat
from .fakes.server import FakeServer, Request

GOOD = {
    "title": "Why octopuses have three hearts",
    "description": "A one-minute dive into octopus biology.",
    "hashtags": ["#octopus", "ocean facts", "#science"],
    "scenes": [
        {
            "narration": "Octopuses have three hearts.",
            "keywords": ["octopus", "reef"],
            "visual_intent": "An octopus gliding over a coral reef",
        },
        {
            "narration": "Two pump blood to the gills, one to the body.",
            "keywords": ["gills", " "],
            "visual_intent": "Close-up of an octopus breathing",
        },
    ],
}


def llm(server: FakeServer, sleeps: Sleeps) -> OpenAILLM:
    return OpenAILLM(base_url=server.url + "/v1", model="llama3.1", draft_model="llama3.2:1b", sleep=sleeps)


def test_write_script_prompt_schema_and_result(server: FakeServer, sleeps: Sleeps) -> None:
    install_openai_chat(server, key=None, reply=lambda r: GOOD)
    draft = write_script(
        "octopus hearts",
        llm=llm(server, sleeps),
        format="listicle",
        duration=30,
        tone="playful",
        language="es",
        tier="draft",
    )
    body = server.requests[-1].json()
    assert body["model"] == "llama3.2:1b"
    assert body["response_format"]["json_schema"]["schema"] == script_schema()
    prompt = body["messages"][1]["content"]
    assert "Topic: octopus hearts" in prompt and "listicle" in prompt and "Tone: playful" in prompt
    assert "about 75 words" in prompt and ": es" in prompt and "4 scenes" in prompt
    assert draft.title == GOOD["title"] and draft.hashtags == ["#octopus", "#oceanfacts", "#science"]
    assert draft.scenes[1].keywords == ["gills"]
    scenes = draft.to_scenes()
    assert [s.id for s in scenes] == ["s1", "s2"] and scenes[0].visual_intent.startswith("An octopus")


def test_invalid_json_is_retried_once(server: FakeServer, sleeps: Sleeps) -> None:
    answers: list[Any] = ["{not json", {"title": "x", "scenes": []}, GOOD]

    def reply(req: Request) -> Any:
        return answers.pop(0)

    install_openai_chat(server, key=None, reply=reply)
    with pytest.raises(ProviderError, match="invalid script twice .*scenes"):
        write_script("topic", llm=llm(server, sleeps))
    retry = server.requests[1].json()["messages"]
    assert retry[2] == {"role": "assistant", "content": "{not json"} and "invalid" in retry[3]["content"]
    assert isinstance(write_script("topic", llm=llm(server, sleeps)), ScriptDraft)  # third answer is good


def test_bad_input_is_an_input_error(server: FakeServer, sleeps: Sleeps) -> None:
    with pytest.raises(InputError, match="unknown script format 'poem'"):
        write_script("x", llm=llm(server, sleeps), format="poem")
    with pytest.raises(InputError, match="empty topic"):
        write_script("  ", llm=llm(server, sleeps))
    with pytest.raises(InputError, match="duration"):
        write_script("x", llm=llm(server, sleeps), duration=3600)


def test_default_llm_from_config(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_llm() is None
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-0000")
    assert isinstance(default_llm(), AnthropicLLM)
    monkeypatch.setenv("FACELESS_LLM", "openai:qwen2.5:7b")
    monkeypatch.setenv("FACELESS_LLM_DRAFT", "openai:qwen2.5:0.5b")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    chosen = default_llm()
    assert (
        isinstance(chosen, OpenAILLM)
        and chosen.model == "qwen2.5:7b"
        and chosen.draft_model == "qwen2.5:0.5b"
    )
    monkeypatch.setenv("FACELESS_LLM", "gemini")
    with pytest.raises(ProviderError, match="GEMINI_API_KEY"):
        default_llm()  # configured but broken: say so rather than silently pick another
