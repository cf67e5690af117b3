"""Every named threshold and rule of the product, each with its one-line meaning, in one place.

The ETL (derived tables), the query layer and the pages import them from here; the indicator dictionary
(queries.figures) and the pages' rules texts quote them. A rule's SQL formula lives beside the code that
runs it (etl.derive_cells, etl.sqlexpr, queries.*), built from these values, never from a copy.

What the named words mean:
- 监测线 (monitoring threshold): per-capita income below MONITORING_FACTOR × the year's POVERTY_LINE.
- 逾期 (overdue): a rectification item not in RECTIFICATION_CLOSED whose deadline is before the reference
  date; 即将到期 (due soon): open and due within DUE_SOON_DAYS of it.
- 随访达标 (followed up): a chronic patient with at least MIN_FOLLOW_UPS family-doctor follow-ups and
  MIN_CHECK_UPS check-ups in the 12 months up to the reference date, and a follow-up within
  MAX_DAYS_WITHOUT_FOLLOW_UP days (`compliant_sql`).
- 疑似错退 (suspected wrong exit): an exited household whose income is below the line or that has a
  两不愁三保障 gap (hh_facts.suspected_wrong_exit); WRONG_EXIT_LIMIT is the rate an assessment allows.
- 久未走访 (no recent visit): no visit within DEFAULT_NO_VISIT_DAYS (the visit planner; its user may
  change it); the archive check wants one within VISIT_WITHIN_DAYS.
- 失学辍学 (out of school): a member of SCHOOL_AGE whose school status matches NOT_IN_SCHOOL_PATTERN.
- 因病因残户 (ill household): ILL_CAUSES as the main or another cause of poverty.
- 自付过高 (high out-of-pocket): a year's out-of-pocket above RISK_INCOME_SHARE of the household's
  income; OOP_TARGET is the share of costs a county aims to keep patients' own payments under.
- 三率一度 veto lines and sample size: INCIDENCE_LINE, WRONG_EXIT_LIMIT, MISSED_LINE, APPROVAL_LINE,
  MIN_SAMPLE (etl.inspection_rules.Lines carries them per inspection).
"""

from __future__ import annotations

from datetime import date

# Poverty line, yuan per person per year at current prices (2017-2019 approximate); a later year keeps
# the last line (etl.derive.poverty_lines).
POVERTY_LINE: dict[int, int] = {2014: 2800, 2015: 2855, 2016: 2952, 2017: 2952, 2018: 2995, 2019: 3218,
                                2020: 4000}
LAST_LINE_YEAR = max(POVERTY_LINE)  # a later year keeps this year's line
# the year of the lowest line: an income below it is below the line of any year (etl.sqlexpr.income_line_year_sql)
LOWEST_LINE_YEAR = min(POVERTY_LINE, key=lambda y: (POVERTY_LINE[y], y))
MONITORING_FACTOR = 1.5  # income within 1.5x the line = under the monitoring threshold

# The earliest date a date column can hold (`date_too_early`, stored as no date). 建档立卡 began in 2014: no
# household was identified (识别时间) before it. Any other date of the work (a visit, a measure's start, an
# admission, a finding, a deadline, a check) before 2000 is a system's placeholder for "unknown"
# (1900-01-01, 1899-12-31: Excel's day 0, 0001-01-01, 1970-01-01), and stretched every year filter to 1900.
# A year column holds no year before EARLIEST_DATE's either, and no household exited (脱贫年度) before 建档立卡
# began: 脱贫年度 1900 (a placeholder, or 1900-01-01 read as its year) was stored, without an issue, and
# stretched the exit-year filter to 1900–2020.
EARLIEST_DATE = date(2000, 1, 1)
EARLIEST_DATE_OF: dict[str, date] = {"identified_date": date(2014, 1, 1), "exit_year": date(2014, 1, 1)}


# 脱贫攻坚 ended in 2020: no household exited later (from 2021 the monitoring system's households have their
# risk eliminated, 风险消除, they do not exit). A later 脱贫年度 is an archive defect (`exit_after_campaign`),
# kept as written, and dates no data: one household's 2022 moved a county's mid-2020 data to 2022-12-31,
# every open rectification item two years overdue and every household unvisited.
LAST_EXIT_YEAR = 2020


def earliest_date(field: str | None) -> date:
    """The earliest date column `field` can hold (EARLIEST_DATE_OF, else EARLIEST_DATE)."""
    return EARLIEST_DATE_OF.get(field or "", EARLIEST_DATE)


# Ages: "elderly" in statistics (60+) and "elderly living alone" as the visit rules use it (65+).
ELDERLY_AGE = 60
ELDERLY_ALONE_AGE = 65

# Compulsory-education ages (inclusive), and the school statuses that mean out of school.
SCHOOL_AGE = (6, 15)
NOT_IN_SCHOOL_PATTERN = "辍学|失学|非在校|不在校|未入学|未上学|未就学|休学"

# Causes of poverty that make a household an "ill household".
ILL_CAUSES = ("因病", "因残")
# Health statuses: a chronic patient (the follow-up rule applies), a serious illness, a disability.
CHRONIC = "长期慢性病"
SERIOUS_ILLNESS = "患有大病"
DISABLED = "残疾"
ILL = (CHRONIC, SERIOUS_ILLNESS)  # members the health page counts as ill
ILL_HEALTH = (*ILL, DISABLED)  # members on the health page's list

# Family-doctor follow-up of a chronic patient, in the 12 months up to the reference date.
MIN_FOLLOW_UPS = 4
MIN_CHECK_UPS = 1
MAX_DAYS_WITHOUT_FOLLOW_UP = 90

# Medical claims: a claim's parts may miss its total cost by rounding (yuan).
CLAIM_TOLERANCE = 1
# Out-of-pocket: the county's target share of costs, and the share of income above which a household is
# at risk (the health page lets its user change both).
OOP_TARGET = 0.10
RISK_INCOME_SHARE = 0.5

# Statuses that close a rectification item, and the days ahead that make an open item "due soon".
RECTIFICATION_CLOSED = ("已整改", "已销号")
DUE_SOON_DAYS = 14

# Visits: the archive check wants a visit within VISIT_WITHIN_DAYS; the visit planner flags a household
# without one for DEFAULT_NO_VISIT_DAYS (its user may change it).
VISIT_WITHIN_DAYS = 30
DEFAULT_NO_VISIT_DAYS = 30

# 三率一度 veto lines (defaults: the west of China, data-spec §1.4), and the sample below which a rate
# is shown with a warning.
INCIDENCE_LINE = 0.03
WRONG_EXIT_LIMIT = 0.02
MISSED_LINE = 0.02
APPROVAL_LINE = 0.90
MIN_SAMPLE = 30


def compliant_sql(follow_ups: str, check_ups: str, days_since_follow_up: str) -> str:
    """随访达标 as SQL over three expressions (never NULL): the one formula the derived tables and the
    health queries use."""
    return (f"({follow_ups} >= {MIN_FOLLOW_UPS} AND {check_ups} >= {MIN_CHECK_UPS} "
            f"AND {days_since_follow_up} IS NOT NULL AND {days_since_follow_up} <= {MAX_DAYS_WITHOUT_FOLLOW_UP})")
