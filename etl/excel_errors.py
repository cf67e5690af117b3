"""Excel error cells (#VALUE!, #DIV/0!, #N/A, #REF!, …) of an xlsx workbook, which calamine reads as
empty cells: a 金额 of `#VALUE!` would load as "no amount" with no issue, while the same text in a CSV
export is flagged `not_a_number`. `error_cells(path)` reads them from the sheets' XML so the reader can
put the text Excel shows back (etl.excel), and the row is judged as a CSV row would be.

A formula saved without the value it computes (a workbook written by a script and never opened in
Excel) is read as empty too: its text (`=D2*3`) is put back the same way, so a number column flags it
instead of loading "no figure" with no issue.

Most workbooks have neither: each sheet's XML is first scanned as bytes for an error-typed cell
(`t="e"`) or a formula closed without a value, and parsed only when it has one.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ERRORS = (b't="e"', b"t='e'")  # an error-typed cell, as Excel and other writers quote it
# A formula with no value after it (openpyxl writes `<v />`, others `<v/>`, `<v></v>` or nothing); looked
# for only in chunks holding a formula, since exports from the registration system hold none.
_UNCACHED = (b"</f><v />", b"</f><v/>", b"</f><v></v>", b"</f></c>")
_WINDOW = max(len(m) for m in _ERRORS + _UNCACHED)
_REF = re.compile(r"([A-Z]+)(\d+)")
_CHUNK = 1 << 20

Cells = dict[tuple[int, int], str]  # (row, column), 0-based as calamine counts them -> the shown text


def error_cells(path: Path) -> dict[str, Cells]:
    """Sheet name -> its error cells and formulas without a value; {} when the file is no xlsx package
    or has none."""
    try:
        with zipfile.ZipFile(path) as package:
            out: dict[str, Cells] = {}
            for name, member in _sheet_parts(package).items():
                if _has_mark(package, member):
                    cells = _parse(package, member)
                    if cells:
                        out[name] = cells
            return out
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return {}  # calamine read the file; only the error texts are not restored


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the package member holding its XML (xl/workbook.xml through its relationships)."""
    book = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    out = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        if target:
            member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            out[sheet.get("name", "")] = member
    return out


def _has_mark(package: zipfile.ZipFile, member: str) -> bool:
    """Whether the sheet's XML has an error-typed cell or an uncached formula: plain byte search, since a
    regular expression over a 150k-row sheet's 131 MiB took 1.3-1.6 s of its 5-7 s read, the search 0.3 s."""
    tail = b""
    with package.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk[:_WINDOW] if tail else b""  # a mark cut by the chunk boundary
            if any(m in chunk or m in window for m in _ERRORS):
                return True
            if (b"</f>" in chunk or b"</f>" in window) and any(m in chunk or m in window for m in _UNCACHED):
                return True
            tail = chunk[-_WINDOW:]
    return False


def _parse(package: zipfile.ZipFile, member: str) -> Cells:
    cells: Cells = {}
    with package.open(member) as stream:
        for _event, element in ElementTree.iterparse(stream):
            if element.tag != f"{_MAIN}c":
                continue
            ref = _REF.fullmatch(element.get("r", ""))
            value = element.find(f"{_MAIN}v")
            formula = element.find(f"{_MAIN}f")
            if ref is None:
                pass
            elif element.get("t") == "e":
                cells[(int(ref.group(2)) - 1, _column(ref.group(1)))] = (
                    value.text if value is not None and value.text else "#N/A")
            elif formula is not None and (value is None or not value.text) and element.get("t", "n") == "n":
                # (t="str" with an empty value is a formula whose computed text is empty: Excel shows "")
                cells[(int(ref.group(2)) - 1, _column(ref.group(1)))] = "=" + (formula.text or "")
            element.clear()
    return cells


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - ord("A") + 1
    return n - 1


def restored(rows: list[list[object]], cells: Cells) -> list[list[object]]:
    """`rows` (calamine's, from A1) with those cells' texts in place of their empty values."""
    for (r, c), text in cells.items():
        if r < len(rows):
            row = rows[r]
            if c >= len(row):
                row.extend([""] * (c + 1 - len(row)))
            if row[c] in ("", None):
                row[c] = text
    return rows
