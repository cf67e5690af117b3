"""Figures as a user reads them (pure: no Streamlit, so the briefing's HTML path can use it too)."""

from __future__ import annotations

import json
import math
import re

import pandas as pd

from labels import LABELS, t

STORED_SEP = "、"  # between the values of a cell the queries join as stored (array_to_string(health, '、'))


def pct(x: object) -> str:
    """A share as 92.0%, or — when there is none; never a false 100% or 0% (`share_label`), as the charts
    write it: a tile said 100.0% of 3,999 households exited of 4,000 beside a chart's 99.9%."""
    return "—" if x is None or pd.isna(x) else share_label(float(x), 1)  # type: ignore[arg-type]


def line_pct(line: float) -> str:
    """A line (a veto line, an allowed share) as typed: 2%, 2.5%, 90.5%, with the fewest decimals that
    write it exactly (0.028999999999999998, a 2.9 typed, is 2.9%). At no decimals 2.5% was written 2% and
    90.5% 90%, so the figures table and its download gave a line other than the one judged against; the
    briefing wrote 2.0% where the pages write 2%."""
    for digits in (0, 1, 2):
        text = f"{line:.{digits}%}"
        if abs(float(text[:-1]) / 100 - line) < 1e-9:
            return text
    return f"{line:.2%}"


OFF_LINE = 1e-12  # a share this close to its line is at it (etl.inspection_rules.AT_LINE)


def pct_beside(x: object, line: float, above_fails: bool = True, digits: int = 1, most: int = 4) -> str:
    """A share judged against `line` (at most it when `above_fails`, as an allowed 2% of wrong exits; at
    least it otherwise, as 群众认可度's 90%): as `pct`, but a share on the failing side is never written as
    the line, so with more decimals (up to `most`) where `digits` would round it onto it. 1 wrong exit of
    49 exited households read "超过 2.0% 的：一村（2.0%）", and a 错退率 of 41 in 2,040 people "2.0%，高于2.0%的
    否决线": they are 2.04% and 2.01%. A share within the line may read as the line (it is allowed)."""
    if x is None or pd.isna(x):  # type: ignore[arg-type]
        return "—"
    value = float(x)  # type: ignore[arg-type]
    fails = value > line + OFF_LINE if above_fails else value < line - OFF_LINE
    d = digits
    if not fails:
        return share_label(value, digits)
    while d < most and f"{value:.{d}%}" == f"{line:.{d}%}":
        d += 1
    return f"{value:.{d}%}"


def share_label(x: float, digits: int = 1) -> str:
    """A share as a chart writes it, never rounded to a false 100% or 0%: 99.5% at 0 decimals is 99%
    (参保率 99.5% read as 100% hid a gap), 0.02% at 1 decimal is <0.1%."""
    text = f"{x:.{digits}%}"
    if 0 < x < 1 and text == f"{1:.{digits}%}":
        return f"{math.floor(x * 10 ** (digits + 2)) / 10 ** (digits + 2):.{digits}%}"
    if 0 < x and text == f"{0:.{digits}%}":
        return f"<{10 ** -(digits + 2):.{digits}%}"
    return text


# a share's cell in a table or a download: two decimals, more where two write a false 100% or 0%
SHARE_CELL_DECIMALS, SHARE_CELL_MOST = 2, 6
# the shares two decimals write truly whatever their rounding (0.01%–99.99%, and 0 and 1 and beyond):
# most cells, decided by two comparisons instead of formatting the share (5× the cost of writing it)
_TRUE_LOW = 10 ** -(SHARE_CELL_DECIMALS + 2)
_TRUE_HIGH = 1 - _TRUE_LOW


def _written_true(x: float) -> bool:
    return x <= 0 or x >= 1 or _TRUE_LOW <= x <= _TRUE_HIGH


def _false_bound(x: float, digits: int) -> bool:
    text = f"{x:.{digits}%}"
    return (0 < x < 1 and text == f"{1:.{digits}%}") or (0 < x and text == f"{0:.{digits}%}")


def share_decimals(x: float) -> int:
    """The decimals a share's cell needs (`SHARE_CELL_DECIMALS`, more up to `SHARE_CELL_MOST`) so that it
    is not written as a false 100% or 0%, as a tile never is (`share_label`): 0.99996 is 99.996%, not
    100.00%; 0.00004 is 0.004%. The downloads write it so (CSV text, Excel's cell format)."""
    d = SHARE_CELL_DECIMALS
    if _written_true(x):
        return d
    while d < SHARE_CELL_MOST and _false_bound(x, d):
        d += 1
    return d


