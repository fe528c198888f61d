"""POST /orgs/{org_id}/projects/from-input: a project from a script, article, scene list or topic.

The same planning functions as `faceless make` (faceless.pipeline.stages.plan); their one-line
InputError becomes a 422. Scene-list items may pin an organisation asset (`asset_id`) as the visual:
the project then references the asset's stored file, which workers accept (it is inside the org's folder).
"""

from __future__ import annotations

import ipaddress
import socket
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from faceless.domain import FORMATS, InputError, Project, VisualChoice
from faceless.domain.project import CaptionSettings, MusicSettings, VisualPreference, VoiceSettings
from faceless.server import accounts
from faceless.server.deps import Db, OrgAccess, client_ip, requires
from faceless.server.routes.jobs import blob_store
from faceless.server.routes.projects import _create, _out, validated
from faceless.server.schemas import ProjectOut
from faceless.service.models import Asset

router = APIRouter(prefix="/orgs/{org_id}/projects", tags=["projects"])
MAX_TEXT = 200_000


class SceneItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    narration: str = Field(min_length=1, max_length=5000)
    keywords: list[str] = Field(default_factory=list, max_length=20)
    visual_intent: str = Field(default="", max_length=500)
    visual_preference: VisualPreference = "auto"
    asset_id: str | None = Field(default=None, max_length=64, description="an org asset to show (pinned)")


class FromInputIn(BaseModel):
    """Exactly one input: `script` text, `article_url` or `article_text`, `scenes`, or `topic`."""

    model_config = ConfigDict(extra="forbid")
    script: str | None = Field(default=None, max_length=MAX_TEXT)
    article_url: str | None = Field(default=None, max_length=2000)
    article_text: str | None = Field(default=None, max_length=MAX_TEXT, description="article HTML or text")
    scenes: list[SceneItemIn] | None = Field(default=None, max_length=200)
    topic: str | None = Field(default=None, max_length=500)
    duration: float = Field(default=60.0, ge=5, le=3600, description="target seconds (article, topic)")
    title: str | None = Field(default=None, max_length=300)
    format: Literal[tuple(FORMATS)] = "shorts"  # type: ignore[valid-type]
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    captions: CaptionSettings = Field(default_factory=CaptionSettings)
    music: MusicSettings = Field(default_factory=MusicSettings)
    stock: list[str] = Field(default_factory=list, max_length=5, description="stock libraries, e.g. pexels")
    images: list[str] = Field(
        default_factory=list,
        max_length=5,
        description="image generators in fallback order, e.g. openai, stability",
    )
    llm: str | None = Field(
        default=None,
        max_length=200,
        description="topic only: provider[:model], comma-separated for a fallback chain",
    )
    tier: Literal["draft", "final"] = Field(
        default="final", description="topic only: draft uses the cheap model"
    )
    style: Literal["explainer", "listicle", "story", "news"] = Field(
        default="explainer", description="topic only: script template"
    )
    tone: str = Field(default="friendly", max_length=60, description="topic only: tone of the script")

    @model_validator(mode="after")
    def _one_input(self) -> FromInputIn:
        given = [n for n in ("script", "article_url", "article_text", "scenes", "topic") if getattr(self, n)]
        if len(given) != 1:
            raise ValueError("give exactly one input: script, article_url, article_text, scenes or topic")
        return self


