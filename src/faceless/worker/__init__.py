"""Render workers: a Huey-carried queue of job ids, leased from the database and rendered by the engine."""

from faceless.worker.service import EmbeddedWorkers, WorkerTuning, embedded, reap, run_worker

__all__ = ["EmbeddedWorkers", "WorkerTuning", "embedded", "reap", "run_worker"]
