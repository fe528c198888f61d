"""Text search over an organisation's assets, through the persistent index of migration 0003.

SQLite: the FTS5 table `asset_fts` (kept in sync by triggers), ranked by bm25. PostgreSQL: the stored
generated column `assets.search_vector` (GIN index `ix_assets_search`), ranked by ts_rank. Both stem
English words and match any of the query words; name and tags weigh more than the description.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sqlalchemy import text
from sqlalchemy.orm import Session

PG_INDEX = "ix_assets_search"
PG_COLUMN = "search_vector"
FTS_TABLE = "asset_fts"
# Schema objects of the index that the models do not describe (FTS5 creates asset_fts_data, _idx, ...).
_UNMODELLED = re.compile(r"^(asset_fts(_\w+)?|ix_assets_search)$")
_UNMODELLED_COLUMNS = {("assets", PG_COLUMN)}
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 20


def include_name(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Alembic autogenerate filter: leave the search index's tables, index and column out of model comparison."""
    if type_ == "column":
        return (parent_names.get("table_name"), name) not in _UNMODELLED_COLUMNS
    return not (type_ in ("table", "index") and name is not None and _UNMODELLED.match(name))


def words(q: str) -> list[str]:
    """The query's words (lower case, at most MAX_WORDS): only letters, digits and `_` reach the engine."""
    return [w.lower() for w in _WORD.findall(q)][:MAX_WORDS]


def search_query(
    dialect: str, org_id: str, q: str, *, kinds: Iterable[str] = (), cap: int = 10_000
) -> tuple[str, dict[str, object]] | None:
    """The SQL and parameters that rank the org's assets for `q` (None: no words to look for)."""
    terms = words(q)
    if not terms:
        return None
    kinds = list(kinds)
    params: dict[str, object] = {"org": org_id, "cap": cap}
    params.update({f"k{i}": k for i, k in enumerate(kinds)})
    kind_sql = f" AND a.kind IN ({', '.join(f':k{i}' for i in range(len(kinds)))})" if kinds else ""
    # Interpolated below: constants and numbered placeholders only; every value is a bound parameter.
    if dialect == "postgresql":
        # Each word goes through plainto_tsquery (stemming, stop words; never tsquery syntax), OR-ed.
        params.update({f"w{i}": w for i, w in enumerate(terms)})
        query = " || ".join(f"plainto_tsquery('english', :w{i})" for i in range(len(terms)))
        sql = (
            f"SELECT a.id, ts_rank(a.{PG_COLUMN}, q) AS score FROM assets a, (SELECT {query} AS q) AS t "  # noqa: S608
            f"WHERE a.org_id = :org{kind_sql} AND a.{PG_COLUMN} @@ q ORDER BY score DESC, a.id LIMIT :cap"
        )
        return sql, params
    # FTS5: each word quoted (a phrase of one word, so AND/OR/NEAR/* in the query are just words).
    # bm25 is lower-is-better (negative): negated so that both engines answer higher-is-better.
    params["m"] = " OR ".join(f'"{w}"' for w in terms)
    sql = (
        f"SELECT a.id, -bm25({FTS_TABLE}, 4.0, 1.0, 4.0) AS score FROM {FTS_TABLE} "  # noqa: S608
        f"JOIN assets a ON a.rowid = {FTS_TABLE}.rowid "
        f"WHERE {FTS_TABLE} MATCH :m AND a.org_id = :org{kind_sql} ORDER BY score DESC, a.id LIMIT :cap"
    )
    return sql, params


def ranked(
    db: Session, org_id: str, q: str, *, kinds: Iterable[str] = (), cap: int = 10_000
) -> list[tuple[str, float]]:
    """(asset id, score) of the org's assets matching any word of `q`, best first (higher is better)."""
    found = search_query(db.get_bind().dialect.name, org_id, q, kinds=kinds, cap=cap)
    if found is None:
        return []
    return [(r.id, float(r.score)) for r in db.execute(text(found[0]), found[1])]
