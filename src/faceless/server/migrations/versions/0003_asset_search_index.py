"""asset search index

Revision ID: 0003
Revises: 0002
A persistent full-text index over assets (name, description, tags), so text search no longer builds
one per query.

SQLite: a contentless FTS5 table `asset_fts` (porter stemming) keyed by the implicit rowid of
`assets` and kept in sync by three triggers. Tags are indexed as the words of their JSON list
(json_each decodes `\\u00e9` escapes); that needs table-valued functions, which FTS5 refuses in an
external-content source, hence contentless with the triggers passing old values to 'delete'.
A later migration that rebuilds `assets` on SQLite (`batch_alter_table` copies the table, which
renumbers rowids and drops triggers) must re-create the triggers and re-fill the index
(`INSERT INTO asset_fts(asset_fts) VALUES('delete-all')`, then `FILL` below);
tests/server/test_server_asset_search.py checks the triggers and the index at head.

PostgreSQL: a stored generated column `assets.search_vector` (the weighted tsvector: name and tags
weigh A, the description D) with a GIN index. Stored, so ranking reads it instead of re-parsing
every matching row. The models do not map it (faceless.service.asset_search.include_name keeps it
out of autogenerate comparisons); PostgreSQL fills it on every INSERT and UPDATE.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# `translate` splits file names: PostgreSQL's parser would keep 'waves.mp4' as one word.
PG_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, translate(name, '_.-', '   ')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, CAST(tags AS TEXT)), 'A') || "
    "to_tsvector('english'::regconfig, description)"
)

# Tags as the words of their JSON list: "(SELECT group_concat(value, ' ') FROM json_each(<row>.tags))".
FILL = (
    "INSERT INTO asset_fts(rowid, name, description, tags) SELECT rowid, name, description, "
    "(SELECT group_concat(value, ' ') FROM json_each(assets.tags)) FROM assets"
)
SQLITE_UP = [
    "CREATE VIRTUAL TABLE asset_fts USING fts5(name, description, tags, content='', "
    "tokenize='porter unicode61')",
    # Contentless: the index is told the old values to delete (the same words it was given).
    "CREATE TRIGGER asset_fts_insert AFTER INSERT ON assets BEGIN "
    "INSERT INTO asset_fts(rowid, name, description, tags) VALUES (new.rowid, new.name, new.description, "
    "(SELECT group_concat(value, ' ') FROM json_each(new.tags))); END",
    "CREATE TRIGGER asset_fts_delete AFTER DELETE ON assets BEGIN "
    "INSERT INTO asset_fts(asset_fts, rowid, name, description, tags) VALUES ('delete', old.rowid, old.name, "
    "old.description, (SELECT group_concat(value, ' ') FROM json_each(old.tags))); END",
    "CREATE TRIGGER asset_fts_update AFTER UPDATE OF name, description, tags ON assets BEGIN "
    "INSERT INTO asset_fts(asset_fts, rowid, name, description, tags) VALUES ('delete', old.rowid, old.name, "
    "old.description, (SELECT group_concat(value, ' ') FROM json_each(old.tags))); "
    "INSERT INTO asset_fts(rowid, name, description, tags) VALUES (new.rowid, new.name, new.description, "
    "(SELECT group_concat(value, ' ') FROM json_each(new.tags))); END",
    FILL,  # the assets that already exist
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS asset_fts_update",
    "DROP TRIGGER IF EXISTS asset_fts_delete",
    "DROP TRIGGER IF EXISTS asset_fts_insert",
    "DROP TABLE IF EXISTS asset_fts",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"ALTER TABLE assets ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED"
        )
        op.execute("CREATE INDEX ix_assets_search ON assets USING gin (search_vector)")
    else:
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_assets_search")
        op.execute("ALTER TABLE assets DROP COLUMN IF EXISTS search_vector")
    else:
        for statement in SQLITE_DOWN:
            op.execute(statement)
