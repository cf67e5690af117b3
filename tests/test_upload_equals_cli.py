"""Uploading the demo's own export files through the data page's code path gives the same database as
`python -m etl load` on the command line (issue 4, done-when)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from etl import demo, snapshot
from ui.upload import load_uploads

ROOT = Path(__file__).resolve().parents[1]
TABLES = ["households", "members", "household_income", "interventions", "visits", "medical_claims",
          "rectifications", "rejected_rows", "data_issues", "hh_facts"]


def dump(db: Path) -> dict[str, list[str]]:
    con, _ = snapshot.connect_read(db)
    try:
        out = {}
        for t in TABLES:
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "AND column_name NOT IN ('batch_id') ORDER BY ordinal_position", [t]).fetchall()]
            rows = con.execute(f"SELECT {', '.join(cols)} FROM {t}").fetchall()  # noqa: S608
            out[t] = sorted(map(repr, rows))
        out["load_batches"] = sorted(map(repr, con.execute(
            "SELECT file_name, sha256, kind, rows_read, rows_loaded, rows_rejected, rows_skipped, issues "
            "FROM load_batches").fetchall()))
        return out
    finally:
        con.close()


def test_browser_upload_and_command_line_build_the_same_database(tmp_path: Path) -> None:
    files = demo.write_demo_files(tmp_path / "exports")
    cli_db, web_db = tmp_path / "cli" / "fupin.duckdb", tmp_path / "web" / "fupin.duckdb"
    p = subprocess.run([sys.executable, "-m", "etl", "load", *map(str, files), "--db", str(cli_db)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    outcome = load_uploads([(f.name, f.read_bytes()) for f in files], "zh", db=web_db)
    assert outcome.exit_code == 0 and not outcome.errors, outcome.errors
    assert len(outcome.lines) >= len(files)
    cli, web = dump(cli_db), dump(web_db)
    assert cli["households"] and cli == web
