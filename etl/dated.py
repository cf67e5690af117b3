"""Households whose stored facts change when only the as-of date moves.

The stored derived tables answer at the data's as-of date (the latest event in the data). A load that
moves it (a visits file with newer dates, say) changes the answers of households it never touched: a
member turns 60, a visit falls out of the 30-day window. `touch` finds exactly those households, by
evaluating at the old and the new date every stored fact that depends on the date, so a load
recomputes them and nobody else. These are all such facts; a new one belongs here too, and the
property test (tests/test_incremental.py) moves the as-of date to check that nothing was missed:
- a member's age against AGE_THRESHOLDS (hh_facts: elderly, elderly alone, school-age children out of
  school; the archive's school check; the visit planner's "elderly living alone");
- the last visit against the 30-day windows (visit planner, archive's visit check);
- follow-ups and check-ups in the last 12 months and the last follow-up against 90 days (health page);
- the latest income year against the as-of year (archive's income check).
"""

from __future__ import annotations

from datetime import date

import duckdb

from etl.derive import AGE_THRESHOLDS
from etl.derive_cells import MAX_DAYS_WITHOUT_FOLLOW_UP
from etl.owners import Touched
from etl.quality_checks import VISIT_WITHIN_DAYS
from etl.sqlexpr import window_count
from etl.visit_rank import DEFAULT_NO_VISIT_DAYS


def _age(birth: str, as_of: str) -> str:
    """The age hh_facts stores (NULL when born after the as-of date)."""
    return f"CASE WHEN {birth} <= {as_of} THEN date_sub('year', {birth}, {as_of}) END"


def _changes(expr: str) -> str:
    """`expr` (over $d0 as the as-of date) differs at $d1."""
    return f"(({expr.replace('$d', '$d0')}) IS DISTINCT FROM ({expr.replace('$d', '$d1')}))"


def touch(con: duckdb.DuckDBPyConnection, touched: Touched, before: date, after: date) -> None:
    """Add to `touched` the households whose dated facts differ between the as-of dates `before` and
    `after`."""
    d = "CAST($d AS DATE)"
    ages = " OR ".join(_changes(f"{_age('birth_date', d)} >= {t}") for t in AGE_THRESHOLDS)
    visits = " OR ".join([
        _changes(f"date_diff('day', last_visit_date, {d}) > {DEFAULT_NO_VISIT_DAYS}"),
        _changes(f"last_visit_date > {d} - INTERVAL {VISIT_WITHIN_DAYS} DAY"),
        _changes(f"latest_income_year >= year({d}) - 1"),
    ])
    follow_ups = " OR ".join([
        _changes(window_count("follow_up_dates", d)),
        _changes(window_count("check_up_dates", d)),
        _changes(f"date_diff('day', last_follow_up_date, {d}) <= {MAX_DAYS_WITHOUT_FOLLOW_UP}"),
    ])
    params = {"d0": before, "d1": after}
    touched.add("hk", f"SELECT hk FROM members WHERE birth_date IS NOT NULL AND ({ages})", params)  # noqa: S608
    touched.add("hk", f"SELECT hk FROM hh_facts WHERE {visits}", params)  # noqa: S608
    touched.add("hk", f"SELECT hk FROM list_ill_member WHERE {follow_ups}", params)  # noqa: S608
