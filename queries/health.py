"""Health support (健康扶贫): ill households and members, insurance, family doctors, follow-ups, claims.

Rules (shown on the page):
- ill household: main or other cause 因病 or 因残;
- ill member: health 长期慢性病 or 患有大病 (残疾 shown alongside);
- follow-up compliance of a chronic patient (长期慢性病): at least 4 家庭医生随访 and 1 健康体检 in the 12
  months up to the as-of date, and a follow-up within the last 90 days. The visit ledger records
  households, so a household's follow-ups count for each of its patients;
- out-of-pocket share = out_of_pocket / total_cost of the claims that have both, against a target
  (default 10%);
- return-to-poverty risk: a household whose out-of-pocket in a calendar year exceeds the warning
  threshold: a share (default 50%) of its annual income (income per capita of that year, else the
  latest, × members) or a fixed amount;
- a claim does not add up when |total − (basic + critical + assistance + other + out-of-pocket)| > 1 yuan;
  a claim without an out-of-pocket figure is not checked (the load's rule for a file without 个人自付).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

# the follow-up rule is defined with the cells that count it (pages read it from here)
from etl.derive_cells import OOP_ORDER
from etl.rules import (
    CLAIM_TOLERANCE,
    MAX_DAYS_WITHOUT_FOLLOW_UP,
    MIN_CHECK_UPS,
    MIN_FOLLOW_UPS,
    RISK_INCOME_SHARE,
    compliant_sql,
)
from etl.sqlexpr import age_sql, claim_gap_sql, claim_parts_sql, window_count
from queries.figures import Text, define
from queries.filters import Filters, Viewer, area_keys, household_where, in_place_order, mask_id, mask_name
from queries.meta import data_as_of
from queries.paging import ALL_PLACES, ListQuery

_ALL: Text = ("登记在册的全部户（建档立卡户、监测对象及档案不全的户；健康帮扶不分人群）",
              "Every household of the registry (registered, monitored and incomplete records; health support "
              "does not depend on the population)")
_MEMBERS: Text = ("这些户的家庭成员行数", "Member rows of these households")
define("health.ill_households", ("因病因残致贫户", "Households poor through illness or disability"), _ALL,
       ("主要或其他致贫原因为因病、因残的户", "Households whose main or other cause is Illness (因病) or Disability (因残)"), unit="households")
define("health.ill_members", ("患病成员", "Ill members"), _ALL,
       ("健康状况为长期慢性病或患有大病的成员行", "Member rows with a chronic or serious illness"), unit="people")
define("health.chronic", ("慢性病患者", "Chronic patients"), _ALL,
       ("健康状况为长期慢性病的成员行", "Member rows with a chronic illness"), source="agg_ill_member", unit="people")
define("health.compliance", ("慢病随访合规率", "Follow-up compliance"), _ALL,
       (f"近 12 个月家庭医生随访 ≥ {MIN_FOLLOW_UPS} 次、体检 ≥ {MIN_CHECK_UPS} 次且 {MAX_DAYS_WITHOUT_FOLLOW_UP} 天内有随访的慢性病患者",
        f"Chronic patients with ≥ {MIN_FOLLOW_UPS} follow-ups and ≥ {MIN_CHECK_UPS} check-up in 12 months and a "
        f"follow-up within {MAX_DAYS_WITHOUT_FOLLOW_UP} days"), ("慢性病患者", "Chronic patients"),
       ("截至参考日期的 12 个月（走访记录按户，户内每位患者都计）",
        "The 12 months up to the reference date (visits are per household: each patient of it counts)"),
       "agg_ill_member ← list_ill_member ← visits")
define("health.oop_share", ("个人自付比例", "Out-of-pocket share"), _ALL,
       ("总费用与个人自付均有数的报销的个人自付金额", "Out-of-pocket of the claims with both a total and an out-of-pocket"),
       ("这些报销的医疗总费用", "Total cost of those claims"), ("入院日期所在年度（可选）", "The admission year (optional)"),
       "list_claim ← medical_claims")
define("health.risks", ("因病返贫风险户", "Households at risk from medical costs"), _ALL,
       ("某年个人自付超过家庭年收入一定比例（默认 50%）的户年", "Household-years whose out-of-pocket exceeds a "
        "share (default 50%) of the household's income"), date_rule=("入院日期所在年度", "The admission year"),
       source="list_claim_year", unit="households")
define("health.by_township", ("各乡镇（村）患病情况 / 参保签约", "Illness / insurance per township (village)"), _ALL, _MEMBERS)
define("health.claims", ("医疗费用与报销", "Medical costs and reimbursements"), _ALL,
       ("报销金额（元）", "Yuan"), ("医疗总费用", "Total cost"), ("入院日期所在年度", "The admission year"),
       "list_claim ← medical_claims")


def ill_by_township(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, level: str = "township"
                    ) -> pd.DataFrame:
    """Per township (level="village": per township and village): households, ill households (cause),
    households with ill or disabled members."""
    keys = area_keys(level)
    where, params = household_where(flt, viewer, "c")
    sql = f"""
        SELECT {keys}, CAST(sum(c.households) AS BIGINT) AS households,
            CAST(sum(c.ill_cause_households) AS BIGINT) AS ill_cause_households,
            CAST(sum(c.ill_member_households) AS BIGINT) AS ill_member_households,
            CAST(sum(c.ill_members) AS BIGINT) AS ill_members, CAST(sum(c.chronic_members) AS BIGINT) AS chronic_members,
            CAST(sum(c.disabled_members) AS BIGINT) AS disabled_members
        FROM agg_household c
        WHERE {where}
        GROUP BY ALL ORDER BY ill_cause_households DESC, {keys}
    """  # noqa: S608 - per-cell sums (etl.derive): a household is in exactly one cell
    return con.execute(sql, params).df()


def _window_count(dates: str) -> str:
    """Follow-ups (or check-ups) of a list_ill_member row `l` in the 12 months up to $as_of."""
    return window_count("l." + dates, "CAST($as_of AS DATE)")


# the snapshot's as-of date (etl.derive facts_meta): list_ill_member's compliant_until answers for it
_STORED_AS_OF = "(SELECT CAST(value AS DATE) FROM facts_meta WHERE key = 'as_of')"
# the last follow-up (check-up) up to $as_of: the stored one is the last up to the snapshot's as-of date, so
# at an earlier reference date a later follow-up made a patient "followed up -70 days ago" and compliant
# (at the snapshot's own date, the usual case, the stored column: no list walked per row)
_AT_STORED = f"CAST($as_of AS DATE) = {_STORED_AS_OF}"
_LAST_FOLLOW_UP = (f"CASE WHEN {_AT_STORED} THEN l.last_follow_up_date "
                   "ELSE list_max(list_filter(l.follow_up_dates, lambda d: d <= CAST($as_of AS DATE))) END")
_LAST_CHECK_UP = (f"CASE WHEN {_AT_STORED} THEN l.last_check_up_date "
                  "ELSE list_max(list_filter(l.check_up_dates, lambda d: d <= CAST($as_of AS DATE))) END")
_DAYS_SINCE_FOLLOW_UP = f"date_diff('day', {_LAST_FOLLOW_UP}, $as_of)"
_ROW_COMPLIANT = (  # the follow-up rule of a list_ill_member row `l` at $as_of (chronic patients only)
    f"CASE WHEN {_AT_STORED} THEN l.compliant_until > CAST($as_of AS DATE) "
    f"ELSE {compliant_sql(_window_count('follow_up_dates'), _window_count('check_up_dates'), _DAYS_SINCE_FOLLOW_UP)}"
    " END")
_COMPLIANT = "CASE WHEN NOT chronic THEN NULL ELSE compliant END"


def _ill_members_sql(flt: Filters, viewer: Viewer, as_of: date) -> tuple[str, dict[str, object]]:
    """`im`: the ill members with their follow-ups at `as_of`, of the households up to place
    $seq_bound (a page's rows, `ListQuery.bound`)."""
    where, params = household_where(flt, viewer, "l")
    sql = f"""
        WITH im AS (
            SELECT l.township, l.village, l.household_id, {mask_name('l.name', viewer)} AS name,
                {mask_id('l.id_number', viewer)} AS id_number,
                {age_sql('l.birth_date')} AS age,
                array_to_string(l.health, '、') AS health, l.labor_skill,
                l.medical_insurance, l.critical_illness_insurance, l.family_doctor_signed, l.chronic,
                {_window_count('follow_up_dates')} AS follow_ups_12m,
                {_window_count('check_up_dates')} AS check_ups_12m, {_ROW_COMPLIANT} AS compliant,
                {_LAST_FOLLOW_UP} AS last_follow_up_date,
                {_DAYS_SINCE_FOLLOW_UP} AS days_since_follow_up,
                {_LAST_CHECK_UP} AS last_check_up_date, l.seq, l.is_head, l.member_key
            FROM list_ill_member l
            WHERE {where} AND l.seq <= $seq_bound
        )"""  # noqa: S608
    return sql, {**params, "as_of": as_of, "seq_bound": ALL_PLACES}


_MEMBER_ORDER = "seq, is_head DESC, member_key"  # place (township, village, household), head first
_HIDDEN = ("seq", "is_head", "member_key")  # order columns, not shown
_MEMBER_COLUMNS = ("township, village, household_id, name, id_number, age, health, labor_skill, medical_insurance, "
                   "critical_illness_insurance, family_doctor_signed, chronic, follow_ups_12m, check_ups_12m, "
                   "last_follow_up_date, days_since_follow_up, last_check_up_date")
# A list_ill_member row `l` on the gap list at $as_of (the rule of `follow_up_gaps_query`, over the row)
_GAP_ROWS = f"l.chronic AND NOT ({_ROW_COMPLIANT})"


def _member_list(flt: Filters, viewer: Viewer, as_of: date, select: str, rows: str, total: str) -> ListQuery:
    """A list of ill members (`select` over `im`), paged by place: a page finds the last household of
    its rows (`rows`, a condition over list_ill_member `l`) on narrow columns first, then builds and
    orders only the rows up to it (the list is stored in place order). `total`: the size from the
    `agg_ill_member` cells (`c`), NULL when they cannot tell."""
    cte, params = _ill_members_sql(flt, viewer, as_of)
    where, _ = household_where(flt, viewer, "l")
    bound = f"""SELECT max(seq) FROM (SELECT l.seq FROM list_ill_member l WHERE {where} AND {rows}
                                     ORDER BY l.seq LIMIT $limit)"""  # noqa: S608
    cells_where, _ = household_where(flt, viewer, "c")
    return ListQuery(f"{cte} {select}", params, _MEMBER_ORDER, hidden=_HIDDEN, bound=bound,
                     total=f"SELECT {total} FROM agg_ill_member c WHERE {cells_where}")  # noqa: S608


def ill_members_query(flt: Filters, viewer: Viewer, as_of: date) -> ListQuery:
    """Members with a chronic or serious illness or a disability, with insurance and follow-ups, in place
    order. `compliant` is the follow-up rule for chronic patients (NULL for the others). Its size comes
    from the `agg_ill_member` cells: the list's rows do not depend on the as-of date."""
    select = f"SELECT {_MEMBER_COLUMNS}, {_COMPLIANT} AS compliant, seq, is_head, member_key FROM im"  # noqa: S608
    return _member_list(flt, viewer, as_of, select, "TRUE", "coalesce(sum(c.members), 0)")


def ill_members(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date,
                limit: int | None = None) -> pd.DataFrame:
    """`ill_members_query` paged: the first `limit` (all when None), the full list's size in `total`."""
    return ill_members_query(flt, viewer, as_of).page(con, limit)


GAP_COLUMNS = ["township", "village", "household_id", "name", "age", "health", "family_doctor_signed",
               "follow_ups_12m", "check_ups_12m", "last_follow_up_date", "days_since_follow_up",
               "few_follow_ups", "no_check_up", "no_recent_follow_up"]


def follow_up_gaps_query(flt: Filters, viewer: Viewer, as_of: date) -> ListQuery:
    """Chronic patients out of compliance, with which part of the rule they miss. Its size comes from the
    `agg_ill_member` cells at the data's as-of date, and is counted at another."""
    select = f"""
        SELECT township, village, household_id, name, age, health, family_doctor_signed, follow_ups_12m,
            check_ups_12m, last_follow_up_date, days_since_follow_up,
            follow_ups_12m < {MIN_FOLLOW_UPS} AS few_follow_ups, check_ups_12m < {MIN_CHECK_UPS} AS no_check_up,
            (days_since_follow_up IS NULL OR days_since_follow_up > {MAX_DAYS_WITHOUT_FOLLOW_UP})
                AS no_recent_follow_up,
            seq, is_head, member_key
        FROM im WHERE chronic AND NOT ({_COMPLIANT})"""  # noqa: S608
    stored = (f"CASE WHEN CAST($as_of AS DATE) = {_STORED_AS_OF} THEN coalesce(sum(c.chronic), 0) - "
              f"coalesce(sum(c.chronic) FILTER (WHERE c.compliant_until > {_STORED_AS_OF}), 0) END")
    return _member_list(flt, viewer, as_of, select, _GAP_ROWS, stored)


def follow_up_gap_list(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date,
                       limit: int | None = None) -> pd.DataFrame:
    """`follow_up_gaps_query` paged: the first `limit` (all when None), the full list's size in `total`."""
    return follow_up_gaps_query(flt, viewer, as_of).page(con, limit)


def _ill_member_cells(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> tuple[int, int, int, int]:
    """Listed ill members, chronic patients, those in compliance and those out of it at the data's as-of
    date (`agg_ill_member`)."""
    where, params = household_where(flt, viewer, "c")
    compliant = f"sum(c.chronic) FILTER (WHERE c.compliant_until > {_STORED_AS_OF})"
    rows = con.execute(f"""SELECT sum(c.members), sum(c.chronic), {compliant}
                           FROM agg_ill_member c WHERE {where}""", params).fetchall()  # noqa: S608
    members, chronic, compliant = (int(v or 0) for v in rows[0]) if rows else (0, 0, 0)
    return members, chronic, compliant, chronic - compliant


def compliance(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date) -> dict[str, int]:
    """Chronic patients and those who meet the follow-up rule, counted in SQL: summed from the
    `agg_ill_member` cells at the data's as-of date, counted from the member list at any other."""
    if as_of == data_as_of(con):
        _, chronic, compliant, _ = _ill_member_cells(con, flt, viewer)
        return {"chronic": chronic, "compliant": compliant}
    cte, params = _ill_members_sql(flt, viewer, as_of)
    sql = f"""{cte}
        SELECT count(*) FILTER (WHERE chronic), count(*) FILTER (WHERE chronic AND {_COMPLIANT}) FROM im"""  # noqa: S608
    rows = con.execute(sql, params).fetchall()
    row = rows[0] if rows else (0, 0)
    return {"chronic": int(row[0] or 0), "compliant": int(row[1] or 0)}


def _compliant(df: pd.DataFrame) -> pd.Series:
    """Follow-up compliance of chronic patients (NA for members who are not chronic patients)."""
    ok = (
        (df["follow_ups_12m"] >= MIN_FOLLOW_UPS)
        & (df["check_ups_12m"] >= MIN_CHECK_UPS)
        & df["days_since_follow_up"].notna()
        & (df["days_since_follow_up"].fillna(10**6) <= MAX_DAYS_WITHOUT_FOLLOW_UP)
    )
    return ok.astype("boolean").where(df["chronic"].astype(bool), pd.NA)


def follow_up_gaps(members: pd.DataFrame) -> pd.DataFrame:
    """Pandas twin of `follow_up_gaps_query` for a small, complete member frame (pages use the SQL)."""
    gaps = members[members["chronic"].astype(bool) & (members["compliant"] == False)].copy()  # noqa: E712
    gaps["few_follow_ups"] = gaps["follow_ups_12m"] < MIN_FOLLOW_UPS
    gaps["no_check_up"] = gaps["check_ups_12m"] < MIN_CHECK_UPS
    gaps["no_recent_follow_up"] = (gaps["days_since_follow_up"].isna()
                                   | (gaps["days_since_follow_up"] > MAX_DAYS_WITHOUT_FOLLOW_UP))
    return gaps


def compliance_summary(members: pd.DataFrame) -> dict[str, int]:
    """Pandas twin of `compliance` for a small, complete member frame (pages use the SQL)."""
    chronic = members[members["chronic"].astype(bool)]
    return {"chronic": len(chronic), "compliant": int((chronic["compliant"] == True).sum())}  # noqa: E712


# each enrolment count and the members whose answer is on record (its share's denominator)
ENROLMENT_RECORDED = {"medical_insured": "medical_recorded", "critical_insured": "critical_recorded",
                      "doctor_signed": "doctor_recorded"}


def enrolment_by_township(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, level: str = "township"
                          ) -> pd.DataFrame:
    """Members enrolled in basic and critical-illness insurance and signed with a family doctor, per
    township (level="village": per township and village). Each share is of the members whose answer is
    on record (`*_recorded`): a registry without the column, or with it left blank, has no share (NaN),
    not 0% — unknown is not "not insured". `all_members`: the members of every household of the registry
    (headed 总人数: 人数 on the overview are the registered people, 54 there beside 66 here)."""
    keys = area_keys(level)
    where, params = household_where(flt, viewer, "c")
    shares = ", ".join(f"CAST(sum(c.{col}) / nullif(sum(c.{rec}), 0) AS DOUBLE) AS {col}_share"
                       for col, rec in ENROLMENT_RECORDED.items())
    recorded = ", ".join(f"CAST(sum(c.{rec}) AS BIGINT) AS {rec}" for rec in ENROLMENT_RECORDED.values())
    sql = f"""
        SELECT {keys}, CAST(sum(c.members) AS BIGINT) AS all_members,
            CAST(sum(c.medical_insured) AS BIGINT) AS medical_insured,
            CAST(sum(c.critical_insured) AS BIGINT) AS critical_insured,
            CAST(sum(c.doctor_signed) AS BIGINT) AS doctor_signed, {recorded},
            CAST(sum(c.chronic_members) AS BIGINT) AS chronic,
            CAST(sum(c.chronic_doctor_signed) AS BIGINT) AS chronic_doctor_signed,
            {shares}
        FROM agg_household c
        WHERE {where}
        GROUP BY ALL
    """  # noqa: S608 - per-cell sums (etl.derive)
    return in_place_order(con.execute(sql, params).df())


def claim_years(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> list[int]:
    where, params = household_where(flt, viewer, "c")
    sql = f"""
        SELECT DISTINCT claim_year FROM list_claim c
        WHERE {where} AND claim_year IS NOT NULL ORDER BY claim_year DESC
    """  # noqa: S608
    return [int(r[0]) for r in con.execute(sql, params).fetchall()]


def opening_year(years: list[int], as_of: date) -> int | None:
    """The claim year the page opens on: the latest of `years` (newest first) up to the reference date's,
    None (every year) when there is none. One 入院日期 typed 2030 for 2020 (future_date) made the page open
    on 2030, every claim figure that one claim's."""
    return next((y for y in years if y <= as_of.year), None)


def undated_claims(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> int:
    """Claims in the filter without 入院日期 (no claim year): in no year's figures, and never in the
    households at risk (a year's out of pocket against a year's income); the page says so."""
    where, params = household_where(flt, viewer, "c")
    rows = con.execute(f"SELECT count(*) FROM list_claim c WHERE {where} AND c.claim_year IS NULL",  # noqa: S608
                       params).fetchall()
    return int(rows[0][0] or 0) if rows else 0


def _year_clause(year: int | None, column: str = "c.claim_year") -> str:
    """The rows of `$year` (every row when None): a claim's year in `list_claim`, `c.year` in `list_claim_year`."""
    return f"{column} = $year" if year is not None else "TRUE"


# A claim whose parts are checked against its total: one with an out-of-pocket figure. A claims list
# without 个人自付 (an insurer's settlement list) cannot add up; the load does not flag it either.
_PARTS_CHECKED = "c.out_of_pocket IS NOT NULL"


def oop_share_total(claims: pd.DataFrame) -> float | None:
    """The out-of-pocket share of all the places of `claims_by_township` together: each place's share
    weighted by the cost it is over (`oop_cost`), i.e. the out of pocket of the claims with a total and
    an out of pocket over their cost (None: no such cost)."""
    total = float(claims["oop_cost"].sum()) if not claims.empty else 0.0
    return float((claims["oop_share"].fillna(0) * claims["oop_cost"]).sum()) / total if total else None


def claims_by_township(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, year: int | None = None,
                       level: str = "township") -> pd.DataFrame:
    """Claims per township (level="village": per township and village): total cost, each payer,
    out-of-pocket and its share of the total; `parts_off_yuan`: how far the claims whose parts do not
    add up to their total (`claim_mismatches`) are off, in all (0 when every claim adds up). The share is
    `oop_counted` / `oop_cost` (the claims with both); `no_oop_claims` and `no_total_claims` count the
    claims left out of it for want of an out of pocket or of a total."""
    keys = area_keys(level)
    where, params = household_where(flt, viewer, "c")
    params = {**params, "tol": CLAIM_TOLERANCE, **({"year": year} if year is not None else {})}
    # a claim without its total is off by all its parts (as claim_mismatches lists it) and stays out of
    # the share: its out-of-pocket had no cost beside it; a claim without its out of pocket stays out
    # too: its cost counted as paid in full by others and lowered the share (`oop_cost`: the share's cost)
    gap = claim_gap_sql("c")
    both = f"c.total_cost IS NOT NULL AND {_PARTS_CHECKED}"
    sql = f"""
        SELECT {keys}, count(*) AS claims,
            CAST(sum(c.total_cost) AS BIGINT) AS total_cost, CAST(sum(c.basic_insurance) AS BIGINT) AS basic_insurance,
            CAST(sum(c.critical_illness_insurance) AS BIGINT) AS critical_illness_insurance,
            CAST(sum(c.medical_assistance) AS BIGINT) AS medical_assistance, CAST(sum(c.other_support) AS BIGINT) AS other_support,
            CAST(sum(c.out_of_pocket) AS BIGINT) AS out_of_pocket,
            sum(c.out_of_pocket) FILTER (WHERE {both}) / nullif(sum(c.total_cost) FILTER (WHERE {both}), 0) AS oop_share,
            CAST(coalesce(sum({gap}) FILTER (WHERE {gap} > $tol AND {_PARTS_CHECKED}), 0) AS BIGINT) AS parts_off_yuan,
            coalesce(sum(c.total_cost) FILTER (WHERE {both}), 0) AS oop_cost,
            -- the share's numerator: a claim with an out of pocket and no total stays out of the share, but
            -- its out of pocket is in `out_of_pocket` (the row read 个人自付 8,000 of 总费用 22,000 beside a
            -- share of 29.5%); oop_counted / oop_cost is the share
            coalesce(sum(c.out_of_pocket) FILTER (WHERE {both}), 0) AS oop_counted,
            count(*) FILTER (WHERE NOT ({_PARTS_CHECKED})) AS no_oop_claims,
            count(*) FILTER (WHERE c.total_cost IS NULL AND {_PARTS_CHECKED}) AS no_total_claims
        FROM list_claim c
        WHERE {where} AND {_year_clause(year)}
        GROUP BY ALL ORDER BY oop_share DESC NULLS LAST, {keys}
    """  # noqa: S608
    return con.execute(sql, params).df()


def oop_risks_query(flt: Filters, viewer: Viewer, year: int | None = None, income_share: float = RISK_INCOME_SHARE,
                    fixed_amount: float | None = None) -> ListQuery:
    """Households whose own out-of-pocket in a calendar year exceeds the warning threshold (full list).

    Threshold: `fixed_amount` yuan if given, else `income_share` × the household's annual income
    (income per capita of the claim year, else the latest known, × members). Reads `list_claim_year`
    (one row per household and year, stored highest share of income first); the threshold, a page
    setting, is applied here.
    """
    where, params = household_where(flt, viewer, "c")
    params = {**params, "share": income_share, "fixed": fixed_amount}
    if year is not None:
        params["year"] = year
    year_clause = _year_clause(year, "c.year")
    sql = f"""
        SELECT township, village, household_id, name, year, n_members, income_per_capita, household_income,
            claims, total_cost, out_of_pocket,
            round(threshold, 2) AS threshold,  -- shown to the fen (1927.265 went out); compared unrounded
            oop_income_ratio
        FROM (
            SELECT c.township, c.village, c.household_id, {mask_name('c.head_name', viewer)} AS name, c.year,
                c.n_members, c.income_per_capita, c.household_income, c.claims, c.total_cost, c.out_of_pocket,
                coalesce(CAST($fixed AS DOUBLE), $share * c.income_per_capita * c.n_members) AS threshold,
                c.oop_income_ratio
            FROM list_claim_year c
            WHERE {where} AND {year_clause}
        ) WHERE threshold IS NOT NULL AND out_of_pocket > threshold
    """  # noqa: S608
    return ListQuery(sql, params, OOP_ORDER)


def oop_risks(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, year: int | None = None,
              income_share: float = RISK_INCOME_SHARE, fixed_amount: float | None = None,
              limit: int | None = None) -> pd.DataFrame:
    """`oop_risks_query` paged: the first `limit` (all when None), full size in `total`."""
    return oop_risks_query(flt, viewer, year, income_share, fixed_amount).page(con, limit)


def risks_without_income(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, year: int | None = None) -> int:
    """Household-years of `list_claim_year` (in the year, when given) with an out of pocket and no income
    to put it against (no 人均纯收入 on record): their warning line as a share of income is unknown, so
    `oop_risks_query` cannot list them under that rule; the page counts them."""
    where, params = household_where(flt, viewer, "c")
    if year is not None:
        params["year"] = year
    year_clause = _year_clause(year, "c.year")
    rows = con.execute(f"""SELECT count(*) FROM list_claim_year c WHERE {where} AND {year_clause}
                           AND c.out_of_pocket > 0 AND (c.income_per_capita IS NULL OR c.n_members IS NULL)""",  # noqa: S608
                       params).fetchall()
    return int(rows[0][0] or 0) if rows else 0


def claim_mismatches(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, year: int | None = None) -> pd.DataFrame:
    """Claims whose parts do not add up to the total cost (by more than etl.sqlexpr.CLAIM_TOLERANCE
    yuan, the load's rule; a missing total counts 0 here, so a claim with parts and no total shows; a
    claim without an out of pocket is not checked)."""
    where, params = household_where(flt, viewer, "c")
    params = {**params, "tol": CLAIM_TOLERANCE}
    if year is not None:
        params["year"] = year
    parts = claim_parts_sql("c")
    sql = f"""
        SELECT c.township, c.village, c.household_id, {mask_id('c.id_number', viewer)} AS id_number, c.admission_date, c.institution,
            c.total_cost, c.basic_insurance, c.critical_illness_insurance, c.medical_assistance,
            c.other_support, c.out_of_pocket, {parts} AS parts_sum, c.total_cost - {parts} AS difference
        FROM list_claim c
        WHERE {where} AND {_year_clause(year)} AND {claim_gap_sql("c")} > $tol AND {_PARTS_CHECKED}
        ORDER BY abs(difference) DESC
    """  # noqa: S608
    return con.execute(sql, params).df()
