"""Control characters are stripped from text at load, each changed field a data issue (issue 14): C0
except tab and newline, and DEL, everywhere; tab and newline too in single-line fields. Real files (CSV
through both readers, and xlsx), real DuckDB."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from etl import csv_file, readers, snapshot
from etl.load import load_files
from etl.messages import issue_text

REGISTRY_HEADER = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "帮扶单位"]
VISITS_HEADER = ["户编号", "走访日期", "走访类型", "走访人", "情况记录"]


def registry_rows() -> list[list[str]]:
    return [
        ["乌加河镇", "联丰奋斗村", "150824101001", "张\x00三春", "15082419800101123X", "户主", "旗扶贫办"],
        ["乌加河镇", "联丰奋斗村", "150824101001", "李四", "150824198202021234", "配偶", "旗\t扶贫\n办"],
        ["乌加河镇", "联丰\x1b奋斗村", "150824101002", "王五\x7f", "150824199003033456", "户主", ""],
        ["德岭山镇", "兴丰", "150824102001", "赵六", "150824197001011234", "户主", "\x07"],
    ]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])  # values with line breaks are quoted
    return path


def query(db: Path, sql: str) -> list[tuple]:
    con, _ = snapshot.connect_read(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("shape", ["csv-fast", "csv-blocks", "xlsx"])
def test_control_characters_are_stripped_and_each_changed_field_is_an_issue(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str) -> None:
    monkeypatch.setattr(csv_file, "FAST_CSV", shape != "csv-blocks")
    if shape == "xlsx":
        path = tmp_path / "人口.xlsx"
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet()
        for r, row in enumerate([REGISTRY_HEADER, *registry_rows()]):
            ws.write_row(r, 0, row)
        wb.close()
    else:
        path = write_csv(tmp_path / "人口.csv", REGISTRY_HEADER, registry_rows())
    db = tmp_path / "db" / "fupin.duckdb"
    report = load_files([path], db=db)
    assert report.exit_code == 0, report.files[0].error
    names = query(db, "SELECT name FROM members ORDER BY source_line")
    assert [n for (n,) in names] == ["张三春", "李四", "王五", "赵六"]
    assert query(db, "SELECT DISTINCT village FROM households WHERE township = '乌加河镇'") == [("联丰奋斗村",)]
    units = dict(query(db, "SELECT household_id, helper_unit FROM households"))
    assert units["150824101001"] == "旗扶贫办" and units["150824102001"] is None  # only a BEL: nothing left
    issues = query(db, "SELECT line, field, raw_value, table_name FROM data_issues WHERE rule = 'control_chars' "
                       "ORDER BY line, field")
    later = 4 if shape == "xlsx" else 5  # in the CSV, line 3's quoted line break takes a line
    assert issues == [
        (2, "name", "张␀三春", "members"),
        (later, "name", "王五␡", "members"),
        (later, "village", "联丰␛奋斗村", "households"),
        (later + 1, "helper_unit", "␇", "households"),
    ]
    # the tab and line break in 帮扶单位 of line 3 (not its household's representative row) are stripped
    # all the same; no raw control character is stored anywhere
    for table, column in (("members", "name"), ("households", "helper_unit"), ("households", "village"),
                          ("data_issues", "raw_value"), ("rejected_rows", "raw")):
        hits = query(db, f"SELECT count(*) FROM {table} WHERE regexp_matches({column}, '[\\x00-\\x1f\\x7f]')")
        assert hits == [(0,)], (table, column)
    text = issue_text("control_chars", file="人口.csv", line=2, field="name", value="张␀三春", table="members")
    assert text.startswith("人口.csv 第2行「姓名」含有控制字符") and "张␀三春" in text


def test_multi_line_fields_keep_tab_and_line_breaks_but_lose_other_controls(tmp_path: Path) -> None:
    rows = [
        ["150824101001", "2020-06-22", "入户走访", "王\n干部", "第一行\n第二行\t备注"],
        ["150824101002", "2020-06-23", "入户走访", "刘干部", "响铃\x07字符"],
        ["150824101003", "2020-06-24", "入户走访", "王医生（村医）", "血压平稳，按时服药；\r\n下次：7月"],
    ]
    db = tmp_path / "db" / "fupin.duckdb"
    report = load_files([write_csv(tmp_path / "走访.csv", VISITS_HEADER, rows)], db=db)
    assert report.exit_code == 0, report.files[0].error
    issues = query(db, "SELECT line, field, raw_value FROM data_issues WHERE rule = 'control_chars' ORDER BY line")
    # the visitor is single-line (its line break is an issue); the notes' line break and tab are not
    assert issues == [(2, "visitor", "王␊干部"), (5, "notes", "响铃␇字符")]  # line 2 spans lines 2-4
    visits = query(db, "SELECT visitor, notes FROM visits ORDER BY source_line")
    assert visits[0] == ("王干部", "第一行\n第二行\t备注") and visits[1] == ("刘干部", "响铃字符")
    # prose keeps its Chinese punctuation (a Windows line end becomes a line feed); a name is folded
    # to half-width so that one unit or person groups as one
    assert visits[2] == ("王医生(村医)", "血压平稳，按时服药；\n下次：7月")


def test_a_clean_file_has_no_control_issues_and_rows_are_untouched(tmp_path: Path) -> None:
    rows = [r[:] for r in registry_rows()]
    for r in rows:
        r[:] = [v.translate({c: None for c in [*range(32), 127]}) for v in r]
    db = tmp_path / "db" / "fupin.duckdb"
    load_files([write_csv(tmp_path / "ok.csv", REGISTRY_HEADER, rows)], db=db)
    assert query(db, "SELECT count(*) FROM data_issues WHERE rule = 'control_chars'") == [(0,)]
    assert query(db, "SELECT name FROM members ORDER BY source_line")[0] == ("张三春",)


@pytest.mark.parametrize("fast", [True, False])
def test_the_reader_proves_clean_files_clean_so_they_skip_the_sql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  fast: bool) -> None:
    """A cheap byte check in the reader (both CSV paths, sheets) decides whether the SQL pass runs."""
    monkeypatch.setattr(csv_file, "FAST_CSV", fast)
    clean = [[v.translate({c: None for c in [*range(32), 127]}) for v in r] for r in registry_rows()]
    for rows, expected in ((clean, False), (registry_rows(), True), ([*clean, [*clean[0][:3], "张\t三", *clean[0][4:]]], True)):
        path = write_csv(tmp_path / "r.csv", REGISTRY_HEADER, rows)
        sink_db = tmp_path / f"s{fast}{expected}{len(rows)}.duckdb"
        with duckdb.connect(str(sink_db)) as con:
            raw = readers.read_file(path, sink=readers.DuckDBSink(con))
        assert raw.controls is expected, rows
    visits = write_csv(tmp_path / "v.csv", VISITS_HEADER, [["1", "2020-06-22", "入户走访", "王", "两行\n备注\t"]])
    assert readers.read_file(visits).controls is False  # line breaks and tabs belong in notes


@pytest.mark.parametrize("shape", ["xlsx", "html"])
def test_a_line_break_between_codes_of_a_multi_valued_cell_separates_them(tmp_path: Path, shape: str) -> None:
    """健康状况 and 其他致贫原因 hold several codes; a clerk puts each on its own line of the cell (Alt+Enter in
    Excel, `<br>` in a web system's HTML export). The line break was stripped as a control character, so
    `因残⏎缺水` became the unknown code 因残缺水: both causes and both health statuses were lost, with two
    issues (control_chars, unknown_code) for a cell that is right. A line break there separates the codes,
    as a space or 、 does; in a single-line field (a name) it is still stripped and flagged."""
    header = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "主要致贫原因", "其他致贫原因", "健康状况"]
    rows = [["乌加河镇", "联丰奋斗村", "150824101001", "张\n三", "15082419800101123X", "户主", "因病", "因残\n缺水",
             "长期慢性病\r\n残疾"],
            ["乌加河镇", "联丰奋斗村", "150824101002", "李四", "150824198202021234", "户主", "因病", "因残",
             "患有大病\t残疾"]]
    if shape == "xlsx":
        path = tmp_path / "人口.xlsx"
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet()
        for r, row in enumerate([header, *rows]):
            ws.write_row(r, 0, row)
        wb.close()
    else:
        path = tmp_path / "人口.xls"
        cells = [[v.replace("\r\n", "<br>").replace("\n", "<br/>") for v in row] for row in [header, *rows]]
        path.write_text("<html><head><meta charset='utf-8'></head><body><table>" + "".join(
            "<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in cells) + "</table></body></html>",
            encoding="utf-8")
    db = tmp_path / "db" / "fupin.duckdb"
    report = load_files([path], db=db)
    assert report.exit_code == 0, report.files[0].error
    assert query(db, "SELECT household_id, other_causes FROM households ORDER BY 1") == [
        ("150824101001", ["因残", "缺水"]), ("150824101002", ["因残"])]
    assert query(db, "SELECT name, health FROM members ORDER BY household_id") == [
        ("张三", ["长期慢性病", "残疾"]), ("李四", ["患有大病", "残疾"])]
    assert query(db, "SELECT line, field, rule FROM data_issues WHERE rule IN ('control_chars', 'unknown_code') "
                     "ORDER BY line, field") == [(2, "name", "control_chars")]


def test_the_command_line_never_writes_a_file_names_control_characters(tmp_path: Path) -> None:
    """`etl load` echoes each file's name (and quotes its values): a name holding ESC sequences (an OSC
    that retitles the window, a CSI that clears the screen), a C1 CSI or a right-to-left override reached
    the terminal as they were. Now shown as pictures (␛) or �, in the summary and in an error alike."""
    import subprocess
    import sys

    name = "户籍\x1b]0;pwned\x07\x1b[2J\u202e\x9bm.csv"
    good = write_csv(tmp_path / name, ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系"], registry_rows())
    bad = tmp_path / ("坏\x1b[31m.xlsx")
    bad.write_bytes(b"PK\x03\x04 not a zip")
    db = tmp_path / "fupin.duckdb"
    for files in ([good], [bad], [good, bad]):
        res = subprocess.run([sys.executable, "-m", "etl", "load", *map(str, files), "--db", str(db)],
                             capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])
        out = res.stdout + res.stderr
        assert res.returncode in (0, 1), out
        assert not any(ch in out for ch in "\x1b\x07\x9b\u202e"), repr(out)
        assert "户籍␛]0;pwned␇␛[2J" in out or "坏␛[31m.xlsx" in out, out
