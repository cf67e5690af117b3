"""Poverty causes: main cause by area, other causes as co-occurrence, cause x attribute, cause x
members' health and labour. Counts are households (members where stated); shares within the area."""

from __future__ import annotations

import duckdb
import pandas as pd

from queries.filters import Filters, Viewer, fetch, household_where

_NO_CAUSE = "f.main_cause IS NOT NULL"


def totals(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """main_cause, households, people, share (of households with a main cause), sorted by households."""
    where, params = household_where(flt, viewer)
    return fetch(
        con,
        f"""SELECT f.main_cause, count(*) AS households, sum(f.member_count)::BIGINT AS people,
                   count(*) / sum(count(*)) OVER () AS share
            FROM hh_facts f WHERE {where} AND {_NO_CAUSE}
            GROUP BY f.main_cause ORDER BY households DESC, f.main_cause""",  # noqa: S608
        params,
    )


def by_area(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, level: str = "township") -> pd.DataFrame:
    """township[, village], main_cause, households, share (within the area)."""
    keys = "f.township" if level == "township" else "f.township, f.village"
    where, params = household_where(flt, viewer)
    return fetch(
        con,
        f"""SELECT {keys}, f.main_cause, count(*) AS households,
                   count(*) / sum(count(*)) OVER (PARTITION BY {keys}) AS share
            FROM hh_facts f WHERE {where} AND {_NO_CAUSE}
            GROUP BY {keys}, f.main_cause
            ORDER BY sum(count(*)) OVER (PARTITION BY {keys}) DESC, {keys}, households DESC, f.main_cause""",  # noqa: S608
        params,
    )


def cooccurrence(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """main_cause, other_cause, households (a household counts once per distinct other cause)."""
    where, params = household_where(flt, viewer)
    return fetch(
        con,
        f"""SELECT main_cause, other_cause, count(DISTINCT household_id) AS households
            FROM (SELECT f.household_id, f.main_cause, unnest(f.other_causes) AS other_cause
                  FROM hh_facts f WHERE {where} AND {_NO_CAUSE})
            WHERE other_cause IS NOT NULL AND other_cause <> main_cause
            GROUP BY ALL ORDER BY households DESC, main_cause, other_cause""",  # noqa: S608
        params,
    )


def by_attribute(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """main_cause, household_attribute, households."""
    where, params = household_where(flt, viewer)
    return fetch(
        con,
        f"""SELECT f.main_cause, coalesce(f.household_attribute, '未填写') AS household_attribute,
                   count(*) AS households
            FROM hh_facts f WHERE {where} AND {_NO_CAUSE}
            GROUP BY ALL ORDER BY f.main_cause, households DESC""",  # noqa: S608
        params,
    )


def by_member(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, dimension: str = "health"
              ) -> pd.DataFrame:
    """main_cause, value (a member's health condition or labour skill), members.

    A member with several health conditions counts once per condition."""
    if dimension == "health":
        value = "unnest(CASE WHEN len(coalesce(m.health, [])) = 0 THEN ['未填写'] ELSE m.health END)"
    elif dimension == "labor_skill":
        value = "coalesce(m.labor_skill, '未填写')"
    else:
        raise ValueError(dimension)
    where, params = household_where(flt, viewer)
    return fetch(
        con,
        f"""SELECT main_cause, value, count(*) AS members FROM (
                SELECT f.main_cause, {value} AS value
                FROM members m JOIN hh_facts f USING (household_id)
                WHERE {where} AND {_NO_CAUSE})
            GROUP BY ALL ORDER BY main_cause, members DESC""",  # noqa: S608
        params,
    )
