"""Schemathesis against the app's own OpenAPI document: generated requests to every operation, as a
signed-in member of a real organisation, never get a 5xx, and answers conform to the documented
status codes. Runs on SQLite in a few seconds per operation (a handful of examples each).

Excluded: `POST .../projects/from-input` (runs the engine's planner and may fetch an article URL;
covered by its own tests) and the SSE stream (an endless response).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from jobs_helpers import jobs_app
from schemathesis.checks import not_a_server_error, status_code_conformance
from server_helpers import PASSWORD

from faceless.server.db import make_engine, upgrade_database

STATE: dict[str, Any] = {}


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    data = tmp_path_factory.mktemp("schema")
    url = f"sqlite:///{data / 'db.sqlite'}"
    engine = make_engine(url)
    upgrade_database(engine)
    engine.dispose()
    app = jobs_app(data, url)
    with TestClient(app) as client:
        r = client.post("/api/v1/auth/signup", json={"email": "fuzz@example.com", "password": PASSWORD})
        assert r.status_code == 201, r.text
        body = r.json()
        STATE["auth"] = {"Authorization": f"Bearer {body['tokens']['access_token']}"}
        STATE["org"] = body["personal_org"]["id"]
        client.cookies.clear()
        r = client.post(f"/api/v1/orgs/{STATE['org']}/projects", headers=STATE["auth"], json={
            "project": {"title": "T", "scenes": [{"id": "s1", "narration": "Hello there."}]}})
        STATE["project"] = r.json()["id"]
        yield app
    app.state.ctx.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(api_app: FastAPI) -> Any:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api_app)
    return schema.exclude(path_regex=r".*/from-input$").exclude(path_regex=r".*/events$", method="GET")


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def test_no_server_errors(api_schema: Any) -> None:
    """Every operation, a handful of generated requests each (schemathesis strategies, driven by
    Hypothesis directly: the schemathesis pytest plugin does not run on pytest 9)."""
    operations = _operations(api_schema)
    assert len(operations) > 40
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            # Half of the time, the caller's own organisation and project: past the membership check.
            params = case.path_parameters or {}
            if "org_id" in params and len(str(params)) % 2 == 0:
                params["org_id"] = STATE["org"]
                if "project_id" in params:
                    params["project_id"] = STATE["project"]
            case.call_and_validate(headers=STATE["auth"], checks=[not_a_server_error, status_code_conformance])

        try:
            run()
        except Exception as e:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(e)[:600]}")
    assert not failures, "\n\n".join(failures)


def test_schema_documents_every_route(api_app: FastAPI) -> None:
    paths = api_app.openapi()["paths"]
    assert "/api/v1/orgs/{org_id}/projects/{project_id}" in paths
    assert "/api/v1/orgs/{org_id}/usage" in paths
    assert all(p.startswith("/api/v1/") for p in paths)
