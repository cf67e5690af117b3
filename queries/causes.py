"""Poverty causes: main cause by area, other causes as co-occurrence, cause x attribute, cause x
members' health and labour. Counts are households (members where stated); shares within the area."""

from __future__ import annotations

import duckdb
import pandas as pd

from queries.filters import Filters, Viewer, fetch, household_where

_NO_CAUSE_C = "c.main_cause IS NOT NULL"
# Every view reads summary tables built with the snapshot (agg_household, agg_member_value,
# agg_cooccurrence: one row per filter cell and value), never the households.


def totals(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """main_cause, households, people, share (of households with a main cause), sorted by households."""
    where, params = household_where(flt, viewer, alias="c")
    return fetch(
        con,
        f"""SELECT c.main_cause, sum(c.households)::BIGINT AS households, sum(c.members)::BIGINT AS people,
                   sum(c.households) / sum(sum(c.households)) OVER () AS share
            FROM agg_household c WHERE {where} AND {_NO_CAUSE_C}
            GROUP BY c.main_cause ORDER BY households DESC, c.main_cause""",  # noqa: S608
        params,
    )


def by_area(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, level: str = "township") -> pd.DataFrame:
    """township[, village], main_cause, households, share (within the area)."""
    keys = "c.township" if level == "township" else "c.township, c.village"
    where, params = household_where(flt, viewer, alias="c")
    return fetch(
        con,
        f"""SELECT {keys}, c.main_cause, sum(c.households)::BIGINT AS households,
                   sum(c.households) / sum(sum(c.households)) OVER (PARTITION BY {keys}) AS share
            FROM agg_household c WHERE {where} AND {_NO_CAUSE_C}
            GROUP BY {keys}, c.main_cause
            ORDER BY sum(sum(c.households)) OVER (PARTITION BY {keys}) DESC, {keys}, households DESC,
                     c.main_cause""",  # noqa: S608
        params,
    )


def cooccurrence(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """main_cause, other_cause, households (a household counts once per distinct other cause)."""
    where, params = household_where(flt, viewer, alias="c")
    # agg_cooccurrence: per filter cell, households of each distinct other cause (etl.derive_cells)
    return fetch(
        con,
        f"""SELECT c.main_cause, c.other_cause, sum(c.households)::BIGINT AS households
            FROM agg_cooccurrence c WHERE {where}
            GROUP BY ALL ORDER BY households DESC, c.main_cause, c.other_cause""",  # noqa: S608
        params,
    )


def by_attribute(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """main_cause, household_attribute, households."""
    where, params = household_where(flt, viewer, alias="c")
    return fetch(
        con,
        f"""SELECT c.main_cause, coalesce(c.household_attribute, '未填写') AS household_attribute,
                   sum(c.households)::BIGINT AS households
            FROM agg_household c WHERE {where} AND {_NO_CAUSE_C}
            GROUP BY ALL ORDER BY c.main_cause, households DESC""",  # noqa: S608
        params,
    )


def by_member(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, dimension: str = "health"
              ) -> pd.DataFrame:
    """main_cause, value (a member's health condition or labour skill), members.

    A member with several health conditions counts once per condition."""
    if dimension not in ("health", "labor_skill"):
        raise ValueError(dimension)
    where, params = household_where(flt, viewer, alias="c")
    params["dimension"] = dimension
    # agg_member_value: members per filter cell and value, built with the snapshot (no join at query time)
    return fetch(
        con,
        f"""SELECT c.main_cause, c.value, sum(c.members)::BIGINT AS members
            FROM agg_member_value c
            WHERE {where} AND c.main_cause IS NOT NULL AND c.dimension = $dimension
            GROUP BY ALL ORDER BY c.main_cause, members DESC, c.value""",  # noqa: S608
        params,
    )
