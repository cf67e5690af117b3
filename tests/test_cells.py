"""Summary cells and stored lists of `etl.derive_cells` give exactly what computing the answer from
households, members and claims gives, on the demo county: co-occurring causes, income bands and
bins, monitoring, follow-up compliance and the member and gap lists' pages (at the data's as-of date
and at another), out-of-pocket risks, and the inspection sample (stored draw, a shallow stored draw,
and the draw at query time)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl import derive_cells, rules
from etl.derive import FULL
from etl.rules import MONITORING_FACTOR
from queries import causes, exits, health, meta, visits
from queries.filters import Filters, Viewer, mask_name_value

ROOT = Path(__file__).resolve().parents[1]
V = Viewer()
PII = Viewer(pii=True)


@pytest.fixture(scope="module")
def snap(demo_snapshot: Path) -> Path:
    return demo_snapshot  # the demo county as the command line loads it (conftest); copied before writing


@pytest.fixture(scope="module")
def con(demo_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return demo_con


def _filters(con: duckdb.DuckDBPyConnection) -> list[Filters]:
    town, village, cause = con.execute(
        "SELECT township, village, main_cause FROM hh_facts WHERE main_cause IS NOT NULL "
        "GROUP BY ALL ORDER BY count(*) DESC, township, village, main_cause LIMIT 1").fetchall()[0]
    return [Filters(), Filters(townships=(town,)), Filters(townships=(town,), main_causes=(cause,)),
            Filters(main_causes=(cause,)), Filters(villages=(village,)), Filters(exit_statuses=("已脱贫",))]


def _where(flt: Filters, alias: str = "f") -> tuple[str, dict[str, object]]:
    """A plain WHERE over hh_facts-like rows for the filters the tests use (not the app's builder)."""
    parts, params = [], {}
    for i, (values, column) in enumerate(((flt.townships, "township"), (flt.villages, "village"),
                                          (flt.main_causes, "main_cause"), (flt.exit_statuses, "exit_status"))):
        if values:
            parts.append(f"{alias}.{column} IN (SELECT unnest($v{i}))")
            params[f"v{i}"] = list(values)
    return " AND ".join(parts) or "TRUE", params


# --- causes and income: cells against households ---------------------------------------------------


# the population switch of the pages (queries.population), over hh_facts
POPULATION = {"registered": "f.registered", "monitored": "f.monitored"}
GROUP = {"registered": "exit_status", "monitored": "monitoring_type"}


@pytest.mark.parametrize("population", list(POPULATION))
def test_cooccurrence_cells_equal_households(con: duckdb.DuckDBPyConnection, population: str) -> None:
    seen = 0
    for flt in _filters(con):
        where, params = _where(flt)
        oracle = con.execute(f"""
            SELECT main_cause, other_cause, count(DISTINCT household_id) AS households
            FROM (SELECT f.household_id, f.main_cause, unnest(f.other_causes) AS other_cause
                  FROM hh_facts f WHERE {where} AND f.main_cause IS NOT NULL AND {POPULATION[population]})
            WHERE other_cause IS NOT NULL AND other_cause <> main_cause
            GROUP BY ALL ORDER BY households DESC, main_cause, other_cause""", params).df()  # noqa: S608
        got = causes.cooccurrence(con, flt, V, population)
        pd.testing.assert_frame_equal(got, oracle)
        seen += len(got)
    assert seen > (20 if population == "registered" else 0)


@pytest.mark.parametrize("population", list(POPULATION))
def test_income_bands_cells_equal_households(con: duckdb.DuckDBPyConnection, population: str) -> None:
    for flt in _filters(con):
        where, params = _where(flt)
        oracle = con.execute(f"""
            SELECT CASE WHEN income_per_capita IS NULL OR poverty_line IS NULL THEN 'unknown'
                        WHEN income_per_capita < poverty_line THEN 'below_line'
                        WHEN income_per_capita < poverty_line * $factor THEN 'below_monitor'
                        ELSE 'above_monitor' END AS band,
                   {GROUP[population]} AS grp, count(*) AS households
            FROM hh_facts f WHERE {where} AND {POPULATION[population]}
            GROUP BY ALL ORDER BY band, grp""",  # noqa: S608
            {**params, "factor": MONITORING_FACTOR}).df()
        got = exits.income_bands(con, flt, V, population)
        pd.testing.assert_frame_equal(got, oracle)
    assert exits.income_bands(con, Filters(), V)["band"].nunique() >= 3


@pytest.mark.parametrize("population", list(POPULATION))
def test_income_histogram_cells_equal_households(con: duckdb.DuckDBPyConnection, population: str) -> None:
    for flt in _filters(con):
        where, params = _where(flt)
        for step, cap in ((0.25, 4.0), (0.5, 3.0)):  # the page's bins (cells), others (counted)
            oracle = con.execute(f"""
                SELECT greatest(least(floor(income_per_capita / poverty_line / $step) * $step, $cap), -$step) AS ratio_bin,
                       {GROUP[population]} AS grp, count(*) AS households
                FROM hh_facts f WHERE {where} AND income_per_capita IS NOT NULL AND poverty_line > 0
                    AND {POPULATION[population]}
                GROUP BY ALL ORDER BY ratio_bin, grp""",  # noqa: S608
                {**params, "step": step, "cap": cap}).df()
            got = exits.income_histogram(con, flt, V, step=step, cap=cap, population=population)
            pd.testing.assert_frame_equal(got, oracle)
    assert exits.income_histogram(con, Filters(), V)["ratio_bin"].nunique() > 5


def test_monitoring_cells_equal_households(con: duckdb.DuckDBPyConnection) -> None:
    seen = 0
    for flt in _filters(con):
        where, params = _where(flt)
        oracle = con.execute(f"""
            SELECT coalesce(monitoring_type, '返贫') AS kind,
                   CASE WHEN risk_eliminated THEN 'eliminated' WHEN NOT risk_eliminated THEN 'open'
                        ELSE 'unknown' END AS risk, count(*) AS households
            FROM hh_facts f WHERE {where} AND (monitored OR exit_status = '返贫')
            GROUP BY ALL ORDER BY kind, risk""", params).df()  # noqa: S608
        got = exits.monitoring(con, flt, V)
        pd.testing.assert_frame_equal(got, oracle)
        seen += len(got)
    assert seen > 5


# --- follow-up compliance and gaps -----------------------------------------------------------------


@pytest.mark.parametrize("shift_days", [0, -200])  # 0: the cells and the stored list; -200: counted
def test_compliance_equals_member_rows(con: duckdb.DuckDBPyConnection, shift_days: int) -> None:
    as_of = meta.data_as_of(con) + dt.timedelta(days=shift_days)
    for flt in _filters(con):
        members = health.ill_members(con, flt, V, as_of)
        assert health.compliance(con, flt, V, as_of) == health.compliance_summary(members)
        gaps = health.follow_up_gap_list(con, flt, V, as_of)
        assert len(gaps) == len(health.follow_up_gaps(members))
    whole = health.compliance(con, Filters(), V, as_of)
    assert whole["chronic"] > whole["compliant"] > 0


def _full(con: duckdb.DuckDBPyConnection, query: object) -> pd.DataFrame:
    return con.execute(query.ordered(), query.params).df()  # type: ignore[attr-defined]


@pytest.mark.parametrize("shift_days", [0, -200])
@pytest.mark.parametrize("viewer", [V, PII])
def test_member_pages_equal_the_full_lists(con: duckdb.DuckDBPyConnection, viewer: Viewer, shift_days: int) -> None:
    """A page (found on narrow columns first, sized from the cells at the data's as-of date) is the
    full list's first rows, and `total` its length."""
    as_of = meta.data_as_of(con) + dt.timedelta(days=shift_days)
    for flt in _filters(con):
        for limit in (1, 7, 40):
            for page_of, query_of in ((health.follow_up_gap_list, health.follow_up_gaps_query),
                                      (health.ill_members, health.ill_members_query)):
                full = _full(con, query_of(flt, viewer, as_of)).drop(columns=["seq", "is_head", "member_key"])
                page = page_of(con, flt, viewer, as_of, limit=limit)
                assert set(page.pop("total")) <= {len(full)} and len(page) == min(limit, len(full))
                if "compliant" in full:
                    full["compliant"] = full["compliant"].astype("boolean")
                # a page without NULLs has numpy dtypes
                pd.testing.assert_frame_equal(page, full.head(limit), check_dtype=False)
    assert len(_full(con, health.follow_up_gaps_query(Filters(), viewer, as_of))) > 50


def test_member_page_of_an_empty_filter(con: duckdb.DuckDBPyConnection) -> None:
    as_of = meta.data_as_of(con)
    flt = Filters(townships=("没有这个镇",))
    assert health.follow_up_gap_list(con, flt, V, as_of, limit=5).empty
    assert health.ill_members(con, flt, V, as_of, limit=5).empty
    assert health.compliance(con, flt, V, as_of) == {"chronic": 0, "compliant": 0}


# --- out-of-pocket risks ---------------------------------------------------------------------------


def _oop_oracle(con: duckdb.DuckDBPyConnection, flt: Filters, year: int | None, share: float,
                fixed: float | None) -> pd.DataFrame:
    """From the ledgers: claims per household and year, income of that year (else the latest) x members."""
    where, params = _where(flt)
    return con.execute(f"""
        WITH hy AS (
            SELECT household_id, year(admission_date) AS year, count(*) AS claims,
                CAST(sum(total_cost) AS BIGINT) AS total_cost, round(sum(out_of_pocket), 2) AS out_of_pocket  -- to the fen
            FROM medical_claims WHERE admission_date IS NOT NULL GROUP BY ALL
        ), latest AS (
            SELECT household_id, arg_max(income_per_capita, income_year) AS income FROM household_income GROUP BY ALL
        ), t AS (
            SELECT f.township, f.village, hy.household_id, f.head_name AS name, hy.year, f.n_members,
                coalesce(hi.income_per_capita, latest.income, f.income_per_capita) AS income_per_capita,
                hy.claims, hy.total_cost, hy.out_of_pocket
            FROM hy JOIN hh_facts f USING (household_id)
            LEFT JOIN household_income hi ON hi.household_id = hy.household_id AND hi.income_year = hy.year
            LEFT JOIN latest ON latest.household_id = hy.household_id
            WHERE {where} AND ($year IS NULL OR hy.year = $year)
        )
        SELECT township, village, household_id, name, year, n_members, income_per_capita,
            income_per_capita * n_members AS household_income, claims, total_cost, out_of_pocket,
            round(coalesce(CAST($fixed AS DOUBLE), $share * income_per_capita * n_members), 2) AS threshold,  -- to the fen
            out_of_pocket / nullif(income_per_capita * n_members, 0) AS oop_income_ratio
        FROM t WHERE out_of_pocket > coalesce(CAST($fixed AS DOUBLE), $share * income_per_capita * n_members)
        ORDER BY oop_income_ratio DESC NULLS LAST, out_of_pocket DESC, year, household_id""",  # noqa: S608
        {**params, "year": year, "share": share, "fixed": fixed}).df()


def test_oop_risks_equal_the_claims(con: duckdb.DuckDBPyConnection) -> None:
    years = [None, *health.claim_years(con, Filters(), V)]
    assert len(years) >= 2
    seen = 0
    for flt in _filters(con):
        for year in years:
            for share, fixed in ((rules.RISK_INCOME_SHARE, None), (0.1, None), (0.5, 1000.0)):
                got = health.oop_risks(con, flt, PII, year, income_share=share, fixed_amount=fixed)
                oracle = _oop_oracle(con, flt, year, share, fixed)
                assert set(got.pop("total")) <= {len(oracle)}
                pd.testing.assert_frame_equal(got, oracle, check_dtype=False)
                seen += len(got)
    assert seen > 100


def test_oop_risks_page_and_masking(con: duckdb.DuckDBPyConnection) -> None:
    full = health.oop_risks(con, Filters(), PII, None, income_share=0.1)
    assert len(full) > 10
    page = health.oop_risks(con, Filters(), V, None, income_share=0.1, limit=4)
    assert len(page) == 4 and set(page["total"]) == {len(full)}
    assert list(page["household_id"]) == list(full["household_id"].head(4))
    assert list(page["name"]) == [mask_name_value(n, V) for n in full["name"].head(4)]
    query = health.oop_risks_query(Filters(), V, None, 0.1)  # what the page's download runs
    assert len(con.execute(query.ordered(), query.params).df()) == len(full)


# --- inspection sample -----------------------------------------------------------------------------

SPECS = (visits.SampleSpec(), visits.SampleSpec(villages=3), visits.SampleSpec(registered=2, other=1),
         visits.SampleSpec(registered=0, other=3), visits.SampleSpec(registered=7, other=0, villages=5))


def _drawn_at_query_time(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, spec: visits.SampleSpec,
                         monkeypatch: pytest.MonkeyPatch) -> pd.DataFrame:
    with monkeypatch.context() as m:
        m.setattr(visits, "_stored_sample_holds", lambda *a, **k: False)
        return visits.inspection_sample(con, flt, viewer, spec)


def test_stored_sample_equals_the_draw(con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    town = _filters(con)[1].townships
    for viewer in (V, PII, Viewer(townships=town)):
        for flt in _filters(con):
            for spec in SPECS:
                assert visits._stored_sample_holds(con, flt, viewer, spec)  # every group whole in the demo
                got = visits.inspection_sample(con, flt, viewer, spec)
                pd.testing.assert_frame_equal(got, _drawn_at_query_time(con, flt, viewer, spec, monkeypatch))
    assert len(visits.inspection_sample(con, Filters(), V, visits.SampleSpec())) > 100
    assert not visits._stored_sample_holds(con, Filters(), V, visits.SampleSpec(seed=7))


def test_shallow_stored_sample_is_used_only_when_it_holds(snap: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A draw stored 3 deep: filters whose groups keep enough of their first 3 read it; the others are
    drawn at query time; both equal the draw over every household."""
    path = tmp_path / "shallow.duckdb"
    shutil.copyfile(snap, path)
    with duckdb.connect(str(path)) as c:
        derive_cells.build_sample_draw(c, FULL, None, depth=3)
    used = {True: 0, False: 0}
    with duckdb.connect(str(path), read_only=True) as c:
        assert c.execute("SELECT count(*) FILTER (WHERE NOT group_complete) FROM list_sample_draw").fetchall()[0][0]
        for flt in _filters(c):
            for spec in (visits.SampleSpec(registered=1, other=1), visits.SampleSpec(registered=3, other=2),
                         visits.SampleSpec(registered=4, other=1), visits.SampleSpec(registered=2, villages=4)):
                used[visits._stored_sample_holds(c, flt, V, spec)] += 1
                got = visits.inspection_sample(c, flt, V, spec)
                pd.testing.assert_frame_equal(got, _drawn_at_query_time(c, flt, V, spec, monkeypatch))
    assert used[True] > 0 and used[False] > 0
