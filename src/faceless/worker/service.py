"""The worker process: consumer threads taking job ids from the queue, and a reaper.

`run_worker` blocks until `stop` is set. `embedded` starts worker processes next to the API for
`faceless serve` (render work never runs in the API process). The reaper, run at start and every
`reap_interval` seconds, fails jobs that used up their attempts, finishes cancel requests whose
worker died, and re-sends wake-ups for leasable jobs (queued, or running with a lapsed lease) that
have no message waiting, so a lost message, a killed worker or a restarted server loses no job.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from faceless.service import jobs
from faceless.service.db import make_engine, make_sessionmaker
from faceless.service.models import Job, utcnow
from faceless.service.queue import HueyJobQueue
from faceless.service.settings import Settings
from faceless.storage.blobs import blob_store_for
from faceless.worker.render_job import JobProcessor, WorkerOptions

log = logging.getLogger("faceless.worker")


@dataclass
class WorkerTuning:
    """Timings of a worker; the defaults suit production, tests shorten them."""

    lease_seconds: float = 60.0
    reap_interval: float = 10.0
    idle_poll: float = 0.2  # longest wait between polls of an empty SQLite queue


def reap(sessions: sessionmaker[Session], queue: HueyJobQueue) -> int:
    """One reaper pass; returns how many wake-ups were re-sent."""
    now = utcnow()
    with sessions() as db:
        jobs.fail_exhausted(db)
        stuck = (
            db.execute(
                update(Job)
                .where(Job.state == "running", Job.cancel_requested.is_(True), Job.lease_expires_at < now)
                .values(
                    state="cancelled",
                    finished_at=now,
                    updated_at=now,
                    lease_owner=None,
                    lease_expires_at=None,
                )
                .returning(Job.id)
            )
            .scalars()
            .all()
        )
        for job_id in stuck:
            jobs.append_event(db, job_id, "state", message="cancelled")
        db.commit()
        leasable = db.scalars(
            select(Job.id)
            .where(
                Job.cancel_requested.is_(False),
                Job.attempts < Job.max_attempts,
                or_(Job.state == "queued", and_(Job.state == "running", Job.lease_expires_at < now)),
            )
            .order_by(Job.created_at)
            .limit(1000)
        ).all()
    missing = len(leasable) - queue.pending()
    for job_id in leasable[: max(0, missing)]:
        queue.submit(job_id)
    return max(0, missing)


def _consume(queue: HueyJobQueue, stop: threading.Event, tuning: WorkerTuning) -> None:
    wait = 0.02
    while not stop.is_set():
        try:
            message = queue.take()
        except Exception:  # noqa: BLE001 - broker down: back off and retry rather than die
            log.warning("queue unavailable; retrying", exc_info=True)
            stop.wait(2.0)
            continue
        if message is None:
            stop.wait(wait)
            wait = min(tuning.idle_poll, wait * 2)
            continue
        wait = 0.02
        queue.run(message)  # Huey logs and swallows task exceptions; the job row records failures


def _reaper(
    sessions: sessionmaker[Session], queue: HueyJobQueue, stop: threading.Event, every: float
) -> None:
    while not stop.wait(every):
        try:
            reap(sessions, queue)
        except Exception:  # noqa: BLE001 - keep reaping after a database or broker blip
            log.warning("reaper pass failed", exc_info=True)


def run_worker(
    settings: Settings,
    *,
    concurrency: int = 1,
    stop: threading.Event | None = None,
    tuning: WorkerTuning | None = None,
) -> None:
    """Consume render jobs until `stop` is set (blocks). Jobs running at stop are handed back to the queue."""
    tuning = tuning or WorkerTuning()
    stop = stop or threading.Event()
    # The engine's stage caches live with the service's data unless the operator chose a place.
    os.environ.setdefault("FACELESS_CACHE_DIR", str(settings.data_dir / "cache"))
    engine = make_engine(settings.database_url, echo=settings.database_echo)
    sessions = make_sessionmaker(engine)
    queue = HueyJobQueue(settings.queue_url)
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    options = WorkerOptions(lease=timedelta(seconds=tuning.lease_seconds))
    blobs = blob_store_for(
        settings.data_dir,
        settings.storage_url,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
    )
    processor = JobProcessor(sessions, settings.data_dir, blobs, owner, options)
    queue.handler = processor.process
    log.info("worker %s: %d consumer(s) on %s", owner, concurrency, settings.queue_url.split("@")[-1])
    try:
        reap(sessions, queue)
    except Exception:  # noqa: BLE001 - the periodic reaper will try again
        log.warning("initial reaper pass failed", exc_info=True)
    threads = [
        threading.Thread(target=_consume, args=(queue, stop, tuning), name=f"consumer-{i}", daemon=True)
        for i in range(max(1, concurrency))
    ]
    threads.append(
        threading.Thread(
            target=_reaper, args=(sessions, queue, stop, tuning.reap_interval), name="reaper", daemon=True
        )
    )
    for t in threads:
        t.start()
    try:
        stop.wait()
    finally:
        stop.set()
        processor.shutdown.set()  # running renders stop at their next check and hand the job back
        for t in threads:
            t.join(timeout=30)
        engine.dispose()


# --- embedded workers for `faceless serve` ---------------------------------------------------------


def _embedded_main(
    settings_data: dict[str, Any], concurrency: int, tuning: WorkerTuning, stop_flag: Any, parent: int
) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    settings = Settings(**settings_data)
    stop = threading.Event()

    def watch() -> None:
        # Stop with the API: on request, or when the parent process is gone (killed without cleanup).
        while not stop.is_set():
            if stop_flag.wait(1.0) or os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch, daemon=True).start()
    run_worker(settings, concurrency=concurrency, stop=stop, tuning=tuning)


class EmbeddedWorkers:
    """Worker processes started by the API process; `stop()` ends them (also on `with` exit)."""

    def __init__(
        self,
        settings: Settings,
        *,
        processes: int = 1,
        concurrency: int = 1,
        tuning: WorkerTuning | None = None,
    ) -> None:
        ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._stop = ctx.Event()
        data = settings.model_dump()
        self.processes = [
            ctx.Process(
                target=_embedded_main,
                name=f"faceless-worker-{i}",
                daemon=False,
                args=(data, concurrency, tuning or WorkerTuning(), self._stop, os.getpid()),
            )
            for i in range(max(1, processes))
        ]
        for p in self.processes:
            p.start()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid is not None]

    def alive(self) -> bool:
        return all(p.is_alive() for p in self.processes)

    def stop(self, timeout: float = 40.0) -> None:
        """Ask every worker to stop (running jobs are handed back), then wait; terminate stragglers."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for p in self.processes:
            p.join(max(0.1, deadline - time.monotonic()))
            if p.is_alive():
                p.terminate()
                p.join(5)


@contextmanager
def embedded(
    settings: Settings, *, processes: int = 1, concurrency: int = 1, tuning: WorkerTuning | None = None
) -> Iterator[EmbeddedWorkers]:
    """Run worker processes for the lifetime of the `with` block (what `faceless serve` uses)."""
    workers = EmbeddedWorkers(settings, processes=processes, concurrency=concurrency, tuning=tuning)
    try:
        yield workers
    finally:
        workers.stop()
