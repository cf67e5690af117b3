"""A comma in a number only as a thousands separator (a probe of numbers and units, 2026-12-07): `3,5` (a
decimal comma) loaded as 35 and `1,2,3` as 123, with no issue; now they are `not_a_number` and no figure,
while `12,345.6`, `１２，３４５`, `1,200万元` and `￥1,200` still read as the numbers they are. Real files
through the real loader (data-spec §1: "numbers as text (`4,300.50`, `3200元`)")."""

from __future__ import annotations

from pathlib import Path

from etl import normalize as nz
from etl import snapshot
from tests import conftest

HEADER = "乡镇,行政村,户编号,姓名,身份证号,与户主关系,脱贫状态,脱贫年度,主要致贫原因,人均纯收入,收入年度"


def test_commas_in_numbers() -> None:
    values = ["12,345.6", "１２，３４５", "1,200万元", "￥1,200", "-1,234,567.50", "4,300.50元", "1, 200",
              "3,5", "1,2,3", "12,34", "1,2345", "1.234,5", ",500", "500,"]
    assert nz.normalize_values(nz.sql_number, values) == [
        12345.6, 12345.0, 12_000_000.0, 1200.0, -1234567.5, 4300.5, 1200.0,
        None, None, None, None, None, None, None]
    assert nz.normalize_values(nz.sql_number_invalid, values) == [False] * 7 + [True] * 7
    assert nz.normalize_values(nz.sql_int, ["1,200人", "3,5"]) == [1200, None]


def test_a_decimal_comma_is_an_issue_not_ten_times_the_income(tmp_path: Path) -> None:
    rows = [HEADER, '甲镇,一村,H1,张一,,户主,未脱贫,,因病,"3,5",2019',
            '甲镇,一村,H2,张二,,户主,未脱贫,,因病,"12,345.6",2019']
    db, report = conftest.load_lines(tmp_path, {"reg.csv": rows})
    assert report.exit_code == 0
    con, _ = snapshot.connect_read(db)
    try:
        incomes = dict(con.execute("SELECT household_id, income_per_capita FROM households").fetchall())
        issues = con.execute("SELECT line, raw_value, rule FROM data_issues WHERE field = 'income_per_capita'").fetchall()
    finally:
        con.close()
    assert incomes == {"H1": None, "H2": 12345.6}
    assert issues == [(2, "3,5", "not_a_number")]
    lines, _ = report.summary_lines()
    assert "  · reg.csv 第2行「人均纯收入」值「3,5」不是数字。可接受如 3200、3,200.50、3200元。" in lines, lines
