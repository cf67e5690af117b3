"""SQL injection (issue 6 §5): every user value is a bound parameter.

Injection strings go through every field of `Filters`, the viewer's township scope, every `str` /
`list[str]` argument of every public query function in `queries/` (found by introspection: functions
whose first parameter is `con`), the URL form of the filters, and the upload/load path (file contents
and file names). The connection is READ-WRITE on a private copy of the fixture database, so a
successful injection would really drop or change something. Expected: no exception (except a clean
ValueError/KeyError for arguments that choose SQL structure from a fixed list, e.g. `level`), results
empty where nothing can match, and every table intact with unchanged counts.

A household whose township literally *is* an injection string proves the values are compared as data:
filtering on it finds exactly that household.

Beside the sweep, a static check (tests/sql_taint.py) follows every value from the query API's
parameters to the SQL text: every `noqa: S608` site must interpolate only what code made. It is shown
to report a user value put into SQL in each way a query could do it (LEAKS).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib
import inspect
import pkgutil
import shutil
import typing
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import queries
from etl import derive, snapshot
from etl.load import load_files
from queries import filters as qf
from queries import lookup
from queries.filters import Filters, Viewer
from tests.conftest import build_fixture_db
from tests.sql_taint import check_tree
from ui.upload import load_uploads

INJECTIONS = [
    "'; DROP TABLE households; --",
    "' OR 1=1 --",
    "' OR '1'='1",
    '" OR ""="',
    "乌加河镇' OR township IS NOT NULL OR '",
    "\\'; DELETE FROM members; --",
    "\\",
    "'",
    "''",
    "%",
    "_",
    "$p_townships_0",
    "?",
    "1); DROP TABLE visits; --",
    "x' UNION SELECT household_id, name, id_number FROM members --",
    "'; COPY households TO '/tmp/fupin_injected.csv'; --",
    "'; ATTACH '/tmp/fupin_injected.duckdb' AS x; --",
    "乌加河镇\x00' OR 1=1",
    "ｓｅｌｅｃｔ＇ＯＲ＇１＇＝＇１",  # full-width
    "\u02bc OR 1=1 --",  # modifier letter apostrophe
    "' OR 1=1 /*",
    "*/ OR 1=1",
    "\n; DROP TABLE rectifications;\n",
]
AS_OF = dt.date(2020, 6, 30)
TABLES = ("households", "members", "interventions", "visits", "medical_claims", "rectifications",
          "load_batches", "rejected_rows", "data_issues", "hh_facts")
TRAP_TOWN = "' OR 1=1 --"  # a real township with a hostile name (added to the copy)
# arguments that choose SQL structure from a fixed list: a clean refusal is fine for them
STRUCTURAL = {"level", "dimension", "condition", "table", "kind", "population"}  # checked against a fixed list


@pytest.fixture(scope="module")
def rw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = build_fixture_db(tmp_path_factory.mktemp("inject") / "fupin.duckdb")
    con = duckdb.connect(str(path))  # read-write on purpose
    con.execute("INSERT INTO households SELECT * REPLACE ('HX' AS household_id, ? AS township, NULL AS hk, NULL AS area, NULL AS seq) "
                "FROM households "
                "WHERE household_id = 'H09'", [TRAP_TOWN])
    derive.build_all(con)  # the derived tables follow, as in a load
    yield con
    con.close()


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for t in TABLES}  # noqa: S608


def query_functions() -> list[tuple[str, Callable[..., object]]]:
    out = []
    for info in pkgutil.iter_modules(queries.__path__):
        mod = importlib.import_module(f"queries.{info.name}")
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ != mod.__name__ or name.startswith("_") or (name == "fetch" and mod in (qf, lookup)):
                continue
            params = list(inspect.signature(fn).parameters)
            if params and params[0] == "con":
                out.append((f"{info.name}.{name}", fn))
    return out


FUNCTIONS = query_functions()


def test_discovery_found_the_query_layer() -> None:
    names = {n for n, _ in FUNCTIONS}
    assert len(FUNCTIONS) >= 30, names
    assert {"overview.kpis", "filters.options", "households.listing"} <= names


def injected_filters(value: str) -> Filters:
    kw: dict[str, object] = {}
    for f in dataclasses.fields(Filters):
        kw[f.name] = None if f.name.endswith("_years") else (value, "乌加河镇")
    return Filters(**kw)  # type: ignore[arg-type]


def arguments(fn: Callable[..., object], value: str, flt: Filters, viewer: Viewer) -> dict[str, object] | None:
    """Keyword arguments for fn from its annotations; None when a parameter cannot be supplied."""
    hints = typing.get_type_hints(fn, globalns={**vars(importlib.import_module(fn.__module__)), "dt": dt})
    kw: dict[str, object] = {}
    for name, p in list(inspect.signature(fn).parameters.items())[1:]:
        hint = hints.get(name)
        text = str(hint)
        if hint is Filters:
            kw[name] = flt
        elif hint is Viewer or "Viewer" in text:
            kw[name] = viewer
        elif hint is dt.date:
            kw[name] = AS_OF
        elif name in STRUCTURAL or hint is str or text in ("str | None", "typing.Optional[str]"):
            kw[name] = value
        elif "list[str]" in text:
            kw[name] = [value]
        elif p.default is not inspect.Parameter.empty:
            continue
        elif name == "spec":
            from queries.visits import SampleSpec

            kw[name] = SampleSpec()
        else:
            return None
    return kw


@pytest.mark.parametrize("value", INJECTIONS, ids=range(len(INJECTIONS)))
def test_every_query_function_with_injected_values(rw: duckdb.DuckDBPyConnection, value: str) -> None:
    before = counts(rw)
    flt = injected_filters(value)
    for viewer in (Viewer(), Viewer(pii=True, townships=(value,))):
        for name, fn in FUNCTIONS:
            kw = arguments(fn, value, flt, viewer)
            assert kw is not None, f"cannot call {name}: add its argument type to arguments()"
            try:
                result = fn(rw.cursor(), **kw)
            except (ValueError, KeyError) as exc:
                assert STRUCTURAL & set(kw), f"{name} refused {value!r}: {exc!r}"
                # and with the structural argument valid, the other values must go through
                continue
            except Exception as exc:  # noqa: BLE001
                pytest.fail(f"{name}({value!r}) raised {type(exc).__name__}: {exc}")
            if isinstance(result, pd.DataFrame) and "household_id" in result.columns:
                leaked = set(result["household_id"]) - {"HX"}
                assert not leaked or value == TRAP_TOWN, f"{name} returned other households: {leaked}"
        assert counts(rw) == before, f"tables changed after {value!r}"
    assert not Path("/tmp/fupin_injected.csv").exists()
    assert not Path("/tmp/fupin_injected.duckdb").exists()


@pytest.mark.parametrize("name", ["causes.by_area", "quality.completeness", "causes.by_member",
                                  "rectification.by_dimension", "households.listing"])
def test_structural_arguments_are_whitelisted(rw: duckdb.DuckDBPyConnection, name: str) -> None:
    """`level`/`dimension`/`condition` choose SQL fragments from fixed lists: hostile text is refused
    (KeyError/ValueError) or mapped to a fixed fragment (`level` other than "township" = village),
    never spliced: tables stay intact."""
    fn = dict(FUNCTIONS).get(name)
    assert fn is not None, f"{name} is gone: name the function that took over its structural argument"
    before = counts(rw)
    for value in INJECTIONS[:6]:
        kw = arguments(fn, "乌加河镇", Filters(), Viewer())
        assert kw is not None
        for s in STRUCTURAL & set(kw):
            kw[s] = value
        with contextlib.suppress(ValueError, KeyError):
            fn(rw.cursor(), **kw)
    assert counts(rw) == before


def test_hostile_township_is_just_data(rw: duckdb.DuckDBPyConnection) -> None:
    from queries import overview

    k = overview.kpis(rw.cursor(), Filters(townships=(TRAP_TOWN,)), Viewer(), AS_OF)
    assert int(k["all_households"].iloc[0]) == 1
    k = overview.kpis(rw.cursor(), Filters(), Viewer(townships=(TRAP_TOWN,)), AS_OF)
    assert int(k["all_households"].iloc[0]) == 1
    k = overview.kpis(rw.cursor(), Filters(townships=("' OR '1'='1",)), Viewer(), AS_OF)
    assert int(k["all_households"].iloc[0]) == 0
    opts = qf.options(rw.cursor(), Viewer())
    assert TRAP_TOWN in opts.townships


@pytest.mark.parametrize("value", INJECTIONS, ids=range(len(INJECTIONS)))
def test_url_parameters(rw: duckdb.DuckDBPyConnection, value: str) -> None:
    from queries import overview

    params = {key: [value, value + "," + value] for key in qf.URL_KEYS}
    flt = qf.from_query_params(params)
    assert flt.identified_years is None and flt.exit_years is None
    for v in flt.townships:
        assert isinstance(v, str)
    before = counts(rw)
    k = overview.kpis(rw.cursor(), flt, Viewer(), AS_OF)
    assert int(k["all_households"].iloc[0]) in (0, 1)
    assert counts(rw) == before
    # the URL form of an injected filter round-trips as plain strings
    again = qf.from_query_params(qf.to_query_params(Filters(townships=(value.replace(",", ""),))))
    assert again.townships in ((value.replace(",", "").strip(),), ())


# --- the upload / load path ------------------------------------------------------------------------------


def test_injection_in_file_contents_and_names(tmp_path: Path) -> None:
    db = build_fixture_db(tmp_path / "db" / "fupin.duckdb")
    head = ("乡(镇),行政村,户编号,人编号,姓名,身份证号码,与户主关系,家庭人口数,致贫原因,脱贫属性,脱贫年份,"
            "人均纯收入,收入年度,帮扶责任人,帮扶单位,联系电话\n")
    rows = []
    for i, v in enumerate(INJECTIONS):
        q = '"' + v.replace('"', '""').replace("\x00", "") + '"'
        rows.append(f"乌加河镇,{q},INJ{i:04d},INJ{i:04d}01,{q},{q},户主,1,{q},{q},{q},{q},2019,{q},{q},{q}")
    registry = tmp_path / "registry.csv"
    registry.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(
        "问题编号,问题来源,发现日期,乡(镇),行政村,户编号,问题类别,问题描述,责任单位,责任人,整改措施,整改时限,整改状态\n"
        + "\n".join(
            f'"{v.replace(chr(34), chr(34) * 2).replace(chr(0), "")}",来源,2020-06-01,乌加河镇,,,其他,'
            f'"{v.replace(chr(34), chr(34) * 2).replace(chr(0), "")}",单位,人,措施,2020-07-01,未整改'
            for v in INJECTIONS) + "\n",
        encoding="utf-8",
    )

    def intact() -> dict[str, int]:
        con, _ = snapshot.connect_read(db)
        try:
            return counts(con)
        finally:
            con.close()

    base = intact()
    report = load_files([registry, ledger], db=db,
                        display_names=["x'; DROP TABLE households; --.csv", "' OR 1=1 --.csv"])
    assert report.exit_code == 0, [f.error for f in report.files]
    after = intact()
    assert after["households"] == base["households"] + len(INJECTIONS)
    assert after["rectifications"] == base["rectifications"] + len(INJECTIONS)
    assert after["members"] >= base["members"] + len(INJECTIONS)
    con, _ = snapshot.connect_read(db)
    try:
        villages = {r[0] for r in con.execute("SELECT village FROM households WHERE household_id LIKE 'INJ%'").fetchall()}
        names = {r[0] for r in con.execute("SELECT file_name FROM load_batches").fetchall()}
        ids = {r[0] for r in con.execute("SELECT issue_id FROM rectifications").fetchall()}
    finally:
        con.close()
    # the loader folds full-width characters (NFKC), trims, and takes the spaces out of a place name:
    # compare in that form
    expected = {"".join(unicodedata.normalize("NFKC", v.replace("\x00", "")).split()) for v in INJECTIONS}
    assert {unicodedata.normalize("NFKC", v).strip() for v in villages if v} <= expected
    assert len(villages - {None, ""}) >= len(INJECTIONS) - 3  # stored as data (whitespace-only ones may be blank)
    assert "x'; DROP TABLE households; --.csv" in names and "' OR 1=1 --.csv" in names
    assert "'; DROP TABLE households; --" in ids

    # the same through the upload page's function, with injected file names
    out = load_uploads([("'; DROP TABLE members; --.csv",
                         ("户编号,走访日期,走访类型,走访人,情况记录\nH01,2020-06-09,入户走访,"
                          "\"'; DROP TABLE visits; --\",\"' OR 1=1 --\"\n").encode())], "zh", db=db)
    assert out.exit_code == 0, out.errors
    final = intact()
    assert final["visits"] == after["visits"] + 1 and final["members"] == after["members"]


# --- static: SQL text is built from code only (tests/sql_taint.py) ----------------------------------------


def test_sql_text_is_built_from_code_only() -> None:
    """Every SQL string built with an f-string, `+`, `%` or `.format` in queries/ and ui/ (the `noqa:
    S608` sites) interpolates only values made by code: constants, fragments of the WHERE builders and
    numbers, never a parameter of the query API or anything derived from one (see tests/sql_taint.py)."""
    checker = check_tree()
    assert not checker.findings, "\n".join(map(str, sorted(checker.findings, key=lambda f: (f.module, f.line))))
    unchecked = [f"{m.name}:{line}" for m in checker.scanned() for line in sorted(m.noqa_lines)
                 if (m.name, line) not in checker.checked_lines]
    assert not unchecked, f"`noqa: S608` on a line the check never reached (make it reachable or drop the noqa): {unchecked}"
    # the check saw the query layer: its entry points, and SQL in most of its modules
    entries = {f"{fn.module}.{fn.qualname}" for fn, _ in checker.entries()}
    assert {"queries.overview.kpis", "queries.households.listing_query", "queries.health.claims_by_township"} <= entries
    assert len({module for module, _ in checker.checked_lines if module.startswith("queries.")}) >= 12


# Query functions that put a user value into SQL, each in another way: the check must report each one
# (at the line marked `# <-`), so it cannot pass by seeing nothing.
LEAKS = {
    "f-string": """
