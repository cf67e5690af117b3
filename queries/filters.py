"""Shared filters, viewer scope and personal-data masking for every query (no Streamlit here).

The filter dimensions are the rows of `etl.filter_spec.FILTERS` (re-exported here with `MULTI`, `RANGES`,
`BY_NAME`, `URL_KEYS`); nothing below names a dimension except the place helpers (township/village).

API used by every query module (core and inspection pages):

- `Filters`: frozen, hashable selection of the sidebar, one field per dimension, built with keywords
  (`Filters(townships=(...), exit_years=(2017, 2019))`): tuples of canonical values; year ranges as
  `(lo, hi)` or None = no restriction. `Filters()` = everything. `flt.is_empty()` says nothing is chosen.
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
  validated, never unpickled); `url_values(mapping, d)`: every value the link gave one dimension.
- `options(con, viewer) -> Options`: each dimension's choices for the sidebar widgets (scoped):
  `opts.values(name, within=())`, `opts.years(name)`, or `opts.main_causes` / `opts.villages(towns)`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, make_dataclass, replace
from typing import TYPE_CHECKING, Any, cast

import duckdb
import pandas as pd

from etl.fields import NAME_FIELDS
from etl.filter_spec import FILTERS, FilterDef
from etl.normalize import id_valid, sql_id_valid_of
from etl.sqlexpr import NUMBERS_IN_TEXT, masked_name_sql, masked_numbers_sql, name_spellings

YearRange = tuple[int, int]

MULTI: tuple[FilterDef, ...] = tuple(d for d in FILTERS if d.kind == "multi")
RANGES: tuple[FilterDef, ...] = tuple(d for d in FILTERS if d.kind == "year_range")
BY_NAME: dict[str, FilterDef] = {d.name: d for d in FILTERS}
URL_KEYS: tuple[str, ...] = tuple(d.url_key for d in FILTERS)
_MAX_VALUES = 200  # a URL cannot select more than this many values per filter
_MAX_VALUE_LEN = 64


def _filters_post_init(self: Filters) -> None:
    for d in MULTI:
        value = getattr(self, d.name)
        if not isinstance(value, tuple):
            object.__setattr__(self, d.name, tuple(value))
    for d in RANGES:
        value = getattr(self, d.name)
        if value is not None and not isinstance(value, tuple):
            object.__setattr__(self, d.name, (int(value[0]), int(value[1])))


def _filters_is_empty(self: Filters) -> bool:
    return self == Filters()


def _filters_with(self: Filters, **changes: object) -> Filters:
    return replace(self, **changes)  # type: ignore[arg-type]


def _filters_area_only(self: Filters) -> Filters:
    """The place part of the filter (its `area` dimensions: township, village), the others cleared:
    what a sample drawn from whole villages, a file named after its area, follows."""
    return Filters(**{d.name: getattr(self, d.name) for d in FILTERS if d.area})


def _make_filters() -> type:
    """The `Filters` dataclass: one field per row of `etl.filter_spec.FILTERS`."""
    cls = make_dataclass(
        "Filters",
        [(d.name, tuple[str, ...] if d.kind == "multi" else YearRange | None,
          field(default=() if d.kind == "multi" else None)) for d in FILTERS],
        frozen=True,
        kw_only=True,  # Filters(townships=...): a new dimension never shifts a positional call
        namespace={
            "__doc__": "The sidebar selection, one field per filter dimension (etl.filter_spec): a tuple of "
                       "values (empty = no restriction) or a (from, to) year range (None = no restriction).",
            "__post_init__": _filters_post_init,
            "is_empty": _filters_is_empty,
            "with_": _filters_with,
            "area_only": _filters_area_only,
        },
    )
    cls.__module__ = __name__  # so that pickle (st.cache_data) finds it as queries.filters.Filters
    return cls


if TYPE_CHECKING:
    class Filters:  # what type checkers see; the real class is built from the table
        def __init__(self, **values: object) -> None: ...
        def __getattr__(self, name: str) -> Any: ...  # noqa: ANN401
        def is_empty(self) -> bool: ...
        def with_(self, **changes: object) -> Filters: ...
        def area_only(self) -> Filters: ...
else:
    Filters = _make_filters()


@dataclass(frozen=True)
class Viewer:
    """Who is looking: PII permission and township scope (None = the whole county); `loads`: whether the
    role may load files at all (ui.upload.may_upload; a read-only county role may not)."""

    pii: bool = False
    townships: tuple[str, ...] | None = None
    name: str = field(default="", compare=True)
    loads: bool = True


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
    for d in FILTERS:
        clause = _clause(d, getattr(flt, d.name), f"{prefix}{d.column}", params)
        if clause:
            parts.append(clause)
    return (" AND ".join(parts) or "TRUE"), params


def _clause(d: FilterDef, value: object, column: str, params: dict[str, object]) -> str | None:
    """One dimension's condition on `column` (our SQL; the chosen values are bound parameters), or None
    when nothing is chosen."""
    if d.kind == "multi":
        values = cast(tuple[str, ...], value)
        return f"list_contains({_param(params, d.name, list(values))}, {column})" if values else None
    if value is None:
        return None
    rng = cast(YearRange, value)
    lo = _param(params, d.name, int(rng[0]))
    hi = _param(params, d.name, int(rng[1]))
    return f"{column} BETWEEN {lo} AND {hi}"


def area_where(
    flt: Filters, viewer: Viewer, township_col: str = "township", village_col: str | None = "village"
) -> tuple[str, dict[str, object]]:
    """WHERE body for tables with only township/village columns: area filters and scope."""
    params: dict[str, object] = {}
    parts = _scope(viewer, township_col, params)
    columns = {"township": township_col, "village": village_col}
    for d in FILTERS:
        column = columns.get(d.column) if d.area else None
        clause = _clause(d, getattr(flt, d.name), column, params) if column else None
        if clause:
            parts.append(clause)
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
    for i, clause in enumerate(clauses):
        renamed, p = prefixed(*clause, f"c{i}_")
        sql_parts.append(f"({renamed})")
        params.update(p)
    return " AND ".join(sql_parts) or "TRUE", params


def prefixed(sql: str, params: dict[str, object], prefix: str) -> tuple[str, dict[str, object]]:
    """`sql` and `params` with every parameter renamed `prefix` + name (to put several builders' SQL
    into one statement)."""
    for name in sorted(params, key=len, reverse=True):
        sql = re.sub(rf"\${name}\b", f"${prefix}{name}", sql)
    return sql, {f"{prefix}{name}": value for name, value in params.items()}


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


ID_FIELDS = ("id_number", "head_id_number")


def mask_raw_value(field: str | None, value: object, viewer: Viewer) -> object:
    """Python twin of queries.quality.masked_raw_value_sql: a raw value masked as its field is
    everywhere else (name 张*春, phone 138****5678, ID 150824********1234), any other as free text is,
    unless the viewer may see it."""
    if viewer.pii or not isinstance(value, str):
        return value
    if field == "household_id":  # a 户编号 is no personal number, unless it is an ID number typed into it
        return mask_household_id_value(value, viewer)
    if field in NAME_FIELDS:
        return mask_name_value(value, viewer)
    keep = {"phone": PHONE_KEEP, **dict.fromkeys(ID_FIELDS, ID_KEEP)}.get(field or "")
    return mask_numbers_value(value) if keep is None else _masked_value(value, keep)


def names_by_household(df: pd.DataFrame) -> dict[str, list[str]]:
    """From rows (household_id, name): each household's distinct names of two characters or more,
    longest first, then by name (the order `etl.sqlexpr.redacted_text_sql` uses)."""
    out: dict[str, set[str]] = {}
    for hid, name in zip(df["household_id"], df["name"], strict=True):
        if isinstance(name, str) and len(name) >= 2:
            out.setdefault(str(hid), set()).add(name)
    return {h: sorted(ns, key=lambda n: (-len(n), n)) for h, ns in out.items()}


_NUMBERS_IN_TEXT = [(re.compile(p), r) for p, r in NUMBERS_IN_TEXT]


def mask_numbers_value(text: str) -> str:
    """ID and mobile numbers inside a text masked (etl.sqlexpr.masked_numbers_sql in SQL)."""
    for pattern, repl in _NUMBERS_IN_TEXT:
        text = pattern.sub(repl, text)
    return text


def mask_file_name(expr: str, viewer: Viewer) -> str:
    """A loaded file's name (load history, batches, rejected rows, data issues) as the viewer may read
    it: personal numbers in it masked as in free text (德岭山镇某某138****0000走访.csv), unless the viewer
    may see personal data. A person's name in it stays: finding the county's names in it would read
    every member's name per view (docs/DECISIONS.md)."""
    return expr if viewer.pii else masked_numbers_sql(expr)


