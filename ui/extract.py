"""Extracts (data-spec §6): exactly the view on screen as CSV (UTF-8 with BOM) and XLSX.

Pure functions (testable without a browser):
- `neutralise(df) -> DataFrame`: text cells starting with = + - @ tab or CR get a leading `'`.
- `csv_bytes(df) -> bytes`: UTF-8 with BOM, headers as given (the labelled, Chinese view), neutralised.
- `xlsx_bytes(df, sheet) -> bytes`: xlsxwriter, strings never turned into formulas or links.
- `file_name(what, flt, as_of, ext) -> str`: e.g. `致贫原因_乌加河镇_2020-06-30.csv`.
Component: `show(key, df, what)` renders both download buttons (context from `ui.context.current()`).
Personal data is masked in SQL before it reaches a DataFrame, so screen and extract are identical.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd

from queries.filters import Filters

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_BAD_FILENAME_CHARS = re.compile(r'[\\/:*?"<>|\s]+')


def _flatten(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # numpy arrays from DuckDB lists
        return "、".join(str(v) for v in value.tolist())
    return value


def _neutralise_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def flatten(df: pd.DataFrame) -> pd.DataFrame:
    """List-valued cells (other causes, categories) as `、`-joined text."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(_flatten)
    return out


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    out = flatten(df)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_neutralise_cell).astype(object)
    out.columns = [str(_neutralise_cell(str(c))) for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    return neutralise(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def xlsx_bytes(df: pd.DataFrame, sheet: str = "Sheet1") -> bytes:
    buf = io.BytesIO()
    sheet = (_BAD_FILENAME_CHARS.sub("_", sheet) or "Sheet1")[:31].replace("[", "(").replace("]", ")")
    with pd.ExcelWriter(
        buf,
        engine="xlsxwriter",
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False}},
    ) as writer:
        flat = flatten(df)
        flat.to_excel(writer, index=False, sheet_name=sheet)
        ws = writer.sheets[sheet]
        for i, col in enumerate(flat.columns):
            width = max([len(str(col))] + [len(str(v)) for v in flat[col].head(200)]) + 2
            ws.set_column(i, i, min(max(width * 1.6, 8), 50))
        ws.freeze_panes(1, 0)
    return buf.getvalue()


def _summary(values: tuple[str, ...], many: str) -> str:
    if len(values) <= 2:
        return "、".join(values)
    return f"{values[0]}等{len(values)}{many}"


def filter_slug(flt: Filters) -> str:
    """A short description of the filter for file names (全旗 when nothing is chosen)."""
    parts: list[str] = []
    if flt.villages:
        parts.append(_summary(flt.villages, "村"))
    elif flt.townships:
        parts.append(_summary(flt.townships, "个乡镇"))
    for values in (flt.main_causes, flt.household_attributes, flt.exit_statuses, flt.monitoring_types):
        if values:
            parts.append(_summary(values, "类"))
    if flt.identified_years:
        parts.append(f"识别{flt.identified_years[0]}-{flt.identified_years[1]}")
    if flt.exit_years:
        parts.append(f"脱贫{flt.exit_years[0]}-{flt.exit_years[1]}")
    return "_".join(parts) or "全旗"


def file_name(what: str, flt: Filters, as_of: dt.date, ext: str) -> str:
    stem = "_".join([what, filter_slug(flt), as_of.isoformat()])
    stem = _BAD_FILENAME_CHARS.sub("_", stem).strip("_.")[:150]
    return f"{stem}.{ext}"


def show(key: str, df: pd.DataFrame, what: str) -> None:
    """CSV + XLSX download buttons for exactly this (labelled) view (files built on click)."""
    import streamlit as st

    from ui.context import current

    ctx = current()
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        ctx.t("extract.csv"), lambda: csv_bytes(df), file_name=file_name(what, ctx.flt, ctx.as_of, "csv"),
        mime="text/csv", key=f"{key}_csv", on_click="ignore", icon=":material/download:",
    )
    row.download_button(
        ctx.t("extract.xlsx"), lambda: xlsx_bytes(df, what),
        file_name=file_name(what, ctx.flt, ctx.as_of, "xlsx"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", on_click="ignore", icon=":material/table_view:",
    )
