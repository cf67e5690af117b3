"""Archive quality (档案规范性): data issues by area and rule, completeness score, defect list, trend.

The completeness checks and their score are defined once, as SQL, in `etl.quality_checks` (rules in
its docstring and on the page); at the data's as-of date the score and the defect list are read from
the tables stored with the snapshot (`agg_quality`, `list_defect`). At any other date the score adds
the fixed checks' stored sums to the dated checks evaluated on `agg_quality_dated`, and the defect
list is computed with the same SQL.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from etl.history import ledgers_with_rows
from etl.quality_checks import (
    CHECKS,
    CHECKS_BY_VISITS,
    DATED_KIND,
    DEFECT_ORDER,
    FIXED_CHECKS,
    applicable_checks,
    dated_check_sql,
    dated_defects_sql,
    defects_sql,
    household_checks_cte,
)
from etl.sqlexpr import masked_numbers_sql
from queries.figures import Text, define
from queries.filters import (
    ID_FIELDS,
    NAME_FIELDS,
    Filters,
    Viewer,
    household_where,
    mask_household_id,
    mask_id,
    mask_name,
    mask_phone,
    masked_file_name_join,
)
from queries.meta import LOADED_AT, batch_columns, data_as_of
from queries.paging import ALL_PLACES, ListQuery

__all__ = ["CHECKS", "applicable", "completeness", "defects"]

_HH: Text = ("登记在册的全部户（档案检查面向每一户）", "Every household of the registry (the archive is checked for each)")
define("quality.score", ("档案完整率", "Archive completeness"), _HH, ("通过的必查项", "Required checks passed"),
       ("必查项（每户适用的检查）", "Required checks (those that apply to each household)"),
       ("走访、收入等检查以参考日期判断", "Visit and income checks against the reference date"),
       "agg_quality, agg_quality_dated")
define("quality.issues", ("档案问题（条）", "Archive defects"), _HH,
       ("当前数据中的档案问题条数（与总览相同；与入库记录之差见总览说明）",
        "Archive defects in the current data (as on the overview; its note explains the load history's count)"),
       source="list_issue ← data_issues")
define("quality.households", ("有档案问题的户", "Households with defects"), _HH,
       ("至少有一条档案问题的户", "Households with at least one defect"), source="list_issue", unit="households")
define("quality.gaps", ("未通过的检查项", "Failed checks"), _HH, ("必查项 − 通过项", "Required − passed"),
       source="agg_quality, agg_quality_dated", unit="items")
define("quality.by_area", ("档案问题分布", "Archive defects by place, check and rule"), _HH,
       ("检查项或问题条数", "Checks or defects"), source="agg_quality, list_issue")
define("quality.trend", ("各批次入库时的问题数", "Issues recorded by each load"),
       ("每个入库批次", "Each load batch"), ("入库当时记录的问题数（被后续文件替换的记录的问题之后会删除）",
        "Issues recorded when the batch was loaded (a later file replacing a record removes its issues)"),
       date_rule=("入库时间", "Load time"), source="load_batches")


def applicable(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The checks required of a household with the ledgers loaded (`etl.quality_checks.applicable_checks`:
    no 30天内走访 before a visits ledger holds a row)."""
    return applicable_checks(ledgers_with_rows(con))


def completeness(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date,
                 level: str = "township") -> pd.DataFrame:
    """Completeness score per township or village (worst first), with every check's counts, at any
    as-of date: the fixed checks' stored sums plus the dated checks over `agg_quality_dated`. A check
    that cannot be judged yet (`applicable`) counts 0 required and 0 passed."""
    checks = applicable(con)
    keys = {"township": "township", "village": "township, village"}[level]
    where, params = household_where(flt, viewer, "c")
    group, out = keys, keys
    source = f"({_dated_sums_sql(level, where)}) c"
    params = {**params, "as_of": as_of}
    if level == "village":  # grouped on `area`; its names come from the agg_quality part
        group, out = "area", "max(township) AS township, max(village) AS village"
    # coalesce: a dated check no row of a group passes has no row in its part of the union
    total = {p: " + ".join(f"coalesce(sum({p}_{c}), 0)" for c in checks) for p in ("req", "ok")}
    sums = ", ".join((f"CAST(coalesce(sum({p}_{c}), 0) AS BIGINT)" if c in checks else "CAST(0 AS BIGINT)")
                     + f" AS {p}_{c}" for c in CHECKS for p in ("req", "ok"))
    sql = f"""
        SELECT {out}, CAST(sum(households) AS BIGINT) AS households, CAST({total["req"]} AS BIGINT) AS required,
            CAST({total["ok"]} AS BIGINT) AS passed, ({total["ok"]}) / nullif({total["req"]}, 0) AS score, {sums}
        FROM {source} GROUP BY {group} ORDER BY score ASC NULLS LAST, {keys}
    """  # noqa: S608
    return con.execute(sql, params).df()


