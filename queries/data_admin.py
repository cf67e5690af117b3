"""Data management (数据管理): load history and rejected rows.

Rejected rows keep their raw values as JSON; ID numbers (15-18 characters) and mobile numbers inside
them are masked unless the viewer may see personal data, and so are the values of the name fields
(`name`, `head_name`), like every other name. All of it happens in SQL; for a viewer without personal
data a JSON object comes back compact (as Python's `json.dumps(..., ensure_ascii=False,
separators=(",", ":"))` writes it), any other text as it was.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from queries.filters import ALL, Viewer, households_in, mask_name

_ID_RE = r"(\d{6})\d{5,8}(\d{3}[0-9Xx])"
_PHONE_RE = r"(1\d{2})\d{4}(\d{4})"
_NAME_KEYS = ("name", "head_name")


def load_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every load batch, newest first."""
    return con.execute("""
        SELECT batch_id, file_name, kind, loaded_at, rows_read, rows_loaded, rows_rejected, rows_skipped,
            issues, array_to_string(ignored_columns, '、') AS ignored_columns, encoding, header_line, sha256
        FROM load_batches ORDER BY loaded_at DESC, batch_id DESC
    """).df()


def _mask_raw(expr: str, viewer: Viewer) -> str:
    if viewer.pii:
        return expr
    return (f"regexp_replace(regexp_replace({expr}, '{_ID_RE}', '\\1********\\2', 'g'), "
            f"'{_PHONE_RE}', '\\1****\\2', 'g')")


def _mask_json_key(doc: str, key: str, viewer: Viewer) -> str:
    """Mask the string value of the top-level `key` of the compact JSON object `doc` (yyjson escapes the
    value the same way in `doc` and in `to_json`, so the key and value are found verbatim)."""
    value = f"json_extract_string({doc}, '$.{key}')"
    return (f"CASE WHEN json_type({doc}, '$.{key}') = 'VARCHAR' THEN replace({doc}, "
            f"'\"{key}\":' || to_json({value}), '\"{key}\":' || to_json({mask_name(value, viewer)})) "
            f"ELSE {doc} END")


def _lower_hex_escapes(doc: str) -> str:
    """yyjson writes \\u001F where Python writes \\u001f: lower-case the hex letter of real \\u escapes
    (an odd run of backslashes; an even run is escaped backslashes followed by plain text). A match
    takes the character before it, so back-to-back escapes need a second pass."""
    for letter in "ABCDEF":
        for _ in range(2):
            doc = (f"regexp_replace({doc}, '(^|[^\\\\])((?:\\\\\\\\)*)(\\\\u00[01]){letter}', "
                   f"'\\1\\2\\3{letter.lower()}', 'g')")
    return doc


def rejected_rows(con: duckdb.DuckDBPyConnection, viewer: Viewer, batch_id: int | None = None) -> pd.DataFrame:
    """Rejected rows (optionally of one batch) with reason code, field and the raw values (masked).

    Rows of a rejected line cannot be placed in a township, so a viewer limited to some townships
    sees none of them.
    """
    if viewer.townships is not None:
        return pd.DataFrame(columns=["batch_id", "file_name", "line", "rule", "field", "raw", "kind", "loaded_at"])
    rows = f"""
        SELECT r.batch_id, r.file_name, r.line, r.rule, r.field, {_mask_raw('r.raw', viewer)} AS raw,
            b.kind, b.loaded_at
        FROM rejected_rows r LEFT JOIN load_batches b USING (batch_id)
        WHERE $batch IS NULL OR r.batch_id = $batch
    """  # noqa: S608 - constants only
    if not viewer.pii:
        # one step per subquery: JSON objects minified (j), then each name field masked (j1, j2)
        rows = f"""
            SELECT * REPLACE (CASE WHEN j2 IS NULL THEN raw ELSE {_lower_hex_escapes('j2')} END AS raw)
            FROM (SELECT *, {_mask_json_key('j1', 'head_name', viewer)} AS j2
            FROM (SELECT *, {_mask_json_key('j', 'name', viewer)} AS j1
            FROM (SELECT *, CASE WHEN json_valid(raw) THEN CASE WHEN json_type(raw) = 'OBJECT'
                                 THEN CAST(json(raw) AS VARCHAR) END END AS j
            FROM ({rows}))))
        """  # noqa: S608 - constants only
    sql = f"""
        SELECT batch_id, file_name, line, rule, field, raw, kind, loaded_at FROM ({rows})
        ORDER BY batch_id DESC, line
    """  # noqa: S608 - constants only
    return con.execute(sql, {"batch": batch_id}).df()


def totals(con: duckdb.DuckDBPyConnection, viewer: Viewer | None = None) -> dict[str, int]:
    """Row counts of the base tables (for the data page's header). For a viewer limited to some
    townships: the rows of their households (and rectification items of their townships); rejected rows
    cannot be placed in a township and count 0."""
    out: dict[str, int] = {}
    scoped = viewer is not None and viewer.townships is not None
    for table in ("households", "members", "interventions", "visits", "medical_claims", "rectifications",
                  "data_issues", "rejected_rows", "load_batches"):
        if not scoped or table == "load_batches":
            out[table] = int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
        elif table == "rejected_rows":
            out[table] = 0
        elif table == "rectifications":
            from queries.rectification import item_where

            where, params = item_where(ALL, viewer)
            out[table] = int(con.execute(f"SELECT count(*) FROM rectifications r WHERE {where}", params).fetchone()[0])  # noqa: S608
        else:
            where, params = households_in(ALL, viewer, "household_id")
            out[table] = int(con.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0])  # noqa: S608
    return out
