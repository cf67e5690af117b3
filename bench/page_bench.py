"""Per page: Streamlit AppTest cold first run and warm rerun on a benchmark database.

Each page runs in its own child process (`bench.child page`), so a page that takes minutes can be
killed at a timeout without disturbing the others, and its peak memory is its own. In the child:
an untimed first run of the entry script imports Streamlit, Plotly and the pages (reported as
`process_first_run_seconds`); then every st.cache_data / st.cache_resource is cleared (the DuckDB
connection is closed, so DuckDB's buffer pool starts empty; sidebar options and the page's queries
are all cold), the page is opened (the default
page directly; another page via switch_page, its caches cleared again just before) and that run is
timed (cold); then the page is rerun `warm_runs` times (warm: a click once its queries are cached;
only once when the cold run took over `slow_seconds`). The OS page cache is warm throughout.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ui.navigation import page_files

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")


def _clear(db: Path) -> None:
    """Close the app's DuckDB connection (so DuckDB's buffer pool starts empty) and clear every cache."""
    import contextlib

    import streamlit as st

    from etl.snapshot import current_snapshot
    from ui import data

    with contextlib.suppress(Exception):
        data._connection(str(current_snapshot(db))).close()  # the cached connection of the last run
    st.cache_data.clear()
    st.cache_resource.clear()


def measure_page(db: Path, file: str, warm_runs: int, slow_seconds: float) -> dict[str, Any]:
    """In a fresh process: cold and warm AppTest runs of one page (see the module docstring)."""
    from streamlit import logger as st_logger
    from streamlit.testing.v1 import AppTest

    st_logger.set_log_level("error")
    os.environ["FUPIN_DB"] = str(db)
    row: dict[str, Any] = {"page": Path(file).stem}
    started = time.perf_counter()
    at = AppTest.from_file(APP, default_timeout=3600)
    at.run()
    row["process_first_run_seconds"] = time.perf_counter() - started
    _clear(db)
    at = AppTest.from_file(APP, default_timeout=3600)
    if file == page_files()[0]:
        started = time.perf_counter()
        at.run()
    else:
        at.run()
        _clear(db)
        at.switch_page(f"pages/{file}")
        started = time.perf_counter()
        at.run()
    row["cold_seconds"] = time.perf_counter() - started
    errors = [e.message for e in at.exception]
    warm: list[float] = []
    for _ in range(warm_runs if row["cold_seconds"] < slow_seconds else 1):
        started = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - started)
    row["warm_seconds"] = statistics.median(warm) if warm else None
    row["warm_max_seconds"] = max(warm) if warm else None
    row["warm_runs"] = len(warm)
    row["charts"] = len(at.get("plotly_chart"))
    row["tables"] = len(at.dataframe)
    errors += [e.message for e in at.exception]
    if errors:
        row["error"] = "; ".join(sorted(set(errors)))[:500]
    return row


def run_pages(db: Path, warm_runs: int, log: Callable[[str], None], only: list[str] | None = None,
              timeout: float = 900.0, slow_seconds: float = 20.0) -> dict[str, Any]:
    import subprocess

    from bench.spawn import ChildTimeout, measure

    files = page_files()
    if only:
        files = [f for f in files if Path(f).stem in only]
    out: dict[str, Any] = {"pages": [], "timeout_seconds": timeout}
    for file in files:
        try:
            row = measure("page", {"db": str(db), "file": file, "warm_runs": warm_runs,
                                   "slow_seconds": slow_seconds}, timeout=timeout, stderr=subprocess.DEVNULL)
            row.pop("wall_seconds", None)
            row.pop("self_maxrss_bytes", None)
        except ChildTimeout:
            row = {"page": Path(file).stem, "error": f"timeout: cold run + warm rerun took over {timeout:.0f} s"}
        except RuntimeError as exc:
            row = {"page": Path(file).stem, "error": str(exc)}
        out["pages"].append(row)
        out.setdefault("process_first_run_seconds", row.get("process_first_run_seconds"))
        log(f"  page {row['page']:<15} cold {row.get('cold_seconds', float('nan')):7.2f} s  "
            f"warm {row.get('warm_seconds') or float('nan'):7.3f} s  {row.get('error', '')[:100]}")
    return out
