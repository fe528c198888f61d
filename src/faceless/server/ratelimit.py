"""Token-bucket rate limits: in-process by default, shared through Redis when `FACELESS_REDIS_URL` is set."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from faceless.service.settings import Rate, Settings


class RateLimiter(Protocol):
    def acquire(self, key: str, rate: Rate) -> float:
        """Take one token from bucket `key`; 0.0 when allowed, else seconds until a token is free."""
        ...


class MemoryRateLimiter:
    """Buckets in a bounded LRU dict (per process; `share` splits each limit between HTTP workers)."""

    def __init__(
        self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic, *, share: int = 1
    ) -> None:
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self._lock = threading.Lock()
        self._max = max_keys
        self._clock = clock
        # One of `share` processes serving the same clients: its buckets hold 1/share of each limit,
        # so all of them together allow what the limit says (never more).
        self._share = max(1, share)

    def acquire(self, key: str, rate: Rate) -> float:
        capacity = max(1.0, rate.count / self._share)
        per_second = rate.count / rate.period / self._share
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.pop(key, (capacity, now))
            tokens = min(capacity, tokens + (now - at) * per_second)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / per_second
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self._max:
                self._buckets.popitem(last=False)
            return wait


# The same algorithm as MemoryRateLimiter, atomically in Redis; time comes from the Redis server so
# that every API process sees one clock.
_LUA = """
local cap = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or cap
local at = tonumber(b[2]) or now
tokens = math.min(cap, tokens + (now - at) * per_ms)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / per_ms end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(cap / per_ms) + 1000)
return tostring(wait)
"""


class RedisRateLimiter:
    """Buckets in Redis hashes under `prefix`, shared by every API process."""

    def __init__(self, url: str, prefix: str = "faceless:rl:") -> None:
        import redis  # optional at import time: only needed when configured

        self._redis = redis.Redis.from_url(url, socket_timeout=2)
        self._script = self._redis.register_script(_LUA)
        self._prefix = prefix

    def acquire(self, key: str, rate: Rate) -> float:
        wait_ms = float(
            self._script(keys=[self._prefix + key], args=[rate.count, rate.count / rate.period / 1000])
        )
        return wait_ms / 1000.0


def make_rate_limiter(settings: Settings) -> RateLimiter:
    """Redis-backed when `redis_url` is configured, else in-process."""
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url)
    return MemoryRateLimiter(share=settings.http_workers)