def _dated_sums_sql(level: str, where: str) -> str:
    """Per township or `area` (village): the households and fixed checks' sums from `agg_quality` (every
    household requires the income and visit checks), and one scan of `agg_quality_dated` per dated
    check, each with a constant date range (`dated_check_sql`) that skips the row groups outside it."""
    keys, fixed_keys = ("township", "township") if level == "township" else ("area", "township, village, area")
    fixed = ", ".join(f"sum(req_{c}) AS req_{c}, sum(ok_{c}) AS ok_{c}" for c in FIXED_CHECKS)
    dated = {"income": "sum(n) AS ok_income", "visit": "sum(n) AS ok_visit",
             "school": "sum(n) AS req_school, sum(n_ok) AS ok_school"}
    parts = [f"""SELECT {fixed_keys}, sum(households) AS households, {fixed}, sum(households) AS req_income,
            sum(households) AS req_visit FROM agg_quality c WHERE {where} GROUP BY {fixed_keys}"""]  # noqa: S608
    parts += [f"""SELECT {keys}, {sums} FROM agg_quality_dated c
            WHERE c.kind = {DATED_KIND[check]} AND {dated_check_sql(check)} AND {where} GROUP BY {keys}"""  # noqa: S608
              for check, sums in dated.items()]
    return "\n        UNION ALL BY NAME\n        ".join(parts)


