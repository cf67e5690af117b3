"""Smoke run of the benchmark harness (bench/) on a tiny county: every section is produced.

No timing assertions: timings live in the benchmark (docs/PERFORMANCE.md), not in tests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_smoke(tmp_path: Path) -> None:
    out, docs = tmp_path / "out", tmp_path / "PERFORMANCE.md"
    cmd = [sys.executable, "-m", "bench", "--sizes", "500", "--out", str(out), "--docs", str(docs),
           "--runs", "1", "--warm-runs", "1", "--budget", "0.1", "--pages", "overview", "--explain", "1",
           "--only-queries", "overview.,causes.totals,filters.options", "--xlsx-rows", "100", "--small-loads", "3"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)  # noqa: S603
    assert proc.returncode == 0, proc.stderr[-3000:]

    size = json.loads((out / "results.json").read_text(encoding="utf-8"))["sizes"]["n500"]
    etl = size["etl"]
    for key in ("app", "duckdb_read_csv", "pandas_read_csv"):
        assert etl[key]["rows_read"] > 0 and etl[key]["peak_rss_bytes"] > 0
    assert etl["app"]["rows_read"] == etl["duckdb_read_csv"]["rows_read"]
    queries = size["queries"]
    assert {q["query"] for q in queries} >= {"overview.kpis", "causes.totals", "filters.options"}
    assert not [q for q in queries if "error" in q]
    assert {q["filter"] for q in queries} == {"none", "township", "township+cause"}
    assert all(q["statements"] >= 1 and q["raw"]["runs"] >= 1 for q in queries)
    assert len(size["pandas"]["cases"]) == 6
    assert [p["page"] for p in size["pages"]["pages"]] == ["overview"]
    assert "error" not in size["pages"]["pages"][0]
    assert size["extract"]["rows"] == 500 and size["extract"]["csv_bom"]
    small = size["small_loads"]
    assert [load["kind"] for load in small["loads"]] == ["rectification_item", "registry_100", "visits_1000"]
    assert all(load["published"] and load["rows"] > 0 for load in small["loads"])
    assert size["explain"] and Path(size["explain"][0]["file"]).is_file()

    text = docs.read_text(encoding="utf-8")
    for heading in ("## Runs", "## Targets", "### ETL (n500)", "### Page queries (n500)", "### Naive pandas (n500)",
                    "### Pages: Streamlit AppTest (n500)", "### Extract (n500)", "### Small loads (n500)"):
        assert heading in text


def test_a_child_reports_its_own_peak_not_the_benchmarks(tmp_path: Path) -> None:
    """A measured child's peak memory is its own: on Linux ru_maxrss keeps the peak of the process it
    was started from, so every load measured after the bench held 1.2 GiB reported 1.2 GiB."""
    from bench.spawn import measure

    csv = tmp_path / "a.csv"
    csv.write_text("a,b\n" + "1,2\n" * 100, encoding="utf-8")
    args = {"db": str(tmp_path / "x.duckdb"), "files": [str(csv)]}
    held = bytearray(600 * 2**20)  # the bench holding 600 MiB, touched so that it is resident
    for i in range(0, len(held), 4096):
        held[i] = 1
    result = measure("duckdb_csv", args)
    assert 0 < result["peak_rss_bytes"] < 400 * 2**20 <= result["self_maxrss_bytes"]
    del held


def test_a_run_elsewhere_writes_its_report_beside_its_results(tmp_path: Path) -> None:
    """With another --out and no --docs the report goes to OUT/PERFORMANCE.md: a run on a scratch
    directory (one size, one phase) twice overwrote the project's report with its partial results."""
    out = tmp_path / "out"
    out.mkdir()
    shutil.copyfile(ROOT / "docs" / "performance-results.json", out / "results.json")
    before = (ROOT / "docs" / "PERFORMANCE.md").read_bytes()
    proc = subprocess.run([sys.executable, "-m", "bench", "--report-only", "--out", str(out)],  # noqa: S603
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "PERFORMANCE.md").read_text(encoding="utf-8").startswith("# Performance")
    assert (ROOT / "docs" / "PERFORMANCE.md").read_bytes() == before
