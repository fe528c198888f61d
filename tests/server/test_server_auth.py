"""Sign-up, login, refresh rotation and reuse detection, logout, cookies + CSRF, MFA, API keys."""

from __future__ import annotations

import time

import pyotp
from fastapi.testclient import TestClient
from server_helpers import PASSWORD, Api
from sqlalchemy import select

from faceless.server.security import normalise_recovery_code, sha256_hex
from faceless.service.models import RecoveryCode, User


def test_signup_creates_user_and_personal_org_as_owner(api: Api) -> None:
    acc = api.signup(name="Ada")
    me = api.as_(acc, "GET", "/auth/me").json()
    assert me["user"]["email"] == acc.email and me["user"]["name"] == "Ada"
    assert me["organisations"] == [
        {
            "id": acc.org_id,
            "name": "Ada's space",
            "personal": True,
            "created_at": me["organisations"][0]["created_at"],
            "role": "owner",
        }
    ]


def test_signup_rejects_duplicate_email_and_weak_password(api: Api) -> None:
    acc = api.signup()
    r = api.as_(None, "POST", "/auth/signup", json={"email": acc.email.upper(), "password": PASSWORD})
    assert r.status_code == 409 and r.json()["error"]["code"] == "email_taken"
    r = api.as_(None, "POST", "/auth/signup", json={"email": "x@example.com", "password": "short"})
    assert r.status_code == 422 and "password" in r.json()["error"]["message"]
    r = api.as_(None, "POST", "/auth/signup", json={"email": "not-an-email", "password": PASSWORD})
    assert r.status_code == 422 and "email" in r.json()["error"]["message"]


def test_password_is_stored_as_argon2id(api: Api) -> None:
    acc = api.signup()
    with api.client.app.state.ctx.sessions() as db:  # type: ignore[attr-defined]
        stored = db.scalar(select(User.password_hash).where(User.id == acc.user_id))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_login_wrong_password_is_401_with_one_message_for_both_cases(api: Api) -> None:
    acc = api.signup()
    bad = api.as_(None, "POST", "/auth/login", json={"email": acc.email, "password": "wrong password"})
    nobody = api.as_(None, "POST", "/auth/login", json={"email": "nobody@example.com", "password": PASSWORD})
    assert bad.status_code == nobody.status_code == 401
    assert bad.json() == nobody.json()  # no account enumeration
    ok = api.as_(None, "POST", "/auth/login", json={"email": acc.email, "password": PASSWORD})
    assert ok.status_code == 200 and ok.json()["token_type"] == "bearer"


def test_refresh_rotates_and_reuse_revokes_the_whole_family(api: Api) -> None:
    acc = api.signup()
    r1 = api.as_(None, "POST", "/auth/refresh", json={"refresh_token": acc.refresh})
    assert r1.status_code == 200
    new = r1.json()
    assert new["refresh_token"] != acc.refresh
    # The new access token works.
    assert (
        api.as_(
            None, "GET", "/auth/me", headers={"Authorization": f"Bearer {new['access_token']}"}
        ).status_code
        == 200
    )
    # Replaying the first (rotated) token: refused, and the family dies.
    r2 = api.as_(None, "POST", "/auth/refresh", json={"refresh_token": acc.refresh})
    assert r2.status_code == 401 and r2.json()["error"]["code"] == "refresh_token_reused"
    r3 = api.as_(None, "POST", "/auth/refresh", json={"refresh_token": new["refresh_token"]})
    assert r3.status_code == 401 and r3.json()["error"]["code"] == "invalid_refresh_token"
    # Access tokens of the revoked session stop working too.
    r4 = api.as_(None, "GET", "/auth/me", headers={"Authorization": f"Bearer {new['access_token']}"})
    assert r4.status_code == 401
    # Another login session of the same user is unaffected.
    other = api.as_(None, "POST", "/auth/login", json={"email": acc.email, "password": PASSWORD}).json()
    assert (
        api.as_(
            None, "GET", "/auth/me", headers={"Authorization": f"Bearer {other['access_token']}"}
        ).status_code
        == 200
    )