def issues_by_rule(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """Issues per rule, with the households affected (of any population: `households_with_issues`, as
    `issues_by_area` names them; headed 户数 they read as registered households, a rule such as
    `monitored_without_type` counting only households that are not)."""
    where, params = household_where(flt, viewer, "d")
    sql = f"""
        SELECT d.rule, count(*) AS issues, count(DISTINCT d.household_id) AS households_with_issues
        FROM list_issue d
        WHERE {where} GROUP BY d.rule ORDER BY issues DESC, d.rule
    """  # noqa: S608
    return con.execute(sql, params).df()


def issues_by_area(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer,
                   level: str = "township") -> pd.DataFrame:
    """Issues per township or village, with the households affected and all households there."""
    keys = {"township": "township", "village": "township, village"}[level]
    cwhere, cparams = household_where(flt, viewer, "c")
    dwhere, dparams = household_where(flt, viewer, "d")
    sql = f"""
        WITH a AS (SELECT {keys}, CAST(sum(households) AS BIGINT) AS households
                   FROM agg_household c WHERE {cwhere} GROUP BY ALL),
        i AS (SELECT {keys}, count(*) AS issues, count(DISTINCT household_id) AS households_with_issues
              FROM list_issue d WHERE {dwhere} GROUP BY ALL)
        SELECT {keys}, a.households, coalesce(i.issues, 0) AS issues,
            coalesce(i.households_with_issues, 0) AS households_with_issues
        FROM a LEFT JOIN i USING ({keys})
        ORDER BY issues DESC, {keys}
    """  # noqa: S608 - both WHEREs have the same parameters (same filters and viewer)
    return con.execute(sql, {**cparams, **dparams}).df()


def masked_raw_value_sql(field: str, value: str, viewer: Viewer) -> str:
    """An issue's raw value masked as its field is everywhere else: a name as 张*春, a phone as
    138****5678, an ID number as 150824********1234 (a phone masked as an ID showed 10 of 11 digits);
    any other field's value as free text is (an ID number typed into 走访日期 was shown in full)."""
    if viewer.pii:
        return value
    names, ids = (", ".join(f"'{f}'" for f in fields) for fields in (NAME_FIELDS, ID_FIELDS))
    # a 户编号 is no personal number (16 digits), unless an ID number was typed into it
    return (f"CASE WHEN {field} = 'household_id' THEN {mask_household_id(value, viewer)} "
            f"WHEN {field} IN ({names}) THEN {mask_name(value, viewer)} "
            f"WHEN {field} = 'phone' THEN {mask_phone(value, viewer)} "
            f"WHEN {field} IN ({ids}) THEN {mask_id(value, viewer)} ELSE {masked_numbers_sql(value)} END")


def _raw_value_sql(viewer: Viewer) -> str:
    return masked_raw_value_sql("d.field", "d.raw_value", viewer)


def issue_counts(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> dict[str, int]:
    """Data issues of the filtered households and the households they touch."""
    where, params = household_where(flt, viewer, "d")
    row = con.execute(f"""SELECT count(*), count(DISTINCT d.household_id)
        FROM list_issue d WHERE {where}""", params).fetchone()  # noqa: S608
    return {"issues": int(row[0]), "households": int(row[1])} if row else {"issues": 0, "households": 0}


_ORDER_ONLY = ("seq", "src", "line_order")  # columns of DEFECT_ORDER a page does not show


def failed_check_sql(value: str) -> str:
    """A failed check's `passed/required` (`value`) as a work team reads it: $check_failed where one
    check applies (a household's: 0/1 read as a code), else $check_failed_of with {failed} and
    {required} filled in (a member check: 4人中1人未通过)."""
    passed, required = (f"TRY_CAST(split_part({value}, '/', {i}) AS INTEGER)" for i in (1, 2))
    return (f"CASE WHEN {required} = 1 THEN $check_failed "
            f"ELSE replace(replace($check_failed_of, '{{failed}}', CAST({required} - {passed} AS VARCHAR)), "
            f"'{{required}}', CAST({required} AS VARCHAR)) END")


def defects_query(flt: Filters, viewer: Viewer, as_of: date, township: str | None = None,
                  stored_as_of: date | None = None, failed: tuple[str, str] | None = None,
                  visits_loaded: bool = True) -> ListQuery:
    """Data issues and failed completeness checks in one list (optionally of one township).

    Columns: township, village, household_id, defect_source (`issue` / `check`), rule (rule or check
    code), field (code, NULL for checks), raw_value (masked; for checks `passed/required`, or with
    `failed` = (one check failed, {failed} of {required} failed) that text: `failed_check_sql`),
    file_name, line. Issues come before checks within a household. `stored_as_of`: the as-of date of
    the snapshot's `list_defect`; when it is `as_of` the list is read in its stored order. Without
    `visits_loaded` the visit check is not judged (`applicable`) and lists no failure."""
    stored = stored_as_of == as_of
    checks = CHECKS_BY_VISITS[bool(visits_loaded)]

    def where_of(alias: str) -> tuple[str, dict[str, object]]:
        where, params = household_where(flt, viewer, alias)
        if township is not None:
            where += f" AND {alias}.township = $x_township"
            params["x_township"] = township
        return where, params

    raw_value = _raw_value_sql(viewer)
    if failed is not None:
        raw_value = f"CASE WHEN d.defect_source = 'check' THEN {failed_check_sql('d.raw_value')} ELSE {raw_value} END"
    file_name, file_join = masked_file_name_join(viewer)
    columns = (f"township, village, household_id, defect_source, rule, field, {raw_value} AS raw_value, "
               f"{file_name} AS file_name, line")
    where, params = where_of("f")
    if failed is not None:
        params["check_failed"], params["check_failed_of"] = failed
    if stored:  # the stored list, and the visit and income checks at as_of (etl.quality_checks)
        stored_where, _ = where_of("d")  # the same parameters over another alias
        # A page builds the stored list's masked rows only up to the last place of its first rows (the
        # list is in place order): a top-N over the whole list masked every row's value first (L, 13M
        # defects: 68 ms against 10 ms). Its size is counted without the masked columns and the file
        # names' join (86 ms against 37 ms).
        sources = [f"SELECT * EXCLUDE (hk) FROM list_defect d WHERE {stored_where} AND d.seq <= $seq_bound",  # noqa: S608
                   *(f"SELECT * EXCLUDE (hk) FROM ({part})" for part in dated_defects_sql(where, checks))]  # noqa: S608
        parts = tuple((f"SELECT {columns}, seq, src, line_order FROM ({source}) d {file_join}",  # noqa: S608
                       DEFECT_ORDER)
                      for source in sources)
        sql = " UNION ALL ".join(f"({part})" for part, _ in parts)
        bound = f"SELECT max(seq) FROM (SELECT d.seq FROM list_defect d WHERE {stored_where} ORDER BY d.seq LIMIT $limit)"  # noqa: S608
        counts = " UNION ALL ".join(f"SELECT count(*) AS n FROM ({source})" for source in sources)  # noqa: S608
        total = f"SELECT sum(n) FROM ({counts})"  # noqa: S608
        return ListQuery(sql, {**params, "as_of": as_of, "seq_bound": ALL_PLACES}, DEFECT_ORDER, parts=parts,
                         hidden=_ORDER_ONLY, bound=bound, total=total)
    sql = f"""
        WITH {household_checks_cte(where)}
        SELECT {columns}, seq, src, line_order FROM ({defects_sql(where, "d.raw_value", checks_included=checks)}) d {file_join}
    """  # noqa: S608
    return ListQuery(sql, {**params, "as_of": as_of}, DEFECT_ORDER, hidden=_ORDER_ONLY)


def defects(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date,
            township: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """`defects_query` paged: the first `limit` (all when None), the full list's size in `total`."""
    return defects_query(flt, viewer, as_of, township, data_as_of(con),
                         visits_loaded="visit" in applicable(con)).page(con, limit)


def issue_totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The three counts of data issues a reader meets, whole county: recorded by the loads (the trend),
    in the data now (the data page), of households in the registry (this page's figures, unfiltered)."""
    row = con.execute("""SELECT (SELECT coalesce(sum(issues), 0) FROM load_batches),
                                (SELECT count(*) FROM data_issues), (SELECT count(*) FROM list_issue)""").fetchall()[0]
    return {"recorded": int(row[0]), "current": int(row[1]), "registry": int(row[2])}


def issue_trend(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pd.DataFrame:
    """Issues and rejected rows recorded by each load, in load order (issues per 100 rows loaded), as
    `viewer` may see the batches (queries.meta.batch_columns: time and kind only for a township viewer)."""
    cols = batch_columns(viewer, "batch_id", "loaded_at", "file_name", "kind", "rows_loaded", "rows_rejected",
                         "issues", "issues_per_100", loaded_at=LOADED_AT,
                         issues_per_100="round(100.0 * issues / nullif(rows_loaded, 0), 2)")
    return con.execute(f"SELECT {cols} FROM load_batches ORDER BY loaded_at, batch_id").df()  # noqa: S608
