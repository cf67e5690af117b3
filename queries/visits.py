"""Visit planner (入户走访): ranked households with transparent reasons, and the inspection sample.

Each reason is a rule with a weight; a household's score is the sum of the weights of its reasons and
the list is ranked by score, then by days since the last visit (never visited first). The rules and
weights are shown on the page (labels `visits.reason.<code>` and `visits.rule.<code>`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from etl.codes import ELDERLY_ALONE_AGE
from queries.filters import Filters, Viewer, household_where, mask_name
from queries.health import ILL_CAUSES, age_sql
from queries.paging import ListQuery

DEFAULT_NO_VISIT_DAYS = 30
VISIT_ORDER = "score DESC, days_since_visit DESC NULLS FIRST, seq"  # seq = township, village, household_id
ELDERLY_AGE = ELDERLY_ALONE_AGE  # the rule's age, shared with hh_facts.elderly_alone

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


def _reason_sql() -> dict[str, str]:
    """SQL condition of each reason over the row `b` (an hh_facts row)."""
    ill = f"(b.main_cause IN {ILL_CAUSES!r} OR list_has_any(coalesce(b.other_causes, []), {list(ILL_CAUSES)!r}))"
    return {
        "elderly_alone": f"(b.n_members = 1 AND {age_sql('b.oldest_birth_date')} >= {ELDERLY_AGE})",
        "returned": "(b.exit_status = '返贫')",
        "monitored_risk": "(b.monitored AND NOT coalesce(b.risk_eliminated, false))",
        "below_line": "b.income_below_line",
        "not_exited": "(b.exit_status = '未脱贫')",
        "no_measure": "NOT b.has_intervention",
        "ill_disabled": f"({ill} OR b.has_ill OR b.has_disabled)",
        "no_recent_visit": "(b.last_visit_date IS NULL OR date_diff('day', b.last_visit_date, $as_of) > $days)",
        "open_item": "(b.n_open_items > 0)",
        "near_line": "(b.income_below_monitor AND NOT b.income_below_line)",
        "archive_defects": "(b.n_issues > 0)",
    }


def visit_list_query(flt: Filters, viewer: Viewer, as_of: date, no_visit_days: int = DEFAULT_NO_VISIT_DAYS,
                     weights: dict[str, int] | None = None, include_zero: bool = False) -> ListQuery:
    """The full ranked list (no LIMIT), for `visit_list` and extracts (`rank` via `ListQuery.ranked`)."""
    weights = dict(WEIGHTS if weights is None else weights)
    reasons = _reason_sql()
    where, params = household_where(flt, viewer, "f")
    flags = ",\n            ".join(f"coalesce({cond}, false) AS r_{code}" for code, cond in reasons.items())
    score = " + ".join(f"CASE WHEN r_{code} THEN {int(weights.get(code, 0))} ELSE 0 END" for code in reasons)
    listed = ", ".join(f"CASE WHEN r_{code} THEN '{code}' END" for code in reasons)
    sql = f"""
        WITH base AS (
            SELECT f.* FROM hh_facts f
            WHERE {where}
        ),
        flagged AS (
            SELECT b.*, {flags}
            FROM base b
        ),
        scored AS (SELECT *, {score} AS score FROM flagged)
        SELECT township, village, household_id, {mask_name('head_name', viewer)} AS head_name,
            n_members, {age_sql('oldest_birth_date')} AS oldest_age, exit_status, monitoring_type,
            main_cause, income_per_capita, income_year, poverty_line, last_visit_date,
            date_diff('day', last_visit_date, $as_of) AS days_since_visit, n_open_items, n_issues,
            intervention_count, {", ".join(f"r_{c}" for c in reasons)},
            list_filter([{listed}], lambda r: r IS NOT NULL) AS reasons,
            score, seq
        FROM scored
        WHERE {"TRUE" if include_zero else "score > 0"}
    """  # noqa: S608 - clauses from code constants; values are parameters
    return ListQuery(sql, {**params, "as_of": as_of, "days": int(no_visit_days)}, VISIT_ORDER)


def visit_list(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date,
               no_visit_days: int = DEFAULT_NO_VISIT_DAYS, weights: dict[str, int] | None = None,
               include_zero: bool = False, limit: int | None = None) -> pd.DataFrame:
    """Households in the filter ranked by the weighted sum of their reasons.

    Columns: `rank`, area and household, `r_<code>` flags for each reason, `reasons` (list of codes in
    display order), `score`, `days_since_visit` (NA = never visited), `total` (the full list's size;
    the frame holds the first `limit` rows, all when None).
    """
    df = visit_list_query(flt, viewer, as_of, no_visit_days, weights, include_zero).page(con, limit).drop(
        columns=["seq"])
    df.insert(0, "rank", range(1, len(df) + 1))
    return df


@dataclass(frozen=True)
class SampleSpec:
    """An inspection sample: villages drawn by seed, then households per village by seed."""

    seed: int = 2020
    villages: int | None = None  # villages to sample per filter (None = every village)
    registered: int = 20  # registered (建档立卡) households per sampled village
    other: int = 5  # non-registered (monitored edge) households per sampled village


def inspection_sample(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer,
                      spec: SampleSpec) -> pd.DataFrame:
    """A reproducible stratified random sample.

    Villages are ordered by md5(seed|township|village) and the first `spec.villages` drawn; within
    each, households are ordered by md5(seed|household_id) separately for registered and other
    households and the first `registered` / `other` taken. Same data + same seed = same sample, on
    any machine (md5, not a random generator).
    """
    where, params = household_where(flt, viewer, "f")
    sql = f"""
        WITH pool AS (
            SELECT h.household_id, h.township, h.village, h.registered, h.head_name, h.exit_status,
                h.monitoring_type, h.main_cause, h.household_size
            FROM hh_facts f JOIN households h USING (household_id) WHERE {where}
        ),
        vill AS (
            SELECT township, village,
                row_number() OVER (ORDER BY md5(CAST($seed AS VARCHAR) || '|' || township || '|' || village))
                    AS village_draw
            FROM (SELECT DISTINCT township, village FROM pool)
        ),
        ranked AS (
            SELECT p.*, v.village_draw,
                row_number() OVER (PARTITION BY p.township, p.village, p.registered
                    ORDER BY md5(CAST($seed AS VARCHAR) || '|' || p.household_id)) AS draw
            FROM pool p JOIN vill v USING (township, village)
            WHERE $n_villages IS NULL OR v.village_draw <= $n_villages
        )
        SELECT village_draw, township, village, registered, draw, household_id,
            {mask_name('head_name', viewer)} AS head_name, household_size, exit_status, monitoring_type,
            main_cause
        FROM ranked
        WHERE (registered AND draw <= $n_registered) OR (NOT registered AND draw <= $n_other)
        ORDER BY village_draw, registered DESC, draw
    """  # noqa: S608
    return con.execute(sql, {**params, "seed": int(spec.seed), "n_villages": spec.villages,
                             "n_registered": int(spec.registered), "n_other": int(spec.other)}).df()
