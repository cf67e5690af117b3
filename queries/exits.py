"""Exit status: status by area, exits by year, income against the line, 两不愁三保障, monitoring and
returned households, suspected wrong exits (疑似错退) per township against the allowed 2%."""

from __future__ import annotations

import duckdb
import pandas as pd

from etl.derive_cells import RATIO_CAP, RATIO_ROWS_SQL, RATIO_STEP, ratio_bin_sql
from etl.rules import WRONG_EXIT_LIMIT
from queries import population as pop
from queries.figures import define
from queries.filters import Filters, Viewer, area_keys, fetch, household_where

_REG = pop.TEXT[pop.REGISTERED]
_SWITCH = ("建档立卡户（默认，按脱贫状态分色）或监测对象（按监测类别分色），由页面上的“统计对象”切换",
           "Registered households (default, coloured by exit status) or the monitored (by monitoring type), as "
           "the page's population switch says")
# the gaps chart is coloured by gap, not by exit status or type
_SWITCH_PLAIN = ("建档立卡户（默认）或监测对象，由页面上的“统计对象”切换",
                 "Registered households (default) or the monitored, as the page's population switch says")
define("exit.status", ("各乡镇（村）脱贫状态", "Exit status per township (village)"), _REG,
       ("各脱贫状态的户数", "Households per exit status"), ("该地区建档立卡户", "Registered households of the area"))
define("exit.by_year", ("分年度脱贫户数", "Exits by year"), _REG,
       ("按脱贫年度的已脱贫户（返贫户按其原脱贫年度单列）；无脱贫年度的列为“年度不详”，故各年合计等于已脱贫户",
        "Exited households by exit year (returned ones apart, by the year they had exited); those without an "
        "exit year are a \"Year unknown\" row, so the years add up to the exited households"),
       date_rule=("脱贫年度（档案字段），不是入库日期", "The registry's exit year, not the load date"))
define("exit.income", ("人均纯收入与当年贫困线之比", "Income against the line of its year"), _SWITCH,
       ("各比值区间的户数", "Households per ratio bin"),
       date_rule=("收入年度的贫困线（2020 年以后沿用 2020 年标准）",
                  "The line of the income year (years after 2020 keep the 2020 line)"),
       source="agg_income_ratio, agg_income_band")
define("exit.assurances", ("两不愁三保障缺口", "Gaps in the basic assurances"), _SWITCH_PLAIN,
       ("住房不安全、饮水不安全、有成员未参保、有适龄儿童失学的户数（人数另列）",
        "Households with unsafe housing, unsafe water, an uninsured member, a school-age child out of school "
        "(people apart)"), ("该地区该人群的户数", "Households of the population in the area"))
define("exit.monitoring", ("监测对象与返贫户", "Monitored and returned households"),
       ("监测对象（按监测类别），以及无监测类别的返贫户（单列为“返贫”）",
        "Monitored households (by type) and returned households without a type (their own \"Returned to poverty\" bar)"),
       ("按类别与风险消除情况的户数", "Households by type and risk state"), source="agg_monitoring")
define("exit.wrong", ("疑似错退占比", "Share suspected of a wrong exit"), _REG,
       ("疑似错退户", "Suspected wrong exits"), ("已脱贫户", "Exited households"))


def status_by_area(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, level: str = "township"
                   ) -> pd.DataFrame:
    """township[, village], exit_status, households, share (registered households only)."""
    keys = area_keys(level)
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
    """exit_year (NA: no exit year, last), exited (still exited), returned (exited that year, since
    returned), cumulative exited: its last row is every exited household."""
    where, params = household_where(flt, viewer, alias="c")
    exited = "coalesce(sum(c.households) FILTER (WHERE c.exit_status = '已脱贫'), 0)::BIGINT"
    return fetch(
        con,
        f"""SELECT c.exit_year, {exited} AS exited,
                   coalesce(sum(c.households) FILTER (WHERE c.exit_status = '返贫'), 0)::BIGINT AS returned,
                   sum({exited}) OVER (ORDER BY c.exit_year NULLS LAST)::BIGINT AS cumulative
            FROM agg_household c WHERE {where} AND c.exit_status IN ('已脱贫', '返贫')
            GROUP BY c.exit_year ORDER BY c.exit_year NULLS LAST""",  # noqa: S608
        params,
    )


