"""Findings of a probe with registry files (贫困人口信息, data-spec §1.1) a clerk would bring, written from
the contract alone: each test builds its file in tmp_path and loads it through the real loader into a
real DuckDB file, then asserts on the stored tables."""

from __future__ import annotations

from pathlib import Path

from etl.load import load_files
from tests.test_load import read as query

HEADER = "乡(镇),行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,主要致贫原因"


def test_two_people_with_one_id_in_a_household_are_not_called_a_repeated_row(tmp_path: Path) -> None:
    """A son keyed in with his father's ID (王小山 under 王大山's number) is another person, not the same
    member listed twice: the summary said 「同一户中重复登记了成员…只保留一行」, so the clerk deleted the
    "repeat" and the son was gone, his name nowhere in the database. Now the issue names him and says two
    people share the number; a true repeat (same name) keeps its message."""
    path = tmp_path / "人口.csv"
    path.write_text(HEADER + "\n"
                    "乌加河镇,联丰奋斗村,150824101001,王大山,15082419550312011X,户主,未脱贫,因病\n"
                    "乌加河镇,联丰奋斗村,150824101001,王小山,15082419550312011X,之子,未脱贫,因病\n"
                    "乌加河镇,联丰奋斗村,150824101002,张明,15082419800101031X,户主,未脱贫,缺技术\n"
                    "乌加河镇,联丰奋斗村,150824101002,张明,15082419800101031X,户主,未脱贫,缺技术\n",
                    encoding="utf-8")
    db = tmp_path / "fupin.duckdb"
    report = load_files([path], db=db)
    f = report.files[0]
    assert report.exit_code == 0 and (f.rows_read, f.rows_loaded, f.rows_rejected) == (4, 4, 0)
    assert query(db, "SELECT household_id, name FROM members ORDER BY 1") == [
        ("150824101001", "王大山"), ("150824101002", "张明")]
    assert query(db, "SELECT line, record_key, field, raw_value FROM data_issues WHERE rule = 'member_duplicate' "
                     "ORDER BY line") == [(3, "15082419550312011X", "name", "王小山"),
                                          (5, "15082419800101031X", "id_number", "15082419800101031X")]
    text = "\n".join(line for lines in report.summary_lines() for line in lines)
    assert "第3行" in text and "「王小山」" in text and "不能共用" in text, text
    assert "第5行：同一户中重复登记了成员「15082419800101031X」，只保留一行" in text, text
