"""Spreadsheet tables: every sheet of a workbook (xlsx, xlsm, Excel 97-2003 .xls, read by calamine) whose
header row is recognised, with group-title rows, headers merged down over two rows and cells merged
down a household's rows undone. The same sheet reader serves HTML tables (etl.html_tables). Cells
become the text a user sees (`cell_text`): IDs never turn into floats."""

from __future__ import annotations

import csv
import functools
import io
import math
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import python_calamine as calamine

from etl import headers
from etl.csv_blocks import escape_bytes
from etl.excel_errors import Cells, error_cells, restored
from etl.fields import NAME_FIELDS
from etl.raw_file import HEADER_SCAN_ROWS, Book, RawFile, ReadError, file_sha256, missing_error
from etl.raw_rows import finish_rows, ordinal_index, table_has_controls, unwrapped


def read_excel(path: Path, fmt: str = "xlsx") -> Book:
    """Every sheet of a workbook; `fmt` is what `load_batches.encoding` records ('xls' for Excel 97-2003:
    the reader knows it from the magic bytes it sniffed)."""
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise ReadError("encrypted", path) from None
    except Exception as exc:  # calamine raises several error types for damaged files
        workbook = _by_content(path)
        if workbook is None:
            other = other_office_document(path)
            if other is not None:  # a Word or PowerPoint file renamed .xlsx: say what it is
                raise ReadError("other_office", path, what=other) from None
            raise ReadError("corrupt_xlsx", path, reason=type(exc).__name__) from None
    with workbook:
        try:
            return read_sheets(path, _workbook_sheets(workbook, error_cells(path), fmt), fmt)
        except ReadError:
            raise
        except calamine.PasswordError:
            raise ReadError("encrypted", path) from None
        except Exception as exc:
            raise ReadError("corrupt_xlsx", path, reason=type(exc).__name__) from None


def _by_content(path: Path) -> calamine.CalamineWorkbook | None:
    """The workbook read by its bytes, not its suffix, which calamine's `from_path` goes by: an xlsx that
    a system named .xls (Excel opens it after a warning) was refused as damaged. None: no workbook."""
    try:
        with open(path, "rb") as f:
            return calamine.CalamineWorkbook.from_filelike(f)
    except Exception:  # noqa: BLE001 - damaged, or no workbook at all: the caller says which
        return None


def other_office_document(path: Path) -> str | None:
    """'word' or 'powerpoint' when `path` is an Office package of that kind (a .docx or .pptx whose name
    was changed to .xlsx), else None."""
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, OSError):
        return None
    for prefix, kind in (("word/", "word"), ("ppt/", "powerpoint")):
        if any(n.startswith(prefix) for n in names) and not any(n.startswith("xl/") for n in names):
            return kind
    return None


Merged = Sequence[tuple[tuple[int, int], tuple[int, int]]]  # ((first row, col), (last row, col)), 0-based


@dataclass
class Sheet:
    """One table of a workbook or an HTML file: its first rows (to find the header), then all of them."""

    name: str
    head: Callable[[], list[list[object]]]  # at least the first HEADER_SCAN_ROWS rows
    rows: Callable[[], list[list[object]]]
    merged: Callable[[], Merged]
    hidden: bool = False
    # an HTML page's codec when some of its bytes did not decode: they are kept as surrogate escapes
    # (etl.html_tables), their rows rejected
    undecoded: str | None = None
    # the row number of the table's first row: 1, or where an HTML page's later table starts
    first_line: int = 1
    # filled to the last row its format holds (`SHEET_ROWS`): the export may go on in the next sheet
    full: bool = False


# Rows a worksheet holds: an export longer than that goes on in the next sheet
SHEET_ROWS = {"xls": 65_536, "xlsx": 1_048_576}


