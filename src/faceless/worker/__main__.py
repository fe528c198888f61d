"""`python -m faceless.worker`: a worker configured from the environment (what `faceless worker` runs)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from faceless.service.settings import Settings
from faceless.worker.service import WorkerTuning, run_worker


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="faceless-worker", description=__doc__)
    parser.add_argument("--concurrency", type=int, default=1, help="jobs rendered at once by this process")
    parser.add_argument(
        "--lease-seconds",
        type=float,
        default=60.0,
        help="lease length; a dead worker's job is taken over after this long",
    )
    parser.add_argument("--reap-interval", type=float, default=10.0, help="seconds between reaper passes")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_worker(
        Settings(),
        concurrency=args.concurrency,
        stop=stop,
        tuning=WorkerTuning(lease_seconds=args.lease_seconds, reap_interval=args.reap_interval),
    )


if __name__ == "__main__":
    main()
