"""The 帮扶措施 page's amounts by year and category (a probe of numbers and rounding, 2026-12-07): a measure
without 实施年度 or 开始日期 (no year) stopped the page (the years sorted with a missing one beside them:
float < str); its amount is drawn as the year 未填写, after the years. Real files, the page through AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import conftest

REGISTRY = "乡(镇),行政村,户编号,姓名,证件号码,与户主关系,脱贫属性,脱贫年度,主要致贫原因"
MEASURES = "户编号,措施类别,措施内容,实施年度,金额(元)"


@pytest.fixture()
def county(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    files = {
        "reg.csv": [REGISTRY, "甲镇,一村,H1,张一,,户主,已脱贫,2019,因病", "甲镇,一村,H2,张二,,户主,已脱贫,2019,因病"],
        "measures.csv": [MEASURES, 'H1,产业帮扶,养羊,2019,"1,200.5"', "H2,产业帮扶,养牛,,300",
                         "H2,就业帮扶,公益岗,2018,500"],
    }
    return conftest.serve_lines(tmp_path, monkeypatch, files)


def amounts_chart(at: object) -> dict:
    found = [json.loads(el.proto.spec) for el in at.get("plotly_chart")  # type: ignore[attr-defined]
             if el.proto.id.endswith("-assist_amounts_chart")]
    assert len(found) == 1
    return found[0]


def test_a_measure_without_a_year_is_drawn_as_unfilled(county: Path) -> None:
    at = conftest.open_page("assistance")
    spec = amounts_chart(at)
    assert spec["layout"]["xaxis"]["categoryarray"] == ["2018", "2019", "未填写"]
    bars = {tr["name"]: dict(zip(tr["x"], tr["y"], strict=True)) for tr in spec["data"] if tr["type"] == "bar"}
    assert bars["产业帮扶"] == {"2019": 1200.5, "未填写": 300.0}, bars
    assert bars["就业帮扶"] == {"2018": 500.0}, bars