def _workbook_sheets(workbook: calamine.CalamineWorkbook, errors: dict[str, Cells], fmt: str) -> list[Sheet]:
    """The workbook's worksheets; `errors` (etl.excel_errors) puts back the error cells calamine empties."""
    limit = SHEET_ROWS["xls" if fmt == "xls" else "xlsx"]
    sheets = []
    for index, meta in enumerate(workbook.sheets_metadata):
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            continue
        sheet = workbook.get_sheet_by_index(index)
        cells = errors.get(meta.name, {})
        sheets.append(Sheet(
            name=meta.name,
            head=lambda sheet=sheet, cells=cells: restored(
                sheet.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS), cells, HEADER_SCAN_ROWS),
            rows=lambda sheet=sheet, cells=cells: restored(sheet.to_python(skip_empty_area=False), cells),
            merged=lambda sheet=sheet: sheet.merged_cell_ranges or [],
            hidden=meta.visible != calamine.SheetVisibleEnum.Visible,
            full=sheet.end is not None and sheet.end[0] + 1 >= limit,  # its last row's number
        ))
    return join_continued(sheets)


def join_continued(sheets: list[Sheet]) -> list[Sheet]:
    """A sheet filled to its last row and the next sheet, which repeats its header or has none, are one
    table: an Excel 97-2003 export of more than 65,536 rows goes on in Sheet2, and read apart, a household
    whose members ran over the break had the whole file refused as split across sheets. Rows are
    numbered on through the sheets (the second's first row is 65,537); a repeated header is skipped as a
    paged export's is."""
    out: list[Sheet] = []
    for sheet in sheets:
        if out and out[-1].full and first_header(sheet.head()) in (None, first_header(out[-1].head())):
            sheet = _joined(out.pop(), sheet)
        out.append(sheet)
    return out


def _joined(above: Sheet, below: Sheet) -> Sheet:
    rows_above = functools.cache(above.rows)  # read once: merged() needs their count

    def merged() -> Merged:
        return [*above.merged(), *shifted(below.merged(), len(rows_above()))]

    return Sheet(name=f"{above.name}–{below.name}", head=above.head, rows=lambda: rows_above() + below.rows(),
                 merged=merged, hidden=above.hidden and below.hidden, undecoded=above.undecoded,
                 first_line=above.first_line, full=below.full)


def shifted(merged: Merged, rows: int) -> Merged:
    """A table's merged ranges, `rows` rows further down (below the rows of a table it is joined to)."""
    return [((r0 + rows, c0), (r1 + rows, c1)) for (r0, c0), (r1, c1) in merged]


def first_header(rows: list[list[object]]) -> list[str] | None:
    """The first header row of a table's first rows, cleaned (trailing blanks dropped), else None."""
    for row in rows[:HEADER_SCAN_ROWS]:
        if is_header(row):
            cells = [headers.clean_header(unwrapped(cell_text(c))) for c in row]
            while cells and not cells[-1]:
                cells.pop()
            return cells
    return None


def is_header(row: list[object]) -> bool:
    return headers.recognize([unwrapped(cell_text(c)) for c in row]) is not None


def read_sheets(path: Path, sheets: list[Sheet], encoding: str) -> Book:
    """Every sheet whose header is recognised, in workbook order, hidden ones too (data-spec §1.3: "every
    sheet whose header is recognised is loaded"; a township's sheet hidden in Excel is still its data).
    A hidden sheet without one (usually a code list) is listed as skipped for being hidden. Raises the
    first sheet's reason when none has a header."""
    parts: list[RawFile] = []
    skipped: list[tuple[str, str]] = []
    errors: list[ReadError] = []
    for sheet in sheets:
        try:
            parts.append(_read_sheet(path, sheet, encoding))
        except ReadError as exc:
            skipped.append((sheet.name, "hidden" if sheet.hidden else exc.code))
            errors.append(exc)
    if parts:
        return Book(parts, skipped)
    # No sheet loads: say why, most specific first (a header that did not decode, one lacking columns,
    # one of unknown kind).
    for code in ("merged_overlap", "undecodable", "missing_required", "unknown_kind"):
        for exc in errors:
            if exc.code == code:
                raise exc
    # every sheet said no header: name them (a workbook of notes sheets only, 填表说明 and 代码说明)
    raise ReadError("no_header", path, rows=HEADER_SCAN_ROWS, sheets=[s.name for s in sheets])


def _read_sheet(path: Path, sheet: Sheet, encoding: str) -> RawFile:
    head = sheet.head()[:HEADER_SCAN_ROWS]
    if sheet.undecoded:  # the header's texts are stored: their undecodable bytes as U+FFFD, as a CSV's
        head = [[_bytes_of(c, sheet.undecoded).decode(sheet.undecoded, "replace") if isinstance(c, str) else c
                 for c in row] for row in head]
    merged = sheet.merged()
    _refuse_overlapping(path, sheet.name, head, merged)
    r, cells, match = _find_sheet_header(path, head, merged, sheet.first_line)
    rows = sheet.rows()
    _refuse_overlapping(path, sheet.name, rows, merged)
    return _sheet_to_raw(path, sheet.name, rows, r, cells, match, merged, encoding, sheet.undecoded,
                         sheet.first_line)


