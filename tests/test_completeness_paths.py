"""Completeness at any as-of date (stored fixed sums + `agg_quality_dated`, the one path) gives exactly
what evaluating every check per household gives, on the demo county, for dates before, at and after the
data's as-of date and for several filters and viewers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from etl.quality_checks import CHECKS, DATED_KIND, dated_check_sql, household_checks_cte
from etl.rules import SCHOOL_AGE
from etl.sqlexpr import age_sql
from queries import meta, quality
from queries.filters import Filters, Viewer, household_where

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def con(demo_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return demo_con  # the demo county as the command line loads it (conftest)


def _full(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: dt.date, level: str) -> pd.DataFrame:
    """The oracle: every check evaluated per household (`household_checks_cte`) at as_of, then summed."""
    keys = {"township": "township", "village": "township, village"}[level]
    where, params = household_where(flt, viewer, "f")
    sums = ", ".join(f"CAST(sum(req_{c}) AS BIGINT) AS req_{c}, CAST(sum(ok_{c}) AS BIGINT) AS ok_{c}" for c in CHECKS)
    req = " + ".join(f"sum(req_{c})" for c in CHECKS)
    ok = " + ".join(f"sum(ok_{c})" for c in CHECKS)
    sql = f"""
        WITH {household_checks_cte(where)}
        SELECT {keys}, count(*) AS households, CAST({req} AS BIGINT) AS required,
            CAST({ok} AS BIGINT) AS passed, ({ok}) / nullif({req}, 0) AS score, {sums}
        FROM hc GROUP BY {keys} ORDER BY score ASC NULLS LAST, {keys}
    """  # noqa: S608 - test oracle over constants and the filter WHERE
    return con.execute(sql, {**params, "as_of": as_of}).df()


def _cases(con: duckdb.DuckDBPyConnection) -> list[tuple[Filters, Viewer]]:
    town, cause = con.execute("SELECT township, main_cause FROM hh_facts WHERE main_cause IS NOT NULL "
                              "GROUP BY ALL ORDER BY count(*) DESC, 1, 2 LIMIT 1").fetchall()[0]
    village, attribute = con.execute("SELECT village, household_attribute FROM hh_facts WHERE township = ? "
                                     "AND household_attribute IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC, 1, 2 "
                                     "LIMIT 1", [town]).fetchall()[0]
    lo, hi = con.execute("SELECT min(identified_year), max(identified_year) FROM hh_facts").fetchall()[0]
    other = con.execute("SELECT min(township) FROM hh_facts WHERE township <> ?", [town]).fetchall()[0][0]
    county = Viewer()
    return [
        (Filters(), county),
        (Filters(townships=(town,)), county),
        (Filters(townships=(town,), main_causes=(cause,)), county),
        (Filters(villages=(village,), household_attributes=(attribute,)), county),
        (Filters(identified_years=(lo, (lo + hi) // 2)), county),
        (Filters(), Viewer(townships=(town, other))),  # a township official's scope
    ]


def _dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    as_of = meta.data_as_of(con)
    first_visit = con.execute("SELECT min(last_visit_date) FROM hh_facts").fetchall()[0][0]
    return [
        as_of,
        as_of - dt.timedelta(days=1),
        as_of - dt.timedelta(days=200),
        as_of.replace(year=as_of.year - 1, day=min(as_of.day, 28)),
        first_visit - dt.timedelta(days=10),  # before every visit
        as_of + dt.timedelta(days=45),
        as_of.replace(year=as_of.year + 3, day=min(as_of.day, 28)),  # "today" some years on
        dt.date(2016, 2, 29), dt.date(2019, 3, 1),  # leap-day edges of the school window
    ]


@pytest.mark.parametrize("level", ["township", "village"])
def test_computed_completeness_equals_full_computation(con: duckdb.DuckDBPyConnection, level: str) -> None:
    seen = 0
    for as_of in _dates(con):
        for flt, viewer in _cases(con):
            full = _full(con, flt, viewer, as_of, level)
            computed = quality.completeness(con, flt, viewer, as_of, level)
            pd.testing.assert_frame_equal(computed, full)
            seen += len(full)
    assert seen > 100


@pytest.mark.parametrize("level", ["township", "village"])
def test_stored_completeness_equals_full_computation(con: duckdb.DuckDBPyConnection, level: str) -> None:
    as_of = meta.data_as_of(con)
    for flt, viewer in _cases(con):
        full = _full(con, flt, viewer, as_of, level)
        assert len(full) > 0
        pd.testing.assert_frame_equal(quality.completeness(con, flt, viewer, as_of, level), full)


def test_the_dated_checks_change_with_the_date(con: duckdb.DuckDBPyConnection) -> None:
    """The demo county makes every dated check bite, so the equality above tests something."""
    by_date = {d: quality.completeness(con, Filters(), Viewer(), d) for d in _dates(con)}
    for check in ("school", "income", "visit"):
        oks = {int(df[f"ok_{check}"].sum()) for df in by_date.values()}
        assert len(oks) >= 2 and max(oks) > 0, check
    assert max(int(df["req_school"].sum()) for df in by_date.values()) > 0
    as_of = meta.data_as_of(con)
    fixed = [c for c in CHECKS if c not in ("school", "income", "visit")]
    for df in by_date.values():  # the fixed checks are the same at every date
        for c in fixed:
            assert df[f"ok_{c}"].sum() == by_date[as_of][f"ok_{c}"].sum()


class _Recorder:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.sql = con, []  # type: list[str]

    def execute(self, sql: str, params: Any = None) -> duckdb.DuckDBPyConnection:
        self.sql.append(sql)
        return self.con.execute(sql, params)


def test_computed_path_reads_only_the_stored_tables(con: duckdb.DuckDBPyConnection) -> None:
    rec = _Recorder(con)
    quality.completeness(rec, Filters(), Viewer(), dt.date(2030, 1, 1))  # type: ignore[arg-type]
    sql = " ".join(rec.sql)
    assert "agg_quality_dated" in sql and "hh_facts" not in sql and "insp_school_age" not in sql
    assert con.execute("SELECT count(DISTINCT kind) FROM agg_quality_dated").fetchall()[0][0] == len(DATED_KIND)


def test_school_window_equals_age_day_by_day(con: duckdb.DuckDBPyConnection) -> None:
    """The school check's date range (which lets the scan skip row groups) is exactly `age()` between
    6 and 15, for every as-of day of a leap year and around 29 February of the years after."""
    window = dated_check_sql("school", "b").replace("$as_of", "a")
    age = age_sql("b", "a")
    days = "SELECT unnest(generate_series(DATE '2016-01-01', DATE '2016-12-31', INTERVAL 1 DAY))::DATE AS a"
    edges = ", ".join(f"DATE '{y}-02-27', DATE '{y}-02-28', DATE '{y}-03-01'" for y in range(2017, 2022))
    mismatches, in_window = con.execute(f"""
        WITH as_of_days AS ({days} UNION ALL SELECT unnest([{edges}, DATE '2020-02-29'])),
        pairs AS (
            SELECT t.a, CAST(g.b AS DATE) AS b FROM as_of_days t,
            LATERAL generate_series(t.a - INTERVAL {SCHOOL_AGE[1] + 3} YEAR, t.a - INTERVAL {SCHOOL_AGE[0] - 2} YEAR,
                                    INTERVAL 1 DAY) g(b))
        SELECT count(*) FILTER (WHERE ({age} BETWEEN {SCHOOL_AGE[0]} AND {SCHOOL_AGE[1]}) <> ({window})),
            count(*) FILTER (WHERE {window})
        FROM pairs
    """).fetchall()[0]  # noqa: S608 - constants only
    assert in_window > 0
    assert mismatches == 0
