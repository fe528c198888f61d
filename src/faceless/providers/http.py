"""The one HTTP client every cloud provider uses: timeouts, retries, caching, redaction.

- 429 and 408/500/502/503/504/529 are retried with exponential backoff plus jitter; a
  `Retry-After` header (seconds or HTTP date) is honoured. Connection errors are retried too.
- 401/403 become a non-retryable `ProviderError` that names the variable holding the key.
- Other 4xx become a non-retryable `ProviderError` carrying the vendor's own error message.
- Successful answers can be cached by request content (`cache=True`), see `cache.py`.
- Secrets are replaced by *** in every log line and exception message.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from faceless.domain.errors import ProviderError
from faceless.providers.cache import CachedResponse, ResponseCache
from faceless.providers.config import redact

log = logging.getLogger("faceless.providers.http")


class _RedactingFilter(logging.Filter):
    """httpx logs every request URL at INFO; keys sent as query parameters (Pixabay) must not show."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message, ())
        if clean != message:
            record.msg, record.args = clean, ()
        return True


logging.getLogger("httpx").addFilter(_RedactingFilter())

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504, 529})
USER_AGENT = "faceless/0.1 (+https://github.com/faceless)"


@dataclass
class Reply:
    """A finished HTTP answer (possibly from the response cache)."""

    provider: str
    status: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    from_cache: bool = False
    cache_key: str | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        """The body as JSON, or a clear non-retryable error if the vendor sent something else."""
        try:
            return json.loads(self.content)
        except (ValueError, UnicodeDecodeError):
            snippet = self.content[:80].decode("utf-8", "replace")
            raise ProviderError(
                f"{self.provider}: malformed response (expected JSON, got {snippet!r}): "
                "check the base URL points at the vendor's API"
            ) from None


