"""Households whose stored facts change when only the as-of date moves.

The stored derived tables answer at the data's as-of date (the latest event in the data). Facts that
move for many households whenever that date moves are not stored as answers but in a form valid at any
later date: the visit planner adds "no visit in 30 days" at query time (etl.visit_rank), the archive's
visit and income checks are summed from dated rows and stored in the defect list with the date they
start to fail (etl.quality_checks), a chronic patient carries the date until which the follow-up rule
holds (etl.derive_cells.compliant_until_sql). What remains are a few facts per person, and `touch`
finds the households where they change, by evaluating them at the old and the new date, so a load
recomputes those households and nobody else:
- a member's age crossing a threshold where a stored fact depends on it: 65 in a household of one (an
  elderly person living alone: hh_facts, the visit planner), 6 or 16 for a child out of school
  (hh_facts' school-age children out of school and their sums per cell): these households are
  rewritten in those tables only (etl.owners.AGED_TABLES);
- 6 or 16 in a household with a child without a school status (the archive's school check): only the
  check's rows of the defect list are written again (etl.owners.school_check_rows). Where children
  have no school status (any export without 在校生状况) this is most of the ~10k households a week
  moves at 10M, and they cost a read of their hh_facts and insp_school_age rows, not of every table;
- an event dated after the old as-of date that the new one reaches (a follow-up or visit entered with a
  future date starts to count).
When the as-of date moves back (a ledger replaced its latest dates), every household is touched and the
load rebuilds the derived tables whole. The property test (tests/test_incremental.py) moves the as-of
date with birthdays around the thresholds to check that nothing was missed.
"""

from __future__ import annotations

from datetime import date

import duckdb

from etl.owners import Touched
from etl.quality_checks import dated_check_sql
from etl.rules import ELDERLY_ALONE_AGE, NOT_IN_SCHOOL_PATTERN, SCHOOL_AGE
from etl.sqlexpr import age_sql


def _crosses(ages: tuple[int, ...], birth: str = "birth_date") -> str:
    """An age (born on `birth`) crosses one of `ages` between $d0 and $d1, as hh_facts and the pages
    count ages (etl.sqlexpr.age_sql): a range of birth dates per age (a day's margin each side keeps 29
    February exact), then the exact test on those few members."""
    ranges = " OR ".join(f"{birth} BETWEEN CAST($d0 AS DATE) - INTERVAL {a} YEAR - INTERVAL 2 DAY "
                         f"AND CAST($d1 AS DATE) - INTERVAL {a} YEAR + INTERVAL 2 DAY" for a in ages)
    d0, d1 = "CAST($d0 AS DATE)", "CAST($d1 AS DATE)"
    exact = " OR ".join(f"(({age_sql(birth, d0)} >= {a}) IS DISTINCT FROM ({age_sql(birth, d1)} >= {a}))"
                        for a in ages)
    return f"({ranges}) AND ({exact})"


def touch(con: duckdb.DuckDBPyConnection, touched: Touched, before: date, after: date) -> None:
    """Add to `touched` the households whose dated facts differ between the as-of dates `before` and
    `after` (all of them when `after` is earlier)."""
    if after < before:
        touched.add("hk", "SELECT hk FROM households")
        return
    params = {"d0": before, "d1": after}
    # events that start to count: every derived table of their household (as a load of them would be)
    touched.add("hk", "SELECT hk FROM visits WHERE visit_date > $d0 AND visit_date <= $d1", params)
    # ages: the tables of age facts only (etl.owners.AGED_TABLES), for households not touched otherwise,
    # and only where a stored fact can change:
    aged = [
        # an elderly person living alone (hh_facts.elderly_alone, the visit planner's reason): the one
        # member's birth date is the household's oldest (10M rows of hh_facts read, not 30M members)
        f"""SELECT hk FROM hh_facts WHERE member_count = 1
            AND {_crosses((ELDERLY_ALONE_AGE,), "oldest_birth_date")}""",  # noqa: S608 - constants
        # a child out of school enters or leaves school age (hh_facts.school_out_count and its sums): on
        # the first day of school age and on the day after it
        f"""SELECT hk FROM members WHERE {_crosses((SCHOOL_AGE[0], SCHOOL_AGE[1] + 1))}
            AND regexp_matches(coalesce(school_status, ''), '{NOT_IN_SCHOOL_PATTERN}')""",  # noqa: S608
    ]
    sql = " UNION ".join(aged)
    touched.add("hk", f"{sql} EXCEPT SELECT hk FROM t_hk", params, suffix="_aged")  # noqa: S608 - constants
    # the archive's school check, where it fails: a child of school age without a school status (its
    # rows show how many children of school age have one), with its own age rule; its rows of the defect
    # list only (etl.owners.school_check_rows), for households the load does not rewrite whole
    school = dated_check_sql("school", "birth_date")
    touched.add("hk", f"""SELECT hk FROM insp_school_age
        WHERE ({school.replace('$as_of', '$d0')}) IS DISTINCT FROM ({school.replace('$as_of', '$d1')})
        AND hk IN (SELECT hk FROM insp_school_age WHERE NOT has_school_status)
        EXCEPT SELECT hk FROM t_hk""", params, suffix="_school")  # noqa: S608 - constants
