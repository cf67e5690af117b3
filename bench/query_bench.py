"""Every query the pages run: the app's layer vs the same SQL run raw vs the naive pandas way.

Discovery: every public function of a `queries.*` module whose parameters start `(con, flt, ...)` is
benchmarked for three filters (none, the largest township, that township + its commonest cause);
functions that take `con` but no filter (sidebar options, metadata, profiles, data admin) once, with
no filter; plus the township briefing (`ui.briefing_html.build`, a composite of many queries).
Required extra arguments are filled by parameter name (`DEFAULTS`) and the variants the pages use
(`VARIANTS`); a function with a required argument nobody knows is listed as skipped.

Raw SQL: a thin recording proxy (`RecordingConnection`, benchmark only) captures every statement
and its parameters a function executes; they are then replayed on the same read-only snapshot with
`con.execute(sql, params).df()` (the same materialisation as `queries.filters.fetch`) and timed.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from queries.filters import Filters, Viewer
from queries.paging import DEFAULT_LIMIT

ROOT = Path(__file__).resolve().parents[1]

# Extra keyword variants the pages pass (function -> list of kwargs); absent = one call with defaults.
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "causes.by_area": [{"level": "township"}, {"level": "village"}],
    "causes.by_member": [{"dimension": "health"}, {"dimension": "labor_skill"}],
    "overview.by_area": [{"level": "township"}, {"level": "village"}],
    "exits.status_by_area": [{"level": "township"}],
    # the page's default reference date is the data's as-of date; "today" as the page runs it, and a
    # year before the data's date is the dated checks' worst case
    "quality.completeness": [{"level": "township"}, {"level": "village"},
                             {"level": "township", "as_of": "$today"}, {"level": "village", "as_of": "$today"},
                             {"level": "township", "as_of": "$year_before"},
                             {"level": "village", "as_of": "$year_before"}],
    "quality.issues_by_area": [{"level": "village"}],
    "rectification.by_dimension": [{"dimension": "problem_category"}, {"dimension": "responsible_unit"}],
    "households.listing": [{"condition": "no_intervention"}, {"condition": "wrong_exit"}, {"limit": 1},
                           {"main_cause": "$cause"}],
    "health.claims_by_township": [{"year": "$claim_year"}],
    "health.oop_risks": [{"year": "$claim_year"}],
    "health.claim_mismatches": [{"year": "$claim_year"}],
    "data_admin.rejected_rows": [{"batch_id": None}],
}
FILTER_CASES = ("none", "township", "township+cause")
# A list function (one with a `limit` parameter) is timed as the pages call it: the first page of rows
# plus the full count. The full list is what an extract writes; the extract phase times that.
PAGE_LIMIT = DEFAULT_LIMIT


@dataclass
class Context:
    """Values the benchmark supplies for arguments the pages take from widgets or the data."""

    township: str
    cause: str
    as_of: Any
    values: dict[str, Any] = field(default_factory=dict)

    def filters(self, case: str) -> Filters:
        if case == "township":
            return Filters(townships=(self.township,))
        if case == "township+cause":
            return Filters(townships=(self.township,), main_causes=(self.cause,))
        return Filters()


@dataclass
class Case:
    name: str
    fn: Callable[..., Any]
    kwargs: dict[str, Any]
    filtered: bool
    from_context: list[str]
    pages: list[str]


class RecordingConnection:
    """Forwards everything to a DuckDB connection and records each statement and its parameters."""

    def __init__(self, con: duckdb.DuckDBPyConnection, log: list[tuple[str, Any]] | None = None) -> None:
        self._con = con
        self.log: list[tuple[str, Any]] = [] if log is None else log

    def execute(self, query: str, parameters: Any = None, *args: Any, **kwargs: Any) -> RecordingConnection:
        self.log.append((query, parameters))
        if parameters is None:
            self._con.execute(query, *args, **kwargs)
        else:
            self._con.execute(query, parameters, *args, **kwargs)
        return self

    def sql(self, query: str, *args: Any, **kwargs: Any) -> duckdb.DuckDBPyRelation:
        self.log.append((query, kwargs.get("params")))
        return self._con.sql(query, *args, **kwargs)

    def query(self, query: str, *args: Any, **kwargs: Any) -> duckdb.DuckDBPyRelation:
        return self.sql(query, *args, **kwargs)

    def cursor(self) -> RecordingConnection:
        return RecordingConnection(self._con.cursor(), self.log)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


# --- discovery ------------------------------------------------------------------------------------


def page_usage() -> dict[str, list[str]]:
    """'module.function' -> pages whose source calls it (`from queries import x [as y]` + `y.fn`)."""
    usage: dict[str, list[str]] = {}
    sources = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "dashboard.py"]
    for path in sources:
        src = path.read_text(encoding="utf-8")
        for module, alias in re.findall(r"from queries import (\w+)(?: as (\w+))?", src):
            for fn in set(re.findall(rf"\b{alias or module}\.(\w+)\b", src)):
                usage.setdefault(f"{module}.{fn}", []).append(path.stem)
        if "briefing_html.build" in src:
            usage.setdefault("briefing_html.build", []).append(path.stem)
    return usage


def _resolve(value: Any, ctx: Context) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return ctx.values[value[1:]]
    return value


def discover(ctx: Context) -> tuple[list[Case], list[dict[str, str]]]:
    """All benchmark cases and what was skipped (with why)."""
    import queries
    from ui import briefing_html

    usage = page_usage()
    cases: list[Case] = []
    skipped: list[dict[str, str]] = []
    functions: list[tuple[str, Callable[..., Any]]] = []
    for info in sorted(pkgutil.iter_modules(queries.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"queries.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_"):
                functions.append((f"{info.name}.{name}", fn))
    functions.append(("briefing_html.build", briefing_html.build))
    for qualname, fn in functions:
        params = list(inspect.signature(fn).parameters.values())
        if not params or params[0].name != "con":
            skipped.append({"function": qualname, "why": "helper, not a query (takes no connection)"})
            continue
        filtered = len(params) > 1 and params[1].name == "flt"
        rest = params[2:] if filtered else params[1:]
        from_context: list[str] = []
        missing: list[str] = []
        for p in rest:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            if p.name in ctx.values or p.default is inspect.Parameter.empty:
                if p.name in ctx.values:
                    from_context.append(p.name)
                elif not any(p.name in v for v in VARIANTS.get(qualname, [])):
                    missing.append(p.name)
        if missing:
            skipped.append({"function": qualname, "why": f"no value for required argument(s) {', '.join(missing)}"})
            continue
        paged = any(p.name == "limit" for p in rest)
        for variant in VARIANTS.get(qualname, [{}]):
            kwargs = {k: _resolve(v, ctx) for k, v in variant.items()}
            if paged and "limit" not in variant:
                kwargs["limit"] = PAGE_LIMIT
            label = ", ".join(f"{k}={v}" for k, v in variant.items())
            name = f"{qualname}({label})" if label else qualname
            cases.append(Case(name, fn, kwargs, filtered, [p for p in from_context if p not in kwargs],
                              sorted(set(usage.get(qualname, [])))))
    return cases, skipped


def make_context(con: duckdb.DuckDBPyConnection) -> Context:
    from queries import assistance, health, meta
    from queries.visits import SampleSpec

    township, = con.execute(
        "SELECT township FROM hh_facts GROUP BY township ORDER BY count(*) DESC, township LIMIT 1").fetchone()
    cause, = con.execute(
        "SELECT main_cause FROM hh_facts WHERE township = ? AND main_cause IS NOT NULL "
        "GROUP BY main_cause ORDER BY count(*) DESC, main_cause LIMIT 1", [township]).fetchone()
    as_of = meta.data_as_of(con)
    viewer = Viewer()
    ids = [r[0] for r in con.execute(
        "SELECT household_id FROM hh_facts WHERE township = ? ORDER BY household_id LIMIT 20", [township]).fetchall()]
    projects = assistance.projects(con, Filters(), viewer)
    years = health.claim_years(con, Filters(), viewer)
    values: dict[str, Any] = {
        "viewer": viewer, "as_of": as_of, "data_as_of": as_of, "lang": "zh", "spec": SampleSpec(),
        "today": dt.date.today(), "year_before": as_of - dt.timedelta(days=365),
        "project": str(projects.iloc[0]["project"]) if len(projects) else "",
        "household_id": ids[0], "household_ids": ids, "cause": cause,
        "claim_year": max(years) if years else None,
    }
    return Context(township=township, cause=cause, as_of=as_of, values=values)


# --- timing ---------------------------------------------------------------------------------------


def _stats(times: list[float]) -> dict[str, float | int]:
    arr = np.array(times) * 1000.0
    return {"median_ms": float(np.median(arr)), "p95_ms": float(np.percentile(arr, 95)),
            "min_ms": float(arr.min()), "runs": len(times)}


def timed(fn: Callable[[], Any], runs: int, budget: float, min_runs: int = 3) -> dict[str, float | int]:
    """`runs` timings of fn() (after one warm-up), fewer (at least min_runs) when over `budget` seconds."""
    fn()
    times: list[float] = []
    spent = 0.0
    while len(times) < runs and (len(times) < min_runs or spent < budget):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
        spent += times[-1]
    return _stats(times)


def _replay(con: duckdb.DuckDBPyConnection, statements: list[tuple[str, Any]]) -> None:
    for sql, params in statements:
        con.execute(sql, params) if params is not None else con.execute(sql)
        con.df()


def _call(case: Case, con: Any, ctx: Context, flt: Filters) -> Any:
    kwargs = {p: ctx.values[p] for p in case.from_context} | case.kwargs
    if case.filtered:
        return case.fn(con, flt, **kwargs)
    return case.fn(con, **kwargs)


def run_cases(con: duckdb.DuckDBPyConnection, ctx: Context, cases: list[Case], runs: int, budget: float,
              log: Callable[[str], None]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for case in cases:
        for fcase in FILTER_CASES if case.filtered else ("none",):
            flt = ctx.filters(fcase)
            rec = RecordingConnection(con)
            row: dict[str, Any] = {"query": case.name, "filter": fcase, "pages": case.pages}
            try:
                out = _call(case, rec, ctx, flt)
                row["rows"] = len(out) if hasattr(out, "__len__") and not isinstance(out, str) else None
                statements = list(rec.log)
                row["statements"] = len(statements)
                row["app"] = timed(lambda c=case, f=flt: _call(c, con, ctx, f), runs, budget)
                row["raw"] = timed(lambda s=statements: _replay(con, s), runs, budget)
                row["ratio_app_raw"] = row["app"]["median_ms"] / max(row["raw"]["median_ms"], 1e-3)
                per_stmt = []
                for sql, params in statements:
                    started = time.perf_counter()
                    _replay(con, [(sql, params)])
                    per_stmt.append(time.perf_counter() - started)
                slowest = int(np.argmax(per_stmt)) if per_stmt else None
                row["slowest_statement"] = None if slowest is None else {
                    "index": slowest, "ms": per_stmt[slowest] * 1000, "sql": statements[slowest][0],
                    "params": _jsonable(statements[slowest][1])}
            except Exception as exc:  # a failing query is a result, not a crash of the benchmark
                row["error"] = f"{type(exc).__name__}: {exc}"[:500]
            results.append(row)
            if "app" in row:
                log(f"  {case.name:<60} {fcase:<15} app {row['app']['median_ms']:9.1f} ms  "
                    f"raw {row['raw']['median_ms']:9.1f} ms  x{row['ratio_app_raw']:.2f}")
            else:
                log(f"  {case.name:<60} {fcase:<15} ERROR {row['error'][:120]}")
    return results


def _jsonable(params: Any) -> Any:
    if isinstance(params, dict):
        return {k: _jsonable(v) for k, v in params.items()}
    if isinstance(params, (list, tuple)):
        return [_jsonable(v) for v in params]
    if isinstance(params, (str, int, float, bool)) or params is None:
        return params
    return str(params)


def explain(con: duckdb.DuckDBPyConnection, results: list[dict[str, Any]], out_dir: Path, top: int) -> list[dict[str, Any]]:
    """EXPLAIN ANALYZE of the `top` slowest single statements (each query's slowest, once per query)."""
    ranked = sorted((r for r in results if "app" in r and r.get("slowest_statement")),
                    key=lambda r: r["slowest_statement"]["ms"], reverse=True)
    seen: set[str] = set()
    picked: list[dict[str, Any]] = []
    for r in ranked:
        if r["query"] in seen:
            continue
        seen.add(r["query"])
        picked.append(r)
        if len(picked) >= top:
            break
    out_dir.mkdir(parents=True, exist_ok=True)
    explained: list[dict[str, Any]] = []
    for r in picked:
        stmt = r["slowest_statement"]
        params = stmt["params"]
        try:
            rows = con.execute("EXPLAIN ANALYZE " + stmt["sql"], params).fetchall() if params is not None else \
                con.execute("EXPLAIN ANALYZE " + stmt["sql"]).fetchall()
            text = "\n".join(str(row[-1]) for row in rows)
        except Exception as exc:
            text = f"EXPLAIN ANALYZE failed: {type(exc).__name__}: {exc}"
        safe = re.sub(r"[^\w.=-]+", "_", f"{r['query']}_{r['filter']}")[:120]
        path = out_dir / f"{safe}.txt"
        path.write_text(f"-- {r['query']} [{r['filter']}] app median {r['app']['median_ms']:.1f} ms\n"
                        f"-- params: {params}\n{stmt['sql']}\n\n{text}\n", encoding="utf-8")
        explained.append({"query": r["query"], "filter": r["filter"], "app_median_ms": r["app"]["median_ms"],
                          "statement_ms": stmt["ms"], "file": str(path)})
    return explained


# --- naive pandas ---------------------------------------------------------------------------------


def _arrow(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """A query's result as a pyarrow Table (DuckDB 2 renamed fetch_arrow_table to to_arrow_table)."""
    rel = con.sql(sql)
    fetch = getattr(rel, "to_arrow_table", None) or rel.arrow
    return fetch()


def pandas_comparison(con: duckdb.DuckDBPyConnection, ctx: Context, runs: int, budget: float,
                      log: Callable[[str], None]) -> dict[str, Any]:
    """Township x cause group-by and intervention coverage: app query vs naive SQL on the base
    tables vs pandas on DataFrames already in memory (the load into pandas is timed separately)."""
    from queries import assistance, causes

    viewer = Viewer()
    started = time.perf_counter()
    hh = _arrow(con, "SELECT household_id, township, main_cause FROM households").to_pandas()
    iv = _arrow(con, "SELECT household_id, category FROM interventions").to_pandas()
    load_seconds = time.perf_counter() - started
    out: dict[str, Any] = {"load_into_pandas_seconds": load_seconds, "households": len(hh),
                           "interventions": len(iv), "cases": []}

    def hh_mask(fcase: str) -> pd.DataFrame:
        if fcase == "none":
            return hh
        m = hh["township"] == ctx.township
        if fcase == "township+cause":
            m &= hh["main_cause"] == ctx.cause
        return hh[m]

    def pd_groupby(fcase: str) -> pd.DataFrame:
        h = hh_mask(fcase)
        h = h[h["main_cause"].notna()]
        counts = h.groupby(["township", "main_cause"], observed=True).size().rename("households").reset_index()
        counts["share"] = counts["households"] / counts.groupby("township")["households"].transform("sum")
        return counts

    def pd_coverage(fcase: str) -> pd.DataFrame:
        h = hh_mask(fcase)[["household_id", "township"]]
        tot = h.groupby("township").size().rename("households")
        reach = (iv[iv["category"].notna()].merge(h, on="household_id")
                 .drop_duplicates(["household_id", "category"])
                 .groupby(["township", "category"]).size().rename("reached").reset_index())
        reach = reach.join(tot, on="township")
        reach["share"] = reach["reached"] / reach["households"]
        return reach

    def where(fcase: str) -> tuple[str, list[Any]]:
        if fcase == "none":
            return "TRUE", []
        if fcase == "township":
            return "h.township = ?", [ctx.township]
        return "h.township = ? AND h.main_cause = ?", [ctx.township, ctx.cause]

    def naive_groupby(fcase: str) -> None:
        w, p = where(fcase)
        con.execute(f"""SELECT township, main_cause, count(*) AS households,
                               count(*) / sum(count(*)) OVER (PARTITION BY township) AS share
                        FROM households h WHERE {w} AND main_cause IS NOT NULL GROUP BY township, main_cause""",  # noqa: S608
                    p).df()

    def naive_coverage(fcase: str) -> None:
        w, p = where(fcase)
        con.execute(f"""WITH hh AS (SELECT household_id, township FROM households h WHERE {w})
                        SELECT hh.township, i.category, count(DISTINCT i.household_id) AS reached,
                               any_value(t.n) AS households, count(DISTINCT i.household_id) / any_value(t.n) AS share
                        FROM interventions i JOIN hh USING (household_id)
                        JOIN (SELECT township, count(*) AS n FROM hh GROUP BY township) t USING (township)
                        WHERE i.category IS NOT NULL GROUP BY ALL""", p).df()  # noqa: S608

    specs = [
        ("township x cause group-by", lambda f: causes.by_area(con, ctx.filters(f), viewer, level="township"),
         naive_groupby, pd_groupby),
        ("intervention coverage", lambda f: assistance.coverage(con, ctx.filters(f), viewer),
         naive_coverage, pd_coverage),
    ]
    for name, app, naive, pdf in specs:
        for fcase in FILTER_CASES:
            row = {"case": name, "filter": fcase,
                   "app": timed(lambda a=app, f=fcase: a(f), runs, budget),
                   "duckdb_naive": timed(lambda n=naive, f=fcase: n(f), runs, budget),
                   "pandas": timed(lambda p=pdf, f=fcase: p(f), max(3, runs // 4), budget, min_runs=2)}
            row["ratio_pandas_app"] = row["pandas"]["median_ms"] / max(row["app"]["median_ms"], 1e-3)
            out["cases"].append(row)
            log(f"  {name:<28} {fcase:<15} app {row['app']['median_ms']:9.1f} ms  naive SQL "
                f"{row['duckdb_naive']['median_ms']:9.1f} ms  pandas {row['pandas']['median_ms']:9.1f} ms")
    return out


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
