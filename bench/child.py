"""Work measured in a child process, so its peak memory is its own (os.wait4 returns its rusage).

Parent: `bench.spawn.measure(task, args) -> dict` (the task's JSON result plus `peak_rss_bytes`, `wall_seconds`).
Child: `python -m bench.child TASK JSON_ARGS` prints one JSON object on its last stdout line.
Tasks: `etl` (etl.load.load_files), `duckdb_csv` (plain read_csv, all_varchar, into tables),
`pandas_csv` (pandas.read_csv, dtype=str, all frames kept in memory), `page` (one page in AppTest).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _etl(args: dict[str, Any]) -> dict[str, Any]:
    from etl.load import load_files

    ticks: list[tuple[float, float, str]] = []
    started = time.perf_counter()

    def progress(fraction: float, text: str) -> None:
        ticks.append((round(time.perf_counter() - started, 3), fraction, text))

    report = load_files([Path(p) for p in args["files"]], db=args["db"], lang="en", progress=progress)
    seconds = time.perf_counter() - started
    files = [f.to_json() for f in report.files]
    return {"seconds": seconds, "published": report.published, "published_seconds": report.published_seconds,
            "retried": report.retried, "files": files, "ticks": ticks,
            "rows_read": sum(f.rows_read for f in report.files),
            "rows_loaded": sum(f.rows_loaded for f in report.files),
            "rows_rejected": sum(f.rows_rejected for f in report.files),
            "issues": sum(f.issues for f in report.files)}


def _duckdb_csv(args: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    db = Path(args["db"])
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    rows = 0
    for i, path in enumerate(args["files"]):
        con.execute(f"CREATE TABLE f{i} AS SELECT * FROM read_csv(?, all_varchar = true, header = true)", [path])  # noqa: S608
        rows += int(con.execute(f"SELECT count(*) FROM f{i}").fetchall()[0][0])  # noqa: S608
    con.execute("CHECKPOINT")
    con.close()
    seconds = time.perf_counter() - started
    db.unlink(missing_ok=True)
    return {"seconds": seconds, "rows_read": rows}


def _pandas_csv(args: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    started = time.perf_counter()
    frames = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in args["files"]]
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows_read": sum(len(f) for f in frames)}


def _page(args: dict[str, Any]) -> dict[str, Any]:
    from bench.page_bench import measure_page

    return measure_page(Path(args["db"]), args["file"], args["warm_runs"], args["slow_seconds"])


TASKS = {"etl": _etl, "duckdb_csv": _duckdb_csv, "pandas_csv": _pandas_csv, "page": _page}


def _own_peak_bytes() -> int | None:
    """This process's peak resident memory since its exec (VmHWM). Not ru_maxrss: on Linux that keeps the
    peak of the process it was started from (fork or vfork, then exec), so a load measured after the
    bench had itself held 1.2 GiB reported 1.2 GiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def main() -> int:
    task, raw = sys.argv[1], sys.argv[2]
    result = TASKS[task](json.loads(raw))
    result["self_maxrss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result["own_peak_bytes"] = _own_peak_bytes()
    try:  # bytes this process caused to be written to storage (Linux)
        io = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
        result["io_write_bytes"] = int(io["write_bytes"])
    except (OSError, KeyError, ValueError):
        pass
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
