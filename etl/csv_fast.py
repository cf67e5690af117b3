"""The CSV fast path: a UTF-8 CSV read by DuckDB's `read_csv` straight into the loader's table (a
DuckDBSink), ~6x faster than the block parser (etl.csv_blocks). Line numbers then come from the row
order, which is exact only when every physical line of the body is exactly one row of the right shape;
a byte scan of the file (run beside the read) proves that, else the caller reads the file block by
block. Both give the same table, counts and hash."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from etl.archive_checks import open_bytes
from etl.csv_blocks import BLOCK_BYTES, CUT_NUMBER_HEAD, CUT_NUMBER_TAIL, BlockContext, CsvHeader
from etl.raw_file import DuckDBSink, RawFile, quote_ident
from etl.raw_rows import (
    SUMMARY_LABEL_COLUMNS,
    empty_table,
    has_controls,
    skipped_row_sql,
    title_row_columns,
)

# Code points pyarrow's utf8_trim_whitespace strips (measured over all of Unicode); DuckDB's trim is
# given the same set, so both paths trim alike.
TRIM_CHARS = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B))
              + "\u2028\u2029\u202f\u205f\u3000")
_TRIM_SQL = " || ".join(f"chr({ord(c)})" for c in TRIM_CHARS)


@dataclass
class _Scan:
    sha256: str
    lines: int  # physical lines of the body as the block reader counts them
    plain: bool  # none of the byte patterns that DuckDB and pyarrow read differently
    text_formulas: bool  # the body holds `="` (etl.raw_rows.TEXT_FORMULA_RE), maybe a wrapped cell
    controls: bool  # a control byte other than line ends (and tab in a tab-separated file): maybe in a value
    wide: bool = False  # maybe a row wider than the header holding a number cut in two (`_wide_rows`)


def scan_csv(path: Path, start: int, delimiter: str, ncols: int) -> _Scan:
    """Hash the file and count the body's lines. `plain` is False on a lone \\r (pyarrow ends a
    line there), a NUL byte, or a quote after a space or tab (DuckDB skips blanks before an opening
    quote, pyarrow keeps them and the quotes as text)."""
    hasher = hashlib.sha256()
    lf = cr = crlf = 0
    plain = True
    last = b""
    blank_quote = [b' "'] + ([b'\t"'] if delimiter != "\t" else [])
    line_ends = b"\n\r" + (b"\t" if delimiter == "\t" else b"")
    controls = formulas = wide = False
    rest = b""  # the chunk's last line, unended: read with the next chunk's first
    with open_bytes(path) as f:
        hasher.update(f.read(start))
        while chunk := f.read(BLOCK_BYTES):
            hasher.update(chunk)
            if not plain:
                continue
            controls = controls or has_controls(chunk, line_ends)
            # `=` first: one memchr (~0.02 s for 265 MB) where the two-byte find took 0.4 s
            formulas = formulas or (chunk.find(b"=") >= 0 and chunk.find(b'="') >= 0) or (
                last == b"=" and chunk.startswith(b'"'))
            a, ends = _line_ends(chunk)
            lf += ends.size
            if chunk.find(b"\r") >= 0 or last == b"\r":
                cr += chunk.count(b"\r")
                crlf += chunk.count(b"\r\n") + (last == b"\r" and chunk.startswith(b"\n"))
            if chunk.find(b"\x00") >= 0 or (last in (b" ", b"\t") and chunk.startswith(b'"')):
                plain = False
            elif chunk.find(b" ") >= 0 or chunk.find(b"\t") >= 0:
                plain = not any(chunk.find(p) >= 0 for p in blank_quote)
            if ends.size:  # a line across two chunks is read with the next chunk's first
                first, final = int(ends[0]) + 1, int(ends[-1]) + 1
                wide = wide or _wide_rows(*_line_ends(rest + chunk[:first]), delimiter, ncols) or _wide_rows(
                    a[first:final], ends[1:] - first, delimiter, ncols)
                rest = chunk[final:]
            else:
                rest += chunk
            last = chunk[-1:]
    if cr != crlf:
        plain = False
    wide = wide or (plain and bool(rest) and _wide_rows(*_line_ends(rest + b"\n"), delimiter, ncols))
    lines = lf + (last not in (b"", b"\n", b"\r"))  # a last line without a line end
    return _Scan(sha256=hasher.hexdigest(), lines=lines, plain=plain, controls=controls, text_formulas=formulas,
                 wide=wide)


def _wide_rows(a: np.ndarray, ends: np.ndarray, delimiter: str, ncols: int) -> bool:
    """Whether a line of the bytes `a` (whole lines, `ends` the positions of their \\n) may be a row
    wider than the header, its last fields empty, that holds a number cut in two by an unquoted
    thousands separator (`…,12,000,` under a header of one field fewer). DuckDB drops a row's empty
    fields past the header without a word, as the block reader does, but the block reader rejects such a
    row holding a cut number (etl.csv_blocks._padded_cells), which DuckDB would load one column to the
    right. A line is a suspect when it ends with the delimiter and holds `ncols` of them or more (the
    ones inside quotes too: a quoted row may send a file to the block reader for nothing, never the
    other way), and has a delimiter with a digit before it and three after (`_SPLIT_RE` reads it then).
    Most files have no line ending with the delimiter, and pay one comparison."""
    if not ends.size:
        return False
    d = ord(delimiter)
    last = a[np.maximum(ends - 1, 0)]  # each line's last byte before its \n (or \r\n)
    cr = last == 13
    last[cr] = a[np.maximum(ends[cr] - 2, 0)]
    ended = np.flatnonzero(last == d)
    if not ended.size:
        return False
    at = np.flatnonzero(a == d)
    starts = np.concatenate(([0], ends[:-1] + 1))
    wide = ended[np.searchsorted(at, ends[ended]) - np.searchsorted(at, starts[ended]) >= ncols]
    if not wide.size:
        return False
    digit = np.zeros(a.size + 5, bool)  # padded: the tests below read up to four bytes past a delimiter
    digit[:a.size] = (a >= 0x30) & (a <= 0x39)
    at = at[(at > 0) & digit[at - 1] & digit[at + 1] & digit[at + 2] & digit[at + 3] & ~digit[at + 4]]
    lines = np.unique(np.searchsorted(ends, at))  # the line each such delimiter is on
    lines = lines[np.isin(lines, wide)]
    pattern = _SPLIT_RE[delimiter]
    for i in lines[:_MAX_SPLIT_PROBES].tolist():
        if pattern.search(a.data, int(starts[i]), int(ends[i]) + 1):
            return True
    return lines.size > _MAX_SPLIT_PROBES  # past so many, read block by block rather than look on


_MAX_SPLIT_PROBES = 10_000
# the block reader's cut number as two fields of a line, in UTF-8 bytes
_SPLIT_RE = {d: re.compile(rf"(?:^|{re.escape(d)}){CUT_NUMBER_HEAD}{re.escape(d)}{CUT_NUMBER_TAIL}(?:{re.escape(d)}|\r?$)"
                           .encode(), re.M) for d in (",", "\t")}


def _line_ends(buf: bytes) -> tuple[np.ndarray, np.ndarray]:
    a = np.frombuffer(buf, np.uint8)
    return a, np.flatnonzero(a == 10)


# The bytes that can start or end a value: a value with a space (or tab) next to one of them may need
# trimming; a multi-byte trim character or a rare control one anywhere makes the whole file trimmed.
_EDGE = np.zeros(256, dtype=bool)
_EDGE[[ord("\n"), ord("\r"), ord('"')]] = True
_RARE_TRIM = tuple(c.encode() for c in TRIM_CHARS if c in "\x0b\x0c\x1c\x1d\x1e\x1f")
# UTF-8 lead byte → (second, third) byte pairs of the multi-byte TRIM_CHARS (third None: a 2-byte one)
_WIDE_TRIM: dict[int, set[tuple[int, int | None]]] = {}
for _c in TRIM_CHARS:
    _b = _c.encode()
    if len(_b) > 1:
        _WIDE_TRIM.setdefault(_b[0], set()).add((_b[1], _b[2] if len(_b) > 2 else None))


def may_need_trim(path: Path, start: int, delimiter: str) -> bool:
    """Whether any value of the body may change under `_trim_sql`: a space or tab beside a delimiter, a
    line end or a quote (a value's edge), or a rarer trim character anywhere. False lets the read skip
    the trim, ~a third of the read of a clean registry (4 s at 1M households); the scan stops at the
    first hit (~0.4 s for a clean 800 MB file)."""
    edge = _EDGE.copy()
    edge[ord(delimiter)] = True
    blanks = [b for b in (b" ", b"\t") if b != delimiter.encode()]
    tail = b"\n"  # the body starts at a line start
    with open_bytes(path) as f:
        f.seek(start)
        while chunk := f.read(BLOCK_BYTES):
            if _window_may_need_trim(tail + chunk, edge, blanks):
                return True
            tail = chunk[-3:]  # a character or a blank's neighbours across the cut
    return _window_may_need_trim(tail + b"\n", edge, blanks)  # the last value, as if a line end followed


def _window_may_need_trim(w: bytes, edge: np.ndarray, blanks: list[bytes]) -> bool:
    if any(w.find(b) >= 0 for b in _RARE_TRIM):
        return True
    a: np.ndarray | None = None
    for lead, pairs in _WIDE_TRIM.items():
        if w.find(bytes([lead])) < 0:  # memchr: the lead byte of a CJK character is mostly another
            continue
        a = np.frombuffer(w, np.uint8) if a is None else a
        p = np.flatnonzero(a[:-2] == lead)
        second, third = a[p + 1], a[p + 2]
        for b1, b2 in pairs:
            if ((second == b1) & (True if b2 is None else third == b2)).any():
                return True
    for blank in blanks:
        if w.find(blank, 1) < 0:
            continue
        a = np.frombuffer(w, np.uint8) if a is None else a
        p = np.flatnonzero(a[1:-1] == blank[0]) + 1
        if edge[a[p - 1]].any() or edge[a[p + 1]].any():
            return True
    return False


def _trim_sql(col: str) -> str:
    """pyarrow's trim + empty → NULL. DuckDB's trim(x, chars) is slow (~1M values/s), so it only runs
    on values whose first code point (byte order = code point order) falls in a range holding one
    of TRIM_CHARS, or whose last code point is one."""
    first = " OR ".join(
        f"({col} >= chr({lo}) AND {col} < chr({hi}))" for lo, hi in ((0x85, 0xA1), (0x1680, 0x1681),
                                                                      (0x2000, 0x2060), (0x3000, 0x3001)))
    last = ", ".join(str(ord(c)) for c in TRIM_CHARS)
    return (f"CASE WHEN {col} < '!' OR {first} OR ord({col}[-1]) IN ({last}) "
            f"THEN nullif(trim({col}, {_TRIM_SQL}), '') ELSE {col} END")


def _unwrap_sql(col: str) -> str:
    """`etl.raw_rows._trim_null`'s unwrap (TEXT_FORMULA_RE) in DuckDB's SQL, spelt as string tests and a
    substring: as a regex a wrapped file's read took 2.5x as long. `=""` is NULL."""
    return (f"CASE WHEN starts_with({col}, '=\"') AND ends_with({col}, '\"') AND {col} <> '=\"' "
            f"THEN nullif(substr({col}, 3, length({col}) - 3), '') ELSE {col} END")


def read_csv_duckdb(path: Path, hdr: CsvHeader, ctx: BlockContext, encoding: str, sink: DuckDBSink) -> RawFile | None:
    """Read the body with DuckDB into the sink; None (nothing kept) when that could differ from the
    block reader in any way: the caller then reads the file block by block.

    One pass, no copy: the body table holds every row (trimmed as finish_rows trims, with a `_keep` flag)
    in file order, and the sink's table becomes a view numbering them by rowid."""
    skip = hdr.data_line - 1
    if hdr.title_rows + 1 != skip:  # a row above the data spans lines: `skip` would not match
        return None
    con, body = sink.con, sink.body_ref
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(ctx.ncols)) + "}"
    trim = may_need_trim(path, hdr.data_offset, hdr.delimiter)

    def select(expr: Callable[[str], str], source: str) -> str:
        return "SELECT " + ", ".join(f"{expr(f'c{i}')} AS c{i}" for i in ctx.read) + f" FROM {source}"  # noqa: S608

    rows = select(_trim_sql if trim else str, f"read_csv(?, columns = {columns}, header = false, skip = ?, "
                  "delim = ?, quote = '\"', escape = '\"', auto_detect = false, strict_mode = true, "
                  "null_padding = false, encoding = 'utf-8')")
    if ctx.text_formulas:  # wrapped cells in the sample: unwrapped before the rows are classified
        rows = select(_unwrap_sql, f"({rows})")
        if trim:  # what a wrapper held trimmed too (without a value to trim, none inside one: may_need_trim)
            rows = select(_trim_sql, f"({rows})")
    # As in finish_rows: blank when every contract column is empty; summary rows by their labels;
    # title rows (one contract cell: the first or a place column).
    not_blank = " OR ".join(f"c{i} IS NOT NULL" for _, i in ctx.mapped)
    probes = ["coalesce(" + ", ".join(f"c{i}" for i in ctx.read) + ")"]
    if ctx.ordinal is not None:
        probes.append(f"c{ctx.ordinal}")
    places = dict(ctx.mapped)
    probes += [f"c{places[c]}" for c in SUMMARY_LABEL_COLUMNS if c in places]
    summary = skipped_row_sql(probes, [(i, f"c{i}") for _, i in ctx.mapped])
    rule = title_row_columns(ctx.mapped)
    if rule is not None:  # a title row: one contract cell filled, the first or a place column
        filled = " + ".join(f"(c{i} IS NOT NULL)::INTEGER" for i in rule[0])
        where = " OR ".join(f"c{i} IS NOT NULL" for i in rule[1]) or "FALSE"
        summary = f"({summary}) OR (({filled}) = 1 AND ({where}))"
    mapped = ", ".join(f"c{i} AS {quote_ident(c)}" for c, i in ctx.mapped)
    old_order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    done = False
    with ThreadPoolExecutor(max_workers=1) as pool:
        scan_future = pool.submit(scan_csv, path, hdr.data_offset, hdr.delimiter, ctx.ncols)
        try:
            # Insertion order kept: the body table's rowid is then the row's ordinal in the file.
            con.execute("SET preserve_insertion_order = true")
            con.execute(
                f"""CREATE OR REPLACE TABLE {body} AS
                    SELECT {mapped}, ({not_blank}) AND NOT ({summary}) AS _keep
                    FROM ({rows})""",  # noqa: S608 - our names only
                [str(path), skip, hdr.delimiter],
            )
            n, kept = con.execute(f"SELECT count(*), count(*) FILTER (WHERE _keep) FROM {body}").fetchall()[0]  # noqa: S608
            scan = scan_future.result()
            if (not scan.plain or n != scan.lines or (scan.text_formulas and not ctx.text_formulas)
                    or scan.wide):
                return None  # (wrapped cells only past the sample: the block reader unwraps them)
            names = ", ".join(quote_ident(c) for c, _ in ctx.mapped)
            where = "" if kept == n else " WHERE _keep"
            con.execute(f"DROP TABLE IF EXISTS {sink.ref}")
            view = f"SELECT (rowid + {int(hdr.data_line)})::INTEGER AS _line, {names} FROM {body}{where}"  # noqa: S608
            con.execute(f"CREATE VIEW {sink.ref} AS {view}")
            done = True
        except duckdb.Error:
            return None
        finally:
            scan_future.cancel()
            if not done:
                con.execute(f"DROP TABLE IF EXISTS {body}")
            con.execute(f"SET preserve_insertion_order = {'true' if old_order else 'false'}")
    dropped = n - kept
    sink.columns = ["_line", *(c for c, _ in ctx.mapped)]
    return RawFile(
        path=path, kind=hdr.match.kind, encoding=encoding, header_line=hdr.header_line,
        columns={c: hdr.cells[i].strip() for c, i in ctx.mapped},
        ignored_columns=hdr.match.ignored, table=empty_table(ctx.mapped), rows_read=hdr.title_rows + n,
        skipped=hdr.title_rows + dropped, malformed=[], sha256=scan.sha256, data_rows=n - dropped,
        controls=scan.controls,
    )
