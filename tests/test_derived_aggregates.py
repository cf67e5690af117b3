"""The summary tables built with every snapshot (etl.derive, `agg_*`) agree with the base tables.

Checked on the demo county as loaded by the real loader, and on the small fixture database: each figure a
page reads from a summary table equals the same figure counted directly from interventions / members /
hh_facts with a join.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from etl.derive import AGG_KEYS

KEYS = ", ".join(AGG_KEYS)


@pytest.fixture(scope="module", params=["demo", "fixture"])
def any_con(request: pytest.FixtureRequest, demo_con: duckdb.DuckDBPyConnection,
            fixture_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    if request.param == "demo":
        yield demo_con
        return
    con = duckdb.connect(str(fixture_db), read_only=True)
    yield con
    con.close()


def same(con: duckdb.DuckDBPyConnection, left: str, right: str) -> None:
    """Both queries return the same multiset of rows (and something)."""
    a = sorted(con.execute(left).fetchall(), key=repr)
    b = sorted(con.execute(right).fetchall(), key=repr)
    assert a == b
    assert a, "nothing to compare"


def test_demo_has_interventions(demo_con: duckdb.DuckDBPyConnection) -> None:
    assert demo_con.execute("SELECT count(*) FROM interventions").fetchone()[0] > 100


def test_households_per_cell(any_con: duckdb.DuckDBPyConnection) -> None:
    same(any_con,
         f"""SELECT {KEYS}, households, registered, people, monitored, with_intervention, wrong_exits, members,
                    below_line, unsafe_housing, unsafe_water, uninsured, uninsured_members, school_out,
                    school_out_children, assurances_ok FROM agg_household""",  # noqa: S608
         f"""SELECT {KEYS}, count(*), count(*) FILTER (WHERE registered),
                    coalesce(sum(member_count) FILTER (WHERE registered), 0), count(*) FILTER (WHERE monitored),
                    count(*) FILTER (WHERE has_intervention), count(*) FILTER (WHERE suspected_wrong_exit),
                    sum(member_count), count(*) FILTER (WHERE income_below_line),
                    count(*) FILTER (WHERE unsafe_housing), count(*) FILTER (WHERE unsafe_water),
                    count(*) FILTER (WHERE has_uninsured), sum(uninsured_count),
                    count(*) FILTER (WHERE has_school_out), sum(school_out_count),
                    count(*) FILTER (WHERE assurances_ok)
             FROM hh_facts GROUP BY ALL""")  # noqa: S608
    cells = any_con.execute("SELECT count(*), count(DISTINCT cell) FROM agg_household").fetchone()
    assert cells[0] == cells[1]


def test_household_measures(any_con: duckdb.DuckDBPyConnection) -> None:
    """hh_facts' per-household measure figures (categories as bits of the code list) equal a plain
    count over interventions, including categories outside the code list (loaded as NULL) and
    households without any."""
    same(any_con,
         """SELECT household_id, intervention_count, category_count, round(amount_total, 2), categories,
                   has_intervention FROM hh_facts""",
         """SELECT h.household_id, count(i.household_id), count(DISTINCT i.category),
                   round(coalesce(sum(i.amount_yuan), 0), 2),
                   coalesce(list(DISTINCT i.category ORDER BY i.category) FILTER (WHERE i.category IS NOT NULL), []),
                   count(i.household_id) > 0
            FROM households h LEFT JOIN interventions i USING (household_id) GROUP BY ALL""")
    assert any_con.execute("SELECT count(*) FROM hh_facts WHERE category_count > 1").fetchone()[0] > 0


def test_category_coverage(any_con: duckdb.DuckDBPyConnection) -> None:
    same(any_con,
         "SELECT township, category, sum(households)::BIGINT FROM agg_category GROUP BY ALL",
         """SELECT f.township, i.category, count(DISTINCT i.household_id)
            FROM interventions i JOIN hh_facts f USING (household_id)
            WHERE i.category IS NOT NULL GROUP BY ALL""")
    same(any_con,
         "SELECT main_cause, exit_status, category, sum(households)::BIGINT FROM agg_category GROUP BY ALL",
         """SELECT f.main_cause, f.exit_status, i.category, count(DISTINCT i.household_id)
            FROM interventions i JOIN hh_facts f USING (household_id)
            WHERE i.category IS NOT NULL GROUP BY ALL""")


def test_measures_by_year(any_con: duckdb.DuckDBPyConnection) -> None:
    same(any_con,
         """SELECT township, year, category, sum(measures)::BIGINT, round(coalesce(sum(amount_yuan), 0), 2),
                   sum(households)::BIGINT
            FROM agg_measure GROUP BY ALL""",
         """SELECT f.township, coalesce(i.year, year(i.start_date)), coalesce(i.category, '其他'), count(*),
                   round(coalesce(sum(i.amount_yuan), 0), 2), count(DISTINCT i.household_id)
            FROM interventions i JOIN hh_facts f USING (household_id) GROUP BY ALL""")


def test_projects(any_con: duckdb.DuckDBPyConnection) -> None:
    same(any_con,
         """SELECT project, exit_status, sum(households)::BIGINT, sum(measures)::BIGINT,
                   round(coalesce(sum(amount_yuan), 0), 2)
            FROM agg_project GROUP BY ALL""",
         """SELECT i.project, f.exit_status, count(DISTINCT i.household_id), count(*),
                   round(coalesce(sum(i.amount_yuan), 0), 2)
            FROM interventions i JOIN hh_facts f USING (household_id)
            WHERE i.project IS NOT NULL AND trim(i.project) <> '' GROUP BY ALL""")
    same(any_con,
         "SELECT project, category, sum(measures)::BIGINT FROM agg_project_category GROUP BY ALL",
         """SELECT i.project, i.category, count(*) FROM interventions i JOIN hh_facts f USING (household_id)
            WHERE i.project IS NOT NULL AND trim(i.project) <> '' AND i.category IS NOT NULL GROUP BY ALL""")


def test_member_values(any_con: duckdb.DuckDBPyConnection) -> None:
    same(any_con,
         """SELECT main_cause, value, sum(members)::BIGINT FROM agg_member_value
            WHERE dimension = 'health' GROUP BY ALL""",
         """SELECT main_cause, value, count(*) FROM (
                SELECT f.main_cause,
                       unnest(CASE WHEN len(coalesce(m.health, [])) = 0 THEN ['未填写'] ELSE m.health END) AS value
                FROM members m JOIN hh_facts f USING (household_id)) GROUP BY ALL""")
    same(any_con,
         """SELECT township, value, sum(members)::BIGINT FROM agg_member_value
            WHERE dimension = 'labor_skill' GROUP BY ALL""",
         """SELECT f.township, coalesce(m.labor_skill, '未填写'), count(*)
            FROM members m JOIN hh_facts f USING (household_id) GROUP BY ALL""")
