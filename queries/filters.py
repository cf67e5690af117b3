"""Shared filters, viewer scope and personal-data masking for every query (no Streamlit here).

API used by every query module (core and inspection pages):

- `Filters`: frozen, hashable selection of the sidebar (tuples of canonical code values; year ranges as
  `(lo, hi)` or None = no restriction). `Filters()` = everything. `flt.is_empty()` says nothing is chosen.
- `Viewer`: who looks. `pii` = may see names/ID numbers/phones unmasked; `townships` = the townships the
  viewer may see (None = all). Township scoping is enforced here, so every query that builds its WHERE
  through `household_where` / `area_where` / `households_in` applies it.
- `household_where(flt, viewer, alias="f") -> (sql, params)`: the WHERE body over `hh_facts` (alias
  `f`), with named parameters (`$p_...`) only; combine with `AND`.
- `area_where(flt, viewer, township_col, village_col) -> (sql, params)`: for tables that only know
  township/village (rectifications): township/village filters + scope, no household attributes.
- `households_in(flt, viewer, column) -> (sql, params)`: `column IN (SELECT household_id FROM hh_facts
  WHERE ...)` to restrict ledgers (visits, claims, interventions) to the filtered households.
- `mask_name(expr, viewer)`, `mask_id(expr, viewer)`, `mask_phone(expr, viewer)`: SQL expressions that
  mask personal data (张*春, 150824********123X, 138****5678) unless `viewer.pii`.
- `mask_name_value(value, viewer)`: the same name masking in Python (for text that is not a column).
- `names_by_household(df)` and `redact_names(df, columns, names, viewer)`: a household's member names
  masked inside free text (visit notes, measures), as `etl.sqlexpr.redacted_text_sql` does in SQL.
- `fetch(con, sql, params) -> DataFrame`: execute with named parameters.
- `to_query_params(flt)` / `from_query_params(mapping)`: the URL form (plain strings, parsed and
  validated, never unpickled).
- `options(con, viewer)`: distinct values for the sidebar widgets (scoped).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace

import duckdb
import pandas as pd

from etl.sqlexpr import masked_name_sql

YearRange = tuple[int, int]

# Filters field -> (hh_facts column, URL parameter name)
_LIST_FIELDS: dict[str, tuple[str, str]] = {
    "townships": ("township", "town"),
    "villages": ("village", "village"),
    "main_causes": ("main_cause", "cause"),
    "household_attributes": ("household_attribute", "attr"),
    "exit_statuses": ("exit_status", "status"),
    "monitoring_types": ("monitoring_type", "mon"),
}
_RANGE_FIELDS: dict[str, tuple[str, str]] = {
    "identified_years": ("identified_year", "idy"),
    "exit_years": ("exit_year", "exy"),
}
URL_KEYS: tuple[str, ...] = tuple(p for _, p in _LIST_FIELDS.values()) + tuple(
    p for _, p in _RANGE_FIELDS.values()
)
_MAX_VALUES = 200  # a URL cannot select more than this many values per filter
_MAX_VALUE_LEN = 64


@dataclass(frozen=True)
class Filters:
    """The sidebar selection. Empty tuple / None = no restriction on that dimension."""

    townships: tuple[str, ...] = ()
    villages: tuple[str, ...] = ()
    main_causes: tuple[str, ...] = ()
    household_attributes: tuple[str, ...] = ()
    exit_statuses: tuple[str, ...] = ()
    monitoring_types: tuple[str, ...] = ()
    identified_years: YearRange | None = None
    exit_years: YearRange | None = None

    def __post_init__(self) -> None:
        for name in _LIST_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        for name in _RANGE_FIELDS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, (int(value[0]), int(value[1])))

    def is_empty(self) -> bool:
        return self == Filters()

    def with_(self, **changes: object) -> Filters:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Viewer:
    """Who is looking: PII permission and township scope (None = the whole county)."""

    pii: bool = False
    townships: tuple[str, ...] | None = None
    name: str = field(default="", compare=True)


ALL = Filters()
PUBLIC = Viewer()


def _param(params: dict[str, object], stem: str, value: object) -> str:
    name = f"p_{stem}_{len(params)}"
    params[name] = value
    return f"${name}"


def _scope(viewer: Viewer, township_col: str, params: dict[str, object]) -> list[str]:
    if viewer.townships is None:
        return []
    return [f"list_contains({_param(params, 'scope', list(viewer.townships))}, {township_col})"]


def area_level(flt: Filters, viewer: Viewer = PUBLIC) -> str:
    """The level a breakdown by place shows: villages when the view is one township (chosen, or the
    only one the viewer may see), else townships."""
    one = len(flt.townships) == 1 or (not flt.townships and viewer.townships is not None
                                      and len(viewer.townships) == 1)
    return "village" if one else "township"


def area_keys(level: str, alias: str = "c") -> str:
    """The grouping columns of a breakdown at `level` (a village is named with its township)."""
    if level not in ("township", "village"):
        raise ValueError(level)
    return f"{alias}.township" if level == "township" else f"{alias}.township, {alias}.village"


def household_where(flt: Filters, viewer: Viewer, alias: str = "f") -> tuple[str, dict[str, object]]:
    """WHERE body (never empty: 'TRUE' at least) and named params over hh_facts rows."""
    params: dict[str, object] = {}
    prefix = f"{alias}." if alias else ""
    parts = _scope(viewer, f"{prefix}township", params)
    for name, (column, _) in _LIST_FIELDS.items():
        values = getattr(flt, name)
        if values:
            parts.append(f"list_contains({_param(params, name, list(values))}, {prefix}{column})")
    for name, (column, _) in _RANGE_FIELDS.items():
        rng = getattr(flt, name)
        if rng is not None:
            lo = _param(params, name, int(rng[0]))
            hi = _param(params, name, int(rng[1]))
            parts.append(f"{prefix}{column} BETWEEN {lo} AND {hi}")
    return (" AND ".join(parts) or "TRUE"), params


def area_where(
    flt: Filters, viewer: Viewer, township_col: str = "township", village_col: str | None = "village"
) -> tuple[str, dict[str, object]]:
    """WHERE body for tables with only township/village columns: area filters and scope."""
    params: dict[str, object] = {}
    parts = _scope(viewer, township_col, params)
    if flt.townships:
        parts.append(f"list_contains({_param(params, 'townships', list(flt.townships))}, {township_col})")
    if flt.villages and village_col:
        parts.append(f"list_contains({_param(params, 'villages', list(flt.villages))}, {village_col})")
    return (" AND ".join(parts) or "TRUE"), params


def households_in(flt: Filters, viewer: Viewer, column: str = "household_id") -> tuple[str, dict[str, object]]:
    """`column IN (filtered household ids)`: restricts a ledger table to the filtered households."""
    where, params = household_where(flt, viewer, alias="hf")
    return f"{column} IN (SELECT hf.household_id FROM hh_facts hf WHERE {where})", params  # noqa: S608


def merge(*clauses: tuple[str, dict[str, object]]) -> tuple[str, dict[str, object]]:
    """AND together several (sql, params) clauses; parameter names must not collide (use distinct
    builders or rename)."""
    sql_parts: list[str] = []
    params: dict[str, object] = {}
    for i, (sql, p) in enumerate(clauses):
        renamed = sql
        for name in sorted(p, key=len, reverse=True):
            new = f"c{i}_{name}"
            renamed = re.sub(rf"\${name}\b", f"${new}", renamed)
            params[new] = p[name]
        sql_parts.append(f"({renamed})")
    return " AND ".join(sql_parts) or "TRUE", params


def fetch(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Run a query with named parameters and return a DataFrame."""
    return con.execute(sql, dict(params or {})).df()


