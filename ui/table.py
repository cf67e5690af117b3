"""Tables: query columns -> labelled view (Chinese headers, English option) + downloads.

- `labelled(df, lang, codes=True) -> DataFrame`: columns renamed through the label table (`col.<name>`
  in labels.ui_core, else `field.<name>` of labels.etl_text, else unchanged); code values translated
  when lang is English (columns in CODE_COLUMNS); list cells joined with `、`; booleans as 是/否.
- `show(key, df, what, *, column_config=None, height=None, hide_index=True, on_select=None)`: renders
  the labelled view with st.dataframe, then CSV + XLSX downloads of exactly that view; an empty frame
  gives the empty state instead. `column_config` keys are the original (query) column names.
  Returns the labelled DataFrame (or the selection state when `on_select` is given).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from labels import LABELS, code_label, t

CODE_COLUMNS = {
    "main_cause", "other_causes", "exit_status", "monitoring_type", "household_attribute", "category",
    "categories", "other_cause", "health", "labor_skill", "status", "visit_type", "band", "flag",
    "reason", "reasons", "education", "top_cause", "kind",
}


def column_label(name: str, lang: str) -> str:
    for key in (f"col.{name}", f"field.{name}"):
        if key in LABELS:
            return t(key, lang)
    return name


def _cell(value: object, lang: str, translate: bool) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("common.yes", lang) if value else t("common.no", lang)
    if isinstance(value, (list, tuple)) or (hasattr(value, "tolist") and not isinstance(value, (str, bytes))):
        items = value.tolist() if hasattr(value, "tolist") else value
        return "、".join(str(code_label(v, lang) if translate else v) for v in items)
    if translate and isinstance(value, str):
        return code_label(value, lang)
    return value


def labelled(df: pd.DataFrame, lang: str, codes: bool = True) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        translate = codes and lang == "en" and col in CODE_COLUMNS
        if out[col].dtype == object or pd.api.types.is_bool_dtype(out[col]) or translate:
            out[col] = out[col].map(lambda v, tr=translate: _cell(v, lang, tr)).astype(object)
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
) -> Any:
    import streamlit as st

    from ui import extract, header
    from ui.context import current

    ctx = current()
    if df.empty:
        header.empty(empty_hint)
        return labelled(df, ctx.lang)
    view = labelled(df, ctx.lang)
    config = {column_label(k, ctx.lang): v for k, v in (column_config or {}).items()}
    kwargs: dict[str, Any] = {"hide_index": hide_index, "column_config": config, "key": key}
    if height is not None:
        kwargs["height"] = height
    if on_select is not None:
        kwargs["on_select"] = on_select
        kwargs["selection_mode"] = "single-row"
    state = st.dataframe(view, **kwargs)
    extract.show(key, view, what)
    return state if on_select is not None else view
