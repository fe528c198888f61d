"""Provider usage and plan limits of an organisation (admins and owners)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from faceless.providers.usage import PLANS
from faceless.server.deps import Db, OrgAccess, requires
from faceless.service.usage import month_summary

router = APIRouter(tags=["organisations"])


class UsageLineOut(BaseModel):
    provider: str
    capability: str
    calls: int
    cached_calls: int
    cost_usd: float


class UsageOut(BaseModel):
    plan: str
    monthly_limit_usd: float | None  # None: no limit
    period_start: datetime
    spent_usd: float
    remaining_usd: float | None
    by_provider: list[UsageLineOut]


@router.get("/orgs/{org_id}/usage", response_model=UsageOut)
def org_usage(access: Annotated[OrgAccess, Depends(requires("usage.read"))], db: Db) -> UsageOut:
    """Paid provider calls this calendar month (UTC), their estimated cost and the plan's limit."""
    plan = PLANS.get(access.org.plan, PLANS["free"])
    since, lines = month_summary(db, access.org.id)
    spent = round(sum(line.cost_usd for line in lines), 6)
    limit = plan.monthly_usd
    return UsageOut(
        plan=plan.name,
        monthly_limit_usd=limit,
        period_start=datetime.fromtimestamp(since, UTC),
        spent_usd=spent,
        remaining_usd=None if limit is None else round(max(0.0, limit - spent), 6),
        by_provider=[UsageLineOut(**line.__dict__) for line in lines],
    )
