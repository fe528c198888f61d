"""Render workers: a Huey-carried queue of job ids, leased from the database and rendered by the engine."""

from faceless.worker.queue import HueyJobQueue, make_huey
from faceless.worker.service import EmbeddedWorkers, WorkerTuning, embedded, reap, run_worker

__all__ = ["EmbeddedWorkers", "HueyJobQueue", "WorkerTuning", "embedded", "make_huey", "reap", "run_worker"]
