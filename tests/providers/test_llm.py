"""OpenAI-compatible, Anthropic and Gemini chat against fake servers: what we send, what we do."""

from __future__ import annotations

import pytest

from faceless.domain.errors import ProviderError
from faceless.providers.anthropic import AnthropicLLM
from faceless.providers.base import ChatMessage
from faceless.providers.gemini import GeminiLLM
from faceless.providers.llm_support import InvalidOutput
from faceless.providers.openai import OpenAILLM
from faceless.providers.vendor import MissingKey

from .conftest import Sleeps
from .fakes.llm import (
    anthropic_overloaded,
    gemini_exhausted,
    install_anthropic,
    install_gemini,
    install_openai_chat,
    openai_rate_limited,
)
from .fakes.server import Answer, FakeServer

KEY = "sk-live-abcdef123456"
SCHEMA = {
    "title": "answer",
    "type": "object",
    "properties": {"n": {"type": "integer"}},
    "required": ["n"],
    "additionalProperties": False,
}
MSGS = [ChatMessage("system", "Be brief."), ChatMessage("user", "Give me a number.")]


def openai(server: FakeServer, sleeps: Sleeps, **kw: object) -> OpenAILLM:
    return OpenAILLM(api_key=KEY, base_url=server.url + "/v1", sleep=sleeps, **kw)  # type: ignore[arg-type]


def test_openai_request_shape_and_structured_answer(server: FakeServer, sleeps: Sleeps) -> None:
    install_openai_chat(server, key=KEY, reply=lambda r: {"n": 7})
    out = openai(server, sleeps, model="gpt-4o").complete(
        MSGS, json_schema=SCHEMA, max_tokens=50, temperature=0.2
    )
    [req] = server.calls("POST", "/v1/chat/completions")
    body = req.json()
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert body["model"] == "gpt-4o" and body["max_tokens"] == 50 and body["temperature"] == 0.2
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Give me a number."},
    ]
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": SCHEMA, "strict": True},
    }
    assert out.data == {"n": 7} and out.input_tokens == 120 and out.output_tokens == 80


def test_openai_draft_tier_uses_the_draft_model(server: FakeServer, sleeps: Sleeps) -> None:
    install_openai_chat(server, key=KEY, reply=lambda r: "hello")
    llm = openai(server, sleeps, model="gpt-4o", draft_model="gpt-4o-mini")
    assert llm.complete(MSGS, tier="draft").text == "hello"
    assert server.requests[-1].json()["model"] == "gpt-4o-mini"
    assert "response_format" not in server.requests[-1].json()


def test_openai_compatible_local_server_needs_no_key(server: FakeServer, sleeps: Sleeps) -> None:
    install_openai_chat(server, key=None, reply=lambda r: '```json\n{"n": 3}\n```')
    llm = OpenAILLM(base_url=server.url + "/v1", model="llama3.2", sleep=sleeps)
    assert llm.complete(MSGS, json_schema=SCHEMA).data == {"n": 3}  # fenced JSON tolerated
    assert "authorization" not in server.requests[-1].headers


def test_openai_without_key_is_a_missing_key_error() -> None:
    with pytest.raises(MissingKey, match="OPENAI_API_KEY"):
        OpenAILLM()


def test_openai_bad_key_is_final_and_redacted(server: FakeServer, sleeps: Sleeps) -> None:
    install_openai_chat(server, key="sk-the-right-one", reply=lambda r: {})
    with pytest.raises(ProviderError) as err:
        openai(server, sleeps).complete(MSGS)
    assert "authentication failed" in str(err.value) and "OPENAI_API_KEY" in str(err.value)
    assert KEY not in str(err.value) and not err.value.retryable and sleeps == []


def test_openai_429_then_success(server: FakeServer, sleeps: Sleeps) -> None:
    install_openai_chat(server, key=KEY, reply=lambda r: {"n": 1})
    server.fail_next("POST", "/v1/chat/completions", openai_rate_limited("2"))
    assert openai(server, sleeps).complete(MSGS, json_schema=SCHEMA).data == {"n": 1}
    assert sleeps == [2.0] and len(server.requests) == 2


def test_openai_invalid_json_and_malformed_body(server: FakeServer, sleeps: Sleeps) -> None:
    install_openai_chat(server, key=KEY, reply=lambda r: "not json at all")
    with pytest.raises(InvalidOutput, match="did not return valid JSON"):
        openai(server, sleeps).complete(MSGS, json_schema=SCHEMA)
    server.routes.clear()
    server.route("POST", "/v1/chat/completions", lambda r: Answer(200, {"object": "error"}))
    with pytest.raises(ProviderError, match="malformed response"):
        openai(server, sleeps).complete([ChatMessage("user", "other")])


