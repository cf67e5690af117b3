"""Excel error cells (#VALUE!, #DIV/0!, #N/A, #REF!, …) of an xlsx or Excel 97-2003 workbook, which calamine reads as
empty cells: a 金额 of `#VALUE!` would load as "no amount" with no issue, while the same text in a CSV
export is flagged `not_a_number`. `error_cells(path)` reads them from the sheets' XML so the reader can
put the text Excel shows back (etl.excel), and the row is judged as a CSV row would be.

A formula saved without the value it computes (a workbook written by a script and never opened in
Excel) is read as empty too: its text (`=D2*3`) is put back the same way, so a number column flags it
instead of loading "no figure" with no issue. A formula that is a text alone (`="户编号"`, a web export's
wrapper saved as a formula by a script) shows that text whatever value was saved with it: xlsxwriter, which
pandas writes with, saves 0 for every formula, and such a sheet read as zeros (no header).

A workbook that asks to be recalculated on opening (`fullCalcOnLoad`: xlsxwriter and openpyxl write it)
holds no computed values a reader can trust: xlsxwriter saves 0 for every formula, so `=1200*2` in a
金额(元) loaded as 0 yuan with no issue. There a numeric formula saved as 0 is put back as its text too
(`=1200*2`, flagged by a number column), and a formula that is a number alone (`=2400`) as that number.
A value other than 0 saved with a formula was computed and is kept (a script can save one), and
workbooks Excel saved (no `fullCalcOnLoad`) keep theirs.

A whole number shown through a zero-padding number format (`000000`: Excel shows 12 as 000012, a
户编号 or 人编号 kept so) is put back as the digits shown; calamine reads the number alone, and 000012 loaded
as 12, another household's number. Only styles of such a format are looked for (`_padded_styles`).

Most workbooks have none of these: each sheet's XML is first scanned as bytes for an error-typed cell
(`t="e"`) or a formula closed without a value, and parsed only when it has one. An Excel 97-2003 (BIFF8)
file's error cells (a formula's cached error, or an error constant) are found the same way in its
Workbook stream (`_biff_error_cells`); its formulas always carry a value when Excel saved them.
"""

from __future__ import annotations

import re
import struct
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
_REF = re.compile(r"([A-Z]+)(\d+)")
_TEXT_ALONE = b'<f>"'  # a formula that starts with a text (looked for where a formula is), then `_TEXT_FORMULA`
_TEXT_FORMULA = re.compile(r'"((?:[^"]|"")*)"')
_ZERO_SAVED = (b"</f><v>0</v>",)  # a formula saved as 0: untrusted in a workbook recalculated on opening
_RECALC = re.compile(rb'<calcPr\b[^>]*\bfullCalcOnLoad="(?:1|true)"')
_NUMBER_FORMULA = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_CHUNK = 1 << 20

Cells = dict[tuple[int, int], str]  # (row, column), 0-based as calamine counts them -> the shown text


def error_cells(path: Path) -> dict[str, Cells]:
    """Sheet name -> its error cells and formulas without a value; {} when the file is no xlsx package
    or has none."""
    with open(path, "rb") as f:
        ole = f.read(8) == _OLE_MAGIC
    if ole:
        try:
            return _biff_error_cells(ole_stream(path.read_bytes(), WORKBOOK_STREAMS))
        except (struct.error, IndexError, KeyError, ValueError):
            return {}  # calamine read the file; only the error texts are not restored
    try:
        with zipfile.ZipFile(path) as package:
            out: dict[str, Cells] = {}
            recalc = bool(_RECALC.search(package.read("xl/workbook.xml")))
            padded = _padded_styles(package)
            for name, member in dict(sheet_parts(package)).items():
                if _has_mark(package, member, recalc, padded):
                    cells = _parse(package, member, recalc, padded)
                    if cells:
                        out[name] = cells
            return out
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return {}  # calamine read the file; only the error texts are not restored


