"""Findings of a probe with export files a county clerk would bring, written from the data contract's
export shapes alone (data-spec §1.3): each test builds its file in tmp_path and loads it through the real
loader into a real DuckDB file."""

from __future__ import annotations

import json
from collections.abc import Callable
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


# A registry with its helper's columns under a group title: 帮扶责任人 merged over 姓名, 单位, 联系电话
GROUPS = ["基本信息", "", "", "家庭成员", "", "", "帮扶责任人", "", "", ""]
LABELS = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "姓名", "单位", "联系电话", "户联系电话"]
HELPED = [["乌加河镇", "联丰奋斗村", "150824101001", "王大山", "15082419550312011X", "户主", "刘帮扶", "旗农牧局",
           "13800001111", "13900002222"],
          ["乌加河镇", "联丰奋斗村", "150824101001", "李秀英", "150824195805060220", "配偶", "刘帮扶", "旗农牧局",
           "13800001111", "13900002222"]]


def helped_book(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in [["建档立卡户帮扶信息表"], [g or None for g in GROUPS], LABELS, *HELPED]:
        sheet.append(row)
    for cells in ("A1:J1", "A2:C2", "D2:F2", "G2:I2"):
        sheet.merge_cells(cells)
    book.save(path)
    return path


def helped_page(path: Path) -> Path:
    groups = ('<tr><td colspan="3">基本信息</td><td colspan="3">家庭成员</td><td colspan="3">帮扶责任人</td>'
              '<td rowspan="2">户联系电话</td></tr>')
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in [LABELS[:9], *HELPED])
    path.write_bytes(f'<html><head><meta charset="gb2312"></head><body><table>{groups}{rows}</table></body></html>'
                     .encode("gb18030"))
    return path


def helped_csv(path: Path) -> Path:
    path.write_text("\n".join(",".join(r) for r in [GROUPS, LABELS, *HELPED]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("suffix", "write"), [(".xlsx", helped_book), (".xls", helped_page), (".csv", helped_csv)])
def test_labels_under_a_helper_group_title_are_the_helper_s_not_the_household_s(
        tmp_path: Path, suffix: str, write: Callable[[Path], Path]) -> None:
    """data-spec §1.3 group titles: 姓名/单位/联系电话 under 帮扶责任人 are the helper's. Read alone, the
    helper's phone was stored as the household's and the helper's name and unit were left unused."""
    path = write(tmp_path / f"帮扶{suffix}")
    db = tmp_path / "fupin.duckdb"
    report = load_files([path], db=db)
    f = report.files[0]
    assert report.exit_code == 0 and f.rows_loaded == 2, f
    assert "帮扶责任人联系电话" in f.ignored_columns
    assert query(db, "SELECT helper_name, helper_unit, phone FROM households") == [
        ("刘帮扶", "旗农牧局", "13900002222")]
    assert query(db, "SELECT name FROM members ORDER BY name") == [("李秀英",), ("王大山",)]


def test_a_title_row_naming_a_person_is_no_group_title(tmp_path: Path) -> None:
    """A title row of one cell (帮扶责任人) above the header spans no columns: the members' 姓名 stay theirs."""
    path = tmp_path / "帮扶.csv"
    path.write_text("\n".join(",".join(r) for r in [["帮扶责任人"], LABELS, *HELPED]) + "\n", encoding="utf-8")
    report = load_files([path], db=tmp_path / "fupin.duckdb")
    assert report.exit_code == 0 and report.files[0].rows_loaded == 2
    assert query(tmp_path / "fupin.duckdb", "SELECT name FROM members ORDER BY name") == [("李秀英",), ("王大山",)]


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_an_html_table_named_xlsx_loads_as_the_same_page_named_xls(tmp_path: Path, suffix: str) -> None:
    """A web system's 导出Excel page (GB2312, a colspan title row) named .xlsx, which WPS opens: it was
    refused as a damaged download (「Excel 文件已损坏…可能下载或拷贝未完成」)."""
    rows = [["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系"], HELPED[0][:6], HELPED[1][:6]]
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><table>'
            f'<tr><td colspan="6">乌拉特中旗建档立卡贫困人口信息表</td></tr>{cells}</table></body></html>')
    named = {}
    for s in (suffix, ".xls"):
        path = tmp_path / f"人口{s}"
        path.write_bytes(page.encode("gb18030"))
        db = tmp_path / s.strip(".") / "fupin.duckdb"
        report = load_files([path], db=db)
        assert report.exit_code == 0, report.files[0].error
        f = report.files[0]
        named[s] = (f.kind, f.rows_read, f.rows_loaded, f.rows_skipped,
                    query(db, "SELECT household_id, name, id_number FROM members ORDER BY name"))
    assert named[suffix] == named[".xls"] == (
        "registry", 3, 2, 1, [("150824101001", "李秀英", "150824195805060220"),
                              ("150824101001", "王大山", "15082419550312011X")])


