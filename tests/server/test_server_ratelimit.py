"""Rate limits: token buckets in memory and in Redis; 429 with Retry-After on auth endpoints and per user."""

from __future__ import annotations

import secrets

import pytest
from fastapi.testclient import TestClient
from server_helpers import PASSWORD, REDIS_URL, service_missing

from faceless.server.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from faceless.service.settings import Rate


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _drain(limiter: RateLimiter, key: str, rate: Rate) -> list[float]:
    return [limiter.acquire(key, rate) for _ in range(rate.count + 1)]


def test_memory_bucket_refills_over_time() -> None:
    clock = FakeClock()
    limiter = MemoryRateLimiter(clock=clock)
    rate = Rate.parse("3/minute")
    waits = _drain(limiter, "k", rate)
    assert waits[:3] == [0, 0, 0] and waits[3] == pytest.approx(20.0)
    assert limiter.acquire("other", rate) == 0  # buckets are per key
    clock.now += 20
    assert limiter.acquire("k", rate) == 0
    assert limiter.acquire("k", rate) == pytest.approx(20.0)


def test_memory_limit_is_shared_between_http_processes() -> None:
    clock = FakeClock()
    rate = Rate.parse("10/minute")
    halves = [MemoryRateLimiter(clock=clock, share=2) for _ in range(2)]
    allowed = sum(1 for lim in halves for w in _drain(lim, "k", rate) if w == 0)
    assert allowed == 10  # two processes together allow what the limit says, not twice that
    assert halves[0].acquire("k", rate) == pytest.approx(12.0)  # each refills at half the rate


def test_memory_limiter_stays_bounded() -> None:
    limiter = MemoryRateLimiter(max_keys=10)
    for i in range(100):
        limiter.acquire(f"k{i}", Rate(1, 60))
    assert len(limiter._buckets) == 10


def test_redis_bucket_is_shared_between_limiters() -> None:
    try:
        a = RedisRateLimiter(REDIS_URL)
        b = RedisRateLimiter(REDIS_URL)
        a._redis.ping()
    except Exception as e:  # redis.ConnectionError and friends
        service_missing("Redis", e)
    key = f"test-{secrets.token_hex(4)}"
    rate = Rate.parse("2/minute")
    assert a.acquire(key, rate) == 0
    assert b.acquire(key, rate) == 0
    wait = a.acquire(key, rate)
    assert 25 < wait <= 30.5


def test_login_per_ip_limit_answers_429_with_retry_after(make_app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(make_app(rate_auth_ip="3/minute")) as client:
        codes = [
            client.post(
                "/api/v1/auth/login", json={"email": f"n{i}@example.com", "password": "x"}
            ).status_code
            for i in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        r = client.post("/api/v1/auth/signup", json={"email": "z@example.com", "password": PASSWORD})
        assert r.status_code == 429
        assert 1 <= int(r.headers["retry-after"]) <= 20
        assert r.json()["error"]["code"] == "rate_limited"


def test_login_per_account_limit(make_app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(make_app(rate_auth_account="2/minute")) as client:
        email = f"acct{secrets.token_hex(3)}@example.com"
        assert (
            client.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 201
        )
        codes = [
            client.post("/api/v1/auth/login", json={"email": email.upper(), "password": "wrong"}).status_code
            for _ in range(3)
        ]
        assert codes == [401, 401, 429]
        # Even the right password waits: the account's bucket is empty.
        assert (
            client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).status_code == 429
        )
        # Another account from the same IP is not affected.
        other = f"other{secrets.token_hex(3)}@example.com"
        assert client.post("/api/v1/auth/login", json={"email": other, "password": "x"}).status_code == 401


def test_overall_per_user_limit(make_app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(make_app(rate_user="5/minute")) as client:
        r = client.post(
            "/api/v1/auth/signup",
            json={"email": f"u{secrets.token_hex(3)}@example.com", "password": PASSWORD},
        )
        h = {"Authorization": f"Bearer {r.json()['tokens']['access_token']}"}
        client.cookies.clear()
        codes = [client.get("/api/v1/auth/me", headers=h).status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]


def test_redis_limiter_is_used_when_configured(make_app) -> None:  # type: ignore[no-untyped-def]
    try:
        RedisRateLimiter(REDIS_URL)._redis.ping()
    except Exception as e:
        service_missing("Redis", e)
    app = make_app(redis_url=REDIS_URL, rate_auth_ip="2/minute")
    assert isinstance(app.state.ctx.limiter, RedisRateLimiter)
    # Keys are per IP; use a unique prefix so reruns do not see old buckets.
    app.state.ctx.limiter._prefix = f"faceless:test:{secrets.token_hex(4)}:"
    with TestClient(app) as client:
        codes = [
            client.post("/api/v1/auth/login", json={"email": "r@example.com", "password": "x"}).status_code
            for _ in range(3)
        ]
    assert codes == [401, 401, 429]