def group_of(population: str, alias: str = "c") -> str:
    """The series a household of the population is drawn in: its exit status (registered) or its
    monitoring type (monitored)."""
    return f"{alias}.exit_status" if population == pop.REGISTERED else f"{alias}.monitoring_type"


def income_bands(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, population: str = pop.REGISTERED
                 ) -> pd.DataFrame:
    """band (below_line / below_monitor / above_monitor / unknown), grp (exit status or monitoring type),
    households."""
    where, params = household_where(flt, viewer, alias="c")
    # agg_income_band: households per filter cell and band (etl.derive_cells.INCOME_BAND_SQL)
    return fetch(
        con,
        f"""SELECT c.band, {group_of(population)} AS grp, sum(c.households)::BIGINT AS households
            FROM agg_income_band c WHERE {where} AND {pop.where(population)}
            GROUP BY ALL ORDER BY band, grp""",  # noqa: S608
        params,
    )


def income_histogram(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, step: float = RATIO_STEP,
                     cap: float = RATIO_CAP, population: str = pop.REGISTERED) -> pd.DataFrame:
    """ratio_bin (income / line of its year, lower edge, capped at `cap`), grp (exit status or monitoring
    type), households.

    The page's bins are summed from the `agg_income_ratio` cells, other bins counted from hh_facts."""
    if (step, cap) == (RATIO_STEP, RATIO_CAP):
        where, params = household_where(flt, viewer, alias="c")
        sql = f"""SELECT c.ratio_bin, {group_of(population)} AS grp, sum(c.households)::BIGINT AS households
                  FROM agg_income_ratio c WHERE {where} AND {pop.where(population)}
                  GROUP BY ALL ORDER BY ratio_bin, grp"""  # noqa: S608
        return fetch(con, sql, params)
    where, params = household_where(flt, viewer)
    params.update({"step": step, "cap": cap})
    return fetch(
        con,
        f"""SELECT {ratio_bin_sql("$step", "$cap")} AS ratio_bin, {group_of(population, "f")} AS grp,
                   count(*) AS households
            FROM hh_facts f WHERE {where} AND {RATIO_ROWS_SQL} AND {pop.where(population, "f")}
            GROUP BY ALL ORDER BY ratio_bin, grp""",  # noqa: S608
        params,
    )


def assurances(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, population: str = pop.REGISTERED,
               level: str = "township") -> pd.DataFrame:
    """Per township (level="village": per township and village): households, unsafe_housing, unsafe_water, uninsured (households) + uninsured_members,
    school_out (households) + school_out_children, assurances_ok; housing_unrecorded and water_unrecorded
    (households without an answer: counted as no problem found in the others)."""
    keys = area_keys(level)
    where, params = household_where(flt, viewer, alias="c")
    return fetch(
        con,
        f"""SELECT {keys}, sum(c.households)::BIGINT AS households,
                   sum(c.unsafe_housing)::BIGINT AS unsafe_housing,
                   sum(c.unsafe_water)::BIGINT AS unsafe_water,
                   sum(c.uninsured)::BIGINT AS uninsured,
                   sum(c.uninsured_members)::BIGINT AS uninsured_members,
                   sum(c.school_out)::BIGINT AS school_out,
                   sum(c.school_out_children)::BIGINT AS school_out_children,
                   sum(c.assurances_ok)::BIGINT AS assurances_ok,
                   sum(c.housing_unrecorded)::BIGINT AS housing_unrecorded,
                   sum(c.water_unrecorded)::BIGINT AS water_unrecorded
            FROM agg_household c WHERE {where} AND {pop.where(population)}
            GROUP BY ALL ORDER BY households DESC, {keys}""",  # noqa: S608
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


def wrong_exits(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, level: str = "township"
                ) -> pd.DataFrame:
    """Per township (level="village": per township and village): exited, wrong_exits, rate (wrong
    exits / exited), over_limit, and the reasons."""
    keys = area_keys(level)
    where, params = household_where(flt, viewer, alias="c")
    params["limit"] = WRONG_EXIT_LIMIT
    return fetch(
        con,
        f"""SELECT {keys},
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
            GROUP BY {keys} ORDER BY rate DESC, wrong_exits DESC, {keys}""",  # noqa: S608
        params,
    )
