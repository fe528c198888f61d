"""Sign-in with Google (OpenID Connect) and GitHub (OAuth 2) against a local fake provider."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from fakes.oauth_provider import FakeIdP, Person
from fastapi.testclient import TestClient
from joserfc.jwk import RSAKey
from server_helpers import PASSWORD
from sqlalchemy import select, update

from faceless.service.models import AuditEvent, OAuthIdentity, User
from providers.fakes.server import FakeServer


@pytest.fixture
def idp() -> Iterator[FakeIdP]:
    server = FakeServer().start()
    try:
        yield FakeIdP(server).install()
    finally:
        server.stop()


@pytest.fixture
def client(make_app, idp: FakeIdP) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = make_app(
        public_url="http://testserver",
        oauth_google_client_id=idp.client_id,
        oauth_google_client_secret=idp.client_secret,
        oauth_google_discovery_url=f"{idp.url}/.well-known/openid-configuration",
        oauth_github_client_id=idp.client_id,
        oauth_github_client_secret=idp.client_secret,
        oauth_github_authorize_url=f"{idp.url}/login/oauth/authorize",
        oauth_github_token_url=f"{idp.url}/login/oauth/access_token",
        oauth_github_api_url=idp.url,
    )
    with TestClient(app) as c:
        yield c


def _sign_in(client: TestClient, provider: str, next_path: str = "/projects") -> httpx.Response:
    """Browser steps: our /start → the provider's consent (auto-approved) → our /callback."""
    start = client.get(
        f"/api/v1/auth/oauth/{provider}/start", params={"next": next_path}, follow_redirects=False
    )
    assert start.status_code == 302, start.text
    consent = httpx.get(start.headers["location"], follow_redirects=False)
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["location"])
    assert back.path == f"/api/v1/auth/oauth/{provider}/callback"
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


def _error(r: httpx.Response) -> str:
    assert r.status_code == 303 and r.headers["location"].startswith("/login?oauth_error=")
    return unquote(r.headers["location"].split("=", 1)[1])


def test_google_sign_in_creates_then_reuses_the_account(client: TestClient, idp: FakeIdP) -> None:
    r = _sign_in(client, "google")
    assert r.status_code == 303 and r.headers["location"] == "/projects"
    assert "fl_access" in r.cookies and "fl_refresh" in r.cookies and "fl_csrf" in r.cookies
    me = client.get("/api/v1/auth/me").json()
    assert me["user"]["email"] == "pat@example.com" and me["organisations"][0]["personal"]
    # PKCE and nonce were sent and checked by the provider; the token call carried client credentials.
    auth_req = idp.server.calls("GET", "/authorize")[0].query
    assert (
        auth_req["code_challenge_method"] == "S256"
        and auth_req["nonce"]
        and auth_req["scope"] == "openid email profile"
    )
    client.cookies.clear()
    _sign_in(client, "google")
    db = client.app.state.ctx.sessions()
    try:
        assert db.scalar(select(User.id).where(User.email == "pat@example.com")) == me["user"]["id"]
        assert db.scalars(
            select(OAuthIdentity.subject).where(OAuthIdentity.user_id == me["user"]["id"])
        ).all() == ["g-1001"]
        assert db.scalar(select(User.password_hash).where(User.id == me["user"]["id"])) is None
    finally:
        db.close()


def test_github_links_an_existing_account_by_verified_email(client: TestClient, idp: FakeIdP) -> None:
    signup = client.post("/api/v1/auth/signup", json={"email": "dev@example.com", "password": PASSWORD})
    user_id = signup.json()["user"]["id"]
    client.cookies.clear()
    idp.person = Person("gh-77", "dev@example.com")
    r = _sign_in(client, "github", "/")
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert client.get("/api/v1/auth/me").json()["user"]["id"] == user_id
    # The password set at sign-up (never proven to belong to the address's owner) stops working,
    # and so do the sessions it opened: no pre-account takeover.
    old_refresh = signup.json()["tokens"]["refresh_token"]
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": old_refresh}).status_code == 401
    login = client.post("/api/v1/auth/login", json={"email": "dev@example.com", "password": PASSWORD})
    assert login.status_code == 401
    gh = idp.server.calls("GET", "/user/emails")[0]
    assert gh.headers["authorization"].startswith("Bearer ")
    db = client.app.state.ctx.sessions()
    try:
        actions = db.scalars(select(AuditEvent.action).where(AuditEvent.user_id == user_id)).all()
        assert "auth.oauth_linked" in actions
    finally:
        db.close()


