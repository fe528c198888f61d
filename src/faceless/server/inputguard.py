"""ASGI middleware: no NUL character gets in through a path, a query string or a JSON body.

PostgreSQL cannot store U+0000 in text (psycopg raises DataError, which became a 500), SQLite stores
it silently, and ffmpeg, subprocess arguments and file names choke on it. No legitimate input holds
one, so it is refused at the door with the same 422 on every backend, before any handler runs.
Multipart form fields declare it in their own schema (a `pattern`); uploaded file bytes are data.
"""

from __future__ import annotations

import json
import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MESSAGE = "text must not contain NUL (U+0000) characters: remove them"
NO_NUL = r"^[^\x00]*$"  # a `pattern` for fields that bypass the JSON check (multipart forms)
# A `\u0000` escape in JSON text: preceded by an even number of backslashes (`\\u0000` is a literal
# backslash followed by "u0000", which is harmless).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class _NulInBody(HTTPException):
    # An HTTPException, so FastAPI (which reads the body inside the route) re-raises it to the app's
    # error handler instead of answering a generic 400.
    def __init__(self) -> None:
        super().__init__(422, MESSAGE)


def has_json_nul(body: bytes) -> bool:
    """True if the JSON text `body` decodes to a string holding U+0000."""
    # A raw NUL byte is invalid in UTF-8 JSON and would be the way to smuggle an escape past the
    # pattern in UTF-16/32 JSON (which json.loads accepts): refused as well.
    return b"\x00" in body or _JSON_NUL.search(body) is not None


def _parsed_as_json(scope: Scope) -> bool:
    # FastAPI parses application/json and application/*+json bodies as JSON (and, unless its strict
    # content-type check is off, nothing else); a missing type is checked too, to be safe.
    for key, value in scope.get("headers", []):
        if key == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media.endswith(b"/json") or media.endswith(b"+json")
    return True


class RejectNul:
    """Answers 422 to a request whose path, query string or JSON body holds a NUL character."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if "\x00" in scope["path"] or b"\x00" in query or b"%00" in query:
            await _reject(send)
            return
        if scope["method"] not in _BODY_METHODS or not _parsed_as_json(scope):
            await self.app(scope, receive, send)
            return
        # JSON bodies are small (BodySizeLimit, outside this middleware, caps them): keep the chunks
        # and look once the last one arrived, which is before FastAPI hands the body to the route.
        chunks: list[bytes] = []

        async def checking_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and has_json_nul(b"".join(chunks)):
                    raise _NulInBody()
            return message

        await self.app(scope, checking_receive, send)


async def _reject(send: Send) -> None:
    body = json.dumps({"error": {"code": "validation_error", "message": MESSAGE}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
