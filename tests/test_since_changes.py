""""Since the last inspection" (queries.history, ui.since_figures): the figures now against an earlier
load, never against the load just made. Real loads into a real DuckDB file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from etl import snapshot
from etl.load import load_files
from queries import history
from queries.filters import Filters, Viewer
from tests.test_load import LEDGER, write_csv
from ui.since_figures import default_since, trend_frame

HEAD = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫状态", "脱贫年度", "主要致贫原因"]


def _registry(path: Path, h1_status: str, h1_year: str) -> Path:
    return write_csv(path, [HEAD, ["甲镇", "一村", "H1", "张一", "150824196001010118", "户主", h1_status, h1_year, "因病"],
                            ["甲镇", "一村", "H2", "李二", "15082419600102013X", "户主", "未脱贫", "", "因病"]])


def test_a_load_that_keeps_the_data_date_is_compared_with_the_load_before(tmp_path: Path) -> None:
    """A registry update exiting a household, with no later dated event than the data already had, keeps
    the as-of date: the default baseline (the data date of the load before) was then the load just
    made, and every tile read +0 beside 已脱贫户 568 → 569 (a probe of the upload page)."""
    db = tmp_path / "data" / "fupin.duckdb"
    load_files([_registry(tmp_path / "r1.csv", "未脱贫", ""),
                write_csv(tmp_path / "v.csv", [["户编号", "走访日期", "走访类型"], ["H1", "2020-06-30", "入户走访"]])],
               db=db)
    load_files([_registry(tmp_path / "r2.csv", "已脱贫", "2020")], db=db)
    con, _ = snapshot.connect_read(db)
    try:
        hist = history.history(con, Filters(), Viewer())
        assert [pd_date.isoformat() for pd_date in hist["as_of"].dt.date] == ["2020-06-30", "2020-06-30"]
        since = default_since(hist)
        assert since == dt.date(2020, 6, 30)
        got = history.changes(con, Filters(), Viewer(), since, dt.date(2020, 6, 30))
    finally:
        con.close()
    assert (got["exited"], got["loads"]) == (1, 2)


def test_a_baseline_registry_without_monitoring_types_is_no_baseline_for_them(tmp_path: Path) -> None:
    """A 2019 registry without 监测对象类别, then one with it: the monitored households of the first load
    are unknown, not 0, so there is no "新增监测对象 +1" since then (a browser review: +37 on the demo's
    overview, every monitored household counted as new). Exits still compare."""
    db = tmp_path / "data" / "fupin.duckdb"
    load_files([_registry(tmp_path / "r1.csv", "未脱贫", "")], db=db)
    head = [*HEAD, "监测对象类别"]
    load_files([write_csv(tmp_path / "r2.csv", [
        head, ["甲镇", "一村", "H1", "张一", "150824196001010118", "户主", "已脱贫", "2020", "因病", "脱贫不稳定户"],
        ["甲镇", "一村", "H2", "李二", "15082419600102013X", "户主", "未脱贫", "", "因病", ""]])], db=db)
    con, _ = snapshot.connect_read(db)
    try:
        hist = history.history(con, Filters(), Viewer())
        got = history.changes(con, Filters(), Viewer(), hist["as_of"].iloc[0].date(), dt.date(2020, 6, 30), hist)
    finally:
        con.close()
    assert hist["monitored"].isna().tolist() == [True, False] and int(hist["monitored"].iloc[-1]) == 1
    assert got["monitored"] is None and got["exited"] == 1


def test_new_findings_loaded_with_the_same_data_date_count_since_the_date_before(tmp_path: Path) -> None:
    """Data as of 2019-12-31, then as of 2020-06-30, then a ledger of two new findings that keeps that
    date: the default start stays 2019-12-31, so the findings count as opened (it moved to 2020-06-30,
    the load just before, and every tile read 0 beside two more open items: a browser review), and the
    trend draws one point per data date (two loads of one date put their labels over each other)."""
    db = tmp_path / "data" / "fupin.duckdb"
    visit = ["户编号", "走访日期", "走访类型"]
    load_files([_registry(tmp_path / "r1.csv", "未脱贫", ""),
                write_csv(tmp_path / "v1.csv", [visit, ["H1", "2019-12-31", "入户走访"]])], db=db)
    load_files([write_csv(tmp_path / "v2.csv", [visit, ["H2", "2020-06-30", "入户走访"]])], db=db)
    found = [LEDGER, *([f"ZG-{i}", "督查", f"2020-06-1{i}", "甲镇", "一村", "H1", "其他", "档案不全", "镇政府",
                        "2020-07-31", "未整改", ""] for i in (0, 2))]
    load_files([write_csv(tmp_path / "z.csv", found)], db=db)
    con, _ = snapshot.connect_read(db)
    try:
        hist = history.history(con, Filters(), Viewer())
        assert [d.isoformat() for d in hist["as_of"].dt.date] == ["2019-12-31", "2020-06-30", "2020-06-30"]
        since = default_since(hist)
        got = history.changes(con, Filters(), Viewer(), since, dt.date(2020, 6, 30), hist)
    finally:
        con.close()
    assert since == dt.date(2019, 12, 31)
    assert (got["base_as_of"].date(), got["opened"]) == (dt.date(2019, 12, 31), 2)
    trend = trend_frame(hist)
    assert trend["as_of"].tolist() == ["2019-12-31", "2020-06-30"]
    assert trend["rect_open"].tolist()[-1] == 2


def test_the_last_monitored_household_leaving_monitoring_is_a_change_not_unknown(tmp_path: Path) -> None:
    """A registry with 监测对象类别 (one monitored household), then the township's re-export where its type
    is blank (风险消除, taken out of monitoring): the count is 0, known since the first load counted it.
    It was unknown (the history asked whether any household has a type now), so 新增监测对象 showed
    nothing where it is −1 (a probe of registry sequences)."""
    db = tmp_path / "data" / "fupin.duckdb"
    head = [*HEAD, "监测对象类别"]
    h2 = ["甲镇", "一村", "H2", "李二", "15082419600102013X", "户主", "未脱贫", "", "因病", ""]
    load_files([write_csv(tmp_path / "r1.csv", [
        head, ["甲镇", "一村", "H1", "张一", "150824196001010118", "户主", "已脱贫", "2020", "因病", "脱贫不稳定户"], h2])],
        db=db)
    load_files([write_csv(tmp_path / "r2.csv", [
        head, ["甲镇", "一村", "H1", "张一", "150824196001010118", "户主", "已脱贫", "2020", "因病", ""], h2])], db=db)
    con, _ = snapshot.connect_read(db)
    try:
        hist = history.history(con, Filters(), Viewer())
        got = history.changes(con, Filters(), Viewer(), hist["as_of"].iloc[0].date(), dt.date(2020, 12, 31), hist)
    finally:
        con.close()
    assert hist["monitored"].tolist() == [1, 0]
    assert got["monitored"] == -1
