"""Findings of a probe with ledgers and inspection inputs a county clerk would bring (data-spec §1.2-§1.4,
§3), written from the contract alone: each test builds its file in tmp_path and loads it through the real
loader into a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import csv_file
from etl.load import load_files
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
