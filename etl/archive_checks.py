"""Containers checked before a parser sees their contents: an xlsx (a zip) is refused when it is not a
zip, when it would inflate past MAX_UNCOMPRESSED or at a bomb's ratio, when a member fails its CRC, or
when a sheet's grid would be far larger than the cells it holds (`grid_extent`); a `.csv.gz` is opened
as the text it holds, and its damage (GZIP_ERRORS) is told apart."""

from __future__ import annotations

import gzip
import re
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from etl import file_types
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
            # lying directory fails here instead of exhausting memory in the parser), and its grid
            for info in infos:
                try:
                    with zf.open(info) as member:
                        rows, width, cells = grid_extent(member)
                except zipfile.BadZipFile:
                    raise ReadError("corrupt_xlsx", path, reason=f"校验失败（{info.filename}）") from None
                if rows * width > max(GRID_FLOOR, GRID_PER_CELL * cells):
                    raise ReadError("too_many_cells", path, rows=rows, width=width)
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
_LOOSE_REF = re.compile(rb"""[ \t\r\n]r[ \t\r\n]*=[ \t\r\n]*["']([A-Za-z]*)([0-9]*)""")


def grid_extent(stream: BinaryIO) -> tuple[int, int, int]:
    """(rows, columns, cells) of a worksheet's XML as calamine places its cells: the farthest row and column
    any `r="…"` reference names (a row's or a cell's), or the count of rows and the most cells in one row
    where references are left out; and how many cells (`<c>` elements) it holds. Any member of the package
    may be a sheet (the workbook's relationships point where they like), so every member is scanned;
    one that is no sheet has no cells and no references. Byte arrays, not a regular expression: 0.2 s a
    100 MiB sheet (a regular expression took seconds)."""
    rows = width = cells = row_elems = open_row = 0
    carry = b""
    while True:
        chunk = stream.read(_SCAN_CHUNK)
        buf = carry + chunk
        end = len(buf) if not chunk else len(buf) - _LOOK  # positions examined: [1, end)
        if end > 1:
            a = np.frombuffer(buf + b"\0" * _LOOK, np.uint8)
            r, w, n, nrows, per_row, open_row = _scan(a, buf, end, open_row)
            rows, width, cells, row_elems = max(rows, r), max(width, w, per_row), cells + n, row_elems + nrows
        if not chunk:
            return max(rows, row_elems), width, cells
        carry = buf[end - 1:]


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
        return (max((_number(d) for _, d in found), default=0), max((_column(c) for c, _ in found), default=0),
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


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.upper()[:_LETTERS + 1]:
        n = n * 26 + ch - 64
    return n


def open_bytes(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it is a .gz (DuckDB's read_csv decompresses by suffix too)."""
    if path.suffix.lower() == GZIP_SUFFIX:
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")  # noqa: SIM115 - the caller's `with` closes it
