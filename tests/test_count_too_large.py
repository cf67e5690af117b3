"""A count far too large for its column is told so (a probe of numbers and units, 2026-12-07): 人数
13800001111 (a phone number in the wrong column) was reported "不是整数。请用阿拉伯数字填写" — it is a whole
number in Arabic digits. The issue stays `not_a_number` (no figure); its sentence says the value is too
large and what it may be. Real files through the real loader."""

from __future__ import annotations

from pathlib import Path

from etl.normalize import py_count_too_large
from tests import conftest

HEADER = "乡镇,行政村,户编号,姓名,身份证号,与户主关系,人数,脱贫状态,脱贫年度,主要致贫原因"


def test_py_count_too_large() -> None:
    assert [py_count_too_large(v) for v in ("13800001111", "１３８００００１１１１", "13,800,001,111人", "2147483648")] == [True] * 4
    assert [py_count_too_large(v) for v in ("2147483647", "3", "3.5", "abc", None, "")] == [False] * 6


def test_the_load_says_a_count_is_too_large(tmp_path: Path) -> None:
    rows = [HEADER, "甲镇,一村,H1,张一,,户主,13800001111,已脱贫,2019,因病",
            "甲镇,一村,H2,张二,,户主,3.5,已脱贫,2019,因病"]
    _, report = conftest.load_lines(tmp_path, {"reg.csv": rows})
    assert report.exit_code == 0
    zh = report.summary_lines()[0]
    assert ("  · reg.csv 第2行「人数」值「13800001111」过大，不可能是该列的数（可能误填了电话号码、证件号码等），按未填写计。"
            "请填写实际数目，如 3、3人、1,200。") in zh, zh
    assert "  · reg.csv 第3行「人数」值「3.5」不是整数。请用阿拉伯数字填写，可接受如 3、3人、1,200。" in zh, zh
    en = report.summary_lines("en")[0]
    assert any("'13800001111' is far too large for this column" in line for line in en), en
