"""Every public query function with the arguments the pages give it (shared by the tests that run
them all: township scope and masking, the Parquet view set).

- `functions()`: every public function of a `queries` module; `scoped_functions()`: those whose
  parameters start (con, flt, viewer).
- `calls(name, fn, as_of, projects)`: keyword arguments for each call of a scoped function: one with
  defaults, then each known variant of each parameter (`VARIANTS`, `DIMENSIONS`).
- `every_result(con, viewer, flt, as_of, projects, household_ids)`: runs every scoped function with
  every call, the profiles and the rejected rows; yields (description, DataFrame) per frame.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pandas as pd

import queries
from queries import data_admin, profile
from queries.filters import Filters, Viewer
from queries.visits import SampleSpec

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
# functions taking a viewer elsewhere than third: tests call them explicitly
EXPLICIT = {"queries.filters.options", "queries.data_admin.rejected_rows", "queries.data_admin.totals",
            "queries.data_admin.outside_registry", "queries.data_admin.issues_outside",
            "queries.profile.profiles", "queries.profile.profile"}
# (con, viewer): the load batches, file-level facts (tests/test_batch_privacy.py, and
# test_scope_queries.test_functions_without_viewer_name_no_household for every viewer)
BATCH_FUNCTIONS = {"queries.data_admin.load_history", "queries.meta.batches", "queries.quality.issue_trend"}
EXPLICIT |= BATCH_FUNCTIONS


def modules() -> Iterator[Any]:
    for info in pkgutil.iter_modules(queries.__path__):
        yield importlib.import_module(f"queries.{info.name}")


def functions() -> list[tuple[str, Callable[..., Any]]]:
    out = []
    for mod in modules():
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ == mod.__name__ and not name.startswith("_"):
                out.append((f"{mod.__name__}.{name}", fn))
    return out


def scoped_functions() -> list[tuple[str, Callable[..., Any]]]:
    return [(n, f) for n, f in functions() if list(inspect.signature(f).parameters)[:3] == ["con", "flt", "viewer"]]


def calls(name: str, fn: Callable[..., Any], as_of: dt.date, projects: list[str]) -> Iterator[dict[str, Any]]:
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


def frames(result: object) -> Iterator[pd.DataFrame]:
    if isinstance(result, pd.DataFrame):
        yield result
    elif isinstance(result, profile.Profile):
        yield pd.DataFrame([result.household])
        yield from (result.members, result.measures, result.income, result.visits, result.claims,
                    result.open_items, result.defects)
    elif isinstance(result, list | tuple):
        for item in result:
            yield from frames(item)


def every_result(con: duckdb.DuckDBPyConnection, viewer: Viewer, flt: Filters, as_of: dt.date,
                 projects: list[str], household_ids: list[str]) -> Iterator[tuple[str, pd.DataFrame]]:
    for name, fn in scoped_functions():
        for kwargs in calls(name, fn, as_of, projects):
            result = fn(con.cursor(), flt, viewer, **kwargs)
            if isinstance(result, list) and all(isinstance(x, int) for x in result):
                continue  # claim years
            if isinstance(result, dict):
                continue
            for df in frames(result):
                yield f"{name}({kwargs})", df
    for df in frames(profile.profiles(con.cursor(), household_ids, viewer, as_of)):
        yield "profiles(all ids)", df
    for hid in household_ids[:: max(1, len(household_ids) // 25)]:
        for df in frames(profile.profile(con.cursor(), hid, viewer, as_of)):
            yield f"profile({hid})", df
    yield "rejected_rows", data_admin.rejected_rows(con.cursor(), viewer)


