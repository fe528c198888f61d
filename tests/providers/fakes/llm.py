"""Fake OpenAI-compatible, Anthropic and Gemini endpoints (documented request/response shapes)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .server import Answer, FakeServer, Request

Reply = Callable[[Request], Any]  # returns the JSON object (or raw text) the model "writes"


def openai_auth_error(key: str) -> Answer:
    # The real API echoes (part of) the key in the message: the client must redact it.
    return Answer(
        401,
        {
            "error": {
                "message": f"Incorrect API key provided: {key}.",
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_api_key",
            }
        },
    )


def install_openai_chat(server: FakeServer, *, key: str | None, reply: Reply) -> None:
    def chat(req: Request) -> Answer:
        sent = req.headers.get("authorization", "")
        if key is not None and sent != f"Bearer {key}":
            return openai_auth_error(sent.removeprefix("Bearer "))
        body = req.json()
        out = reply(req)
        content = out if isinstance(out, str) else json.dumps(out)
        return Answer(
            200,
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": None},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200},
            },
            {"x-ratelimit-remaining-requests": "99"},
        )

    server.route("POST", "/v1/chat/completions", chat)


def openai_rate_limited(retry_after: str = "1") -> Answer:
    return Answer(
        429,
        {
            "error": {
                "message": "Rate limit reached for requests",
                "type": "requests",
                "code": "rate_limit_exceeded",
            }
        },
        {"retry-after": retry_after, "x-ratelimit-remaining-requests": "0"},
    )


def install_anthropic(server: FakeServer, *, key: str, reply: Reply) -> None:
    def messages(req: Request) -> Answer:
        if req.headers.get("x-api-key") != key:
            return Answer(
                401,
                {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}},
            )
        if req.headers.get("anthropic-version") != "2023-06-01":
            return Answer(
                400,
                {
                    "type": "error",
                    "error": {
                        "type": "invalid_request_error",
                        "message": "anthropic-version header is required",
                    },
                },
            )
        body = req.json()
        out = reply(req)
        if "tools" in body and isinstance(out, dict):
            content = [{"type": "tool_use", "id": "toolu_1", "name": body["tools"][0]["name"], "input": out}]
        else:
            content = [{"type": "text", "text": out if isinstance(out, str) else json.dumps(out)}]
        return Answer(
            200,
            {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": content,
                "stop_reason": "tool_use",
                "stop_sequence": None,
                "usage": {"input_tokens": 300, "output_tokens": 150},
            },
        )

    server.route("POST", "/v1/messages", messages)


def anthropic_overloaded() -> Answer:
    return Answer(529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})


def install_gemini(server: FakeServer, *, key: str, reply: Reply) -> None:
    def generate(req: Request) -> Answer:
        if req.headers.get("x-goog-api-key") != key:
            return Answer(
                400,
                {
                    "error": {
                        "code": 400,
                        "message": "API key not valid. Please pass a valid API key.",
                        "status": "INVALID_ARGUMENT",
                    }
                },
            )
        out = reply(req)
        text = out if isinstance(out, str) else json.dumps(out)
        return Answer(
            200,
            {
                "candidates": [
                    {
                        "content": {"parts": [{"text": text}], "role": "model"},
                        "finishReason": "STOP",
                        "index": 0,
                    }
                ],
                "usageMetadata": {"promptTokenCount": 50, "candidatesTokenCount": 40, "totalTokenCount": 90},
                "modelVersion": req.path.split("/models/")[1].split(":")[0],
            },
        )

    server.route("POST", r"/v1beta/models/[^/]+:generateContent", generate)


def gemini_exhausted() -> Answer:
    return Answer(
        429,
        {
            "error": {
                "code": 429,
                "message": "Resource has been exhausted (e.g. check quota).",
                "status": "RESOURCE_EXHAUSTED",
            }
        },
    )
