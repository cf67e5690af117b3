"""A number too large to be an amount is an issue, not a failed load (a probe of numbers and units,
2026-12-07): 总费用 100000000000000000000 (or an ID number pasted into enough rows of it) was stored, and the
load failed as a whole when a derived table summed it into a BIGINT ("入库失败，数据库未作任何更改
（ConversionException: … out of range for the destination type INT64…）"), with every other file of the
load. Now a number of a trillion (一万亿) or more is no figure and a `not_a_number` issue whose sentence says
it is too large. Real files through the real loader; the health page through AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import normalize as nz
from etl import snapshot
from tests import conftest

REGISTRY = "乡镇,行政村,户编号,姓名,身份证号,与户主关系,脱贫状态,脱贫年度,主要致贫原因"
CLAIMS = "户编号,证件号码,入院日期,医疗机构,总费用,基本医保报销,大病保险报销,医疗救助,其他保障,个人自付"


def test_the_bound() -> None:
    values = ["999999999999", "1000000000000", "1e20", "1e999", "1.2万", "1e12万", "nan", "abc"]
    assert nz.normalize_values(nz.sql_number, values) == [999999999999.0, None, None, None, 12000.0, None, None, None]
    assert [nz.py_number_too_large(v) for v in values] == [False, True, True, True, False, True, False, False]


def test_a_huge_amount_loads_as_an_issue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, report = conftest.load_lines(tmp_path, {
        "reg.csv": [REGISTRY, "甲镇,一村,H1,张一,,户主,已脱贫,2019,因病", "甲镇,一村,H2,张二,,户主,已脱贫,2019,因病"],
        "claims.csv": [CLAIMS, "H1,,2020-03-01,旗医院,100000000000000000000,0,0,0,0,100",
                       "H2,,2020-03-02,旗医院,1000,600,0,0,0,400"],
        "measures.csv": ["户编号,措施类别,措施内容,实施年度,金额(元)", "H1,产业帮扶,养羊,2019,1e20", "H2,产业帮扶,养牛,2019,500"],
    })
    assert report.exit_code == 0 and not report.summary_lines()[1], report.summary_lines()
    lines = report.summary_lines()[0]
    assert ("  · claims.csv 第2行「总费用」值「100000000000000000000」过大（一万亿以上），不可能是该列的数（可能误填了证件"
            "号码等），按未填写计（不计入合计）。请核对后填写，可接受如 3200、3,200.50、3200元。") in lines, lines
    assert any(line.startswith("  · measures.csv 第2行「金额(元)」值「1e20」过大") for line in lines), lines
    con, _ = snapshot.connect_read(db)
    try:
        assert con.execute("SELECT sum(total_cost), sum(out_of_pocket) FROM medical_claims").fetchall() == [(1000.0, 500.0)]
        assert con.execute("SELECT sum(amount_yuan) FROM interventions").fetchall() == [(500.0,)]
    finally:
        con.close()
    monkeypatch.setenv("FUPIN_DB", str(db))
    monkeypatch.setenv("FUPIN_USERS", str(tmp_path / "no-users.yaml"))
    at = conftest.open_page("health")
    assert {m.label: m.value for m in at.metric}["个人自付比例"] == "40.0%"
