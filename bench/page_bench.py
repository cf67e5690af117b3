"""Per page: Streamlit AppTest cold first run and warm rerun on a benchmark database.

The process imports Streamlit, Plotly and the pages once (an untimed first run, reported as
`process_first_run_seconds`). Then for each page of `dashboard.PAGES`: clear every st.cache_data /
st.cache_resource (so the DuckDB connection, sidebar options and the page's queries are all cold),
open the page (AppTest: the entry script first, then switch_page — the entry run's caches are cleared
again so only the page run is cold), time that run (cold), then rerun it `warm_runs` times (warm:
what a click costs once the page's queries are cached). The OS page cache is warm throughout.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")


def page_files() -> list[str]:
    source = Path(APP).read_text(encoding="utf-8")
    # dashboard.py runs main() at import; read PAGES from its source instead of executing it.
    start = source.index("PAGES:")
    end = source.index("\n]\n", start) + 3
    namespace: dict[str, Any] = {}
    exec(compile(source[start:end].replace("PAGES: list[tuple[str, list[tuple[str, str, str, str]]]]", "PAGES"),  # noqa: S102
                 APP, "exec"), namespace)
    return [file for _, entries in namespace["PAGES"] for file, *_ in entries if (ROOT / "pages" / file).is_file()]


def _clear() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def run_pages(db: Path, warm_runs: int, log: Callable[[str], None], only: list[str] | None = None,
              timeout: float = 600.0) -> dict[str, Any]:
    from streamlit import logger as st_logger
    from streamlit.testing.v1 import AppTest

    st_logger.set_log_level("error")
    os.environ["FUPIN_DB"] = str(db)
    files = page_files()
    if only:
        files = [f for f in files if Path(f).stem in only]
    out: dict[str, Any] = {"pages": []}
    started = time.perf_counter()
    first = AppTest.from_file(APP, default_timeout=timeout)
    first.run()
    out["process_first_run_seconds"] = time.perf_counter() - started
    for file in files:
        row: dict[str, Any] = {"page": Path(file).stem}
        try:
            _clear()
            at = AppTest.from_file(APP, default_timeout=timeout)
            if file == files[0] and Path(file).stem == "overview":
                started = time.perf_counter()
                at.run()
            else:
                at.run()
                _clear()
                at.switch_page(f"pages/{file}")
                started = time.perf_counter()
                at.run()
            row["cold_seconds"] = time.perf_counter() - started
            errors = [e.message for e in at.exception]
            warm: list[float] = []
            for _ in range(warm_runs):
                started = time.perf_counter()
                at.run()
                warm.append(time.perf_counter() - started)
            row["warm_seconds"] = statistics.median(warm) if warm else None
            row["warm_max_seconds"] = max(warm) if warm else None
            row["charts"] = len(at.get("plotly_chart"))
            row["tables"] = len(at.dataframe)
            errors += [e.message for e in at.exception]
            if errors:
                row["error"] = "; ".join(sorted(set(errors)))[:500]
        except Exception as exc:
            row["error"] = f"{type(exc).__name__}: {exc}"[:500]
        out["pages"].append(row)
        log(f"  page {row['page']:<15} cold {row.get('cold_seconds', float('nan')):7.2f} s  "
            f"warm {row.get('warm_seconds') or float('nan'):7.3f} s  {row.get('error', '')[:100]}")
    _clear()
    return out
