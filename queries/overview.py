"""Overview: KPIs and the per-township / per-village table."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from queries import population as pop
from queries.figures import define
from queries.filters import (
    Filters,
    Viewer,
    area_keys,
    fetch,
    household_where,
)
from queries.rectification import LATE_ITEMS, ON_TIME_ITEMS, OPEN_ITEMS, OVERDUE_ITEMS, item_where

_REG = pop.TEXT[pop.REGISTERED]
define("households", ("建档立卡户", "Registered households"), _REG,
       ("有脱贫状态的户数", "Households with an exit status"), unit="households")
define("people", ("建档立卡人口", "Registered people"), pop.people_text(pop.REGISTERED),
       ("建档立卡户的家庭成员行数", "Member rows of registered households"), unit="people")
define("exited", ("已脱贫户", "Exited households"), _REG, ("脱贫状态为已脱贫的户数（含享受与不享受政策）",
       "Households whose exit status is Exited (已脱贫), with or without continued support"), unit="households")
define("not_exited", ("未脱贫户", "Not-exited households"), _REG,
       ("脱贫状态为未脱贫的户数", "Households whose exit status is Not exited (未脱贫)"), unit="households")
define("returned", ("返贫户", "Returned households"), _REG,
       ("脱贫状态为返贫的户数", "Households whose exit status is Returned to poverty (返贫)"), unit="households")
define("exit_rate", ("脱贫率", "Exit rate"), _REG, ("已脱贫户", "Exited households"),
       ("建档立卡户", "Registered households"))
define("monitored", ("监测对象", "Monitored households"), pop.TEXT[pop.MONITORED],
       ("有监测对象类别的户数（与建档立卡户有交叉，不相加）",
        "Households with a monitoring type (overlaps the registered; never added to them)"), unit="households")
define("coverage", ("帮扶措施覆盖率", "Measure coverage"), _REG,
       ("至少有一条帮扶措施的建档立卡户", "Registered households with at least one measure"),
       ("建档立卡户", "Registered households"),
       ("任何年度的措施都计入", "A measure of any year counts"), "agg_household ← interventions")
define("wrong_exits", ("疑似错退户", "Suspected wrong exits"), _REG,
       ("已脱贫且收入低于当年贫困线或两不愁三保障有缺口的户",
        "Exited households with income below the line of their income year or a gap in the basic assurances"),
       source="agg_household ← hh_facts", unit="households")
define("archive_defects", ("档案问题", "Archive defects"),
       ("全部已入库的户及台账记录（含非建档立卡户）", "Every loaded household and ledger record (registered or not)"),
       ("当前数据中记录的档案问题条数。入库记录中各批次的问题数是入库当时的数目：之后被新文件替换的户或记录，"
        "其问题随之删除或重新检查，故两者之差即被替换记录的问题数",
        "Archive defects in the current data. The load history counts each batch's issues when it was loaded; "
        "a household or record a later file replaced takes its issues with it (or has them checked again), "
        "so the difference is the superseded records' issues"),
       source="list_issue ← data_issues", unit="issues")

# over agg_household (alias c): one row per filter cell, household counts that add up
_COUNTS = f"""
    coalesce(sum(c.registered), 0)::BIGINT AS households,
    coalesce(sum(c.people), 0)::BIGINT AS people,
    coalesce(sum(c.households) FILTER (WHERE c.exit_status = '已脱贫'), 0)::BIGINT AS exited,
    coalesce(sum(c.households) FILTER (WHERE c.exit_status = '未脱贫'), 0)::BIGINT AS not_exited,
    coalesce(sum(c.households) FILTER (WHERE c.exit_status = '返贫'), 0)::BIGINT AS returned,
    coalesce(sum(c.households) FILTER (WHERE c.exit_status = '已脱贫'), 0) / nullif(sum(c.registered), 0)
        AS exit_rate,
    coalesce(sum(c.monitored), 0)::BIGINT AS monitored,
    sum(c.with_intervention) FILTER (WHERE {pop.where(pop.REGISTERED)}) / nullif(sum(c.registered), 0) AS coverage,
    (coalesce(sum(c.registered), 0)
        - coalesce(sum(c.with_intervention) FILTER (WHERE {pop.where(pop.REGISTERED)}), 0))::BIGINT AS no_measure,
    coalesce(sum(c.wrong_exits), 0)::BIGINT AS wrong_exits
"""


def kpis(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: dt.date) -> pd.DataFrame:
    """One row: households, people, exited, not_exited, returned, exit_rate, monitored, coverage,
    no_measure (registered households without a measure), wrong_exits, all_households, rect_open, rect_overdue,
    rect_on_time, rect_late (closed on or before / after the deadline), archive_defects."""
    where, params = household_where(flt, viewer, alias="c")
    out = fetch(con, f"SELECT {_COUNTS}, coalesce(sum(c.households), 0)::BIGINT AS all_households "  # noqa: S608
                     f"FROM agg_household c WHERE {where}", params)
    rwhere, rparams = item_where(flt, viewer)  # as the rectification page counts them
    rect = fetch(
        con,
        f"""SELECT count(*) FILTER (WHERE {OPEN_ITEMS}) AS rect_open,
                   count(*) FILTER (WHERE {OVERDUE_ITEMS}) AS rect_overdue,
                   count(*) FILTER (WHERE {ON_TIME_ITEMS}) AS rect_on_time,
                   count(*) FILTER (WHERE {LATE_ITEMS}) AS rect_late
            FROM list_rectification r WHERE {rwhere}""",  # noqa: S608
        {**rparams, "as_of": as_of},
    )
    dwhere, dparams = household_where(flt, viewer, alias="d")
    defects = fetch(con, f"SELECT count(*) AS archive_defects FROM list_issue d WHERE {dwhere}", dparams)  # noqa: S608
    return pd.concat([out, rect, defects], axis=1)


def by_area(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, level: str = "township") -> pd.DataFrame:
    """Per township (level="township") or per village (level="village": township + village columns)."""
    keys = area_keys(level)
    where, params = household_where(flt, viewer, alias="c")
    return fetch(
        con,
        f"""SELECT {keys}, {_COUNTS}
            FROM agg_household c WHERE {where}
            GROUP BY ALL ORDER BY households DESC, {keys}""",  # noqa: S608
        params,
    )
