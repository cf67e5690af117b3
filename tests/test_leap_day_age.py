"""One age everywhere, 29 February included.

The pages count full years with DuckDB's `age()` (etl.sqlexpr.age_sql; the archive check's school
window too): someone born on 29 February turns a year older on 1 March of a common year. `hh_facts`
counted with `date_sub('year', …)`, which turns them on 28 February, so on that day a household of
one aged 64 on the visit list was counted as 独居老人 in the figures, and a child of 5 as out of school.
Real files through the real loader; the second visits file moves the as-of date past the birthday
(the incremental age pass, etl.dated)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from queries.filters import ALL, PUBLIC
from queries.meta import data_as_of
from queries.visits import visit_list
from tests.conftest import load_lines
from tests.test_incremental import id_number

ELDER = id_number(dt.date(1960, 2, 29), 1)  # 65 in 2025
CHILD = id_number(dt.date(2020, 2, 29), 2)  # 6 in 2026
REGISTRY = ["乡(镇),行政村,户编号,姓名,身份证号码,与户主关系,致贫原因,脱贫属性,在校生状况",
            f"甲镇,一村,H1,张老汉,{ELDER},户主,因病,未脱贫,",
            f"甲镇,一村,H2,李四,{id_number(dt.date(1985, 5, 5), 3)},户主,因学,未脱贫,",
            f"甲镇,一村,H2,李小妹,{CHILD},之女,,,辍学"]


def _facts(db: Path) -> tuple[dt.date | None, dict[str, tuple[bool, int]]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT household_id, elderly_alone, school_out_count FROM hh_facts").fetchall()
        ages = visit_list(con, ALL, PUBLIC, data_as_of(con), include_zero=True)
        return data_as_of(con), {h: (e, s) for h, e, s in rows} | {
            f"{h} age": int(a) for h, a in zip(ages["household_id"], ages["oldest_age"], strict=True)}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("leap")


def _load(folder: Path, name: str, lines: list[str]) -> Path:
    db, report = load_lines(folder, {name: lines})
    assert [f.error for f in report.files] == [None]
    return db


def test_a_leap_day_birthday_counts_from_1_march(folder: Path) -> None:
    _load(folder, "registry.csv", REGISTRY)
    # 28 February of a common year is the day before the birthday, on every page and in every figure
    steps = [("2025-02-28", 64, 0), ("2025-03-01", 65, 0), ("2026-02-28", 65, 0), ("2026-03-01", 66, 1)]
    for n, (day, elder_age, out_of_school) in enumerate(steps):
        # each visits file moves the as-of date a day on: the incremental age pass (etl.dated)
        db = _load(folder, f"visits{n}.csv", ["户编号,走访日期,走访类型", f"H1,{day},入户走访"])
        as_of, facts = _facts(db)
        assert as_of == dt.date.fromisoformat(day)
        assert facts["H1 age"] == elder_age, day
        assert facts["H1"] == (elder_age >= 65, 0), f"{day}: {elder_age} on the visit list"
        assert facts["H2"] == (False, out_of_school), f"{day}: the child out of school counts from age 6"
