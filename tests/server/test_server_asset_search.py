"""Asset text search through the persistent index of migration 0003 (FTS5 on SQLite, GIN on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi import FastAPI
from server_helpers import BACKENDS, Account, Api, empty_database
from sqlalchemy import Engine, bindparam, text

from faceless.service import asset_search
from faceless.service.db import alembic_config, make_engine, make_sessionmaker, upgrade_database
from faceless.service.models import Asset, Json, new_id

TRIGGERS = {"asset_fts_insert", "asset_fts_update", "asset_fts_delete"}


def _asset(
    org_id: str, name: str, description: str = "", tags: list[str] | None = None, kind: str = "video"
) -> Asset:
    return Asset(
        id=new_id(),
        org_id=org_id,
        name=name,
        kind=kind,
        storage_key=f"k/{name}",
        media_type="video/mp4",
        size=1,
        sha256="0" * 64,
        description=description,
        tags=tags or [],
    )


def _add(app: FastAPI, *assets: Asset) -> list[str]:
    with app.state.ctx.sessions() as db:
        db.add_all(assets)
        db.commit()
    return [a.id for a in assets]


def _search(api: Api, who: Account, q: str, **params: Any) -> list[str]:
    r = api.as_(who, "GET", f"/orgs/{who.org_id}/assets", params={"q": q, **params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] >= len(body["items"]) and all(a["score"] > 0 for a in body["items"])
    return [a["id"] for a in body["items"]]


def _index_matches_assets(engine: Engine) -> None:
    """SQLite: one index document per asset, at the asset's rowid, and FTS5 finds itself consistent."""
    with engine.connect() as conn:
        docs = {r[0] for r in conn.execute(text("SELECT id FROM asset_fts_docsize"))}
        rows = {r[0] for r in conn.execute(text("SELECT rowid FROM assets"))}
        assert docs == rows
        conn.execute(text("INSERT INTO asset_fts(asset_fts, rank) VALUES ('integrity-check', 1)"))


def test_search_follows_insert_update_delete(app: FastAPI, api: Api) -> None:
    me, other = api.signup(), api.signup()
    ocean, city, forest = _add(
        app,
        _asset(me.org_id, "ocean_waves-01.mp4", "Rolling surf on a sandy beach", ["sea"]),
        _asset(me.org_id, "skyline.jpg", "Traffic lights at night", ["urban", "Café"], kind="image"),
        _asset(me.org_id, "trail.mp4", "A quiet forest path in autumn, waves of leaves"),
    )
    [foreign] = _add(app, _asset(other.org_id, "ocean.mp4", "ocean ocean", ["ocean"]))
    assert _search(api, me, "ocean") == [ocean]  # a word of the file name; never another org's asset
    assert _search(api, other, "ocean") == [foreign]
    assert _search(api, me, "traffic") == [city]  # description
    assert _search(api, me, "urban") == [city]  # tag
    assert _search(api, me, "café") == [city]  # non-ASCII tag (JSON-escaped on SQLite) is a word
    assert _search(api, me, "roll") == [ocean]  # stemming: rolling
    # The name weighs more than a description: 'waves' is ocean's name, only in forest's description.
    assert _search(api, me, "wave") == [ocean, forest]
    assert set(_search(api, me, "beach night")) == {ocean, city}  # any word
    assert _search(api, me, "ocean", kind="image") == [] and _search(api, me, "traffic", kind="image") == [
        city
    ]
    assert _search(api, me, "night", tag="urban") == [city] and _search(api, me, "night", tag="sea") == []
    page = api.as_(
        me, "GET", f"/orgs/{me.org_id}/assets", params={"q": "beach night", "limit": 1, "offset": 1}
    )
    assert page.json()["total"] == 2 and len(page.json()["items"]) == 1

    r = api.as_(
        me,
        "PATCH",
        f"/orgs/{me.org_id}/assets/{city}",
        json={"name": "harbour.jpg", "description": "Boats moored in a harbour", "tags": ["port"]},
    )
    assert r.status_code == 200, r.text
    assert (
        _search(api, me, "traffic") == []
        and _search(api, me, "urban") == []
        and _search(api, me, "café") == []
    )
    assert _search(api, me, "boats") == [city] and _search(api, me, "port") == [city]

    assert api.as_(me, "DELETE", f"/orgs/{me.org_id}/assets/{ocean}").status_code == 204
    assert _search(api, me, "ocean") == [] and _search(api, me, "wave") == [forest]
    assert _search(api, other, "ocean") == [foreign]
    if app.state.ctx.engine.dialect.name == "sqlite":
        _index_matches_assets(app.state.ctx.engine)


