"""A tile's share never reads a false 100% or 0% (a probe of numbers and rounding, 2026-12-07): 3,999 of
4,000 registered households exited read 脱贫率 100.0% on the overview tile and in the briefing, beside a
chart that writes 99.9% (ui.formats.share_label). Tiles and the briefing now write shares as the charts
do. Real files through the real loader, the page through AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import snapshot
from queries.filters import Filters, Viewer
from queries.meta import data_as_of
from tests import conftest
from ui import briefing_html
from ui.formats import pct

REGISTRY = "乡(镇),行政村,户编号,姓名,证件号码,与户主关系,脱贫属性,脱贫年度,主要致贫原因"
HOUSEHOLDS = [f"H{i:04d}" for i in range(1, 4001)]


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [f"甲镇,一村,{h},户{h},,户主,{'未脱贫,' if h == 'H0001' else '已脱贫,2019'},因病" for h in HOUSEHOLDS]
    db, report = conftest.load_lines(tmp_path_factory.mktemp("tiles"), {"reg.csv": [REGISTRY, *rows]})
    assert report.exit_code == 0
    return db


def test_pct() -> None:
    assert pct(3999 / 4000) == "99.9%"
    assert pct(1 / 4000) == "<0.1%"
    assert (pct(1.0), pct(0.0), pct(0.5), pct(None)) == ("100.0%", "0.0%", "50.0%", "—")


def test_the_overview_tile_and_the_briefing(county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_DB", str(county))
    monkeypatch.setenv("FUPIN_USERS", str(tmp_path / "no-users.yaml"))
    at = conftest.open_page("overview")
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["脱贫率"] == "99.9%", tiles
    con, _ = snapshot.connect_read(county)
    try:
        k = briefing_html.overview.kpis(con, Filters(), Viewer(), data_as_of(con)).iloc[0]
        exits = [s for s, _ in briefing_html.exit_findings(con, Filters(), Viewer(), "zh", k)]
    finally:
        con.close()
    assert exits[0].startswith("已脱贫 3,999 户，占建档立卡户 99.9%；"), exits
