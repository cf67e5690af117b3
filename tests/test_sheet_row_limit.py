"""An Excel 97-2003 export longer than a sheet's 65,536 rows goes on in Sheet2 (data-spec §1.3: real
BIFF `.xls`; etl.excel.join_continued). Read as two sheets, a household whose members ran over the
break had the whole file refused as split across sheets."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlwt

from etl import snapshot
from etl.excel import SHEET_ROWS
from etl.load import load_files

HEADER = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "人数", "脱贫属性", "主要致贫原因"]
RELATIONS = ("户主", "配偶", "之子", "之女")


def _rows(n: int, prefix: str = "H") -> list[list[str]]:
    """`n` member rows of four-person households, numbered on."""
    return [["德岭山镇", "兴丰村", f"{prefix}{i // 4:06d}", f"成员{i}", "", RELATIONS[i % 4], "4", "未脱贫", "因病"]
            for i in range(n)]


def _write(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                ws.write(r, c, value)
    wb.save(str(path))
    return path


@pytest.mark.parametrize("repeated_header", [True, False])
def test_a_registry_over_the_row_limit_loads_as_one_table(tmp_path: Path, repeated_header: bool) -> None:
    limit = SHEET_ROWS["xls"]
    rows = _rows(limit - 1 + 300)  # Sheet1: the header and 65,535 members; three of household H016383's four
    # members, the fourth on Sheet2
    rows[limit + 10][2] = ""  # a row of Sheet2 without its 户编号: rejected, numbered on through the sheets
    second = ([HEADER] if repeated_header else []) + rows[limit - 1:]
    path = _write(tmp_path / "人口.xls", {"Sheet1": [HEADER, *rows[:limit - 1]], "Sheet2": second})
    db = tmp_path / "data" / "fupin.duckdb"
    report = load_files([path], db=db)
    assert report.exit_code == 0, report.files[0].error
    con, _ = snapshot.connect_read(db)
    try:
        assert con.execute("SELECT count(*) FROM members").fetchone()[0] == len(rows) - 1
        assert con.execute("SELECT count(*) FROM members WHERE household_id = 'H016383'").fetchone()[0] == 4
        assert con.execute("SELECT file_name FROM load_batches").fetchall() == [("人口.xls",)]
        # Sheet2's 13th row (12th without the header), counted on from Sheet1's 65,536
        bad = limit + (13 if repeated_header else 12)
        assert con.execute("SELECT line, rule FROM rejected_rows").fetchall() == [(bad, "no_household_id")]
    finally:
        con.close()


def test_a_short_first_sheet_is_not_joined(tmp_path: Path) -> None:
    # a sheet per township, the first one short of the limit: each sheet is its own batch, as before
    path = _write(tmp_path / "人口.xls", {"德岭山镇": [HEADER, *_rows(8)], "乌加河镇": [HEADER, *_rows(4, "W")]})
    report = load_files([path], db=tmp_path / "data" / "fupin.duckdb")
    assert [s.sheet for s in report.files[0].sheets] == ["德岭山镇", "乌加河镇"]
