"""Findings of a matrix probe: each file kind written in each export shape of data-spec §1.3 with rotating
header synonyms, then loaded through the real loader into a real DuckDB file and compared cell by cell.
Each test builds its file in tmp_path."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import xlwt

from etl.load import load_files
from tests.test_load import pid
from tests.test_load import read as query

HEADER = ["乡（镇）", "行政村", "*户编号", "姓名", "证件号码", "与户主关系", "人数", "主要致贫原因", "脱贫属性", "脱贫年度"]
HEAD, SPOUSE = pid("19500101", "001"), pid("19520202", "002")
ROWS = [["乌加河镇", "联丰奋斗村", "150824101001", "张春", HEAD, "户主", "2", "因病", "已脱贫", "2019"],
        ["乌加河镇", "联丰奋斗村", "150824101001", "张秋梅", SPOUSE, "配偶", "2", "因病", "已脱贫", "2019"]]


def _xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["乌拉特中旗建档立卡贫困人口信息表"])
    ws.append(HEADER)
    for row in ROWS:
        ws.append(row)
    wb.save(path)
    return path


def _biff(path: Path) -> Path:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("乌加河镇")
    for r, row in enumerate([HEADER, *ROWS]):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    wb.save(str(path))
    return path


@pytest.mark.parametrize(("write", "name"), [(_xlsx, "贫困人口信息.csv"), (_biff, "贫困人口信息.txt"),
                                             (_xlsx, "导出.TXT")])
def test_a_workbook_named_csv_or_txt_is_read_as_the_workbook_it_is(tmp_path: Path, write, name: str) -> None:
    """A system's download of an Excel workbook named .csv (WPS opens it by its bytes) was read as text and
    refused: "无法识别文件编码（第1行起无法解码）。请另存为 UTF-8 或 GB18030 编码的 CSV", a re-save the clerk
    had no reason to think of, since the file opens as a table. Now it is read as the workbook it is, as
    a workbook named with the other Excel suffix already was."""
    db = tmp_path / "fupin.duckdb"
    report = load_files([write(tmp_path / name)], db=db)
    f = report.files[0]
    assert report.exit_code == 0 and f.error is None, f.error
    assert (f.kind, f.rows_loaded, f.rows_rejected, f.issues) == ("registry", 2, 0, 0)
    assert query(db, "SELECT household_id, township, village, exit_status, exit_year, household_size FROM households") == [
        ("150824101001", "乌加河镇", "联丰奋斗村", "已脱贫", 2019, 2)]
    assert sorted(query(db, "SELECT id_number, name, is_head FROM members")) == sorted(
        [(HEAD, "张春", True), (SPOUSE, "张秋梅", False)])


def test_a_web_system_s_html_table_named_csv_is_read_as_the_page_it_is(tmp_path: Path) -> None:
    """An HTML table in GB2312 named .csv (a web system's 导出 button; WPS opens it as a table) was read as
    comma-separated text and refused as having no header in its first 30 rows, a message about a
    header the clerk can see. Now it is read as the page it is, as one named .xls is."""
    cells = "".join(f"<td>{h}</td>" for h in HEADER)
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in ROWS)
    page = (f'<html><head><meta charset="gb2312"></head><body><table><tr><td colspan="{len(HEADER)}">'
            f"乌拉特中旗建档立卡贫困人口信息表</td></tr><tr>{cells}</tr>{body}</table></body></html>")
    path = tmp_path / "贫困人口信息.csv"
    path.write_bytes(page.encode("gbk"))
    db = tmp_path / "fupin.duckdb"
    report = load_files([path], db=db)
    f = report.files[0]
    assert report.exit_code == 0 and f.error is None, f.error
    assert (f.kind, f.rows_loaded, f.rows_rejected, f.rows_skipped, f.issues) == ("registry", 2, 0, 1, 0)
    assert sorted(query(db, "SELECT id_number, name, is_head FROM members")) == sorted(
        [(HEAD, "张春", True), (SPOUSE, "张秋梅", False)])