# --- personal data masking (SQL expressions; no user values inside) ---------------------------


def mask_name(expr: str, viewer: Viewer) -> str:
    """张三春 -> 张*春, 张三 -> 张*, unless the viewer may see personal data."""
    return expr if viewer.pii else masked_name_sql(expr)


def mask_name_value(value: object, viewer: Viewer) -> object:
    """Python twin of mask_name for a single value."""
    if viewer.pii or not isinstance(value, str) or len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def names_by_household(df: pd.DataFrame) -> dict[str, list[str]]:
    """From rows (household_id, name): each household's distinct names of two characters or more,
    longest first, then by name (the order `etl.sqlexpr.redacted_text_sql` uses)."""
    out: dict[str, set[str]] = {}
    for hid, name in zip(df["household_id"], df["name"], strict=True):
        if isinstance(name, str) and len(name) >= 2:
            out.setdefault(str(hid), set()).add(name)
    return {h: sorted(ns, key=lambda n: (-len(n), n)) for h, ns in out.items()}


def redact_names(df: pd.DataFrame, columns: Iterable[str], names: Mapping[str, list[str]], viewer: Viewer,
                 household_col: str = "household_id") -> pd.DataFrame:
    """Mask the household members' full names inside free text (visit notes, item descriptions)
    unless the viewer may see personal data: 随访张树林:高血压 -> 随访张*林:高血压."""
    if viewer.pii or df.empty or household_col not in df.columns:
        return df
    out = df.copy()
    for col in columns:
        if col not in out.columns:
            continue
        values = []
        for hid, text in zip(out[household_col], out[col], strict=True):
            if isinstance(text, str) and hid is not None:
                for name in names.get(str(hid), ()):
                    if name in text:
                        text = text.replace(name, str(mask_name_value(name, viewer)))
            values.append(text)
        out[col] = values
    return out


