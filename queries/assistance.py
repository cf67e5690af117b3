"""Assistance: coverage by measure category and township, the 一户一策 gap, amounts by category and
year, industry projects and their linked households (龙头企业+产业链+贫困户)."""

from __future__ import annotations

import duckdb
import pandas as pd

from queries.filters import Filters, Viewer, fetch, household_where, mask_id, mask_name


def coverage(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """township, category, reached (households with a measure of the category), households (all
    filtered households of the township), share."""
    where, params = household_where(flt, viewer)
    return fetch(
        con,
        f"""WITH hh AS (SELECT f.household_id, f.township FROM hh_facts f WHERE {where}),
                 tot AS (SELECT township, count(*) AS households FROM hh GROUP BY township),
                 reach AS (SELECT hh.township, i.category, count(DISTINCT i.household_id) AS reached
                           FROM interventions i JOIN hh USING (household_id)
                           WHERE i.category IS NOT NULL GROUP BY ALL)
            SELECT reach.township, reach.category, reach.reached, tot.households,
                   reach.reached / tot.households AS share
            FROM reach JOIN tot USING (township)
            ORDER BY reach.township, reach.reached DESC, reach.category""",  # noqa: S608
        params,
    )


def coverage_total(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """category, reached, households, share over the whole filtered view (plus category 'any')."""
    where, params = household_where(flt, viewer)
    return fetch(
        con,
        f"""WITH hh AS (SELECT f.household_id, f.has_intervention FROM hh_facts f WHERE {where}),
                 n AS (SELECT count(*) AS households, count(*) FILTER (WHERE has_intervention) AS any_reached
                       FROM hh)
            SELECT i.category, count(DISTINCT i.household_id) AS reached, any_value(n.households) AS households,
                   count(DISTINCT i.household_id) / any_value(n.households) AS share
            FROM interventions i JOIN hh USING (household_id) CROSS JOIN n
            WHERE i.category IS NOT NULL
            GROUP BY i.category ORDER BY reached DESC, i.category""",  # noqa: S608
        params,
    )


def amounts(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """year, category, amount_yuan, measures, households."""
    where, params = household_where(flt, viewer)
    return fetch(
        con,
        f"""SELECT coalesce(i.year, year(i.start_date)) AS year, coalesce(i.category, '其他') AS category,
                   coalesce(sum(i.amount_yuan), 0) AS amount_yuan, count(*) AS measures,
                   count(DISTINCT i.household_id) AS households
            FROM interventions i JOIN hh_facts f USING (household_id)
            WHERE {where}
            GROUP BY ALL ORDER BY year, amount_yuan DESC""",  # noqa: S608
        params,
    )


def projects(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """project, category, townships, households (linked), amount_yuan, exited, not_exited."""
    where, params = household_where(flt, viewer)
    return fetch(
        con,
        f"""SELECT i.project, mode(i.category) AS category,
                   list(DISTINCT f.township ORDER BY f.township) AS townships,
                   count(DISTINCT i.household_id) AS households,
                   coalesce(sum(i.amount_yuan), 0) AS amount_yuan,
                   count(DISTINCT i.household_id) FILTER (WHERE f.exit_status = '已脱贫') AS exited,
                   count(DISTINCT i.household_id) FILTER (WHERE f.exit_status IN ('未脱贫', '返贫')) AS not_exited
            FROM interventions i JOIN hh_facts f USING (household_id)
            WHERE {where} AND i.project IS NOT NULL AND trim(i.project) <> ''
            GROUP BY i.project ORDER BY households DESC, i.project""",  # noqa: S608
        params,
    )


def project_households(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, project: str
                       ) -> pd.DataFrame:
    """The households linked to one project (masked), with their measures in it."""
    where, params = household_where(flt, viewer)
    params["project"] = project
    return fetch(
        con,
        f"""SELECT f.township, f.village, f.household_id,
                   {mask_name('f.head_name', viewer)} AS head_name,
                   {mask_id('f.head_id_number', viewer)} AS head_id_number,
                   f.main_cause, f.exit_status, f.income_per_capita,
                   string_agg(DISTINCT i.content, '、') AS content,
                   min(coalesce(i.year, year(i.start_date))) AS year,
                   sum(i.amount_yuan) AS amount_yuan
            FROM interventions i JOIN hh_facts f USING (household_id)
            WHERE {where} AND i.project = $project
            GROUP BY ALL ORDER BY f.township, f.village, f.household_id""",  # noqa: S608
        params,
    )
