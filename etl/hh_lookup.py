"""Per-household lookups without scanning the ledgers.

Why: a household's rows lie scattered over a ledger's row groups (the loader writes in parallel, in
file order), and DuckDB's VARCHAR statistics keep an 8-byte prefix that every household number of a
county shares, so finding one household's rows scanned 30–40M rows per ledger (1 s per profile at
10M households).

Tables built here (after every other derived table):
- `ix_<table>(hkey UBIGINT, rid BIGINT)` for each of `TABLES`: `hash(household_id)` and the row's
  rowid, stored ORDER BY hkey, so a lookup by hash reads one row group of the index, and the ledger's
  rows are then fetched by rowid (DuckDB prunes row groups on rowid). `queries.lookup` checks every
  fetched row's household id and the row count, and scans instead when they disagree.
- `ix_id_numbers(idh UBIGINT, hk)`: `hash(id_number)` of every member with an ID number, stored ORDER
  BY idh. The loader's check for an ID number used by another household reads these 64-bit hashes
  instead of the members' ID texts (30M texts at 10M households: 1.3 s of a 100-household update),
  and reads members only for the few households a hash names (etl.load).
- `facts_meta` row `hash_probe`: hash(PROBE) at build time; another DuckDB build hashing differently
  makes the query layer and the loader scan instead of trusting the indexes (`hashes_match`).
"""

from __future__ import annotations

import duckdb

from etl.duck import scalar
from etl.owners import Touched, stage_table
from etl.scope import Scope

TABLES = ("hh_facts", "households", "members", "interventions", "visits", "medical_claims", "household_income")
PROBE = "扶贫督查看板"


ID_INDEX = "ix_id_numbers"


def index_name(table: str) -> str:
    return f"ix_{table}"


def touched_tables(touched: Touched, base_only: bool = False) -> tuple[str, ...]:
    """The indexed tables a load wrote: the base tables it changed, and hh_facts (unless `base_only`)."""
    return tuple(t for t in TABLES if (t == "hh_facts" and not base_only) or t in touched.base or t in touched.all_tables)


def build(con: duckdb.DuckDBPyConnection, scope: Scope, tables: tuple[str, ...] | None = None) -> None:
    """(Re)build the lookup indexes (after every other derived table): whole and sorted by hash, or,
    after a load, the touched households' entries again (appended: a lookup still reads the one sorted
    row group that holds a hash, plus the few appended ones). Rowids belong to this snapshot file, so
    the other file of a snapshot pair refreshes its own after applying a changeset (etl.changes)."""
    # rowids are final from here (a whole build checkpoints first, as a load did before). DuckDB keeps a
    # committed row's rowid through later deletes and checkpoints in a big table, but renumbers a small
    # one's (2,000 rows: one delete shifted 1,998; a probe): queries.lookup checks every row it fetches
    # and scans instead, so a stale entry costs a scan at the demo's size, never a wrong answer
    if scope.full:
        con.execute("CHECKPOINT")
    for table in TABLES if scope.full or tables is None else tables:
        ix = index_name(table)
        if scope.full:
            con.execute(f"CREATE OR REPLACE TABLE {ix} AS "  # noqa: S608 - constant names
                        f"SELECT hash(household_id) AS hkey, rowid AS rid, hk FROM {table} ORDER BY hkey")
        else:
            con.execute(f"DELETE FROM {ix} WHERE {scope.hk(ix)}")  # noqa: S608 - constant names
            con.execute(f"INSERT INTO {ix} SELECT hash(household_id), rowid, hk FROM {table} t "  # noqa: S608
                        f"WHERE {scope.hk('t')}")
        if table == "members":
            _build_id_index(con, scope)
    con.execute("DELETE FROM facts_meta WHERE key = 'hash_probe'")
    con.execute("INSERT INTO facts_meta VALUES ('hash_probe', CAST(hash($probe) AS VARCHAR))", {"probe": PROBE})


def _build_id_index(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """`ix_id_numbers` whole and sorted, or the scope's households' entries again."""
    if scope.full:
        con.execute(f"CREATE OR REPLACE TABLE {ID_INDEX} AS SELECT hash(id_number) AS idh, hk FROM members "  # noqa: S608
                    "WHERE id_number IS NOT NULL ORDER BY idh")
        return
    con.execute(f"DELETE FROM {ID_INDEX} WHERE {scope.hk(ID_INDEX)}")  # noqa: S608 - constant names
    con.execute(f"INSERT INTO {ID_INDEX} SELECT hash(id_number), hk FROM members t "  # noqa: S608
                f"WHERE {scope.hk('t')} AND id_number IS NOT NULL")


def few_ids(con: duckdb.DuckDBPyConnection, n: int, table: str = "members") -> bool:
    """`n` ID numbers are few beside the rows of `table` (one of ours; a twentieth): worth looking up by
    hash (`id_holders_sql`), or joining as they are, rather than reading every stored ID text."""
    return 20 * n < int(scalar(con, f"SELECT count(*) FROM {table}") or 0)  # noqa: S608 - our table names


def id_holders_sql(con: duckdb.DuckDBPyConnection, ids: str) -> str | None:
    """A SELECT of `hk`: every household that may hold one of the ID numbers `ids` selects (a SELECT of
    `id_number`, a few of them), from their hashes in `ix_id_numbers`, and every household this load
    touched before (the index is refreshed when the load finishes). None without a usable index: the
    caller then reads the members' ID texts (30M at 10M households). A hash shared by two IDs only adds
    a household to read; the caller still compares the texts."""
    has_index = scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
                            "AND database_name = current_database()", [ID_INDEX])
    if not has_index or not hashes_match(con):
        return None
    return (f"SELECT hk FROM {ID_INDEX} WHERE idh IN (SELECT hash(id_number) FROM ({ids}) i(id_number) "  # noqa: S608
            f"WHERE id_number IS NOT NULL) UNION ALL SELECT hk FROM {stage_table('hk')}")


def hashes_match(con: duckdb.DuckDBPyConnection) -> bool:
    """The indexes exist and were hashed the way this DuckDB hashes."""
    try:
        rows = con.execute("SELECT count(*) FROM facts_meta WHERE key = 'hash_probe' "
                           "AND value = CAST(hash($probe) AS VARCHAR)", {"probe": PROBE}).fetchall()
    except duckdb.CatalogException:
        return False
    return bool(rows and rows[0][0])