def _refuse_overlapping(path: Path, sheet: str, rows: list[list[object]], merged: Merged) -> None:
    """Merged ranges that overlap (Excel refuses them as damage) are refused before they are filled down:
    each range's rows are written one by one, so a 5 KB sheet of 50,000 copies of A3:A10000 took 15 s of
    the server's CPU (and more copies, minutes). Ranges that do not overlap write each cell once at most:
    no more than the grid's cells."""
    width = max(map(len, rows), default=0)
    work = sum(max(0, min(r1, len(rows) - 1) - r0) for (r0, _c0), (r1, _c1) in merged if r0 < len(rows))
    if work > len(rows) * width:
        raise ReadError("merged_overlap", path, sheet=sheet)


def is_escaped_byte(ch: str) -> bool:
    """A byte that did not decode, as `errors="surrogateescape"` keeps it."""
    return "\udc80" <= ch <= "\udcff"


def _bytes_of(text: str, codec: str) -> bytes:
    """A text of a page read with `errors="surrogateescape"` as the page's bytes again."""
    return text.encode(codec, "surrogateescape")


def _find_sheet_header(
    path: Path, head: list[list[object]], merged: Merged, first_line: int = 1
) -> tuple[int, list[str | None], headers.HeaderMatch]:
    """The header row of a sheet: (row index, its cells, match).

    Above the header there may be title rows and a row of group titles (基本信息, 收入情况 merged across
    the real headers below them). Exporters then often merge a header down over both rows (户编号 in
    the group row, spanning the header row): such a label counts for the lower row too. When the row
    after a recognised one maps more columns that way, it is the header (a two-row header)."""
    filled = _fill_down(head, merged)
    unknown_line = 0
    for r, row in enumerate(filled):
        match = headers.recognize(row)
        two_rows = headers.with_row_below(row, filled[r + 1], match) if r + 1 < len(filled) else None
        if match is None and two_rows is None:
            if not unknown_line and headers.known_header_count(row) >= headers.MIN_KNOWN_HEADERS:
                unknown_line = r + first_line
            continue
        if two_rows is not None:
            r, (row, match) = r + 1, two_rows
        if r:
            row, match = headers.with_group_titles(row, _titles_above(filled[r - 1], merged, r - 1), match)
        missing = headers.missing_required(match.kind, match.columns)
        if missing:
            raise missing_error(path, match.kind, missing, r + first_line, row)
        return r, row, match
    if unknown_line:
        raise ReadError("unknown_kind", path, line=unknown_line)
    raise ReadError("no_header", path, rows=HEADER_SCAN_ROWS)


def _titles_above(row: list[str | None], merged: Merged, r: int) -> list[object]:
    """Row `r` (above the header) with each group title spread over the columns its merge spans; in a row
    without merges, up to the next title (`headers.spread_titles`)."""
    spans = [(c0, c1) for (r0, c0), (r1, c1) in merged if r0 <= r <= r1 and c1 > c0 and c0 < len(row)]
    if not spans:
        return headers.spread_titles(row)
    out: list[object] = list(row)
    for c0, c1 in spans:
        for c in range(c0 + 1, min(c1, len(out) - 1) + 1):
            out[c] = out[c] or out[c0]
    return out


def _fill_down(head: list[list[object]], merged: Merged) -> list[list[str | None]]:
    """The rows as text, a label merged down over several rows repeated in its column below."""
    rows = [[unwrapped(cell_text(c)) for c in row] for row in head]
    for (r0, c0), (r1, _c1) in merged:
        if r1 <= r0 or r0 >= len(rows) or c0 >= len(rows[r0]) or not rows[r0][c0]:
            continue
        for r in range(r0 + 1, min(r1, len(rows) - 1) + 1):
            if c0 < len(rows[r]) and not rows[r][c0]:
                rows[r][c0] = rows[r0][c0]
    return rows


