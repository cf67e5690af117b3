"""ETL: the real load (`etl.load.load_files`, all validation and derived tables) vs the same files
through plain DuckDB `read_csv` (all_varchar) into tables, and pandas `read_csv` (dtype=str) —
each in its own child process so that its peak RSS is its own."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.spawn import measure


def run_etl(files: list[Path], size_dir: Path, with_pandas: bool, log: Callable[[str], None]) -> dict[str, Any]:
    db_dir = size_dir / "db"
    shutil.rmtree(db_dir, ignore_errors=True)
    db_dir.mkdir(parents=True)
    db = db_dir / "fupin.duckdb"
    paths = [str(p) for p in files]
    out: dict[str, Any] = {"file_bytes": sum(p.stat().st_size for p in files)}
    log("  ETL (etl.load.load_files) ...")
    app = measure("etl", {"files": paths, "db": str(db)})
    app["rows_per_second"] = app["rows_read"] / app["seconds"]
    out["app"] = app
    log(f"  ETL {app['rows_read']:,} rows in {app['seconds']:.1f} s = {app['rows_per_second']:,.0f} rows/s, "
        f"peak {app['peak_rss_bytes'] / 2**30:.2f} GiB")
    log("  plain DuckDB read_csv ...")
    plain = measure("duckdb_csv", {"files": paths, "db": str(size_dir / "plain_read_csv.duckdb")})
    plain["rows_per_second"] = plain["rows_read"] / plain["seconds"]
    out["duckdb_read_csv"] = plain
    log(f"  read_csv {plain['rows_read']:,} rows in {plain['seconds']:.1f} s = {plain['rows_per_second']:,.0f} rows/s, "
        f"peak {plain['peak_rss_bytes'] / 2**30:.2f} GiB")
    if with_pandas:
        log("  pandas read_csv ...")
        pdr = measure("pandas_csv", {"files": paths})
        pdr["rows_per_second"] = pdr["rows_read"] / pdr["seconds"]
        out["pandas_read_csv"] = pdr
        log(f"  pandas {pdr['rows_read']:,} rows in {pdr['seconds']:.1f} s = {pdr['rows_per_second']:,.0f} rows/s, "
            f"peak {pdr['peak_rss_bytes'] / 2**30:.2f} GiB")
    out["ratio_read_csv_over_app_speed"] = plain["rows_per_second"] / app["rows_per_second"]
    out["db"] = str(db)
    return out