def test_unverified_email_is_not_linked(client: TestClient, idp: FakeIdP) -> None:
    client.post("/api/v1/auth/signup", json={"email": "victim@example.com", "password": PASSWORD})
    client.cookies.clear()
    idp.person = Person("g-666", "victim@example.com", email_verified=False)
    assert "no verified e-mail" in _error(_sign_in(client, "google"))
    assert "fl_access" not in client.cookies


def test_state_mismatch_and_missing_cookie_are_refused(client: TestClient, idp: FakeIdP) -> None:
    start = client.get("/api/v1/auth/oauth/google/start", follow_redirects=False)
    consent = httpx.get(start.headers["location"], follow_redirects=False)
    back = urlsplit(consent.headers["location"])
    query = parse_qs(back.query)
    forged = client.get(
        back.path, params={"code": query["code"][0], "state": "forged"}, follow_redirects=False
    )
    assert "state mismatch" in _error(forged)
    client.cookies.clear()  # an answer arriving in a browser that never started the flow
    assert "another browser" in _error(client.get(f"{back.path}?{back.query}", follow_redirects=False))


def test_bad_nonce_or_signature_is_refused(client: TestClient, idp: FakeIdP) -> None:
    idp.nonce_override = "not-the-one"
    assert "did not verify" in _error(_sign_in(client, "google"))
    idp.nonce_override = None
    idp.signing_key = RSAKey.generate_key(2048, parameters={"kid": "k1"})  # same kid, another key
    assert "did not verify" in _error(_sign_in(client, "google"))


def test_denied_consent_goes_back_to_sign_in(client: TestClient) -> None:
    r = client.get(
        "/api/v1/auth/oauth/github/callback", params={"error": "access_denied"}, follow_redirects=False
    )
    assert "cancelled" in _error(r)


def test_mfa_user_gets_the_second_step(client: TestClient, idp: FakeIdP) -> None:
    _sign_in(client, "google")
    ctx = client.app.state.ctx
    with ctx.sessions() as db:
        db.execute(update(User).where(User.email == "pat@example.com").values(mfa_enabled=True))
        db.commit()
        user_id = db.scalar(select(User.id).where(User.email == "pat@example.com"))
    client.cookies.clear()
    r = _sign_in(client, "google", "/new")
    location = r.headers["location"]
    assert location.startswith("/login?next=/new#mfa=") and "fl_access" not in r.cookies
    assert ctx.tokens.read_mfa_pending(location.split("#mfa=", 1)[1]) == user_id


def test_providers_listed_and_unconfigured_is_404(make_app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(make_app()) as c:
        assert c.get("/api/v1/auth/oauth/providers").json() == {"providers": []}
        assert c.get("/api/v1/auth/oauth/google/start", follow_redirects=False).status_code == 404
        assert c.get("/api/v1/auth/oauth/nosuch/start", follow_redirects=False).status_code == 422


def test_sign_in_page_offers_configured_providers(client: TestClient, make_app) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login?next=/new").text
    assert 'href="/api/v1/auth/oauth/google/start?next=/new"' in page and "Continue with GitHub" in page
    assert "Continue with Google" in client.get("/signup").text
    with TestClient(make_app()) as plain:
        assert "Continue with" not in plain.get("/login").text


def test_provider_down_or_refusing_goes_back_to_sign_in(client: TestClient, idp: FakeIdP) -> None:
    start = client.get("/api/v1/auth/oauth/github/start", follow_redirects=False)
    back = urlsplit(httpx.get(start.headers["location"], follow_redirects=False).headers["location"])
    idp.codes.clear()  # the provider no longer knows the code (expired or already used)
    assert "refused" in _error(client.get(f"{back.path}?{back.query}", follow_redirects=False))
    idp.server.stop()  # Google's discovery document cannot be fetched
    assert "unavailable" in _error(client.get("/api/v1/auth/oauth/google/start", follow_redirects=False))
    assert "fl_access" not in client.cookies


def test_next_never_leaves_the_site(client: TestClient, idp: FakeIdP) -> None:
    idp.person = Person("g-next", "next-check@example.com")  # its own account: no MFA from other tests
    for hostile in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
        client.cookies.clear()
        assert _sign_in(client, "google", hostile).headers["location"] == "/"