def _sheet_to_raw(
    path: Path,
    sheet_name: str,
    rows: list[list[object]],
    h: int,
    header_cells: list[str | None],
    match: headers.HeaderMatch,
    merged: Merged,
    encoding: str = "xlsx",
    undecoded: str | None = None,
    first_line: int = 1,
) -> RawFile:
    width = max((i + 1 for i, c in enumerate(header_cells) if c), default=0)
    # Exporters merge township/village/household cells down a household's rows: fill the range's
    # first column down with its top-left value (only ranges starting below the header). Never across:
    # a village's title merged across the row between its households is a title row, not a household
    # whose every field is the village's name.
    contract = set(match.columns.values())
    for (r0, c0), (r1, c1) in merged:
        if r0 <= h or r0 >= len(rows) or c0 >= width:
            continue
        if _title_across(rows[r0], c0, c1, contract):
            rows[r0] = []
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0 + 1, min(r1, len(rows) - 1) + 1):
            if c0 < len(rows[r]):
                rows[r][c0] = value
    data = rows[h + 1:]
    lines = np.arange(first_line + h + 1, first_line + h + 1 + len(data), dtype=np.int64)
    undecodable: list[tuple[int, str]] = []
    if undecoded:  # rows holding a byte that did not decode are rejected whole, as a CSV's are
        bad = [any(isinstance(c, str) and any(map(is_escaped_byte, c)) for c in row) for row in data]
        undecodable = [(int(line), _undecodable_text(row, undecoded))
                       for line, row, b in zip(lines, data, bad, strict=True) if b]
        data = [row for row, b in zip(data, bad, strict=True) if not b]
        lines = lines[~np.array(bad, dtype=bool)] if bad else lines
    columns = {
        j: pa.array([cell_text(row[j]) if j < len(row) else None for row in data], pa.string())
        for j in range(width)
    }
    mapped = sorted(match.columns.items(), key=lambda kv: kv[1])
    table, dropped = finish_rows(columns, lines, mapped, ordinal_index(header_cells))
    return RawFile(
        path=path, kind=match.kind, encoding=encoding, header_line=first_line + h, first_line=first_line,
        columns={c: str(header_cells[i]).strip() for c, i in mapped},
        ignored_columns=match.ignored, table=table, rows_read=h + len(data) + len(undecodable),
        skipped=h + dropped, malformed=[], sha256=file_sha256(path), sheet=sheet_name,
        controls=table_has_controls(table), undecodable=undecodable,
        name_cells={c: i for c, i in mapped if c in NAME_FIELDS},
    )


def _undecodable_text(row: list[object], codec: str) -> str:
    """A rejected row for a person to read: its cells comma-separated (split again to mask its names),
    each byte that did not decode as \\xNN, as a CSV row's (etl.csv_blocks.escape_bytes)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(escape_bytes(_bytes_of(cell_text(c) or "", codec), codec)
                                                for c in row)
    return out.getvalue()


def _title_across(row: list[object], c0: int, c1: int, contract: set[int]) -> bool:
    """A row whose only value is merged across two contract columns or more is a title (a village's
    name above its households), whatever column it starts in: no record holds one value in several
    fields. Emptied, it is skipped and counted as a blank row; in a key column alone it was rejected."""
    if len(contract.intersection(range(c0, c1 + 1))) < 2:
        return False
    return all(cell_text(v) is None for j, v in enumerate(row) if j != c0)


def cell_text(value: object) -> str | None:
    """An Excel cell as the text a user sees; None when empty.

    Integral floats become integers (IDs, 户编号). Floats of 1e15 and more may have lost digits in
    Excel, which keeps 15 significant ones: they are shown as Excel shows them (`1.50824E+17`) for the
    validator to flag, unless they are whole, exact in a float (< 2**53) and end in a digit other than 0,
    which Excel cannot have cut: a 16-digit 户编号 an export tool wrote as a number.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if abs(value) >= 1e15:
            exact = value.is_integer() and abs(value) < 2**53 and int(value) % 10 != 0
            return str(int(value)) if exact else excel_general(value)
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip() or None


def excel_general(value: float) -> str:
    """A large number as Excel's General format shows it in a default-width cell: 1.50824E+17."""
    mantissa, exponent = f"{value:.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E{exponent[0]}{int(exponent[1:]):02d}"