def test_an_xml_spreadsheet_named_xlsx_is_told_as_such_not_as_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "人口.xlsx"
    path.write_text('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
                    "<Worksheet><Table><Row><Cell><Data>户编号</Data></Cell></Row></Table></Worksheet></Workbook>",
                    encoding="utf-8")
    report = load_files([path], db=tmp_path / "fupin.duckdb")
    assert report.exit_code == 1
    assert "XML 表格" in str(report.files[0].error) and "损坏" not in str(report.files[0].error)


def test_a_visit_log_with_its_visitor_under_a_group_title_keeps_the_visitor(tmp_path: Path) -> None:
    """走访人 over 姓名, 职务, 联系电话 (a CSV: the title written once above its first column): 姓名 is the
    visitor's (走访人姓名); it was an unused column and the visit had no visitor."""
    path = tmp_path / "走访.csv"
    path.write_text(",,走访人,,,\n户编号,走访日期,姓名,职务,联系电话,情况记录\n"
                    "150824101001,2020-06-22,刘队长,驻村第一书记,13800001111,了解收入\n", encoding="utf-8")
    report = load_files([path], db=tmp_path / "fupin.duckdb")
    assert report.exit_code == 0 and report.files[0].ignored_columns == ["职务", "走访人联系电话"]
    assert query(tmp_path / "fupin.duckdb", "SELECT visitor, notes FROM visits") == [("刘队长", "了解收入")]


def test_a_paginated_html_export_whose_household_runs_over_a_page_break_loads_whole(tmp_path: Path) -> None:
    """A web system's export writes a <table> per page, each with the header again (Excel shows them as one
    sheet). A household whose members ran over the page break was refused, the whole file with it, as
    「成员分在工作表「表1」和「表2」中」, asking to move rows between sheets a page does not have."""
    header = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "人数"]
    members = [["乌加河镇", "联丰奋斗村", "150824101002", "张三", "150824196001010310", "户主", "1"],
               ["德岭山镇", "兴丰村", "150824102001", "赵四", "150824197012120413", "户主", "3"],
               ["德岭山镇", "兴丰村", "150824102001", "钱五", "150824197203030621", "配偶", "3"],
               ["德岭山镇", "兴丰村", "150824102001", "赵小四", "150824200501010527", "子女", "3"]]

    def table(rows: list[list[str]]) -> str:
        return "<table border=1>" + "".join(
            "<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in [header, *rows]) + "</table>"

    path = tmp_path / "导出.xls"
    path.write_bytes((f'<html><head><meta charset="gb2312"></head><body>{table(members[:2])}<p>第1页</p>'
                      f"{table(members[2:])}<p>第2页</p></body></html>").encode("gb18030"))
    db = tmp_path / "fupin.duckdb"
    report = load_files([path], db=db)
    f = report.files[0]
    assert report.exit_code == 0, f.error
    assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped) == (5, 4, 0, 1)
    assert query(db, "SELECT household_id, count(*) FROM members GROUP BY 1 ORDER BY 1") == [
        ("150824101002", 1), ("150824102001", 3)]
    assert query(db, "SELECT source_line FROM members WHERE name = '赵小四'") == [(6,)]  # the page's row order
