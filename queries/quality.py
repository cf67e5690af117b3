"""Archive quality (档案规范性): data issues by area and rule, completeness score, defect list, trend.

Completeness score of an area = passed checks / required checks over its households, where the
required checks are (shown on the page, labels `quality.check.<code>`):
- id: every member has a valid ID number (one check per member);
- health, labour: every member has a health and a labour status (one each per member);
- school: every member aged 6-15 at the as-of date has a school status (one per such child);
- housing, water: the housing and drinking-water fields are filled (one each per household);
- doctor: every chronic patient has signed a family doctor (one per chronic patient);
- income: an income figure for the as-of year or the year before (one per household);
- visit: a visit of any type within 30 days before the as-of date (one per household).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from etl.sqlexpr import age_sql
from queries.filters import Filters, Viewer, household_where, mask_id, mask_name
from queries.paging import ListQuery

CHECKS = ("id", "health", "labour", "school", "housing", "water", "doctor", "income", "visit")
VISIT_WITHIN_DAYS = 30
SCHOOL_AGE = (6, 15)
PII_FIELDS = ("id_number", "name", "phone", "head_id_number", "head_name")

_CHECK_SQL: dict[str, tuple[str, str]] = {  # code -> (required, passed), over hh_facts f and the school CTE s
    "id": ("f.n_members", "f.n_id_valid"),
    "health": ("f.n_members", "f.n_health_set"),
    "labour": ("f.n_members", "f.n_labor_set"),
    "school": ("coalesce(s.children, 0)", "coalesce(s.children_ok, 0)"),
    "housing": ("1", "CASE WHEN f.housing_set THEN 1 ELSE 0 END"),
    "water": ("1", "CASE WHEN f.water_set THEN 1 ELSE 0 END"),
    "doctor": ("f.n_chronic", "f.n_chronic_doctor"),
    "income": ("1", "CASE WHEN f.latest_income_year >= year(CAST($as_of AS DATE)) - 1 THEN 1 ELSE 0 END"),
    "visit": ("1", f"CASE WHEN f.last_visit_date > CAST($as_of AS DATE) - INTERVAL {VISIT_WITHIN_DAYS} DAY "
                   "THEN 1 ELSE 0 END"),
}


def _household_checks_cte(where: str) -> str:
    cols = ",\n            ".join(f"{req} AS req_{c}, {ok} AS ok_{c}" for c, (req, ok) in _CHECK_SQL.items())
    age = age_sql("birth_date")
    return f"""
        s AS (
            SELECT household_id, count(*) AS children, count(*) FILTER (WHERE has_school_status) AS children_ok
            FROM insp_school_age
            WHERE {age} BETWEEN {SCHOOL_AGE[0]} AND {SCHOOL_AGE[1]}
            GROUP BY household_id
        ),
        hc AS (
            SELECT f.household_id, f.township, f.village,
            {cols}
            FROM hh_facts f
            LEFT JOIN s USING (household_id)
            WHERE {where}
        )"""  # noqa: S608


def completeness(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date,
                 level: str = "township") -> pd.DataFrame:
    """Completeness score per township or village (worst first), with every check's counts."""
    keys = {"township": "township", "village": "township, village"}[level]
    where, params = household_where(flt, viewer, "f")
    sums = ", ".join(f"CAST(sum(req_{c}) AS BIGINT) AS req_{c}, CAST(sum(ok_{c}) AS BIGINT) AS ok_{c}" for c in CHECKS)
    req = " + ".join(f"sum(req_{c})" for c in CHECKS)
    ok = " + ".join(f"sum(ok_{c})" for c in CHECKS)
    sql = f"""
        WITH {_household_checks_cte(where)}
        SELECT {keys}, count(*) AS households, CAST({req} AS BIGINT) AS required, CAST({ok} AS BIGINT) AS passed,
            ({ok}) / nullif({req}, 0) AS score, {sums}
        FROM hc GROUP BY {keys} ORDER BY score ASC NULLS LAST, {keys}
    """  # noqa: S608
    return con.execute(sql, {**params, "as_of": as_of}).df()


def completeness_gaps_query(flt: Filters, viewer: Viewer, as_of: date) -> ListQuery:
    """One row per household and failed check (the full list, for extracts)."""
    where, params = household_where(flt, viewer, "f")
    select = ("SELECT township, village, household_id, '{c}' AS check_code, req_{c} AS required, "
              "ok_{c} AS passed FROM hc WHERE ok_{c} < req_{c}")
    union = " UNION ALL ".join(select.format(c=c) for c in CHECKS)
    sql = f"""
        WITH {_household_checks_cte(where)}
        SELECT * FROM ({union})
    """  # noqa: S608
    return ListQuery(sql, {**params, "as_of": as_of}, "township, village, household_id, check_code")


def completeness_gaps(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date,
                      limit: int | None = None) -> pd.DataFrame:
    """One row per household and failed check: how many required, how many passed (the first `limit`
    in order, all when None; the full list's size in `total`)."""
    return completeness_gaps_query(flt, viewer, as_of).page(con, limit)


