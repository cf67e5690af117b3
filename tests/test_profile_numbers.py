"""The household profile writes an income below the line below it (a probe of numbers and rounding,
2026-12-07): an exited household's 3,217.99 yuan of a 3,218 line (低于贫困线 是, a suspected wrong exit) had
a bar labelled 3,218 at the line in its income chart and a ratio of 1 in its table; its measures of 1,200.5
and 300 yuan were totalled "合计 1,500 元". Real files through the real loader, the profile as the pages
build it."""

from __future__ import annotations

import html
import re
from pathlib import Path

from etl import snapshot
from queries import profile as qprofile
from queries.filters import Viewer
from queries.meta import data_as_of
from tests import conftest
from ui import profile_html

REGISTRY = "乡镇,行政村,户编号,姓名,身份证号,与户主关系,脱贫状态,脱贫年度,主要致贫原因,人均纯收入,收入年度"
MEASURES = "户编号,措施类别,措施内容,实施年度,金额(元)"


def test_an_income_below_the_line_reads_below_it(tmp_path: Path) -> None:
    db, report = conftest.load_lines(tmp_path, {
        "reg.csv": [REGISTRY, "甲镇,一村,H1,张一,,户主,已脱贫,2019,因病,3217.99,2019"],
        "m.csv": [MEASURES, "H1,产业帮扶,养羊,2019,1200.5", "H1,就业帮扶,公益岗,2019,300"],
    })
    assert report.exit_code == 0
    con, _ = snapshot.connect_read(db)
    try:
        as_of = data_as_of(con)
        prof = qprofile.profile(con, "H1", Viewer(), as_of)
    finally:
        con.close()
    assert prof is not None
    body = profile_html.profile_body(prof, "zh", as_of, chart=False)
    cells = re.sub(r"(\s*\|\s*)+", "|", html.unescape(re.sub(r"<[^>]+>", "|", body)))
    assert "|2019|3,217.99|3,218|0.99|是|是|" in cells, cells
    assert "合计 1,500.5 元" in cells, cells
    fig = profile_html.income_figure(prof, "zh")
    assert fig is not None and list(fig.data[0].text) == ["3,217.99"]
    assert [profile_html.ratio_floor(r) for r in (1.0, 1.5, 1.4999, 0.29, 2.0)] == [1.0, 1.5, 1.49, 0.29, 2.0]
