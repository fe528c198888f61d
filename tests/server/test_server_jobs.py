"""The jobs table and its lease protocol: one owner at a time, lapsed leases are taken over, zombies stop."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from faceless.service import jobs
from faceless.service.db import make_engine, make_sessionmaker
from faceless.service.models import Job, Organisation, utcnow


@pytest.fixture
def db(db_url: str) -> Iterator[Session]:
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def _job(db: Session, **kw) -> str:  # type: ignore[no-untyped-def]
    org = Organisation(name="Jobs")
    db.add(org)
    db.flush()
    job = jobs.enqueue(db, org_id=org.id, kind="render", payload={"scenes": "all"}, **kw)
    db.commit()
    return job.id


def test_lease_progress_finish(db: Session) -> None:
    job_id = _job(db)
    lease = jobs.lease(db, "worker-a", job_id=job_id)
    assert lease is not None and lease.attempt == 1 and lease.stage == ""
    assert jobs.lease(db, "worker-b", job_id=job_id) is None  # held
    assert jobs.heartbeat(db, lease, stage="voice", progress=0.4, message="scene 2 of 5") is False
    jobs.finish(db, lease, "succeeded")
    job = db.get(Job, job_id, populate_existing=True)
    assert job is not None and job.state == "succeeded" and job.progress == 1.0 and job.stage == "voice"
    events = jobs.events_after(db, job_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert [e.message for e in events][0] == "queued" and events[-1].message == "succeeded"
    assert [e.seq for e in jobs.events_after(db, job_id, after_seq=2)] == list(range(3, len(events) + 1))


def test_lapsed_lease_is_taken_over_and_resumes_from_stage(db: Session) -> None:
    job_id = _job(db)
    a = jobs.lease(db, "worker-a", job_id=job_id)
    assert a is not None
    jobs.heartbeat(db, a, stage="captions", progress=0.5)
    # Worker A dies: its lease lapses.
    db.execute(update(Job).where(Job.id == job_id).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    b = jobs.lease(db, "worker-b", job_id=job_id)
    assert b is not None and b.attempt == 2 and b.stage == "captions"
    with pytest.raises(jobs.LeaseLost):  # the zombie cannot write any more
        jobs.heartbeat(db, a, progress=0.6)
    with pytest.raises(jobs.LeaseLost):
        jobs.finish(db, a, "succeeded")
    jobs.finish(db, b, "succeeded")


def test_attempts_are_bounded_and_cancel(db: Session) -> None:
    job_id = _job(db, max_attempts=1)
    lease = jobs.lease(db, "w", job_id=job_id)
    assert lease is not None
    db.execute(update(Job).where(Job.id == job_id).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert jobs.lease(db, "w2", job_id=job_id) is None
    assert jobs.fail_exhausted(db) >= 1
    assert db.get(Job, job_id, populate_existing=True).state == "failed"  # type: ignore[union-attr]

    queued = _job(db)
    jobs.request_cancel(db, queued)
    db.commit()
    assert db.get(Job, queued, populate_existing=True).state == "cancelled"  # type: ignore[union-attr]
    running = _job(db)
    lease = jobs.lease(db, "w", job_id=running)
    assert lease is not None
    jobs.request_cancel(db, running)
    db.commit()
    assert jobs.heartbeat(db, lease) is True  # the worker learns at its next heartbeat
    jobs.finish(db, lease, "cancelled")


def test_concurrent_event_writers_never_collide(app) -> None:  # type: ignore[no-untyped-def]
    """Progress, cancel and reaper write events for one job at once: every event lands, in order."""
    import threading

    from faceless.service import jobs as jobs_mod
    from faceless.service.models import JobEvent as Ev
    from faceless.service.models import Organisation as Org

    sessions = app.state.ctx.sessions
    with sessions() as db:
        org = Org(name="race")
        db.add(org)
        db.flush()
        job = jobs_mod.enqueue(db, org_id=org.id, kind="render")
        db.commit()
        job_id = job.id
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(5):
                with sessions() as db:
                    jobs_mod.append_event(db, job_id, "log", message=f"w{n}-{i}")
                    db.commit()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    with sessions() as db:
        rows = db.execute(select(Ev.seq, Ev.message).where(Ev.job_id == job_id).order_by(Ev.seq)).all()
    seqs = [seq for seq, _ in rows]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == 1 + 6 * 5  # "queued" + every write
    assert {m for _, m in rows} == {"queued"} | {f"w{n}-{i}" for n in range(6) for i in range(5)}
    for n in range(6):  # each writer's own events keep its order
        mine = [m for _, m in rows if m.startswith(f"w{n}-")]
        assert mine == [f"w{n}-{i}" for i in range(5)]
