"""The demo county's exit-inspection inputs (issue 17): the rural population base and the June 2020
self-check, read back from the files, and the figures they give once `python -m etl demo` loaded them.
德岭山镇's four figures are computed here again from the loaded tables by the §1.4 definitions, in
plain SQL independent of queries.inspection_rates, and compared."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from etl.demo import (
    DEMO_DEFECTS_BY_FILE,
    DEMO_SELF_CHECK_FAILS,
    INSPECTION_DAY,
    VILLAGES,
    write_demo_files,
)
from queries import inspection_rates as q
from queries.filters import Filters, Viewer

V = Viewer()
CHECK_FILE = "2020年6月自查入户核查表.xlsx"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {p.name: p for p in write_demo_files(tmp_path_factory.mktemp("demo_insp"))}


@pytest.fixture(scope="module")
def base(files: dict[str, Path]) -> pd.DataFrame:
    rows = list(csv.reader(io.StringIO(files["乡村人口基数表.csv"].read_bytes().decode("gb18030"))))
    assert rows[0][0].startswith("乌拉特中旗乡村人口基数表")
    df = pd.DataFrame([r for r in rows[2:] if r[0] != "合计"], columns=rows[1])
    return df.astype({"年度": int, "乡村人口": int, "乡村户数": int})


@pytest.fixture(scope="module")
def checks(files: dict[str, Path]) -> pd.DataFrame:
    rows = CalamineWorkbook.from_path(str(files[CHECK_FILE])).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "乌拉特中旗2020年6月脱贫攻坚自查入户核查表"
    return pd.DataFrame(rows[2:], columns=rows[1])


def test_population_base(base: pd.DataFrame) -> None:
    for year in (2019, 2020):
        y = base[base["年度"] == year]
        assert 60_000 <= y["乡村人口"].sum() <= 70_000
        assert set(zip(y["乡（镇）"], y["行政村"], strict=True)) == {(t, v) for t, vs in VILLAGES.items() for v in vs}
        assert (2.3 <= y["乡村人口"] / y["乡村户数"]).all() and (y["乡村人口"] / y["乡村户数"] <= 2.9).all()
    assert base.groupby("乡（镇）")["乡村人口"].sum().idxmax() == "海流图镇"


def test_self_check_is_the_work_teams_visit(checks: pd.DataFrame) -> None:
    registered = checks[checks["户类型"].isin(["脱贫户", "未脱贫户"])]
    neighbours = checks[checks["户编号"] == ""]
    assert len(registered) + 1 == 24  # one exited household was ticked as 一般农户 by mistake
    assert Counter(checks.loc[checks["户编号"].str.len() == 16, "乡（镇）"]) == {
        "乌加河镇": 8, "呼勒斯太苏木": 7 + 2, "德岭山镇": 9}  # 呼勒斯太苏木: its two edge households too
    assert len(neighbours) + 1 == 2 * 24  # two neighbours each; one with a mistyped 户编号
    assert checks.groupby(["乡（镇）", "行政村"]).ngroups == 12
    days = checks["调查日期"].map(lambda d: d if isinstance(d, date) else datetime.strptime(d, "%Y.%m.%d").date())
    days = pd.Series([d.date() if isinstance(d, datetime) else d for d in days], index=checks.index)
    for town, first in INSPECTION_DAY.items():
        assert set(days[checks["乡（镇）"] == town]) <= {first, date(first.year, first.month, first.day + 1)}


def test_loaded_figures(demo_con: duckdb.DuckDBPyConnection) -> None:
    """One township fails one line (DEMO_SELF_CHECK_FAILS); the county and every other township pass."""
    county = q.figures(demo_con, Filters(), V)
    assert county["passes"].tolist() == [True, True, True, True]
    towns = q.rates(demo_con, Filters(), V, level="township")
    failing = {(r["township"], tuple(r["failed"])) for _, r in towns.iterrows() if r["fails"]}
    assert failing == {(DEMO_SELF_CHECK_FAILS[0], (DEMO_SELF_CHECK_FAILS[1],))}
    assert towns.iloc[0]["township"] == DEMO_SELF_CHECK_FAILS[0]  # failing first
    hlst = towns[towns["township"] == "呼勒斯太苏木"].iloc[0]
    assert (hlst["approved"], hlst["answered"]) == (19, 23)
    assert 60_000 <= county.set_index("indicator").loc["incidence", "denominator"] <= 70_000
    cases = q.cases(demo_con, Filters(townships=("呼勒斯太苏木",)), V, "disapproved")
    assert len(cases) == 4 and set(cases["approval"]) == {"不认可", "说不清"}  # 19 of 23: four did not approve
    assert len(q.cases(demo_con, Filters(), V, "wrong_identification")) == 1


def test_planted_form_slips(demo_con: duckdb.DuckDBPyConnection) -> None:
    got = Counter(r[0] for r in demo_con.execute(
        "SELECT rule FROM data_issues WHERE table_name = 'household_checks'").fetchall())
    assert got == Counter(DEMO_DEFECTS_BY_FILE[CHECK_FILE])
    assert demo_con.execute("SELECT count(*) FROM data_issues WHERE table_name = 'population_base'").fetchall() == [(0,)]


def test_delingshan_by_the_definitions(demo_con: duckdb.DuckDBPyConnection) -> None:
    """?town=德岭山镇: the four figures from the loaded tables by §1.4, written out in plain SQL."""
    town = "德岭山镇"
    surveyed = f"""
        SELECT c.*, CASE WHEN h.registered THEN (CASE WHEN h.exit_status = '已脱贫' THEN '脱贫户' ELSE '未脱贫户' END)
                         WHEN h.monitored THEN '边缘户' ELSE c.household_type END AS grp,
               coalesce(c.household_size, h.household_size, 1) AS people
        FROM household_checks c LEFT JOIN households h USING (hk) WHERE c.township = '{town}'"""  # noqa: S608
    (wrong, exited, missed, nonreg, approved, answered) = demo_con.execute(f"""
        SELECT sum(people) FILTER (WHERE grp = '脱贫户' AND finding = '错退'), sum(people) FILTER (WHERE grp = '脱贫户'),
               sum(people) FILTER (WHERE grp IN ('一般农户', '边缘户') AND finding = '漏评'),
               sum(people) FILTER (WHERE grp IN ('一般农户', '边缘户')),
               count(*) FILTER (WHERE approval = '认可'), count(*) FILTER (WHERE approval IS NOT NULL)
        FROM ({surveyed})""").fetchall()[0]  # noqa: S608
    wrong, missed = wrong or 0, missed or 0
    (not_exited, exited_people, registered) = demo_con.execute(f"""
        SELECT sum(n) FILTER (WHERE exit_status <> '已脱贫'), sum(n) FILTER (WHERE exit_status = '已脱贫'), sum(n)
        FROM (SELECT h.exit_status, count(m.member_key) AS n FROM households h JOIN members m USING (hk)
              WHERE h.township = '{town}' AND h.registered GROUP BY h.hk, h.exit_status)""").fetchall()[0]  # noqa: S608
    rural = demo_con.execute(f"""SELECT sum(rural_population) FROM population_base p WHERE township = '{town}'
        AND year = (SELECT max(year) FROM population_base q WHERE q.township = p.township AND q.village = p.village)
        """).fetchall()[0][0]  # noqa: S608
    incidence = (not_exited + missed / nonreg * (rural - registered) + wrong / exited * exited_people) / rural
    f = q.figures(demo_con, Filters(townships=(town,)), V).set_index("indicator")["value"]
    assert f["wrong_exit"] == pytest.approx(wrong / exited)
    assert f["missed"] == pytest.approx(missed / nonreg)
    assert f["approval"] == pytest.approx(approved / answered)
    assert f["incidence"] == pytest.approx(incidence)
    assert (exited, answered) == (6, 27) and 0 < incidence < 0.03
