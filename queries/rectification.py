"""Rectification ledger (问题整改): status, overdue items, ageing, burn-down, categories, due soon.

Rules (shown on the page):
- open = status not in RECTIFICATION_CLOSED (已整改, 已销号); a blank status counts as open (未整改);
- overdue = open and deadline < as-of date; days overdue = as-of − deadline;
- age of an open item = as-of − found date;
- due soon = open and as-of ≤ deadline ≤ as-of + 14 days;
- closed on time = closed with a completed date on or before its deadline; closed late = after it
  (days late = completed − deadline); a closed item without both dates is neither, and the on-time
  rate counts only the closed items that have both;
- burn-down: at the end of each week since the first finding of a source, the items of that source
  found by then and not yet closed (closed = completed date on or before that day; a closed item
  without a completed date, or completed after the as-of date, counts as closed from the as-of date).
An item concerns a township (no village, no household), a village, or one household.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from etl.codes import NOT_FILLED
from etl.rules import DUE_SOON_DAYS
from etl.sqlexpr import RECT_OPEN_SQL
from queries.figures import Text, define
from queries.filters import (
    ALL,
    Filters,
    Viewer,
    area_keys,
    area_where,
    household_where,
    merge,
)

_OPEN = RECT_OPEN_SQL
OPEN_ITEMS = _OPEN  # over list_rectification r
# an item without a 整改时限 is never overdue nor due soon (FALSE, not NULL: a page masks rows with it)
OVERDUE_ITEMS = f"coalesce({_OPEN} AND r.deadline < $as_of, FALSE)"
# closed on time / late: both dates needed (FALSE otherwise, as above)
ON_TIME_ITEMS = f"coalesce(NOT {_OPEN} AND r.completed_date <= r.deadline, FALSE)"
LATE_ITEMS = f"coalesce(NOT {_OPEN} AND r.completed_date > r.deadline, FALSE)"
DUE_SOON_ITEMS = f"coalesce({_OPEN} AND r.deadline >= $as_of AND r.deadline <= $as_of + INTERVAL {DUE_SOON_DAYS} DAY, FALSE)"

_ITEMS: Text = ("问题整改台账中的事项（按事项计，不按户）；筛选致贫原因等户条件时，只含涉及符合条件的户的事项及乡镇、村级事项",
                "Items of the rectification ledger (items, not households); with household filters (cause, "
                "status, …) the items of matching households plus township- and village-level items")
_FOUND: Text = ("状态按台账最新记录；逾期以参考日期（默认数据截至日期）判断",
                "Status as the ledger's latest row says; overdue against the reference date (the data's as-of "
                "date by default)")
define("rect_total", ("整改事项", "Items"), _ITEMS, ("台账事项数", "Ledger items"), date_rule=_FOUND,
       source="list_rectification ← rectifications", unit="items")
define("rect_open", ("未完成整改事项", "Open items"), _ITEMS,
       ("状态不是已整改或已销号的事项", "Items whose status is neither Rectified (已整改) nor Closed (已销号)"), date_rule=_FOUND,
       source="list_rectification ← rectifications", unit="items")
define("rect_overdue", ("逾期整改事项", "Overdue items"), _ITEMS,
       ("未完成且整改时限早于参考日期的事项", "Open items whose deadline is before the reference date"),
       date_rule=_FOUND, source="list_rectification ← rectifications", unit="items")
define("rect_due_soon", ("即将到期事项", "Due soon"), _ITEMS,
       (f"未完成且整改时限在参考日期起 {DUE_SOON_DAYS} 天内的事项",
        f"Open items due within {DUE_SOON_DAYS} days of the reference date"), date_rule=_FOUND,
       source="list_rectification ← rectifications", unit="items")
define("rect_closed", ("已完成整改事项", "Closed items"), _ITEMS,
       ("状态为已整改或已销号的事项", "Items whose status is Rectified (已整改) or Closed (已销号)"), date_rule=_FOUND,
       source="list_rectification ← rectifications", unit="items")
define("rect_late", ("超期完成事项", "Items closed late"), _ITEMS,
       ("已完成且完成日期晚于整改时限的事项", "Closed items completed after their deadline"), date_rule=_FOUND,
       source="list_rectification ← rectifications", unit="items")
define("rect_on_time_rate", ("按期完成率", "Items closed on time"), _ITEMS,
       ("完成日期不晚于整改时限的已完成事项", "Closed items completed on or before their deadline"),
       ("填有完成日期和整改时限的已完成事项", "Closed items with both a completed date and a deadline"),
       date_rule=_FOUND, source="list_rectification ← rectifications")
define("rect.by_status", ("各乡镇（村）整改事项（按状态）", "Items per township (village) by status"), _ITEMS,
       ("各状态的事项数", "Items per status"), date_rule=_FOUND, source="list_rectification")
define("rect.ageing", ("未完成事项账龄", "Open items by age"), _ITEMS,
       ("未完成事项按发现至今天数分段", "Open items by days since found"), date_rule=_FOUND,
       source="list_rectification")
define("rect.burn_down", ("整改进度（每周未完成事项）", "Burn-down (open items per week)"), _ITEMS,
       ("每周末已发现且未完成的事项", "Items found and not closed at each week's end"),
       date_rule=("按发现日期与完成日期；无完成日期或完成日期晚于参考日期的已完成事项从参考日期起算为完成",
                  "By found and completed dates; a closed item without a completed date, or completed after "
                  "the reference date, counts as closed from the reference date"), source="list_rectification")
define("rect.by_dim", ("事项按类别 / 责任单位", "Items by category / responsible unit"), _ITEMS,
       ("各类别（或责任单位）的事项数", "Items per category (or unit)"), date_rule=_FOUND,
       source="list_rectification")


def item_where(flt: Filters, viewer: Viewer, *, household_filters: bool = True) -> tuple[str, dict[str, object]]:
    """Items of `list_rectification r` in the filtered area; an item about one household also needs
    that household (`r.hh`, its filter columns) to match the household filters (cause, attribute,
    status...), township- and village-level items do not. For a viewer limited to some townships, an
    item naming a household outside them is never shown, even when the ledger puts the item in one of
    the viewer's townships; one naming a household in no registry file is where its ledger puts it.
    `household_filters=False`: the area and scope only."""
    area = area_where(flt, viewer, "r.township", "r.village")
    by_household = household_filters and not flt.with_(townships=(), villages=()).is_empty()
    sub, params = household_where(flt if by_household else ALL, viewer, "r.hh")
    if sub == "TRUE":
        return area
    # an item of a household in no registry file is placed by its ledger (the area and scope above), as in
    # the county's view and the figure history: hidden from its township's own users, it made their tile 6
    # beside the trend's 7 (a probe). Household filters, which it cannot match, still leave it out.
    unknown = "" if by_household else " OR r.hh.township IS NULL"
    return merge(area, (f"r.household_id IS NULL{unknown} OR ({sub})", params))


def ledger(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date, *, open_only: bool = False,
           limit: int | None = None) -> pd.DataFrame:
    """Every item in scope with its derived state: open, overdue, days overdue, age, due soon, days to
    its deadline (due soon only).
    `open_only`: open items only; `limit`: the first `limit` items in order (most overdue first)."""
    where, params = item_where(flt, viewer)
    if open_only:
        where = f"({where}) AND {_OPEN}"
    # free text may name a member of the household (整改张树林家危房): the snapshot stores it masked too
    masked = "" if viewer.pii else "_masked"
    sql = f"""
        SELECT r.issue_id, r.source, r.found_date, r.township, r.village, r.household_id,
            r.category AS problem_category, r.description{masked} AS description, r.responsible_unit,
            r.responsible_person, r.measures{masked} AS rect_measures,
            r.deadline, coalesce(r.status, '未整改') AS status, r.completed_date,
            {_OPEN} AS is_open,
            {OVERDUE_ITEMS} AS overdue,
            CASE WHEN {OVERDUE_ITEMS} THEN date_diff('day', r.deadline, $as_of) END AS days_overdue,
            -- an item found after the as-of date (a 发现日期 typed wrong: future_date) has no age yet
            CASE WHEN {_OPEN} AND r.found_date <= $as_of THEN date_diff('day', r.found_date, $as_of) END AS age_days,
            {DUE_SOON_ITEMS} AS due_soon,
            CASE WHEN {DUE_SOON_ITEMS} THEN date_diff('day', $as_of, r.deadline) END AS days_to_deadline,
            {ON_TIME_ITEMS} AS on_time,
            {LATE_ITEMS} AS late,
            CASE WHEN {LATE_ITEMS} THEN date_diff('day', r.deadline, r.completed_date) END AS days_late,
            CASE WHEN r.household_id IS NOT NULL THEN 'household'
                 WHEN r.village IS NOT NULL THEN 'village' ELSE 'township' END AS level
        FROM list_rectification r
        WHERE {where}
        ORDER BY overdue DESC, days_overdue DESC NULLS LAST, r.deadline NULLS LAST, r.issue_id
    """  # noqa: S608 - clauses built from code constants; values are parameters
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return con.execute(sql, {**params, "as_of": as_of}).df()


def open_count(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> int:
    """The number of open items `ledger(..., open_only=True)` would list in full."""
    where, params = item_where(flt, viewer)
    row = con.execute(f"SELECT count(*) FROM list_rectification r WHERE ({where}) AND {_OPEN}", params).fetchone()  # noqa: S608
    return int(row[0]) if row else 0


def summary(df: pd.DataFrame) -> dict[str, int]:
    """Headline counts of a ledger frame (`on_time` + `late`: the closed items with both dates)."""
    def count(col: str) -> int:
        return int(df[col].sum()) if len(df) else 0

    return {"total": len(df), "open": count("is_open"), "overdue": count("overdue"), "due_soon": count("due_soon"),
            "closed": int((~df["is_open"].astype(bool)).sum()) if len(df) else 0,
            "on_time": count("on_time"), "late": count("late")}


def on_time_rate(s: dict[str, int]) -> float | None:
    """Closed on time among the closed items with both dates (`summary`'s counts); None when none has."""
    timed = s["on_time"] + s["late"]
    return s["on_time"] / timed if timed else None


def status_by_township(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date,
                       level: str = "township") -> pd.DataFrame:
    """Items per township (level="village": per township and village; a township-level item has no
    village, NULL) and status, plus the overdue count per place."""
    keys = area_keys(level, "r")
    where, params = item_where(flt, viewer)
    sql = f"""
        SELECT {keys}, coalesce(r.status, '未整改') AS status, count(*) AS items,
            count(*) FILTER (WHERE {OVERDUE_ITEMS}) AS overdue
        FROM list_rectification r WHERE {where}
        GROUP BY ALL ORDER BY {keys} NULLS FIRST, status
    """  # noqa: S608
    return con.execute(sql, {**params, "as_of": as_of}).df()


AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 30), (31, 90), (91, 180), (181, 365), (366, None))


