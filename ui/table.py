"""Tables: query columns -> labelled view (Chinese headers, English option) + downloads.

- `labelled(df, lang, codes=True) -> DataFrame`: columns renamed through the label table (`col.<name>`
  in labels.ui_core, else `field.<name>` of labels.etl_text, else unchanged); code values translated
  when lang is English (columns in CODE_COLUMNS, through labels.codes_en, as the charts do; a cell of
  several values `a、b` value by value), internal codes with labels of their own (VALUE_LABELS: file
  kinds) in every language; a rejected row's raw JSON (`raw`) as `label：value` pairs
  (ui.formats.raw_row); list cells joined with the language's separator (`list.sep`); booleans as 是/否.
- `show(key, df, what, *, column_config=None, height=None, hide_index=True, on_select=None)`: renders
  the labelled view with st.dataframe, then CSV + XLSX downloads of exactly that view; an empty frame
  gives the empty state instead. `column_config` keys are the original (query) column names. The
  prepared grid is kept across sessions by the frame's content (`_grid`): the same page and filter
  opened by another leader is not labelled, sized and converted again. A view
  longer than DEFAULT_LIMIT rows shows its first rows with "showing n of N", as lists do; the
  downloads hold all of it (three grids of up to 164k ledger items took ~0.45 s per rerun to send).
  Returns the labelled DataFrame (or the selection state when `on_select` is given).
- `show_list(key, page, what, full, *, columns=None, view=None, sources=None, mappings=None,
  ...)`: a list that may hold the whole population: `page` is the first rows (with a `total` column,
  see queries.paging), shown with "showing n of N"; the downloads are the FULL filtered list, written
  from SQL (`full`, a ListQuery) with the same columns, labels and value texts, only when clicked.
  `view` is the frame to show if the page derives it (its columns are the extract's columns);
  `sources` maps a view column to the list query's column it comes from, `mappings` value texts.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from labels import LABELS, STRICT_ENV, MissingLabel, codes_en, t
from queries.paging import DEFAULT_LIMIT, ListQuery, stored_sorted, total_of
from ui.formats import SHARE_CELL_DECIMALS, STORED_SEP, joined, plain_dates, raw_row, share_points_cell

if TYPE_CHECKING:  # the briefing's HTML path imports this module without Streamlit
    import pyarrow as pa

    from queries.filters import Filters

CODE_COLUMNS = {
    "main_cause", "other_causes", "exit_status", "monitoring_type", "household_attribute", "category",
    "categories", "other_cause", "health", "labor_skill", "status", "visit_type", "band", "flag",
    "reason", "reasons", "education", "top_cause", "problem_category",
    "value",  # a member code tabulated (health, labour skill: pages/causes.py)
    "household_type", "counted_as", "finding", "approval", "failed_items",  # household checks (§1.4)
    "group",  # an inspection sample's household group (queries.inspection_plan)
    "relation", "school_status",  # a member's, as the registry writes them (the English profile showed 户主)
}
# columns whose values are internal codes with a label of their own, `<prefix>.<code>`: translated in
# every language (a file kind reads 贫困人口信息, not registry)
VALUE_LABELS = {"kind": "kind"}
RAW_ROW_COLUMNS = {"raw"}  # a rejected row's values as stored (JSON): shown labelled, ui.formats.raw_row


MISSING = ""  # a missing value in a table cell: blank, as the extracts write it

# Column widths. The grid sizes a column by its header and its first ten rows only, dropping any
# value twice their mean (so '自身发展动力不足' in row 11 was cut to '自身发展动力不'), and gives a
# progress column a fixed 150 px; half-width tables then ran past their column and lost their last
# column off the edge. Each column is sized here from every shown value instead (px of the grid's
# 14 px font: a CJK character 14, other characters at most 8, 8 px padding each side).
CELL_PADDING = 16
WIDE_CHAR_PX, NARROW_CHAR_PX = 14.0, 7.5
MAX_COLUMN_PX = 480  # prose (问题描述, 措施内容) wider than this is cut; the downloads hold it whole
PROGRESS_BAR_PX = 40  # the bar of a progress column, beside its label


def rows_px(rows: int) -> int:
    """Pixels of a grid showing `rows` rows whole: Streamlit's 35-px rows under a 35-px header, borders."""
    return 35 * (rows + 1) + 3


