"""A whole number shown through a zero-padding number format (`000000`) reads as the digits Excel shows
(etl.excel_errors): a 户编号 kept as a number so formatted, 000012, loaded as 12 — another household's
number, and its members' rows in other files linked to none."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from etl import snapshot
from etl.load import load_files
from etl.readers import read_book

HEADER = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "人数", "脱贫属性", "主要致贫原因"]


def _write(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("人口")
    padded, amount = wb.add_format({"num_format": "000000"}), wb.add_format({"num_format": "#,##0"})
    ws.write_row(0, 0, HEADER)
    for r, (hh, name, relation) in enumerate([(12, "张一", "户主"), (12, "张二", "配偶"), (1234567, "李一", "户主")], 1):
        ws.write_row(r, 0, ["德岭山镇", "兴丰村"])
        ws.write_number(r, 2, hh, padded)  # 000012; a number wider than the format is shown whole
        ws.write_row(r, 3, [name, ""])
        ws.write_string(r, 5, relation)
        ws.write_number(r, 6, 2 if hh == 12 else 1, amount)  # another custom format: as it was
        ws.write_row(r, 7, ["未脱贫", "因病"])
    wb.close()
    return path


def test_a_zero_padded_number_reads_as_shown(tmp_path: Path) -> None:
    raw = read_book(_write(tmp_path / "人口.xlsx")).parts[0]
    assert raw.table.column("household_id").to_pylist() == ["000012", "000012", "1234567"]
    assert raw.table.column("household_size").to_pylist() == ["2", "2", "1"]


def test_a_zero_padded_household_number_is_stored_with_its_zeros(tmp_path: Path) -> None:
    db = tmp_path / "data" / "fupin.duckdb"
    assert load_files([_write(tmp_path / "人口.xlsx")], db=db).exit_code == 0
    con, _ = snapshot.connect_read(db)
    try:
        assert con.execute("SELECT household_id, count(*) FROM members GROUP BY ALL ORDER BY 1").fetchall() == [
            ("000012", 2), ("1234567", 1)]
    finally:
        con.close()
