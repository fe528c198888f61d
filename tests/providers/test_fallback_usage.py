"""Fallback chains, usage records with estimated cost, and plan limits."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from faceless.domain.errors import InputError, ProviderError
from faceless.domain.words import Word
from faceless.providers.base import ChatMessage, ProviderInfo, Speech, VoiceInfo
from faceless.providers.fallback import FallbackLLM, FallbackTTS
from faceless.providers.openai import OpenAILLM, OpenAITTS
from faceless.providers.pricing import estimate_cost, price_of
from faceless.providers.usage import (
    Plan,
    SQLiteUsageStore,
    UsageLimitExceeded,
    UsageMeter,
    month_start,
    use_meter,
)

from .conftest import Sleeps
from .fakes.llm import install_openai_chat
from .fakes.server import Answer, FakeServer


class LocalTTS:
    info: ClassVar[ProviderInfo] = ProviderInfo(id="local", capability="tts", offline=True)

    def __init__(self, fail: Exception | None = None) -> None:
        self.fail = fail
        self.voices_used: list[str | None] = []

    def synthesize(self, text: str, out_wav: Path, *, voice: str | None = None, speed: float = 1.0) -> Speech:
        self.voices_used.append(voice)
        if self.fail:
            raise self.fail
        out_wav.write_bytes(b"RIFF")
        return Speech(out_wav, 1.0, 48000, [Word(text=t, start=0, end=0.1) for t in text.split()])

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo("joe", "Joe")]


def test_tts_chain_skips_missing_key_and_failing_service(
    server: FakeServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.route("POST", "/v1/audio/speech", lambda r: Answer(500, {"error": {"message": "server error"}}))
    failing = OpenAITTS(api_key="sk-chain-1", base_url=server.url + "/v1", sleep=sleeps, max_retries=1)
    local = LocalTTS()
    chain = FallbackTTS(["elevenlabs:Rachel", failing, local])  # no ELEVENLABS_API_KEY in the test env
    speech = chain.synthesize("hello there", tmp_path / "v.wav", voice="nova")
    assert [w.text for w in speech.words] == ["hello", "there"]
    assert chain.served_by == "local"
    assert [name for name, _ in chain.attempts] == ["elevenlabs", "openai", "local"]
    assert "ELEVENLABS_API_KEY" in chain.attempts[0][1] and "HTTP 500" in chain.attempts[1][1]
    assert len(server.requests) == 2  # one retry, then on to the next provider
    assert local.voices_used == [None]  # 'nova' was meant for the first provider only


def test_chain_stops_on_user_error_and_reports_all_failures(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        FallbackTTS([LocalTTS(InputError("bad voice: use joe")), LocalTTS()]).synthesize(
            "x", tmp_path / "a.wav"
        )
    chain = FallbackTTS([LocalTTS(ProviderError("down")), LocalTTS(ProviderError("also down"))])
    with pytest.raises(ProviderError, match="every tts provider failed .*down.*also down"):
        chain.synthesize("x", tmp_path / "a.wav")
    assert chain.served_by is None


def test_llm_chain_with_specs(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    install_openai_chat(server, key=None, reply=lambda r: "ok")
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    chain = FallbackLLM(["anthropic", "openai:qwen2.5"])
    assert chain.complete([ChatMessage("user", "hi")]).text == "ok"
    assert chain.served_by == "openai" and server.requests[-1].json()["model"] == "qwen2.5"


def test_pricing_prefix_match() -> None:
    assert price_of("openai", "gpt-4o-mini-2024-07-18").input_per_mtok == 0.15
    assert price_of("openai", "gpt-4o-2024-08-06").input_per_mtok == 2.50
    assert estimate_cost(
        "openai", "gpt-4o-mini", input_tokens=1_000_000, output_tokens=1_000_000
    ) == pytest.approx(0.75)
    assert estimate_cost("elevenlabs", "eleven_multilingual_v2", characters=1000) == pytest.approx(0.30)
    assert estimate_cost("openai", "llama3.2", input_tokens=10**6) == 0.0  # self-hosted: free


def test_usage_recorded_per_call_and_cache_hits_free(
    server: FakeServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    install_openai_chat(server, key="sk-u-123456", reply=lambda r: "hi")
    store = SQLiteUsageStore(tmp_path / "usage.sqlite3")
    llm = OpenAILLM(api_key="sk-u-123456", base_url=server.url + "/v1", model="gpt-4o-mini", sleep=sleeps)
    with use_meter(UsageMeter(store, "org-1", "pro")):
        llm.complete([ChatMessage("user", "hello")])
        llm.complete([ChatMessage("user", "hello")])  # cache hit
    llm.complete([ChatMessage("user", "no meter")])  # outside a meter: not recorded
    recs = store.records("org-1")
    assert [(r.provider, r.capability, r.model, r.input_tokens, r.output_tokens, r.cached) for r in recs] == [
        ("openai", "llm", "gpt-4o-mini", 120, 80, False),
        ("openai", "llm", "gpt-4o-mini", 120, 80, True),
    ]
    assert recs[0].cost_usd == pytest.approx((120 * 0.15 + 80 * 0.60) / 1e6) and recs[1].cost_usd == 0
    assert SQLiteUsageStore(tmp_path / "usage.sqlite3").spent("org-1", 0) == pytest.approx(recs[0].cost_usd)


def test_plan_limit_refuses_before_calling(server: FakeServer, sleeps: Sleeps) -> None:
    install_openai_chat(server, key="sk-u-123456", reply=lambda r: "hi")
    store = SQLiteUsageStore()
    meter = UsageMeter(store, "org-2", Plan("tiny", 0.01))
    llm = OpenAILLM(api_key="sk-u-123456", base_url=server.url + "/v1", model="gpt-4o", sleep=sleeps)
    with use_meter(meter), pytest.raises(UsageLimitExceeded) as err:
        llm.complete([ChatMessage("user", "hello")], max_tokens=4000)  # worst case 4000 x $10/M > $0.01
    assert "monthly limit of the tiny plan" in str(err.value) and "org-2" in str(err.value)
    assert server.requests == []
    with use_meter(meter):
        llm.complete([ChatMessage("user", "hello")], max_tokens=100)  # affordable
    assert len(server.requests) == 1


def test_limit_counts_only_this_month() -> None:
    store = SQLiteUsageStore()
    now = 1_750_000_000.0  # June 2025
    meter = UsageMeter(store, "o", Plan("p", 1.0), clock=lambda: now)
    from faceless.providers.usage import UsageRecord

    store.add(
        UsageRecord(
            ts=month_start(now) - 10,
            organisation="o",
            provider="x",
            capability="llm",
            model="m",
            cost_usd=5.0,
        )
    )
    store.add(UsageRecord(ts=now, organisation="o", provider="x", capability="llm", model="m", cost_usd=0.6))
    meter.check("openai", 0.3)
    with pytest.raises(UsageLimitExceeded):
        meter.check("openai", 0.5)
