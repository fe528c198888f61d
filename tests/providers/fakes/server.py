"""A tiny threaded HTTP server on 127.0.0.1 that records requests and answers from routes.

Routes are `(method, regex)` -> handler(request) -> Answer. `fail_next` queues canned answers
(429 with Retry-After, 500, malformed bodies...) that are served before the route's own.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: bytes | str | Any = b""
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if isinstance(self.body, bytes):
            return self.body, headers
        if isinstance(self.body, str):
            headers.setdefault("content-type", "text/plain; charset=utf-8")
            return self.body.encode(), headers
        headers.setdefault("content-type", "application/json")
        return json.dumps(self.body).encode(), headers


Handler = Callable[[Request], Answer]


class FakeServer:
    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.queued: list[tuple[str, re.Pattern[str], deque[Answer]]] = []
        self.requests: list[Request] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(pattern + "$"), handler))

    def fail_next(self, method: str, pattern: str, *answers: Answer) -> None:
        self.queued.append((method, re.compile(pattern + "$"), deque(answers)))

    def calls(self, method: str | None = None, path_re: str = ".*") -> list[Request]:
        rx = re.compile(path_re + "$")
        return [r for r in self.requests if method in (None, r.method) and rx.match(r.path)]

    def _dispatch(self, req: Request) -> Answer:
        self.requests.append(req)
        for method, rx, answers in self.queued:
            if method == req.method and rx.match(req.path) and answers:
                return answers.popleft()
        for method, rx, handler in self.routes:
            if method == req.method and rx.match(req.path):
                return handler(req)
        return Answer(404, {"error": {"message": f"no route {req.method} {req.path}"}})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                req = Request(
                    self.command, parts.path, query, {k.lower(): v for k, v in self.headers.items()}, body
                )
                ans = server._dispatch(req)
                data, headers = ans.encoded()
                self.send_response(ans.status)
                chunked = headers.pop("x-fake-chunked", None) is not None
                for k, v in headers.items():
                    self.send_header(k, v)
                if chunked:  # no content-length: the client only learns the size by reading
                    self.send_header("transfer-encoding", "chunked")
                    self.end_headers()
                    for i in range(0, len(data), 4096):
                        piece = data[i : i + 4096]
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _any  # noqa: N815

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

        return _H
