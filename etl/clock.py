"""Today's date and the time where the county is, whatever zone the server's clock is set to.

A county's day starts at midnight China time: a visit entered at 07:00 in Beijing is dated today there,
while a server kept in UTC still reads yesterday until 08:00 and flagged the visit as dated in the future.
Every "today" of the product (future dates, impossible birth dates, the as-of date's cap, the reference
date "today", load times) comes from here; `FUPIN_TZ` names another zone (an IANA name)."""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import duckdb

DEFAULT_TIME_ZONE = "Asia/Shanghai"


def time_zone() -> str:
    return os.environ.get("FUPIN_TZ") or DEFAULT_TIME_ZONE


def zone() -> ZoneInfo:
    return ZoneInfo(time_zone())


def now() -> dt.datetime:
    """The wall-clock time in the county's zone, without a zone (as the TIMESTAMP columns store it)."""
    return dt.datetime.now(zone()).replace(tzinfo=None)


def today() -> dt.date:
    return now().date()


def use_county_day(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB's current_date (future dates, impossible birth dates) on `con` in the county's zone. Set
    after connecting: ICU is built into DuckDB, but a TimeZone in the connect config asks to autoload
    it, which fails offline."""
    con.execute("SET TimeZone = ?", [time_zone()])