def mask_id(expr: str, viewer: Viewer) -> str:
    """150824195001011234 -> 150824********1234."""
    if viewer.pii:
        return expr
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL WHEN length({expr}) >= 11 "
        f"THEN left({expr}, 6) || repeat('*', length({expr}) - 10) || right({expr}, 4) "
        f"ELSE repeat('*', length({expr})) END"
    )


def mask_phone(expr: str, viewer: Viewer) -> str:
    """13812345678 -> 138****5678."""
    if viewer.pii:
        return expr
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL WHEN length({expr}) >= 8 "
        f"THEN left({expr}, 3) || repeat('*', length({expr}) - 7) || right({expr}, 4) "
        f"ELSE repeat('*', length({expr})) END"
    )


# --- URL form --------------------------------------------------------------------------------


def to_query_params(flt: Filters) -> dict[str, list[str]]:
    """Plain-string URL parameters of a Filters (repeated keys for several values)."""
    out: dict[str, list[str]] = {}
    for name, (_, key) in _LIST_FIELDS.items():
        values = getattr(flt, name)
        if values:
            out[key] = [str(v) for v in values]
    for name, (_, key) in _RANGE_FIELDS.items():
        rng = getattr(flt, name)
        if rng is not None:
            out[key] = [f"{rng[0]}-{rng[1]}"]
    return out


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [v for v in value if isinstance(v, str)]
    return []


def _parse_range(values: list[str]) -> YearRange | None:
    for raw in values[-1:]:
        m = re.fullmatch(r"\s*(\d{4})\s*[-~,]\s*(\d{4})\s*", raw)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            if 1900 <= lo <= 2100 and 1900 <= hi <= 2100:
                return (min(lo, hi), max(lo, hi))
    return None


def from_query_params(params: Mapping[str, object]) -> Filters:
    """Parse URL parameters (str or list of str per key); junk is dropped, never evaluated."""
    kwargs: dict[str, object] = {}
    for name, (_, key) in _LIST_FIELDS.items():
        seen: list[str] = []
        for raw in _as_list(params.get(key)):
            for part in raw.split(","):
                v = part.strip()
                if v and len(v) <= _MAX_VALUE_LEN and v not in seen:
                    seen.append(v)
        kwargs[name] = tuple(seen[:_MAX_VALUES])
    for name, (_, key) in _RANGE_FIELDS.items():
        kwargs[name] = _parse_range(_as_list(params.get(key)))
    return Filters(**kwargs)  # type: ignore[arg-type]


