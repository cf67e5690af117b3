"""Findings of a probe with export files a county clerk would bring, written from the data contract's
export shapes alone (data-spec §1.3): each test builds its file in tmp_path and loads it through the real
loader into a real DuckDB file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl import csv_file
from etl.load import load_files
from tests.test_load import read as query


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("fast", [True, False])
def test_an_undecodable_row_whose_quoted_value_spans_lines_is_kept_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str, fast: bool) -> None:
    """The rejected row's raw text is all of its lines, not only the line with the bad bytes: that one
    lacked the household number written on the row's first line."""
    monkeypatch.setattr(csv_file, "FAST_CSV", fast)
    text = ("户编号,措施类别,措施内容,金额(元)\r\n"
            "150824101001,产业帮扶,\"发放母羊\r\n5只\",3000\r\n"
            "150824101002,就业帮扶,\"公益岗\r\n位BAD\",4000\r\n"
            "150824102001,其他,临时救助,500\r\n")
    path = tmp_path / "帮扶措施.csv"
    path.write_bytes(text.encode(encoding).replace(b"BAD", b"\xff\xfe"))
    report = load_files([path], db=tmp_path / "fupin.duckdb")
    f = report.files[0]
    assert report.exit_code == 0 and (f.rows_read, f.rows_loaded, f.rows_rejected) == (3, 2, 1)
    [(line, rule, raw)] = query(tmp_path / "fupin.duckdb", "SELECT line, rule, raw FROM rejected_rows")
    assert (line, rule) == (4, "undecodable_row")
    shown = json.loads(raw)["row"]
    assert shown.startswith('150824101002,就业帮扶,"公益岗\n位') and "\\xff" in shown, shown
    assert query(tmp_path / "fupin.duckdb", "SELECT household_id FROM interventions ORDER BY 1") == [
        ("150824101001",), ("150824102001",)]
