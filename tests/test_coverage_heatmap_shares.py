"""The coverage heatmap's cells never round to a false 0% or 100% (a probe of numbers and rounding,
2026-12-07): of 250 registered households, the one moved (易地扶贫搬迁) read "0%", as a category that
reached none, and the 249 with an industry measure "100%", hiding the one without. The cells are written as
the other charts write shares (ui.formats.share_label): <1% and 99%. Real files, the page through AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import conftest

REGISTRY = "乡(镇),行政村,户编号,姓名,证件号码,与户主关系,脱贫属性,脱贫年度,主要致贫原因"
MEASURES = "户编号,措施类别,措施内容"
HOUSEHOLDS = [f"H{i:03d}" for i in range(1, 251)]


@pytest.fixture()
def county(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    files = {
        "reg.csv": [REGISTRY, *(f"甲镇,一村,{h},户{h},,户主,已脱贫,2019,因病" for h in HOUSEHOLDS)],
        "measures.csv": [MEASURES, *(f"{h},产业帮扶,养羊" for h in HOUSEHOLDS[1:]), f"{HOUSEHOLDS[0]},易地扶贫搬迁,搬迁"],
    }
    return conftest.serve_lines(tmp_path, monkeypatch, files)


def test_no_cell_reads_a_false_zero_or_hundred(county: Path) -> None:
    at = conftest.open_page("assistance")
    specs = [json.loads(el.proto.spec) for el in at.get("plotly_chart") if el.proto.id.endswith("-assist_coverage_chart")]
    assert len(specs) == 1
    heat = specs[0]["data"][0]
    cells = {x: text for x, text in zip(heat["x"], heat["text"][0], strict=True)}
    assert cells["产业帮扶"] == "99%", cells
    assert cells["易地扶贫搬迁"] == "&lt;1%", cells  # Plotly draws the entity as <1%
    assert cells["教育帮扶"] == "0%", cells  # reached none
