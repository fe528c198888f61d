"""Jobs: the database is the source of truth; a queue (`faceless.service.queue`) only carries job ids
to wake workers.

Lifecycle: queued → running (leased by one worker, extended by heartbeats) → succeeded | failed | cancelled.
A running job whose lease lapsed (its worker died) is leased again by another worker and resumes from its
last finished `stage`; after `max_attempts` leases it fails. Every change appends a `JobEvent`, which is
what SSE streams and polling read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from faceless.service.models import Job, JobEvent, utcnow

DEFAULT_LEASE = timedelta(seconds=60)


class LeaseLost(Exception):
    """The worker no longer owns the job (lease expired and was taken, or the job was cancelled)."""


@dataclass(frozen=True)
class Lease:
    job_id: str
    owner: str
    attempt: int
    stage: str  # the last finished stage to resume after ("" = from the start)


def append_event(
    db: Session, job_id: str, kind: str, *, stage: str = "", progress: float | None = None, message: str = ""
) -> None:
    # Lock the job first (its row on PostgreSQL, the database's write lock on SQLite), so two writers
    # (the worker's progress and a cancel, the reaper...) never read the same max(seq) and collide.
    db.execute(update(Job).where(Job.id == job_id).values(updated_at=utcnow()))
    seq = (db.scalar(select(func.max(JobEvent.seq)).where(JobEvent.job_id == job_id)) or 0) + 1
    db.add(JobEvent(job_id=job_id, seq=seq, kind=kind, stage=stage, progress=progress, message=message))


def enqueue(
    db: Session,
    *,
    org_id: str,
    kind: str,
    payload: dict[str, Any] | None = None,
    project_id: str | None = None,
    project_version: int | None = None,
    user_id: str | None = None,
    max_attempts: int = 3,
) -> Job:
    """Record a queued job (caller commits, then hands `job.id` to the JobQueue)."""
    job = Job(
        org_id=org_id,
        kind=kind,
        payload=payload or {},
        project_id=project_id,
        project_version=project_version,
        created_by=user_id,
        max_attempts=max_attempts,
    )
    db.add(job)
    db.flush()
    append_event(db, job.id, "state", message="queued")
    return job


def _leasable(now: datetime) -> Any:
    return and_(
        Job.cancel_requested.is_(False),
        Job.attempts < Job.max_attempts,
        or_(Job.state == "queued", and_(Job.state == "running", Job.lease_expires_at < now)),
    )


def lease(
    db: Session, owner: str, *, job_id: str | None = None, ttl: timedelta = DEFAULT_LEASE
) -> Lease | None:
    """Take the oldest leasable job (or `job_id`) for `owner`; None if there is none. Commits.

    Compare-and-set UPDATE, so two workers racing for one job cannot both win (SQLite and PostgreSQL).
    """
    now = utcnow()
    query = select(Job.id).where(_leasable(now)).order_by(Job.created_at).limit(1)
    if job_id is not None:
        query = query.where(Job.id == job_id)
    candidate = db.scalar(query)
    if candidate is None:
        return None
    won = db.execute(
        update(Job)
        .where(Job.id == candidate, _leasable(now))
        .values(
            state="running",
            lease_owner=owner,
            lease_expires_at=now + ttl,
            attempts=Job.attempts + 1,
            started_at=func.coalesce(Job.started_at, now),
            updated_at=now,
        )
    ).rowcount
    if not won:
        db.rollback()
        return None
    job = db.get(Job, candidate, populate_existing=True)
    assert job is not None
    append_event(
        db, job.id, "state", stage=job.stage, message=f"running (attempt {job.attempts}, worker {owner})"
    )
    db.commit()
    return Lease(job_id=job.id, owner=owner, attempt=job.attempts, stage=job.stage)


def _owned(lease_: Lease) -> Any:
    return and_(Job.id == lease_.job_id, Job.lease_owner == lease_.owner, Job.state == "running")


def heartbeat(
    db: Session,
    lease_: Lease,
    *,
    stage: str | None = None,
    progress: float | None = None,
    eta_seconds: float | None = None,
    message: str = "",
    ttl: timedelta = DEFAULT_LEASE,
) -> bool:
    """Extend the lease and record progress; returns True if cancellation was requested. Commits.

    Raises LeaseLost if the job was taken over, so a zombie worker stops writing.
    """
    now = utcnow()
    values: dict[str, Any] = {"lease_expires_at": now + ttl, "updated_at": now}
    if stage is not None:
        values["stage"] = stage
    if progress is not None:
        values["progress"] = max(0.0, min(1.0, progress))
    if eta_seconds is not None:
        values["eta_seconds"] = eta_seconds
    if not db.execute(update(Job).where(_owned(lease_)).values(**values)).rowcount:
        db.rollback()
        raise LeaseLost(lease_.job_id)
    if progress is not None or message:
        append_event(
            db,
            lease_.job_id,
            "progress" if not message else "log",
            stage=stage or "",
            progress=progress,
            message=message,
        )
    db.commit()
    return bool(db.scalar(select(Job.cancel_requested).where(Job.id == lease_.job_id)))


def finish(db: Session, lease_: Lease, state: str, *, error: str | None = None) -> None:
    """End a leased job as succeeded, failed or cancelled. Commits; LeaseLost if not the owner."""
    if state not in ("succeeded", "failed", "cancelled"):
        raise ValueError(f"not a final state: {state}")
    now = utcnow()
    values: dict[str, Any] = {
        "state": state,
        "error": error,
        "finished_at": now,
        "updated_at": now,
        "lease_owner": None,
        "lease_expires_at": None,
    }
    if state == "succeeded":
        values["progress"] = 1.0
    if not db.execute(update(Job).where(_owned(lease_)).values(**values)).rowcount:
        db.rollback()
        raise LeaseLost(lease_.job_id)
    append_event(db, lease_.job_id, "state", message=state if not error else f"{state}: {error}")
    db.commit()


def request_cancel(db: Session, job_id: str) -> None:
    """Ask for cancellation: a queued job is cancelled now, a running one at its next heartbeat. Caller commits."""
    now = utcnow()
    db.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == "queued")
        .values(state="cancelled", cancel_requested=True, finished_at=now, updated_at=now)
    )
    db.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == "running")
        .values(cancel_requested=True, updated_at=now)
    )
    append_event(db, job_id, "state", message="cancel requested")


def fail_exhausted(db: Session) -> int:
    """Mark running jobs whose lease lapsed after their last allowed attempt as failed. Commits; returns count."""
    now = utcnow()
    n = db.execute(
        update(Job)
        .where(Job.state == "running", Job.lease_expires_at < now, Job.attempts >= Job.max_attempts)
        .values(
            state="failed",
            error="worker stopped responding on every attempt",
            finished_at=now,
            updated_at=now,
            lease_owner=None,
            lease_expires_at=None,
        )
    ).rowcount
    db.commit()
    return n


def events_after(db: Session, job_id: str, after_seq: int = 0, limit: int = 500) -> list[JobEvent]:
    """Events of a job with `seq > after_seq`, in order (polling and SSE resume with Last-Event-ID)."""
    return list(
        db.scalars(
            select(JobEvent)
            .where(JobEvent.job_id == job_id, JobEvent.seq > after_seq)
            .order_by(JobEvent.seq)
            .limit(limit)
        )
    )
