"""Provider usage in the platform database: the engine's `UsageStore` on the `provider_usage` table.

Render workers make a `UsageMeter` per job (`meter_for_job`) so every paid provider call of that
job is recorded against the job's organisation and checked against its plan's monthly limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from faceless.providers.usage import PLANS, UsageMeter, UsageRecord, month_start
from faceless.service.models import Organisation, ProviderUsage


class DBUsageStore:
    """Append-only usage ledger in the platform database (SQLite or PostgreSQL)."""

    def __init__(self, sessions: sessionmaker[Session], job_id: str | None = None) -> None:
        self.sessions = sessions
        self.job_id = job_id

    def add(self, record: UsageRecord) -> None:
        # Its own short transaction: usage must be recorded even if the job later fails.
        with self.sessions() as db:
            db.add(
                ProviderUsage(
                    ts=record.ts,
                    org_id=record.organisation,
                    job_id=self.job_id,
                    provider=record.provider,
                    capability=record.capability,
                    model=record.model,
                    input_tokens=record.input_tokens,
                    output_tokens=record.output_tokens,
                    characters=record.characters,
                    images=record.images,
                    cost_usd=record.cost_usd,
                    cached=record.cached,
                )
            )
            db.commit()

    def spent(self, organisation: str, since: float) -> float:
        with self.sessions() as db:
            total = db.scalar(
                select(func.coalesce(func.sum(ProviderUsage.cost_usd), 0.0)).where(
                    ProviderUsage.org_id == organisation, ProviderUsage.ts >= since
                )
            )
        return float(total or 0.0)

    def records(self, organisation: str | None = None, since: float = 0.0) -> list[UsageRecord]:
        query = (
            select(ProviderUsage)
            .where(ProviderUsage.ts >= since)
            .order_by(ProviderUsage.ts, ProviderUsage.id)
        )
        if organisation is not None:
            query = query.where(ProviderUsage.org_id == organisation)
        with self.sessions() as db:
            return [
                UsageRecord(
                    ts=r.ts,
                    organisation=r.org_id,
                    provider=r.provider,
                    capability=r.capability,
                    model=r.model,
                    input_tokens=r.input_tokens,
                    output_tokens=r.output_tokens,
                    characters=r.characters,
                    images=r.images,
                    cost_usd=r.cost_usd,
                    cached=r.cached,
                )
                for r in db.scalars(query)
            ]


def meter_for_job(sessions: sessionmaker[Session], org_id: str, job_id: str) -> UsageMeter:
    """The meter a render job records to: its organisation, that organisation's plan."""
    with sessions() as db:
        plan = db.scalar(select(Organisation.plan).where(Organisation.id == org_id)) or "free"
    return UsageMeter(
        DBUsageStore(sessions, job_id), organisation=org_id, plan=PLANS.get(plan, PLANS["free"])
    )


@dataclass(frozen=True)
class UsageLine:
    provider: str
    capability: str
    calls: int
    cached_calls: int
    cost_usd: float


def month_summary(db: Session, org_id: str, now: float | None = None) -> tuple[float, list[UsageLine]]:
    """(start of the current month, usage per provider and capability this month)."""
    since = month_start(now if now is not None else datetime.now(UTC).timestamp())
    rows = db.execute(
        select(
            ProviderUsage.provider,
            ProviderUsage.capability,
            func.count(),
            func.sum(func.cast(ProviderUsage.cached, ProviderUsage.images.type)),
            func.coalesce(func.sum(ProviderUsage.cost_usd), 0.0),
        )
        .where(ProviderUsage.org_id == org_id, ProviderUsage.ts >= since)
        .group_by(ProviderUsage.provider, ProviderUsage.capability)
        .order_by(ProviderUsage.provider, ProviderUsage.capability)
    ).all()
    return since, [UsageLine(p, c, int(n), int(k or 0), round(float(cost), 6)) for p, c, n, k, cost in rows]
