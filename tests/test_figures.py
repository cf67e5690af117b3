"""Issue 13: the indicator dictionary covers every figure on screen, and a named figure has one value
on every page that shows it (AppTest on the demo county, several filters); the figure history."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from etl import snapshot
from etl.load import rebuild
from labels import t
from queries import figures
from tests.conftest import open_page
from ui.figures import SHOWN_KEY

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
ALL_PAGES = ["overview", "causes", "exit_status", "assistance", "rectification", "health", "visits", "quality",
             "inspection_rates", "briefing", "data_admin", "dictionary"]
FILTERS = [{}, {"town": "德岭山镇"}, {"cause": "因病"}, {"town": ["海流图镇", "乌加河镇"], "status": "已脱贫"}]


def _open(page: str, params: dict) -> AppTest:
    return open_page(page, params)


def test_every_chart_and_tile_names_a_dictionary_entry() -> None:
    """Static: charts.show needs `figure=` (a key with an entry); no page draws a tile past ui.figures."""
    keys = {f.key for f in figures.all_figures()}
    for path in [*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr == "show" and getattr(node.func.value, "id", "") == "charts":
                fig = next((k.value for k in node.keywords if k.arg == "figure"), None)
                assert fig is not None, f"{path.name}:{node.lineno} chart without figure="
                if isinstance(fig, ast.Constant):
                    assert fig.value in keys, f"{path.name}:{node.lineno} {fig.value} has no entry"
            if node.func.attr == "metric" and path.name != "figures.py":
                assert getattr(node.func.value, "id", "") in ("figures", "tiles_ui"), \
                    f"{path.name}:{node.lineno} st.metric outside ui.figures.metric"
    with pytest.raises(KeyError):
        figures.entry("no.such.figure")
    for f in figures.all_figures():  # both languages, every part
        for part in ("name", "population", "numerator", "date_rule", "source"):
            assert f.text(part, "zh") and f.text(part, "en"), (f.key, part)


@pytest.fixture(scope="module")
def demo_env(demo_cli_db: Path) -> Path:
    old = os.environ.get("FUPIN_DB")
    os.environ["FUPIN_DB"] = str(demo_cli_db)
    yield demo_cli_db
    if old is None:
        os.environ.pop("FUPIN_DB", None)
    else:
        os.environ["FUPIN_DB"] = old


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_kpi_has_dictionary_help(demo_env: Path, lang: str) -> None:
    helps = {figures.help_text(f.key, lang) for f in figures.all_figures()}
    seen = 0
    for page in ALL_PAGES:
        at = _open(page, {"lang": lang})
        for m in at.metric:
            seen += 1
            assert m.help and any(m.help.startswith(h) for h in helps), (page, m.label, m.help)
            # no database table names in a leader's tooltip (they are in the dictionary)
            assert "agg_" not in m.help and "来源表" not in m.help and "Source:" not in m.help, (page, m.help)
    assert seen >= 30


@pytest.mark.parametrize("params", FILTERS, ids=["all", "one_township", "cause", "two_towns_exited"])
def test_figure_registry(demo_env: Path, params: dict) -> None:
    """The same named figure shows one value on every page (and table) that shows it."""
    shown: dict[str, set[object]] = {}
    where: dict[str, list[str]] = {}
    runs = [(page, _open(page, params)) for page in
            ("overview", "causes", "exit_status", "assistance", "rectification", "quality")]
    for page, key in (("causes", "causes_population"), ("exit_status", "exit_population")):  # 监测对象 counts
        at = _open(page, params)
        at.segmented_control(key=key).set_value("monitored").run()
        runs.append((f"{page}/monitored", at))
    for page, at in runs:
        for key, values in at.session_state[SHOWN_KEY].items():
            shown.setdefault(key, set()).update(values)
            where.setdefault(key, []).append(page)
    for key in ("households", "people", "exited", "monitored", "coverage", "rect_open", "rect_overdue",
                "archive_defects"):
        # a figure of 0 may be an empty state elsewhere ("no monitored household"), not a number
        assert len(where.get(key, [])) >= 2 or key in ("people", "coverage") or shown[key] == {0}, \
            (key, where.get(key), shown.get(key))
        assert len(shown[key]) == 1, (key, shown[key], where[key])
    if shown["monitored"] != {0}:  # 监测对象 on the overview, the monitoring chart, both population switches
        assert {"overview", "exit_status", "causes/monitored", "exit_status/monitored"} <= set(where["monitored"])
    assert "assistance" in where["households"]


def test_done_when_totals_reconcile(demo_con: duckdb.DuckDBPyConnection) -> None:
    from queries import causes, exits, overview
    from queries.filters import Filters, Viewer

    k = overview.kpis(demo_con, Filters(), Viewer(), as_of=__import__("datetime").date(2020, 6, 30)).iloc[0]
    for fn in (causes.totals, lambda c, f, v: causes.by_area(c, f, v, "township"),
               lambda c, f, v: causes.by_area(c, f, v, "village")):
        assert int(fn(demo_con, Filters(), Viewer())["households"].sum()) == int(k["households"]) == 600
    years = exits.by_year(demo_con, Filters(), Viewer())
    assert int(years["exited"].sum()) == int(k["exited"]) == int(years["cumulative"].iloc[-1])
    assert years["exit_year"].isna().sum() == 1  # the 年度不详 row
    assert int(causes.totals(demo_con, Filters(), Viewer(), "monitored")["households"].sum()) == int(k["monitored"])


def test_history_survives_loads_and_rebuild(demo_cli_db: Path, tmp_path: Path) -> None:
    """Each load appends its townships' rows (owned by its last batch); a rebuild keeps them."""
    import shutil

    db = tmp_path / "fupin.duckdb"
    shutil.copytree(demo_cli_db.parent / "fupin.duckdb.snapshots", tmp_path / "fupin.duckdb.snapshots")
    os.symlink(os.readlink(demo_cli_db), db)

    def rows() -> list[tuple]:
        con = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)
        try:
            return con.execute("SELECT batch_id, township, exited, rect_open FROM figure_history ORDER BY ALL").fetchall()
        finally:
            con.close()

    before = rows()
    assert len({r[0] for r in before}) == 2 and len(before) == 20  # the demo: 2019 registry, then the rest
    from etl.load import load_files

    ledger = tmp_path / "整改.csv"
    ledger.write_text("问题编号,乡(镇),问题描述,整改时限,整改状态,发现日期\nX1,德岭山镇,新问题,2020-07-30,未整改,2020-06-29\n",
                      encoding="utf-8")
    report = load_files([ledger], db=db)
    assert report.published
    after = rows()
    assert after[: len(before)] == before and len(after) == 30
    new = {r[1]: r for r in after[len(before):]}
    old = {r[1]: r for r in before[10:]}
    assert new["德岭山镇"][3] == old["德岭山镇"][3] + 1
    rebuild(db)
    assert rows() == after


