"""Township scope and masking in the query layer, for every public query function (by introspection).

Every function of a `queries` module whose parameters start with (con, flt, viewer) is run for a
township-staff viewer against the demo county (and the fixture county); no row may belong to another
township, by its township column or by its household id. The functions that take a viewer in another
position are listed explicitly, and a test fails when a new viewer-taking function is covered by
neither. The same runs check masking: without the PII permission no result holds a full 18-digit ID
number or a member's full name; with it, they appear.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from queries import data_admin
from queries import filters as qfilters
from queries.filters import ALL, Filters, Viewer
from tests.query_calls import BATCH_FUNCTIONS, EXPLICIT, every_result, functions, scoped_functions

FULL_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")

OFFICIALS = ("helper_name", "visitor", "responsible_person", "helper_unit", "responsible_unit", "surveyor")
FREE_TEXT = ("notes", "description", "rect_measures", "content", "raw", "raw_value")


def _strings(df: pd.DataFrame) -> Iterator[str]:
    for col in df.columns:
        for v in df[col]:
            if isinstance(v, str):
                yield v


class County:
    """Facts of a database: who lives where."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        hh = con.execute("SELECT household_id, township FROM households").fetchall()
        self.town_of = dict(hh)
        self.towns = sorted(set(self.town_of.values()))
        self.names = {r[0] for r in con.execute(
            "SELECT name FROM members WHERE length(name) >= 2 UNION SELECT head_name FROM households "
            "WHERE length(head_name) >= 2").fetchall() if r[0] and not str(r[0]).startswith("=")}
        self.as_of = dt.date(2020, 6, 30)
        self.projects = [r[0] for r in con.execute(
            "SELECT DISTINCT project FROM interventions WHERE project IS NOT NULL ORDER BY 1").fetchall()]

    def assert_in_scope(self, where: str, df: pd.DataFrame, towns: tuple[str, ...]) -> None:
        others = [t for t in self.towns if t not in towns]
        if "township" in df.columns:
            bad = {t for t in df["township"].dropna() if t not in towns}
            assert not bad, f"{where}: rows of {bad}"
        if "household_id" in df.columns:
            bad = {h for h in df["household_id"].dropna() if self.town_of.get(str(h)) not in towns}
            assert not bad, f"{where}: households of other townships {sorted(bad)[:5]}"
        for s in _strings(df):  # a cell that is another township (a project may be named after a place)
            assert s not in others, f"{where}: cell names {s}"

    def assert_masked(self, where: str, df: pd.DataFrame) -> None:
        # officials' names (helper, visitor, responsible person) are not the families' personal data
        df = df.drop(columns=[c for c in OFFICIALS if c in df.columns])
        for s in _strings(df):
            assert not FULL_ID.search(s), f"{where}: full ID number in {s[:80]}"
            assert s not in self.names, f"{where}: full name {s}"
        for col in FREE_TEXT:  # a name inside free text (visit notes, descriptions, raw values)
            for s in (v for v in df.get(col, pd.Series(dtype=object)) if isinstance(v, str)):
                hit = [n for n in self.names if len(n) >= 2 and n in s]
                assert not hit, f"{where}: full name {hit[:3]} in {col}: {s[:80]}"


