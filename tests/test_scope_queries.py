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
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

import queries
from queries import data_admin, profile
from queries import filters as qfilters
from queries.filters import ALL, Filters, Viewer
from queries.visits import SampleSpec

ROOT = Path(__file__).resolve().parents[1]
FULL_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")

# extra arguments by parameter name: every value tried (the cartesian product is not needed)
VARIANTS: dict[str, list[Any]] = {
    "level": ["township", "village"],
    "year": [None, 2019, 2020],
    "spec": [SampleSpec(), SampleSpec(seed=7, villages=2, registered=3, other=2)],
    "condition": [None, "wrong_exit", "no_intervention", "monitored"],
    "include_zero": [False, True],
    "kind": ["wrong_exit", "missed", "disapproved", "wrong_identification"],  # queries.inspection_rates.cases
    "since": [dt.date(2019, 1, 1), dt.date(2020, 6, 1)],  # queries.history.changes
    "population": ["registered", "monitored"],
}
DIMENSIONS = {"queries.causes.by_member": ["health", "labor_skill"],
              "queries.rectification.by_dimension": ["problem_category", "responsible_unit"]}
OFFICIALS = ("helper_name", "visitor", "responsible_person", "helper_unit", "responsible_unit", "surveyor")
FREE_TEXT = ("notes", "description", "rect_measures", "content", "raw", "raw_value")
# functions taking a viewer elsewhere than third: covered by explicit tests below
EXPLICIT = {"queries.filters.options", "queries.data_admin.rejected_rows", "queries.data_admin.totals",
            "queries.profile.profiles", "queries.profile.profile"}


def _modules() -> Iterator[Any]:
    for info in pkgutil.iter_modules(queries.__path__):
        yield importlib.import_module(f"queries.{info.name}")


def _functions() -> list[tuple[str, Callable[..., Any]]]:
    out = []
    for mod in _modules():
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ == mod.__name__ and not name.startswith("_"):
                out.append((f"{mod.__name__}.{name}", fn))
    return out


def _scoped_functions() -> list[tuple[str, Callable[..., Any]]]:
    return [(n, f) for n, f in _functions() if list(inspect.signature(f).parameters)[:3] == ["con", "flt", "viewer"]]


def _calls(name: str, fn: Callable[..., Any], as_of: dt.date, projects: list[str]) -> Iterator[dict[str, Any]]:
    """Keyword arguments for each call of a (con, flt, viewer, ...) function."""
    params = list(inspect.signature(fn).parameters.values())[3:]
    base: dict[str, Any] = {}
    for p in params:
        if p.name == "as_of":
            base["as_of"] = as_of
        elif p.name == "project":
            base["project"] = projects[0] if projects else "x"
        elif p.name == "dimension" and name in DIMENSIONS:
            base["dimension"] = DIMENSIONS[name][0]
        elif p.default is inspect.Parameter.empty and p.name in VARIANTS:
            base[p.name] = VARIANTS[p.name][0]
        elif p.default is inspect.Parameter.empty and p.kind is not p.VAR_KEYWORD:
            raise AssertionError(f"{name}: no test value for required parameter {p.name}")
    yield base
    for p in params:
        for value in VARIANTS.get(p.name, []):
            yield {**base, p.name: value}
        if p.name == "dimension" and name in DIMENSIONS:
            for value in DIMENSIONS[name][1:]:
                yield {**base, "dimension": value}
        if p.name == "project":
            for value in projects:
                yield {**base, "project": value}


def _frames(result: object) -> Iterator[pd.DataFrame]:
    if isinstance(result, pd.DataFrame):
        yield result
    elif isinstance(result, profile.Profile):
        yield pd.DataFrame([result.household])
        yield from (result.members, result.measures, result.income, result.visits, result.claims,
                    result.open_items, result.defects)
    elif isinstance(result, list | tuple):
        for item in result:
            yield from _frames(item)


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


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo_scope") / "fupin.duckdb"
    proc = subprocess.run([sys.executable, "-m", "etl", "demo", "--db", str(db)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0 or not db.exists():
        pytest.skip(f"demo database could not be built: {proc.stdout[-300:]} {proc.stderr[-300:]}")
    return db


@pytest.fixture(params=["demo", "fixture"])
def county_con(request: pytest.FixtureRequest, fixture_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    path = request.getfixturevalue("demo_db") if request.param == "demo" else fixture_db
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def _run_all(con: duckdb.DuckDBPyConnection, county: County, viewer: Viewer,
             flt: Filters = ALL) -> Iterator[tuple[str, pd.DataFrame]]:
    for name, fn in _scoped_functions():
        for kwargs in _calls(name, fn, county.as_of, county.projects):
            result = fn(con.cursor(), flt, viewer, **kwargs)
            if isinstance(result, list) and all(isinstance(x, int) for x in result):
                continue  # claim years
            if isinstance(result, dict):
                continue
            for df in _frames(result):
                yield f"{name}({kwargs})", df
    every = list(county.town_of)
    for df in _frames(profile.profiles(con.cursor(), every, viewer, county.as_of)):
        yield "profiles(all ids)", df
    for hid in every[:: max(1, len(every) // 25)]:
        for df in _frames(profile.profile(con.cursor(), hid, viewer, county.as_of)):
            yield f"profile({hid})", df
    yield "rejected_rows", data_admin.rejected_rows(con.cursor(), viewer)


def test_every_viewer_function_is_covered() -> None:
    scoped = {n for n, _ in _scoped_functions()}
    takes_viewer = {n for n, f in _functions()
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
    if row is None:
        pytest.skip("no household-level item")
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
    for name, fn in _functions():
        params = list(inspect.signature(fn).parameters)
        if params != ["con"]:
            continue
        result = fn(county_con.cursor())
        if isinstance(result, pd.DataFrame):
            cols = set(result.columns)
            assert not cols & {"household_id", "name", "head_name", "id_number", "head_id_number", "phone",
                               "township", "village"}, name
