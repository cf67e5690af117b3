"""The two ways a file is normalised give the same tables (etl.stage.build_stage): a file of fewer than
DICT_MIN_ROWS rows per row, inline; a larger one through a dictionary of each column's distinct values.
No other test loads a file of 200,000 rows, so a rule written in one path only (the presence test of a
placeholder was) would be seen by the benchmark alone. Here the same files load both ways, the
threshold lowered to 0 for the second, and every base table is compared row by row."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl import stage
from etl.load import load_files
from etl.snapshot import connect_read
from tests.test_unseen_exports import write_csv

# what differs by nature between two loads (time, the database file's own row ids) is left out
TABLES = ("households", "members", "interventions", "visits", "medical_claims", "rectifications", "household_checks",
          "population_base", "data_issues", "rejected_rows")

# placeholders and odd values in the columns whose raw text the rules test for presence (etl.stage.RAW_KEPT)
ODD_REGISTRY = [
    ["乡(镇)", "行政村", "户编号", "姓名", "与户主关系", "证件号码", "家庭人口", "主要致贫原因", "脱贫属性", "脱贫年度",
     "人均纯收入", "监测对象类别"],
    ["乌加河镇", "联丰奋斗村", "Q1", "王大山", "户主", "无", "—", "/", "已脱贫", "—", "-", ""],
    ["乌加河镇", "联丰奋斗村", "Q2", "赵小河", "户主", "150824197005050314", "2", "因病", "—", "", "暂无", "/"],
    ["乌加河镇", "联丰奋斗村", "Q2", "赵小草", "之女", "未办理", "2", "因病", "—", "", "暂无", "/"],
    ["德岭山镇", "兴丰村", "Q3", "李秀英", "户主", "1.50824E+17", "三", "因 病", "已脱贫", "2019年", "3,500元", "边缘易致贫户"],
]


def _tables(db: Path) -> dict[str, list[tuple]]:
    con = connect_read(db)[0]
    try:
        out = {}
        for table in TABLES:
            cols = [c for c, in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database() "
                "AND column_name NOT IN ('batch_id', 'loaded_at', 'rid') ORDER BY column_index", [table]).fetchall()]
            out[table] = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL").fetchall()  # noqa: S608 - ours
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def files(demo_cli_db: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The demo county's export files (xlsx, csv; archive defects of the report), then a registry of odd cells."""
    demo = sorted((demo_cli_db.parent / "demo_files").iterdir())
    assert len(demo) >= 8, demo
    return [*demo, write_csv(tmp_path_factory.mktemp("odd") / "odd_registry.csv", ODD_REGISTRY)]


def test_a_file_normalised_through_dictionaries_loads_as_one_normalised_row_by_row(
        files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inline = tmp_path / "inline" / "fupin.duckdb"
    assert load_files(files, db=inline).exit_code == 0
    monkeypatch.setattr(stage, "DICT_MIN_ROWS", 0)
    by_dictionary = tmp_path / "dict" / "fupin.duckdb"
    assert load_files(files, db=by_dictionary).exit_code == 0
    a, b = _tables(inline), _tables(by_dictionary)
    assert sum(len(rows) for rows in a.values()) > 5000  # the comparison is of something
    for table in TABLES:
        assert a[table] == b[table], table
    # the odd registry's placeholders are no values in either path: an exited household without its year
    con = duckdb.connect(str(by_dictionary), read_only=True)
    try:
        assert ("Q1", "exit_year", "exit_without_year") in con.execute(
            "SELECT household_id, field, rule FROM data_issues WHERE household_id = 'Q1'").fetchall()
    finally:
        con.close()
