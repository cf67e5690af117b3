"""Poverty causes: main cause by area, other causes as co-occurrence, cause x attribute, cause x
members' health and labour. Counts are households (members where stated); shares within the area."""

from __future__ import annotations

import duckdb
import pandas as pd

from etl.codes import NOT_FILLED
from queries import population as pop
from queries.figures import define
from queries.filters import Filters, Viewer, area_keys, fetch, household_where

_NO_CAUSE_C = "c.main_cause IS NOT NULL"
_CAUSE = f"coalesce(c.main_cause, '{NOT_FILLED}')"  # totals add up to the population
_POP = ("建档立卡户（默认）或监测对象，由页面上的“统计对象”切换，二者不混合；无主要致贫原因的户在构成中列为“未填写”，合计等于该人群户数",
        "Registered households (default) or the monitored, as the page's population switch says, never mixed; "
        "households without a main cause are a \"Not stated\" row in the totals (so they add up to the population)")
define("causes.totals", ("主要致贫原因构成", "Main causes of poverty"), _POP,
       ("各主要致贫原因的户数（人数 = 成员行数）", "Households per main cause (people = member rows)"),
       ("该人群的全部户数（含“未填写”主要致贫原因的户，各原因占比合计 100%）",
        "Every household of the population (those without a main cause included: the shares add up to 100%)"))
# the crosses leave out the households without a main cause (no 未填写 row), and the members' count people
_POP_CAUSED = ("建档立卡户（默认）或监测对象中有主要致贫原因的户，由页面上的“统计对象”切换，二者不混合",
               "Registered households (default) or the monitored, those with a main cause, as the page's "
               "population switch says, never mixed")
_POP_MEMBERS = ("建档立卡户（默认）或监测对象中有主要致贫原因的户的家庭成员（按人计，不按户），由页面上的“统计对象”切换，二者不混合",
                "Members (people, not households) of the registered households (default) or of the monitored, "
                "those with a main cause, as the page's population switch says, never mixed")
define("causes.by_area", ("各乡镇（村）主要致贫原因", "Main causes per township (village)"), _POP,
       ("该地区各原因的户数", "Households per cause in the area"),
       ("该地区该人群的全部户数（含“未填写”主要致贫原因的户）",
        "Every household of the population in the area (those without a main cause included)"))
define("causes.cooccurrence", ("主要原因与其他致贫原因", "Main and other causes"), _POP_CAUSED,
       ("同时有该其他致贫原因的户数（每户每个其他原因计一次）",
        "Households with that other cause too (once per household and other cause)"),
       source="agg_cooccurrence")
define("causes.by_attribute", ("致贫原因 × 贫困户属性", "Cause × household attribute"), _POP_CAUSED,
       ("户数", "Households"))
define("causes.by_member", ("致贫原因 × 成员健康 / 劳动能力", "Cause × members' health / labour"), _POP_MEMBERS,
       ("人数（劳动能力）或人次（健康状况：有多种健康状况的成员每种计一次）",
        "Members (labour) or member-conditions (health: a member with several conditions once per condition)"),
       source="agg_member_value")
# Every view reads summary tables built with the snapshot (agg_household, agg_member_value,
# agg_cooccurrence: one row per filter cell and value), never the households.
# Every view reads summary tables built with the snapshot (agg_household, agg_member_value,
# agg_cooccurrence: one row per filter cell and value), never the households.


def totals(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, population: str = pop.REGISTERED
           ) -> pd.DataFrame:
    """main_cause (未填写: none), households, people (member rows), share, sorted by households."""
    where, params = household_where(flt, viewer, alias="c")
    return fetch(
        con,
        f"""SELECT {_CAUSE} AS main_cause, sum(c.households)::BIGINT AS households,
                   sum(c.members)::BIGINT AS people, sum(c.households) / sum(sum(c.households)) OVER () AS share
            FROM agg_household c WHERE {where} AND {pop.where(population)}
            GROUP BY ALL ORDER BY households DESC, main_cause""",  # noqa: S608
        params,
    )


def by_area(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, level: str = "township",
            population: str = pop.REGISTERED) -> pd.DataFrame:
    """township[, village], main_cause, households, share (within the area)."""
    keys = area_keys(level)
    where, params = household_where(flt, viewer, alias="c")
    return fetch(
        con,
        f"""SELECT {keys}, {_CAUSE} AS main_cause, sum(c.households)::BIGINT AS households,
                   sum(c.households) / sum(sum(c.households)) OVER (PARTITION BY {keys}) AS share
            FROM agg_household c WHERE {where} AND {pop.where(population)}
            GROUP BY {keys}, {_CAUSE}
            ORDER BY sum(sum(c.households)) OVER (PARTITION BY {keys}) DESC, {keys}, households DESC,
                     main_cause""",  # noqa: S608
        params,
    )


def cooccurrence(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, population: str = pop.REGISTERED
                 ) -> pd.DataFrame:
    """main_cause, other_cause, households (a household counts once per distinct other cause)."""
    where, params = household_where(flt, viewer, alias="c")
    # agg_cooccurrence: per filter cell, households of each distinct other cause (etl.derive_cells)
    return fetch(
        con,
        f"""SELECT c.main_cause, c.other_cause, sum(c.households)::BIGINT AS households
            FROM agg_cooccurrence c WHERE {where} AND {pop.where(population)}
            GROUP BY ALL ORDER BY households DESC, c.main_cause, c.other_cause""",  # noqa: S608
        params,
    )


def by_attribute(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, population: str = pop.REGISTERED
                 ) -> pd.DataFrame:
    """main_cause, household_attribute, households."""
    where, params = household_where(flt, viewer, alias="c")
    return fetch(
        con,
        f"""SELECT c.main_cause, coalesce(c.household_attribute, '未填写') AS household_attribute,
                   sum(c.households)::BIGINT AS households
            FROM agg_household c WHERE {where} AND {_NO_CAUSE_C} AND {pop.where(population)}
            GROUP BY ALL ORDER BY c.main_cause, households DESC, household_attribute""",  # noqa: S608
        params,
    )


def by_member(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, dimension: str = "health",
              population: str = pop.REGISTERED) -> pd.DataFrame:
    """main_cause, value (a member's health condition or labour skill), and `members` (labour: one value
    per member) or `member_conditions` (health: a member with several conditions counts once per
    condition, so the sum is more than the people, and is not named as people)."""
    if dimension not in ("health", "labor_skill"):
        raise ValueError(dimension)
    counted = "members" if dimension == "labor_skill" else "member_conditions"
    where, params = household_where(flt, viewer, alias="c")
    params["dimension"] = dimension
    # agg_member_value: members per filter cell and value, built with the snapshot (no join at query time)
    return fetch(
        con,
        f"""SELECT c.main_cause, c.value, sum(c.members)::BIGINT AS {counted}
            FROM agg_member_value c
            WHERE {where} AND c.main_cause IS NOT NULL AND c.dimension = $dimension AND {pop.where(population)}
            GROUP BY ALL ORDER BY c.main_cause, {counted} DESC, c.value""",  # noqa: S608
        params,
    )
