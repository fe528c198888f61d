"""Usage and estimated cost of every provider call, per organisation, with monthly plan limits.

Providers call `record_usage(...)` after each paid call (cache hits are recorded with cost 0)
and `check_budget(...)` before one. Both go to the meter made current with `use_meter(...)`
(the pipeline sets one per job: organisation + plan + store); with no meter, nothing is
recorded and nothing is limited (local CLI use).

`UsageStore` is a small interface: `SQLiteUsageStore` (append-only table, stdlib sqlite3) is the
default; the platform's database can implement the same three methods later.
"""

from __future__ import annotations

import contextlib
import contextvars
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from faceless.domain.errors import ProviderError
from faceless.providers.pricing import estimate_cost


@dataclass(frozen=True)
class UsageRecord:
    ts: float  # unix seconds
    organisation: str
    provider: str
    capability: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    characters: int = 0
    images: int = 0
    cost_usd: float = 0.0
    cached: bool = False


@dataclass(frozen=True)
class Plan:
    name: str
    monthly_usd: float | None  # None: no limit


PLANS: dict[str, Plan] = {
    "free": Plan("free", 1.0),
    "creator": Plan("creator", 20.0),
    "pro": Plan("pro", 100.0),
    "unlimited": Plan("unlimited", None),
}


class UsageLimitExceeded(ProviderError):
    """The organisation's monthly provider budget would be exceeded by this call."""


class UsageStore(Protocol):
    def add(self, record: UsageRecord) -> None: ...

    def spent(self, organisation: str, since: float) -> float:
        """Total estimated dollars of `organisation` since unix time `since`."""
        ...

    def records(self, organisation: str | None = None, since: float = 0.0) -> list[UsageRecord]: ...


class SQLiteUsageStore:
    """Append-only `usage` table in a SQLite file (or ":memory:")."""

    _COLUMNS = tuple(UsageRecord.__dataclass_fields__)
    # Constant SQL (columns spelt out): values always go through placeholders.
    _INSERT = (
        "INSERT INTO usage (ts, organisation, provider, capability, model, input_tokens, output_tokens, "
        "characters, images, cost_usd, cached) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    _SELECT = (
        "SELECT ts, organisation, provider, capability, model, input_tokens, output_tokens, characters, "
        "images, cost_usd, cached FROM usage WHERE ts >= ?"
    )

    def __init__(self, path: Path | str = ":memory:") -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS usage (ts REAL, organisation TEXT, provider TEXT, capability TEXT, "
            "model TEXT, input_tokens INTEGER, output_tokens INTEGER, characters INTEGER, images INTEGER, "
            "cost_usd REAL, cached INTEGER)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS usage_org_ts ON usage (organisation, ts)")

    def add(self, record: UsageRecord) -> None:
        values = asdict(record)
        with self._lock:
            self._db.execute(
                self._INSERT,
                [values[c] for c in self._COLUMNS],
            )

    def spent(self, organisation: str, since: float) -> float:
        with self._lock:
            row = self._db.execute(
                "SELECT COALESCE(SUM(cost_usd), 0) FROM usage WHERE organisation = ? AND ts >= ?",
                (organisation, since),
            ).fetchone()
        return float(row[0])

    def records(self, organisation: str | None = None, since: float = 0.0) -> list[UsageRecord]:
        query = self._SELECT
        args: list[object] = [since]
        if organisation is not None:
            query += " AND organisation = ?"
            args.append(organisation)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY ts", args).fetchall()
        return [
            UsageRecord(**{**dict(zip(self._COLUMNS, r, strict=True)), "cached": bool(r[-1])}) for r in rows
        ]


def month_start(ts: float) -> float:
    """Unix time of the first instant of `ts`'s calendar month (UTC)."""
    d = datetime.fromtimestamp(ts, UTC)
    return datetime(d.year, d.month, 1, tzinfo=UTC).timestamp()


class UsageMeter:
    """One organisation's view: records calls and enforces its plan's monthly limit."""

    def __init__(
        self,
        store: UsageStore,
        organisation: str = "local",
        plan: Plan | str = "unlimited",
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.store = store
        self.organisation = organisation
        self.plan = PLANS[plan] if isinstance(plan, str) else plan
        self._clock = clock or time.time

    def spent_this_month(self) -> float:
        return self.store.spent(self.organisation, month_start(self._clock()))

    def check(self, provider: str, estimated_cost: float) -> None:
        """Raise `UsageLimitExceeded` if `estimated_cost` would take the month over the plan limit."""
        limit = self.plan.monthly_usd
        if limit is None or estimated_cost <= 0:
            return
        spent = self.spent_this_month()
        if spent + estimated_cost > limit:
            raise UsageLimitExceeded(
                f"{provider}: monthly limit of the {self.plan.name} plan reached for {self.organisation} "
                f"(${spent:.2f} of ${limit:.2f} used, this call ~${estimated_cost:.3f}): "
                "upgrade the plan or use a local provider (piper, espeak, a self-hosted LLM)"
            )

    def record(self, record: UsageRecord) -> None:
        self.store.add(record)


_current: contextvars.ContextVar[UsageMeter | None] = contextvars.ContextVar(
    "faceless_usage_meter", default=None
)


@contextlib.contextmanager
def use_meter(meter: UsageMeter | None) -> Iterator[UsageMeter | None]:
    """Make `meter` the one provider calls record to, inside the `with` block (thread/task local)."""
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)


def current_meter() -> UsageMeter | None:
    return _current.get()


def check_budget(provider: str, model: str, **units: int) -> float:
    """Estimate a call's cost and refuse it if the current meter's plan would be exceeded."""
    cost = estimate_cost(provider, model, **units)
    meter = current_meter()
    if meter is not None:
        meter.check(provider, cost)
    return cost


def record_usage(
    provider: str, capability: str, model: str, *, cached: bool = False, **units: int
) -> UsageRecord:
    """Record one call (cost estimated from the price table; 0 for cache hits)."""
    meter = current_meter()
    cost = 0.0 if cached else estimate_cost(provider, model, **units)
    rec = UsageRecord(
        ts=time.time(),
        organisation=meter.organisation if meter else "local",
        provider=provider,
        capability=capability,
        model=model,
        cost_usd=cost,
        cached=cached,
        **units,
    )
    if meter is not None:
        meter.record(rec)
    return rec