def sheet_parts(package: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, the package member holding its XML) of each sheet, in the workbook's order
    (xl/workbook.xml through its relationships)."""
    book = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    out = []
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        if target:
            member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            out.append((sheet.get("name", ""), member))
    return out


# A number format that pads a whole number with zeros to its width (000000; a quoted or escaped zero
# is a literal, shown as the digits are)
_ZERO_PAD = re.compile(r"0+")


def _padded_styles(package: zipfile.ZipFile) -> dict[str, int]:
    """Cell style index (as the sheets' `s` attributes write it) -> the width its zero-padding number
    format pads to; {} for the workbooks without one (built-in formats never pad)."""
    try:
        styles = ElementTree.fromstring(package.read("xl/styles.xml"))
    except KeyError:
        return {}
    widths = {f.get("numFmtId"): len(code) for f in styles.iter(f"{_MAIN}numFmt")
              if _ZERO_PAD.fullmatch(code := (f.get("formatCode") or "")) and len(code) > 1}
    xfs = styles.find(f"{_MAIN}cellXfs")
    if not widths or xfs is None:
        return {}
    return {str(i): widths[xf.get("numFmtId")] for i, xf in enumerate(xfs.iter(f"{_MAIN}xf"))
            if xf.get("numFmtId") in widths}


def _has_mark(package: zipfile.ZipFile, member: str, recalc: bool = False,
              padded: dict[str, int] | None = None) -> bool:
    """Whether the sheet's XML has an error-typed cell or an uncached formula (or, in a workbook
    recalculated on opening, a formula saved as 0), or a cell of a zero-padding style: plain byte search,
    since a regular expression over a 150k-row sheet's 131 MiB took 1.3-1.6 s of its 5-7 s read, the
    search 0.3 s."""
    formula_marks = (*_UNCACHED, _TEXT_ALONE, *(_ZERO_SAVED if recalc else ()))
    marks = (*_ERRORS, *(f' s="{i}"'.encode() for i in padded or {}))
    window_len = max(map(len, (*marks, *formula_marks)))  # the longest mark a chunk boundary may cut
    tail = b""
    with package.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk[:window_len] if tail else b""  # a mark cut by the chunk boundary
            if any(m in chunk or m in window for m in marks):
                return True
            if (b"</f>" in chunk or b"</f>" in window) and any(
                    m in chunk or m in window for m in formula_marks):
                return True
            tail = chunk[-window_len:]
    return False


def _parse(package: zipfile.ZipFile, member: str, recalc: bool = False,
           padded: dict[str, int] | None = None) -> Cells:
    cells: Cells = {}
    padded = padded or {}
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
                cells[(int(ref.group(2)) - 1, column_number(ref.group(1)) - 1)] = (
                    value.text if value is not None and value.text else "#N/A")
            elif formula is not None and formula.text and (text := _TEXT_FORMULA.fullmatch(formula.text.strip())):
                cells[(int(ref.group(2)) - 1, column_number(ref.group(1)) - 1)] = text.group(1).replace('""', '"')
            elif formula is not None and element.get("t", "n") == "n" and (
                    value is None or not value.text or (recalc and value.text == "0")):
                # (t="str" with an empty value is a formula whose computed text is empty: Excel shows "")
                text = (formula.text or "").strip()
                cells[(int(ref.group(2)) - 1, column_number(ref.group(1)) - 1)] = (
                    text if _NUMBER_FORMULA.fullmatch(text) else "=" + text)
            elif (width := padded.get(element.get("s", ""))) and element.get("t", "n") == "n" and (
                    value is not None and value.text and (digits := _whole(value.text)) is not None):
                cells[(int(ref.group(2)) - 1, column_number(ref.group(1)) - 1)] = digits.zfill(width)
            element.clear()
    return cells


def _whole(text: str) -> str | None:
    """The digits of a stored number that is whole and not negative (`12`, `12.0`), else None."""
    try:
        number = float(text)
    except ValueError:
        return None
    return str(int(number)) if number.is_integer() and 0 <= number < 1e15 else None


def column_number(letters: str) -> int:
    """A cell reference's column letters as a number from 1 (A, case-insensitive): Z 26, AA 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - ord("A") + 1
    return n


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A"}
# A FORMULA record (0x0006) whose cached result is an error (result bytes 02 00 <code> 00 00 00 FF FF), or
# a BOOLERR record (0x0205, 8 bytes) holding an error: most files have none, and are not walked.
_BIFF_MARK = re.compile(rb"\x06\x00.{8}\x02\x00.\x00\x00\x00\xff\xff|\x05\x02\x08\x00.{7}\x01", re.DOTALL)


WORKBOOK_STREAMS = ("Workbook", "WORKBOOK")  # the BIFF8 stream's name, as Excel and other writers spell it


