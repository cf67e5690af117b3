"""A 1M-row extract: the household list (personal data masked in SQL) as the pages write it (DuckDB from
the list's SQL, `ui.extract.csv_from_sql`: the whole county, or at L one township of about 1M), as the
app's small-table CSV (UTF-8 with BOM, formula-neutralised, `ui.extract.csv_bytes`) and XLSX
(`ui.extract.xlsx_bytes`, within Excel's 1,048,576-row limit), against a plain pandas `to_csv` and
DuckDB's own CSV writer."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

EXCEL_MAX_ROWS = 1_048_575  # plus the header row


def run_extract(con: duckdb.DuckDBPyConnection, rows: int, xlsx_rows: int | None,
                log: Callable[[str], None]) -> dict[str, Any]:
    from queries import households
    from queries.filters import Filters, Viewer
    from queries.paging import stored_sorted
    from ui import extract

    out: dict[str, Any] = {}
    started = time.perf_counter()
    df = households.listing(con, Filters(), Viewer(), limit=rows)
    out["query_seconds"] = time.perf_counter() - started
    out["rows"] = len(df)
    out["columns"] = len(df.columns)

    started = time.perf_counter()
    data = extract.csv_bytes(df)
    out["csv_seconds"] = time.perf_counter() - started
    out["csv_bytes"] = len(data)
    out["csv_bom"] = data.startswith(b"\xef\xbb\xbf")
    del data

    # the path the pages take (ui.extract.csv_from_sql on the list's SQL). A page's extract is its whole
    # filtered list, never a LIMIT (which DuckDB would plan differently): the county when it has at most
    # `rows` households, else the one township whose list is nearest `rows`
    flt = Filters()
    if households.listing_query(flt, Viewer()).count(con) > rows:
        town = con.execute("SELECT township FROM hh_facts GROUP BY ALL ORDER BY abs(count(*) - $n), township "
                           "LIMIT 1", {"n": int(rows)}).fetchall()[0][0]
        flt = Filters(townships=(town,))
    full = households.listing_query(flt, Viewer())
    out["app_csv_filter"] = "、".join(flt.townships) or "all"
    view = extract.SqlView(sql=full.ordered(stored_sorted(con, full.stored_table)), params=dict(full.params),
                           columns=tuple((str(c), str(c)) for c in df.columns if c != "total"), rows=len(df))
    runs = []
    for _ in range(3):  # the median of three: one run on a shared machine can be far off
        started = time.perf_counter()
        data = extract.csv_from_sql(con, view)
        runs.append(time.perf_counter() - started)
        out["app_csv_bom"] = data.startswith(b"\xef\xbb\xbf")
        out["app_csv_bytes"] = len(data)
        del data
    out["app_csv_runs"] = runs
    out["app_csv_seconds"] = sorted(runs)[1]
    out["app_csv_rows"] = full.count(con)

    started = time.perf_counter()
    plain = df.to_csv(index=False).encode("utf-8")
    out["pandas_to_csv_seconds"] = time.perf_counter() - started
    del plain

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "x.csv"
        con.register("extract_df", df)
        started = time.perf_counter()
        con.execute(f"COPY (SELECT * FROM extract_df) TO '{target}' (HEADER, DELIMITER ',')")  # noqa: S608
        out["duckdb_copy_seconds"] = time.perf_counter() - started
        con.unregister("extract_df")

    n_xlsx = min(len(df), EXCEL_MAX_ROWS if not xlsx_rows else xlsx_rows)
    out["xlsx_rows"] = n_xlsx
    if n_xlsx:
        part = df.head(n_xlsx)
        started = time.perf_counter()
        xdata = extract.xlsx_bytes(part, "bench")
        out["xlsx_seconds"] = time.perf_counter() - started
        out["xlsx_bytes"] = len(xdata)
    log(f"  extract {out['rows']} rows: query {out['query_seconds']:.2f} s, app csv (SQL, {out['app_csv_rows']} rows "
        f"of {out['app_csv_filter']}) {out['app_csv_seconds']:.2f} s, csv_bytes {out['csv_seconds']:.2f} s "
        f"(pandas to_csv {out['pandas_to_csv_seconds']:.2f} s), xlsx {n_xlsx} rows {out.get('xlsx_seconds', 0):.2f} s")
    return out
