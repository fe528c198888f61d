"""Publishing values shared by the publishers (providers), the service layer and every door.

A publisher speaks one platform's protocol; the service layer owns the durable state machine. The two meet
here: the service hands a publisher a `PostRequest`, the tokens and the `platform_state` saved by an earlier
attempt; the publisher saves progress through a checkpoint callback *before* every call that may take effect
on the platform, and answers with a `PublishOutcome`. After a crash the same `platform_state` comes back, and
the publisher asks the platform (upload-session probe, status endpoint, container status) before sending
anything again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

Platform = Literal["youtube", "tiktok", "instagram", "facebook"]
PLATFORMS: tuple[Platform, ...] = ("youtube", "tiktok", "instagram", "facebook")

# The durable states of a publication (service layer). `sent_to_inbox` is TikTok's inbox route: the creator
# finishes the post in the TikTok app. `unconfirmed`: the platform could not tell whether a call took effect.
PublicationState = Literal[
    "awaiting_approval",
    "scheduled",
    "uploading",
    "processing",
    "published",
    "sent_to_inbox",
    "failed",
    "needs_reconnect",
    "unconfirmed",
    "cancelled",
    "skipped",
]
FINAL_STATES: frozenset[str] = frozenset({"published", "sent_to_inbox", "failed", "cancelled", "skipped"})

# What a publisher can answer: the platform side of the state machine.
OutcomeState = Literal["uploading", "processing", "published", "sent_to_inbox", "failed", "unconfirmed"]

Checkpoint = Callable[[Mapping[str, Any]], None]  # persists platform_state durably, then returns


@dataclass(frozen=True)
class AppCredentials:
    """The operator's app registered on the platform (client id/key and secret)."""

    client_id: str
    client_secret: str
    redirect_uri: str | None = None


@dataclass(frozen=True)
class TokenSet:
    """OAuth tokens of one linked account; lifetimes come from the platform's own answer, never hard-coded."""

    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None  # UTC, from `expires_in`
    refresh_expires_at: datetime | None = None  # UTC, from `refresh_expires_in` (TikTok) when given
    scopes: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)  # e.g. a Facebook Page token, the IG user id


@dataclass(frozen=True)
class AccountInfo:
    """The account (channel, creator, IG professional account, Page) a token set publishes to."""

    external_id: str
    name: str
    handle: str | None = None
    avatar_url: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PostingLimits:
    """What the platform says (or we know) about how much may still be posted now."""

    remaining: int | None  # None: the platform publishes no number
    total: int | None = None
    window_seconds: int | None = None
    reason: str = ""  # shown to the user when remaining == 0
    extra: Mapping[str, Any] = field(
        default_factory=dict
    )  # e.g. TikTok creator_info (privacy options, max duration)


@dataclass(frozen=True)
class PostRequest:
    """One video to publish to one account, with the platform-neutral metadata and per-platform options."""

    video: Path  # a local file (the worker materialises blobs); publishers stream it in chunks
    title: str
    description: str = ""
    tags: tuple[str, ...] = ()
    privacy: str = "private"  # youtube: private|unlisted|public; tiktok: one of creator_info's options
    publish_at: datetime | None = None  # UTC; platforms that hold the slot (YouTube publishAt, FB scheduled)
    made_for_kids: bool = False
    synthetic_media: bool = (
        True  # AI voice / generated visuals (YouTube containsSyntheticMedia, TikTok is_aigc)
    )
    language: str = "en"
    category_id: str | None = None  # YouTube category
    thumbnail: Path | None = None
    captions_srt: Path | None = None
    options: Mapping[str, Any] = field(
        default_factory=dict
    )  # per-platform (TikTok mode inbox|direct, toggles…)


@dataclass(frozen=True)
class PublishOutcome:
    """Where a publication stands on the platform after a call to `publish` or `status`."""

    state: OutcomeState
    message: str  # one line for people
    platform_id: str | None = None  # video id / publish_id / media id
    url: str | None = None
    platform_state: Mapping[str, Any] = field(default_factory=dict)  # to persist (session URI, publish_id…)
    poll_after: float | None = None  # seconds until `status` should be asked again (processing)
    response: Any = None  # the platform's last answer, for the publication's log


@dataclass(frozen=True)
class StatsSnapshot:
    """Statistics of one published video at one time. A metric the platform did not return is absent."""

    platform_id: str
    metrics: Mapping[str, float]  # views, likes, comments, shares, watch_time_minutes, avg_view_seconds…
    captured_at: datetime | None = None


class PublishFailure(Exception):
    """The platform refused the post. `permanent`: never retry (bad metadata, spam risk, audit rules)."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        permanent: bool = True,
        retry_after: float | None = None,
        response: Any = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.permanent = permanent
        self.retry_after = retry_after
        self.response = response


class AuthExpired(PublishFailure):
    """The access token was refused: refresh once and try again."""

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, permanent=False, **kw)


class ReconnectRequired(PublishFailure):
    """The grant is gone (`invalid_grant`, revoked, expired refresh token): the user must link the account again."""


class RateLimited(PublishFailure):
    """Too many calls or over quota: wait `retry_after` seconds (or until the quota resets)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, permanent=False, retry_after=retry_after, **kw)


class OutcomeUnknown(PublishFailure):
    """A call that may have taken effect got no answer (timeout, reset). Ask the platform before anything else."""

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, permanent=False, **kw)
