""""Today" is the county's day, not the server's (etl.clock): a server kept in UTC read yesterday until
08:00 in China and flagged a visit dated today there as dated in the future. Two zones 26 hours apart
(UTC+14 and UTC−12) never share a date, so the test needs no fake clock: the real loader, real DuckDB."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from etl import clock
from etl.load import load_files
from tests.test_load import read as query

EAST, WEST = "Etc/GMT-14", "Etc/GMT+12"  # UTC+14, UTC−12 (POSIX signs)


def test_default_zone_is_china(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FUPIN_TZ", raising=False)
    assert clock.today() == dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.mark.parametrize(("zone", "flagged"), [(EAST, False), (WEST, True)])
def test_a_visit_dated_today_in_the_county_is_not_in_the_future(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                zone: str, flagged: bool) -> None:
    east_today = dt.datetime.now(ZoneInfo(EAST)).date()
    monkeypatch.setenv("FUPIN_TZ", zone)
    path = tmp_path / "走访.csv"
    path.write_text(f"户编号,走访日期,走访类型\nH1,{east_today.isoformat()},入户走访\n", encoding="utf-8")
    db = tmp_path / "fupin.duckdb"
    load_files([path], db=db)
    assert query(db, "SELECT count(*) FROM data_issues WHERE rule = 'future_date'") == [(int(flagged),)]
    # the data's as-of date is capped at the county's today as well
    as_of = query(db, "SELECT value FROM facts_meta WHERE key = 'as_of'")[0][0]
    assert dt.date.fromisoformat(as_of) == (east_today if not flagged else clock.today())
