"""A contract probe (data-spec §5): the command line with a --db that names a file which is no database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VISITS = "户编号,走访日期,走访类型,走访人,情况记录\n1509990001,2020-06-22,入户走访,王某,了解情况\n"


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("FUPIN_LANG", "FUPIN_DB")}
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)


@pytest.mark.parametrize("db_name", ["贫困人口信息.csv", "fupin.duckdb"])
def test_a_db_path_naming_a_file_that_is_no_database_is_said_not_a_traceback(tmp_path: Path, db_name: str) -> None:
    """`etl load 走访记录.csv --db 贫困人口信息.csv` (an export after --db) ended in a traceback
    (DuckDB opens a .csv as an in-memory database: "Cannot launch in-memory database in read-only mode"),
    and a text file named fupin.duckdb in DuckDB's English. Now: exit 1, the error in the user's
    language, the file named left as it was, nothing beside it but what the lock needs."""
    visits = tmp_path / "走访记录.csv"
    visits.write_text(VISITS, encoding="utf-8")
    db = tmp_path / db_name
    db.write_text(VISITS if db_name.endswith(".csv") else "not a database\n", encoding="utf-8")
    before = db.read_bytes()
    for command in (["load", str(visits)], ["rebuild"], ["demo", "--out", str(tmp_path / "demo_files")]):
        res = _run(*command, "--db", str(db))
        assert res.returncode == 1, (command, res.stdout, res.stderr)
        assert "Traceback" not in res.stderr, (command, res.stderr)
        assert "数据库路径不是看板的数据库文件" in res.stderr and str(db) in res.stderr, (command, res.stderr)
        assert db.read_bytes() == before and db.is_file() and not db.is_symlink()
    assert not (tmp_path / "demo_files").exists()
    res = _run("load", str(visits), "--db", str(db), "--json")
    assert res.returncode == 1
    assert "数据库路径不是看板的数据库文件" in json.loads(res.stdout)["error"]
    res = _run("--lang", "en", "load", str(visits), "--db", str(db))
    assert res.returncode == 1 and "is not a dashboard database file" in res.stderr
    assert db.read_bytes() == before