def test_dictionary_page_lists_every_figure_once_under_its_population(demo_env: Path) -> None:
    at = _open("dictionary", {})
    entries = figures.all_figures()
    populations = list(dict.fromkeys(f.text("population", "zh") for f in entries))
    written = [m.value for m in at.markdown if m.value.startswith("**统计对象**：")]
    assert written == [f"**统计对象**：{p}" for p in populations]
    names = [n for tbl in at.table for n in tbl.value.index]
    assert sorted(names) == sorted(f.text("name", "zh") for f in entries)
    assert [b.label for b in at.get("download_button")][:2] == ["下载 CSV", "下载 Excel"]


def test_the_dictionary_download_names_no_filter(demo_env: Path) -> None:
    """No filter changes the dictionary: its file was named 指标口径_石哈河镇_因病_… under a filter, and the
    page said it was filtered."""
    from tests.test_extract import _deferred_files

    at = _open("dictionary", {"town": "石哈河镇", "cause": "因病"})
    names = [n for n in _deferred_files(at) if n.startswith("指标口径")]
    assert names and all("石哈河镇" not in n and "因病" not in n for n in names), names
    # nor says "筛选：石哈河镇" above it: only that the chosen filters do not apply here
    unused = t("header.filters_unused", "zh", filters="").split("（")[0]
    said = [m.value for m in at.markdown if "石哈河镇" in m.value]
    assert said and all(unused in v for v in said), said


def test_english_entries_name_rows_as_the_english_screen_shows_them() -> None:
    """The help of a figure with a catch-all row names that row as the chart and table label it in
    English (it quoted 未填写 and 年度不详 in the English help)."""
    from labels import codes_en, t

    assert f'"{codes_en.CODE_EN["未填写"]}"' in figures.entry("causes.totals").text("population", "en")
    assert f'"{t("exit.year_unknown", "en")}"' in figures.entry("exit.by_year").text("numerator", "en")
    assert f'"{codes_en.CODE_EN["返贫"]}"' in figures.entry("exit.monitoring").text("population", "en")
    for key in ("causes.totals", "exit.by_year", "exit.monitoring"):
        entry = figures.entry(key)
        assert not any("\u4e00" <= ch <= "\u9fff" for part in figures.PARTS[:-1] for ch in entry.text(part, "en"))


def test_english_entries_quote_a_code_with_its_english_label() -> None:
    """Where the English help quotes a code value as the files write it (已整改), the English label the
    screen shows for it (Rectified) stands beside it: a reader in English finds the rows it means."""
    import re

    from labels.codes_en import CODE_EN

    missing = []
    for fig in figures.all_figures():
        for part in figures.PARTS[:-1]:
            text = fig.text(part, "en")
            for word in re.findall(r"[\u4e00-\u9fff]+", text):
                if word in CODE_EN and CODE_EN[word] not in text:
                    missing.append((fig.key, part, word))
    assert missing == []


def test_a_figure_says_how_it_is_coloured_only_when_it_is() -> None:
    """The 两不愁三保障 gaps are coloured by gap: their note named exit-status colours (the income chart's)."""
    by_key = {f.key: f for f in figures.all_figures()}
    assert "分色" in by_key["exit.income"].population[0]
    assert "分色" not in by_key["exit.assurances"].population[0]
