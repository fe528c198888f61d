"""Password reset by e-mail: a real SMTP server on 127.0.0.1 (aiosmtpd) receives the link."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from server_helpers import PASSWORD
from sqlalchemy import update

from faceless.service.models import PasswordResetToken, utcnow

aiosmtpd = pytest.importorskip("aiosmtpd.controller")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.content))  # type: ignore[attr-defined]
        return "250 OK"

    def link_token(self, i: int = -1) -> str:
        body = message_from_bytes(self.messages[i][1]).get_payload(decode=True).decode()
        m = re.search(r"/reset-password#token=([A-Za-z0-9_-]+)", body)
        assert m, body
        return m.group(1)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = Inbox()
    controller = aiosmtpd.Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def client(make_app, inbox: tuple[Inbox, int]) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = make_app(
        smtp_url=f"smtp://127.0.0.1:{inbox[1]}?starttls=0",
        public_url="https://faceless.example",
        rate_auth_account="3/minute",
    )
    with TestClient(app) as c:
        yield c


def test_reset_flow_ends_every_session(client: TestClient, inbox: tuple[Inbox, int]) -> None:
    box, _ = inbox
    r = client.post("/api/v1/auth/signup", json={"email": "forgetful@example.com", "password": PASSWORD})
    old_refresh = r.json()["tokens"]["refresh_token"]
    old_access = r.json()["tokens"]["access_token"]
    client.cookies.clear()
    r = client.post("/api/v1/auth/password/forgot", json={"email": "Forgetful@Example.com"})
    assert r.status_code == 202
    [(to, raw)] = box.messages
    assert to == ["forgetful@example.com"] and b"https://faceless.example/reset-password#token=" in raw
    token = box.link_token()
    assert (
        client.post("/api/v1/auth/password/reset", json={"token": token, "password": "short"}).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/auth/password/reset", json={"token": token, "password": "a brand new passphrase"}
        ).status_code
        == 204
    )
    # The old password and every old session are gone; the new password works.
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": "forgetful@example.com", "password": PASSWORD}
        ).status_code
        == 401
    )
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": old_refresh}).status_code == 401
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old_access}"}).status_code == 401
    client.cookies.clear()
    assert (
        client.post(
            "/api/v1/auth/login",
            json={"email": "forgetful@example.com", "password": "a brand new passphrase"},
        ).status_code
        == 200
    )
    again = client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": "another passphrase!"}
    )
    assert again.status_code == 400 and again.json()["error"]["code"] == "reset_token_invalid"


def test_unknown_address_same_answer_no_mail(client: TestClient, inbox: tuple[Inbox, int]) -> None:
    r = client.post("/api/v1/auth/password/forgot", json={"email": "nobody@example.com"})
    assert r.status_code == 202 and "if an account uses this address" in r.json()["status"]
    assert inbox[0].messages == []


def test_expired_and_superseded_links(client: TestClient, inbox: tuple[Inbox, int]) -> None:
    box, _ = inbox
    client.post("/api/v1/auth/signup", json={"email": "late@example.com", "password": PASSWORD})
    client.cookies.clear()
    client.post("/api/v1/auth/password/forgot", json={"email": "late@example.com"})
    first = box.link_token()
    client.post("/api/v1/auth/password/forgot", json={"email": "late@example.com"})
    second = box.link_token()
    bad = client.post("/api/v1/auth/password/reset", json={"token": first, "password": "whatever passphrase"})
    assert bad.status_code == 400  # a newer link replaced it
    with client.app.state.ctx.sessions() as db:
        db.execute(update(PasswordResetToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.commit()
    assert (
        client.post(
            "/api/v1/auth/password/reset", json={"token": second, "password": "whatever passphrase"}
        ).status_code
        == 400
    )


def test_rate_limited_per_address(client: TestClient) -> None:
    codes = [
        client.post("/api/v1/auth/password/forgot", json={"email": "flood@example.com"}).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [202, 202, 202] and codes[3] == 429


def test_without_smtp_mail_goes_to_the_outbox(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    with TestClient(app) as c:
        c.post("/api/v1/auth/signup", json={"email": "local@example.com", "password": PASSWORD})
        c.cookies.clear()
        assert c.post("/api/v1/auth/password/forgot", json={"email": "local@example.com"}).status_code == 202
    outbox = list((app.state.ctx.settings.data_dir / "outbox").glob("*.eml"))
    assert len(outbox) >= 1 and "reset-password#token=" in outbox[-1].read_text()


def test_reset_pages_render(client: TestClient) -> None:
    login = client.get("/login").text
    assert 'href="/forgot-password"' in login
    for path, form in (("/forgot-password", "forgot-form"), ("/reset-password", "reset-form")):
        page = client.get(path)
        assert page.status_code == 200 and f'id="{form}"' in page.text and "<script>" not in page.text
