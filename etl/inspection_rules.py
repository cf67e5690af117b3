"""The exit inspection's rules (data-spec §1.4), one place for the loader (etl.load_inspection), the
queries (queries.inspection_rates) and the page's rules text.

三率一度, each a veto: 综合贫困发生率 (incidence), 脱贫人口错退率 (wrong exits), 贫困人口漏评率 (missed),
群众认可度 (approval). People, not households, unless said; "surveyed" = the checks of the chosen period.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl import rules


# A household check's `household_key`, the household it names: its 户编号 (or the one a member's ID number
# links it to), else its head's ID number, else its place and head's name. Written here once: the loader
# keys by it and the rates read it (a household outside the registry named both ways is one household).
def household_key_sql(household_id: str) -> str:
    return f"'户:' || {household_id}"


def id_key_sql(id_number: str) -> str:
    return f"'证:' || {id_number}"


def name_key_sql(township: str, village: str, head_name: str) -> str:
    return f"'名:' || {township} || '/' || {village} || '/' || {head_name}"


# A village's population figure is its base when its 乡村人口 is above 0. A 0 (a blank cell of a
# formula-made export) is no figure, as a negative one is (stored NULL, the latest usable year counts): it
# put the village's people not exited into the county's incidence over none of its rural people (2 over
# 100 people: 2%), while the village's own row had no figure and no place said it lacked a base (a probe,
# 2026-12-06). The rates, `check_no_population_base` and what a population base resolves read this.
def base_usable_sql(rural_population: str) -> str:
    return f"{rural_population} > 0"


ID_KEYED = "household_key LIKE '证:%'"  # a check keyed by its head's ID number
HOUSEHOLD_KEYED = "household_key LIKE '户:%'"


# The four indicators in the order the page shows them.
INDICATORS = ("incidence", "wrong_exit", "missed", "approval")


# A figure this close to its line is at the line (lines are inclusive): the incidence is a sum of products
# of rates, so a figure exactly at 3% came out as 0.030000000000000006 and failed (a probe, 2026-12-06),
# and a line typed as 2.9 is 0.028999999999999998. Rates are in [0, 1]; a real gap is far larger.
AT_LINE = 1e-12


def within(indicator: str, value: object, line: float) -> object:
    """True where `value` (a number or an array) is within `line`: at least it for approval, at most it
    for the others, a value at the line (up to AT_LINE) included."""
    return value >= line - AT_LINE if indicator == "approval" else value <= line + AT_LINE  # type: ignore[operator]


@dataclass(frozen=True)
class Lines:
    """Veto lines (defaults: the west of China, data-spec §1.4). A place passes an indicator when its
    figure is at most the line (incidence, wrong exits, missed) or at least it (approval)."""

    incidence: float = rules.INCIDENCE_LINE
    wrong_exit: float = rules.WRONG_EXIT_LIMIT
    missed: float = rules.MISSED_LINE
    approval: float = rules.APPROVAL_LINE

    def passes(self, indicator: str, value: float | None) -> bool | None:
        """None when there is no figure to judge."""
        if value is None or value != value:  # NaN
            return None
        return bool(within(indicator, value, getattr(self, indicator)))


DEFAULT_LINES = Lines()
Z95 = 1.959963984540054  # two-sided 95% normal quantile (Wilson interval)


def unconfirmed(passes: object, lo: object, hi: object, line: float) -> bool:
    """A passing figure whose 95% interval [lo, hi] holds its line: the point estimate is within the line
    but the sample cannot confirm it (a township's 综合贫困发生率 0.5% with an interval to 7.8% against a
    3% line). Shown orange in charts and as 达标（样本未能确认） in tiles, tables and the briefing: the
    tiles said a plain 达标 beside the charts' orange bars (a browser review)."""
    if passes is None or passes is pd.NA or not bool(passes) or pd.isna(lo) or pd.isna(hi):
        return False
    return float(lo) <= line <= float(hi)  # type: ignore[arg-type]


