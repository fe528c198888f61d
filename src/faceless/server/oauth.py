"""OAuth 2 / OpenID Connect sign-in with Google and GitHub, through Authlib.

Google: OpenID Connect discovery, authorization code with PKCE (S256), `state` and `nonce`; the ID
token is verified against the provider's JWKS (signature, issuer, audience, expiry, nonce) and its
e-mail is used only when `email_verified`. GitHub: OAuth 2 authorization code (with PKCE, which
GitHub supports), then `GET /user` and `GET /user/emails` for the primary verified address.

The browser carries the flow's secrets (state, nonce, PKCE verifier, where to go next) in an
encrypted, HttpOnly, SameSite=Lax cookie scoped to the OAuth paths, valid for ten minutes.
Endpoints are configurable so a local fake provider can stand in for tests.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from faceless.server.security import SecretBox, constant_time_equal
from faceless.service.settings import Settings

FLOW_SECONDS = 600
PROVIDERS = ("google", "github")


class OAuthFailed(Exception):
    """The provider flow failed; the message is shown to the user on the sign-in page."""


@dataclass(frozen=True)
class Identity:
    provider: str
    subject: str  # the provider's stable user id
    email: str | None  # only when the provider says it is verified
    name: str


@dataclass(frozen=True)
class Flow:
    provider: str
    state: str
    nonce: str
    verifier: str
    next: str
    expires: float


def configured(settings: Settings) -> list[str]:
    """Providers with a client id and secret."""
    return [
        p
        for p in PROVIDERS
        if getattr(settings, f"oauth_{p}_client_id") and getattr(settings, f"oauth_{p}_client_secret")
    ]


def redirect_uri(settings: Settings, provider: str) -> str:
    return f"{settings.public_url.rstrip('/')}/api/v1/auth/oauth/{provider}/callback"


def seal_flow(box: SecretBox, flow: Flow) -> str:
    return box.seal(json.dumps(flow.__dict__))


def open_flow(box: SecretBox, sealed: str | None, provider: str, state: str | None) -> Flow:
    """The flow from the cookie, checked against the provider and the `state` the provider returned."""
    plain = box.open(sealed) if sealed else None
    if plain is None:
        raise OAuthFailed("the sign-in took too long or started in another browser: try again")
    flow = Flow(**json.loads(plain))
    if flow.provider != provider or flow.expires < time.time():
        raise OAuthFailed("the sign-in took too long: try again")
    if not state or not constant_time_equal(flow.state, state):
        raise OAuthFailed("the sign-in answer does not belong to this browser (state mismatch): try again")
    return flow


def _client(settings: Settings, provider: str, **kw: Any) -> OAuth2Client:
    return OAuth2Client(
        client_id=getattr(settings, f"oauth_{provider}_client_id"),
        client_secret=getattr(settings, f"oauth_{provider}_client_secret"),
        redirect_uri=redirect_uri(settings, provider),
        code_challenge_method="S256",
        timeout=15,
        **kw,
    )


def _google_metadata(settings: Settings) -> dict[str, Any]:
    try:
        r = httpx.get(settings.oauth_google_discovery_url, timeout=15)
        r.raise_for_status()
        meta = r.json()
        for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(meta.get(key), str):
                raise ValueError(f"no {key}")
        return dict(meta)
    except (httpx.HTTPError, ValueError) as e:
        raise OAuthFailed(
            f"Google sign-in is unavailable right now ({type(e).__name__}): try again later"
        ) from None


def start(settings: Settings, provider: str, next_path: str) -> tuple[str, Flow]:
    """(URL to send the browser to, the flow to keep in the cookie)."""
    flow = Flow(
        provider=provider,
        state=generate_token(32),
        nonce=generate_token(32),
        verifier=generate_token(64),
        next=next_path,
        expires=time.time() + FLOW_SECONDS,
    )
    if provider == "google":
        meta = _google_metadata(settings)
        with _client(settings, provider, scope="openid email profile") as client:
            url, _ = client.create_authorization_url(
                meta["authorization_endpoint"],
                state=flow.state,
                nonce=flow.nonce,
                code_verifier=flow.verifier,
            )
    else:
        with _client(settings, provider, scope="read:user user:email") as client:
            url, _ = client.create_authorization_url(
                settings.oauth_github_authorize_url, state=flow.state, code_verifier=flow.verifier
            )
    return url, flow


def finish(settings: Settings, flow: Flow, code: str) -> Identity:
    """Exchange the code and read who signed in."""
    try:
        if flow.provider == "google":
            return _google_identity(settings, flow, code)
        return _github_identity(settings, flow, code)
    except OAuthFailed:
        raise
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as e:
        raise OAuthFailed(
            f"{flow.provider.capitalize()} sign-in failed ({type(e).__name__}): try again"
        ) from None
    except Exception as e:  # noqa: BLE001 - Authlib raises its own error types for a refused code
        raise OAuthFailed(f"{flow.provider.capitalize()} refused the sign-in ({e}): try again") from None


def _google_identity(settings: Settings, flow: Flow, code: str) -> Identity:
    meta = _google_metadata(settings)
    with _client(settings, "google") as client:
        token = client.fetch_token(
            meta["token_endpoint"], code=code, code_verifier=flow.verifier, grant_type="authorization_code"
        )
    id_token = token.get("id_token")
    if not id_token:
        raise OAuthFailed("Google returned no ID token: try again")
    jwks = httpx.get(meta["jwks_uri"], timeout=15)
    jwks.raise_for_status()
    try:
        # Signature by a key of the provider's set (RS256 only), then the OIDC claims of a code-flow ID token.
        token_claims = jwt.decode(id_token, KeySet.import_key_set(jwks.json()), algorithms=["RS256"]).claims
        jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": meta["issuer"]},
            aud={"essential": True, "value": settings.oauth_google_client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": flow.nonce},
        ).validate(token_claims)
        claims = token_claims
    except (JoseError, ValueError) as e:
        raise OAuthFailed(f"Google's ID token did not verify ({e.__class__.__name__}): try again") from None
    email = claims.get("email") if claims.get("email_verified") is True else None
    return Identity("google", str(claims["sub"]), email, str(claims.get("name") or ""))


def _github_identity(settings: Settings, flow: Flow, code: str) -> Identity:
    with _client(settings, "github") as client:
        token = client.fetch_token(
            settings.oauth_github_token_url,
            code=code,
            code_verifier=flow.verifier,
            headers={"Accept": "application/json"},
        )
        if "access_token" not in token:
            raise OAuthFailed(
                f"GitHub refused the sign-in ({token.get('error', 'no access token')}): try again"
            )
        api = settings.oauth_github_api_url.rstrip("/")
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        user = client.get(f"{api}/user", headers=headers)
        user.raise_for_status()
        emails = client.get(f"{api}/user/emails", headers=headers)
        emails.raise_for_status()
    profile = user.json()
    primary = next(
        (e for e in emails.json() if isinstance(e, dict) and e.get("primary") and e.get("verified")), None
    )
    return Identity(
        "github",
        str(profile["id"]),
        primary["email"] if primary else None,
        str(profile.get("name") or profile.get("login") or ""),
    )
