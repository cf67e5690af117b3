"""A subtotal labelled with its count in brackets (`乌加河镇合计（1户2人）`, `小计(8户)`),
as county ledgers write them, is a summary row (data-spec §3: skipped and counted, not rejected) in a CSV
and in a workbook alike."""

from __future__ import annotations

from pathlib import Path

from tests.test_load import read as query
from tests.test_unseen_exports import assert_rows_add_up, only_file, write_book, write_csv

ROWS = [
    ["序号", "乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "人数", "脱贫状态", "脱贫年度", "主要致贫原因"],
    ["1", "乌加河镇", "联丰奋斗村", "H1", "张三春", "150824196001010118", "户主", "1", "已脱贫", "2019", "因病"],
    ["乌加河镇合计（1户1人）", "", "", "", "", "", "", "1", "", "", ""],
    ["", "乌加河镇", "小计(1户)", "", "", "", "", "1", "", "", ""],
    ["总计：（共1户）", "", "", "", "", "", "", "1", "", "", ""],
    ["累计", "", "", "", "", "", "", "1", "", "", ""],
]


def test_a_summary_label_with_its_count_in_brackets_is_skipped(tmp_path: Path) -> None:
    book = write_book(tmp_path / "人口.xlsx", ROWS)
    for path in (write_csv(tmp_path / "人口.csv", ROWS), book):
        db = tmp_path / f"{path.suffix}.duckdb"
        f = only_file(db, path)
        assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped) == (5, 1, 0, 4), path
        assert_rows_add_up(db, f)
        assert query(db, "SELECT count(*) FROM rejected_rows") == [(0,)]
        assert query(db, "SELECT household_id FROM households") == [("H1",)]
