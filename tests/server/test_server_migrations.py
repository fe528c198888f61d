"""Alembic: upgrade head on an empty database equals the models (autogenerate finds no difference)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from server_helpers import BACKENDS, empty_database
from sqlalchemy import inspect, text

from faceless.service.asset_search import include_name
from faceless.service.db import alembic_config, make_engine, upgrade_database
from faceless.service.models import Base


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_head_matches_models(backend: str, tmp_path: Path) -> None:
    with empty_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade_database(engine)
            upgrade_database(engine)  # idempotent: every start runs it
            with engine.connect() as conn:
                ctx = MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_name": include_name}
                )
                diff = compare_metadata(ctx, Base.metadata)
                assert diff == [], diff
                head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
                assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
            assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        finally:
            engine.dispose()


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
