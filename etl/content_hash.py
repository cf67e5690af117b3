"""`hh_content`: one hash per household, registry table and income year of its stored rows' content.

A registry file sent again is compared with what is stored (`etl.load._same_households`): a household
whose rows it would write exactly as stored is left alone. Reading every column of those households'
rows, scattered over 10–30M-row tables, was the largest statement of a 100-household update at 10M
households (1.34 s); kept as a derived table (built and updated with the others, so every writer of
the registry keeps it, and the property test compares it with a full rebuild), the stored side of the
comparison is a read of a few integer columns.
"""

from __future__ import annotations

import duckdb

from etl.duck import table_columns
from etl.scope import Scope
from etl.stage import q

# Columns that say where a row came from, not what it says.
NOT_CONTENT = ("batch_id", "source_line")
# The registry's tables of a household; income rows are compared per year (a file gives some years).
TABLES = ("households", "members", "household_income")


def content_sql(con: duckdb.DuckDBPyConnection, table: str, source: str, where: str = "TRUE") -> str:
    """(tb, hk, income_year, h, n) of the rows of `source` (the stored table's columns, by name) that
    `where` keeps: their count and a hash of the sum of their row hashes."""
    cols = ", ".join(f"t.{q(c)}" for c in table_columns(con, table) if c not in NOT_CONTENT)
    year = "t.income_year" if table == "household_income" else "CAST(NULL AS INTEGER)"
    return (f"SELECT '{table}' AS tb, t.hk, {year} AS income_year, "  # noqa: S608 - our names
            f"hash(sum(hash({cols})::HUGEINT)) AS h, count(*) AS n "
            f"FROM {source} t WHERE t.hk IS NOT NULL AND {where} GROUP BY ALL")


def hh_content_sql(con: duckdb.DuckDBPyConnection, scope: Scope) -> str:
    """The derived table's rows for the scope's households."""
    return " UNION ALL ".join(content_sql(con, table, scope.src(table), scope.hk("t")) for table in TABLES)