@pytest.fixture(params=["demo", "fixture"])
def county_con(request: pytest.FixtureRequest, fixture_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    path = request.getfixturevalue("demo_db") if request.param == "demo" else fixture_db
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def _run_all(con: duckdb.DuckDBPyConnection, county: County, viewer: Viewer,
             flt: Filters = ALL) -> Iterator[tuple[str, pd.DataFrame]]:
    yield from every_result(con, viewer, flt, county.as_of, county.projects, list(county.town_of))


def test_every_viewer_function_is_covered() -> None:
    scoped = {n for n, _ in scoped_functions()}
    takes_viewer = {n for n, f in functions()
                    if list(inspect.signature(f).parameters)[:1] == ["con"] and "viewer" in inspect.signature(f).parameters}
    assert takes_viewer - scoped <= EXPLICIT, takes_viewer - scoped - EXPLICIT
    assert len(scoped) >= 40


@pytest.mark.parametrize("town_index", [0, 3])
def test_township_viewer_sees_no_other_township(county_con: duckdb.DuckDBPyConnection, town_index: int) -> None:
    county = County(county_con)
    towns = (county.towns[town_index % len(county.towns)],)
    viewer = Viewer(townships=towns)
    n = 0
    for where, df in _run_all(county_con, county, viewer):
        county.assert_in_scope(where, df, towns)
        county.assert_masked(where, df)
        n += 1
    assert n > 100
    # a filter naming another township (as an edited URL would) yields nothing, never that township
    other = next(t for t in county.towns if t not in towns)
    for where, df in _run_all(county_con, county, viewer, Filters(townships=(other,))):
        county.assert_in_scope(where, df, towns)
    opts = qfilters.options(county_con, viewer)
    assert opts.townships == towns
    assert data_admin.rejected_rows(county_con, viewer).empty
    assert data_admin.issues_outside(county_con, viewer).empty  # most have no township
    totals = data_admin.totals(county_con, viewer)
    assert totals["households"] == sum(1 for t in county.town_of.values() if t in towns)
    assert totals["rejected_rows"] == 0


def test_rectification_item_naming_household_elsewhere(county_con: duckdb.DuckDBPyConnection) -> None:
    """An item filed under one township but naming a household of another stays out of that scope."""
    from etl import derive_inspection
    from queries import rectification

    county = County(county_con)
    row = county_con.execute("SELECT issue_id, township, household_id FROM rectifications "
                             "WHERE household_id IS NOT NULL LIMIT 1").fetchone()
    assert row is not None, "both counties file items under households: the test needs one"
    issue, town, hid = row
    other = next(t for t in county.towns if t != county.town_of[hid])
    mem = duckdb.connect()
    mem.execute(f"ATTACH '{county_con.execute('PRAGMA database_list').fetchall()[0][2]}' AS src (READ_ONLY)")
    for table in ("hh_facts", "households", "members", "rectifications"):
        mem.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table}")
    mem.execute("UPDATE rectifications SET township = $t WHERE issue_id = $i", {"t": other, "i": issue})
    mem.execute(derive_inspection.LIST_RECTIFICATION_SQL)
    viewer = Viewer(townships=(other,))
    led = rectification.ledger(mem, ALL, viewer, county.as_of)
    assert issue not in set(led["issue_id"])
    assert hid not in set(led["household_id"].dropna())
    full = rectification.ledger(mem, ALL, Viewer(), county.as_of)
    assert issue in set(full["issue_id"])
    mem.close()


def test_masked_viewer_sees_no_full_ids_or_names(county_con: duckdb.DuckDBPyConnection) -> None:
    county = County(county_con)
    viewer = Viewer()
    for where, df in _run_all(county_con, county, viewer):
        county.assert_masked(where, df)


def test_pii_viewer_sees_full_ids_and_names(county_con: duckdb.DuckDBPyConnection) -> None:
    county = County(county_con)
    viewer = Viewer(pii=True)
    ids = names = 0
    for _, df in _run_all(county_con, county, viewer):
        for s in _strings(df):
            ids += bool(FULL_ID.search(s))
            names += s in county.names
    assert ids > 0 and names > 0


def test_rejected_rows_raw_names_masked(county_con: duckdb.DuckDBPyConnection) -> None:
    masked = data_admin.rejected_rows(county_con, Viewer())
    full = data_admin.rejected_rows(county_con, Viewer(pii=True))
    assert len(masked) == len(full)
    for raw in masked["raw"]:
        assert not FULL_ID.search(raw)
        assert not re.search(r'"name":"[^"*]{2,}"', raw) or '"name":null' in raw


def test_functions_without_viewer_name_no_household(county_con: duckdb.DuckDBPyConnection) -> None:
    """Load history, batches, issue trend: file-level facts only, no household, person or township rows."""
    for name, fn in functions():
        params = list(inspect.signature(fn).parameters)
        if params != ["con"] and name not in BATCH_FUNCTIONS:
            continue
        viewers = [Viewer(), Viewer(pii=True), Viewer(townships=(County(county_con).towns[0],))]
        for result in ([fn(county_con.cursor())] if params == ["con"] else
                       [fn(county_con.cursor(), v) for v in viewers]):
            if isinstance(result, pd.DataFrame):
                cols = set(result.columns)
                assert not cols & {"household_id", "name", "head_name", "id_number", "head_id_number", "phone",
                                   "township", "village"}, name