def test_logout_ends_the_session(api: Api) -> None:
    acc = api.signup()
    assert api.as_(acc, "POST", "/auth/logout", json={"refresh_token": acc.refresh}).status_code == 204
    assert api.as_(acc, "GET", "/auth/me").status_code == 401
    assert api.as_(None, "POST", "/auth/refresh", json={"refresh_token": acc.refresh}).status_code == 401


def test_bad_and_missing_credentials(api: Api) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Basic abc"},
        {"X-API-Key": "fl_12345678_" + "x" * 40},
    ):
        r = api.as_(None, "GET", "/auth/me", headers=headers)
        assert r.status_code == 401 and set(r.json()["error"]) == {"code", "message"}


def test_cookie_session_requires_csrf_for_unsafe_requests(api: Api) -> None:
    acc = api.signup()
    client: TestClient = api.client
    client.cookies.clear()
    r = client.post("/api/v1/auth/login", json={"email": acc.email, "password": PASSWORD})
    set_cookie = " | ".join(r.headers.get_list("set-cookie"))
    assert "fl_access=" in set_cookie and "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie
    csrf = r.json()["csrf_token"]
    assert client.cookies.get("fl_csrf") == csrf
    # Reads work with the cookie alone.
    assert client.get("/api/v1/auth/me").status_code == 200
    # Writes need the double-submit header.
    r = client.post("/api/v1/orgs", json={"name": "Cookie team"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
    r = client.post("/api/v1/orgs", json={"name": "Cookie team"}, headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403
    r = client.post("/api/v1/orgs", json={"name": "Cookie team"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
    # Refresh from the cookie also needs it.
    assert client.post("/api/v1/auth/refresh").status_code == 403
    assert client.post("/api/v1/auth/refresh", headers={"X-CSRF-Token": csrf}).status_code == 200
    client.cookies.clear()


def test_secure_cookie_flag_by_default(make_app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(make_app(cookie_secure=True), base_url="https://testserver") as client:
        r = client.post(
            "/api/v1/auth/signup", json={"email": f"sec{time.time_ns()}@example.com", "password": PASSWORD}
        )
        cookies = r.headers.get_list("set-cookie")
        assert cookies and all("Secure" in c for c in cookies)
        assert any(
            c.startswith("fl_refresh=") and "Path=/api/v1/auth" in c and "HttpOnly" in c for c in cookies
        )


def _enrol(api: Api, acc) -> tuple[pyotp.TOTP, list[str]]:  # type: ignore[no-untyped-def]
    r = api.as_(acc, "POST", "/account/mfa/enrol")
    assert r.status_code == 200
    body = r.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/Faceless:") and "<svg" in body["qr_svg"]
    png = api.as_(acc, "GET", "/account/mfa/qr.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    totp = pyotp.TOTP(body["secret"])
    assert (
        api.as_(
            acc,
            "POST",
            "/account/mfa/verify",
            json={"code": "000000" if totp.now() != "000000" else "111111"},
        ).status_code
        == 400
    )
    r = api.as_(acc, "POST", "/account/mfa/verify", json={"code": totp.now()})
    assert r.status_code == 200
    codes = r.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    return totp, codes


def test_mfa_enrol_and_login_needs_second_step(api: Api) -> None:
    acc = api.signup()
    totp, _ = _enrol(api, acc)
    assert api.as_(acc, "GET", "/auth/me").json()["user"]["mfa_enabled"] is True
    # The secret is not stored in plain text.
    with api.client.app.state.ctx.sessions() as db:  # type: ignore[attr-defined]
        sealed = db.scalar(select(User.mfa_secret_enc).where(User.id == acc.user_id))
    assert totp.secret not in sealed

    step1 = api.as_(None, "POST", "/auth/login", json={"email": acc.email, "password": PASSWORD})
    assert (
        step1.status_code == 200
        and step1.json()["mfa_required"] is True
        and "access_token" not in step1.json()
    )
    mfa_token = step1.json()["mfa_token"]
    # The MFA step-up token is not an access token.
    assert (
        api.as_(None, "GET", "/auth/me", headers={"Authorization": f"Bearer {mfa_token}"}).status_code == 401
    )
    bad = api.as_(None, "POST", "/auth/login/mfa", json={"mfa_token": mfa_token, "code": "12345"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "bad_mfa_code"
    # Codes step forward past the one used at enrolment (no replay within the window).
    code = totp.at(time.time() + 30)
    ok = api.as_(None, "POST", "/auth/login/mfa", json={"mfa_token": mfa_token, "code": code})
    assert ok.status_code == 200 and ok.json()["access_token"]
    replay = api.as_(None, "POST", "/auth/login/mfa", json={"mfa_token": mfa_token, "code": code})
    assert replay.status_code == 401


def test_recovery_code_works_once_and_is_stored_hashed(api: Api) -> None:
    acc = api.signup()
    _, codes = _enrol(api, acc)
    with api.client.app.state.ctx.sessions() as db:  # type: ignore[attr-defined]
        hashes = set(db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == acc.user_id)))
    assert hashes == {sha256_hex(normalise_recovery_code(c)) for c in codes}

    def login_with(code: str) -> int:
        t = api.as_(None, "POST", "/auth/login", json={"email": acc.email, "password": PASSWORD}).json()[
            "mfa_token"
        ]
        return api.as_(None, "POST", "/auth/login/mfa", json={"mfa_token": t, "code": code}).status_code

    assert login_with(codes[0].upper().replace("-", " ")) == 200  # forgiving about case and separators
    assert login_with(codes[0]) == 401
    assert login_with(codes[1]) == 200


def test_mfa_disable_needs_a_code(api: Api) -> None:
    acc = api.signup()
    totp, codes = _enrol(api, acc)
    assert api.as_(acc, "POST", "/account/mfa/disable", json={"code": "000000"}).status_code == 400
    assert api.as_(acc, "POST", "/account/mfa/disable", json={"code": codes[3]}).status_code == 204
    login = api.as_(None, "POST", "/auth/login", json={"email": acc.email, "password": PASSWORD}).json()
    assert "access_token" in login


def test_api_keys_authenticate_and_revoke(api: Api) -> None:
    acc = api.signup()
    r = api.as_(acc, "POST", "/account/api-keys", json={"name": "ci script"})
    assert r.status_code == 201
    created = r.json()
    key = created["key"]
    assert key.startswith(f"fl_{created['prefix']}_")
    listed = api.as_(acc, "GET", "/account/api-keys").json()
    assert [k["prefix"] for k in listed] == [created["prefix"]] and "key" not in listed[0]
    for headers in ({"Authorization": f"Bearer {key}"}, {"X-API-Key": key}):
        me = api.as_(None, "GET", "/auth/me", headers=headers)
        assert me.status_code == 200 and me.json()["user"]["id"] == acc.user_id
    # A key cannot mint keys or change MFA.
    assert (
        api.as_(None, "POST", "/account/api-keys", json={"name": "x"}, headers={"X-API-Key": key}).status_code
        == 403
    )
    assert api.as_(None, "POST", "/account/mfa/enrol", headers={"X-API-Key": key}).status_code == 403
    # A tampered key with the right prefix fails.
    assert api.as_(None, "GET", "/auth/me", headers={"X-API-Key": key[:-3] + "abc"}).status_code == 401
    assert api.as_(acc, "DELETE", f"/account/api-keys/{created['id']}").status_code == 204
    assert api.as_(None, "GET", "/auth/me", headers={"X-API-Key": key}).status_code == 401
    # Someone else's key id is not found.
    other = api.signup()
    assert api.as_(other, "DELETE", f"/account/api-keys/{created['id']}").status_code == 404
