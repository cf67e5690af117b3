"""The visit planner's ranking rules as SQL over an `hh_facts` row, and `list_visit`: every household
with the default rules' reasons at the data's as-of date, stored with every snapshot.

Each reason is a rule with a weight; a household's score is the sum of the weights of its reasons and
the list is ranked by score, then by days since the last visit (never visited first), then by place
(`seq`). "No visit in the last 30 days" (`QUERY_TIME_REASON`) changes for many households whenever the
as-of date moves, so `list_visit` stores every other reason and their sum (`base_score`) and the last
visit date; the page adds that reason at its as-of date (queries.visits). Another as-of date, window or
set of weights ranks `hh_facts` at query time with the same SQL (`scored_sql`), so both give the same list.
"""

from __future__ import annotations

import duckdb

from etl.derived_table import as_of, replace
from etl.owners import Touched
from etl.rules import DEFAULT_NO_VISIT_DAYS, ELDERLY_ALONE_AGE
from etl.schema import FILTER_COLUMNS
from etl.scope import Scope
from etl.sqlexpr import age_sql, ill_cause_sql

ORDER = "score DESC, days_since_visit DESC NULLS FIRST, seq"  # seq = township, village, household

# reason code -> weight; the order is the order of display
WEIGHTS: dict[str, int] = {
    "elderly_alone": 30,
    "returned": 30,
    "monitored_risk": 25,
    "below_line": 25,
    "not_exited": 20,
    "no_measure": 20,
    "ill_disabled": 15,
    "no_recent_visit": 15,
    "open_item": 15,
    "near_line": 10,
    "archive_defects": 5,
}

# The reason `list_visit` leaves to the query: it depends on the as-of date for most households
QUERY_TIME_REASON = "no_recent_visit"
# list_visit's stored order: the page's order without the query-time reason (queries.visits re-sorts)
STORED_ORDER = "base_score DESC, last_visit_date ASC NULLS FIRST, seq"

# hh_facts columns a visit-list row shows (besides the filter columns, flags, score and order)
SHOWN = ("household_id", "head_name", "n_members", "oldest_birth_date", "income_per_capita", "income_year",
         "poverty_line", "last_visit_date", "n_open_items", "n_issues", "intervention_count")


def reason_sql() -> dict[str, str]:
    """SQL condition of each reason over the hh_facts row `b` ($as_of: the as-of date, $days: window)."""
    return {
        "elderly_alone": f"(b.n_members = 1 AND {age_sql('b.oldest_birth_date')} >= {ELDERLY_ALONE_AGE})",
        "returned": "(b.exit_status = '返贫')",
        "monitored_risk": "(b.monitored AND NOT coalesce(b.risk_eliminated, false))",
        "below_line": "b.income_below_line",
        "not_exited": "(b.exit_status = '未脱贫')",
        "no_measure": "NOT b.has_intervention",
        "ill_disabled": f"({ill_cause_sql('b')} OR b.has_ill OR b.has_disabled)",
        "no_recent_visit": "(b.last_visit_date IS NULL OR date_diff('day', b.last_visit_date, $as_of) > $days)",
        "open_item": "(b.n_open_items > 0)",
        "near_line": "(b.income_below_monitor AND NOT b.income_below_line)",
        "archive_defects": "(b.n_issues > 0)",
    }


def scored_sql(where: str, weights: dict[str, int], source: str = "hh_facts") -> str:
    """The hh_facts rows `b` passing `where`, with an `r_<code>` flag per reason, `score` and
    `days_since_visit` (parameters $as_of and $days)."""
    reasons = reason_sql()
    flags = ", ".join(f"coalesce({cond}, false) AS r_{code}" for code, cond in reasons.items())
    score = " + ".join(f"CASE WHEN r_{code} THEN {int(weights.get(code, 0))} ELSE 0 END" for code in reasons)
    keep = ", ".join(dict.fromkeys((*FILTER_COLUMNS, *SHOWN, "seq", "hk")))
    return f"""SELECT *, {score} AS score FROM (
            SELECT {keep}, date_diff('day', b.last_visit_date, $as_of) AS days_since_visit, {flags}
            FROM {source} b WHERE {where})"""  # noqa: S608 - code constants; values are parameters


def build(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched | None) -> None:
    """`list_visit` for the households of the scope (needs hh_facts and facts_meta): the default rules'
    reasons but `QUERY_TIME_REASON`, and their sum `base_score`; the query adds that reason and
    `days_since_visit` at its as-of date."""
    base = {**WEIGHTS, QUERY_TIME_REASON: 0}
    rows = scored_sql(scope.hk("b"), base, scope.src("hh_facts"))
    replace(con, scope, touched, "list_visit",
            f"SELECT * EXCLUDE (days_since_visit, r_{QUERY_TIME_REASON}, score), score AS base_score FROM ({rows})",  # noqa: S608
            STORED_ORDER, {"as_of": as_of(con), "days": DEFAULT_NO_VISIT_DAYS})
