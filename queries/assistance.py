"""Assistance: coverage by measure category and township, the 一户一策 gap, amounts by category and
year, industry projects and their linked households (龙头企业+产业链+贫困户)."""

from __future__ import annotations

import duckdb
import pandas as pd

from queries import population as pop
from queries.figures import define
from queries.filters import Filters, Viewer, area_keys, fetch, household_where, mask_id, mask_name
from queries.paging import ListQuery

_REG = pop.TEXT[pop.REGISTERED]
define("assist.coverage", ("各类帮扶措施覆盖", "Coverage by measure category"), _REG,
       ("有该类措施的建档立卡户", "Registered households with a measure of the category"),
       ("该地区建档立卡户", "Registered households of the area"),
       ("任何年度的措施都计入", "A measure of any year counts"), "agg_category, agg_household")
define("assist.amounts", ("分年度帮扶资金", "Amounts by year"),
       ("帮扶措施台账中的全部措施（按户的筛选条件）", "Every measure of the ledger (households filtered)"),
       ("各年度、各类别的金额（元）；未填金额的措施不计入（“其中有金额”列出计入的措施数），一组措施都未填金额时为空（不是 0 元）",
        "Yuan per year and category; a measure without an amount adds nothing (\"with an amount\" counts those "
        "that do), and a group none of whose measures has one is blank (not 0)"),
       date_rule=("实施年度，无则开始日期的年份；每年的金额计入当年", "The measure's year, else its start date's; "
                  "each year's amount in that year"), source="agg_measure ← interventions")
define("assist.projects", ("产业项目与带动户", "Projects and linked households"),
       ("项目名称非空的措施所涉及的户（任何人群）", "Households with a measure naming the project (any population)"),
       ("带动户数与金额，户数按脱贫状态分列（已脱贫、未脱贫、返贫、非建档立卡户，合计等于带动户数）；户清单按年度逐行列出金额",
        "Linked households and amounts, the households split by status (exited, not exited, returned, not "
        "registered: they add up to the linked households); the household list has one row per year with that "
        "year's amount"),
       date_rule=("实施年度，无则开始日期的年份", "The measure's year, else its start date's"),
       source="agg_project, list_project_household")


_REG_C = pop.where(pop.REGISTERED)


def _where(flt: Filters, viewer: Viewer) -> tuple[str, dict[str, object]]:
    """The filter over the summary tables (alias `c`): they carry every Filters column."""
    return household_where(flt, viewer, alias="c")


def coverage(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, level: str = "township") -> pd.DataFrame:
    """township[, village], category, reached (registered households with a measure of the category),
    households (registered households of the area), share."""
    keys = area_keys(level)
    using = "township" if level == "township" else "township, village"
    where, params = _where(flt, viewer)
    return fetch(
        con,
        f"""WITH tot AS (SELECT {keys}, sum(c.registered)::BIGINT AS households
                         FROM agg_household c WHERE {where} GROUP BY ALL),
                 reach AS (SELECT {keys}, c.category, sum(c.households)::BIGINT AS reached
                           FROM agg_category c WHERE {where} AND {_REG_C} GROUP BY ALL)
            SELECT {area_keys(level, "reach")}, reach.category, reach.reached, tot.households,
                   reach.reached / tot.households AS share
            FROM reach JOIN tot USING ({using})
            ORDER BY {area_keys(level, "reach")}, reach.reached DESC, reach.category""",  # noqa: S608
        params,
    )


