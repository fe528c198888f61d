"""Helpers of the server tests: databases on both backends, settings, an API client with accounts."""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from faceless.service.settings import Settings

PG_BASE = os.environ.get("FACELESS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("FACELESS_TEST_REDIS", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("FACELESS_REQUIRE_SERVICES") == "1"
PASSWORD = "correct horse battery"
BACKENDS = ["sqlite", "postgresql"]


def service_missing(what: str, err: Exception) -> None:
    """Skip (a laptop without the server) or fail (CI sets FACELESS_REQUIRE_SERVICES=1)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} unreachable and FACELESS_REQUIRE_SERVICES=1: {type(err).__name__}: {err}")
    pytest.skip(f"{what} is not running on 127.0.0.1 ({type(err).__name__}); set it up to run these tests")


@contextmanager
def pg_schema() -> Iterator[str]:
    """A throw-away PostgreSQL schema; yields a URL whose search_path points at it."""
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    try:
        conn = admin.connect()
    except OperationalError as e:
        admin.dispose()
        service_missing("PostgreSQL", e)
        raise
    name = f"t_{secrets.token_hex(6)}"
    conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{name}"
    finally:
        conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        conn.close()
        admin.dispose()


@contextmanager
def empty_database(backend: str, tmp: Path) -> Iterator[str]:
    """The URL of a new, empty database of `backend`."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / f'db-{secrets.token_hex(4)}.sqlite'}"
    else:
        with pg_schema() as url:
            yield url


def server_settings(data_dir: Path, db_url: str, **overrides: Any) -> Settings:
    """Cheap argon2 and generous rate limits, so the suite is fast and only rate tests hit limits."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": db_url,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "argon2_parallelism": 1,
        "cookie_secure": False,
        "rate_auth_ip": "100000/minute",
        "rate_auth_account": "100000/minute",
        "rate_user": "100000/minute",
        "redis_url": "",
    }
    values.update(overrides)
    return Settings(**values)


_counter = itertools.count()


@dataclass
class Account:
    email: str
    user_id: str
    org_id: str  # personal organisation
    access: str
    refresh: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


class Api:
    """A TestClient with helpers; `as_` sends the request authenticated as an account."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def signup(self, name: str = "") -> Account:
        email = f"user{next(_counter)}-{secrets.token_hex(3)}@example.com"
        r = self.client.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD, "name": name})
        assert r.status_code == 201, r.text
        body = r.json()
        self.client.cookies.clear()  # tests choose explicitly between bearer tokens and cookies
        return Account(
            email=email,
            user_id=body["user"]["id"],
            org_id=body["personal_org"]["id"],
            access=body["tokens"]["access_token"],
            refresh=body["tokens"]["refresh_token"],
        )

    def as_(self, account: Account | None, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {**(account.auth if account else {}), **kw.pop("headers", {})}
        self.client.cookies.clear()
        return self.client.request(method, f"/api/v1{path}", headers=headers, **kw)

    def team(self, owner: Account, members: dict[str, Account]) -> str:
        """A team organisation owned by `owner`, with `members` joined at the given roles."""
        r = self.as_(owner, "POST", "/orgs", json={"name": "Team"})
        assert r.status_code == 201, r.text
        org = r.json()["id"]
        for role, account in members.items():
            self.join(owner, org, account, role)
        return org

    def join(self, inviter: Account, org: str, account: Account, role: str) -> None:
        r = self.as_(inviter, "POST", f"/orgs/{org}/invitations", json={"email": account.email, "role": role})
        assert r.status_code == 201, r.text
        r = self.as_(account, "POST", "/invitations/accept", json={"token": r.json()["token"]})
        assert r.status_code == 200 and r.json()["role"] == role, r.text


SCENES = [
    {"id": "s1", "narration": "Octopuses have three hearts."},
    {"id": "s2", "narration": "And blue blood."},
]


def project_json(title: str = "Octopus facts", **extra: Any) -> dict[str, Any]:
    return {"schema": "faceless.project/1", "title": title, "scenes": SCENES, **extra}
