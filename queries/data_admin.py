"""Data management (数据管理): load history and rejected rows.

Rejected rows keep their raw values as JSON; ID numbers (15-18 characters) and mobile numbers inside
them are masked unless the viewer may see personal data, and so are the values of the name fields
(`name`, `head_name`), like every other name. All of it happens in SQL; for a viewer without personal
data a JSON object comes back compact, as Python's `json.dumps(..., ensure_ascii=False,
separators=(",", ":"))` writes it, any other text as it was (JSON neither writer produces, such as
trailing commas, may come back differently).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from queries.filters import ALL, Viewer, households_in, mask_name

_ID_RE = r"(\d{6})\d{5,8}(\d{3}[0-9Xx])"
_PHONE_RE = r"(1\d{2})\d{4}(\d{4})"


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


def _lower_hex_escapes(doc: str) -> str:
    """yyjson writes \\u001F where Python writes \\u001f (the control characters with a letter in
    their code). Escaped backslashes are first set aside (left to right `\\\\` pairs are exactly the
    JSON escapes of a backslash; NUL never occurs raw in JSON text), so that only real escapes change."""
    out = f"replace({doc}, '\\\\', chr(0))"
    for code in ("0B", "0E", "0F", "1A", "1B", "1C", "1D", "1E", "1F"):
        out = f"replace({out}, '\\u00{code}', '\\u00{code.lower()}')"
    return f"CASE WHEN contains({doc}, '\\u00') THEN replace({out}, chr(0), '\\\\') ELSE {doc} END"


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
        # one step per subquery (small expressions plan fast; each JSON is parsed once): objects
        # minified (j); the name fields' values (nm: a JSON string decoded, anything else as JSON
        # text); `"name":<value as yyjson writes it>` replaced by the masked value. Only a string value
        # is written so (`to_json` escapes as `json` did); without one the pattern is NUL, which JSON
        # text never holds raw, so nothing changes.
        replaced = "j"
        for i, key in enumerate(("name", "head_name"), start=1):
            replaced = (f"replace({replaced}, coalesce('\"{key}\":' || to_json(nm[{i}]), chr(0)), "
                        f"coalesce('\"{key}\":' || to_json({mask_name(f'nm[{i}]', viewer)}), ''))")
        steps = [
            "CASE WHEN ltrim(raw, ' ' || chr(9) || chr(10) || chr(13)) LIKE '{%' "
            "THEN try(CAST(json(raw) AS VARCHAR)) END AS j",
            "json_extract_string(j, ['$.name', '$.head_name']) AS nm",
            f"{replaced} AS j2",
        ]
        for step in steps:
            rows = f"SELECT *, {step} FROM ({rows})"  # noqa: S608 - constants only
        rows = f"""SELECT * EXCLUDE (j, nm, j2)
                   REPLACE (CASE WHEN j IS NULL THEN raw ELSE {_lower_hex_escapes('j2')} END AS raw)
                   FROM ({rows})"""  # noqa: S608 - constants only
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