def by_town(con, flt: Filters, viewer: Viewer, township: str):
    where, params = household_where(flt, viewer)
    return fetch(con, f"SELECT * FROM hh_facts f WHERE {where} AND f.township = '{township}'", params)  # <-
""",
    "filter field": """
def by_town(con, flt: Filters, viewer: Viewer):
    town = flt.townships[0]
    return con.execute(f"SELECT count(*) FROM hh_facts WHERE township = '{town}'").fetchall()  # <-
""",
    "concatenation": """
def by_village(con, village: str):
    sql = "SELECT * FROM households WHERE village = '" + village + "'"  # <-
    return con.execute(sql).df()
""",
    "format": """
def by_id(con, household_id: str):
    return con.execute("SELECT * FROM households WHERE household_id = '{}'".format(household_id)).df()  # <-
""",
    "percent": """
def by_id(con, household_id: str):
    return con.execute("SELECT * FROM households WHERE household_id = '%s'" % household_id).df()  # <-
""",
    "through a helper": """
def _clause(value):
    return f"township = '{value}'"


def by_town(con, township: str):
    return con.execute("SELECT * FROM households WHERE " + _clause(township)).df()  # <-
""",
    "through a list": """
def listing_query(flt: Filters, viewer: Viewer, main_cause: str | None = None):
    where, params = household_where(flt, viewer)
    parts = [where]
    if main_cause is not None:
        parts.append(f"f.main_cause = '{main_cause}'")
    return ListQuery(f"SELECT * FROM hh_facts f WHERE {' AND '.join(parts)}", params, "seq")  # <-
