"""Lists that can hold every household or member: a page in SQL, the true total, the full list on demand.

`ListQuery(sql, params, order)`: `sql` is the SELECT of the full filtered list without ORDER BY / LIMIT,
`order` the ORDER BY body over its output columns. Query functions build one (`<name>_query(...)`), and
return `page(con, limit)`: the first `limit` rows in order (all when None) plus a `total` column (the row
count of the full list, from a separate count(*) that needs none of the masked text). Extracts run
`ordered()` (the same SQL, same parameters, same order) so the file holds the full filtered list.

`stored_table="t"` says `sql` reads only table `t`, which a full build stores in `order`, with only WHERE
and SELECT (no join, aggregate or window): DuckDB keeps a single table's row order through those, LIMIT
and COPY (preserve_insertion_order, on by default), so while `t` is still in that order `ordered()`
needs no ORDER BY: pages and extracts skip the sort. A load appends the rows it rewrites and records the
table as unsorted (etl.derive, `meta` 'unsorted:<table>', `stored_sorted`) until the next full build;
then the ORDER BY stays. Long list parameters are the other exception: DuckDB plans `list_contains` (and
IN) of IN_JOIN_VALUES values or more as a semi-join, which lets rows come out of order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb
import pandas as pd

DEFAULT_LIMIT = 500  # rows a page shows of a list (settings.list_rows overrides)
IN_JOIN_VALUES = 5  # DuckDB 2 turns a filter on this many constant values or more into a join
ALL_PLACES = 2**62  # $seq_bound of a bounded list's full extent (see ListQuery.bound)


def stored_sorted(con: duckdb.DuckDBPyConnection, table: str | None) -> bool:
    """Whether `table` is still stored in the order a full build gave it (see the module docstring)."""
    if table is None:
        return False
    try:
        rows = con.execute("SELECT count(*) FROM meta WHERE key = ?", [f"unsorted:{table}"]).fetchall()
    except duckdb.CatalogException:
        return True  # a snapshot of an older version: always built whole
    return not rows[0][0]


@dataclass(frozen=True)
class ListQuery:
    """`parts`: (SELECT, order) pairs whose union is `sql`, each in an order that matches `order` within
    the part and starts with a stored column: a page takes each part's first rows in its own order
    (DuckDB's top-N then reads a few row groups of a table stored in that order) and merges them."""

    sql: str
    params: dict[str, object] = field(default_factory=dict, hash=False, compare=False)
    order: str = ""
    stored_table: str | None = None
    parts: tuple[tuple[str, str], ...] = ()
    # Per part, the same rows as that part's SQL but only its first $limit in its order, found on narrow
    # stored columns first (a top-N over the whole part built every candidate's masked text first).
    paged_parts: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()  # output columns that only order the list: not in a page
    rank: bool = False  # a ranked list: a page starts with `rank` (1, 2, ...), extracts use `ranked()`
    # A list stored in place order (`seq`) whose rows are costly to build (masked text, windows): `sql`
    # keeps rows with seq <= $seq_bound (ALL_PLACES in `params`), and `bound` is the SQL of the last
    # place of the first $limit rows, found on narrow columns; a page builds only the rows up to it.
    bound: str = ""
    # SQL of the full list's size, cheaper than counting the list: from summary cells (NULL when they
    # cannot tell: a count runs then), or the rows counted without their masked columns and joins.
    total: str = ""

    def presorted(self, table_sorted: bool) -> bool:
        """Whether the rows of `sql` already come in `order`, given whether the stored table is still in
        it (`stored_sorted`; see the module docstring)."""
        return (self.stored_table is not None and table_sorted
                and not any(isinstance(v, (list, tuple)) and len(v) >= IN_JOIN_VALUES for v in self.params.values()))

    def ordered(self, table_sorted: bool = False) -> str:
        """The full list, in order (no LIMIT)."""
        sort = f" ORDER BY {self.order}" if self.order and not self.presorted(table_sorted) else ""
        return f"SELECT * FROM ({self.sql}) AS lst" + sort  # noqa: S608

    def ranked(self, table_sorted: bool = False) -> str:
        """The full list in order with a leading `rank` (1, 2, ...)."""
        if self.presorted(table_sorted):  # row_number() over the stored order: no sort
            return f"SELECT row_number() OVER () AS rank, * FROM ({self.sql}) AS lst"  # noqa: S608
        return (f"SELECT row_number() OVER (ORDER BY {self.order}) AS rank, * FROM ({self.sql}) AS lst"  # noqa: S608
                + (f" ORDER BY {self.order}" if self.order else ""))

    def count(self, con: duckdb.DuckDBPyConnection) -> int:
        """The full list's size: from the summary cells when `total` can tell, else counted."""
        stored = _scalar(con, self.total, self.params) if self.total else None
        if stored is not None:
            return int(stored)
        return int(_scalar(con, f"SELECT count(*) FROM ({self.sql}) AS lst", self.params) or 0)  # noqa: S608

    def page(self, con: duckdb.DuckDBPyConnection, limit: int | None) -> pd.DataFrame:
        """The first `limit` rows (all when None) with a `total` column: the size of the full list."""
        params = dict(self.params)
        if self.bound and limit is not None:
            last = _scalar(con, self.bound, {**params, "limit": int(limit)})
            params["seq_bound"] = -1 if last is None else int(last)
        if self.parts and limit is not None:
            if self.paged_parts:
                params["limit"] = int(limit)
            sqls = self.paged_parts or [sql for sql, _ in self.parts]
            firsts = " UNION ALL ".join(f"(SELECT * FROM ({sql}) AS part ORDER BY {order} LIMIT {int(limit)})"  # noqa: S608
                                        for sql, (_, order) in zip(sqls, self.parts, strict=True))
            sql = f"SELECT * FROM ({firsts}) AS lst ORDER BY {self.order} LIMIT {int(limit)}"  # noqa: S608
        else:
            table_sorted = stored_sorted(con, self.stored_table)
            if limit is not None and self.stored_table and self.order == "seq" and not self.presorted(table_sorted):
                # Out of order since a load: the first places are found on `seq` alone, then only their
                # rows are built. A top-N over the whole row built every candidate's masked text (the
                # household list at 10M households: 35 ms against 11 ms). `seq` is unique in the table.
                sql = (f"SELECT * FROM ({self.sql}) AS lst WHERE seq IN (SELECT seq FROM ({self.sql}) AS k "  # noqa: S608
                       f"ORDER BY seq LIMIT {int(limit)}) ORDER BY seq LIMIT {int(limit)}")
            else:
                sql = self.ordered(table_sorted)
                if limit is not None:
                    sql += f" LIMIT {int(limit)}"
        df = con.execute(sql, params).df().drop(columns=list(self.hidden))
        total = len(df) if limit is None or len(df) < int(limit) else self.count(con)
        df["total"] = pd.Series([total] * len(df), index=df.index, dtype="int64")
        if self.rank:
            df.insert(0, "rank", range(1, len(df) + 1))
        return df


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> object:
    """The first value of `sql`, given the parameters it names (DuckDB refuses unused ones)."""
    used = {k: v for k, v in params.items() if re.search(rf"\${re.escape(k)}\b", sql)}
    # fetchall, not fetchone: DuckDB 2 refuses the next statement while a result is unfinished
    rows = con.execute(sql, used).fetchall()
    return rows[0][0] if rows else None


def total_of(df: pd.DataFrame) -> int:
    """The full list's size of a page (its `total` column), else the rows at hand."""
    if "total" in df.columns and len(df):
        return int(df["total"].iloc[0])
    return len(df)
