"""The shared client: retries, Retry-After, errors, cache, redaction, capped downloads."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from faceless.domain.errors import ProviderError
from faceless.providers.http import HTTPClient, retry_after_seconds

from .conftest import Sleeps
from .fakes.server import Answer, FakeServer

KEY = "sk-test-SECRET-0001"


def client(server: FakeServer, sleeps: Sleeps, **kw: object) -> HTTPClient:
    return HTTPClient(
        "vendor",
        server.url,
        headers={"authorization": f"Bearer {KEY}"},
        secrets=[KEY],
        key_hint="VENDOR_API_KEY",
        sleep=sleeps,
        rng=lambda: 1.0,
        **kw,
    )  # type: ignore[arg-type]


def test_429_honours_retry_after_then_succeeds(server: FakeServer, sleeps: Sleeps) -> None:
    server.route("GET", "/thing", lambda r: Answer(200, {"ok": True}))
    server.fail_next("GET", "/thing", Answer(429, {"error": {"message": "slow down"}}, {"retry-after": "3"}))
    assert client(server, sleeps).request("GET", "thing").json() == {"ok": True}
    assert sleeps == [3.0]
    assert len(server.calls("GET", "/thing")) == 2


def test_5xx_backs_off_exponentially(server: FakeServer, sleeps: Sleeps) -> None:
    server.route("POST", "/x", lambda r: Answer(200, {"ok": 1}))
    server.fail_next("POST", "/x", Answer(500, "oops"), Answer(502, "bad gateway"), Answer(503, "busy"))
    client(server, sleeps, backoff=0.5).request("POST", "x", json_body={"a": 1})
    assert sleeps == [0.5, 1.0, 2.0]  # rng=1.0: the top of each jitter window


def test_jitter_stays_within_half_to_full_step(server: FakeServer, sleeps: Sleeps) -> None:
    server.route("GET", "/j", lambda r: Answer(200, {}))
    server.fail_next("GET", "/j", Answer(504, ""))
    c = client(server, sleeps)
    c.rng = lambda: 0.0
    c.request("GET", "j")
    assert sleeps == [0.5]


def test_gives_up_with_a_retryable_error(server: FakeServer, sleeps: Sleeps) -> None:
    server.route("GET", "/down", lambda r: Answer(503, {"error": {"message": "maintenance"}}))
    with pytest.raises(ProviderError) as err:
        client(server, sleeps, max_retries=2).request("GET", "down")
    assert err.value.retryable and "HTTP 503" in str(err.value) and "maintenance" in str(err.value)
    assert len(server.requests) == 3


def test_retry_after_too_long_is_not_waited(server: FakeServer, sleeps: Sleeps) -> None:
    server.route("GET", "/q", lambda r: Answer(429, "quota", {"retry-after": "3600"}))
    with pytest.raises(ProviderError, match="retry after 3600s"):
        client(server, sleeps).request("GET", "q")
    assert sleeps == []


def test_401_is_final_names_the_variable_and_hides_the_key(
    server: FakeServer, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.route(
        "GET", "/me", lambda r: Answer(401, {"error": {"message": f"Incorrect API key provided: {KEY}"}})
    )
    with pytest.raises(ProviderError) as err:
        client(server, sleeps).request("GET", "me")
    msg = str(err.value)
    assert not err.value.retryable
    assert "authentication failed" in msg and "VENDOR_API_KEY" in msg
    assert KEY not in msg and KEY not in caplog.text
    assert len(server.requests) == 1 and sleeps == []


def test_other_4xx_carry_the_vendor_message(server: FakeServer, sleeps: Sleeps) -> None:
    server.route("POST", "/v", lambda r: Answer(400, {"error": {"message": "max_tokens too large"}}))
    with pytest.raises(ProviderError, match="HTTP 400: max_tokens too large"):
        client(server, sleeps).request("POST", "v", json_body={})


def test_malformed_json_is_a_clear_error(server: FakeServer, sleeps: Sleeps) -> None:
    server.route("GET", "/html", lambda r: Answer(200, "<html>login</html>", {"content-type": "text/html"}))
    with pytest.raises(ProviderError, match="malformed response .*expected JSON"):
        client(server, sleeps).request("GET", "html").json()


def test_cache_answers_the_same_request_without_a_second_call(server: FakeServer, sleeps: Sleeps) -> None:
    server.route("POST", "/gen", lambda r: Answer(200, {"n": len(server.requests)}))
    c = client(server, sleeps)
    first = c.request("POST", "gen", json_body={"prompt": "cats"}, cache=True)
    again = client(server, sleeps).request("POST", "gen", json_body={"prompt": "cats"}, cache=True)
    other = c.request("POST", "gen", json_body={"prompt": "dogs"}, cache=True)
    assert not first.from_cache and again.from_cache and again.json() == first.json() == {"n": 1}
    assert other.json() == {"n": 2}
    assert len(server.requests) == 2


def test_errors_are_not_cached(server: FakeServer, sleeps: Sleeps) -> None:
    server.route("POST", "/e", lambda r: Answer(200, {"ok": True}))
    server.fail_next("POST", "/e", Answer(400, {"error": {"message": "nope"}}))
    c = client(server, sleeps)
    with pytest.raises(ProviderError):
        c.request("POST", "e", json_body={}, cache=True)
    assert c.request("POST", "e", json_body={}, cache=True).json() == {"ok": True}


def test_retry_after_http_date() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)
    assert retry_after_seconds("2.5") == 2.5
    assert retry_after_seconds("soon") is None


def test_download_refuses_declared_oversize(server: FakeServer, sleeps: Sleeps, tmp_path: Path) -> None:
    server.route("GET", "/big", lambda r: Answer(200, b"x" * 5000))
    with pytest.raises(ProviderError, match="over the 1000-byte limit"):
        client(server, sleeps).download(server.url + "/big", tmp_path / "big.bin", max_bytes=1000)
    assert list(tmp_path.iterdir()) == []


def test_download_stops_streamed_oversize(server: FakeServer, sleeps: Sleeps, tmp_path: Path) -> None:
    server.route("GET", "/stream", lambda r: Answer(200, b"y" * 20000, {"x-fake-chunked": "1"}))
    with pytest.raises(ProviderError, match="download stopped"):
        client(server, sleeps).download(server.url + "/stream", tmp_path / "s.bin", max_bytes=10000)
    assert list(tmp_path.iterdir()) == []


def test_download_sends_no_auth_header_to_the_cdn(server: FakeServer, sleeps: Sleeps, tmp_path: Path) -> None:
    server.route("GET", "/file", lambda r: Answer(200, b"abc"))
    server.fail_next("GET", "/file", Answer(503, ""))
    out = client(server, sleeps).download(server.url + "/file", tmp_path / "f.bin", max_bytes=10)
    assert out.read_bytes() == b"abc"
    assert all("authorization" not in r.headers for r in server.requests)
    assert len(server.requests) == 2
