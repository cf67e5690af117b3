"""AppTest of the core pages on real DuckDB files (fixture, and the demo county when it can be built)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from labels import t
from tests import conftest
from tests.conftest import open_page

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
PAGES = ["overview", "causes", "exit_status", "assistance"]
NOTHING = {"town": "呼勒斯太苏木", "cause": "因学"}  # a valid filter that matches no household


def _app(params: dict[str, str | list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at


def _open(page: str, params: dict[str, str | list[str]] | None = None) -> AppTest:
    return open_page(page, params, timeout=60)


def _table(at: AppTest, *columns: str):  # noqa: ANN202
    """The first dataframe on the page that has all these (labelled) columns."""
    for d in at.dataframe:
        if all(c in d.value.columns for c in columns):
            return d.value
    raise AssertionError(f"no table with {columns}")


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", PAGES)
def test_page_renders(app_db: Path, page: str) -> None:
    at = _open(page)
    assert at.title[0].value
    assert any("数据截至 2020-06-30" in c.value for c in at.caption)
    assert len(at.dataframe) >= 1
    assert not at.info  # no empty state on the full fixture


@pytest.mark.parametrize("page", PAGES)
def test_page_with_township(app_db: Path, page: str) -> None:
    at = _open(page, {"town": "德岭山镇"})
    assert at.sidebar.multiselect(key="flt_townships").value == ["德岭山镇"]
    assert at.query_params.get("town") in ("德岭山镇", ["德岭山镇"])
    assert len(at.dataframe) >= 1


@pytest.mark.parametrize("page", PAGES)
def test_page_with_nothing_matching(app_db: Path, page: str) -> None:
    at = _open(page, NOTHING)
    assert any("没有数据" in i.value for i in at.info)
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("page", PAGES)
def test_page_in_english(app_db: Path, page: str) -> None:
    at = _open(page, {"lang": "en"})
    assert any("Data as of 2020-06-30" in c.value for c in at.caption)
    text = " ".join([at.title[0].value] + [s.value for s in at.subheader])
    assert not re.search(r"[\u4e00-\u9fff]", text.replace("德岭山镇", "")), text


def test_overview_numbers_and_url_restore(app_db: Path) -> None:
    at = _open("overview", {"town": "德岭山镇", "cause": "因病", "exy": "2017-2018"})
    assert at.sidebar.multiselect(key="flt_main_causes").value == ["因病"]
    assert at.sidebar.slider(key="flt_exit_years").value == (2017, 2018)
    m = _metrics(at)
    assert m["建档立卡户"] == "1户" and m["已脱贫户"] == "1户"  # only H05 exited in 2017-2018 with illness
    at = _open("overview", {"town": "德岭山镇"})
    m = _metrics(at)
    assert (m["建档立卡户"], m["已脱贫户"], m["返贫户"]) == ("5户", "3户", "1户")
    assert "德岭山镇分村情况" in [s.value for s in at.subheader]  # drilled to villages


def test_filter_state_goes_to_url_and_reset(app_db: Path) -> None:
    at = _open("overview")
    at.sidebar.multiselect(key="flt_townships").set_value(["乌加河镇"]).run()
    assert at.query_params.get("town") in ("乌加河镇", ["乌加河镇"])
    assert _metrics(at)["建档立卡户"] == "4户"
    at.sidebar.multiselect(key="flt_villages").set_value(["红旗村"]).run()
    assert _metrics(at)["建档立卡户"] == "2户"
    # persists across pages
    at.switch_page("pages/causes.py").run()
    assert at.sidebar.multiselect(key="flt_villages").value == ["红旗村"]
    assert at.query_params.get("village") in ("红旗村", ["红旗村"])
    at.sidebar.button(key="flt_reset").click().run()
    assert at.sidebar.multiselect(key="flt_townships").value == []
    assert "town" not in at.query_params


def test_drill_down_sets_filter(app_db: Path) -> None:
    at = _open("overview")
    at.session_state["flt_townships"] = ["呼勒斯太苏木"]
    at.run()
    assert _metrics(at)["建档立卡户"] == "2户"
    assert at.query_params.get("town") in ("呼勒斯太苏木", ["呼勒斯太苏木"])


def test_causes_household_list_masked(app_db: Path) -> None:
    at = _open("causes", {"village": "联丰奋斗村"})
    heads = set(_table(at, "户主", "户编号")["户主"])
    assert "张*春" in heads and "张林春" not in heads


def test_invalid_url_values_are_ignored(app_db: Path) -> None:
    at = _open("overview", {"town": ["不存在的镇", "乌加河镇"], "idy": "abc", "lang": "xx"})
    assert at.sidebar.multiselect(key="flt_townships").value == ["乌加河镇"]
    assert _metrics(at)["建档立卡户"] == "4户"


def test_a_filter_on_monitored_households_only_points_to_them(app_db: Path) -> None:
    """A filter on 边缘易致贫户 leaves no registered household: the pages say the filter matches monitored
    ones and where to switch, and the exit page keeps its monitored sections (it was blank)."""
    hint = "当前筛选下没有建档立卡户，但有1户属于“监测对象”：可在“统计对象”处切换查看。"
    overview = _open("overview", {"mon": "边缘易致贫户"})
    assert not overview.get("plotly_chart")  # no switch on this page: it says where to look instead
    assert any("但有1户属于“监测对象”" in i.value and "上表“监测对象”列即这些户" in i.value for i in overview.info)
    causes = _open("causes", {"mon": "边缘易致贫户"})
    assert any(hint in i.value for i in causes.info)
    exits = _open("exit_status", {"mon": "边缘易致贫户"})
    assert sum(hint in i.value for i in exits.info) == 3  # exit status; income and gaps of registered households
    assert "监测对象与返贫户" in [h.value for h in exits.subheader]
    exits.segmented_control(key="exit_population").set_value("monitored").run()
    assert not exits.exception and sum(hint in i.value for i in exits.info) == 1  # the status chart only


def test_no_database_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_DB", str(tmp_path / "none.duckdb"))
    at = _app()
    at.run()
    assert not at.exception
    assert "尚无数据库" in at.warning[0].value
    assert any("etl demo" in c.value for c in at.code)


def test_empty_database(empty_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_DB", str(empty_db))
    for page in PAGES:
        at = _open(page)
        said = [i.value for i in at.info] + [w.value for w in at.warning]
        # the data holds no household: pages say to load a registry (ui.empty), or that there is no data
        assert any("没有数据" in v or v == t("empty.no_registry", "zh") for v in said), (page, said)


# --- the demo county (`demo_db`: built with `python -m etl demo --db ...`, conftest) --------------


@pytest.mark.slow
def test_demo_done_when(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_DB", str(demo_db))
    at = _open("overview", {"town": "德岭山镇"})
    m = _metrics(at)
    assert (m["建档立卡户"], m["已脱贫户"]) == ("10户", "4户")
    at = _open("causes", {"town": "德岭山镇"})
    totals = _table(at, "主要致贫原因", "户数", "占比")
    assert totals.iloc[0]["主要致贫原因"] == "因病"
    at = _open("overview", {"town": "呼勒斯太苏木"})
    assert _metrics(at)["建档立卡户"] == "7户"
    villages = _table(at, "行政村", "户数")
    assert len(villages) == 4
    assert set(villages["行政村"]) == {"呼和", "哈拉图", "希博图", "温更"} or all(
        any(g in v for g in ("呼和", "哈拉图", "希博图", "温更")) for v in villages["行政村"])


@pytest.mark.slow
def test_one_township_assistance_breaks_down_by_village(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: with one township chosen, coverage is per village (its rows add up to the township's)."""
    monkeypatch.setenv("FUPIN_DB", str(demo_db))
    at = _open("assistance", {"town": "德岭山镇"})
    assert "分类别、分村帮扶覆盖率" in [s.value for s in at.subheader]
    by_village = _table(at, "行政村", "措施类别")
    assert set(by_village["乡(镇)"]) == {"德岭山镇"} and by_village["行政村"].nunique() > 1
    counted = by_village.groupby("行政村")["户数"].first().sum()
    assert f"{counted}户" == _metrics(_open("overview", {"town": "德岭山镇"}))["建档立卡户"]
    at = _open("assistance")
    assert "分类别、分乡镇帮扶覆盖率" in [s.value for s in at.subheader]
    assert "行政村" not in _table(at, "乡(镇)", "措施类别").columns


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_demo_pages(demo_db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    monkeypatch.setenv("FUPIN_DB", str(demo_db))
    _open(page)
    _open(page, {"town": "乌加河镇"})
    _open(page, {"lang": "en"})
    at = _open(page, NOTHING | {"status": "返贫"})
    assert any("没有数据" in i.value for i in at.info)


def test_kpi_figures_fit_a_tile() -> None:
    """Counts on KPI tiles: exact below a million, then 万/亿 in Chinese and M/B in English, so a
    national figure (33M households) is not cut to '31,34…' in a row of six tiles."""
    from ui.context import PageContext

    zh, en = PageContext(lang="zh"), PageContext(lang="en")
    cases = [(0, "0", "0"), (940_419, "940,419", "940,419"), (999_999, "999,999", "999,999"),
             (31_340_123, "3134万", "31.3M"), (132_016_966, "1.32亿", "132.0M"),
             (1_320_000_000, "13.20亿", "1.32B"), (None, "—", "—")]
    for n, z, e in cases:
        assert (zh.num(n), en.num(n)) == (z, e), n
    assert (zh.pct(0.9201), zh.pct(None)) == ("92.0%", "—")


def test_amounts_have_thousands_separators(app_db: Path) -> None:
    """The grid writes 1222300 unless told: a number column reaching 1,000 (yuan, people) is shown
    with separators in both languages; years (2016) are not."""
    import json

    for lang, amount, year in (("zh", "金额(元)", "年度"), ("en", "Amount (yuan)", "Year")):
        at = _open("assistance", {"lang": lang} if lang == "en" else None)
        grid = next(d for d in at.dataframe if amount in d.value.columns and year in d.value.columns)
        assert grid.value[amount].max() >= 1000
        config = json.loads(grid.proto.columns)
        assert config[amount]["type_config"]["format"] == "localized"
        assert "type_config" not in config[year]


def test_cause_crosses_say_who_they_count(app_db: Path) -> None:
    """The crosses leave out the households without a main cause, and the health / labour ones count
    members: their line under the chart says so, not the totals' "未填写 … 合计等于该人群户数"."""
    from queries import figures

    at = _open("causes")
    captions = [c.value for c in at.caption]
    for key, times in (("causes.by_attribute", 2), ("causes.by_member", 2)):  # with the co-occurrence
        population = figures.entry(key).text("population", "zh")
        assert "未填写" not in population
        assert captions.count(f"统计对象：{population}") == times, key
    assert "家庭成员" in figures.entry("causes.by_member").text("population", "zh")
    assert "Members" in figures.entry("causes.by_member").text("population", "en")


def test_the_health_cross_counts_member_conditions_not_people(app_db: Path) -> None:
    """A member with chronic illness and a disability is in two bars: the cross headed 人数 added up to
    1,180 "people" of 1,150 (a browser review). It is headed 人次, in the chart, the table and the CSV,
    and its note says why the sum is more than the people."""
    at = _open("causes")
    tables = [d.value for d in at.dataframe]
    health = next(df for df in tables if "健康状况" in df.columns)
    labour = next(df for df in tables if "劳动技能" in df.columns)
    assert "人次" in health.columns and "人数" not in health.columns
    assert "人数" in labour.columns
    assert "按人次：一人有多种健康状况的（如长期慢性病、残疾），每种各计一次，合计可多于人数。" in [c.value for c in at.caption]


def test_project_households_list_counts_records_and_households(demo_env: Path) -> None:
    """The project table said 肉羊养殖扶贫项目 344 户 and the list of its households 共 458 条: one row
    per household and year (a browser review). The caption gives both, the households as the table."""
    for params in ({}, {"town": "德岭山镇", "cause": "因病"}):
        at = _open("assistance", params)
        projects = _table(at, "项目名称", "户数")
        project = at.selectbox(key="assist_project").value
        households = int(projects.loc[projects["项目名称"] == project, "户数"].iloc[0])
        rows = len(_table(at, "户编号", "年度"))
        assert households < rows  # households repeat across years: the two counts differ
        caption = " ".join(c.value for c in at.caption)
        assert re.search(rf"共 {rows:,} 条措施记录[^；]*，涉及 {households:,} 户", caption), (caption, rows, households)


def test_an_empty_overview_still_names_the_open_rectification_items(demo_env: Path) -> None:
    """乌加河镇 + 因学 matches no household, yet the tracker lists township-level items open for it: the
    overview said only 当前筛选条件下没有数据 (a browser review). Its notice gives the tracker's counts."""
    params = {"town": "乌加河镇", "cause": "因学"}
    tracker = _metrics(_open("rectification", params))
    open_items, overdue = (int(tracker[k].rstrip("项")) for k in ("未完成", "逾期"))
    assert open_items > 0
    notice = " ".join(i.value for i in _open("overview", params).info)
    assert "当前筛选条件下没有数据" in notice and f"{open_items}项未完成整改" in notice, notice
    assert f"其中逾期{overdue}项" in notice, notice
    assert not any("未完成整改" in i.value for i in _open("overview", NOTHING | {"status": "返贫"}).info)


def test_assistance_under_a_monitoring_filter_points_to_the_monitored(demo_env: Path) -> None:
    """With 边缘易致贫户 the coverage of registered households is empty, and the heatmap said a bare "no
    data" above funds of the 24 monitored households: it gives the notice the other pages give."""
    at = _open("assistance", {"mon": "边缘易致贫户"})
    notice = " ".join(i.value for i in at.info)
    assert "当前筛选下没有建档立卡户，但有24户属于“监测对象”" in notice, notice
    assert "当前筛选条件下没有数据" not in notice, notice


def test_a_link_value_not_recognised_is_said_once(app_db: Path) -> None:
    """A link with a village that is not there (or not in the link's township) showed the whole township
    without a word (a browser review): the page says which of the link's values it ignored, once, as it
    does for a page address it does not know. (AppTest opens the start page: the link's page.)"""
    at = _open("overview", {"town": "乌加河镇", "village": ["XX村", "温更嘎查", "红旗村"], "idy": "abc"})
    assert at.sidebar.multiselect(key="flt_townships").value == ["乌加河镇"]
    assert at.sidebar.multiselect(key="flt_villages").value == ["红旗村"]
    notice = " ".join(w.value for w in at.warning)
    for part in ("行政村（嘎查）“XX村”", "行政村（嘎查）“温更嘎查”", "识别年度“abc”"):
        assert part in notice, notice
    assert "红旗村" not in notice and "乌加河镇" not in notice, notice
    at.switch_page("pages/causes.py").run()
    assert not at.warning  # said once
    assert at.sidebar.multiselect(key="flt_villages").value == ["红旗村"]
    assert not _open("overview", {"town": "乌加河镇", "village": "红旗村"}).warning
    en = " ".join(w.value for w in _open("overview", {"village": "XX村", "lang": "en"}).warning)
    assert "Village “XX村”" in en and "not recognised" in en, en


def test_a_page_s_own_settings_outlive_a_visit_to_another_page(app_db: Path) -> None:
    """A leader set 致贫原因 to 监测对象 and 占比, looked at the overview and came back: the page showed
    建档立卡户 and 户数 again (Streamlit drops the state of a widget a run does not draw; a browser
    review). The sidebar's filters were kept; a page's own choices are kept as well now."""
    at = _open("causes")
    at.segmented_control(key="causes_population").set_value("monitored").run()
    at.segmented_control(key="causes_mode").set_value("shares").run()
    at.switch_page("pages/overview.py").run()
    assert not at.exception, [e.message for e in at.exception]
    at.switch_page("pages/causes.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.segmented_control(key="causes_population").value == "monitored"
    assert at.segmented_control(key="causes_mode").value == "shares"


def test_every_table_pins_the_column_that_names_its_rows(app_db: Path) -> None:
    """On a phone a township's table scrolled sideways without its place: 已脱贫户 and 返贫户 under no name.
    The first column (the place, the household, the item) stays in view; no other column is pinned."""
    import json

    grids = [d for page in ("overview", "causes", "rectification", "health") for d in _open(page).dataframe
             if len(d.value.columns) > 1]
    assert len(grids) >= 8
    for grid in grids:
        config = json.loads(grid.proto.columns)
        pinned = [name for name, c in config.items() if c.get("pinned")]
        assert pinned == [str(grid.value.columns[0])], (list(grid.value.columns), pinned)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_database_held_open_by_another_program_is_said_not_a_traceback(
        fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """A DuckDB shell opened on the database without -readonly: every page ended in DuckDB's English
    traceback, "IO Error: Could not set lock on file …" (a probe). A private copy: the app's connection
    pool may hold the shared fixture open from an earlier test."""
    import shutil

    from labels import t
    from tests.conftest import held_open

    db = tmp_path / "fupin.duckdb"
    shutil.copy(fixture_db, db)
    monkeypatch.setenv("FUPIN_DB", str(db))
    with held_open(db) as pid:
        at = _app({"lang": lang})
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert [e.value for e in at.error] == [t("cli.db_in_use", lang, pid=pid, path=db)], [e.value for e in at.error]


_APP_ERRORS = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=60)
at.query_params["lang"] = sys.argv[2]
at.run()
print(json.dumps({"exceptions": [e.message for e in at.exception], "errors": [e.value for e in at.error]}))
"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_database_the_dashboard_s_user_may_not_read_is_said_not_a_traceback(
        fixture_db: Path, tmp_path: Path, lang: str) -> None:
    """Loaded from the command line by another user, the database was not readable by the dashboard's: every
    page ended in a traceback (PermissionError: [Errno 13], or DuckDB's IO Error). The app runs in a child
    process, in a user namespace when the test runs as root (where the file's owner bits count)."""
    import json
    import os
    import shutil
    import subprocess
    import sys

    from labels import t

    db = tmp_path / "fupin.duckdb"
    shutil.copy(fixture_db, db)
    db.chmod(0)
    prefix = conftest.unprivileged()
    p = subprocess.run([*prefix, sys.executable, "-c", _APP_ERRORS, APP, lang], cwd=ROOT, capture_output=True,
                       text=True, timeout=300, env={**os.environ, "FUPIN_DB": str(db), "PYTHONPATH": str(ROOT)})
    shown = json.loads(p.stdout.splitlines()[-1])
    reason = t("oserror.EACCES", lang)
    assert shown == {"exceptions": [], "errors": [t("app.db_unreadable", lang, path=db, reason=reason)]}, shown


def test_a_link_value_too_long_or_too_many_is_said_not_silently_dropped(app_db: Path) -> None:
    """A link value longer than any value (a township pasted twice, a mangled address) was dropped by the
    parser before the notice looked, so the page showed the whole banner without a word (a leader's
    link probe). It is named now, shortened; a link of hundreds of values names ten and counts the rest."""
    long_town = "乌加河镇" * 20
    at = _open("overview", {"town": long_town})
    assert at.sidebar.multiselect(key="flt_townships").value == []
    notice = " ".join(w.value for w in at.warning)
    assert "乡镇（苏木）“乌加河镇乌加河镇" in notice and "…”" in notice, notice
    at = _open("overview", {"cause": [f"原因{i}" for i in range(30)], "town": "乌加河镇"})
    assert at.sidebar.multiselect(key="flt_townships").value == ["乌加河镇"]
    notice = " ".join(w.value for w in at.warning)
    assert "“原因9”" in notice and "“原因10”" not in notice and "共 30 项" in notice, notice


def test_a_link_s_year_range_outside_the_data_is_said_not_turned_into_another(app_db: Path) -> None:
    """脱贫年度 2030–2031 (a year typed wrong in a link) was clamped to the data's last year: the page showed
    the households that exited in that year, the link was rewritten to it, and nothing was said (a
    leader's link probe). A range holding none of the data's years is ignored and named now; one that
    overlaps them still narrows to the years it shares, without a word."""
    at = _open("overview")
    lo, hi = at.sidebar.slider(key="flt_exit_years").value
    at = _open("overview", {"exy": f"{hi + 10}-{hi + 11}", "idy": f"{lo - 30}-{lo - 20}"})
    assert at.sidebar.slider(key="flt_exit_years").value == (lo, hi)
    assert "exy" not in at.query_params and "idy" not in at.query_params
    notice = " ".join(w.value for w in at.warning)
    assert f"脱贫年度“{hi + 10}\\-{hi + 11}”" in notice and f"识别年度“{lo - 30}\\-{lo - 20}”" in notice, notice
    at = _open("overview", {"exy": f"{lo - 5}-{hi - 1}"})
    assert at.sidebar.slider(key="flt_exit_years").value == (lo, hi - 1) and not at.warning


def test_no_multiselect_offers_streamlit_s_english_select_all(app_db: Path) -> None:
    """Every filter's list began with Streamlit's English "Select all" (a leader's sidebar, in Chinese),
    and taking it was not "all": every 监测对象类别 chosen keeps the monitored households only, every
    cause leaves out the households without one, while 全部 (nothing chosen) keeps them. The filters,
    and the rectification ledger's own two, offer no such option."""
    at = _open("rectification")
    boxes = list(at.multiselect)
    keys = {m.key for m in boxes}
    assert {"flt_townships", "flt_main_causes", "flt_monitoring_types", "rect_f_status", "rect_f_cat"} <= keys, keys
    assert [m.key for m in boxes if m.proto.select_all != 0] == []


def test_no_year_range_chosen_stays_every_year_after_a_load_brings_a_new_year(
        demo_cli_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A leader's session was open while the next year's registry was loaded (2021 exits): the exit-year
    slider kept 2014–2020, which was every year before and now a filter nobody chose — the overview lost
    the not-exited households (600 → 572), the title said 脱贫年度：2014–2020 and the link carried exy=.
    Every year stays every year; a range the user chose stays as chosen."""
    from etl.load import load_files

    db = conftest.copy_demo(demo_cli_db, tmp_path / "data")
    monkeypatch.setenv("FUPIN_DB", str(db))
    registry = tmp_path / "贫困人口信息_2021.csv"
    registry.write_text("乡(镇),行政村,户编号,姓名,证件号码,与户主关系,主要致贫原因,脱贫属性,脱贫年度\n"
                        "德岭山镇,兴丰村,150824102201999,王测试,150824196001011237,户主,因病,已脱贫,2021\n",
                        encoding="utf-8")
    at = _open("overview")
    lo, hi = at.sidebar.slider(key="flt_exit_years").value
    households = _metrics(at)["建档立卡户"]
    chosen = _open("overview", {"idy": "2015-2016"})
    assert load_files([registry], db=db).exit_code == 0
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.sidebar.slider(key="flt_exit_years").value == (lo, hi + 1)
    assert "exy" not in at.query_params
    assert _metrics(at)["建档立卡户"] == f"{int(households.removesuffix('户')) + 1}户"
    chosen.run()
    assert chosen.sidebar.slider(key="flt_identified_years").value == (2015, 2016)
