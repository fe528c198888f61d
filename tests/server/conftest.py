"""Server test fixtures: every API test runs on SQLite and on PostgreSQL (127.0.0.1:5432, database `test`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_helpers import BACKENDS, Api, empty_database, server_settings

from faceless.server.app import create_app
from faceless.service.db import make_engine, upgrade_database


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def db_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database shared by the session's tests of one backend (tests use unique accounts)."""
    with empty_database(backend, tmp_path_factory.mktemp(backend)) as url:
        engine = make_engine(url)
        upgrade_database(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def app(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    application = create_app(server_settings(tmp_path_factory.mktemp("data"), db_url), migrate=False)
    yield application
    application.state.ctx.engine.dispose()


@pytest.fixture
def make_app(db_url: str, tmp_path: Path) -> Iterator[Callable[..., FastAPI]]:
    """Build an app with setting overrides on the session's database."""
    made: list[FastAPI] = []

    def factory(**overrides: Any) -> FastAPI:
        application = create_app(server_settings(tmp_path / "data", db_url, **overrides), migrate=False)
        made.append(application)
        return application

    yield factory
    for application in made:
        application.state.ctx.engine.dispose()


@pytest.fixture
def api(app: FastAPI) -> Iterator[Api]:
    with TestClient(app) as client:
        yield Api(client)
