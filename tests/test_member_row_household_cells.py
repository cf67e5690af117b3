"""A household field's cell on a member row other than the head's that fails its check (data-spec §3:
unknown code value, non-numeric amount, ...) is recorded with its own line, column and raw value. The
household takes its fields from the head's row, and a member row's invalid cell normalises to no value,
which the household_fields_differ check skips as blank: `乱写` as a member's 主要致贫原因 beside the
head's 因病, or `不详` as its 人均纯收入, was reported by no rule at all (a contract probe)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.normalize import id_check_char
from etl.snapshot import current_snapshot
from tests import conftest

HEADER = "乡镇,行政村,户编号,姓名,身份证号,与户主关系,脱贫状态,脱贫年度,主要致贫原因,人均纯收入,收入年度,识别时间,危房户"


def _id(seq: str) -> str:
    first = f"15082419600101{seq}"
    return first + id_check_char(first)


def _row(i: int, rel: str, cause: str = "因病", income: str = "5000", year: str = "2019",
         identified: str = "2016-01-01", unsafe: str = "否", status: str = "已脱贫") -> str:
    return (f"乌加河镇,联丰奋斗村,H1,成员{i},{_id(f'{2 * i + 1:03d}')},{rel},{status},{year},{cause},{income},2019,"
            f"{identified},{unsafe}")


def _issues(tmp_path: Path, rows: list[str]) -> list[tuple]:
    db, report = conftest.load_lines(tmp_path, {"reg.csv": [HEADER, *rows]})
    (f,) = report.files
    assert f.error is None
    con = duckdb.connect(str(current_snapshot(db)), read_only=True)
    try:
        found = con.execute("SELECT line, field, raw_value, rule FROM data_issues ORDER BY line, field").fetchall()
    finally:
        con.close()
    assert f.issues == len(found)
    return found


def test_a_member_rows_unknown_code_is_reported(tmp_path: Path) -> None:
    assert _issues(tmp_path, [_row(1, "户主"), _row(2, "配偶", cause="乱写")]) == [
        (3, "main_cause", "乱写", "unknown_code")]


def test_each_invalid_household_cell_of_a_member_row(tmp_path: Path) -> None:
    found = _issues(tmp_path, [_row(1, "户主"), _row(2, "配偶", income="不详", year="去年", identified="2016年1月",
                                                      unsafe="可能", status="乱写")])
    assert found == [(3, "exit_status", "乱写", "unknown_code"), (3, "exit_year", "去年", "invalid_year"),
                     (3, "identified_date", "2016年1月", "invalid_date"),
                     (3, "income_per_capita", "不详", "not_a_number"),
                     (3, "unsafe_housing", "可能", "invalid_yes_no")]


def test_a_cell_as_invalid_as_the_heads_is_reported_once(tmp_path: Path) -> None:
    rows = [_row(1, "户主", cause="乱写"), _row(2, "配偶", cause="乱写"), _row(3, "之子", cause="乱写")]
    assert _issues(tmp_path, rows) == [(2, "main_cause", "乱写", "unknown_code")]


def test_valid_and_blank_member_cells_report_nothing(tmp_path: Path) -> None:
    assert _issues(tmp_path, [_row(1, "户主"), _row(2, "配偶", cause="1", income="5,000元"),
                              _row(3, "之子", cause="", income="")]) == []


def test_a_phone_or_helper_written_with_spaces_on_one_row_is_the_same(tmp_path: Path) -> None:
    # 138 0000 1111 on one member row and 13800001111 on another, 王  五 (aligned) and 王五: one value each
    header = "乡镇,行政村,户编号,姓名,身份证号,与户主关系,脱贫状态,脱贫年度,主要致贫原因,联系电话,帮扶责任人"
    rows = [f"乌加河镇,联丰奋斗村,H1,成员1,{_id('003')},户主,已脱贫,2019,因病,138 0000 1111,王  五",
            f"乌加河镇,联丰奋斗村,H1,成员2,{_id('005')},配偶,已脱贫,2019,因病,13800001111,王五",
            f"乌加河镇,联丰奋斗村,H1,成员3,{_id('007')},之子,已脱贫,2019,因病,138-0000-1111,王　五"]
    db, report = conftest.load_lines(tmp_path, {"reg.csv": [header, *rows]})
    con = duckdb.connect(str(current_snapshot(db)), read_only=True)
    try:
        assert con.execute("SELECT field, rule FROM data_issues").fetchall() == []
        assert con.execute("SELECT phone, helper_name FROM households").fetchall() == [("13800001111", "王五")]
    finally:
        con.close()


def test_a_negative_income_is_kept_flagged_and_below_the_line(tmp_path: Path) -> None:
    # 人均纯收入 -5 is a net income below zero (schema 31): kept, flagged to be checked, and, for an exited
    # household, below the line (stored blank before, it was no income and no 疑似错退)
    assert _issues(tmp_path, [_row(1, "户主", income="-5"), _row(2, "配偶", income="-5")]) == [
        (2, "income_per_capita", "-5", "exit_income_below_line"), (2, "income_per_capita", "-5", "negative_income")]
    con = duckdb.connect(str(current_snapshot(tmp_path / "data" / "fupin.duckdb")), read_only=True)
    try:
        assert con.execute("SELECT income_per_capita FROM households").fetchall() == [(-5.0,)]
    finally:
        con.close()
