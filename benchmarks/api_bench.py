"""API throughput and job latency, against a real uvicorn server in other processes.

    .venv/bin/python benchmarks/api_bench.py                     # SQLite (embedded default) and PostgreSQL
    .venv/bin/python benchmarks/api_bench.py --db sqlite --seconds 10 --clients 64 --http-workers 1

1. Project reads: `--clients` concurrent keep-alive connections GET one project (8 scenes) for
   `--seconds`; reports requests/s and p50/p90/p99 latency. The load comes from `wrk` (C, light on
   the 2 shared cores) when installed, else from an asyncio + httpx client in its own process.
   The per-user rate limit is lifted for the run (one user sends all the requests).
2. Job submission -> first progress event: with an embedded worker process running, POST a render and
   poll its events until the worker's first event ("running ...") and the first engine progress event.

The server runs as `faceless serve` does: `--http-workers` uvicorn processes (default: one per CPU,
up to 4). Results: benchmarks/results/api_bench.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
# Eight scene cards: a project of the size people read and edit in the app.
SCRIPT = " ".join(f"Scene {i}: octopuses have three hearts, blue blood and nine brains." for i in range(1, 9))
PG = os.environ.get("FACELESS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def app_factory() -> Any:
    """uvicorn --factory entry: the app exactly as `faceless serve` builds it (settings from FACELESS_*)."""
    from faceless.server.app import serve_app

    return serve_app()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_schema() -> str | None:
    from sqlalchemy import create_engine, text

    try:
        eng = create_engine(PG, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            name = f"bench_{os.getpid()}"
            c.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            c.execute(text(f'CREATE SCHEMA "{name}"'))
        eng.dispose()
        return f"{PG}?options=-csearch_path%3D{name}"
    except Exception as e:  # noqa: BLE001
        print(f"PostgreSQL unavailable ({e}); skipped", file=sys.stderr)
        return None


async def _load(url: str, headers: dict[str, str], clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:

        async def one() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                r = await client.get(url)
                latencies.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
    }


def _wrk(url: str, token: str, clients: int, seconds: float) -> dict[str, float]:
    """Load from wrk (2 threads) with the bearer token; latencies from its --latency table."""
    script = Path(tempfile.mkdtemp(prefix="wrk-")) / "auth.lua"
    script.write_text(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if m is None:
            return -1.0
        return round(float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)], 2)

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(total.group(1)) if total else 0,
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50_ms": ms("50"),
        "p90_ms": ms("90"),
        "p99_ms": ms("99"),
        "client": "wrk",
    }


def _load_process(url: str, token: str, clients: int, seconds: float) -> dict[str, float]:
    """Run the load generator in its own Python process (so it does not share the server's GIL)."""
    code = (
        f"import asyncio,json,sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import api_bench as b; "
        f"print(json.dumps(asyncio.run(b._load({url!r}, {{'Authorization': 'Bearer {token}'}}, "
        f"{clients}, {seconds}))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1])) | {"client": "python httpx"}


def load(url: str, token: str, clients: int, seconds: float) -> dict[str, float]:
    """wrk when installed (the lighter client), else the Python client."""
    if shutil.which("wrk"):
        return _wrk(url, token, clients, seconds)
    return _load_process(url, token, clients, seconds)


def bench(db: str, clients: int, seconds: float, http_workers: int) -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(prefix=f"api-bench-{db}-"))
    db_url = f"sqlite:///{data / 'faceless.db'}" if db == "sqlite" else _pg_schema()
    if db_url is None:
        return {"skipped": "PostgreSQL unavailable"}
    port = _free_port()
    env = {
        **os.environ,
        "FACELESS_DATA_DIR": str(data),
        "FACELESS_DATABASE_URL": db_url,
        "FACELESS_RATE_USER": "10000000/minute",
        "FACELESS_RATE_AUTH_IP": "1000/minute",
        "FACELESS_COOKIE_SECURE": "false",
        "FACELESS_CACHE_DIR": str(data / "cache"),
        "FACELESS_HTTP_WORKERS": str(http_workers),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api_bench:app_factory",
            "--app-dir",
            str(ROOT / "benchmarks"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            str(http_workers),
            "--loop",
            "asyncio" if http_workers == 1 else "auto",
        ],  # as serve
        env=env,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    result: dict[str, Any] = {"db": db, "clients": clients, "seconds": seconds, "http_workers": http_workers}
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        r = httpx.post(
            f"{base}/auth/signup", json={"email": "bench@example.com", "password": "correct horse battery"}
        )
        r.raise_for_status()
        token, org = r.json()["tokens"]["access_token"], r.json()["personal_org"]["id"]
        auth = {"Authorization": f"Bearer {token}"}
        r = httpx.post(
            f"{base}/orgs/{org}/projects/from-input",
            headers=auth,
            timeout=60,
            json={"script": SCRIPT, "format": "square", "music": {"source": "none"}},
        )
        r.raise_for_status()
        pid = r.json()["id"]
        load(f"{base}/orgs/{org}/projects/{pid}", token, clients, 2)  # warm-up
        result["project_reads"] = load(f"{base}/orgs/{org}/projects/{pid}", token, clients, seconds)
        print(db, "project reads", result["project_reads"], flush=True)
        result["job_latency"] = _job_latency(base, org, pid, auth, env)
        print(db, "job latency", result["job_latency"], flush=True)
    finally:
        server.terminate()
        server.wait(20)
    return result


def _job_latency(
    base: str, org: str, pid: str, auth: dict[str, str], env: dict[str, str]
) -> dict[str, float]:
    worker = subprocess.Popen([sys.executable, "-m", "faceless.worker"], env=env, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)  # let the worker start and go idle
        t0 = time.perf_counter()
        job = httpx.post(f"{base}/orgs/{org}/projects/{pid}/renders", headers=auth, json={}).json()
        first_worker = first_progress = None
        after = 0
        while first_progress is None and time.perf_counter() - t0 < 60:
            page = httpx.get(
                f"{base}/orgs/{org}/renders/{job['id']}/events", headers=auth, params={"after": after}
            ).json()
            now = time.perf_counter() - t0
            for e in page["items"]:
                if first_worker is None and e["message"].startswith("running"):
                    first_worker = now
                if first_progress is None and e["kind"] in ("progress", "log"):
                    first_progress = now
            after = page["after"]
            time.sleep(0.01)
        return {
            "submit_to_worker_event_s": round(first_worker or -1, 3),
            "submit_to_first_progress_s": round(first_progress or -1, 3),
        }
    finally:
        worker.terminate()
        worker.wait(60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument(
        "--http-workers",
        type=int,
        default=max(1, min(4, os.cpu_count() or 1)),
        help="HTTP server processes (faceless serve's default: one per CPU, up to 4)",
    )
    args = ap.parse_args()
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = [bench(db, args.clients, args.seconds, args.http_workers) for db in dbs]
    out = ROOT / "benchmarks" / "results" / "api_bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"cpus": os.cpu_count(), "results": results}, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
