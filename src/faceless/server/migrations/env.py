"""Alembic environment: uses the engine handed over in `config.attributes` (see faceless.service.db)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from faceless.service.asset_search import include_name
from faceless.service.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # plain `alembic -x url=...` use from a shell
        engine = create_engine(context.get_x_argument(as_dictionary=True)["url"])
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
            compare_type=True,
            include_name=include_name,  # the search index (0003) has no model
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported: run them against a database")
run_migrations_online()
