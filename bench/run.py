"""Command line of the benchmark: `python -m bench --sizes S,M[,L] [--out bench/out]`.

For each size: scaled files (reused when present), ETL in child processes, every page query (app vs
raw SQL), naive pandas comparisons, a 1M-row extract, Streamlit AppTest per page. Raw results go to
`<out>/results.json` (merged: a run of one size keeps the others' results), the report to
docs/PERFORMANCE.md (rendered from every size in the JSON).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from bench import report
from bench.sizes import DEMO, parse_sizes

ROOT = Path(__file__).resolve().parents[1]


def log(text: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {text}\n")
    sys.stderr.flush()


def machine() -> dict[str, Any]:
    import duckdb
    import pandas
    import plotly
    import pyarrow
    import streamlit

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(), "sched_cpus": len(os.sched_getaffinity(0)), "memory_bytes": mem, "cpu": cpu,
        "platform": platform.platform(), "python": platform.python_version(), "duckdb": duckdb.__version__,
        "pandas": pandas.__version__, "pyarrow": pyarrow.__version__, "streamlit": streamlit.__version__,
        "plotly": plotly.__version__,
    }


def _table_counts(con: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for table in ("households", "members", "interventions", "visits", "medical_claims", "rectifications",
                  "hh_facts", "data_issues", "rejected_rows"):
        try:
            out[table] = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])  # noqa: S608
        except Exception:  # a table another issue adds later
            continue
    return out


def save(path: Path, label: str, result: dict[str, Any]) -> dict[str, Any]:
    allres: dict[str, Any] = {"sizes": {}}
    if path.is_file():
        try:
            allres = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            pass
    allres.setdefault("sizes", {})[label] = result
    order = {DEMO: -1, "S": 0, "M": 1, "L": 2}
    allres["sizes"] = dict(sorted(allres["sizes"].items(), key=lambda kv: (order.get(kv[0], 3), kv[0])))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(allres, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    tmp.replace(path)
    return allres


def run_size(label: str, households: int, args: argparse.Namespace, command: str) -> dict[str, Any]:
    import duckdb

    from bench import etl_bench, extract_bench, page_bench, query_bench
    from bench.sizes import ensure_files
    from etl.snapshot import current_snapshot, etl_memory_limit

    out_dir: Path = args.out
    size_dir = out_dir / label
    json_path = out_dir / "results.json"
    res: dict[str, Any] = {"label": label, "households": households, "command": command,
                           "date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(),
                           "runs": args.runs, "budget_seconds": args.budget, "etl_memory_limit": etl_memory_limit()}
    res["loadavg"] = {"start": os.getloadavg()}
    t0 = time.perf_counter()
    log(f"== size {label}: {households:,} households")
    previous = json.loads(json_path.read_text(encoding="utf-8")).get("sizes", {}).get(label, {}) \
        if json_path.is_file() else {}
    phases = set(args.phases.split(","))
    res["phases"] = sorted(phases)
    db = size_dir / "db" / "fupin.duckdb"
    if "etl" not in phases and current_snapshot(db) is not None:
        # the files are only read by a load: not generated again (N: 7 GB the snapshots may need)
        res["generate"] = {**previous.get("generate", {}), "reused": True}
        res["etl"] = previous.get("etl", {})
        res["etl_reused"] = True
        log("  ETL skipped: the database of an earlier run is reused")
    else:
        files, res["generate"] = ensure_files(size_dir / "files", households, args.gzip, demo_county=label == DEMO)
        log(f"  files {'reused' if res['generate']['reused'] else 'generated'}: "
            f"{res['generate'].get('bytes', 0) / 2**20:.0f} MiB")
        if "etl" not in phases and label == DEMO:  # the demo county's files (GB18030, xlsx) only load, untimed
            from etl.load import load_files

            db.parent.mkdir(parents=True, exist_ok=True)
            load_files(files, db=db, fresh=True)
            res["etl"] = {}
        else:
            res["etl"] = etl_bench.run_etl(files, size_dir, households <= args.pandas_etl_max, log)
    save(json_path, label, res)

    def keep(*keys: str) -> None:
        for key in keys:
            if key in previous:
                res[key] = previous[key]

    snap = current_snapshot(db)
    assert snap is not None, f"no snapshot at {db}"
    res["snapshot_bytes"] = snap.stat().st_size
    con = duckdb.connect(str(snap), read_only=True)
    res["tables"] = _table_counts(con)
    ctx = query_bench.make_context(con)
    res["filter_values"] = {"township": ctx.township, "cause": ctx.cause, "as_of": str(ctx.as_of)}
    if "queries" in phases:
        cases, skipped = query_bench.discover(ctx)
        res["skipped"] = skipped
        if args.only_queries:
            wanted = [w.strip() for w in args.only_queries.split(",") if w.strip()]
            cases = [c for c in cases if any(w in c.name for w in wanted)]
        log(f"  {len(cases)} query cases (township {ctx.township}, cause {ctx.cause}); skipped {len(skipped)}")
        res["loadavg"]["queries_start"] = os.getloadavg()
        res["queries"] = query_bench.run_cases(con, ctx, cases, args.runs, args.budget, log)
        res["loadavg"]["queries_end"] = os.getloadavg()
        res["explain"] = query_bench.explain(con, res["queries"], size_dir / "explain", args.explain)
        save(json_path, label, res)
    else:
        keep("skipped", "queries", "explain")
    if "pandas" in phases and not args.no_pandas:
        res["pandas"] = query_bench.pandas_comparison(con, ctx, args.runs, args.budget, log)
        save(json_path, label, res)
    else:
        keep("pandas")
    if "extract" in phases:
        res["extract"] = extract_bench.run_extract(con, args.extract_rows, args.xlsx_rows, log)
    else:
        keep("extract")
    con.close()
    save(json_path, label, res)
    if "pages" in phases and args.pages != "none":
        only = None if args.pages == "all" else [p.strip() for p in args.pages.split(",") if p.strip()]
        res["loadavg"]["pages_start"] = os.getloadavg()
        res["pages"] = page_bench.run_pages(db, args.warm_runs, log, only, timeout=args.page_timeout)
    else:
        keep("pages")
    if "sessions" in phases:
        from bench import session_bench
        from bench.sessions import Scenario

        counts = tuple(int(c) for c in args.session_counts.split(",") if c.strip())
        res["loadavg"]["sessions_start"] = os.getloadavg()
        serve = None
        if args.replicas > 1:  # K processes behind nginx with deploy/nginx/fupin.conf (docs/DEPLOY.md)
            from bench.proxy import Cluster

            serve = lambda d, lg: Cluster(d, lg, args.replicas).start()  # noqa: E731
        ses = session_bench.run_phase(db, Scenario(ctx.township, ctx.cause), log, counts=counts,
                                      thinks=tuple(float(x) for x in args.think.split(",")), browser=not args.no_browser_check,
                                      logs=size_dir / "logs", serve=serve, replicas=args.replicas, ramp=args.ramp)
        res["sessions"] = session_bench.merge_runs(previous.get("sessions"), ses)
        save(json_path, label, res)
    else:
        keep("sessions")
    if "small-loads" in phases:
        from bench import small_loads

        res["small_loads"] = small_loads.run_small_loads(db, size_dir, log, args.small_loads,
                                                         in_place=args.small_loads_in_place)
    else:
        keep("small_loads")
    res["loadavg"]["end"] = os.getloadavg()
    res["total_seconds"] = time.perf_counter() - t0
    save(json_path, label, res)
    log(f"== size {label} done in {res['total_seconds']:.0f} s")
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="扶贫督查看板 benchmark (issue 5)")
    parser.add_argument("--sizes", default="S,M",
                        help="D=the demo county (630), S=10k, M=1M, L=10M, N=33M (national) households, "
                        "or counts: S,M,L / 2000")
    parser.add_argument("--gzip", action="store_true",
                        help="write and load the scaled files as .csv.gz (N: ~12 GB instead of ~53 GB of text)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="files, databases, results.json")
    parser.add_argument("--docs", type=Path, default=None,
                        help="report to write (default: docs/PERFORMANCE.md with the default --out, else "
                        "OUT/PERFORMANCE.md: a run elsewhere must not overwrite the project's report with its "
                        "own, partial results)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query and filter (after a warm-up)")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds per measurement before fewer runs (min 3)")
    parser.add_argument("--warm-runs", type=int, default=5, help="warm reruns per page")
    parser.add_argument("--pages", default="all", help="all, none, or page names (overview,causes,...)")
    parser.add_argument("--page-timeout", type=float, default=600.0,
                        help="seconds per page (its cold run and warm reruns) before the page is reported as a timeout")
    parser.add_argument("--extract-rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000,
                        help="rows for the XLSX extract (xlsxwriter is ~3k rows/s: 1M rows would take minutes); "
                        "0 = all rows up to Excel's limit")
    parser.add_argument("--pandas-etl-max", type=int, default=1_000_000,
                        help="households up to which pandas read_csv is measured too (it needs ~0.5 GiB per 1M)")
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas query comparisons")
    parser.add_argument("--explain", type=int, default=6, help="EXPLAIN ANALYZE of this many slowest queries")
    parser.add_argument("--only-queries", default="", help="only query cases whose name contains one of these "
                        "comma-separated texts (e.g. overview.,causes.)")
    parser.add_argument("--report-only", action="store_true", help="only re-render the report from results.json")
    parser.add_argument("--small-loads", type=int, default=20,
                        help="how many small loads the small-loads phase runs (the bloat target is after 20)")
    parser.add_argument("--small-loads-in-place", action="store_true",
                        help="small-loads phase: load into the size's database itself, not a copy (N: the disk "
                        "cannot hold its two 20 GiB snapshot files twice); run it as the last phase")
    parser.add_argument("--phases", default="etl,queries,pandas,extract,pages,small-loads",
                        help="phases to run (also: sessions, N concurrent sessions over the websocket); the others keep the results of the last run of that size "
                        "(without etl, that run's database is reused)")
    parser.add_argument("--session-counts", default=",".join(str(n) for n in (1, 10, 30, 100)),
                        help="sessions phase: concurrent session counts, each against a fresh server")
    parser.add_argument("--think", default="0",
                        help="sessions phase: mean seconds a session waits between its pages (0: none); "
                        "several values (0,15) run every session count for each")
    parser.add_argument("--ramp", type=float, default=1.0,
                        help="sessions phase: the sessions start within this many seconds (1: all at once)")
    parser.add_argument("--replicas", type=int, default=1,
                        help="sessions phase: dashboard processes behind nginx (deploy/nginx/fupin.conf); 1: one "
                        "server, no proxy")
    parser.add_argument("--no-browser-check", action="store_true",
                        help="sessions phase: skip the comparison of one session with Chromium")
    args = parser.parse_args(argv)
    try:
        sizes = parse_sizes(args.sizes)
    except ValueError as exc:
        parser.error(str(exc))
    if args.docs is None:
        default_out = args.out.absolute() == (ROOT / "bench" / "out").absolute()
        args.docs = ROOT / "docs" / "PERFORMANCE.md" if default_out else args.out / "PERFORMANCE.md"
    args.out = args.out.absolute()
    if args.report_only:  # re-render the report (e.g. after editing bench/FINDINGS.md)
        allres = json.loads((args.out / "results.json").read_text(encoding="utf-8"))
        args.docs.write_text(report.render(allres, args.out / "results.json"), encoding="utf-8")
        log(f"wrote {args.docs}")
        return 0
    argv_text = " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    command = f"python -m bench {argv_text}".strip()
    for label, households in sizes:
        run_size(label, households, args, command)
        allres = json.loads((args.out / "results.json").read_text(encoding="utf-8"))
        args.docs.parent.mkdir(parents=True, exist_ok=True)
        args.docs.write_text(report.render(allres, args.out / "results.json"), encoding="utf-8")
        log(f"  wrote {args.docs}")
    return 0