def masked_file_name_join(viewer: Viewer, column: str = "d.file_name", alias: str = "fnm") -> tuple[str, str]:
    """(expression, LEFT JOIN clause) for a file name `column` of a long list (data issues): the rule of
    mask_file_name worked out once per file of load_batches and joined, since a regular expression per
    row cost 6.4 s over 3M issues (a join 0.04 s); a name no batch has is masked by the rule itself."""
    if viewer.pii:
        return column, ""
    masked = mask_file_name("file_name", viewer)
    names = f"(SELECT DISTINCT file_name AS fn, {masked} AS fm FROM load_batches)"  # noqa: S608 - SQL of this package
    return (f"coalesce({alias}.fm, {mask_file_name(column, viewer)})",
            f"LEFT JOIN {names} {alias} ON {alias}.fn = {column}")


def mask_file_name_value(value: object, viewer: Viewer) -> object:
    """Python twin of mask_file_name for a single value."""
    return value if viewer.pii or not isinstance(value, str) else mask_numbers_value(value)


def redact_names(df: pd.DataFrame, columns: Iterable[str], names: Mapping[str, list[str]], viewer: Viewer,
                 household_col: str = "household_id") -> pd.DataFrame:
    """Mask the household members' full names inside free text (visit notes, item descriptions), and
    ID and mobile numbers, unless the viewer may see personal data: 随访张树林:高血压 -> 随访张*林:高血压."""
    if viewer.pii or df.empty or household_col not in df.columns:
        return df
    out = df.copy()
    for col in columns:
        if col not in out.columns:
            continue
        values = []
        for hid, text in zip(out[household_col], out[col], strict=True):
            if isinstance(text, str) and hid is not None:
                for name in name_spellings(names.get(str(hid), [])):  # 买买提•艾力 for 买买提·艾力 too
                    if name in text:
                        text = text.replace(name, str(mask_name_value(name, viewer)))
            values.append(mask_numbers_value(text) if isinstance(text, str) else text)
        out[col] = values
    return out