def ageing(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date) -> pd.DataFrame:
    """Open items by age bucket (days since found; -1: no 发现日期; -2: found after the as-of date, a date
    typed wrong, which was counted as having none) and overdue or not (no deadline: not)."""
    where, params = item_where(flt, viewer)
    cases = " ".join(
        f"WHEN date_diff('day', r.found_date, $as_of) BETWEEN {lo} AND {hi} THEN {n}" if hi is not None
        else f"WHEN date_diff('day', r.found_date, $as_of) >= {lo} THEN {n}"
        for n, (lo, hi) in enumerate(AGE_BUCKETS)
    )
    sql = f"""
        SELECT CASE WHEN r.found_date > $as_of THEN -2 {cases} ELSE -1 END AS bucket, {OVERDUE_ITEMS} AS overdue, count(*) AS items
        FROM list_rectification r WHERE {where} AND {_OPEN}
        GROUP BY ALL ORDER BY bucket, overdue
    """  # noqa: S608
    return con.execute(sql, {**params, "as_of": as_of}).df()


def burn_down(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date) -> pd.DataFrame:
    """Open items at the end of each week since the first finding of each source, up to as-of."""
    where, params = item_where(flt, viewer)
    sql = f"""
        WITH items AS (
            SELECT coalesce(r.source, '') AS source, r.found_date,
                -- a closed item completed after the as-of date (a date typed wrong, or an earlier
                -- reference date) is closed at the as-of date, as the ledger's status says
                CASE WHEN {_OPEN} THEN NULL ELSE least(coalesce(r.completed_date, $as_of), $as_of) END AS closed_on
            FROM list_rectification r WHERE {where} AND r.found_date IS NOT NULL AND r.found_date <= $as_of
        ),
        starts AS (SELECT source, min(found_date) AS first_found FROM items GROUP BY source),
        weeks AS (
            SELECT source, CAST(unnest(generate_series(first_found + INTERVAL 6 DAY,
                CAST($as_of AS DATE) + INTERVAL 6 DAY, INTERVAL 7 DAY)) AS DATE) AS week_end
            FROM starts
        )
        SELECT w.source, least(w.week_end, CAST($as_of AS DATE)) AS week_end,
            count(i.found_date) FILTER (WHERE i.closed_on IS NULL OR i.closed_on > least(w.week_end, $as_of))
                AS open_items,
            count(i.found_date) AS found_items
        FROM weeks w LEFT JOIN items i ON i.source = w.source AND i.found_date <= least(w.week_end, $as_of)
        GROUP BY ALL ORDER BY w.source, week_end
    """  # noqa: S608
    return con.execute(sql, {**params, "as_of": as_of}).df()


# by_dimension's choices: the column grouped on and the name of the output column
_DIMENSIONS = {"problem_category": ("r.category", "problem_category"),
               "responsible_unit": ("r.responsible_unit", "responsible_unit")}


def by_dimension(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, as_of: date, dimension: str) -> pd.DataFrame:
    """Items per problem category (`problem_category`) or `responsible_unit`: total, open, overdue. An item
    without one counts under 未填写 (NOT_FILLED), as a household without a cause does (a blank bar and a
    blank row were left unexplained; a probe)."""
    column, name = _DIMENSIONS[dimension]  # both from the table: `dimension` itself never enters the SQL
    where, params = item_where(flt, viewer)
    params["unfilled"] = NOT_FILLED
    sql = f"""
        SELECT coalesce(nullif(trim({column}), ''), $unfilled) AS {name}, count(*) AS items,
            count(*) FILTER (WHERE {_OPEN}) AS open_items,
            count(*) FILTER (WHERE {OVERDUE_ITEMS}) AS overdue
        FROM list_rectification r WHERE {where}
        GROUP BY ALL ORDER BY open_items DESC, items DESC, {name}
    """  # noqa: S608
    return con.execute(sql, {**params, "as_of": as_of}).df()
