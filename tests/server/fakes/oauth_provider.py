"""A fake identity provider on 127.0.0.1 speaking OpenID Connect (Google's shape: discovery, authorize,
token with an RS256 ID token, JWKS) and GitHub's OAuth 2 (authorize, access_token, /user, /user/emails)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey

from providers.fakes.server import Answer, FakeServer, Request


@dataclass
class Person:
    sub: str
    email: str
    email_verified: bool = True
    name: str = "Pat Example"


@dataclass
class FakeIdP:
    server: FakeServer
    client_id: str = "client-123"
    client_secret: str = "secret-456"
    person: Person = field(default_factory=lambda: Person("g-1001", "pat@example.com"))
    key: Any = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    nonce_override: str | None = None  # send an ID token with this nonce instead of the requested one
    signing_key: Any = None  # sign with another key (bad signature)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    tokens: dict[str, Person] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def install(self) -> FakeIdP:
        s = self.server
        s.route(
            "GET",
            "/.well-known/openid-configuration",
            lambda r: Answer(
                200,
                {
                    "issuer": self.url,
                    "authorization_endpoint": f"{self.url}/authorize",
                    "token_endpoint": f"{self.url}/token",
                    "jwks_uri": f"{self.url}/jwks",
                    "response_types_supported": ["code"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                },
            ),
        )
        s.route("GET", "/authorize", self._authorize)
        s.route("GET", "/login/oauth/authorize", self._authorize)
        s.route("POST", "/token", self._token)
        s.route("POST", "/login/oauth/access_token", self._token)
        s.route("GET", "/jwks", lambda r: Answer(200, {"keys": [self.key.as_dict(private=False)]}))
        s.route("GET", "/user", self._user)
        s.route("GET", "/user/emails", self._emails)
        return self

    def _authorize(self, req: Request) -> Answer:
        q = req.query
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            return Answer(400, "bad authorization request")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return Answer(400, "PKCE required")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "challenge": q["code_challenge"],
            "nonce": q.get("nonce", ""),
            "redirect_uri": q["redirect_uri"],
        }
        return Answer(
            302, b"", {"location": f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}"}
        )

    def _token(self, req: Request) -> Answer:
        form = {k: v[0] for k, v in parse_qs(req.body.decode()).items()}
        auth = req.headers.get("authorization", "")
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if auth != f"Basic {basic}" and (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return Answer(401, {"error": "invalid_client"})
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return Answer(400, {"error": "invalid_grant"})
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return Answer(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
        access = secrets.token_urlsafe(16)
        self.tokens[access] = self.person
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": self.client_id,
            "sub": self.person.sub,
            "email": self.person.email,
            "email_verified": self.person.email_verified,
            "name": self.person.name,
            "iat": now,
            "exp": now + 600,
            "nonce": self.nonce_override or grant["nonce"],
        }
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.signing_key or self.key)
        return Answer(
            200,
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": "openid email profile",
                "id_token": id_token,
            },
        )

    def _person(self, req: Request) -> Person | None:
        auth = req.headers.get("authorization", "")
        return self.tokens.get(auth.split(" ", 1)[-1])

    def _user(self, req: Request) -> Answer:
        p = self._person(req)
        if p is None:
            return Answer(401, {"message": "Bad credentials"})
        return Answer(200, {"id": int(p.sub.split("-")[-1]), "login": "pat", "name": p.name, "email": None})

    def _emails(self, req: Request) -> Answer:
        p = self._person(req)
        if p is None:
            return Answer(401, {"message": "Bad credentials"})
        return Answer(
            200,
            [
                {"email": "old@example.com", "primary": False, "verified": True},
                {"email": p.email, "primary": True, "verified": p.email_verified},
            ],
        )