# What a masked number keeps: (leading characters, trailing characters, shortest length that keeps any)
ID_KEEP = (6, 4, 11)  # 150824195001011234 -> 150824********1234
PHONE_KEEP = (3, 4, 8)  # 13812345678 -> 138****5678


def _masked_sql(expr: str, keep: tuple[int, int, int]) -> str:
    head, tail, shortest = keep
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL WHEN length({expr}) >= {shortest} "
        f"THEN left({expr}, {head}) || repeat('*', length({expr}) - {head + tail}) || right({expr}, {tail}) "
        f"ELSE repeat('*', length({expr})) END"
    )


def _masked_value(value: str, keep: tuple[int, int, int]) -> str:
    """Python twin of _masked_sql."""
    head, tail, shortest = keep
    if len(value) < shortest:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_id(expr: str, viewer: Viewer) -> str:
    """150824195001011234 -> 150824********1234."""
    return expr if viewer.pii else _masked_sql(expr, ID_KEEP)


def mask_household_id(expr: str, viewer: Viewer) -> str:
    """A 户编号 as shown to a viewer without personal-data rights: a valid ID number typed into it (a
    clerk's slip in a ledger, listed among the rows outside the registry) is masked as an ID is; any
    other 户编号 is no personal data and is shown (a privacy probe saw 150824197308203293 in full)."""
    if viewer.pii:
        return expr
    return f"CASE WHEN {sql_id_valid_of(f'upper({expr})')} THEN {_masked_sql(expr, ID_KEEP)} ELSE {expr} END"


def mask_household_id_value(value: object, viewer: Viewer) -> object:
    """Python twin of mask_household_id for a single value (the upload summary quotes a 户编号 outside
    the registry, a household check's "户编号「…」不在贫困人口信息中": an ID number typed into it was
    shown in full there while the data page masked it)."""
    if viewer.pii or not isinstance(value, str) or not id_valid(value.upper()):
        return value
    return _masked_value(value, ID_KEEP)