def ole_stream(data: bytes, names: tuple[str, ...]) -> bytes:
    """A stream of an OLE compound file (the container of an Excel 97-2003 workbook), by name; a stream
    under the cutoff (4096 bytes) from the mini stream."""
    size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    cutoff, minifat, _n_minifat, next_difat, _n_difat = struct.unpack_from("<IIIII", data, 0x38)
    difat = list(struct.unpack_from("<109I", data, 0x4C))
    while next_difat < 0xFFFFFFFA:  # more FAT sector numbers, chained
        entries = struct.unpack_from(f"<{size // 4}I", data, (next_difat + 1) * size)
        difat += entries[:-1]
        next_difat = entries[-1]
    fat: list[int] = []
    for sector in difat[:n_fat]:
        fat += struct.unpack_from(f"<{size // 4}I", data, (sector + 1) * size)

    def chain(start: int, table: list[int] | tuple[int, ...]) -> list[int]:
        sectors: list[int] = []
        while start < min(0xFFFFFFFA, len(table)) and len(sectors) <= len(table):  # a damaged chain ends
            sectors.append(start)
            start = table[start]
        return sectors

    def read(start: int) -> bytes:
        return b"".join(data[(s + 1) * size:(s + 2) * size] for s in chain(start, fat))

    directory = read(first_dir)
    entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
    for entry in entries:
        name = entry[:struct.unpack_from("<H", entry, 0x40)[0]].decode("utf-16-le", "replace").rstrip("\0")
        if entry[0x42] == 2 and name in names:
            start, length = struct.unpack_from("<II", entry, 0x74)
            if length >= cutoff:
                return read(start)[:length]
            root_start, root_length = struct.unpack_from("<II", entries[0], 0x74)
            mini = read(root_start)[:root_length]
            table = read(minifat)
            minifat_table = struct.unpack_from(f"<{len(table) // 4}I", table)
            return b"".join(mini[s * mini_size:(s + 1) * mini_size] for s in chain(start, minifat_table))[:length]
    raise KeyError(names[0])


def _biff_error_cells(stream: bytes) -> dict[str, Cells]:
    """Sheet name -> its error cells, from a BIFF8 Workbook stream: a formula whose cached value is an
    error and an error constant (BOOLERR) show Excel's text (#DIV/0!), as an xlsx's error cells do."""
    if not _BIFF_MARK.search(stream):
        return {}
    sheets: dict[int, str] = {}  # BOF offset -> sheet name (BOUNDSHEET)
    out: dict[str, Cells] = {}
    sheet: str | None = None
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + length]
        if kind == 0x0085 and len(body) >= 8:  # BOUNDSHEET: BOF offset, visibility, type, name
            cch, flags = body[6], body[7]
            name = body[8:8 + 2 * cch].decode("utf-16-le") if flags & 1 else body[8:8 + cch].decode("latin-1")
            sheets[struct.unpack_from("<I", body)[0]] = name
        elif kind == 0x0809:  # BOF: the start of a sheet's records (or the globals')
            sheet = sheets.get(pos)
        elif sheet is not None and ((kind == 0x0006 and len(body) >= 14 and body[6] == 2 and body[12:14] == b"\xff\xff")
                                    or (kind == 0x0205 and len(body) >= 8 and body[7] == 1)):
            row, col = struct.unpack_from("<HH", body)
            code = body[8] if kind == 0x0006 else body[6]
            out.setdefault(sheet, {})[(row, col)] = _BIFF_ERRORS.get(code, "#N/A")
        pos += 4 + length
    return out


def restored(rows: list[list[object]], cells: Cells, nrows: int | None = None) -> list[list[object]]:
    """`rows` (calamine's, from A1; the first `nrows` if given) with those cells' texts in place of what
    calamine read (empty, or the value a script saved with a text formula). Rows calamine left out are
    added: its range ends at the last cell with a value, so a sheet whose every cell is a formula without
    its value (a script's `="户编号"`, `="合计"`) read as no rows at all, and a last row of such formulas
    was lost."""
    for (r, c), text in cells.items():
        if nrows is not None and r >= nrows:
            continue
        while r >= len(rows):
            rows.append([])
        row = rows[r]
        if c >= len(row):
            row.extend([""] * (c + 1 - len(row)))
        row[c] = text
    return rows
