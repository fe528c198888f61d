"""Render jobs through the API and the queue: progress over SSE and polling, downloads with Range,
cancel, retry, project creation from inputs, and the role matrix of the new endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jobs_helpers import TINY, jobs_app, parse_sse, wait_for, worker
from server_helpers import Account, Api

from faceless.testing.media import assert_media
from faceless.worker.render_job import STAGE_WEIGHTS

STAGES = list(STAGE_WEIGHTS)


@pytest.fixture(scope="module")
def japp(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    app = jobs_app(tmp_path_factory.mktemp("jobsdata"), db_url)
    yield app
    app.state.ctx.engine.dispose()


@pytest.fixture
def japi(japp: FastAPI) -> Iterator[Api]:
    with TestClient(japp) as client:
        yield Api(client)


def _project(api: Api, who: Account, org: str | None = None, **body: object) -> str:
    r = api.as_(who, "POST", f"/orgs/{org or who.org_id}/projects/from-input", json={**TINY, **body})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _submit(api: Api, who: Account, pid: str, org: str | None = None) -> dict:  # type: ignore[type-arg]
    r = api.as_(who, "POST", f"/orgs/{org or who.org_id}/projects/{pid}/renders", json={})
    assert r.status_code == 202, r.text
    return dict(r.json())


@pytest.mark.slow
def test_render_end_to_end_with_sse_polling_and_range(japp: FastAPI, japi: Api, tmp_path: Path) -> None:
    me = japi.signup()
    pid = _project(japi, me)
    project = japi.as_(me, "GET", f"/orgs/{me.org_id}/projects/{pid}").json()["project"]
    assert (
        project["format"] == "square" and project["scenes"][0]["narration"] == "Octopuses have three hearts."
    )
    job = _submit(japi, me, pid)
    assert job["state"] == "queued" and job["project_version"] == 1
    base = f"/api/v1/orgs/{me.org_id}/renders/{job['id']}"
    with worker(japp):
        with japi.client.stream(
            "GET", f"{base}/events", headers={**me.auth, "Accept": "text/event-stream"}
        ) as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            events = list(parse_sse(r.iter_lines()))
    assert events[-1]["event"] == "end" and events[-1]["data"]["state"] == "succeeded"
    body = events[:-1]
    seqs = [int(e["id"]) for e in body]
    assert seqs == list(range(1, len(seqs) + 1))
    percents = [e["data"]["percent"] for e in body if e["data"]["percent"] is not None]
    assert percents == sorted(percents) and percents[-1] == 100
    seen = [e["data"]["stage"] for e in body if e["data"]["stage"]]
    order = [STAGES.index(s) for s in seen]
    assert order == sorted(order) and set(seen) == set(STAGES)
    assert body[0]["data"]["message"] == "queued" and body[-1]["data"]["message"] == "succeeded"

    # The same events by polling, and SSE resuming after Last-Event-ID.
    polled = japi.as_(me, "GET", f"/orgs/{me.org_id}/renders/{job['id']}/events", params={"after": 0}).json()
    assert [e["seq"] for e in polled["items"]] == seqs and polled["done"] and polled["state"] == "succeeded"
    later = japi.as_(
        me, "GET", f"/orgs/{me.org_id}/renders/{job['id']}/events", params={"after": seqs[-3]}
    ).json()
    assert [e["seq"] for e in later["items"]] == seqs[-2:]
    with japi.client.stream(
        "GET",
        f"{base}/events",
        headers={**me.auth, "Accept": "text/event-stream", "Last-Event-ID": str(seqs[-2])},
    ) as r:
        resumed = list(parse_sse(r.iter_lines()))
    assert [e.get("id") for e in resumed] == [str(seqs[-1]), None]

    done = japi.as_(me, "GET", f"/orgs/{me.org_id}/renders/{job['id']}").json()
    assert done["state"] == "succeeded" and done["percent"] == 100 and done["eta_seconds"] is None
    names = {f["name"] for f in done["files"]}
    assert {
        "video.mp4",
        "captions.srt",
        "captions.vtt",
        "thumbnail.jpg",
        "project.json",
        "timeline.otio",
        "credits.json",
    } <= names
    video = japi.client.get(f"{base}/files/video.mp4", headers=me.auth)
    assert video.status_code == 200 and video.headers["accept-ranges"] == "bytes"
    (tmp_path / "v.mp4").write_bytes(video.content)
    assert_media(tmp_path / "v.mp4", width=1080, height=1080, fps=30)
    part = japi.client.get(f"{base}/files/video.mp4", headers={**me.auth, "Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == video.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(video.content)}"
    tail = japi.client.get(f"{base}/files/video.mp4", headers={**me.auth, "Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == video.content[-10:]
    bad = japi.client.get(f"{base}/files/video.mp4", headers={**me.auth, "Range": f"bytes={10**9}-"})
    assert bad.status_code == 416
    srt = japi.client.get(f"{base}/files/captions.srt", headers=me.auth)
    assert srt.status_code == 200 and "Octopuses" in srt.text
    for evil in ("..%2F..%2Fsecret_key", "secret_key", "video.mp4.tmp", "%2Fetc%2Fpasswd"):
        assert japi.client.get(f"{base}/files/{evil}", headers=me.auth).status_code == 404
    listed = japi.as_(me, "GET", f"/orgs/{me.org_id}/renders", params={"project_id": pid}).json()
    assert [j["id"] for j in listed["items"]] == [job["id"]]


@pytest.mark.slow
def test_cancel_queued_and_running_then_retry_resumes(japp: FastAPI, japi: Api) -> None:
    me = japi.signup()
    pid = _project(japi, me, script="Cancel me please. Then try again.")
    org = me.org_id
    queued = _submit(japi, me, pid)
    r = japi.as_(me, "POST", f"/orgs/{org}/renders/{queued['id']}/cancel")
    assert r.status_code == 202 and r.json()["state"] == "cancelled"  # nobody had started it
    assert japi.as_(me, "POST", f"/orgs/{org}/renders/{queued['id']}/cancel").status_code == 409

    running = _submit(japi, me, pid)
    url = f"/orgs/{org}/renders/{running['id']}"
    with worker(japp):
        wait_for(
            lambda: japi.as_(me, "GET", url).json()["stage"] in ("voice", "visuals", "audio"), every=0.05
        )
        assert japi.as_(me, "POST", f"{url}/cancel").status_code == 202
        state = wait_for(
            lambda: (s := japi.as_(me, "GET", url).json())["state"] in ("cancelled", "succeeded") and s,
            timeout=60,
        )
        assert state["state"] == "cancelled" and state["files"] == []
        assert japi.as_(me, "POST", f"{url}/retry").json()["state"] == "queued"
        assert japi.as_(me, "POST", f"/orgs/{org}/renders/{queued['id']}/retry").status_code == 202
        for job_id in (running["id"], queued["id"]):
            final = wait_for(
                lambda j=job_id: (
                    (s := japi.as_(me, "GET", f"/orgs/{org}/renders/{j}").json())["state"]
                    in ("succeeded", "failed", "cancelled")
                    and s
                )
            )
            assert final["state"] == "succeeded", final
    assert japi.as_(me, "POST", f"{url}/retry").status_code == 409  # succeeded: nothing to retry
    events = japi.as_(me, "GET", f"{url}/events").json()["items"]
    messages = [e["message"] for e in events if e["kind"] == "state"]
    assert "cancel requested" in messages and "cancelled" in messages and "queued (retry)" in messages
    assert messages[-1] == "succeeded"


def test_from_input_errors_are_422_with_the_engines_message(japi: Api) -> None:
    me = japi.signup()
    url = f"/orgs/{me.org_id}/projects/from-input"
    r = japi.as_(me, "POST", url, json={"script": "   "})
    assert r.status_code == 422 and "script is empty" in r.json()["error"]["message"]
    r = japi.as_(me, "POST", url, json={"script": "a", "topic": "b"})
    assert r.status_code == 422 and "exactly one input" in r.json()["error"]["message"]
    r = japi.as_(me, "POST", url, json={"article_url": "http://127.0.0.1:5432/x"})
    assert r.status_code == 422 and "private or local address" in r.json()["error"]["message"]
    r = japi.as_(me, "POST", url, json={"scenes": [{"narration": "Hi.", "asset_id": "nope"}]})
    assert r.status_code == 422 and "asset nope" in r.json()["error"]["message"]
    r = japi.as_(me, "POST", url, json={"script": "Hi.", "format": "imax"})
    assert r.status_code == 422
    r = japi.as_(
        me, "POST", url, json={"scenes": [{"narration": "One."}, {"narration": "Two."}], "title": "T"}
    )
    assert r.status_code == 201 and [s["narration"] for s in r.json()["project"]["scenes"]] == [
        "One.",
        "Two.",
    ]
    r = japi.as_(
        me,
        "POST",
        url,
        json={
            "article_text": "<html><body><h1>Sea otters</h1><p>Sea otters hold "
            "hands while they sleep. They use rocks as tools.</p></body></html>",
            "duration": 10,
        },
    )
    assert r.status_code == 201 and r.json()["title"] == "Sea otters"


def test_project_paths_outside_the_org_are_refused_by_the_worker(japp: FastAPI, japi: Api) -> None:
    from faceless.service import jobs
    from faceless.service.models import Job
    from faceless.storage.blobs import blob_store_for
    from faceless.worker.render_job import JobProcessor

    me = japi.signup()
    pid = _project(japi, me)
    project = japi.as_(me, "GET", f"/orgs/{me.org_id}/projects/{pid}").json()["project"]
    project["scenes"][0]["visual"] = {"kind": "image", "path": "/etc/passwd", "pinned": True}
    assert (
        japi.as_(me, "PUT", f"/orgs/{me.org_id}/projects/{pid}", json={"project": project}).status_code == 200
    )
    job = _submit(japi, me, pid)
    settings = japp.state.ctx.settings
    sessions = japp.state.ctx.sessions
    processor = JobProcessor(sessions, settings.data_dir, blob_store_for(settings.data_dir), "test-worker")
    with sessions() as db:
        lease = jobs.lease(db, "test-worker", job_id=job["id"])
    assert lease is not None
    processor.run(lease)
    with sessions() as db:
        row = db.get(Job, job["id"])
        assert (
            row is not None and row.state == "failed" and "not one of this organisation's assets" in row.error
        )


ROLE_ROWS = [
    # (least role, method, path, json, ok status)
    ("viewer", "GET", "/orgs/{org}/renders", None, 200),
    ("viewer", "GET", "/orgs/{org}/renders/{job}", None, 200),
    ("viewer", "GET", "/orgs/{org}/renders/{job}/events", None, 200),
    ("editor", "POST", "/orgs/{org}/projects/{project}/renders", {}, 202),
    ("editor", "POST", "/orgs/{org}/renders/{job}/retry", None, 409),  # allowed, but the job is queued
    ("editor", "POST", "/orgs/{org}/projects/from-input", {"scenes": [{"narration": "Hi."}]}, 201),
    ("viewer", "GET", "/orgs/{org}/assets", None, 200),
    ("viewer", "GET", "/orgs/{org}/renders/{job}/files/video.mp4", None, 404),  # allowed; not rendered
]


@pytest.mark.parametrize("row", ROLE_ROWS, ids=lambda r: f"{r[1]} {r[2]}")
def test_role_matrix_of_render_endpoints(japi: Api, row: tuple) -> None:  # type: ignore[type-arg]
    least, method, template, body, ok = row
    ranks = ["viewer", "editor", "admin", "owner"]
    users = {role: japi.signup() for role in ranks}
    foreign = japi.signup()
    org = japi.team(users["owner"], {r: users[r] for r in ("admin", "editor", "viewer")})
    pid = _project(japi, users["owner"], org)
    job = _submit(japi, users["owner"], pid, org)
    path = template.format(org=org, project=pid, job=job["id"])
    for role, who in users.items():
        r = japi.as_(who, method, path, json=body)
        want = ok if ranks.index(role) >= ranks.index(least) else 403
        assert r.status_code == want, (role, r.text)
    assert japi.as_(foreign, method, path, json=body).status_code == 404
    assert japi.as_(None, method, path, json=body).status_code == 401
    # cancel last (it changes the job): viewers may not, editors may
    assert japi.as_(users["viewer"], "POST", f"/orgs/{org}/renders/{job['id']}/cancel").status_code == 403
    assert japi.as_(users["editor"], "POST", f"/orgs/{org}/renders/{job['id']}/cancel").status_code == 202