def mask_phone(expr: str, viewer: Viewer) -> str:
    """13812345678 -> 138****5678."""
    return expr if viewer.pii else _masked_sql(expr, PHONE_KEEP)


# --- URL form --------------------------------------------------------------------------------


def to_query_params(flt: Filters) -> dict[str, list[str]]:
    """Plain-string URL parameters of a Filters (repeated keys for several values)."""
    out: dict[str, list[str]] = {}
    for d in FILTERS:
        value = getattr(flt, d.name)
        if d.kind == "multi" and value:
            out[d.url_key] = [str(v) for v in value]
        elif d.kind == "year_range" and value is not None:
            out[d.url_key] = [f"{value[0]}-{value[1]}"]
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


def url_values(params: Mapping[str, object], d: FilterDef) -> list[str]:
    """Every value a link gives the multi-select `d` (repeated keys or comma-separated), trimmed, once
    each, in order, whatever its length: what the link asked for, before `from_query_params` keeps the
    usable ones."""
    parts = (part.strip() for raw in _as_list(params.get(d.url_key)) for part in raw.split(","))
    return list(dict.fromkeys(v for v in parts if v))


def from_query_params(params: Mapping[str, object]) -> Filters:
    """Parse URL parameters (str or list of str per key); junk is dropped, never evaluated."""
    kwargs: dict[str, object] = {}
    for d in MULTI:
        kwargs[d.name] = tuple([v for v in url_values(params, d) if len(v) <= _MAX_VALUE_LEN][:_MAX_VALUES])
    for d in RANGES:
        kwargs[d.name] = _parse_range(_as_list(params.get(d.url_key)))
    return Filters(**kwargs)


def restrict_to_options(flt: Filters, opts: Mapping[str, Iterable[str]]) -> Filters:
    """Drop values that are not among the available options (e.g. from a stale or edited URL)."""
    changes: dict[str, object] = {}
    for d in MULTI:
        if d.name in opts:
            allowed = set(opts[d.name])
            changes[d.name] = tuple(v for v in getattr(flt, d.name) if v in allowed)
    return replace(flt, **changes)  # type: ignore[arg-type]


# --- options for the sidebar -----------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """Available values of each filter (scoped to the viewer), by the filter's name.

    `opts.values(name, within)`: the choices of a multi-select; for a dimension narrowed by another
    (`FilterDef.within`: villages by townships) only those under the chosen `within` values (all when
    none is chosen). `opts.years(name)`: a year range's bounds (None: no data). Attribute access is a
    shorthand: `opts.main_causes`, `opts.identified_years`, `opts.villages(["乌加河镇"])`."""

    choices: tuple[tuple[str, tuple[tuple[str | None, str], ...]], ...]  # name -> ((within value, value), ...)
    bounds: tuple[tuple[str, YearRange | None], ...]  # name -> (lo, hi)

    def values(self, name: str, within: Iterable[str] = ()) -> tuple[str, ...]:
        pairs = dict(self.choices)[name]
        chosen = set(within)
        out = [v for w, v in pairs if not chosen or w in chosen]
        return tuple(dict.fromkeys(out))

    def years(self, name: str) -> YearRange | None:
        return dict(self.bounds)[name]

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401 - a tuple, a range or a narrowing function
        d = BY_NAME.get(name) if not name.startswith("_") else None
        if d is None:
            raise AttributeError(name)
        if d.kind == "year_range":
            return self.years(name)
        if d.within is not None:
            return lambda within=(): self.values(name, within)
        return self.values(name)

    def as_mapping(self) -> dict[str, tuple[str, ...]]:
        """Every multi-select's full choice (for restrict_to_options)."""
        return {name: self.values(name) for name, _ in self.choices}


def _ordered(values: Iterable[str], d: FilterDef) -> tuple[str, ...]:
    """A dimension's values in display order: code-list order for codes, statistical-code order for
    townships, else by name."""
    if d.column == "township":
        return township_order(values)
    from etl.codes import CODE_ORDER

    order = {v: i for i, v in enumerate(CODE_ORDER.get(d.code_list or "", []))}
    return tuple(sorted(values, key=lambda v: (order.get(v, len(order)), v)))