def coverage_total(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """category, reached, households, share over the whole filtered view."""
    where, params = _where(flt, viewer)
    return fetch(
        con,
        f"""WITH n AS (SELECT sum(c.registered)::BIGINT AS households FROM agg_household c WHERE {where}),
                 r AS (SELECT c.category, sum(c.households)::BIGINT AS reached
                       FROM agg_category c WHERE {where} AND {_REG_C} GROUP BY c.category)
            SELECT r.category, r.reached, n.households, r.reached / n.households AS share
            FROM r CROSS JOIN n ORDER BY r.reached DESC, r.category""",  # noqa: S608
        params,
    )


def amounts(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """year, category, amount_yuan, measures, measures_priced (those with a 金额, which the amount sums),
    households_measured (households of any population with such a measure: 户数 is the registered
    households wherever it is written, and these are not only they). amount_yuan is NULL where none of
    the measures has a 金额: no figure, not 0 元 (a ledger without the column read as if nothing had been
    spent)."""
    where, params = _where(flt, viewer)
    return fetch(
        con,
        f"""SELECT c.year, c.category, sum(c.amount_yuan) AS amount_yuan,
                   sum(c.measures)::BIGINT AS measures, sum(c.measures_priced)::BIGINT AS measures_priced,
                   sum(c.households)::BIGINT AS households_measured
            FROM agg_measure c
            WHERE {where}
            GROUP BY ALL ORDER BY c.year, amount_yuan DESC, c.category""",  # noqa: S608
        params,
    )


def projects(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """project, category (its most frequent measure category), townships, households (linked),
    amount_yuan, and the households by status, adding up to them: exited, not_exited, returned,
    unregistered (monitored or other households linked to it, not registered)."""
    where, params = _where(flt, viewer)
    return fetch(
        con,
        f"""WITH p AS (
                SELECT c.project, list(DISTINCT c.township ORDER BY c.township) AS townships,
                       sum(c.households)::BIGINT AS households,
                       sum(c.amount_yuan) AS amount_yuan,
                       coalesce(sum(c.households) FILTER (WHERE c.exit_status = '已脱贫'), 0)::BIGINT AS exited,
                       coalesce(sum(c.households) FILTER (WHERE c.exit_status = '未脱贫'), 0)::BIGINT AS not_exited,
                       coalesce(sum(c.households) FILTER (WHERE c.exit_status = '返贫'), 0)::BIGINT AS returned,
                       coalesce(sum(c.households) FILTER (WHERE c.exit_status IS NULL), 0)::BIGINT AS unregistered
                FROM agg_project c WHERE {where} GROUP BY c.project),
            pc AS (
                SELECT c.project, c.category, sum(c.measures) AS n
                FROM agg_project_category c WHERE {where} GROUP BY ALL),
            top AS (
                SELECT project, category FROM pc
                QUALIFY row_number() OVER (PARTITION BY project ORDER BY n DESC, category) = 1)
            -- the counts before the long township list: at 1280 px the households fell off the table
            SELECT p.project, p.households, p.amount_yuan, p.exited, p.not_exited, p.returned, p.unregistered,
                   top.category, p.townships
            FROM p LEFT JOIN top USING (project)
            ORDER BY p.households DESC, p.project""",  # noqa: S608
        params,
    )


def project_households_query(flt: Filters, viewer: Viewer, project: str) -> ListQuery:
    """The households linked to one project (masked), one row per year with its measures and amount
    (next to the household: two years' rows looked like duplicates when they were off to the right)."""
    where, params = household_where(flt, viewer, "p")
    params["project"] = project
    sql = f"""SELECT p.township, p.village, p.household_id,
                   {mask_name('p.head_name', viewer)} AS head_name,
                   {mask_id('p.head_id_number', viewer)} AS head_id_number,
                   p.year, p.amount_yuan, {'p.content' if viewer.pii else 'p.content_masked AS content'},
                   p.main_cause, p.exit_status, p.income_per_capita, p.seq
            FROM list_project_household p
            WHERE p.project = $project AND {where}"""  # noqa: S608
    return ListQuery(sql, params, "seq, year", hidden=("seq",))


def project_households(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, project: str,
                       limit: int | None = None) -> pd.DataFrame:
    """The households linked to one project (masked), with their measures in it: the first `limit` in
    order (all when None), with the full list's size in `total`."""
    return project_households_query(flt, viewer, project).page(con, limit)