def restrict_to_options(flt: Filters, opts: Mapping[str, Iterable[str]]) -> Filters:
    """Drop values that are not among the available options (e.g. from a stale or edited URL)."""
    changes: dict[str, object] = {}
    for f in fields(Filters):
        if f.name in opts:
            allowed = set(opts[f.name])
            changes[f.name] = tuple(v for v in getattr(flt, f.name) if v in allowed)
    return replace(flt, **changes)  # type: ignore[arg-type]


# --- options for the sidebar -----------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """Available values of each filter (scoped to the viewer)."""

    villages_by_township: tuple[tuple[str, tuple[str, ...]], ...]
    main_causes: tuple[str, ...]
    household_attributes: tuple[str, ...]
    exit_statuses: tuple[str, ...]
    monitoring_types: tuple[str, ...]
    identified_years: YearRange | None
    exit_years: YearRange | None

    @property
    def townships(self) -> tuple[str, ...]:
        return tuple(t for t, _ in self.villages_by_township)

    def villages(self, townships: Iterable[str] = ()) -> tuple[str, ...]:
        chosen = set(townships)
        out: list[str] = []
        for t, vs in self.villages_by_township:
            if not chosen or t in chosen:
                out.extend(v for v in vs if v not in out)
        return tuple(out)

    def as_mapping(self) -> dict[str, tuple[str, ...]]:
        return {
            "townships": self.townships,
            "villages": self.villages(),
            "main_causes": self.main_causes,
            "household_attributes": self.household_attributes,
            "exit_statuses": self.exit_statuses,
            "monitoring_types": self.monitoring_types,
        }


def _ordered(values: Iterable[str], field_name: str) -> tuple[str, ...]:
    from etl.codes import CODE_ORDER

    order = {v: i for i, v in enumerate(CODE_ORDER.get(field_name, []))}
    return tuple(sorted(values, key=lambda v: (order.get(v, len(order)), v)))


def township_order(townships: Iterable[str]) -> tuple[str, ...]:
    """Townships in statistical-code order where known (demo county), else by name."""
    from etl.codes import DEMO_TOWNSHIPS

    return tuple(sorted(townships, key=lambda t: (DEMO_TOWNSHIPS.get(t, "999999999999"), t)))


def options(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> Options:
    # agg_household has one row per combination of filter values (etl.derive), a few thousand rows
    # where hh_facts has millions, and the same filter columns
    where, params = household_where(ALL, viewer)
    tv = fetch(con, f"SELECT DISTINCT township, village FROM agg_household f WHERE {where}", params)  # noqa: S608
    by_t: dict[str, list[str]] = {}
    for t, v in zip(tv["township"], tv["village"], strict=True):
        by_t.setdefault(t, []).append(v)
    vbt = tuple((t, tuple(sorted(by_t[t]))) for t in township_order(by_t))

    def distinct(column: str, code_field: str) -> tuple[str, ...]:
        df = fetch(con, f"SELECT DISTINCT {column} AS v FROM agg_household f WHERE {where} AND {column} IS NOT NULL",  # noqa: S608
                   params)
        return _ordered([str(v) for v in df["v"]], code_field)

    def years(column: str) -> YearRange | None:
        df = fetch(con, f"SELECT min({column}) AS lo, max({column}) AS hi FROM agg_household f WHERE {where}", params)  # noqa: S608
        lo, hi = df["lo"].iloc[0], df["hi"].iloc[0]
        if pd.isna(lo) or pd.isna(hi):
            return None
        return (int(lo), int(hi))

    return Options(
        villages_by_township=vbt,
        main_causes=distinct("main_cause", "main_cause"),
        household_attributes=distinct("household_attribute", "household_attribute"),
        exit_statuses=distinct("exit_status", "exit_status"),
        monitoring_types=distinct("monitoring_type", "monitoring_type"),
        identified_years=years("identified_year"),
        exit_years=years("exit_year"),
    )