def _public_url(url: str, allow_private: bool) -> str:
    """Refuse URLs that point into the server's own network (the server fetches them)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{url}: only http(s) URLs can be read; give the article's web address")
    if allow_private:
        return url
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except OSError:
        raise InputError(f"{parts.hostname}: the host name does not resolve; check the address") from None
    for addr in addresses:
        ip = ipaddress.ip_address(addr.split("%")[0])
        if not ip.is_global:
            raise InputError(f"{url}: points to a private or local address; give a public web address")
    return url


def _scenes_project(
    db: Db, access: OrgAccess, request: Request, body: FromInputIn, settings: dict[str, Any]
) -> Project:
    from faceless.pipeline.stages.plan import project_from_scenes_file

    items: list[dict[str, Any]] = []
    visuals: dict[int, VisualChoice] = {}
    for i, item in enumerate(body.scenes or []):
        items.append(item.model_dump(exclude={"asset_id"}, exclude_defaults=True))
        if item.asset_id:
            asset = db.scalar(select(Asset).where(Asset.id == item.asset_id, Asset.org_id == access.org.id))
            blobs = blob_store(request)  # the file's local name: the worker fetches it (no download here)
            path = blobs.root / asset.storage_key if asset and blobs.exists(asset.storage_key) else None
            if asset is None or path is None or asset.kind not in ("video", "image"):
                raise InputError(
                    f"scene {i + 1}: asset {item.asset_id} is not a picture in this organisation's "
                    "library; pick another asset"
                )
            visuals[i] = VisualChoice(
                kind=asset.kind,
                path=str(path),
                source="library",  # type: ignore[arg-type]
                licence="uploaded by the organisation",
                pinned=True,
                score=1.0,
                description=asset.description or asset.name,
            )
    with tempfile.TemporaryDirectory(prefix="faceless-input-") as tmp:
        path = Path(tmp) / "scenes.json"
        import json

        path.write_text(json.dumps({"scenes": items}), encoding="utf-8")
        project = project_from_scenes_file(path, **settings)
    scenes = [
        s.model_copy(update={"visual": visuals[i]}) if i in visuals else s
        for i, s in enumerate(project.scenes)
    ]
    return project.model_copy(update={"scenes": scenes})


def check_voice_spec(spec: str) -> None:
    """A voice (or fallback chain) from the API names registered providers and voices, never a server path."""
    from faceless.providers import registry

    for part in (p.strip() for p in spec.split(",")):
        name, _, voice = part.partition(":")
        if not part or "/" in part or "\\" in part or part.endswith(".onnx") or ".." in voice:
            raise InputError(
                f"voice {part!r} is not allowed here: use provider:voice, e.g. piper:joe or "
                "elevenlabs:Rachel (comma-separated for a fallback chain)"
            )
        registry.check_known("tts", name.strip().lower())


def build_project(db: Db, access: OrgAccess, request: Request, body: FromInputIn) -> Project:
    """Run the engine's planner for the one input given."""
    from faceless.pipeline.stages import plan

    settings: dict[str, Any] = {
        "format": body.format,
        "voice": body.voice,
        "captions": body.captions,
        "music": body.music,
    }
    if body.title:
        settings["title"] = body.title
    from faceless.providers import registry

    music_services = {s.id for s in registry.available("music")}
    if body.music.source not in ("generated", "none", *music_services):
        raise InputError(
            f"music must be 'generated', 'none' or a music service ({', '.join(sorted(music_services))})"
            " here; use an asset in the project editor"
        )
    for capability, ids in (("stock", body.stock), ("image", body.images)):
        for pid in ids:
            registry.check_known(capability, pid.partition(":")[0].strip().lower())
    check_voice_spec(body.voice.voice)
    settings["stock"] = [p.strip().lower() for p in body.stock]
    settings["images"] = [p.strip().lower() for p in body.images]
    if body.script:
        return plan.project_from_script(body.script, **settings)
    if body.article_text:
        with tempfile.TemporaryDirectory(prefix="faceless-input-") as tmp:
            suffix = ".html" if "<" in body.article_text[:2000] else ".txt"
            path = Path(tmp) / f"article{suffix}"
            path.write_text(body.article_text, encoding="utf-8")
            return plan.project_from_article(str(path), duration=body.duration, **settings)
    if body.article_url:
        allow = bool(getattr(request.app.state, "allow_private_urls", False))
        return plan.project_from_article(
            _public_url(body.article_url, allow), duration=body.duration, **settings
        )
    if body.scenes:
        return _scenes_project(db, access, request, body, settings)
    return plan.project_from_topic(
        body.topic or "",
        duration=body.duration,
        llm=body.llm,
        tier=body.tier,
        style=body.style,
        tone=body.tone,
        **settings,
    )


@router.post("/from-input", status_code=201, response_model=ProjectOut)
def create_from_input(
    body: FromInputIn,
    request: Request,
    access: Annotated[OrgAccess, Depends(requires("project.write"))],
    db: Db,
) -> ProjectOut:
    """Plan scene cards from an input with the engine and save them as a new project (422 on bad input)."""
    project = build_project(db, access, request, body)
    data = validated(project.model_dump(mode="json", by_alias=True))
    kind = next(n for n in ("script", "article_url", "article_text", "scenes", "topic") if getattr(body, n))
    row = _create(db, access, data, f"created from {kind.split('_')[0]}")
    accounts.audit(
        db,
        "project.created",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="project",
        target_id=row.id,
        ip=client_ip(request),
        source=kind,
    )
    db.commit()
    return _out(row)
