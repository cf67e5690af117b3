"""Overview: KPIs and the per-township / per-village table."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from etl.codes import RECTIFICATION_CLOSED
from queries.filters import (
    Filters,
    Viewer,
    area_where,
    fetch,
    household_where,
    households_in,
    in_scope,
    merge,
)

_COUNTS = """
    count(*) FILTER (WHERE f.registered) AS households,
    coalesce(sum(f.member_count) FILTER (WHERE f.registered), 0)::BIGINT AS people,
    count(*) FILTER (WHERE f.exit_status = '已脱贫') AS exited,
    count(*) FILTER (WHERE f.exit_status = '未脱贫') AS not_exited,
    count(*) FILTER (WHERE f.exit_status = '返贫') AS returned,
    count(*) FILTER (WHERE f.exit_status = '已脱贫') / nullif(count(*) FILTER (WHERE f.registered), 0)
        AS exit_rate,
    count(*) FILTER (WHERE f.monitored) AS monitored,
    count(*) FILTER (WHERE f.has_intervention) / nullif(count(*), 0) AS coverage,
    count(*) FILTER (WHERE f.suspected_wrong_exit) AS wrong_exits
"""


def kpis(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: dt.date) -> pd.DataFrame:
    """One row: households, people, exited, not_exited, returned, exit_rate, monitored, coverage,
    wrong_exits, all_households, rect_open, rect_overdue, archive_defects."""
    where, params = household_where(flt, viewer)
    out = fetch(con, f"SELECT {_COUNTS}, count(*) AS all_households FROM hh_facts f WHERE {where}", params)  # noqa: S608
    rwhere, rparams = merge(area_where(flt, viewer, "r.township", "r.village"), in_scope(viewer, "r.household_id"))
    rect = fetch(
        con,
        f"""SELECT count(*) FILTER (WHERE NOT list_contains($closed, coalesce(r.status, ''))) AS rect_open,
                   count(*) FILTER (WHERE NOT list_contains($closed, coalesce(r.status, ''))
                                    AND r.deadline < $as_of) AS rect_overdue
            FROM rectifications r WHERE {rwhere}""",  # noqa: S608
        {**rparams, "closed": list(RECTIFICATION_CLOSED), "as_of": as_of},
    )
    dwhere, dparams = households_in(flt, viewer, "d.household_id")
    defects = fetch(con, f"SELECT count(*) AS archive_defects FROM data_issues d WHERE {dwhere}", dparams)  # noqa: S608
    return pd.concat([out, rect, defects], axis=1)


def by_area(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, level: str = "township") -> pd.DataFrame:
    """Per township (level="township") or per village (level="village": township + village columns)."""
    keys = "f.township" if level == "township" else "f.township, f.village"
    where, params = household_where(flt, viewer)
    return fetch(
        con,
        f"""SELECT {keys}, {_COUNTS}
            FROM hh_facts f WHERE {where}
            GROUP BY ALL ORDER BY households DESC, {keys}""",  # noqa: S608
        params,
    )
