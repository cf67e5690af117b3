"""Defects a browser probe found (2026-12-08), as a county leader and a township clerk meet the pages at
1366 px and on a 390 px phone. Each test reads the page through AppTest (real files loaded by the ETL)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests import conftest

REGISTRY = "乡(镇),行政村,户编号,姓名,证件号码,与户主关系,脱贫属性,脱贫年度,主要致贫原因,其他致贫原因"
MEASURES = "户编号,措施类别,措施内容"
CATEGORIES = ["产业帮扶", "就业帮扶", "公益岗位", "健康帮扶", "教育帮扶", "住房安全", "易地扶贫搬迁", "饮水安全",
              "兜底保障", "金融帮扶", "生态帮扶", "其他"]
OTHER = ["因学", "因灾", "缺土地", "缺水", "缺技术", "缺劳力", "缺资金", "交通条件落后", "自身发展动力不足", "因残"]


@pytest.fixture()
def county(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    households = [f"H{i:03d}" for i in range(1, 25)]
    files = {
        "reg.csv": [REGISTRY, *(f"甲镇,{'一村' if i % 2 else '二村'},{h},户{h},,户主,已脱贫,2019,因病,{OTHER[i % len(OTHER)]}"
                               for i, h in enumerate(households))],
        "measures.csv": [MEASURES, *(f"{h},{CATEGORIES[i % len(CATEGORIES)]},措施" for i, h in enumerate(households))],
    }
    return conftest.serve_lines(tmp_path, monkeypatch, files)


def _heatmap(at: object, key: str) -> dict:
    specs = [json.loads(el.proto.spec) for el in at.get("plotly_chart") if el.proto.id.endswith(f"-{key}")]
    assert len(specs) == 1
    return specs[0]


def _labels_every_category(spec: dict) -> None:
    heat = spec["data"][0]
    for axis, values in (("xaxis", heat["x"]), ("yaxis", heat["y"])):
        ax = spec["layout"][axis]
        # Plotly left to itself labels only what it thinks fits: on a phone every other measure column
        # of the coverage heatmap had no name
        assert ax.get("tickmode") == "array", (axis, ax)
        assert list(ax["tickvals"]) == list(values), (axis, ax)
        assert list(ax["ticktext"]) == list(values), (axis, ax)


def test_coverage_heatmap_names_every_measure_column(county: Path) -> None:
    at = conftest.open_page("assistance")
    spec = _heatmap(at, "assist_coverage_chart")
    assert len(spec["data"][0]["x"]) == len(CATEGORIES)
    _labels_every_category(spec)
    # the colour key under the plot: at its right it took a quarter of a phone's width from the columns
    assert spec["data"][0]["colorbar"]["orientation"] == "h"


def test_cooccurrence_heatmap_names_every_other_cause(county: Path) -> None:
    at = conftest.open_page("causes")
    spec = _heatmap(at, "causes_cooc_chart")
    assert len(spec["data"][0]["x"]) == len(OTHER)
    _labels_every_category(spec)


def test_running_text_cells_keep_a_readable_width_on_a_phone() -> None:
    """The briefing and the printable profiles on a 390 px phone: Chinese breaks after any character, so
    the table squeezed its running text (走访原因, 统计对象) to four characters a line, rows up to 440 px
    tall, while the table scrolled in its box anyway. Such cells keep a readable width on screen; on paper
    the table still fits the page."""
    import pandas as pd

    from ui.profile_html import PRINT_CSS, table_html

    df = pd.DataFrame({"township": ["石哈河镇"], "reason_text": ["独居老人、未脱贫、无帮扶措施、因病/因残或有患病、残疾成员"],
                       "monitoring_type": [None]})
    doc = table_html(df, "zh")
    assert '<td class="wrap">独居老人' in doc, doc
    assert '<td class="nw">石哈河镇</td>' in doc and "<td></td>" in doc, doc  # short, and blank: no width
    screen, _, paper = PRINT_CSS.partition("@media print")
    assert re.search(r"td\.wrap\s*\{\s*min-width:\s*1\d(\.\d+)?em", screen), screen
    assert re.search(r"td\.wrap\s*\{\s*min-width:\s*0", paper), paper


def test_briefing_trend_stacks_on_a_phone(demo_con: object) -> None:
    """The briefing's key-figure trend was one grid of 4×2 small charts: on a 390 px phone each was 80 px
    wide, 措施覆盖户 and 慢病随访合规人数 written over each other and the dates run together. As on the
    overview (ui.since), two grids of 2×2 side by side, which a phone's screen puts one under the other."""
    import datetime as dt

    from queries.filters import Filters, Viewer
    from ui import briefing_html
    from ui.profile_html import PRINT_CSS

    as_of = dt.date(2020, 6, 30)
    doc = briefing_html.build(demo_con, Filters(townships=("石哈河镇",)), Viewer(), lang="zh", as_of=as_of,
                              data_as_of=as_of)
    start = doc.index('<div class="pair">')
    pair = doc[start:doc.index("<h2", start)]
    specs = [json.loads(f"[{args}]") for args in re.findall(r'Plotly\.newPlot\("[0-9a-f-]+", (.*?)\)\};</script>', pair, re.S)]
    assert len(specs) == 2
    for _data, layout, _config in specs:
        lefts = {round(v["domain"][0], 3) for k, v in layout.items() if re.fullmatch(r"xaxis\d*", k)}
        assert len(lefts) == 2, lefts  # two small charts a row
    assert ".pair" in PRINT_CSS  # laid out side by side or stacked: tests/e2e/test_print.py, in a browser


def _rules(css: str) -> dict[str, str]:
    """Selector -> declarations of a style sheet without comments (a comment ends at its first */: one
    written 史*/胜 ended there, and the rule after it was lost)."""
    bare = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert "/*" not in bare and "*/" not in bare, bare
    out: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", bare):
        for sel in selectors.split(","):
            out[sel.strip()] = out.get(sel.strip(), "") + body
    return out


def test_profile_in_the_page_keeps_names_and_dates_on_one_line() -> None:
    """The household profile in the page (visit planner, rectification) on a 390 px phone: 史*胜 broke into
    史* over 胜 and 2020-06-23 into 2020-06- over 23, read as two values; the printable file had the rule,
    the page's own style sheet not."""
    from ui.profile_html import INLINE_CSS, PRINT_CSS

    inline = _rules(INLINE_CSS)
    for cls in ("nw", "date", "num"):
        assert "nowrap" in inline.get(f".fp-profile td.{cls}", ""), (cls, inline)
    assert "min-width" in inline.get(".fp-profile td.wrap", ""), inline
    _rules(PRINT_CSS)  # well-formed comments too