def capped_height(height: int | str, rows: int) -> int | str:
    """A page's table height as a cap: a table of fewer rows gets just their height, not empty rows."""
    return min(height, rows_px(rows)) if isinstance(height, int) else height


@functools.lru_cache(maxsize=65536)
def text_px(text: str) -> float:
    """Pixels of `text` in the grid's font. Cached: every session sizes the same names and codes again
    (the sizing of a page's tables was ~10% of its CPU under 10 concurrent sessions)."""
    return sum(WIDE_CHAR_PX if unicodedata.east_asian_width(ch) in "WF" else NARROW_CHAR_PX for ch in text)


def _shown_texts(col: pd.Series, type_config: Mapping[str, Any]) -> list[str]:
    """The distinct texts the grid draws for a column (numbers as formatted, roughly)."""
    values = col.dropna()
    fmt = type_config.get("format")
    if isinstance(values.dtype, pd.StringDtype):  # distinct first: no copy of the column as objects
        return values.unique().tolist()
    if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
        return [str(v) for v in pd.unique(values.astype(str))]
    numbers = [float(v) for v in pd.unique(values)]
    if type_config.get("type") == "progress":
        numbers += [float(type_config[k]) for k in ("min_value", "max_value") if type_config.get(k) is not None]
    if fmt == "percent":
        return [f"{v:.2%}" for v in numbers]
    if fmt == PERCENT_FORMAT:
        return [fmt % v for v in numbers]
    if fmt == "localized":
        return [f"{v:,.2f}".rstrip("0").rstrip(".") for v in numbers]
    return [f"{v:.4f}".rstrip("0").rstrip(".") for v in numbers]


def cell_px(text_width: float) -> int:
    """A column's pixels for a text this wide: the cell's padding and its border."""
    return int(text_width + CELL_PADDING + 2)


def column_width(label: str, col: pd.Series, config: Mapping[str, Any] | None) -> int:
    """Pixels that show `label` and every value of `col` whole (prose up to MAX_COLUMN_PX)."""
    type_config = (config or {}).get("type_config") or {}
    widest = max((text_px(v) for v in _shown_texts(col, type_config)), default=0.0)
    if type_config.get("type") == "progress":
        widest += CELL_PADDING + PROGRESS_BAR_PX
    return min(MAX_COLUMN_PX, cell_px(max(text_px(label), widest)))


def sized(view: pd.DataFrame, config: dict[str, Any]) -> dict[str, Any]:
    """`config` (keyed by shown column) with a width for every column the page did not size."""
    out = dict(config)
    for label in view.columns:
        given = out.get(label)
        if isinstance(given, Mapping) and given.get("width") is not None:
            # a page's width holds its header whole in every language: the overview's 112 px, set for
            # 帮扶措施覆盖率, cut "Assistance coverage" to "Assistance coverag"
            header = cell_px(text_px(str(label)))
            if isinstance(given["width"], int) and given["width"] < header:
                out[label] = {**given, "width": header}
            continue
        width = column_width(str(label), view[label], given if isinstance(given, Mapping) else None)
        out[label] = {**given, "width": width} if isinstance(given, Mapping) else {"width": width}
    return out


