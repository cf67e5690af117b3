"""Containers checked before a parser sees their contents: an xlsx (a zip) is refused when it is not a
zip, when it would inflate past MAX_UNCOMPRESSED or at a bomb's ratio, when a member fails its CRC, or
when a sheet's grid would be far larger than the cells it holds (`grid_extent`); an Excel 97-2003 workbook
is refused on the same grid rule, or when its DIMENSIONS records lie (`check_biff`); a `.csv.gz` is opened
as the text it holds, and its damage (GZIP_ERRORS) is told apart."""

from __future__ import annotations

import gzip
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO, NamedTuple
from xml.etree import ElementTree

import numpy as np

from etl import file_types
from etl.excel_errors import WORKBOOK_STREAMS, column_number, ole_stream, sheet_parts
from etl.raw_file import GRID_FLOOR, ReadError, mb_text

# What a damaged, cut off or not-gzip `.gz` raises while it is read.
GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)
MAX_UNCOMPRESSED = 1 << 30  # xlsx: total uncompressed size
MAX_RATIO = 200  # xlsx: compression ratio of one member (zip bomb)
RATIO_MIN_BYTES = 16 << 20  # small members cannot hurt, whatever their ratio
# A text export compressed with gzip (`.csv.gz`): a national registry is ~50 GB as text, ~10 GB so.
GZIP_SUFFIX = file_types.GZIP_SUFFIX
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_zip(path: Path) -> None:
    """Reject what is not a zip, and zip bombs, before the xlsx parser sees the file."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise ReadError("corrupt_xlsx", path, reason=f"解压后 {mb_text(total)}，超过上限")
            for info in infos:
                if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise ReadError("corrupt_xlsx", path, reason=f"压缩比异常（{info.filename}）")
            # Reads every member, checking its CRC (zipfile never inflates past the declared size, so a
            # lying directory fails here instead of exhausting memory in the parser), and its grid: the
            # sheets' grids together (the reader holds every sheet at once)
            grids = GridBudget(path)
            extents: dict[str, Extent] = {}
            for info in infos:
                try:
                    with zf.open(info) as member:
                        extent = extents[info.filename] = grid_extent(member)
                except zipfile.BadZipFile:
                    raise ReadError("corrupt_xlsx", path, reason=f"校验失败（{info.filename}）") from None
                grids.add(extent.rows, extent.width, extent.cells)
            grids.check()
            _check_shared_text(path, zf, extents, total)
            _refuse_shared_parts(path, zf)
    except ReadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ReadError("corrupt_xlsx", path, reason=type(exc).__name__) from None


# calamine holds a sheet as one dense grid from A1 to its farthest cell (32 bytes a cell), and the reader
# then makes a Python list of it: a 1.6 KB workbook with cells at A1 and XFD1048576 asked for 512 GiB and
# aborted the process (the server with it), one at ZZ28500 took 1 GB. A sheet's grid may be GRID_FLOOR
# cells, or GRID_PER_CELL times the cells its XML holds (an export's grid is about as many cells as it
# writes; empty cells are often left out).
GRID_PER_CELL = 8
_SCAN_CHUNK = 1 << 20
_LOOK = 40  # bytes a match may need past its start: ` r="` then a reference
_LETTERS = 4  # a column of four letters is past Excel's XFD: counted as "at least"
_DIGITS = 11
_SHARED = (b't="s"', b"t='s'")  # a cell whose value is the index of a shared string
# A shared string's index in a cell (`<c r="A1" t="s"><v>12</v></c>`), read where the cheap bound is passed
_SHARED_INDEX = re.compile(rb"""<(?:\w+:)?c\b[^>]*?\st\s*=\s*["']s["'][^>]*>\s*<(?:\w+:)?v>\s*([0-9]{1,10})""")
# Text a workbook's cells may hold once its shared strings are put in place (calamine and the reader copy
# a string into every cell that names it): a 15 KB workbook of 2,000 cells naming one string of a million
# characters took 21 GB and was killed. TEXT_PER_BYTE bytes of text per byte of the package, or TEXT_FLOOR.
TEXT_FLOOR = 256 << 20
TEXT_PER_BYTE = 4
_LOOSE_REF = re.compile(rb"""[ \t\r\n]r[ \t\r\n]*=[ \t\r\n]*["']([A-Za-z]*)([0-9]*)""")


def _refuse_shared_parts(path: Path, zf: zipfile.ZipFile) -> None:
    """Two sheets of the workbook naming one part (Excel never writes that): calamine reads the part once per
    sheet and holds every copy, so a small sheet named twelve times took 2.2 GB and 18 s. A workbook whose
    sheets cannot be listed is left to calamine to refuse."""
    try:
        members = [member for _name, member in sheet_parts(zf)]
    except (KeyError, ElementTree.ParseError):
        return
    if len(set(members)) < len(members):
        raise ReadError("corrupt_xlsx", path, reason="多个工作表指向同一部件")


class GridBudget:
    """The grids of a workbook's sheets against the cells they hold: refused (too_many_cells, naming the
    largest grid) when together they pass max(GRID_FLOOR, GRID_PER_CELL × cells)."""

    def __init__(self, path: Path) -> None:
        self.path, self.area, self.cells, self.largest = path, 0, 0, (0, 0)

    def add(self, rows: int, width: int, cells: int) -> None:
        self.area += rows * width
        self.cells += cells
        if rows * width > self.largest[0] * self.largest[1]:
            self.largest = (rows, width)

    def check(self) -> None:
        if self.area > max(GRID_FLOOR, GRID_PER_CELL * self.cells):
            raise ReadError("too_many_cells", self.path, rows=self.largest[0], width=self.largest[1])


def _check_shared_text(path: Path, zf: zipfile.ZipFile, extents: dict[str, Extent], total: int) -> None:
    """Refuse a workbook whose cells would hold more text than TEXT_PER_BYTE × its size (or TEXT_FLOOR) once
    each shared string is copied into every cell that names it. The bound (cells naming a shared string ×
    the longest string) passes for an export; past it, the cells' indexes are read and their strings' sizes
    added up."""
    budget = max(TEXT_FLOOR, TEXT_PER_BYTE * total)
    sizes = [e.si_sizes for e in extents.values() if len(e.si_sizes)]
    shared = sum(e.shared for e in extents.values())
    if not sizes or not shared or shared * max(int(s.max()) for s in sizes) <= budget:
        return
    longest = np.zeros(max(map(len, sizes)), np.int64)  # each index's size, the largest of any part
    for s in sizes:
        longest[:len(s)] = np.maximum(longest[:len(s)], s)
    text = 0
    for name, extent in extents.items():
        if not extent.shared:
            continue
        carry = b""
        with zf.open(name) as member:
            while chunk := member.read(_SCAN_CHUNK):
                buf = carry + chunk
                cut = max(buf.rfind(b"<"), 0)  # a cell cut at the chunk's end is read with the next chunk
                index = np.array([int(m.group(1)) for m in _SHARED_INDEX.finditer(buf, 0, cut)], np.int64)
                text += int(longest[index[index < len(longest)]].sum())
                carry = buf[cut:]
        if text > budget:
            raise ReadError("text_too_large", path, size=mb_text(text), limit=mb_text(budget))



# BIFF8 records (Excel 97-2003): a sheet's records start at BOF; DIMENSIONS gives its used range, which
# calamine reserves before reading a cell (a DIMENSIONS of 4 billion rows aborted the process at open);
# each cell record starts with its row and column (two 16-bit numbers); MULRK and MULBLANK hold a run of
# cells of one row, their last column in their last two bytes; FILEPASS: what follows is encrypted.
_BOF, _DIMENSIONS, _FILEPASS, _BOUNDSHEET = 0x0809, 0x0200, 0x002F, 0x0085
_BIFF_CELLS = frozenset({0x00FD, 0x0203, 0x027E, 0x0201, 0x0006, 0x0205, 0x0204, 0x00D6})
_BIFF_RUNS = frozenset({0x00BD, 0x00BE})
_BIFF_ROWS, _BIFF_COLUMNS = 65_536, 256


def check_biff(path: Path) -> None:
    """Refuse an Excel 97-2003 workbook whose DIMENSIONS record names more than a BIFF8 sheet holds (or a
    range that ends before it starts), or whose sheets' grids pass the cells they hold (`GridBudget`: a
    6 KB file of four sheets, each with a cell at IV65536, took 4.5 GB). A file whose Workbook stream
    cannot be found, or an encrypted one, is left to calamine to say so."""
    try:
        stream = ole_stream(path.read_bytes(), WORKBOOK_STREAMS)
    except (struct.error, IndexError, KeyError, ValueError):
        return
    grids = GridBudget(path)
    a = np.frombuffer(stream + b"\0\0\0\0", np.uint8)
    cells: list[int] = []  # where each cell record's body starts
    runs: list[int] = []  # where each MULRK or MULBLANK body starts, and where it ends
    starts: set[int] = set()  # where each sheet's records start (BOUNDSHEET)
    pos, end = 0, len(stream)
    unpack = struct.unpack_from
    while pos + 4 <= end:
        kind, length = unpack("<HH", stream, pos)
        body = pos + 4
        pos = body + length
        if kind in _BIFF_CELLS:
            if length >= 4 and pos <= end:
                cells.append(body)
        elif kind in _BIFF_RUNS:
            if length >= 6 and pos <= end:
                runs += (body, pos)
        elif kind == _BOF:
            grids.add(*_biff_grid(a, cells, runs))
            cells, runs = [], []
        elif kind == _DIMENSIONS and pos <= end:
            if length >= 14:
                first_row, last_row, first_col, last_col = unpack("<IIHH", stream, body)
            elif length >= 8:  # BIFF5: 16-bit rows
                first_row, last_row, first_col, last_col = unpack("<HHHH", stream, body)
            else:
                continue
            if last_row > _BIFF_ROWS or last_col > _BIFF_COLUMNS or first_row > last_row or first_col > last_col:
                raise ReadError("too_many_cells", path, rows=last_row, width=last_col)
        elif kind == _FILEPASS:
            return
        elif kind == _BOUNDSHEET and length >= 4 and pos <= end:  # a sheet: where its records start
            start = unpack("<I", stream, body)[0]
            if start in starts:  # two sheets of one substream, read and held once each (as an xlsx's part)
                raise ReadError("corrupt_xlsx", path, reason="多个工作表指向同一部件")
            starts.add(start)
    grids.add(*_biff_grid(a, cells, runs))
    grids.check()


def _biff_grid(a: np.ndarray, cells: list[int], runs: list[int]) -> tuple[int, int, int]:
    """(rows, columns, cells) of one sheet's cell records (their bodies' offsets in the stream `a`)."""
    def u16(at: np.ndarray) -> np.ndarray:
        return a[at].astype(np.int64) | (a[at + 1].astype(np.int64) << 8)

    at = np.array(cells, np.int64)
    run = np.array(runs, np.int64).reshape(-1, 2)
    row = np.concatenate([u16(at), u16(run[:, 0])])
    first, last = u16(run[:, 0] + 2), u16(run[:, 1] - 2)
    column = np.concatenate([u16(at + 2), last])
    n = len(at) + int(np.maximum(last - first + 1, 0).sum())
    return int(row.max(initial=-1)) + 1, int(column.max(initial=-1)) + 1, n


class Extent(NamedTuple):
    """What `grid_extent` finds in one package member."""

    rows: int
    width: int
    cells: int
    shared: int  # cells of a shared string (`t="s"`)
    si_sizes: np.ndarray  # bytes from each shared string's start (`<si>`) to the next one's, or the end


def grid_extent(stream: BinaryIO) -> Extent:
    """(rows, columns, cells) of a worksheet's XML as calamine places its cells: the farthest row and column
    any `r="…"` reference names (a row's or a cell's), or the count of rows and the most cells in one row
    where references are left out; and how many cells (`<c>` elements) it holds; with its cells of a shared
    string and, for a shared-strings part, the size of each string. Any member of the package may be a
    sheet (the workbook's relationships point where they like), so every member is scanned; one that is
    no sheet has no cells and no references. Byte arrays, not a regular expression: 0.2 s a 100 MiB sheet
    (a regular expression took seconds)."""
    rows = width = cells = row_elems = open_row = shared = 0
    si: list[np.ndarray] = []
    carry, offset = b"", 0  # offset: where `buf` starts in the member
    while True:
        chunk = stream.read(_SCAN_CHUNK)
        buf = carry + chunk
        end = len(buf) if not chunk else len(buf) - _LOOK  # positions examined: [1, end)
        if end > 1:
            a = np.frombuffer(buf + b"\0" * _LOOK, np.uint8)
            r, w, n, nrows, per_row, open_row = _scan(a, buf, end, open_row)
            rows, width, cells, row_elems = max(rows, r), max(width, w, per_row), cells + n, row_elems + nrows
            shared += sum(buf.count(mark, 1, end + len(mark) - 1) for mark in _SHARED)
            si.append(_element_starts(a, end, b"si") + offset)
        if not chunk:
            starts = np.concatenate(si) if si else np.zeros(0, np.int64)
            sizes = np.diff(np.append(starts, offset + len(buf)))
            return Extent(max(rows, row_elems), width, cells, shared, sizes)
        carry = buf[end - 1:]
        offset += end - 1


def _is_space(a: np.ndarray) -> np.ndarray:
    return (a == 32) | (a == 9) | (a == 10) | (a == 13)


def _element_starts(a: np.ndarray, end: int, name: bytes) -> np.ndarray:
    """Positions in [1, end) of `<name` or `:name` (a prefixed element) followed by a space, `>` or `/`."""
    at = np.flatnonzero(a[1:end] == name[0]) + 1
    before = a[at - 1]
    at = at[(before == 60) | (before == 58)]  # `<` or `:`
    for i, ch in enumerate(name[1:], 1):
        at = at[a[at + i] == ch]
    after = a[at + len(name)]
    return at[_is_space(after) | (after == 62) | (after == 47)]


def _scan(a: np.ndarray, buf: bytes, end: int, open_row: int) -> tuple[int, int, int, int, int, int]:
    """One chunk: (farthest row, farthest column, cells, rows, most cells in a row, cells of the row still
    open at the chunk's end)."""
    cell_at = _element_starts(a, end, b"c")
    row_at = _element_starts(a, end, b"row")
    bucket = np.bincount(np.searchsorted(row_at, cell_at, side="right"), minlength=len(row_at) + 1)
    bucket[0] += open_row
    per_row, open_row = int(bucket.max()), int(bucket[-1])
    # ` r=` then a quote: the reference's letters and digits, as numbers
    r_at = np.flatnonzero(a[1:end] == 114) + 1
    r_at = r_at[_is_space(a[r_at - 1])]
    if not len(r_at):
        return 0, 0, len(cell_at), len(row_at), per_row, open_row
    eq, quote = a[r_at + 1], a[r_at + 2]
    if np.any(_is_space(eq) | ((eq == 61) & _is_space(quote))):  # spaces around `=`: no writer's, but legal
        found = [(m.group(1), m.group(2)) for m in _LOOSE_REF.finditer(buf, 0, end + _LOOK)]
        columns = (column_number(c[:_LETTERS + 1].decode()) for c, _ in found)
        return (max((_number(d) for _, d in found), default=0), max(columns, default=0),
                len(cell_at), len(row_at), per_row, open_row)
    at = r_at[(eq == 61) & ((quote == 34) | (quote == 39))] + 3
    column = np.zeros(len(at), np.int64)
    going = np.ones(len(at), bool)
    for _ in range(_LETTERS):
        if not going.any():
            break
        ch = a[at] | 0x20  # lower case
        letter = going & (ch >= 97) & (ch <= 122)
        column = np.where(letter, column * 26 + (ch.astype(np.int64) - 96), column)
        going &= letter
        at = at + letter
    column = np.where(going, np.int64(26**_LETTERS), column)  # more letters still: farther than any sheet
    row = np.zeros(len(at), np.int64)
    going = np.ones(len(at), bool)
    for _ in range(_DIGITS):
        if not going.any():
            break
        ch = a[at]
        digit = going & (ch >= 48) & (ch <= 57)
        row = np.where(digit, row * 10 + (ch.astype(np.int64) - 48), row)
        going &= digit
        at = at + digit
    row = np.where(going, np.int64(10**_DIGITS), row)
    return int(row.max(initial=0)), int(column.max(initial=0)), len(cell_at), len(row_at), per_row, open_row


def _number(digits: bytes) -> int:
    return min(int(digits), 10**_DIGITS) if digits else 0




def open_bytes(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it is a .gz (DuckDB's read_csv decompresses by suffix too)."""
    if path.suffix.lower() == GZIP_SUFFIX:
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")  # noqa: SIM115 - the caller's `with` closes it
