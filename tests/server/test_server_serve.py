"""`faceless serve` as users run it: several HTTP processes over one SQLite database, and the read
path's short-lived auth cache forgetting a session as soon as it is logged out."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from server_helpers import PASSWORD, Api


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_with_two_http_processes(tmp_path: Path) -> None:
    port = _port()
    env = {**os.environ, "FACELESS_DATA_DIR": str(tmp_path / "data"), "FACELESS_COOKIE_SECURE": "false",
           "FACELESS_ARGON2_MEMORY_KIB": "1024", "FACELESS_ARGON2_TIME_COST": "1"}
    env.pop("FACELESS_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "faceless.cli.main", "serve", "--port", str(port),
                             "--workers", "0", "--http-workers", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
        r = httpx.post(f"{base}/orgs/{org}/projects", headers=auth,
                       json={"project": {"title": "T", "scenes": [{"id": "s1", "narration": "Hello there."}]}})
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        # Fresh connections land on either process: every one of them serves the same data.
        pids = set()
        for _ in range(12):
            with httpx.Client() as c:
                got = c.get(f"{base}/orgs/{org}/projects/{pid}", headers=auth)
                assert got.status_code == 200 and got.json()["project"]["scenes"][0]["narration"] == "Hello there."
                pids.add(got.headers["etag"])
        assert len(pids) == 1
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) >= 2  # the HTTP processes (and uvicorn's helpers)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert b"Traceback" not in err, err.decode()[-2000:]


def test_read_cache_forgets_a_logged_out_session(app: FastAPI, api: Api) -> None:
    me = api.signup()
    r = api.as_(me, "POST", f"/orgs/{me.org_id}/projects",
                json={"project": {"title": "T", "scenes": [{"id": "s1", "narration": "Hi."}]}})
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
    r = api.as_(owner, "POST", f"/orgs/{org}/projects",
                json={"project": {"title": "T", "scenes": [{"id": "s1", "narration": "Hi."}]}})
    url = f"/orgs/{org}/projects/{r.json()['id']}"
    assert api.as_(member, "GET", url).status_code == 200
    assert api.as_(owner, "DELETE", f"/orgs/{org}/members/{member.user_id}").status_code == 204
    assert api.as_(member, "GET", url).status_code == 404