def neutral_bars(config: dict[str, Any]) -> dict[str, Any]:
    """A progress column's bar in the charts' neutral blue unless its page gives a colour: the grid drew
    every bar in the theme's red, so 脱贫率 98.75% and 帮扶措施覆盖率 100% read as alarms to a leader (red
    is 返贫, 不达标, 逾期 on every chart)."""
    from ui.charts import DEFAULT_COLOR

    out = dict(config)
    for label, given in config.items():
        bar = given.get("type_config") if isinstance(given, Mapping) else None
        if isinstance(bar, Mapping) and bar.get("type") == "progress" and not bar.get("color"):
            out[label] = {**given, "type_config": {**bar, "color": DEFAULT_COLOR}}
    return out


def pinned_first(view: pd.DataFrame, config: dict[str, Any]) -> dict[str, Any]:
    """The first column pinned: it names the row (the place, the household, the item), and on a phone
    a table of a township's figures scrolled sideways without it, 已脱贫户 and 返贫户 under no name."""
    if view.columns.empty:
        return config
    first = view.columns[0]
    return {**config, first: {**config.get(first, {}), "pinned": True}}


# A share on screen: two decimals in every row, as the downloads write it (extract.csv_bytes: 94.12%).
# The grid's "percent" preset writes 96%, 98.75% and 100%, and a progress column's bar takes what its
# text leaves of the cell, so 96% drew a longer bar than 98.75% (a browser review). The grid gets the
# shares as percentage points with this format; the downloads keep the shares.
PERCENT_FORMAT = f"%.{SHARE_CELL_DECIMALS}f%%"


def is_percent(cfg: object) -> bool:
    """A page's column config (st.column_config.*) that formats the column as a percentage."""
    return isinstance(cfg, Mapping) and (cfg.get("type_config") or {}).get("format") == "percent"