def test_anthropic_messages_with_tool_for_structure(server: FakeServer, sleeps: Sleeps) -> None:
    key = "sk-ant-api03-xyz987654"
    install_anthropic(server, key=key, reply=lambda r: {"n": 42})
    llm = AnthropicLLM(api_key=key, base_url=server.url, sleep=sleeps)
    out = llm.complete(MSGS, json_schema=SCHEMA, max_tokens=99, tier="draft")
    [req] = server.calls("POST", "/v1/messages")
    body = req.json()
    assert req.headers["x-api-key"] == key and req.headers["anthropic-version"] == "2023-06-01"
    assert body["model"] == "claude-3-5-haiku-latest" and body["max_tokens"] == 99
    assert body["system"] == "Be brief."
    assert body["messages"] == [{"role": "user", "content": "Give me a number."}]
    assert body["tools"][0]["input_schema"] == SCHEMA
    assert body["tool_choice"] == {"type": "tool", "name": body["tools"][0]["name"]}
    assert out.data == {"n": 42} and (out.input_tokens, out.output_tokens) == (300, 150)


def test_anthropic_text_instead_of_tool_is_invalid_output(server: FakeServer, sleeps: Sleeps) -> None:
    install_anthropic(server, key="k" * 20, reply=lambda r: "I cannot do that")
    with pytest.raises(InvalidOutput, match="no tool_use"):
        AnthropicLLM(api_key="k" * 20, base_url=server.url, sleep=sleeps).complete(MSGS, json_schema=SCHEMA)


def test_anthropic_overloaded_529_is_retried(server: FakeServer, sleeps: Sleeps) -> None:
    install_anthropic(server, key="k" * 20, reply=lambda r: "fine")
    server.fail_next("POST", "/v1/messages", anthropic_overloaded())
    out = AnthropicLLM(api_key="k" * 20, base_url=server.url, sleep=sleeps).complete(MSGS)
    assert out.text == "fine" and len(sleeps) == 1


def test_anthropic_bad_key(server: FakeServer, sleeps: Sleeps) -> None:
    install_anthropic(server, key="right-key-000", reply=lambda r: "x")
    with pytest.raises(ProviderError, match="authentication failed .*invalid x-api-key.*ANTHROPIC_API_KEY"):
        AnthropicLLM(api_key="wrong-key-111", base_url=server.url, sleep=sleeps).complete(MSGS)


def test_gemini_generate_content_shape(server: FakeServer, sleeps: Sleeps) -> None:
    key = "AIzaSyFAKE0000"
    install_gemini(server, key=key, reply=lambda r: {"n": 5})
    server.fail_next("POST", r"/v1beta/models/.*", gemini_exhausted())
    out = GeminiLLM(api_key=key, base_url=server.url, sleep=sleeps).complete(
        MSGS, json_schema=SCHEMA, max_tokens=64
    )
    req = server.calls("POST", r"/v1beta/models/gemini-2\.5-flash:generateContent")[-1]
    body = req.json()
    assert req.headers["x-goog-api-key"] == key and "key" not in req.query
    assert body["contents"] == [{"role": "user", "parts": [{"text": "Give me a number."}]}]
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    cfg = body["generationConfig"]
    assert cfg["responseMimeType"] == "application/json" and cfg["maxOutputTokens"] == 64
    assert cfg["responseSchema"] == {
        "type": "object",
        "properties": {"n": {"type": "integer"}},
        "required": ["n"],
    }
    assert (
        out.data == {"n": 5}
        and out.model == "gemini-2.5-flash"
        and (out.input_tokens, out.output_tokens) == (50, 40)
    )
    assert len(sleeps) == 1  # the 429 RESOURCE_EXHAUSTED was retried


def test_gemini_invalid_key_400_reads_as_auth_error(server: FakeServer, sleeps: Sleeps) -> None:
    install_gemini(server, key="right", reply=lambda r: "x")
    with pytest.raises(ProviderError, match="authentication failed .*GEMINI_API_KEY"):
        GeminiLLM(api_key="wrong-key", base_url=server.url, sleep=sleeps).complete(MSGS)


def test_gemini_blocked_prompt_is_clear(server: FakeServer, sleeps: Sleeps) -> None:
    server.route(
        "POST", r"/v1beta/models/.*", lambda r: Answer(200, {"promptFeedback": {"blockReason": "SAFETY"}})
    )
    with pytest.raises(ProviderError, match="SAFETY"):
        GeminiLLM(api_key="k" * 10, base_url=server.url, sleep=sleeps).complete(MSGS)
