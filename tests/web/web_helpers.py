"""Helpers of the web tests: service settings for a temp folder, Chromium launch options, sign-up via the page."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from faceless.service.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
PASSWORD = "correct horse battery"


def web_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Embedded defaults in a temp folder, cheap argon2, generous rate limits, cookies over plain http."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": f"sqlite:///{data_dir / 'faceless.db'}",
        "queue_url": f"sqlite:///{data_dir / 'queue.db'}",
        "secret_key": "web-test-secret-key-that-is-long-enough-0123456789",
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "argon2_parallelism": 1,
        "cookie_secure": False,
        "rate_auth_ip": "100000/minute",
        "rate_auth_account": "100000/minute",
        "rate_user": "100000/minute",
        "redis_url": "",
        "public_url": "http://127.0.0.1",
    }
    values.update(overrides)
    return Settings(**values)


def has_route(app: FastAPI, path: str, method: str) -> bool:
    """Whether the API documents `method path` (the OpenAPI schema sees through included routers)."""
    return method.lower() in app.openapi().get("paths", {}).get(path, {})


RENDER_ROUTES = [
    ("/api/v1/orgs/{org_id}/projects/from-input", "POST"),
    ("/api/v1/orgs/{org_id}/projects/{project_id}/renders", "POST"),
]


@dataclass
class LiveServer:
    url: str
    app: FastAPI
    settings: Settings
    worker_running: bool

    def missing_render_routes(self) -> list[str]:
        return [f"{m} {p}" for p, m in RENDER_ROUTES if not has_route(self.app, p, m)]


_accounts = iter(range(1, 1_000_000))


def unique_email(tag: str) -> str:
    return f"{tag}-{os.getpid()}-{next(_accounts)}-{time.monotonic_ns()}@example.com"


def sign_up(page: Any, email: str, name: str = "Test Creator") -> None:
    """Create an account through the sign-up page and wait for the app to open."""
    page.goto("/signup")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/new")
