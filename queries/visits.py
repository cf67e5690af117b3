"""Visit planner (入户走访): ranked households with transparent reasons, and the inspection sample.

Each reason is a rule with a weight; a household's score is the sum of the weights of its reasons and
the list is ranked by score, then by days since the last visit (never visited first). The rules and
weights are shown on the page (labels `visits.reason.<code>` and `visits.rule.<code>`); they are defined
once, as SQL, in `etl.visit_rank`, which also stores the default ranking with every snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from etl.derive_cells import SAMPLE_DEPTH, SAMPLE_SEED, draw_key_sql, seed_draw
from etl.rules import DEFAULT_NO_VISIT_DAYS
from etl.sqlexpr import age_sql
from etl.visit_rank import (
    ORDER,
    QUERY_TIME_REASON,
    STORED_ORDER,
    WEIGHTS,
    reason_sql,
    scored_sql,
)
from queries.filters import Filters, Viewer, household_where, mask_name, merge
from queries.meta import data_as_of
from queries.paging import ListQuery

__all__ = ["WEIGHTS", "SampleSpec", "inspection_sample", "visit_list",
           "visit_list_query"]


def visit_list_query(flt: Filters, viewer: Viewer, as_of: date, no_visit_days: int = DEFAULT_NO_VISIT_DAYS,
                     weights: dict[str, int] | None = None, include_zero: bool = False,
                     stored_as_of: date | None = None) -> ListQuery:
    """The full ranked list (no LIMIT), for `visit_list` and extracts (`rank` via `ListQuery.ranked`).

    `stored_as_of`: the as-of date of the snapshot's `list_visit`; when it is `as_of` and the weights
    are the defaults, the list is read from it (any window: that reason is added here), else ranked
    from hh_facts here."""
    weights = dict(WEIGHTS if weights is None else weights)
    where, params = household_where(flt, viewer, "b")
    params = {**params, "as_of": as_of, "days": int(no_visit_days)}
    codes = list(reason_sql())
    listed = ", ".join(f"CASE WHEN r_{code} THEN '{code}' END" for code in codes)
    columns = f"""township, village, household_id, {mask_name('head_name', viewer)} AS head_name,
            n_members, {age_sql('oldest_birth_date')} AS oldest_age, exit_status, monitoring_type,
            main_cause, income_per_capita, income_year, poverty_line, last_visit_date,
            days_since_visit, n_open_items, n_issues,
            intervention_count, {", ".join(f"r_{c}" for c in codes)},
            list_filter([{listed}], lambda r: r IS NOT NULL) AS reasons,
            score, seq"""
    positive = "TRUE" if include_zero else "score > 0"
    if not (stored_as_of == as_of and weights == WEIGHTS):
        sql = f"SELECT {columns} FROM ({scored_sql(where, weights)}) AS s WHERE {positive}"  # noqa: S608
        return ListQuery(sql, params, ORDER, hidden=("seq",), rank=True)
    # list_visit stores every reason but the last visit's, which moves with the as-of date: it is added
    # here, splitting the list into the households with it and without; within each part the score is
    # base_score plus a constant, so the part is in list_visit's stored order (etl.visit_rank.STORED_ORDER)
    recent = f"coalesce({reason_sql()[QUERY_TIME_REASON]}, false)"
    days = "date_diff('day', last_visit_date, $as_of) AS days_since_visit"
    bonus = int(weights[QUERY_TIME_REASON])

    def scored(extra: str) -> str:  # `positive` over the stored columns, the reason's weight given
        return "TRUE" if include_zero else f"base_score + {extra} > 0"

    def part(rows: str, has_reason: bool) -> str:
        flag = str(has_reason).upper()
        return f"""SELECT {columns}, base_score FROM (
                SELECT *, {days}, {flag} AS r_{QUERY_TIME_REASON}, base_score + {bonus if has_reason else 0} AS score
                FROM list_visit b WHERE {rows} AND {recent} = {flag}) AS s
            WHERE {positive}"""  # noqa: S608 - clauses from code constants; values are parameters

    parts, paged = [], []
    for has_reason in (True, False):
        parts.append((part(where, has_reason), STORED_ORDER))
        # a page's rows of the part: its first $limit found on the stored columns, fetched by rowid (L,
        # 10M households: 54 ms against 6 ms; a top-N over the part masked every candidate's name first)
        first = f"""SELECT b.rowid FROM list_visit b WHERE {where} AND {recent} = {str(has_reason).upper()}
                    AND {scored(str(bonus if has_reason else 0))} ORDER BY {STORED_ORDER} LIMIT $limit"""  # noqa: S608
        paged.append(part(f"b.rowid IN ({first}) AND {where}", has_reason))
    sql = " UNION ALL ".join(f"({select})" for select, _ in parts)
    # the size in one scan of the stored columns (two parts, each masking its names: 50 ms at L for a
    # township and a cause)
    total = f"SELECT count(*) FROM list_visit b WHERE {where} AND {scored(f'CASE WHEN {recent} THEN {bonus} ELSE 0 END')}"  # noqa: S608
    return ListQuery(sql, params, ORDER, parts=tuple(parts), paged_parts=tuple(paged), hidden=("seq", "base_score"),
                     rank=True, total=total)


def visit_list(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date,
               no_visit_days: int = DEFAULT_NO_VISIT_DAYS, weights: dict[str, int] | None = None,
               include_zero: bool = False, limit: int | None = None) -> pd.DataFrame:
    """Households in the filter ranked by the weighted sum of their reasons.

    Columns: `rank`, area and household, `r_<code>` flags for each reason, `reasons` (list of codes in
    display order), `score`, `days_since_visit` (NA = never visited), `total` (the full list's size;
    the frame holds the first `limit` rows, all when None).
    """
    return visit_list_query(flt, viewer, as_of, no_visit_days, weights, include_zero, data_as_of(con)).page(con, limit)


@dataclass(frozen=True)
class SampleSpec:
    """An inspection sample: villages drawn by seed, then households per village by seed."""

    seed: int = SAMPLE_SEED  # the page's default: its draw is stored with the snapshot
    villages: int | None = None  # villages to sample per filter (None = every village)
    registered: int = 20  # registered (建档立卡) households per sampled village
    other: int = 5  # non-registered (monitored edge) households per sampled village


def _stored_sample_holds(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, spec: SampleSpec) -> bool:
    """Whether `list_sample_draw` holds this sample exactly: the stored seed, and every (village,
    registered) group of the filtered area either stored whole or with at least as many filtered
    households among its stored first ones as the sample takes (at least one, so that the villages
    drawn are those with a filtered household)."""
    n = max(int(spec.registered), int(spec.other))
    if spec.seed != SAMPLE_SEED or n > SAMPLE_DEPTH:
        return False
    if flt == flt.area_only():  # whole groups: each stored whole or `depth` deep
        rows = con.execute("SELECT min(seed), max(seed), min(depth) FROM list_sample_draw").fetchall()
        if not rows or rows[0][0] is None:
            return True  # no household: nothing to draw either way
        low, high, depth = rows[0]
        if low == high == spec.seed and n <= depth:
            return True
    where, params = household_where(flt, viewer, "f")
    area, area_params = merge(household_where(flt.area_only(), viewer, "f"))  # renamed: no clash with `where`
    sql = f"""
        SELECT bool_and(seed = $seed AND (complete OR passing >= greatest(1, CASE WHEN registered
                        THEN $n_registered ELSE $n_other END)))
        FROM (SELECT f.grp, any_value(f.registered) AS registered, any_value(f.seed) AS seed,
                     bool_and(f.group_complete) AS complete, count(*) FILTER (WHERE {where}) AS passing
              FROM list_sample_draw f WHERE {area} GROUP BY f.grp)
    """  # noqa: S608
    rows = con.execute(sql, {**params, **area_params, "seed": int(spec.seed), "n_registered": int(spec.registered),
                             "n_other": int(spec.other)}).fetchall()
    return not rows or rows[0][0] is None or bool(rows[0][0])  # no group: nothing to draw either way


def inspection_sample(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer,
                      spec: SampleSpec) -> pd.DataFrame:
    """A reproducible stratified random sample.

    Villages are ordered by md5(seed|township|village) and the first `spec.villages` drawn; within
    each, households are ordered by (a × h + b) mod (2^31 − 1), where h comes from md5(household_id)
    (`hh_facts.draw_hash`, stored with the snapshot) and a, b from md5(seed), separately for registered
    and other households, and the first `registered` / `other` taken. Same data + same seed = same
    sample, on any machine (md5, not a random generator), with no md5 per household per request.
    The default seed's draw is stored (`list_sample_draw`: its `draw` orders a group as the key does)
    and read when it holds the sample; otherwise every filtered household is drawn here.
    """
    where, params = household_where(flt, viewer, "f")
    if _stored_sample_holds(con, flt, viewer, spec):
        source, key, group = "list_sample_draw", "draw", "grp"
        if flt == flt.area_only():  # every row of a group passes: its first n are those drawn first
            where += " AND f.draw <= $n_max"
    else:
        source, key, group = "hh_facts", draw_key_sql(), "township, village, registered"
        a, b = seed_draw(spec.seed)
        params = {**params, "a": a, "b": b}
    # Top n per (village, registered) by an aggregate (min_by keeps n per group: no sort of the pool);
    # hh_facts' key packs the draw number and seq (place order) into one BIGINT: draw < 2^31, seq < 2^30.
    sql = f"""
        WITH pool AS (
            SELECT * FROM {source} f WHERE {where}
        ),
        picked AS (
            SELECT any_value(township) AS township, any_value(village) AS village,
                any_value(registered) AS registered, min_by(seq, {key}, $n_max) AS seqs
            FROM pool GROUP BY {group}
        ),
        vill AS (
            SELECT township, village,
                row_number() OVER (ORDER BY md5(CAST($seed AS VARCHAR) || '|' || township || '|' || village))
                    AS village_draw
            FROM (SELECT DISTINCT township, village FROM picked)
        ),
        drawn AS (
            SELECT v.village_draw, p.registered, unnest(p.seqs) AS seq, generate_subscripts(p.seqs, 1) AS draw
            FROM picked p JOIN vill v USING (township, village)
            WHERE $n_villages IS NULL OR v.village_draw <= $n_villages
        )
        SELECT d.village_draw, f.township, f.village, d.registered, d.draw, f.household_id,
            {mask_name('f.head_name', viewer)} AS head_name, f.member_count AS household_size, f.exit_status,
            f.monitoring_type, f.main_cause
        FROM drawn d JOIN {source} f USING (seq)
        WHERE (d.registered AND d.draw <= $n_registered) OR (NOT d.registered AND d.draw <= $n_other)
        ORDER BY d.village_draw, d.registered DESC, d.draw
    """  # noqa: S608
    params = {**params, "n_max": max(1, int(spec.registered), int(spec.other))}
    return con.execute(sql, {**params, "seed": int(spec.seed), "n_villages": spec.villages,
                             "n_registered": int(spec.registered), "n_other": int(spec.other)}).df()
