"""Data management (数据管理): load history and rejected rows.

Rejected rows keep their raw values as JSON; ID numbers (15-18 characters) and mobile numbers inside
them are masked unless the viewer may see personal data, and so are the values of the name fields
(`name`, `head_name`), like every other name.
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from queries.filters import ALL, Viewer, households_in, mask_name_value

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


def rejected_rows(con: duckdb.DuckDBPyConnection, viewer: Viewer, batch_id: int | None = None) -> pd.DataFrame:
    """Rejected rows (optionally of one batch) with reason code, field and the raw values (masked).

    Rows of a rejected line cannot be placed in a township, so a viewer limited to some townships
    sees none of them.
    """
    if viewer.townships is not None:
        return pd.DataFrame(columns=["batch_id", "file_name", "line", "rule", "field", "raw", "kind", "loaded_at"])
    sql = f"""
        SELECT r.batch_id, r.file_name, r.line, r.rule, r.field, {_mask_raw('r.raw', viewer)} AS raw,
            b.kind, b.loaded_at
        FROM rejected_rows r LEFT JOIN load_batches b USING (batch_id)
        WHERE $batch IS NULL OR r.batch_id = $batch
        ORDER BY r.batch_id DESC, r.line
    """  # noqa: S608 - constants only
    df = con.execute(sql, {"batch": batch_id}).df()
    if not viewer.pii and not df.empty:
        df["raw"] = df["raw"].map(lambda raw: _mask_raw_names(raw, viewer))
    return df


def _mask_raw_names(raw: object, viewer: Viewer) -> object:
    """Mask the name fields of a rejected row's raw JSON (text that is not JSON is left as it is)."""
    if not isinstance(raw, str):
        return raw
    try:
        obj = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(obj, dict):
        return raw
    for key in _NAME_KEYS:
        if key in obj:
            obj[key] = mask_name_value(obj[key], viewer)
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


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