def verdict(passes: bool | None, unsure: bool, small: bool = False) -> str:
    """A figure's verdict, a label under `rates.`: no_figure, fail, pass_indicative (within its line on a
    sample under MIN_SAMPLE, where the briefing says so), pass_unconfirmed (`unconfirmed`) or pass."""
    if passes is None:
        return "no_figure"
    if not passes:
        return "fail"
    return "pass_indicative" if small else "pass_unconfirmed" if unsure else "pass"


# The group a registry household belonged to when a check surveyed it, as a check form's 户类型 names it
# (`h`: households or hh_facts; the check's own columns unqualified). A check linked to the registry
# counts in the registry's group; one that is not, in the group its form names. A household that exited
# in the check's year or later and that the form calls 未脱贫户 had not exited yet (exits are declared at
# the year's end; the registry keeps only the year): a June self-check was right, and counts as 未脱贫户.
# Likewise a household the registry first identified (首次识别时间/纳入时间) after the check was not
# registered when surveyed: a June form's 一般农户, 漏评 stays in the 漏评 sample. The registry's correction
# of a miss had erased it from the June 漏评率 (13/129 became 9/125) and turned the form into a
# check_type_mismatch and a check_missed_registered (a probe, 2026-12-07). Its date when it has one,
# else the year of a 识别时间 written without a day; not when the registry says it exited before it was
# identified (exit_before_identified: one of the two is wrong, and the registry's status stands).
REGISTERED_AT_CHECK_SQL = """(h.registered AND NOT coalesce((h.identified_date > check_date
         OR h.identified_date IS NULL AND h.identified_year > year(check_date))
         AND NOT coalesce(h.exit_year < h.identified_year, false), false))"""
# And a household back in poverty (返贫) that the registry has exit before the check's year and the form
# calls 脱贫户 had not returned yet as far as the registry can tell (it keeps the exit's year, no date of the
# return): a June 错退 that the registry later confirmed by 返贫 had left the 错退率 (2/3 became 0/1) and
# the correct form was flagged check_type_mismatch and check_wrong_exit_not_exited (the same probe).
REGISTRY_TYPE_SQL = f"""CASE WHEN {REGISTERED_AT_CHECK_SQL} THEN CASE WHEN h.exit_status = '已脱贫' AND NOT coalesce(
         household_type = '未脱贫户' AND h.exit_year >= year(check_date), false) THEN '脱贫户'
         WHEN h.exit_status = '返贫' AND coalesce(household_type = '脱贫户' AND h.exit_year < year(check_date),
                                                   false) THEN '脱贫户' ELSE '未脱贫户' END
     WHEN h.monitored THEN '边缘户' END"""
REGISTERED_TYPES = ("脱贫户", "未脱贫户")
NOT_REGISTERED_TYPES = ("边缘户", "一般农户")

# 两不愁三保障 items of a check form: column -> the item's name (labels translate it, labels.codes_en).
ITEMS: dict[str, str] = {
    "food_ok": "不愁吃", "clothing_ok": "不愁穿", "education_ok": "义务教育保障", "medical_ok": "基本医疗保障",
    "housing_ok": "住房安全保障", "water_ok": "饮水安全保障",
}

# Data-rule signals (not survey figures): 疑似错退 is hh_facts.suspected_wrong_exit (exited, and income
# below the line or a 两不愁三保障 gap); 疑似漏评 = a monitored household below the line that is not
# registered (over hh_facts `f`).
SUSPECTED_MISSED_SQL = "(f.monitored AND NOT f.registered AND f.income_below_line)"
# The same over the summary cells `c` (agg_household): below_line counted in the cells of households that
# are monitored (a monitoring type) and not registered (no exit status).
SUSPECTED_MISSED_CELL_SQL = "(c.exit_status IS NULL AND c.monitoring_type IS NOT NULL)"