def vendor_message(content: bytes) -> str:
    """The human message inside a vendor error body (OpenAI, Anthropic, Gemini, ElevenLabs...)."""
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return content[:200].decode("utf-8", "replace").strip()
    candidates: list[Any] = []
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):  # OpenAI, Anthropic, Gemini
            candidates += [err.get("message"), err.get("status")]
        candidates.append(err if isinstance(err, str) else None)  # Pexels
        detail = body.get("detail")
        if isinstance(detail, dict):  # ElevenLabs
            candidates.append(detail.get("message"))
        candidates.append(detail if isinstance(detail, str) else None)
        errors = body.get("errors")  # Unsplash, Stability
        if isinstance(errors, list) and errors:
            candidates.append("; ".join(str(e) for e in errors))
        candidates.append(body.get("message"))
    for c in candidates:
        if isinstance(c, str) and c.strip():
            return c.strip()[:300]
    return str(body)[:200]


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class HTTPClient:
    """A vendor's HTTP session. One per provider instance; safe to share between threads."""

    def __init__(
        self,
        provider: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        key_hint: str = "the API key",
        timeout: float = 60.0,
        max_retries: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        max_retry_after: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        cache: ResponseCache | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.secrets = [s for s in secrets if s]
        self.key_hint = key_hint
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self.rng = rng
        self.cache = cache if cache is not None else ResponseCache()
        self.calls = 0  # HTTP requests actually sent (cache hits excluded)
        self._client = httpx.Client(
            headers={"user-agent": USER_AGENT, **(headers or {})},
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
            transport=transport,
            follow_redirects=True,
        )
        # Media downloads go to CDNs: never send them the vendor's auth headers.
        self._bare = httpx.Client(
            headers={"user-agent": USER_AGENT},
            timeout=httpx.Timeout(timeout, connect=10.0),
            transport=transport,
            follow_redirects=True,
        )

    def close(self) -> None:
        self._client.close()
        self._bare.close()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def _clean(self, text: str) -> str:
        return redact(text, self.secrets)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        content: bytes | str | None = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        cache: bool = False,
        cache_scope: str = "",
    ) -> Reply:
        """Send a request with retries; return the 2xx answer or raise `ProviderError`."""
        url = self.url(path)
        key = None
        if cache:
            body: Any = json_body if json_body is not None else content
            if data is not None or files is not None:
                body = {"data": dict(data or {}), "files": {k: repr(v) for k, v in (files or {}).items()}}
            if isinstance(body, str):
                body = body.encode("utf-8")
            # Keys passed as query parameters (Pixabay) must not become part of the cache key.
            public = {k: v for k, v in (params or {}).items() if v not in self.secrets}
            key = ResponseCache.request_key(method, url, public, body, scope=cache_scope)
            hit = self.cache.get(key)
            if hit is not None:
                log.debug("%s %s %s: cache hit", self.provider, method, self._clean(url))
                return Reply(
                    self.provider, hit.status, hit.content, {"content-type": hit.content_type}, True, key
                )
        attempt = 0
        while True:
            delay: float | None
            try:
                self.calls += 1
                resp = self._client.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    content=content,
                    data=data,
                    files=files,
                    headers=headers,
                )
            except httpx.HTTPError as exc:
                reason = f"cannot reach {self._clean(url)} ({type(exc).__name__})"
                delay = self._backoff(attempt)
                if attempt >= self.max_retries:
                    raise ProviderError(f"{self.provider}: {reason}", retryable=True) from None
                log.warning("%s: %s; retry %d in %.1fs", self.provider, reason, attempt + 1, delay)
            else:
                log.debug("%s %s %s -> %d", self.provider, method, self._clean(url), resp.status_code)
                if resp.status_code < 300:
                    reply = Reply(
                        self.provider, resp.status_code, resp.content, dict(resp.headers), False, key
                    )
                    if key is not None:
                        self.cache.put(
                            key, CachedResponse(resp.status_code, reply.content_type, resp.content)
                        )
                    return reply
                message = self._clean(vendor_message(resp.content))
                if resp.status_code not in RETRY_STATUS:
                    self._raise_client_error(resp.status_code, message)
                delay = retry_after_seconds(resp.headers.get("retry-after"))
                if delay is None:
                    delay = self._backoff(attempt)
                elif delay > self.max_retry_after:
                    raise ProviderError(
                        f"{self.provider}: rate limited (HTTP {resp.status_code}), retry after {delay:.0f}s: "
                        "try later or use another provider",
                        retryable=True,
                    )
                if attempt >= self.max_retries:
                    raise ProviderError(
                        f"{self.provider}: HTTP {resp.status_code} after {attempt + 1} attempts ({message}): "
                        "the service is busy or down, try later or use another provider",
                        retryable=True,
                    )
                log.warning(
                    "%s: HTTP %d (%s); retry %d in %.1fs",
                    self.provider,
                    resp.status_code,
                    message,
                    attempt + 1,
                    delay,
                )
            self.sleep(delay)
            attempt += 1

    @contextlib.contextmanager
    def checking(self, reply: Reply) -> Iterator[Reply]:
        """Wrap the parsing of `reply`: if it fails, the cached copy is dropped so a retry asks again."""
        try:
            yield reply
        except BaseException:
            self.forget(reply)
            raise

    def forget(self, reply: Reply) -> None:
        """Drop a cached answer that turned out unusable (malformed JSON, undecodable audio...)."""
        if reply.cache_key:
            self.cache.delete(reply.cache_key)

    def _backoff(self, attempt: int) -> float:
        # Full exponential step, then jitter in [50%, 100%] so parallel workers do not stampede.
        step = min(self.max_backoff, self.backoff * (2**attempt))
        return step * (0.5 + 0.5 * self.rng())

    def _raise_client_error(self, status: int, message: str) -> None:
        # Gemini answers a bad key with 400 "API key not valid": treat it as the auth error it is.
        if status in (401, 403) or (status == 400 and "api key" in message.lower()):
            raise ProviderError(
                f"{self.provider}: authentication failed (HTTP {status}: {message}): check {self.key_hint}"
            )
        if status == 404:
            raise ProviderError(f"{self.provider}: not found (HTTP 404: {message}): check the model/voice id")
        raise ProviderError(f"{self.provider}: request rejected (HTTP {status}: {message})")

    def download(
        self, url: str, dest: Path, *, max_bytes: int, headers: Mapping[str, str] | None = None
    ) -> Path:
        """Stream `url` to `dest` (temp then rename), refusing bodies larger than `max_bytes`."""
        if not url.startswith(("https://", "http://")):
            raise ProviderError(f"{self.provider}: refusing to download a non-HTTP URL")
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        attempt = 0
        try:
            while True:
                try:
                    self.calls += 1
                    with self._bare.stream("GET", url, headers=headers) as resp:
                        if resp.status_code >= 300:
                            if resp.status_code in RETRY_STATUS and attempt < self.max_retries:
                                delay = retry_after_seconds(resp.headers.get("retry-after"))
                                self.sleep(self._backoff(attempt) if delay is None else delay)
                                attempt += 1
                                continue
                            resp.read()
                            message = self._clean(vendor_message(resp.content))
                            if resp.status_code in RETRY_STATUS:
                                raise ProviderError(
                                    f"{self.provider}: download failed (HTTP {resp.status_code}: {message})",
                                    retryable=True,
                                )
                            self._raise_client_error(resp.status_code, message)
                        declared = int(resp.headers.get("content-length") or 0)
                        if declared > max_bytes:
                            raise ProviderError(
                                f"{self.provider}: download refused: {declared} bytes is over "
                                f"the {max_bytes}-byte limit"
                            )
                        total = 0
                        with os.fdopen(os.dup(fd), "wb") as fh:
                            fh.seek(0)
                            fh.truncate()
                            for chunk in resp.iter_bytes(65536):
                                total += len(chunk)
                                if total > max_bytes:
                                    raise ProviderError(
                                        f"{self.provider}: download stopped: over the {max_bytes}-byte limit"
                                    )
                                fh.write(chunk)
                    break
                except httpx.HTTPError as exc:
                    if attempt >= self.max_retries:
                        raise ProviderError(
                            f"{self.provider}: download of {self._clean(url)} failed ({type(exc).__name__})",
                            retryable=True,
                        ) from None
                    self.sleep(self._backoff(attempt))
                    attempt += 1
            os.close(fd)
            fd = -1
            os.replace(tmp, dest)
        finally:
            if fd >= 0:
                os.close(fd)
            if os.path.exists(tmp):
                os.unlink(tmp)
        return dest
