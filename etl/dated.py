"""Households whose stored facts change when only the as-of date moves.

The stored derived tables answer at the data's as-of date (the latest event in the data). Facts that
move for many households whenever that date moves are not stored as answers but in a form valid at any
later date: the visit planner adds "no visit in 30 days" at query time (etl.visit_rank), the archive's
visit and income checks are summed from dated rows and stored in the defect list with the date they
start to fail (etl.quality_checks), a chronic patient carries the date until which the follow-up rule
holds (etl.derive_cells.compliant_until_sql). What remains are a few facts per person, and `touch`
finds the households where they change, by evaluating them at the old and the new date, so a load
recomputes those households and nobody else:
- a member's age against AGE_THRESHOLDS (hh_facts: elderly, elderly living alone, school-age children
  out of school, and their sums per cell; the archive's school check; the visit planner's "elderly
  living alone"): these households are rewritten in those tables only (etl.owners.AGED_TABLES);
- an event dated after the old as-of date that the new one reaches (a follow-up or visit entered with a
  future date starts to count).
When the as-of date moves back (a ledger replaced its latest dates), every household is touched and the
load rebuilds the derived tables whole. The property test (tests/test_incremental.py) moves the as-of
date with birthdays around the thresholds to check that nothing was missed.
"""

from __future__ import annotations

from datetime import date

import duckdb

from etl.derive import AGE_THRESHOLDS
from etl.owners import Touched


def _age(birth: str, as_of: str) -> str:
    """The age hh_facts stores (NULL when born after the as-of date)."""
    return f"CASE WHEN {birth} <= {as_of} THEN date_sub('year', {birth}, {as_of}) END"


def touch(con: duckdb.DuckDBPyConnection, touched: Touched, before: date, after: date) -> None:
    """Add to `touched` the households whose dated facts differ between the as-of dates `before` and
    `after` (all of them when `after` is earlier)."""
    if after < before:
        touched.add("hk", "SELECT hk FROM households")
        return
    # events that start to count: every derived table of their household (as a load of them would be)
    # a birthday crossing a threshold T lies within (before - T years, after - T years]; a day's margin
    # around that range keeps 29 February exact, and the exact test runs on those few members only
    ranges = " OR ".join(f"birth_date BETWEEN CAST($d0 AS DATE) - INTERVAL {t} YEAR - INTERVAL 2 DAY "
                         f"AND CAST($d1 AS DATE) - INTERVAL {t} YEAR + INTERVAL 2 DAY" for t in AGE_THRESHOLDS)
    exact = " OR ".join(f"(({_age('birth_date', 'CAST($d0 AS DATE)')} >= {t}) IS DISTINCT FROM "
                        f"({_age('birth_date', 'CAST($d1 AS DATE)')} >= {t}))" for t in AGE_THRESHOLDS)
    params = {"d0": before, "d1": after}
    touched.add("hk", "SELECT hk FROM visits WHERE visit_date > $d0 AND visit_date <= $d1", params)
    # ages: the tables of age facts only (etl.owners.AGED_TABLES), for households not touched otherwise
    touched.add("hk", f"""SELECT hk FROM members WHERE ({ranges}) AND ({exact})
                          EXCEPT SELECT hk FROM t_hk""", params, suffix="_aged")  # noqa: S608 - constants
