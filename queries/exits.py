"""Exit status: status by area, exits by year, income against the line, 两不愁三保障, monitoring and
returned households, suspected wrong exits (疑似错退) per township against the allowed 2%."""

from __future__ import annotations

import duckdb
import pandas as pd

from etl.derive_cells import RATIO_CAP, RATIO_ROWS_SQL, RATIO_STEP, ratio_bin_sql
from queries.filters import Filters, Viewer, fetch, household_where

WRONG_EXIT_LIMIT = 0.02  # the wrong-exit rate assessments allow


def status_by_area(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, level: str = "township"
                   ) -> pd.DataFrame:
    """township[, village], exit_status, households, share (registered households only)."""
    keys = "c.township" if level == "township" else "c.township, c.village"
    where, params = household_where(flt, viewer, alias="c")
    return fetch(
        con,
        f"""SELECT {keys}, c.exit_status, sum(c.households)::BIGINT AS households,
                   sum(c.households) / sum(sum(c.households)) OVER (PARTITION BY {keys}) AS share
            FROM agg_household c WHERE {where} AND c.exit_status IS NOT NULL
            GROUP BY {keys}, c.exit_status ORDER BY {keys}, c.exit_status""",  # noqa: S608
        params,
    )


def by_year(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """exit_year, exited (still exited), returned (exited that year, since returned), cumulative exited."""
    where, params = household_where(flt, viewer, alias="c")
    exited = "coalesce(sum(c.households) FILTER (WHERE c.exit_status = '已脱贫'), 0)::BIGINT"
    return fetch(
        con,
        f"""SELECT c.exit_year, {exited} AS exited,
                   coalesce(sum(c.households) FILTER (WHERE c.exit_status = '返贫'), 0)::BIGINT AS returned,
                   sum({exited}) OVER (ORDER BY c.exit_year)::BIGINT AS cumulative
            FROM agg_household c WHERE {where} AND c.exit_year IS NOT NULL
            GROUP BY c.exit_year ORDER BY c.exit_year""",  # noqa: S608
        params,
    )


def income_bands(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """band (below_line / below_monitor / above_monitor / unknown), exit_status, households."""
    where, params = household_where(flt, viewer, alias="c")
    # agg_income_band: households per filter cell and band (etl.derive_cells.INCOME_BAND_SQL)
    return fetch(
        con,
        f"""SELECT c.band, coalesce(c.exit_status, '监测户') AS exit_status, sum(c.households)::BIGINT AS households
            FROM agg_income_band c WHERE {where}
            GROUP BY ALL ORDER BY band, exit_status""",  # noqa: S608
        params,
    )


def income_histogram(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, step: float = RATIO_STEP,
                     cap: float = RATIO_CAP) -> pd.DataFrame:
    """ratio_bin (income / line of its year, lower edge, capped at `cap`), exit_status, households.

    The page's bins are summed from the `agg_income_ratio` cells, other bins counted from hh_facts."""
    if (step, cap) == (RATIO_STEP, RATIO_CAP):
        where, params = household_where(flt, viewer, alias="c")
        sql = f"""SELECT c.ratio_bin, coalesce(c.exit_status, '监测户') AS exit_status,
                         sum(c.households)::BIGINT AS households
                  FROM agg_income_ratio c WHERE {where}
                  GROUP BY ALL ORDER BY ratio_bin, exit_status"""  # noqa: S608
        return fetch(con, sql, params)
    where, params = household_where(flt, viewer)
    params.update({"step": step, "cap": cap})
    return fetch(
        con,
        f"""SELECT {ratio_bin_sql("$step", "$cap")} AS ratio_bin,
                   coalesce(f.exit_status, '监测户') AS exit_status, count(*) AS households
            FROM hh_facts f WHERE {where} AND {RATIO_ROWS_SQL}
            GROUP BY ALL ORDER BY ratio_bin, exit_status""",  # noqa: S608
        params,
    )


def assurances(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """Per township: households, unsafe_housing, unsafe_water, uninsured (households) + uninsured_members,
    school_out (households) + school_out_children, assurances_ok."""
    where, params = household_where(flt, viewer, alias="c")
    return fetch(
        con,
        f"""SELECT c.township, sum(c.households)::BIGINT AS households,
                   sum(c.unsafe_housing)::BIGINT AS unsafe_housing,
                   sum(c.unsafe_water)::BIGINT AS unsafe_water,
                   sum(c.uninsured)::BIGINT AS uninsured,
                   sum(c.uninsured_members)::BIGINT AS uninsured_members,
                   sum(c.school_out)::BIGINT AS school_out,
                   sum(c.school_out_children)::BIGINT AS school_out_children,
                   sum(c.assurances_ok)::BIGINT AS assurances_ok
            FROM agg_household c WHERE {where}
            GROUP BY c.township ORDER BY households DESC, c.township""",  # noqa: S608
        params,
    )


def monitoring(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """kind (monitoring type, or 返贫 for returned households without one), risk_eliminated, households."""
    where, params = household_where(flt, viewer, alias="c")
    # agg_monitoring: per filter cell, households by kind and risk state (etl.derive_cells)
    return fetch(
        con,
        f"""SELECT c.kind, c.risk, sum(c.households)::BIGINT AS households
            FROM agg_monitoring c WHERE {where}
            GROUP BY ALL ORDER BY c.kind, c.risk""",  # noqa: S608
        params,
    )


def wrong_exits(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """Per township: exited, wrong_exits, rate (wrong exits / exited), over_limit, and the reasons."""
    where, params = household_where(flt, viewer, alias="c")
    params["limit"] = WRONG_EXIT_LIMIT
    return fetch(
        con,
        f"""SELECT c.township,
                   sum(c.households)::BIGINT AS exited,
                   sum(c.wrong_exits)::BIGINT AS wrong_exits,
                   sum(c.wrong_exits) / sum(c.households) AS rate,
                   sum(c.wrong_exits) / sum(c.households) > $limit AS over_limit,
                   sum(c.below_line)::BIGINT AS below_line,
                   sum(c.unsafe_housing)::BIGINT AS unsafe_housing,
                   sum(c.unsafe_water)::BIGINT AS unsafe_water,
                   sum(c.uninsured)::BIGINT AS uninsured,
                   sum(c.school_out)::BIGINT AS school_out
            FROM agg_household c WHERE {where} AND c.exit_status = '已脱贫'
            GROUP BY c.township ORDER BY rate DESC, wrong_exits DESC, c.township""",  # noqa: S608
        params,
    )
