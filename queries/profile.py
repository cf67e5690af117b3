"""Household profile (家庭情况简介): everything about one household, or many at once.

Batched: one query per section for all requested households, then split, so the profiles of a whole
visit list cost the same few queries as one. Personal data is masked as on screen; households outside
the viewer's townships are not returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from etl.rules import MONITORING_FACTOR, RECTIFICATION_CLOSED
from etl.sqlexpr import age_sql
from queries import lookup
from queries.figures import define
from queries.filters import (
    ALL,
    Filters,
    Viewer,
    household_where,
    mask_file_name,
    mask_id,
    mask_name,
    mask_phone,
    names_by_household,
    redact_names,
)
from queries.quality import masked_raw_value_sql

define("profile.income", ("家庭人均纯收入（分年度）", "Income per head by year"),
       ("这一户", "This household"), ("各收入年度的人均纯收入（元）与当年贫困线", "Income per head (yuan) and "
       "the line of each income year"), date_rule=("收入年度（档案字段）", "The registry's income year"),
       source="household_income")


@dataclass
class Profile:
    household: dict[str, object]
    members: pd.DataFrame
    measures: pd.DataFrame
    income: pd.DataFrame
    visits: pd.DataFrame
    claims: pd.DataFrame
    open_items: pd.DataFrame
    defects: pd.DataFrame
    reasons: list[str] = field(default_factory=list)


def _visible(con: duckdb.DuckDBPyConnection, located: lookup.Located, viewer: Viewer) -> list[str]:
    """The ids that name a household the viewer may see."""
    where, params = household_where(ALL, viewer, "hh_facts")
    df = lookup.fetch(con, f"SELECT household_id, {where} AS visible FROM hh_facts WHERE {{IDS}}",  # noqa: S608
                      "hh_facts", located, {**params, "ids": list(located.household_ids)})
    return [str(h) for h in df.loc[df["visible"].fillna(False).astype(bool), "household_id"]]


def profiles(con: duckdb.DuckDBPyConnection, household_ids: list[str], viewer: Viewer,
             as_of: date) -> list[Profile]:
    """Profiles of the given households (in the given order; unknown or out-of-scope ids skipped)."""
    if not household_ids:
        return []
    ids = list(dict.fromkeys(str(i) for i in household_ids))
    located = lookup.locate(con, ids)
    visible = set(_visible(con, located, viewer))
    if not visible:
        return []
    if len(visible) < len(ids):  # rare: some ids are unknown or out of the viewer's scope
        located = lookup.locate(con, [h for h in ids if h in visible])
    ids_clause = lookup.ids_clause(located.household_ids)

    def q(sql: str, table: str, extra: dict[str, object] | None = None) -> pd.DataFrame:
        params: dict[str, object] = {"ids": list(located.household_ids),
                                     **({"as_of": as_of} if "$as_of" in sql else {}), **(extra or {})}
        if table in lookup.TABLES:
            return lookup.fetch(con, sql, table, located, params)
        return con.execute(sql.replace("{IDS}", ids_clause(f"{table}.household_id")), params).df()

    hh = q(f"""
        SELECT household_id, township, village, {mask_name('head_name', viewer)} AS head_name,
            {mask_id('head_id_number', viewer)} AS head_id_number, household_size,
            household_attribute, identification_standard, main_cause,
            array_to_string(other_causes, '、') AS other_causes, exit_status, enjoys_policy,
            exit_year, identified_date, income_per_capita, income_year, unsafe_housing,
            safe_water, monitoring_type, monitored, risk_eliminated, registered, helper_name,
            helper_unit, {mask_phone('phone', viewer)} AS phone, head_name AS raw_name
        FROM households WHERE {{IDS}}
    """, "households")  # noqa: S608
    members = q(f"""
        SELECT household_id, {mask_name('name', viewer)} AS name, {mask_id('id_number', viewer)} AS id_number,
            relation, sex, {age_sql('birth_date')} AS age, education, school_status,
            array_to_string(health, '、') AS health, labor_skill, work_months, medical_insurance,
            critical_illness_insurance, family_doctor_signed, name AS raw_name
        FROM members WHERE {{IDS}}
        ORDER BY household_id, is_head DESC NULLS LAST, birth_date NULLS LAST, member_key
    """, "members")  # noqa: S608
    measures = q("""
        SELECT household_id, category, content, project, coalesce(year, year(start_date)) AS year,
            amount_yuan, status, responsible_unit
        FROM interventions WHERE {IDS} ORDER BY household_id, year NULLS LAST, category
    """, "interventions")
    income = q(f"""
        SELECT household_id, income_year, income_per_capita, pl.line AS poverty_line,
            income_per_capita / nullif(pl.line, 0) AS ratio,
            income_per_capita < pl.line AS below_line,
            income_per_capita < {MONITORING_FACTOR} * pl.line AS within_monitoring
        FROM household_income LEFT JOIN poverty_lines pl ON pl.year = income_year
        WHERE {{IDS}} ORDER BY household_id, income_year
    """, "household_income")  # noqa: S608
    visits = q("""
        SELECT household_id, visit_date, visit_type, visitor, notes
        FROM visits WHERE {IDS} ORDER BY household_id, visit_date DESC NULLS LAST
    """, "visits")
    claims = q("""
        SELECT household_id, admission_date, institution, total_cost, basic_insurance,
            critical_illness_insurance, medical_assistance, other_support, out_of_pocket
        FROM medical_claims WHERE {IDS} ORDER BY household_id, admission_date DESC NULLS LAST
    """, "medical_claims")
    closed = "(" + ", ".join(f"'{s}'" for s in RECTIFICATION_CLOSED) + ")"
    # every item naming the household: the rectification page places it where the registry places its
    # household (etl.derive_inspection), in the viewer's townships as the profile is
    items = q(f"""
        SELECT household_id, issue_id, source, found_date, category AS problem_category, description, responsible_unit,
            deadline, coalesce(status, '未整改') AS status,
            CASE WHEN deadline < $as_of THEN date_diff('day', deadline, $as_of) END AS days_overdue
        FROM rectifications
        WHERE {{IDS}} AND (status IS NULL OR status NOT IN {closed})
        ORDER BY household_id, deadline NULLS LAST
    """, "rectifications")  # noqa: S608
    defects = q(f"""
        SELECT household_id, rule, field, {masked_raw_value_sql('field', 'raw_value', viewer)} AS raw_value,
            {mask_file_name('file_name', viewer)} AS file_name, line
        FROM data_issues WHERE {{IDS}} ORDER BY household_id, rule, line
    """, "data_issues")  # noqa: S608

    # free text may name a member (随访张树林:高血压): mask those names as well; the unmasked names
    # came with the rows above (raw_name), so they are not looked up again
    if not viewer.pii:
        names = names_by_household(pd.concat([hh[["household_id", "raw_name"]],
                                              members[["household_id", "raw_name"]]],
                                             ignore_index=True).rename(columns={"raw_name": "name"}))
        visits = redact_names(visits, ["notes"], names, viewer)
        items = redact_names(items, ["description"], names, viewer)
        measures = redact_names(measures, ["content"], names, viewer)
    hh, members = hh.drop(columns=["raw_name"]), members.drop(columns=["raw_name"])

    parts = {name: _split(df) for name, df in (("members", members), ("measures", measures), ("income", income),
                                                ("visits", visits), ("claims", claims), ("open_items", items),
                                                ("defects", defects))}
    by_id = {str(r["household_id"]): r for r in hh.to_dict("records")}
    return [Profile(household=by_id[hid], **{name: part(hid) for name, part in parts.items()})
            for hid in ids if hid in by_id]


def _split(df: pd.DataFrame) -> Callable[[str], pd.DataFrame]:
    """One household's rows of a section frame (grouped once, not filtered per household). The
    sections come ordered by household, so a household's rows are one slice of the frame: a slice
    shares the frame's data where a row selection copies it (20 profiles cut ~140 frames)."""
    body = df.drop(columns=["household_id"])
    rows = df.groupby("household_id", sort=False).indices
    empty = body.iloc[:0]

    def part(hid: str) -> pd.DataFrame:
        idx = rows.get(hid)
        if idx is None:
            return empty.copy()
        first, last = int(idx[0]), int(idx[-1])
        out = body.iloc[first:last + 1] if last - first + 1 == len(idx) else body.take(idx)
        out.index = pd.RangeIndex(len(idx))
        return out

    return part


def profile(con: duckdb.DuckDBPyConnection, household_id: str, viewer: Viewer, as_of: date) -> Profile | None:
    found = profiles(con, [household_id], viewer, as_of)
    return found[0] if found else None


def household_options(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer,
                      limit: int = 5000) -> pd.DataFrame:
    """Household ids with a masked head name for a picker (the filtered households, first `limit`)."""
    where, params = household_where(flt, viewer, "f")
    sql = f"""
        SELECT f.household_id, f.township, f.village, {mask_name('f.head_name', viewer)} AS head_name
        FROM hh_facts f WHERE {where}
        ORDER BY f.seq LIMIT {int(limit)}
    """  # noqa: S608 - seq = township, village, household_id
    return con.execute(sql, params).df()
