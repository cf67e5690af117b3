"""Per-household lookups without scanning the ledgers, and free text with member names masked.

Why: a household's rows lie scattered over a ledger's row groups (the loader writes in parallel, in
file order), and DuckDB's VARCHAR statistics keep an 8-byte prefix that every household number of a
county shares, so finding one household's rows scanned 30–40M rows per ledger (1 s per profile at
10M households).

Tables built here (after every other derived table):
- `ix_<table>(hkey UBIGINT, rid BIGINT)` for each of `TABLES`: `hash(household_id)` and the row's
  rowid, stored ORDER BY hkey, so a lookup by hash reads one row group of the index, and the ledger's
  rows are then fetched by rowid (DuckDB prunes row groups on rowid). `queries.lookup` checks every
  fetched row's household id and the row count, and scans instead when they disagree.
- `facts_meta` row `hash_probe`: hash(PROBE) at build time; another DuckDB build hashing differently
  makes the query layer scan instead of trusting the index.
- `list_rectification`: the rectification ledger with `description_masked` / `measures_masked`, the
  free text with the names of the household's members masked (`etl.sqlexpr.redacted_text_sql`), so
  a viewer without personal-data rights reads masked text without a per-request name lookup; and `hh`,
  the named household's filter columns (a struct; NULL fields when the item names no known household),
  so that household filters and township scope apply without a lookup in hh_facts.
"""

from __future__ import annotations

import duckdb

from etl.schema import FILTER_COLUMNS
from etl.sqlexpr import redacted_text_sql

TABLES = ("hh_facts", "households", "members", "interventions", "visits", "medical_claims", "household_income")
PROBE = "扶贫督查看板"

# names longest first (then by name, for one order everywhere), as queries.filters.member_names
_LIST_RECTIFICATION_SQL = f"""
CREATE OR REPLACE TABLE list_rectification AS
WITH hh AS (SELECT DISTINCT household_id FROM rectifications WHERE household_id IS NOT NULL),
named AS (
    SELECT m.household_id, m.name FROM members m SEMI JOIN hh USING (household_id) WHERE length(m.name) >= 2
    UNION
    SELECT h.household_id, h.head_name FROM households h SEMI JOIN hh USING (household_id)
    WHERE length(h.head_name) >= 2
),
names AS (
    SELECT household_id, list(name ORDER BY length(name) DESC, name) AS names FROM named GROUP BY household_id
)
SELECT r.*, {redacted_text_sql('r.description', 'n.names')} AS description_masked,
    {redacted_text_sql('r.measures', 'n.names')} AS measures_masked,
    struct_pack({', '.join(f'{c} := f.{c}' for c in FILTER_COLUMNS)}) AS hh
FROM rectifications r LEFT JOIN names n USING (household_id)
LEFT JOIN hh_facts f ON f.household_id = r.household_id
"""  # noqa: S608 - constants only


def index_name(table: str) -> str:
    return f"ix_{table}"


def build_list_rectification(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_LIST_RECTIFICATION_SQL)


def build(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the lookup indexes and the masked rectification list."""
    build_list_rectification(con)
    # rowids are final from here: a checkpoint may compact row groups that hold deleted rows
    con.execute("CHECKPOINT")
    for table in TABLES:
        con.execute(f"CREATE OR REPLACE TABLE {index_name(table)} AS "  # noqa: S608 - constant names
                    f"SELECT hash(household_id) AS hkey, rowid AS rid FROM {table} ORDER BY hkey")
    con.execute("DELETE FROM facts_meta WHERE key = 'hash_probe'")
    con.execute("INSERT INTO facts_meta VALUES ('hash_probe', CAST(hash($probe) AS VARCHAR))", {"probe": PROBE})
