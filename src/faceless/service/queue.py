"""The job transport: Huey carries job ids from the API to workers; the database stays the truth.

Huey gives one code path for both deployments: `SqliteHuey` (a file in the data folder, no server)
for the embedded default, and `RedisHuey` when `FACELESS_QUEUE_URL=redis://…` for workers on many
machines. Messages only wake a worker for a job id; a lost or duplicated message is harmless because
workers lease jobs with a compare-and-set in the database and the reaper re-sends wake-ups for jobs
that are leasable but have no message in flight.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy.engine import make_url

from faceless.domain.errors import InputError

QUEUE_NAME = "faceless"
Handler = Callable[[str], None]


class JobQueue(Protocol):
    """Transport that wakes a worker for a job id (embedded Huey/SQLite or Huey/Redis)."""

    def submit(self, job_id: str) -> None: ...


def make_huey(queue_url: str) -> Huey:
    """A Huey instance for `sqlite:///path` (embedded) or `redis://host:port/db` (distributed)."""
    if queue_url.startswith(("redis://", "rediss://", "unix://")):
        # blocking BRPOP: a worker wakes as soon as a message arrives, no polling delay
        return RedisHuey(QUEUE_NAME, url=queue_url, results=False, blocking=True, read_timeout=1)
    if queue_url.startswith("sqlite:"):
        db = make_url(queue_url).database
        if not db or db == ":memory:":
            raise InputError(f"queue URL {queue_url!r} needs a file: use sqlite:////path/queue.db")
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=db, results=False)
    raise InputError(
        f"unsupported queue URL {queue_url!r}: use sqlite:///PATH (embedded) or redis://HOST:PORT/DB"
    )


class HueyJobQueue:
    """`faceless.service.jobs.JobQueue` over Huey. The API only calls `submit`; workers `take` and run."""

    def __init__(self, queue_url: str) -> None:
        self.huey = make_huey(queue_url)
        self.handler: Handler | None = None

        @self.huey.task(name="render_job")
        def render_job(job_id: str) -> None:
            if self.handler is None:  # an API-only process never executes tasks
                raise RuntimeError("no job handler in this process")
            self.handler(job_id)

        self._task: Any = render_job

    def submit(self, job_id: str) -> None:
        """Wake a worker for `job_id` (call after the job row is committed)."""
        self._task(job_id)

    def pending(self) -> int:
        """Messages waiting in the queue."""
        return int(self.huey.pending_count())

    def take(self) -> Any | None:
        """The next message, or None (Redis blocks up to 1 s; SQLite returns at once)."""
        return self.huey.dequeue()

    def run(self, message: Any) -> None:
        """Execute a taken message through Huey (signals, logging), which calls `handler(job_id)`."""
        self.huey.execute(message)

    def flush(self) -> None:
        """Drop every waiting message (tests; the reaper re-sends what is still leasable)."""
        self.huey.flush()