@pytest.mark.parametrize(
    "q", ['" OR *', "NEAR(a b) AND NOT", "ocean*", "the", "___", "x" * 200, "'); DROP --"]
)
def test_query_syntax_is_only_words(api: Api, app: FastAPI, q: str) -> None:
    me = api.signup()
    _add(app, _asset(me.org_id, "a.mp4", "the ocean"))
    _search(api, me, q)  # 200, whatever the engine's query syntax would make of it


def test_words_are_capped() -> None:
    assert asset_search.words("A b, C! " + "w " * 50) == ["a", "b", "c", *["w"] * 17]


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_indexes_existing_assets_and_downgrades(backend: str, tmp_path: Path) -> None:
    with empty_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            cfg = alembic_config(engine)
            command.upgrade(cfg, "0002")
            with engine.begin() as conn:
                org = new_id()
                conn.execute(
                    text(
                        "INSERT INTO organisations (id, name, personal, plan, created_at) "
                        "VALUES (:id, 'o', false, 'free', CURRENT_TIMESTAMP)"
                    ),
                    {"id": org},
                )
                # Bound as the models bind JSON: on SQLite that is text with \\u escapes for non-ASCII.
                insert = text(
                    "INSERT INTO assets (id, org_id, name, kind, storage_key, media_type, size, sha256, "
                    "description, tags, created_at) VALUES (:id, :org, :name, 'video', 'k', 'video/mp4', 1, "
                    "'0', '', :tags, CURRENT_TIMESTAMP)"
                ).bindparams(bindparam("tags", type_=Json))
                for name, tags in (("lighthouse.mp4", ["coast"]), ("meadow.jpg", ["gräs"])):
                    conn.execute(insert, {"id": name, "org": org, "name": name, "tags": tags})
            upgrade_database(engine)
            _assert_index_exists(engine)
            with make_sessionmaker(engine)() as db:
                assert [i for i, _ in asset_search.ranked(db, org, "coast lighthouse")] == ["lighthouse.mp4"]
                assert [i for i, _ in asset_search.ranked(db, org, "gräs")] == ["meadow.jpg"]
            if backend == "sqlite":
                _index_matches_assets(engine)
            command.downgrade(cfg, "0002")
            with engine.connect() as conn:
                if backend == "sqlite":
                    left = conn.execute(
                        text("SELECT name FROM sqlite_master WHERE name LIKE 'asset_fts%'")
                    ).all()
                else:
                    left = conn.execute(
                        text(
                            "SELECT indexname FROM pg_indexes WHERE indexname = :n AND schemaname = current_schema()"
                        ),
                        {"n": asset_search.PG_INDEX},
                    ).all()
                assert left == []
            upgrade_database(engine)
            _assert_index_exists(engine)
            with engine.begin() as conn:  # the assets go by foreign-key cascade: the triggers still fire
                conn.execute(text("DELETE FROM organisations WHERE id = :id"), {"id": org})
            with make_sessionmaker(engine)() as db:
                assert asset_search.ranked(db, org, "coast") == []
            if backend == "sqlite":
                _index_matches_assets(engine)
        finally:
            engine.dispose()


def _assert_index_exists(engine: Engine) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            objects = dict(
                conn.execute(
                    text("SELECT name, type FROM sqlite_master WHERE tbl_name IN ('assets', 'asset_fts')")
                ).all()
            )
            assert objects.get("asset_fts") == "table" and all(objects.get(t) == "trigger" for t in TRIGGERS)
            return
        (definition,) = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = :n AND schemaname = current_schema()"),
            {"n": asset_search.PG_INDEX},
        ).one()
        assert "USING gin (search_vector)" in definition
        # The planner can answer the search query from the index: the query's expression is the indexed one.
        # (No sequential scan, and the org_id b-tree dropped for the transaction only: the GIN index must serve.)
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        conn.execute(text("DROP INDEX ix_assets_org_id"))
        found = asset_search.search_query("postgresql", "org", "ocean waves", kinds=["video"])
        assert found is not None
        plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + found[0]), found[1]))
        assert asset_search.PG_INDEX in plan, plan
        conn.rollback()


@pytest.mark.parametrize("backend", BACKENDS)
def test_head_has_the_index(backend: str, tmp_path: Path) -> None:
    """Guards later migrations: a SQLite batch rebuild of `assets` drops triggers; this notices."""
    with empty_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade_database(engine)
            _assert_index_exists(engine)
        finally:
            engine.dispose()