def share_cell_sql(expr: str) -> str:
    """SQL twin of `share_decimals` writing the cell's text (`94.12%`) of the share `expr`; the common
    shares (`_written_true`) take the first branch."""
    p = f"({expr}) * 100"
    branches = " ".join(
        f"WHEN NOT (({expr}) > 0 AND ((({expr}) < 1 AND printf('%.{d}f', {p}) = '100.{'0' * d}') "
        f"OR printf('%.{d}f', {p}) = '0.{'0' * d}')) THEN printf('%.{d}f%%', {p})"
        for d in range(SHARE_CELL_DECIMALS, SHARE_CELL_MOST))
    return (f"CASE WHEN ({expr}) <= 0 OR ({expr}) >= 1 OR ({expr}) BETWEEN {_TRUE_LOW!r} AND {_TRUE_HIGH!r} "
            f"THEN printf('%.{SHARE_CELL_DECIMALS}f%%', {p}) {branches} "
            f"ELSE printf('%.{SHARE_CELL_MOST}f%%', {p}) END")


def share_points_cell(x: float) -> float:
    """A share in percentage points for the grid, whose format writes two decimals in every row: a share
    that would write as a false 100.00% or 0.00% is 99.99 or 0.01 (the nearest the format can say)."""
    if pd.isna(x) or _written_true(x) or not _false_bound(x, SHARE_CELL_DECIMALS):  # no figure, or written true
        return x * 100
    return 99.99 if x > 0.5 else 0.01


def pp(diff: float, lang: str) -> str:
    """A difference of two shares in percentage points: +1.2个百分点 / +1.2 pp."""
    return t("fmt.pp", lang, v=f"{diff * 100:+.1f}")


def compact_count(n: object, lang: str) -> str:
    """A count for a KPI tile: exact below a million, else in the language's large unit (3134万,
    1.32亿 / 31.3M, 1.32B), so a national figure fits a tile of six."""
    if n is None or pd.isna(n):
        return "—"
    v = int(n)  # type: ignore[call-overload]
    if abs(v) < 1_000_000:
        return f"{v:,}"
    if abs(v) >= (1e9 if lang == "en" else 1e8):
        return t("num.huge", lang, yi=f"{v / 1e8:.2f}", billion=f"{v / 1e9:.2f}")
    return t("num.large", lang, wan=f"{v / 1e4:.0f}", million=f"{v / 1e6:.1f}")


def with_unit(shown: str, unit: str | None, lang: str) -> str:
    """A tile's number as written with its unit (`unit.<unit>`: 600户 in Chinese, 600 in English); a
    share (no unit) and "—" as they are."""
    return shown if unit is None or shown == "—" else t(f"unit.{unit}", lang, n=shown)


def joined(values: object, lang: str) -> str:
    """Several values in one text, with the language's separator (`list.sep`: 、 or ", ")."""
    return t("list.sep", lang).join(str(v) for v in values)  # type: ignore[attr-defined]


def plain_dates(df: pd.DataFrame) -> pd.DataFrame:
    """Date columns (datetime64 from DuckDB DATE) as ISO text (2020-06-27, not a time), so a column
    holds one type (text, missing = None) and Arrow never falls back on a mix of dates and blanks; the
    SQL extracts write DATE columns the same way."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            s = out[col]
            if (s.dropna().dt.normalize() == s.dropna()).all():
                out[col] = s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna(), None)
    return out


def raw_row(raw: object, lang: str) -> object:
    """A rejected row's raw values (stored as a JSON object keyed by the loader's field names) as a
    reader reads them: `户编号：…；姓名：…` with the file's column labels in `lang`, every value that
    the row held, in the file's order. Fields the row left empty are left out (they are all the
    kind's columns, mostly absent from the file; the rule and field columns say what was missing).
    Anything else (an undecodable line's text) is shown as stored."""
    if not isinstance(raw, str) or not raw.startswith("{"):
        return raw
    try:
        row = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(row, dict):
        return raw
    pairs = [t("raw.pair", lang, label=t(f"field.{k}", lang) if f"field.{k}" in LABELS else k,
               value=v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
             for k, v in row.items() if v is not None and v != ""]
    return t("raw.sep", lang).join(pairs)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


SHOWN_CHARS = 60  # a value quoted back to the user (a mistyped address, a link's filter value) is cut here


def shortened(text: str, limit: int = SHOWN_CHARS) -> str:
    """`text`, cut to `limit` characters with an ellipsis when longer."""
    return text if len(text) <= limit else text[:limit] + "…"


def md_escape(text: str) -> str:
    """Backslash-escape every character Streamlit's Markdown gives a meaning to."""
    return _MD_SPECIAL.sub(r"\\\1", text)
