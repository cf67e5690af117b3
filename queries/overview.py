"""Overview: KPIs and the per-township / per-village table."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from etl.codes import RECTIFICATION_CLOSED
from queries.filters import (
    Filters,
    Viewer,
    fetch,
    household_where,
)
from queries.rectification import item_where

# over agg_household (alias c): one row per filter cell, household counts that add up
_COUNTS = """
    coalesce(sum(c.registered), 0)::BIGINT AS households,
    coalesce(sum(c.people), 0)::BIGINT AS people,
    coalesce(sum(c.households) FILTER (WHERE c.exit_status = '已脱贫'), 0)::BIGINT AS exited,
    coalesce(sum(c.households) FILTER (WHERE c.exit_status = '未脱贫'), 0)::BIGINT AS not_exited,
    coalesce(sum(c.households) FILTER (WHERE c.exit_status = '返贫'), 0)::BIGINT AS returned,
    coalesce(sum(c.households) FILTER (WHERE c.exit_status = '已脱贫'), 0) / nullif(sum(c.registered), 0)
        AS exit_rate,
    coalesce(sum(c.monitored), 0)::BIGINT AS monitored,
    sum(c.with_intervention) / nullif(sum(c.households), 0) AS coverage,
    coalesce(sum(c.wrong_exits), 0)::BIGINT AS wrong_exits
"""


def kpis(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: dt.date) -> pd.DataFrame:
    """One row: households, people, exited, not_exited, returned, exit_rate, monitored, coverage,
    wrong_exits, all_households, rect_open, rect_overdue, archive_defects."""
    where, params = household_where(flt, viewer, alias="c")
    out = fetch(con, f"SELECT {_COUNTS}, coalesce(sum(c.households), 0)::BIGINT AS all_households "  # noqa: S608
                     f"FROM agg_household c WHERE {where}", params)
    rwhere, rparams = item_where(flt, viewer, household_filters=False)
    rect = fetch(
        con,
        f"""SELECT count(*) FILTER (WHERE NOT list_contains($closed, coalesce(r.status, ''))) AS rect_open,
                   count(*) FILTER (WHERE NOT list_contains($closed, coalesce(r.status, ''))
                                    AND r.deadline < $as_of) AS rect_overdue
            FROM list_rectification r WHERE {rwhere}""",  # noqa: S608
        {**rparams, "closed": list(RECTIFICATION_CLOSED), "as_of": as_of},
    )
    dwhere, dparams = household_where(flt, viewer, alias="d")
    defects = fetch(con, f"SELECT count(*) AS archive_defects FROM list_issue d WHERE {dwhere}", dparams)  # noqa: S608
    return pd.concat([out, rect, defects], axis=1)


def by_area(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, level: str = "township") -> pd.DataFrame:
    """Per township (level="township") or per village (level="village": township + village columns)."""
    keys = "c.township" if level == "township" else "c.township, c.village"
    where, params = household_where(flt, viewer, alias="c")
    return fetch(
        con,
        f"""SELECT {keys}, {_COUNTS}
            FROM agg_household c WHERE {where}
            GROUP BY ALL ORDER BY households DESC, {keys}""",  # noqa: S608
        params,
    )
