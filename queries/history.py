"""What changed since a date: the figure history (etl.history) and the rectification ledger's dates.

`history(con, flt, viewer)`: per load (batch), the as-of date and the key figures summed over the
townships in view. `changes(con, flt, viewer, since, as_of)`: the figures now against the last earlier load
whose data as-of date is on or before `since` (net changes: the history keeps per-township totals, not
households), and the items opened and closed since then, counted from the ledger's own dates.
History rows know townships only: village and household filters do not apply to them (the page says so).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from etl.history import FIGURES, ledgers_with_rows
from etl.sqlexpr import RECT_OPEN_SQL
from queries.figures import Text, define
from queries.filters import Filters, Viewer, area_where, fetch
from queries.rectification import item_where

_POP: Text = ("各乡镇在每次入库后的建档立卡户数字（净变化：按乡镇合计，不追踪到户）",
              "Registered households per township after each load (net changes of township totals, not "
              "households)")
_DATE: Text = ("基准 = 本次之前、数据截至日期不晚于所选日期的最后一次入库；无则为第一次入库",
               "Baseline = the last load before the current one whose data as-of date is on or before the chosen "
               "date (else the first)")
define("since.exited", ("新增脱贫户（净）", "Newly exited households (net)"), _POP,
       ("现在的已脱贫户 − 基准时的已脱贫户", "Exited now − exited at the baseline"), date_rule=_DATE,
       source="figure_history", unit="households")
define("since.monitored", ("新增监测对象（净）", "Newly monitored households (net)"),
       ("各乡镇在每次入库后的监测对象户数（净变化：按乡镇合计，不追踪到户）",
        "Monitored households per township after each load (net changes of township totals, not households)"),
       ("现在的监测对象 − 基准时的监测对象", "Monitored now − monitored at the baseline"), date_rule=_DATE,
       source="figure_history", unit="households")
define("since.returned", ("新增返贫户（净）", "Newly returned households (net)"), _POP,
       ("现在的返贫户 − 基准时的返贫户", "Returned now − returned at the baseline"), date_rule=_DATE,
       source="figure_history", unit="households")
define("since.opened", ("新发现整改事项", "Items opened"),
       ("问题整改台账中的事项", "Items of the rectification ledger"),
       ("发现日期晚于所选日期的事项", "Items found after the chosen date"),
       date_rule=("发现日期（台账字段）", "The ledger's found date"), source="list_rectification", unit="items")
define("since.closed", ("已完成整改事项（期间）", "Items closed"),
       ("问题整改台账中的事项", "Items of the rectification ledger"),
       ("完成日期晚于所选日期的已完成事项", "Closed items completed after the chosen date"),
       date_rule=("完成日期（台账字段）", "The ledger's completed date"), source="list_rectification", unit="items")
define("since.trend", ("关键数字变化趋势", "Key figures over loads"), _POP,
       ("每次入库后的数字（乡镇合计）", "Each load's figures (township totals)"),
       date_rule=("横轴为数据截至日期；同一截至日期的多次入库画最后一次", "The x axis is the data as-of date; of several loads with one date, the last is drawn"),
       source="figure_history")


def history(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """batch_id, loaded_at, as_of, and FIGURES summed over the townships in view, one row per load."""
    where, params = area_where(flt.with_(villages=()), viewer, "h.township", None)
    sums = ", ".join(f"sum(h.{f})::BIGINT AS {f}" for f in FIGURES)
    return fetch(con, f"""SELECT h.batch_id, min(h.loaded_at) AS loaded_at, min(h.as_of) AS as_of, {sums}
                          FROM figure_history h WHERE {where}
                          GROUP BY h.batch_id ORDER BY h.batch_id""", params)  # noqa: S608


def baseline(hist: pd.DataFrame, since: dt.date) -> pd.Series | None:
    """The history row a comparison since `since` starts from (None without history): the last earlier
    load whose data date is on or before `since`, never the current one (a registry update that kept
    the data date was compared with itself: +0 beside 已脱贫户 568 → 569); else the first load. None
    with a single load too: it is the current one (a county's first load read +0 on every tile)."""
    if len(hist) < 2:
        return None
    earlier = hist.iloc[:-1]
    before = earlier[pd.to_datetime(earlier["as_of"]).dt.date <= since]
    return before.iloc[-1] if not before.empty else hist.iloc[0]


def changes(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, since: dt.date, as_of: dt.date,
            hist: pd.DataFrame | None = None) -> dict[str, object]:
    """Net changes since the baseline load (exited, monitored, returned) and items opened / closed after
    `since`; `base_as_of` and `loads` say what was compared. `hist`: the `history` of the same filter,
    when the caller has read it already (the briefing draws its trend from it)."""
    if hist is None:
        hist = history(con, flt, viewer)
    base = baseline(hist, since)
    now = hist.iloc[-1] if not hist.empty else None
    out: dict[str, object] = {"loads": len(hist), "base_as_of": None if base is None else base["as_of"]}
    for f in ("exited", "monitored", "returned"):  # unknown at either end (etl.history): no change to tell
        known = base is not None and now is not None and pd.notna(base[f]) and pd.notna(now[f])
        out[f] = int(now[f]) - int(base[f]) if known else None
    # township totals, as the figure history counts (its note says so): the items were counted under the
    # village and household filters, beside history figures that were not
    where, params = item_where(flt.area_only().with_(villages=()), viewer)
    row = con.execute(f"""SELECT count(*) FILTER (WHERE r.found_date > $since),
                                 count(*) FILTER (WHERE NOT {RECT_OPEN_SQL}
                                                  AND coalesce(r.completed_date, $as_of) > $since)
                          FROM list_rectification r WHERE {where}""",  # noqa: S608
                      {**params, "since": since, "as_of": as_of}).fetchone()
    out["opened"], out["closed"] = (int(row[0]), int(row[1])) if row else (0, 0)
    if "rectifications" not in ledgers_with_rows(con):  # no ledger: unknown, not "0 found, 0 closed"
        out["opened"] = out["closed"] = None
    return out
