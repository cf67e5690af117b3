"""Rows of another width than the header (data-spec §3): a data row is rejected, so no value lands in
the wrong column; a title, footer or group-title row that the exporter wrote without its empty fields is
skipped and counted, as the same row with them is."""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl import load, snapshot

HEADER = "序号,乡(镇),行政村,户编号,人编号,姓名,证件号码,与户主关系,家庭人口数,贫困户属性,主要致贫原因,脱贫状态"
ROW = "{n},乌加河镇,德日苏嘎查,1508241012010901,15082410120109010{n},张{n},,户主,1,一般贫困户,因病,未脱贫"


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_short_titles_and_footers_are_skipped_short_data_rows_rejected(tmp_path: Path) -> None:
    lines = [
        "贫困人口信息表",
        HEADER,
        "一、乌加河镇",  # a group title without its empty fields
        ROW.format(n=1),
        "2,乌加河镇,德日苏嘎查,1508241012010902,150824101201090201,李二",  # a data row cut short
        "填表人：张三",  # footers without their empty fields
        "注：本表由系统导出",
        "合计,,,,,,,,1",
    ]
    db = tmp_path / "f.duckdb"
    report = load.load_files([_write(tmp_path / "r.csv", lines)], db)
    f = report.files[0]
    assert (f.rows_loaded, f.rows_rejected, f.rows_skipped) == (1, 1, 5)  # the title above the header too
    con = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)
    try:
        assert con.execute("SELECT line, rule FROM rejected_rows").fetchall() == [(5, "malformed_row")]
    finally:
        con.close()
    text = "\n".join(report.summary_in_order("zh"))
    assert "第5行的列数与表头不一致（少了或多了字段）" in text


def test_a_long_row_with_data_past_the_header_is_rejected_not_taken_for_a_title(tmp_path: Path) -> None:
    lines = [HEADER, ROW.format(n=1), "一、乌加河镇,,,,,,,,,,,,多出的内容"]
    db = tmp_path / "f.duckdb"
    f = load.load_files([_write(tmp_path / "r.csv", lines)], db).files[0]
    assert (f.rows_loaded, f.rows_rejected, f.rows_skipped) == (1, 1, 0)
