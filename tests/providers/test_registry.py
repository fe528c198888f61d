"""The registry: statuses, creation, specs, entry points."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from faceless.domain.errors import InputError, ProviderError
from faceless.providers import registry as reg_module
from faceless.providers.base import ProviderInfo
from faceless.providers.config import load_config
from faceless.providers.elevenlabs import ElevenLabsTTS
from faceless.providers.openai import OpenAILLM, OpenAITTS
from faceless.providers.registry import Registry
from faceless.providers.vendor import MissingKey


class NeedsPackage:
    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="fancy", capability="music", modules=("no_such_module_xyz",), extra="fancy-music"
    )


class Plain:
    info: ClassVar[ProviderInfo] = ProviderInfo(id="plain", capability="music", offline=True, description="d")

    def __init__(self, **options: Any) -> None:
        self.options = options


def test_statuses(monkeypatch: pytest.MonkeyPatch) -> None:
    r = Registry(builtins=False, discover=False)
    r.register(NeedsPackage)
    r.register(Plain)
    r.register(OpenAILLM)
    r.register(ElevenLabsTTS)
    monkeypatch.setenv("ELEVENLABS_API_KEY", "el-key-1234")
    by = {(s.capability, s.id): s for s in r.available()}
    assert by[("music", "fancy")].status == "missing package"
    assert by[("music", "fancy")].detail == "pip install 'faceless[fancy-music]'"
    assert by[("music", "plain")].ready and by[("music", "plain")].offline
    assert (by[("llm", "openai")].status, by[("llm", "openai")].detail) == ("missing key", "OPENAI_API_KEY")
    assert by[("tts", "elevenlabs")].ready
    assert [s.id for s in r.available("music")] == ["fancy", "plain"]
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")  # Ollama: no key needed
    assert r.available("llm")[0].ready


def test_create_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    r = Registry(builtins=False, discover=False)
    r.register(Plain)
    r.register(NeedsPackage)
    r.register(OpenAITTS)
    assert r.create("music", "plain", mood="calm").options == {"mood": "calm"}
    with pytest.raises(InputError, match="unknown music provider 'nope': choose one of fancy, plain"):
        r.create("music", "nope")
    with pytest.raises(ProviderError, match="pip install 'faceless\\[fancy-music\\]'"):
        r.create("music", "fancy")
    with pytest.raises(MissingKey, match="OPENAI_API_KEY"):
        r.create("tts", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-reg-0000")
    tts, voice = r.resolve_tts("openai:alloy")
    assert isinstance(tts, OpenAITTS) and voice == "alloy"


def test_builtins_and_unloadable_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(reg_module.BUILTINS, "tts.ghost", "faceless.providers.ghost_does_not_exist:Ghost")
    r = Registry(discover=False)
    by = {(s.capability, s.id): s for s in r.available(config=load_config(env={}))}
    assert by[("tts", "ghost")].status == "missing package"
    assert by[("llm", "anthropic")].detail == "ANTHROPIC_API_KEY"
    assert {
        ("stock", "pexels"),
        ("stock", "pixabay"),
        ("stock", "unsplash"),
        ("image", "stability"),
        ("tts", "azure"),
        ("llm", "gemini"),
    } <= set(by)
    with pytest.raises(ProviderError, match="not installed"):
        r.create("tts", "ghost")


def test_entry_points_are_discovered(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    eps = [
        EntryPoint(name="music.plainx", value=f"{__name__}:Plain", group="faceless.providers"),
        EntryPoint(name="badname", value=f"{__name__}:Plain", group="faceless.providers"),
    ]
    monkeypatch.setattr(
        reg_module, "entry_points", lambda group: eps if group == "faceless.providers" else []
    )
    r = Registry(builtins=False)
    assert [(s.capability, s.id, s.status) for s in r.available()] == [("music", "plainx", "ready")]
    assert isinstance(r.create("music", "plainx"), Plain)


def test_resolve_llm_spec_sets_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    llm = reg_module.resolve("llm", "openai:mistral")
    assert isinstance(llm, OpenAILLM) and llm.model == "mistral" and llm.draft_model == "mistral"
