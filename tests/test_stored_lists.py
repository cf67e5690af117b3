"""Lists read from snapshot-time tables (`list_visit`, `list_ill_member`, `list_project_household`,
`hh_facts.seq`) give exactly what computing them at query time gives, on the demo county."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.derive_cells import DRAW_PRIME, seed_draw
from queries import assistance, health, households, meta, quality, visits
from queries.filters import Filters, Viewer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def con(demo_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return demo_con  # the demo county as the command line loads it (conftest)


def _filters(con: duckdb.DuckDBPyConnection) -> list[Filters]:
    town, cause = con.execute("SELECT township, main_cause FROM hh_facts WHERE main_cause IS NOT NULL "
                              "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").fetchall()[0]
    return [Filters(), Filters(townships=(town,)), Filters(townships=(town,), main_causes=(cause,))]


def _full(con: duckdb.DuckDBPyConnection, query: object) -> pd.DataFrame:
    df = con.execute(query.ordered(), query.params).df()  # type: ignore[attr-defined]
    return df.drop(columns=["base_score"], errors="ignore")


def _cells(df: pd.DataFrame) -> list[list[object]]:
    """The values row by row, every kind of missing value as None (a page of rows without one has
    another dtype than the whole list)."""
    def cell(v: object) -> object:
        if isinstance(v, (list, tuple)) or getattr(v, "ndim", 0):  # a list of reasons
            return [cell(x) for x in v]
        return None if pd.isna(v) else v

    return [[cell(v) for v in row] for row in df.astype(object).values.tolist()]


@pytest.mark.parametrize("viewer", [Viewer(), Viewer(pii=True)])
def test_stored_visit_ranking_equals_computed(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> None:
    as_of = meta.data_as_of(con)
    for flt in _filters(con):
        stored = visits.visit_list_query(flt, viewer, as_of, stored_as_of=as_of)
        computed = visits.visit_list_query(flt, viewer, as_of)
        assert "list_visit" in stored.sql and "list_visit" not in computed.sql
        a, b = _full(con, stored), _full(con, computed)
        assert len(a) > 50
        pd.testing.assert_frame_equal(a, b)
        # a page merges the first rows of the list's two parts (with and without the recent-visit reason,
        # each found on its stored columns first); it starts with the rank and leaves out the columns
        # that only order the list
        for limit in (1, 7, 40):
            page = stored.page(con, limit)
            assert page["rank"].tolist() == list(range(1, len(page) + 1)) and "seq" not in page
            assert set(page["total"]) == {len(b)}
            assert _cells(page.drop(columns=["rank", "total"])) == _cells(b.head(limit).drop(columns=["seq"]))
    # households without a reason too (score 0): the parts' first rows keep them
    with_zero = visits.visit_list_query(Filters(), viewer, as_of, include_zero=True, stored_as_of=as_of)
    full = _full(con, visits.visit_list_query(Filters(), viewer, as_of, include_zero=True))
    assert (full["score"] == 0).any()
    assert _cells(with_zero.page(con, len(full) - 1).drop(columns=["rank", "total"])) == _cells(
        full.head(len(full) - 1).drop(columns=["seq"]))


def test_visit_list_other_window_reads_the_stored_list(con: duckdb.DuckDBPyConnection) -> None:
    """The 'no recent visit' reason is added at query time, so another window still reads list_visit."""
    as_of = meta.data_as_of(con)
    q = visits.visit_list_query(Filters(), Viewer(), as_of, no_visit_days=7, stored_as_of=as_of)
    assert "list_visit" in q.sql
    computed = visits.visit_list_query(Filters(), Viewer(), as_of, no_visit_days=7)
    pd.testing.assert_frame_equal(_full(con, q), _full(con, computed))
    df = visits.visit_list(con, Filters(), Viewer(), as_of, no_visit_days=7)
    default = visits.visit_list(con, Filters(), Viewer(), as_of)
    assert df["r_no_recent_visit"].sum() >= default["r_no_recent_visit"].sum()


def _oracle_counts(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """Follow-ups and check-ups per household in the 12 months up to as_of, straight from the ledger."""
    return con.execute("""
        SELECT household_id,
            count(*) FILTER (WHERE visit_type = '家庭医生随访') AS fu,
            count(*) FILTER (WHERE visit_type = '健康体检') AS cu
        FROM visits
        WHERE visit_date > CAST($as_of AS DATE) - INTERVAL 12 MONTH AND visit_date <= $as_of
        GROUP BY household_id""", {"as_of": as_of}).df().set_index("household_id")


@pytest.mark.parametrize("shift_days", [0, -200])
def test_ill_member_follow_ups_match_the_ledger(con: duckdb.DuckDBPyConnection, shift_days: int) -> None:
    as_of = meta.data_as_of(con) + dt.timedelta(days=shift_days)  # 0: precomputed; -200: from the lists
    df = health.ill_members(con, Filters(), Viewer(), as_of)
    oracle = _oracle_counts(con, as_of)
    expected_fu = df["household_id"].map(oracle["fu"]).fillna(0).astype(int)
    expected_cu = df["household_id"].map(oracle["cu"]).fillna(0).astype(int)
    assert (df["follow_ups_12m"].astype(int) == expected_fu).all()
    assert (df["check_ups_12m"].astype(int) == expected_cu).all()
    assert expected_fu.sum() > 0
    members = con.execute("""SELECT count(*) FROM members
        WHERE list_has_any(coalesce(health, []), ['长期慢性病', '患有大病', '残疾'])""").fetchall()[0][0]
    assert len(df) == members


def test_ill_members_in_place_order(con: duckdb.DuckDBPyConnection) -> None:
    df = health.ill_members(con, Filters(), Viewer(), meta.data_as_of(con))
    keys = list(zip(df["township"], df["village"], df["household_id"], strict=True))
    assert keys == sorted(keys)


def test_project_households_equal_the_ledger(con: duckdb.DuckDBPyConnection) -> None:
    projects = assistance.projects(con, Filters(), Viewer())
    assert len(projects)
    for project in projects["project"]:
        df = assistance.project_households(con, Filters(), Viewer(), project)
        oracle = con.execute("""
            SELECT household_id, coalesce(year, year(start_date)) AS year, sum(amount_yuan) AS amount
            FROM interventions WHERE project = $p GROUP BY ALL ORDER BY household_id, year NULLS LAST""",
            {"p": project}).df()  # one row per household and year: an amount is of its year (issue 13)
        got = df.sort_values(["household_id", "year"], na_position="last").reset_index(drop=True)
        assert list(got["household_id"]) == list(oracle["household_id"])
        assert got["amount_yuan"].fillna(0).tolist() == pytest.approx(oracle["amount"].fillna(0).tolist())
        assert got["year"].fillna(-1).tolist() == oracle["year"].fillna(-1).tolist()


def test_listing_seq_is_place_order(con: duckdb.DuckDBPyConnection) -> None:
    for flt in _filters(con):
        df = households.listing(con, flt, Viewer())
        keys = list(zip(df["township"], df["village"], df["household_id"], strict=True))
        assert keys == sorted(keys) and len(keys) == households.listing(con, flt, Viewer(), limit=1)["total"].iloc[0]


@pytest.mark.parametrize("viewer", [Viewer(), Viewer(pii=True)])
def test_stored_defects_equal_computed(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> None:
    as_of = meta.data_as_of(con)
    towns = [r[0] for r in con.execute("SELECT DISTINCT township FROM hh_facts ORDER BY 1").fetchall()]
    seen = 0
    for flt in _filters(con):
        for town in [None, *towns]:
            stored = quality.defects_query(flt, viewer, as_of, town, stored_as_of=as_of)
            computed = quality.defects_query(flt, viewer, as_of, town)
            assert "list_defect" in stored.sql and "list_defect" not in computed.sql
            a, b = _full(con, stored), _full(con, computed)
            pd.testing.assert_frame_equal(a, b)
            # a page merges the first rows of the stored list (built only up to the place of its last
            # row: a limit may cut a household's rows) and of the visit and income checks, without the
            # columns that only order it; its total is the whole list's, counted without the masking
            for limit in (1, 7, 30):
                page = stored.page(con, limit)
                assert set(page["total"]) <= {len(b)}
                first = b.head(limit).drop(columns=list(stored.hidden))
                assert _cells(page.drop(columns=["total"])) == _cells(first)
            seen += len(a)
    assert seen > 100


def test_inspection_sample_is_the_first_n_by_draw_key(con: duckdb.DuckDBPyConnection) -> None:
    """The aggregate top-n equals ranking every household of a village by its draw key (window oracle)."""
    for spec in (visits.SampleSpec(), visits.SampleSpec(seed=7, villages=3, registered=4, other=2)):
        got = visits.inspection_sample(con, Filters(), Viewer(pii=True), spec)
        a, b = seed_draw(spec.seed)
        oracle = con.execute(f"""
            WITH v AS (SELECT township, village, row_number() OVER (ORDER BY md5(CAST($seed AS VARCHAR) || '|'
                       || township || '|' || village)) AS village_draw FROM (SELECT DISTINCT township, village
                       FROM hh_facts)),
            r AS (SELECT f.household_id, f.registered, v.village_draw, row_number() OVER (
                      PARTITION BY f.township, f.village, f.registered
                      ORDER BY (f.draw_hash * $a + $b) % {DRAW_PRIME}, f.household_id) AS draw
                  FROM hh_facts f JOIN v USING (township, village)
                  WHERE $nv IS NULL OR v.village_draw <= $nv)
            SELECT village_draw, registered, draw, household_id FROM r
            WHERE (registered AND draw <= $nr) OR (NOT registered AND draw <= $no)
            ORDER BY village_draw, registered DESC, draw""",
            {"seed": spec.seed, "a": a, "b": b, "nv": spec.villages, "nr": spec.registered,
             "no": spec.other}).df()
        assert len(got) > 10
        assert list(got["household_id"]) == list(oracle["household_id"])
        assert list(got["draw"]) == list(oracle["draw"])


def test_health_sums_from_cells_equal_household_rows(con: duckdb.DuckDBPyConnection) -> None:
    for flt in _filters(con):
        ill = health.ill_by_township(con, flt, Viewer()).set_index("township")
        enrol = health.enrolment_by_township(con, flt, Viewer()).set_index("township")
        town = flt.townships[0] if flt.townships else None
        oracle = con.execute("""
            SELECT township, count(*) AS households,
                count(*) FILTER (WHERE main_cause IN ('因病', '因残')
                                 OR list_has_any(coalesce(other_causes, []), ['因病', '因残'])) AS ill_cause,
                sum(ill_count) AS ill_members, sum(n_chronic) AS chronic, sum(n_medical_insured) AS insured,
                sum(n_chronic_doctor) AS chronic_doctor
            FROM hh_facts WHERE ($t IS NULL OR township = $t) AND ($c IS NULL OR main_cause = $c)
            GROUP BY township""", {"t": town, "c": flt.main_causes[0] if flt.main_causes else None}
        ).df().set_index("township")
        assert sorted(ill.index) == sorted(oracle.index)
        for t in oracle.index:
            assert ill.loc[t, "households"] == oracle.loc[t, "households"]
            assert ill.loc[t, "ill_cause_households"] == oracle.loc[t, "ill_cause"]
            assert ill.loc[t, "ill_members"] == oracle.loc[t, "ill_members"]
            assert enrol.loc[t, "chronic"] == oracle.loc[t, "chronic"]
            assert enrol.loc[t, "medical_insured"] == oracle.loc[t, "insured"]
            assert enrol.loc[t, "chronic_doctor_signed"] == oracle.loc[t, "chronic_doctor"]


def test_a_follow_up_leaves_the_twelve_months_on_the_stored_date() -> None:
    """`_leaves(x)` is the first as-of date d at which `window_count` no longer counts a follow-up of x,
    for every day of three years (29 February included)."""
    from etl.derive_cells import _leaves
    from etl.sqlexpr import window_count

    mem = duckdb.connect()
    bad = mem.execute(f"""
        WITH x AS (SELECT CAST(d AS DATE) AS x FROM range(DATE '2019-01-01', DATE '2022-01-01', INTERVAL 1 DAY) t(d)),
        days AS (SELECT CAST(d AS DATE) AS day FROM range(DATE '2019-01-01', DATE '2024-01-01', INTERVAL 1 DAY) t(d))
        SELECT x, {_leaves('x')} AS stored,
            (SELECT min(day) FROM days WHERE day >= x AND {window_count('[x]', 'day')} = 0) AS counted
        FROM x WHERE stored IS DISTINCT FROM counted""").fetchall()  # noqa: S608 - constants
    assert bad == []


def test_compliant_until_answers_the_rule_at_later_dates(con: duckdb.DuckDBPyConnection) -> None:
    """A chronic patient meets the follow-up rule at any as-of date from the data's on exactly when
    `compliant_until` is later (while no visit is added): what lets a load that moves the as-of date
    leave the stored rows alone."""
    from etl.rules import compliant_sql
    from etl.sqlexpr import window_count

    as_of = meta.data_as_of(con)
    later = con.execute("SELECT count(*) FROM list_ill_member WHERE list_has_any(follow_up_dates || check_up_dates, "
                        "[d for d in follow_up_dates || check_up_dates if d > ?])", [as_of]).fetchall()[0][0]
    assert later == 0  # no visit dated after the as-of date: the dates alone decide
    rule = compliant_sql(window_count("follow_up_dates", "$d"), window_count("check_up_dates", "$d"),
                         "date_diff('day', last_follow_up_date, $d)")
    seen = set()
    for days in (0, 1, 29, 30, 60, 89, 90, 91, 92, 120, 200, 300, 364, 365, 366, 400, 800):
        d = as_of + dt.timedelta(days=days)
        rows = con.execute(f"""SELECT count(*) FILTER (WHERE (compliant_until > $d) IS DISTINCT FROM ({rule})),
                                      count(*) FILTER (WHERE {rule})
                               FROM list_ill_member WHERE chronic""", {"d": d}).fetchall()[0]  # noqa: S608
        assert rows[0] == 0, (d, rows)
        seen.add(rows[1])
    assert len(seen) >= 3  # the rule's answer really changes over these dates