def issues_by_rule(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    where, params = household_where(flt, viewer, "f")
    sql = f"""
        SELECT d.rule, count(*) AS issues, count(DISTINCT d.household_id) AS households
        FROM data_issues d JOIN hh_facts f USING (household_id)
        WHERE {where} GROUP BY d.rule ORDER BY issues DESC, d.rule
    """  # noqa: S608
    return con.execute(sql, params).df()


def issues_by_area(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer,
                   level: str = "township") -> pd.DataFrame:
    """Issues per township or village, with the households affected and all households there."""
    keys = {"township": "f.township", "village": "f.township, f.village"}[level]
    where, params = household_where(flt, viewer, "f")
    sql = f"""
        WITH d AS (SELECT household_id, count(*) AS issues FROM data_issues GROUP BY household_id)
        SELECT {keys}, count(*) AS households, CAST(coalesce(sum(d.issues), 0) AS BIGINT) AS issues,
            count(d.household_id) AS households_with_issues
        FROM hh_facts f LEFT JOIN d USING (household_id)
        WHERE {where} GROUP BY ALL ORDER BY issues DESC, {keys}
    """  # noqa: S608
    return con.execute(sql, params).df()


def _raw_value_sql(viewer: Viewer) -> str:
    pii = "(" + ", ".join(f"'{p}'" for p in PII_FIELDS) + ")"
    return (f"CASE WHEN d.field IN {pii} AND d.field LIKE '%name%' THEN {mask_name('d.raw_value', viewer)} "
            f"WHEN d.field IN {pii} THEN {mask_id('d.raw_value', viewer)} ELSE d.raw_value END")


def issues_list_query(flt: Filters, viewer: Viewer) -> ListQuery:
    """The data issues of the filtered households (the full list, for extracts)."""
    where, params = household_where(flt, viewer, "f")
    sql = f"""
        SELECT h.township, h.village, d.household_id, {mask_name('h.head_name', viewer)} AS head_name,
            d.rule, d.table_name, d.field, {_raw_value_sql(viewer)} AS raw_value, d.file_name, d.line, d.batch_id
        FROM data_issues d JOIN hh_facts f USING (household_id) JOIN households h USING (household_id)
        WHERE {where}
    """  # noqa: S608
    return ListQuery(sql, params, "township, village, household_id, rule, line")


def issues_list(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer,
                limit: int | None = None) -> pd.DataFrame:
    """The data issues of the filtered households (raw values of personal fields masked): the first
    `limit` in order (all when None), the full list's size in `total`."""
    return issues_list_query(flt, viewer).page(con, limit)


def issue_counts(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> dict[str, int]:
    """Data issues of the filtered households and the households they touch."""
    where, params = household_where(flt, viewer, "f")
    row = con.execute(f"""SELECT count(*), count(DISTINCT d.household_id)
        FROM data_issues d JOIN hh_facts f USING (household_id) WHERE {where}""", params).fetchone()  # noqa: S608
    return {"issues": int(row[0]), "households": int(row[1])} if row else {"issues": 0, "households": 0}


def defects_query(flt: Filters, viewer: Viewer, as_of: date, township: str | None = None) -> ListQuery:
    """Data issues and failed completeness checks in one list (optionally of one township).

    Columns: township, village, household_id, defect_source (`issue` / `check`), rule (rule or check
    code), field (code, NULL for checks), raw_value (masked; `passed/required` for checks), file_name,
    line. Issues come before checks within a household."""
    where, params = household_where(flt, viewer, "f")
    if township is not None:
        where += " AND f.township = $x_township"
        params["x_township"] = township
    check = ("SELECT township, village, household_id, 'check' AS defect_source, '{c}' AS rule, NULL AS field, "
             "CAST(ok_{c} AS VARCHAR) || '/' || CAST(req_{c} AS VARCHAR) AS raw_value, NULL AS file_name, "
             "NULL AS line, 1 AS src, NULL AS line_order FROM hc WHERE ok_{c} < req_{c}")
    checks = " UNION ALL ".join(check.format(c=c) for c in CHECKS)
    sql = f"""
        WITH {_household_checks_cte(where)}
        SELECT f.township, f.village, d.household_id, 'issue' AS defect_source, d.rule, d.field,
            {_raw_value_sql(viewer)} AS raw_value, d.file_name, d.line, 0 AS src, d.line AS line_order
        FROM data_issues d JOIN hh_facts f USING (household_id)
        WHERE {where}
        UNION ALL {checks}
    """  # noqa: S608
    return ListQuery(sql, {**params, "as_of": as_of}, "township, village, household_id, src, rule, line_order")


def defects(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date,
            township: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """`defects_query` paged: the first `limit` (all when None), the full list's size in `total`."""
    return defects_query(flt, viewer, as_of, township).page(con, limit).drop(columns=["src", "line_order"])


def issue_trend(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Issues and rejected rows recorded by each load, in load order (issues per 100 rows loaded)."""
    return con.execute("""
        SELECT batch_id, loaded_at, file_name, kind, rows_loaded, rows_rejected, issues,
            100.0 * issues / nullif(rows_loaded, 0) AS issues_per_100
        FROM load_batches ORDER BY loaded_at, batch_id
    """).df()
