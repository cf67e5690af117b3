"""Rows of another width than the header (data-spec §3): a data row with text past the header is
rejected, so no value lands in the wrong column; a row without its empty trailing fields (Excel's CSV)
loads with them empty; a title, footer or group-title row that the exporter wrote without its empty
fields is skipped and counted, as the same row with them is."""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl import load, snapshot

HEADER = "序号,乡(镇),行政村,户编号,人编号,姓名,证件号码,与户主关系,家庭人口数,贫困户属性,主要致贫原因,脱贫状态"
ROW = "{n},乌加河镇,德日苏嘎查,1508241012010901,15082410120109010{n},张{n},,户主,1,一般贫困户,因病,未脱贫"


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_short_titles_and_footers_are_skipped_short_data_rows_load_with_empty_trailing_fields(tmp_path: Path) -> None:
    # a data row without its empty trailing fields is what Excel writes past a CSV's sixteenth row
    # (Microsoft KB 77295): it loads, those fields empty (it was rejected as malformed; a probe, 2026-12-07)
    lines = [
        "贫困人口信息表",
        HEADER,
        "一、乌加河镇",  # a group title without its empty fields
        ROW.format(n=1),
        "2,乌加河镇,德日苏嘎查,1508241012010902,150824101201090201,李二",  # without its empty trailing fields
        "填表人：张三",  # footers without their empty fields
        "注：本表由系统导出",
        "合计,,,,,,,,1",
    ]
    db = tmp_path / "f.duckdb"
    report = load.load_files([_write(tmp_path / "r.csv", lines)], db)
    f = report.files[0]
    assert (f.rows_loaded, f.rows_rejected, f.rows_skipped) == (2, 0, 5)  # the title above the header too
    con = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)
    try:
        assert con.execute("SELECT name, relation, exit_status FROM members JOIN households USING (household_id) "
                           "WHERE member_id = '150824101201090201'").fetchall() == [("李二", None, None)]
    finally:
        con.close()


def test_an_excel_saved_csv_whose_rows_lack_their_empty_last_cells_loads_whole(tmp_path: Path) -> None:
    """Excel leaves out the delimiters of a row's empty last cells past the sixteenth row: every row loads,
    nothing shifts (a registry whose 联系电话 and 备注 are mostly blank)."""
    header = "乡(镇),行政村,户编号,姓名,证件号码,与户主关系,主要致贫原因,脱贫属性,脱贫年度,联系电话,备注"
    rows = [f"乌加河镇,联丰奋斗村,H{i:03d},张{i},,户主,因病,已脱贫,2019" + (",13800000000,低保" if i % 5 == 0 else "")
            for i in range(40)]
    db = tmp_path / "f.duckdb"
    f = load.load_files([_write(tmp_path / "r.csv", [header, *rows])], db).files[0]
    assert (f.rows_loaded, f.rows_rejected, f.rows_skipped) == (40, 0, 0)
    con = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)
    try:
        assert con.execute("SELECT count(*), count(phone), count(DISTINCT exit_year) FROM households").fetchall() == [
            (40, 8, 1)]
    finally:
        con.close()


def test_a_long_row_with_data_past_the_header_is_rejected_not_taken_for_a_title(tmp_path: Path) -> None:
    lines = [HEADER, ROW.format(n=1), "一、乌加河镇,,,,,,,,,,,,多出的内容"]
    db = tmp_path / "f.duckdb"
    f = load.load_files([_write(tmp_path / "r.csv", lines)], db).files[0]
    assert (f.rows_loaded, f.rows_rejected, f.rows_skipped) == (1, 1, 0)


def test_rows_with_empty_fields_past_the_header_load_text_there_is_rejected(tmp_path: Path) -> None:
    # a system that writes a delimiter after every line's last value: nothing lands in another column
    header = "户编号,措施类别,措施内容,实施年度,金额(元)"
    lines = [header, "150824101001,产业帮扶,养羊,2019,1000,", "150824101002,产业帮扶,养牛,2019,500",
             "150824101003,产业帮扶,养牛,2019,500,, ,", "150824101004,产业帮扶,养牛,2019,500,多出的内容"]
    db = tmp_path / "f.duckdb"
    f = load.load_files([_write(tmp_path / "m.csv", lines)], db).files[0]
    assert (f.rows_loaded, f.rows_rejected, f.rows_skipped) == (3, 1, 0)
    con = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)
    try:
        assert con.execute("SELECT line, rule FROM rejected_rows").fetchall() == [(5, "malformed_row")]
        assert con.execute("SELECT household_id, amount_yuan FROM interventions ORDER BY 1").fetchall() == [
            ("150824101001", 1000), ("150824101002", 500), ("150824101003", 500)]
    finally:
        con.close()


def test_a_row_without_the_padding_of_the_others_loads(tmp_path: Path) -> None:
    # most rows end in a delimiter, so the data's width is one more than the header's; a row without it
    # lacks an unlabelled field only
    lines = [HEADER, ROW.format(n=1) + ",", ROW.format(n=2) + ",", ROW.format(n=3), ROW.format(n=4) + ","]
    f = load.load_files([_write(tmp_path / "r.csv", lines)], tmp_path / "f.duckdb").files[0]
    assert (f.rows_loaded, f.rows_rejected, f.rows_skipped) == (4, 0, 0)
