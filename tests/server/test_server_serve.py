"""`faceless serve` as users run it: several HTTP processes over one SQLite database, and the read
path's short-lived auth cache forgetting a session as soon as it is logged out."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_helpers import PASSWORD, Api
from sqlalchemy import event

from faceless.server.fastauth import TTLCache


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_with_two_http_processes(tmp_path: Path) -> None:
    port = _port()
    env = {
        **os.environ,
        "FACELESS_DATA_DIR": str(tmp_path / "data"),
        "FACELESS_COOKIE_SECURE": "false",
        "FACELESS_ARGON2_MEMORY_KIB": "1024",
        "FACELESS_ARGON2_TIME_COST": "1",
    }
    env.pop("FACELESS_DATABASE_URL", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "faceless.cli.main",
            "serve",
            "--port",
            str(port),
            "--workers",
            "0",
            "--http-workers",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not start")
        r = httpx.post(f"{base}/auth/signup", json={"email": "two@example.com", "password": PASSWORD})
        assert r.status_code == 201, r.text
        auth = {"Authorization": f"Bearer {r.json()['tokens']['access_token']}"}
        org = r.json()["personal_org"]["id"]
        r = httpx.post(
            f"{base}/orgs/{org}/projects",
            headers=auth,
            json={"project": {"title": "T", "scenes": [{"id": "s1", "narration": "Hello there."}]}},
        )
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        # Fresh connections land on either process: every one of them serves the same data.
        pids = set()
        for _ in range(12):
            with httpx.Client() as c:
                got = c.get(f"{base}/orgs/{org}/projects/{pid}", headers=auth)
                assert (
                    got.status_code == 200
                    and got.json()["project"]["scenes"][0]["narration"] == "Hello there."
                )
                pids.add(got.headers["etag"])
        assert len(pids) == 1
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) >= 2  # the HTTP processes (and uvicorn's helpers)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert b"Traceback" not in err, err.decode()[-2000:]


def test_read_cache_forgets_a_logged_out_session(app: FastAPI, api: Api) -> None:
    me = api.signup()
    r = api.as_(
        me,
        "POST",
        f"/orgs/{me.org_id}/projects",
        json={"project": {"title": "T", "scenes": [{"id": "s1", "narration": "Hi."}]}},
    )
    pid = r.json()["id"]
    url = f"/orgs/{me.org_id}/projects/{pid}"
    first = api.as_(me, "GET", url)
    assert first.status_code == 200  # now cached
    assert api.as_(me, "GET", url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    out = api.client.post("/api/v1/auth/logout", json={"refresh_token": me.refresh}, headers=me.auth)
    assert out.status_code in (200, 204), out.text
    assert api.as_(me, "GET", url).status_code == 401  # not served from the cache after logout


def test_read_cache_forgets_a_removed_member(api: Api) -> None:
    owner, member = api.signup(), api.signup()
    org = api.team(owner, {"viewer": member})
    r = api.as_(
        owner,
        "POST",
        f"/orgs/{org}/projects",
        json={"project": {"title": "T", "scenes": [{"id": "s1", "narration": "Hi."}]}},
    )
    url = f"/orgs/{org}/projects/{r.json()['id']}"
    assert api.as_(member, "GET", url).status_code == 200
    assert api.as_(owner, "DELETE", f"/orgs/{org}/members/{member.user_id}").status_code == 204
    assert api.as_(member, "GET", url).status_code == 404


def test_ttl_cache_expiry_is_capped_by_the_entry() -> None:
    now = [100.0]
    cache = TTLCache(2.0, clock=lambda: now[0])
    cache.put("long", 1)
    cache.put("short", 2, 0.5)  # e.g. a token that expires in half a second
    cache.put("gone", 3, -1.0)  # already expired: never stored
    cache.put("capped", 4, 60.0)  # never longer than the cache's own TTL
    assert (cache.get("long"), cache.get("short"), cache.get("gone"), cache.get("capped")) == (1, 2, None, 4)
    now[0] = 100.6
    assert (cache.get("long"), cache.get("short"), cache.get("capped")) == (1, None, 4)
    now[0] = 102.1
    assert (cache.get("long"), cache.get("capped")) == (None, None)


def test_read_cache_never_outlives_the_access_token(make_app: Callable[..., FastAPI]) -> None:
    application = make_app()
    # A 2 s token: JWT "exp" has whole seconds, so it expires 1-2 s from now, within the cache's TTL.
    application.state.ctx.tokens.access_ttl = timedelta(seconds=2)
    with TestClient(application) as client:
        api = Api(client)
        me = api.signup()
        r = api.as_(
            me,
            "POST",
            f"/orgs/{me.org_id}/projects",
            json={"project": {"title": "T", "scenes": [{"id": "s1", "narration": "Hi."}]}},
        )
        assert r.status_code == 201, r.text
        url = f"/orgs/{me.org_id}/projects/{r.json()['id']}"
        exp = jwt.decode(me.access, options={"verify_signature": False})["exp"]
        assert api.as_(me, "GET", url).status_code == 200  # cached now, until at most `exp`
        time.sleep(max(0.0, exp - time.time()) + 0.05)
        assert api.as_(me, "GET", url).status_code == 401


def test_hot_read_sends_no_transaction_on_postgresql(app: FastAPI, api: Api) -> None:
    ctx = app.state.ctx
    me = api.signup()
    r = api.as_(
        me,
        "POST",
        f"/orgs/{me.org_id}/projects",
        json={"project": {"title": "T", "scenes": [{"id": "s1", "narration": "Hi."}]}},
    )
    url = f"/orgs/{me.org_id}/projects/{r.json()['id']}"
    assert api.as_(me, "GET", url).status_code == 200  # caller and membership cached
    seen: list[tuple[str, bool | None]] = []

    def record(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append((statement, getattr(conn.connection.dbapi_connection, "autocommit", None)))

    event.listen(ctx.engine, "before_cursor_execute", record)
    try:
        assert api.as_(me, "GET", url).status_code == 200
    finally:
        event.remove(ctx.engine, "before_cursor_execute", record)
    reads = [autocommit for statement, autocommit in seen if "FROM projects" in statement]
    assert len(reads) == 1
    if ctx.engine.dialect.name == "postgresql":
        assert reads == [True]  # psycopg in autocommit: no BEGIN / ROLLBACK round trips around it
