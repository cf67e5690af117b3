"""The briefing's since-section counts from the date picked on the briefing page (the overview's
picker, ui.since.pick), and its heading states that date."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from labels import t
from queries import history, meta
from queries.filters import Filters, Viewer
from tests import conftest
from ui import briefing_html
from ui.since_figures import default_since


def heading(date: dt.date, lang: str) -> str:
    return f'<h2 id="since">{t("brief.since_date", lang, date=date.isoformat())}</h2>'


def test_briefing_html_states_the_date(demo_con: duckdb.DuckDBPyConnection) -> None:
    as_of = meta.data_as_of(demo_con)
    flt = Filters(townships=(conftest.DEMO_TOWN,))
    default = default_since(history.history(demo_con, flt, Viewer()))
    assert default is not None
    for lang in ("zh", "en"):
        doc = briefing_html.build(demo_con, flt, Viewer(), lang=lang, as_of=as_of, data_as_of=as_of)
        assert heading(default, lang) in doc
        picked = default - dt.timedelta(days=40)
        doc = briefing_html.build(demo_con, flt, Viewer(), lang=lang, as_of=as_of, data_as_of=as_of, since=picked)
        assert heading(picked, lang) in doc and heading(default, lang) not in doc


def test_under_a_household_filter_the_heading_says_the_changes_are_township_totals(
        demo_con: duckdb.DuckDBPyConnection) -> None:
    """监测户 0户 under 因病 sat beside 新增监测对象 +1户 (the township's) in a printed briefing: the heading
    of the changes says whose they are whenever a village or household filter is on."""
    as_of = meta.data_as_of(demo_con)
    town = Filters(townships=(conftest.DEMO_TOWN,))
    since = default_since(history.history(demo_con, town, Viewer()))
    assert since is not None
    for flt in (town.with_(main_causes=("因病",)), town.with_(villages=("某村",))):
        doc = briefing_html.build(demo_con, flt, Viewer(), lang="zh", as_of=as_of, data_as_of=as_of, since=since)
        assert f'<h2 id="since">{since.isoformat()} 以来的变化（乡镇合计，村和户的筛选不适用）</h2>' in doc
    doc = briefing_html.build(demo_con, town, Viewer(), lang="zh", as_of=as_of, data_as_of=as_of, since=since)
    assert heading(since, "zh") in doc and "乡镇合计，村和户" not in doc


def test_briefing_page_passes_the_picked_date(demo_env: Path) -> None:
    at = conftest.open_page("briefing", {"town": conftest.DEMO_TOWN})
    picker = at.date_input(key="since_date")
    assert picker.label == t("since.pick")
    picked = picker.value - dt.timedelta(days=40)
    picker.set_value(picked).run()
    at.button(key="brief_go").click().run()
    assert not at.exception
    html = at.session_state["brief_html"][-1]
    assert heading(picked, "zh") in html


def test_briefing_builds_without_streamlit(demo_snapshot: Path) -> None:
    """The since-section's parts come from ui.since_figures: building a briefing imports no Streamlit."""
    code = ("import sys, duckdb, datetime as dt; from ui import briefing_html; from queries.filters import Filters, "
            f"Viewer; con = duckdb.connect({str(demo_snapshot)!r}, read_only=True); d = dt.date(2020, 6, 30); "
            f"briefing_html.build(con, Filters(townships=({conftest.DEMO_TOWN!r},)), Viewer(), lang='zh', as_of=d, "
            "data_as_of=d); assert 'streamlit' not in sys.modules, 'streamlit imported'")
    proc = subprocess.run([sys.executable, "-c", code], cwd=conftest.ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_a_ledger_not_yet_loaded_is_unknown_in_the_history_not_zero(demo_con: duckdb.DuckDBPyConnection) -> None:
    """The demo loads its 2019 registry alone first: the history recorded 0 households reached by a
    measure, 0 open items and 0 compliant patients then, and the trend read "措施覆盖户 0 → 595" as a
    change. Figures of a ledger no file had brought yet are unknown at that load."""
    hist = history.history(demo_con, Filters(), Viewer())
    first, last = hist.iloc[0], hist.iloc[-1]
    assert first["households"] > 0 and first["exited"] > 0  # the registry's figures are there
    assert all(pd.isna(first[f]) for f in ("with_intervention", "rect_open", "rect_overdue", "compliant"))
    assert all(pd.notna(last[f]) for f in ("with_intervention", "rect_open", "compliant"))


def test_the_overview_trend_says_what_its_lines_count(demo_env: Path) -> None:
    """Under a cause filter the tiles counted 50 households and the trend below 170 (township totals;
    a browser review): the chart's own caption says so, and that ledger lines start at their first load."""
    at = conftest.open_page("overview", {"town": "海流图镇", "cause": "因病"})
    assert t("since.trend_note", "zh") in [c.value for c in at.caption]


def test_the_overview_heading_says_the_changes_are_township_totals_under_a_cause(demo_env: Path) -> None:
    """The overview showed the same 0 monitored beside +1 under 海流图镇 + 因病 (a browser review)."""
    titled = [h.value for h in conftest.open_page("overview", {"town": "海流图镇", "cause": "因病"}).subheader]
    assert t("since.title_towns", "zh") in titled and t("since.title", "zh") not in titled
    plain = [h.value for h in conftest.open_page("overview", {"town": "海流图镇"}).subheader]
    assert t("since.title", "zh") in plain and t("since.title_towns", "zh") not in plain


def test_a_briefing_made_before_a_load_is_not_offered_after_it(demo_cli_db: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A leader made a briefing, saw a wrong figure, loaded the corrected file on the data page and came
    back: the page still said the briefing was ready and offered the one made before the load (it was
    kept for the same filters, language and dates, whatever the data). It is kept for the same data only."""
    from etl.load import load_files
    from etl.snapshot import current_snapshot

    db = conftest.copy_demo(demo_cli_db, tmp_path / "data")  # its own: the load changes it
    monkeypatch.setenv("FUPIN_DB", str(db))
    at = conftest.open_page("briefing", {"town": conftest.DEMO_TOWN})
    at.button(key="brief_go").click().run()
    assert at.success and at.session_state["brief_html"][-1]
    before = current_snapshot(db)
    visits = tmp_path / "走访记录_补充.csv"
    visits.write_text("户编号,走访日期,走访类型,走访人,情况记录\n1508241022030002,2020-06-29,入户走访,张三,补录\n",
                      encoding="utf-8")
    assert load_files([visits], db=db).exit_code == 0
    assert current_snapshot(db) != before
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.success  # nothing is ready: the button makes a briefing of the data now
    at.button(key="brief_go").click().run()
    assert at.success


def test_the_date_picked_on_the_overview_holds_on_the_briefing(demo_env: Path) -> None:
    """A leader read "since 2020-01-15" figures on the overview and made the briefing: its changes counted
    from the briefing picker's own default (the load before the last), which nothing on the way said. The
    two pickers are one setting of the session now, either way round."""
    at = conftest.open_page("overview", {"town": conftest.DEMO_TOWN})
    picker = at.date_input(key="since_date")
    picked = picker.value - dt.timedelta(days=40)
    picker.set_value(picked).run()
    at.switch_page("pages/briefing.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.date_input(key="since_date").value == picked
    at.button(key="brief_go").click().run()
    assert heading(picked, "zh") in at.session_state["brief_html"][-1]
    again = picked - dt.timedelta(days=10)
    at.date_input(key="since_date").set_value(again).run()
    at.switch_page("pages/overview.py").run()
    assert at.date_input(key="since_date").value == again