# The order of township-level units' statistical codes (GB/T 10114): 街道 001-099, 镇 100-199, 乡 (and
# 苏木, 民族乡, 民族苏木) 200-399, then the rest (农场, 林场, 开发区...). A county's own tables list them so.
_TOWNSHIP_LEVELS = (("街道", "街道办事处"), ("镇",), ("乡", "苏木"))


def _township_level(name: str) -> int:
    for rank, suffixes in enumerate(_TOWNSHIP_LEVELS):
        if name.endswith(suffixes):
            return rank
    return len(_TOWNSHIP_LEVELS)


def township_order(townships: Iterable[str]) -> tuple[str, ...]:
    """Townships in statistical-code order: by code where known (the demo county), else as the codes
    run, 街道 before 镇 before 乡/苏木 before the rest, by name within each (a county's townships were
    listed by name alone, 巴音乌兰苏木 before 德岭山镇, an order no county table uses)."""
    from etl.codes import DEMO_TOWNSHIPS

    return tuple(sorted(townships, key=lambda t: (_township_level(t), DEMO_TOWNSHIPS.get(t, "~"), t)))


def township_rank(townships: Iterable[object]) -> list[float]:
    """Each row's township's position in `township_order` (NaN for none), to sort places as the sidebar
    lists them (not by name: pages listed the townships in two orders). Plain Python: pandas' unique and
    map cost ~0.7 ms for a few hundred places, on every page that sorts them."""
    towns = list(townships)
    order = {t: i for i, t in enumerate(township_order({t for t in towns if isinstance(t, str)}))}
    return [float(order[t]) if isinstance(t, str) else math.nan for t in towns]


def in_place_order(df: pd.DataFrame) -> pd.DataFrame:
    """A frame of townships (and villages) sorted as the sidebar lists them, villages by name within,
    missing places last (a stable sort of the row numbers: pandas' sort of a helper column cost ~1.5 ms
    for a few hundred rows, on every page that lists places)."""
    towns = township_rank(df["township"])
    villages = df["village"].tolist() if "village" in df.columns else [None] * len(towns)

    def key(i: int) -> tuple[bool, float, bool, str]:
        town, village = towns[i], villages[i]
        return (math.isnan(town), 0.0 if math.isnan(town) else town, not isinstance(village, str),
                village if isinstance(village, str) else "")

    return df.take(sorted(range(len(towns)), key=key)).reset_index(drop=True)


def options(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> Options:
    # agg_household has one row per combination of filter values (etl.derive), a few thousand rows
    # where hh_facts has millions, and the same filter columns
    where, params = household_where(ALL, viewer)

    def pairs(d: FilterDef) -> tuple[tuple[str | None, str], ...]:
        if d.within is None:
            df = fetch(con, f"SELECT DISTINCT {d.column} AS v FROM agg_household f "  # noqa: S608 - spec columns
                            f"WHERE {where} AND {d.column} IS NOT NULL", params)
            return tuple((None, v) for v in _ordered([str(v) for v in df["v"]], d))
        outer = BY_NAME[d.within]
        df = fetch(con, f"SELECT DISTINCT {outer.column} AS w, {d.column} AS v FROM agg_household f "  # noqa: S608
                        f"WHERE {where} AND {d.column} IS NOT NULL", params)
        by_outer: dict[str, list[str]] = {}
        for w, v in zip(df["w"], df["v"], strict=True):
            by_outer.setdefault(str(w), []).append(str(v))
        return tuple((w, v) for w in _ordered(by_outer, outer) for v in _ordered(by_outer[w], d))

    def years(d: FilterDef) -> YearRange | None:
        df = fetch(con, f"SELECT min({d.column}) AS lo, max({d.column}) AS hi FROM agg_household f "  # noqa: S608
                        f"WHERE {where}", params)
        lo, hi = df["lo"].iloc[0], df["hi"].iloc[0]
        if pd.isna(lo) or pd.isna(hi):
            return None
        return (int(lo), int(hi))

    return Options(choices=tuple((d.name, pairs(d)) for d in MULTI),
                   bounds=tuple((d.name, years(d)) for d in RANGES))
