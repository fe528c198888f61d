"""Workers as separate processes: a worker killed with SIGKILL mid-render loses nothing (another one
finishes the job, no corrupt or orphaned files); a lost queue message or a restarted server loses no job;
the reaper re-sends wake-ups. Runs on SQLite + the embedded queue and on PostgreSQL + Redis."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from faceless.service import jobs
from faceless.service.db import make_engine, make_sessionmaker, upgrade_database
from faceless.service.models import Artifact, Job, JobEvent, Organisation, ProjectRow, ProjectVersion, utcnow
from faceless.service.queue import HueyJobQueue
from faceless.service.settings import Settings
from faceless.storage.blobs import blob_store_for
from faceless.testing.media import assert_media
from faceless.worker import WorkerTuning, embedded, reap

PG_BASE = os.environ.get("FACELESS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("FACELESS_TEST_REDIS", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("FACELESS_REQUIRE_SERVICES") == "1"
PROJECT = {
    "schema": "faceless.project/1",
    "title": "Kill test",
    "format": "square",
    "music": {"source": "none"},
    "scenes": [{"id": "s1", "narration": "Octopuses have three hearts and blue blood."}],
}


def _missing(what: str, err: Exception) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} unreachable and FACELESS_REQUIRE_SERVICES=1: {err}")
    pytest.skip(f"{what} is not running on 127.0.0.1 ({type(err).__name__}); set it up to run these tests")


@dataclass
class Service:
    settings: Settings
    sessions: sessionmaker[Session]
    queue: HueyJobQueue
    env: dict[str, str]


@pytest.fixture(params=["sqlite", "postgresql+redis"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    data = tmp_path / "data"
    schema = None
    if request.param == "sqlite":
        db_url, queue_url = f"sqlite:///{tmp_path / 'db.sqlite'}", f"sqlite:///{data / 'queue.db'}"
    else:
        admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                schema = f"w_{secrets.token_hex(5)}"
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        except OperationalError as e:
            _missing("PostgreSQL", e)
        db_url, queue_url = f"{PG_BASE}?options=-csearch_path%3D{schema}", REDIS_URL
    settings = Settings(data_dir=data, database_url=db_url, queue_url=queue_url, secret_key="k" * 40)
    engine = make_engine(db_url)
    upgrade_database(engine)
    try:
        queue = HueyJobQueue(queue_url)
        queue.flush()
    except Exception as e:  # noqa: BLE001 - redis down
        engine.dispose()
        _missing("Redis", e)
    env = {
        **os.environ,
        "FACELESS_DATA_DIR": str(data),
        "FACELESS_DATABASE_URL": db_url,
        "FACELESS_QUEUE_URL": queue_url,
        "FACELESS_SECRET_KEY": "k" * 40,
    }
    yield Service(settings, make_sessionmaker(engine), queue, env)
    queue.flush()
    engine.dispose()
    if schema:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _job(svc: Service, *, submit: bool = True) -> str:
    with svc.sessions() as db:
        org = Organisation(name="Workers")
        db.add(org)
        db.flush()
        project = ProjectRow(org_id=org.id, title="Kill test", version=1, data=PROJECT)
        db.add(project)
        db.flush()
        db.add(ProjectVersion(project_id=project.id, version=1, data=PROJECT))
        job = jobs.enqueue(db, org_id=org.id, kind="render", project_id=project.id, project_version=1)
        db.commit()
        job_id = job.id
    if submit:
        svc.queue.submit(job_id)
    return job_id


def _start_worker(svc: Service) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "faceless.worker", "--lease-seconds", "3", "--reap-interval", "0.5"],
        env=svc.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _state(svc: Service, job_id: str) -> Job:
    with svc.sessions() as db:
        job = db.get(Job, job_id)
        assert job is not None
        return job


def _wait(svc: Service, job_id: str, done: object, timeout: float = 180.0) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = _state(svc, job_id)
        if done(job):  # type: ignore[operator]
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} stuck: {job.state} {job.stage} {job.progress}")


def _assert_clean_result(svc: Service, job_id: str, tmp_path: Path) -> None:
    job = _state(svc, job_id)
    assert job.state == "succeeded", job.error
    with svc.sessions() as db:
        arts = {a.kind: a for a in db.scalars(select(Artifact).where(Artifact.job_id == job_id))}
    assert "video.mp4" in arts and "captions.srt" in arts
    blobs = blob_store_for(svc.settings.data_dir)
    video = blobs.local_path(arts["video.mp4"].storage_key)
    assert video is not None
    assert_media(video, width=1080, height=1080, fps=30)
    stored = {p.name for p in (blobs.root / "orgs").rglob("*") if p.is_file()}
    assert stored == set(arts), stored  # exactly the recorded files: nothing half-written, nothing extra
    assert not any((blobs.root / ".tmp").iterdir())
    assert not (svc.settings.data_dir / "work" / job_id).exists()  # every attempt's folder is gone


@pytest.mark.slow
def test_worker_killed_mid_render_another_finishes(service: Service, tmp_path: Path) -> None:
    job_id = _job(service)
    first = _start_worker(service)
    try:
        _wait(
            service,
            job_id,
            lambda j: (
                j.state == "running"
                and j.stage in ("audio", "render", "outputs")
                or j.state != "queued"
                and j.state != "running"
            ),
            timeout=120,
        )
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert _state(service, job_id).state == "running"  # the dead worker still "holds" it
        second = _start_worker(service)
        try:
            job = _wait(service, job_id, lambda j: j.state in ("succeeded", "failed", "cancelled"))
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(40) == 0
    finally:
        if first.poll() is None:
            first.kill()
    assert job.attempts == 2
    with service.sessions() as db:
        messages = [
            e.message
            for e in db.scalars(select(JobEvent).where(JobEvent.job_id == job_id).order_by(JobEvent.seq))
        ]
    assert any(m.startswith("running (attempt 2") for m in messages) and messages[-1] == "succeeded"
    _assert_clean_result(service, job_id, tmp_path)


@pytest.mark.slow
def test_lost_message_and_restart_lose_no_job(service: Service, tmp_path: Path) -> None:
    # The API committed the job and died before (or just after) sending the message: no message at all.
    job_id = _job(service, submit=False)
    assert service.queue.pending() == 0
    with embedded(service.settings, tuning=WorkerTuning(lease_seconds=3, reap_interval=0.5)) as workers:
        assert workers.alive()
        _wait(service, job_id, lambda j: j.state in ("succeeded", "failed", "cancelled"))
    assert not any(p.is_alive() for p in workers.processes)
    _assert_clean_result(service, job_id, tmp_path)


def test_reaper_resends_only_what_is_missing(service: Service) -> None:
    a, b = _job(service, submit=False), _job(service, submit=False)
    assert reap(service.sessions, service.queue) == 2 and service.queue.pending() == 2
    assert reap(service.sessions, service.queue) == 0  # messages are waiting: nothing re-sent
    service.queue.flush()
    with service.sessions() as db:  # a is taken by a worker that then dies; b is cancelled while queued
        lease = jobs.lease(db, "dead-worker", job_id=a, ttl=timedelta(seconds=30))
        assert lease is not None
        jobs.request_cancel(db, b)
        db.commit()
    assert reap(service.sessions, service.queue) == 0  # a's lease is alive, b is final
    with service.sessions() as db:
        db.execute(update(Job).where(Job.id == a).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
        db.commit()
    assert reap(service.sessions, service.queue) == 1  # a's worker died: wake someone for it
    message = service.queue.take()
    assert message is not None and message.args == (a,)