def _percent_points(grid: pd.DataFrame, config: Mapping[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The grid's "percent" columns as percentage points with PERCENT_FORMAT (bars scaled alike)."""
    out, points = dict(config), {}
    for label, cfg in config.items():
        if not is_percent(cfg) or label not in grid.columns:
            continue
        tc = cfg["type_config"]
        tc = {**tc, "format": PERCENT_FORMAT,
              **{k: tc[k] * 100 for k in ("min_value", "max_value") if tc.get(k) is not None}}
        out[label] = {**cfg, "type_config": tc}
        points[label] = pd.to_numeric(grid[label]).map(share_points_cell)
    return (grid.assign(**points) if points else grid), out


def percent_labels(column_config: Mapping[str, Any] | None, lang: str) -> list[str]:
    """The shown columns a page formats as percentages (the downloads write them as 94.12%)."""
    return [column_label(str(k), lang) for k, c in (column_config or {}).items() if is_percent(c)]


THOUSANDS_FROM = 1000  # a number column reaching this gets separators: 1,222,300 元, 62,897 人


def is_label_number(name: str) -> bool:
    """A column of numbers that name rather than count (years, line numbers, batch numbers: year,
    exit_year, 年度, source_line, 行号): never written 2,016 or 12,345."""
    return re.search(r"(^|_)(years?|line|batch_id)($|_)", name) is not None or name.endswith(("年度", "行号"))


def with_thousands(view: pd.DataFrame, names: Sequence[object], config: Mapping[str, Any] | None) -> dict[str, Any]:
    """`config` (keyed by the query's column names, `names`, in the order of the labelled `view`'s
    columns) with thousands separators for every number column the page did not configure whose values
    reach THOUSANDS_FROM (the grid writes 1222300 unless told); years and line numbers are left as they are."""
    import streamlit as st

    out = dict(config or {})
    for name, label in zip(map(str, names), view.columns, strict=True):
        if name in out or is_label_number(name) or is_label_number(str(label)):
            continue
        series = view[label]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            continue
        top = pd.to_numeric(series, errors="coerce").abs().max()
        if pd.notna(top) and top >= THOUSANDS_FROM:
            out[name] = st.column_config.NumberColumn(format="localized")
    return out


def column_label(name: str, lang: str) -> str:
    """A column's heading from the label table. A code name without a label (`no_measure`) raises in
    strict mode (the tests' labels.STRICT_ENV), as a missing label does: it reached a table heading."""
    for key in (f"col.{name}", f"field.{name}"):
        if key in LABELS:
            return t(key, lang)
    if os.environ.get(STRICT_ENV) == "1" and re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise MissingLabel(f"col.{name}")
    return name


def value_texts(column: str, lang: str) -> dict[str, str] | None:
    """The value → text mapping of a column's code values in `lang`, if the column has one: code
    columns in English (labels.codes_en), labelled codes (VALUE_LABELS) in every language."""
    if column in VALUE_LABELS:
        prefix = VALUE_LABELS[column] + "."
        return {k[len(prefix):]: t(k, lang) for k in LABELS if k.startswith(prefix)}
    if lang == "en" and column in CODE_COLUMNS:
        return codes_en.CODE_EN
    return None


def _cell(value: object, lang: str, texts: Mapping[str, str] | None) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):  # missing (NaN too)
        return ""
    if isinstance(value, bool):
        return t("common.yes", lang) if value else t("common.no", lang)
    if isinstance(value, (list, tuple)) or (hasattr(value, "tolist") and not isinstance(value, (str, bytes))):
        items = value.tolist() if hasattr(value, "tolist") else value
        return joined((texts.get(v, v) if texts else v for v in items), lang)
    if texts and isinstance(value, str):
        return code_text(value, lang, texts)
    return value


def code_text(value: str, lang: str, texts: Mapping[str, str]) -> str:
    """A code value's text; a cell of several values (`长期慢性病、残疾`, as stored lists are written)
    gives each value's text, joined the language's way."""
    if value in texts or STORED_SEP not in value:
        return texts.get(value, value)
    return joined((texts.get(v, v) for v in value.split(STORED_SEP)), lang)


def _labelled_column(col: pd.Series, lang: str, texts: Mapping[str, str] | None) -> pd.Series:
    """`_cell` of every value. Columns of plain text or plain booleans are done column-wise (a
    ledger of 160k items took 0.2 s per rerun cell by cell); anything else cell by cell."""
    kind = pd.api.types.infer_dtype(col, skipna=True)
    if kind in ("integer", "floating", "mixed-integer-float", "decimal"):
        # numbers with gaps (an object column of ints and None) stay numbers: a blank "" among them
        # turned the column into text (left-aligned, sorted as text); the grid shows MISSING instead
        return pd.to_numeric(col).convert_dtypes()  # numbers only here: no text to convert
    if kind in ("string", "empty"):
        text = col.astype(object).where(col.notna(), "")
        if texts:  # each distinct value once
            text = text.map({v: code_text(v, lang, texts) if v else v for v in pd.unique(text)})
        return text.astype(object)
    if kind == "boolean" and not col.isna().any():
        return col.map({True: t("common.yes", lang), False: t("common.no", lang)}).astype(object)
    return col.map(lambda v: _cell(v, lang, texts)).astype(object)


def labelled(df: pd.DataFrame, lang: str, codes: bool = True) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if col in RAW_ROW_COLUMNS:
            out[col] = out[col].map(lambda v: raw_row(v, lang))
        texts = value_texts(str(col), lang) if codes else None
        if out[col].dtype == object or pd.api.types.is_bool_dtype(out[col]) or texts:
            out[col] = _labelled_column(out[col], lang, texts)
    out.columns = [column_label(str(c), lang) for c in out.columns]
    return out


def show(
    key: str,
    df: pd.DataFrame,
    what: str,
    *,
    column_config: dict[str, Any] | None = None,
    height: int | str | None = None,
    hide_index: bool = True,
    on_select: Any = None,
    empty_hint: str | None = None,
    unfiltered: bool = False,
    follows: Filters | None = None,
) -> Any:
    """A labelled table with its download buttons (`unfiltered`, `follows`: see ui.extract.show)."""
    import streamlit as st

    from ui import empty, extract
    from ui.context import current

    ctx = current()
    if df.empty:
        empty.show(empty_hint)
        return labelled(df, ctx.lang)
    view, grid, config = _grid(df, ctx.lang, column_config, DEFAULT_LIMIT)
    if len(view) > grid.num_rows:
        st.caption(ctx.t("list.showing", n=grid.num_rows, total=len(view)))
    state = _frame(key, grid, config, height, hide_index, on_select)
    extract.show(key, view, what, unfiltered=unfiltered, follows=follows, percent=percent_labels(column_config, ctx.lang))
    return state if on_select is not None else view.copy(deep=False)  # the page's own: `view` is shared


def _grid(df: pd.DataFrame, lang: str, column_config: dict[str, Any] | None,
          limit: int | None) -> tuple[pd.DataFrame, pa.Table, dict[str, Any]]:
    """(`df` labelled, all of it: what the downloads hold; the grid's data: its first `limit` rows as
    the grid draws them, converted to Arrow as st.dataframe converts a frame; the grid's column config,
    keyed by shown column, every column sized).

    Kept across sessions by content (`_kept`): every leader who opens the same page and filter sends
    the same tables, and labelling, sizing and formatting them was ~15% of a page's server CPU under
    concurrent sessions (bench.sessions). The frames are shared: never changed in place."""
    key = _grid_key(df, lang, column_config, limit)
    if key is None:
        return _prepared(df, lang, column_config, limit)
    return _kept()(key, df, lang, column_config, limit)


def _prepared(df: pd.DataFrame, lang: str, column_config: dict[str, Any] | None,
              limit: int | None) -> tuple[pd.DataFrame, pa.Table, dict[str, Any]]:
    from streamlit import dataframe_util

    view = labelled(df, lang)
    shown = view.iloc[:limit] if limit is not None and len(view) > limit else view
    config = {column_label(k, lang): v for k, v in with_thousands(shown, list(df.columns), column_config).items()}
    # a missing text or date (a follow-up never recorded, a blank village) shows blank, not the grid's
    # "None": dates as ISO text first (`plain_dates`, as the extracts write them)
    grid = plain_dates(shown)
    text = [c for c in grid.columns if grid[c].dtype == object or isinstance(grid[c].dtype, pd.StringDtype)]
    if any(grid[c].hasnans for c in text):  # column by column: `grid[text]` copied the frame
        grid = grid.assign(**{c: grid[c].fillna("") for c in text})
    grid, config = _percent_points(grid, config)
    config = pinned_first(grid, sized(grid, neutral_bars(config)))
    # numbered 0..n-1 (the index is metadata only, as Streamlit writes a range index), and converted
    # once: Streamlit's conversion of the frame was another ~6% of a page's CPU
    return view, dataframe_util.convert_pandas_df_to_arrow_table(grid.reset_index(drop=True)), config


@functools.cache
def _kept() -> Callable[..., tuple[pd.DataFrame, pa.Table, dict[str, Any]]]:
    """`_prepared` kept by `_grid_key` in st.cache_resource (512 entries: a page's tables of one filter
    are 2-6, so a morning's filters of every page), which computes a key once when a burst of sessions
    asks for it at the same time. Made on first use: the briefing's HTML path imports this module
    without Streamlit."""
    import streamlit as st

    @st.cache_resource(max_entries=512, show_spinner=False)
    def kept(key: tuple[object, ...], _df: pd.DataFrame, _lang: str, _column_config: dict[str, Any] | None,
             _limit: int | None) -> tuple[pd.DataFrame, pa.Table, dict[str, Any]]:
        return _prepared(_df, _lang, _column_config, _limit)

    return kept


def _grid_key(df: pd.DataFrame, lang: str, column_config: Mapping[str, Any] | None,
              limit: int | None) -> tuple[object, ...] | None:
    """What `_grid` depends on: the frame (its pickle: every cell, column names, types and index;
    8x quicker than hashing the cells, and a frame equal in content but laid out otherwise only
    misses), the language, the page's column config and the row limit. None when the frame or the
    config cannot be serialised: such a table is prepared afresh."""
    try:
        frame = hashlib.blake2b(pickle.dumps(df, protocol=5), digest_size=16).hexdigest()
        config = json.dumps(column_config or {}, sort_keys=True, default=repr, ensure_ascii=False)
    except (TypeError, ValueError, pickle.PicklingError):
        return None
    return (frame, lang, config, limit)


def _frame(key: str, grid: pa.Table, config: dict[str, Any], height: int | str | None, hide_index: bool,
           on_select: Any) -> Any:
    import streamlit as st

    # MISSING is what an empty cell of any column shows (the grid writes "None" in a number column)
    kwargs: dict[str, Any] = {"hide_index": hide_index, "column_config": config, "key": key,
                              "placeholder": MISSING}
    if height is not None:
        # a page's fixed height is a cap: a short table is not padded with empty rows
        kwargs["height"] = capped_height(height, grid.num_rows)
    if on_select is not None:
        kwargs["on_select"] = on_select
        kwargs["selection_mode"] = "single-row"
    return st.dataframe(grid, **kwargs)


def show_list(
    key: str,
    page: pd.DataFrame,
    what: str,
    full: ListQuery,
    *,
    columns: Sequence[str] | None = None,
    view: pd.DataFrame | None = None,
    sources: Mapping[str, str] | None = None,
    mappings: Mapping[str, Mapping[str, str]] | None = None,
    column_config: dict[str, Any] | None = None,
    height: int | str | None = None,
    hide_index: bool = True,
    on_select: Any = None,
    empty_hint: str | None = None,
    caption: str = "list",
    caption_params: Mapping[str, object] | None = None,
    follows: Filters | None = None,
) -> Any:
    """A page of a list (with "showing n of N") and downloads of the full list, from SQL on click.
    `caption`: the label prefix of that line (`<caption>.all`, `<caption>.showing`), given `n`, `total`
    and `caption_params` (a list of records says how many households they hold). `follows`: see
    ui.extract.show."""
    import streamlit as st

    from ui import data, empty, extract
    from ui.context import current

    ctx = current()
    shown = view if view is not None else page[list(columns or [c for c in page.columns if c != "total"])]
    if page.empty:
        empty.show(empty_hint)
        return labelled(shown, ctx.lang)
    total = total_of(page)
    st.caption(ctx.t(f"{caption}.showing" if total > len(shown) else f"{caption}.all", n=len(shown), total=total,
                     **(caption_params or {})))
    labelled_view, grid, config = _grid(shown, ctx.lang, column_config, None)
    state = _frame(key, grid, config, height, hide_index, on_select)
    sources = dict(sources or {})
    texts: dict[str, dict[str, str]] = {}
    for col in shown.columns:
        src = sources.get(str(col), str(col))
        if mappings and str(col) in mappings:
            texts[src] = dict(mappings[str(col)])
        elif (own := value_texts(str(col), ctx.lang)) is not None:
            texts[src] = dict(own)
    table_sorted = bool(full.stored_table) and data.call(stored_sorted, full.stored_table)
    sql_view = extract.SqlView(
        sql=full.ranked(table_sorted) if full.rank else full.ordered(table_sorted), params=dict(full.params),
        columns=tuple((sources.get(str(c), str(c)), column_label(str(c), ctx.lang)) for c in shown.columns),
        mappings=texts, yes=ctx.t("common.yes"), no=ctx.t("common.no"), sep=ctx.t("list.sep"), rows=total,
        percent=tuple(sources.get(str(c), str(c)) for c, cfg in (column_config or {}).items() if is_percent(cfg)))
    extract.show_sql(key, sql_view, what, follows)
    return state if on_select is not None else labelled_view.copy(deep=False)  # shared: see _grid
