"""Were the problems fixed on time (问题整改): a closed item is on time when its 完成日期 is on or before its
整改时限, late after it; an item without both dates is neither, and the on-time rate counts only those
with both. The query, the page's tiles and each ledger row's state marker say the same."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from etl.snapshot import current_snapshot
from queries import rectification as q
from queries.filters import ALL, Viewer
from tests import conftest

HEADER = "问题编号,发现日期,乡(镇),问题描述,整改时限,整改状态,完成日期"
ITEMS = {  # 问题编号: its row, and what it is
    "ON1": ("2020-03-01,海流图镇,档案不全,2020-05-31,已整改,2020-05-20", "on_time"),
    "ON2": ("2020-03-01,海流图镇,手册未更新,2020-05-31,已销号,2020-05-31", "on_time"),  # the deadline's own day
    "LATE": ("2020-03-01,海流图镇,台账不一致,2020-05-31,已整改,2020-06-10", "late"),  # 10 days late
    "UNDATED": ("2020-03-01,海流图镇,帮扶记录缺失,2020-05-31,已整改,", "neither"),  # no 完成日期
    "NODEADLINE": ("2020-03-01,海流图镇,公示不规范,,已销号,2020-04-01", "neither"),  # no 整改时限
    "OPEN": ("2020-03-01,海流图镇,危房未改,2020-05-31,整改中,", "neither"),  # open (and overdue)
}
AS_OF = dt.date(2020, 7, 1)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lines = [HEADER] + [f"{issue},{row}" for issue, (row, _) in ITEMS.items()]
    registry = ["乡(镇),行政村,户编号,姓名,证件号码,与户主关系,脱贫属性,主要致贫原因",
                "海流图镇,新忽热嘎查,H1,张三,,户主,未脱贫,因病"]
    db, report = conftest.load_lines(tmp_path_factory.mktemp("rect"), {"贫困人口信息.csv": registry,
                                                                         "问题整改台账.csv": lines})
    assert report.exit_code == 0, report.to_json()
    return db


def test_the_ledger_marks_each_closed_item_on_time_or_late(db: Path) -> None:
    con = duckdb.connect(str(current_snapshot(db)), read_only=True)
    try:
        df = q.ledger(con, ALL, Viewer(), AS_OF).set_index("issue_id")
    finally:
        con.close()
    got = {i: "on_time" if r["on_time"] else "late" if r["late"] else "neither" for i, r in df.iterrows()}
    assert got == {issue: kind for issue, (_, kind) in ITEMS.items()}
    assert df.loc["LATE", "days_late"] == 10
    assert df["days_late"].drop("LATE").isna().all()
    s = q.summary(df.reset_index())
    assert (s["closed"], s["on_time"], s["late"]) == (5, 2, 1)
    assert q.on_time_rate(s) == pytest.approx(2 / 3)  # the undated and the deadline-less are not counted


def test_on_time_rate_without_any_dated_closed_item_is_none() -> None:
    assert q.on_time_rate({"on_time": 0, "late": 0}) is None


def test_the_page_shows_the_rate_the_late_count_and_each_late_row(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_DB", str(db))
    at = conftest.open_page("rectification", {"asof": AS_OF.isoformat()})
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["按期完成率"] == "66.7%", tiles
    assert tiles["超期完成"].startswith("1"), tiles
    ledger = max((d.value for d in at.dataframe if "问题编号" in d.value.columns), key=len).set_index("问题编号")
    assert ledger.loc["LATE"].iloc[0] == "已完成（超期10天）"
    assert ledger.loc["ON2"].iloc[0] == "已完成"
    assert ledger.loc["LATE", "超期完成天数"] == 10
    en = conftest.open_page("rectification", {"asof": AS_OF.isoformat(), "lang": "en"})
    assert {m.label: m.value for m in en.metric}["Items closed on time"] == "66.7%"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_briefing_counts_them_and_writes_the_finding(db: Path, lang: str) -> None:
    from ui import briefing_html

    con = duckdb.connect(str(current_snapshot(db)), read_only=True)
    try:
        html = briefing_html.build(con, ALL, Viewer(), lang=lang, as_of=AS_OF, data_as_of=AS_OF)
    finally:
        con.close()
    if lang == "zh":
        assert "按期完成整改事项" in html and "2 / 3" in html
        assert "3 项整改事项中，1 项超期完成，按期完成率 66.7%" in html
    else:
        assert "Of the 3 closed rectification items with a completion date and a deadline, 1 were closed late" in html
