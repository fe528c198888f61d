"""Provider usage in the platform database: per-organisation ledger, plan limits, a render job's paid
image calls recorded against its organisation, and who may read the usage."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jobs_helpers import jobs_app, wait_for, worker
from PIL import Image
from server_helpers import Api
from sqlalchemy import select, update

from faceless.providers.config import ENV_MAP
from faceless.providers.usage import UsageLimitExceeded, UsageRecord, check_budget, use_meter
from faceless.service.models import Organisation, ProviderUsage
from faceless.service.usage import DBUsageStore, meter_for_job
from providers.fakes.server import Answer, FakeServer, Request


def test_ledger_and_plan_limit(app: FastAPI, api: Api) -> None:
    me = api.signup()
    sessions = app.state.ctx.sessions
    meter = meter_for_job(sessions, me.org_id, "job-1")
    assert meter.plan.name == "free" and meter.plan.monthly_usd == 1.0
    meter.record(
        UsageRecord(
            ts=time.time(),
            organisation=me.org_id,
            provider="openai",
            capability="llm",
            model="gpt-4o",
            input_tokens=1000,
            output_tokens=500,
            cost_usd=0.95,
        )
    )
    meter.record(
        UsageRecord(
            ts=time.time() - 40 * 86400,
            organisation=me.org_id,
            provider="openai",
            capability="llm",
            model="gpt-4o",
            cost_usd=5.0,
        )
    )  # an earlier month: not counted
    assert meter.spent_this_month() == pytest.approx(0.95)
    with use_meter(meter), pytest.raises(UsageLimitExceeded, match="free plan"):
        check_budget("openai", "dall-e-3", images=2)  # 2 x $0.04 would pass $1.00
    with sessions() as db:
        db.execute(update(Organisation).where(Organisation.id == me.org_id).values(plan="unlimited"))
        db.commit()
    with use_meter(meter_for_job(sessions, me.org_id, "job-2")):
        assert check_budget("openai", "dall-e-3", images=2) == pytest.approx(0.08)
    rows = DBUsageStore(sessions).records(me.org_id)
    assert [r.cost_usd for r in rows] == [5.0, 0.95]
    with sessions() as db:
        assert db.scalar(select(ProviderUsage.job_id).where(ProviderUsage.cost_usd == 0.95)) == "job-1"


def test_usage_endpoint_roles(api: Api) -> None:
    owner, admin, editor, viewer, stranger = (api.signup() for _ in range(5))
    org = api.team(owner, {"admin": admin, "editor": editor, "viewer": viewer})
    for who, status in (
        (owner, 200),
        (admin, 200),
        (editor, 403),
        (viewer, 403),
        (stranger, 404),
        (None, 401),
    ):
        assert api.as_(who, "GET", f"/orgs/{org}/usage").status_code == status
    body = api.as_(owner, "GET", f"/orgs/{org}/usage").json()
    assert body["plan"] == "free" and body["spent_usd"] == 0 and body["remaining_usd"] == 1.0


@pytest.fixture
def fake_images(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeServer]:
    for var in ENV_MAP:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("FACELESS_CONFIG", str(tmp_path / "none.toml"))
    buf = io.BytesIO()
    Image.new("RGB", (1024, 1024), (20, 90, 160)).save(buf, "PNG")
    png = base64.b64encode(buf.getvalue()).decode()

    def gen(req: Request) -> Answer:
        if req.headers.get("authorization") != "Bearer sk-img":
            return Answer(401, {"error": {"message": "Incorrect API key provided"}})
        return Answer(200, {"created": 1, "data": [{"b64_json": png}]})

    server = FakeServer().start()
    server.route("POST", "/v1/images/generations", gen)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-img")
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_render_job_records_its_paid_calls(db_url: str, tmp_path: Path, fake_images: FakeServer) -> None:
    app = jobs_app(tmp_path / "data", db_url)
    try:
        with TestClient(app) as client:
            api = Api(client)
            me = api.signup()
            r = api.as_(
                me,
                "POST",
                f"/orgs/{me.org_id}/projects/from-input",
                json={
                    "scenes": [{"narration": "A lighthouse in a storm.", "visual_preference": "generated"}],
                    "images": ["openai"],
                    "format": "square",
                    "music": {"source": "none"},
                    "voice": {"voice": "espeak"},
                },
            )
            assert r.status_code == 201, r.text
            pid = r.json()["id"]
            r = api.as_(me, "POST", f"/orgs/{me.org_id}/projects/{pid}/renders", json={})
            assert r.status_code == 202, r.text
            job = r.json()["id"]
            with worker(app):
                state = wait_for(
                    lambda: (
                        (
                            api.as_(me, "GET", f"/orgs/{me.org_id}/renders/{job}").json()["state"]
                            in ("succeeded", "failed")
                        )
                        and api.as_(me, "GET", f"/orgs/{me.org_id}/renders/{job}").json()
                    )
                )
            assert state["state"] == "succeeded", state
            assert len(fake_images.calls("POST", "/v1/images/generations")) == 1
            usage = api.as_(me, "GET", f"/orgs/{me.org_id}/usage").json()
            [line] = usage["by_provider"]
            assert (line["provider"], line["capability"], line["calls"]) == ("openai", "image", 1)
            assert line["cost_usd"] == pytest.approx(0.04) and usage["spent_usd"] == pytest.approx(0.04)
            with app.state.ctx.sessions() as db:
                assert db.scalar(select(ProviderUsage.job_id).where(ProviderUsage.org_id == me.org_id)) == job
            bad = api.as_(
                me,
                "POST",
                f"/orgs/{me.org_id}/projects/from-input",
                json={"script": "Hi.", "images": ["nosuch"]},
            )
            assert bad.status_code in (400, 422) and "nosuch" in bad.text
            path_voice = api.as_(
                me,
                "POST",
                f"/orgs/{me.org_id}/projects/from-input",
                json={"script": "Hi.", "voice": {"voice": "piper:/etc/passwd.onnx"}},
            )
            assert path_voice.status_code in (400, 422) and "not allowed" in path_voice.text
    finally:
        app.state.ctx.engine.dispose()
