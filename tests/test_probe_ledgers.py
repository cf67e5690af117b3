"""Findings of a probe with ledgers and inspection inputs a county clerk would bring (data-spec §1.2-§1.4,
§3), written from the contract alone: each test builds its file in tmp_path and loads it through the real
loader into a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import csv_file
from etl.load import load_files
from etl.messages import finding_lines
from tests.test_load import read as query

LEDGER = "户编号,措施类别,措施内容,开始日期,金额（元）,实施状态,责任单位"


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("fast", [True, False])
def test_rows_mostly_wider_than_the_header_with_text_past_it_are_rejected_not_shifted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str, fast: bool) -> None:
    """Two of three rows carry an amount written with an unquoted thousands separator (2,880): the rows
    were read as eight columns wide, so 金额 was stored as 2, 实施状态 as 880, 责任单位 as 已完成, and the
    unit (旗民政局) dropped without a word. Now each such row is rejected as a row of another shape."""
    monkeypatch.setattr(csv_file, "FAST_CSV", fast)
    text = "\r\n".join([
        "乌拉特中旗2020年帮扶措施台账,,,,,,",
        LEDGER,
        "1508241012010001,教育帮扶,雨露计划补助,2020.3.1,1500.00,已完成,旗教育局",
        "1508241012010002,兜底保障,纳入低保,2020年4月15日,2,880,已完成,旗民政局",
        "1508241012010003,住房安全,危房改造,20200506,20,000.00,已完成,旗住建局",
    ]) + "\r\n"
    path = tmp_path / "帮扶措施.csv"
    path.write_bytes(text.encode(encoding))
    db = tmp_path / "fupin.duckdb"
    f = load_files([path], db=db).files[0]
    assert (f.rows_loaded, f.rows_rejected) == (1, 2), f
    assert query(db, "SELECT household_id, amount_yuan, status, responsible_unit FROM interventions") == [
        ("1508241012010001", 1500.0, "已完成", "旗教育局")]
    assert query(db, "SELECT line, rule FROM rejected_rows ORDER BY line") == [
        (4, "malformed_row"), (5, "malformed_row")]


CHECK = ("调查日期,乡(镇),行政村,户编号,户主姓名,证件号码,户类型,家庭人口,人均纯收入,不愁吃,不愁穿,义务教育保障,"
         "基本医疗保障,住房安全保障,饮水安全保障,核查结论,是否认可,调查人,备注")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("fast", [True, False])
def test_an_unquoted_thousands_separator_before_an_empty_last_cell_is_rejected_not_shifted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str, fast: bool) -> None:
    """A household check whose 人均纯收入 is 12,000 without quotes and whose 备注 is blank: the row's one
    extra field is empty, so it was taken for a row with a trailing delimiter and loaded shifted (income
    12, 不愁吃 from 000, 核查结论 有, 是否认可 正常, 调查人 认可), and the issues then blamed the clerk's
    right values. Now it is rejected, the message saying to quote the number."""
    monkeypatch.setattr(csv_file, "FAST_CSV", fast)
    text = "\r\n".join([
        CHECK,
        "2020年6月22日,德岭山镇,兴丰村,1508241022010001,马淑芬,15082419500126384X,脱贫户,2,12,000,"
        "有,有,有,有,有,有,正常,认可,丙,",
        "2020/6/22,德岭山镇,兴丰村,1508241022010002,苏春生,150824195209277677,未脱贫户,3,2500元,"
        "是,是,是,否,是,是,正常,认可,丙,",
    ]) + "\r\n"
    path = tmp_path / "入户核查表.csv"
    path.write_bytes(text.encode(encoding))
    db = tmp_path / "fupin.duckdb"
    report = load_files([path], db=db)
    f = report.files[0]
    assert (f.rows_loaded, f.rows_rejected) == (1, 1), f
    assert query(db, "SELECT household_id, income_per_capita, finding, approval, surveyor FROM household_checks"
                 ) == [("1508241022010002", 2500.0, "正常", "认可", "丙")]
    assert query(db, "SELECT line, rule FROM rejected_rows") == [(2, "malformed_row")]
    assert query(db, "SELECT count(*) FROM data_issues WHERE rule IN ('unknown_code', 'invalid_yes_no')") == [(0,)]
    zh, en = (finding_lines(f.findings, f.rows_rejected + f.issues, path.name, f.headers, lang)
              for lang in ("zh", "en"))
    assert any("第2行" in line and "千位分隔符" in line for line in zh), zh
    assert any("line 2" in line and "thousands separator" in line for line in en), en
