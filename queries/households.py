"""Household lists behind a bar or a KPI (personal data masked unless the viewer may see it).

`listing(con, flt, viewer, *, condition=None, main_cause=None, township=None, village=None,
exit_status=None, category=None, limit=None)`: one row per household (the first `limit` in
order, with the full list's size in `total`; `listing_query` gives the full list for extracts) with masked head name / ID /
phone and the facts an inspector needs. `condition` is one of CONDITIONS (a fixed SQL predicate, never
user text); the other keyword values are bound parameters.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl.inspection_rules import SUSPECTED_MISSED_SQL
from queries.filters import Filters, Viewer, household_where, mask_id, mask_name, mask_phone
from queries.paging import ListQuery

CONDITIONS: dict[str, str] = {
    "wrong_exit": "f.suspected_wrong_exit",
    # the 一户一策 gap: registered households without a measure, as the coverage and the overview count
    # them; monitored households outside the registry apart (a probe: a list of 24 beside "20" everywhere)
    "no_intervention": "f.registered AND NOT f.has_intervention",
    "monitored_no_intervention": "f.monitored AND NOT f.registered AND NOT f.has_intervention",
    "below_line": "f.income_below_line",
    "below_monitor": "f.income_below_monitor",
    "unsafe_housing": "f.unsafe_housing",
    "unsafe_water": "f.unsafe_water",
    "uninsured": "f.has_uninsured",
    "school_out": "f.has_school_out",
    "returned": "f.exit_status = '返贫'",
    "monitored": "f.monitored",
    "registered": "f.registered",
    "elderly_alone": "f.elderly_alone",
    "suspected_missed": SUSPECTED_MISSED_SQL,  # 疑似漏评: monitored, not registered, below the line
}

REASONS_SQL = """list_filter([
    CASE WHEN f.income_below_line THEN '收入低于贫困线' END,
    CASE WHEN f.unsafe_housing THEN '住房不安全' END,
    CASE WHEN f.unsafe_water THEN '饮水不安全' END,
    CASE WHEN f.has_uninsured THEN '未参加基本医保' END,
    CASE WHEN f.has_school_out THEN '适龄儿童失学辍学' END], lambda x: x IS NOT NULL)"""


def listing_query(
    flt: Filters,
    viewer: Viewer,
    *,
    condition: str | None = None,
    main_cause: str | None = None,
    township: str | None = None,
    village: str | None = None,
    exit_status: str | None = None,
    category: str | None = None,
) -> ListQuery:
    """The full household list (no ORDER BY / LIMIT): what `listing` pages and extracts write out."""
    where, params = household_where(flt, viewer)
    parts = [where]
    if condition is not None:
        parts.append(CONDITIONS[condition])
    for column, value in (("main_cause", main_cause), ("township", township), ("village", village),
                          ("exit_status", exit_status)):
        if value is not None:
            params[f"x_{column}"] = value
            parts.append(f"f.{column} = $x_{column}")
    if category is not None:
        params["x_category"] = category
        parts.append("list_contains(f.categories, $x_category)")
    sql = f"""SELECT f.township, f.village, f.household_id,
                   {mask_name('f.head_name', viewer)} AS head_name,
                   {mask_id('f.head_id_number', viewer)} AS head_id_number,
                   {mask_phone('f.phone', viewer)} AS phone,
                   f.member_count, f.household_attribute, f.main_cause, f.other_causes, f.exit_status,
                   f.exit_year, f.monitoring_type, f.income_per_capita, f.income_year, f.poverty_line,
                   {REASONS_SQL} AS reasons,
                   f.categories, f.amount_total, f.helper_name, f.helper_unit, f.seq
            FROM hh_facts f WHERE {' AND '.join(parts)}"""  # noqa: S608
    # seq = township, village, household_id; a full build stores hh_facts in seq order (etl.derive)
    return ListQuery(sql, params, "seq", stored_table="hh_facts", hidden=("seq",))


def listing(
    con: duckdb.DuckDBPyConnection,
    flt: Filters,
    viewer: Viewer,
    *,
    condition: str | None = None,
    main_cause: str | None = None,
    township: str | None = None,
    village: str | None = None,
    exit_status: str | None = None,
    category: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The first `limit` households in order (all when None), with the full list's size in `total`."""
    return listing_query(flt, viewer, condition=condition, main_cause=main_cause, township=township,
                         village=village, exit_status=exit_status, category=category).page(con, limit)