""",
    "straight to execute": """
def run(con, text: str):
    return con.execute(text).df()  # <-
""",
    "a column named by the user": """
def by_column(con, column: str):
    return con.execute(f"SELECT {column}, count(*) FROM households GROUP BY 1").df()  # <-
""",
}
HEADER = """
from queries.filters import Filters, Viewer, fetch, household_where
from queries.paging import ListQuery
"""
# The same queries written safely: bound parameters, a column chosen from a constant table.
SAFE = """
COLUMNS = {"township": "f.township", "village": "f.village"}


def by_town(con, flt: Filters, viewer: Viewer, township: str, level: str, limit: int):
    where, params = household_where(flt, viewer)
    params["town"] = township
    column = COLUMNS[level]
    sql = f"SELECT {column}, count(*) FROM hh_facts f WHERE {where} AND f.township = $town LIMIT {int(limit)}"
    return fetch(con, sql, {**params, "x": township})
"""


@pytest.mark.parametrize("name", list(LEAKS))
def test_the_static_check_finds_a_user_value_in_sql(name: str) -> None:
    source = HEADER + LEAKS[name]
    lines = {i for i, line in enumerate(source.splitlines(), 1) if line.endswith("# <-")}
    found = {f.line for f in check_tree({"queries.leak_example": source}).findings if f.module == "queries.leak_example"}
    assert lines <= found, f"not reported: lines {sorted(lines - found)} of\n{source}"


def test_the_static_check_accepts_bound_parameters_and_constant_columns() -> None:
    findings = [f for f in check_tree({"queries.safe_example": HEADER + SAFE}).findings
                if f.module == "queries.safe_example"]
    assert not findings, findings


def test_database_copy_cleanup(tmp_path: Path) -> None:
    """The copies used here are private: nothing was written next to the project's own data."""
    data = Path(__file__).resolve().parents[1] / "data"
    assert not (data / "fupin_injected.csv").exists()
    shutil.rmtree(tmp_path, ignore_errors=True)
