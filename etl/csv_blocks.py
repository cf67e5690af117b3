"""The CSV block parser: the body of a CSV file is cut into blocks at line ends outside quotes, and
each block is parsed serially by pyarrow (a serial parse reports the row number of a wrong-shape row,
a threaded one does not) while blocks run in parallel. `_line` thus stays exact, and memory stays
bounded by a few blocks plus the result. Lines that do not decode are mended for the parse and their
rows set aside as undecodable."""

from __future__ import annotations

import collections
import csv
import hashlib
import itertools
import os
import re
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from etl import headers
from etl.archive_checks import open_bytes
from etl.raw_file import ReadError, Sink
from etl.raw_rows import (
    count_lines,
    empty_table,
    finish_rows,
    is_blank_or_summary,
    table_has_controls,
    text_cells,
)

BLOCK_BYTES = 8 << 20  # CSV parse block
WORKERS = max(1, min(4, os.cpu_count() or 1))  # CSV blocks parsed in parallel


@dataclass
class CsvHeader:
    delimiter: str
    cells: list[str]
    match: headers.HeaderMatch
    header_line: int  # first physical line of the header row
    title_rows: int  # rows above the header
    data_offset: int  # byte offset just after the header row
    data_line: int  # physical line number of the first data line
    ncols: int  # fields per data row


@dataclass
class BlockContext:
    encoding: str
    delimiter: str
    ncols: int
    mapped: list[tuple[str, int]]  # (canonical, column index) in file order
    ordinal: int | None  # 序号 column
    read: list[int] = field(default_factory=list)  # columns converted: mapped + what finds 合计 rows
    # fields up to the header's last label: a row of another width whose missing or extra fields all lie
    # past both it and `ncols`, and are empty, is of the right shape (`_padded_cells`)
    header_width: int = 0
    # the sample of the body holds `="`, maybe Excel's text formula around cells (etl.raw_rows.TEXT_FORMULA_RE):
    # the fast path (etl.csv_fast) then takes it off in its SQL; a plain file's SQL stays as it was
    text_formulas: bool = False

    def __post_init__(self) -> None:
        # Columns left of the first contract column hold 序号/合计 labels; later ignored columns
        # (自然村, 备注 …) are not converted at all.
        needed = {i for _, i in self.mapped}
        needed.update(range(min(needed) + 1))
        if self.ordinal is not None:
            needed.add(self.ordinal)
        self.read = sorted(i for i in needed if i < self.ncols)
        self.header_width = max(self.header_width, *(i + 1 for i in self.read))


@dataclass
class BlockPart:
    table: pa.Table
    rows: int  # rows in the block (valid + wrong shape)
    lines: int  # physical lines in the block
    skipped: int
    malformed: list[tuple[int, str]] = field(default_factory=list)
    data_rows: int = 0  # rows handed to a sink
    undecodable: list[tuple[int, str]] = field(default_factory=list)  # (line, raw bytes escaped)
    unclosed_quote: list[tuple[int, str]] = field(default_factory=list)  # (line, raw text): runaway_quotes
    controls: bool = False  # holds control characters (see table_has_controls)


def run_blocks(
    path: Path, hdr: CsvHeader, ctx: BlockContext, hasher: hashlib._Hash, sink: Sink | None = None
) -> list[BlockPart]:
    """Parse blocks in parallel. Workers number lines from 1 within their block (counting lines is
    work too); the offsets are added here, in block order."""
    workers = WORKERS
    parts: list[BlockPart] = []
    pending: collections.deque[Future[BlockPart]] = collections.deque()
    base = hdr.data_line  # absolute line of the next collected block's first line

    def collect() -> None:
        nonlocal base
        try:
            part = pending.popleft().result()
        except ReadError as exc:
            line = exc.params.get("line")
            if isinstance(line, int):
                exc.params["line"] = line + base - 1
            raise
        if base != 1:
            lines = pc.add(part.table.column("_line"), pa.scalar(base - 1, pa.int32()))
            part.table = part.table.set_column(0, "_line", lines)
            part.malformed = [(line + base - 1, text) for line, text in part.malformed]
            part.undecodable = [(line + base - 1, text) for line, text in part.undecodable]
            part.unclosed_quote = [(line + base - 1, text) for line, text in part.unclosed_quote]
        base += part.lines
        if sink is not None and part.table.num_rows:  # hand the rows over; keep only the counts
            sink(part.table)
            part.data_rows = part.table.num_rows
            part.table = part.table.schema.empty_table()
        parts.append(part)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            for block in _csv_blocks(path, hdr.data_offset, hasher, hdr.delimiter.encode()):
                pending.append(pool.submit(_parse_block, path, block, ctx))
                while len(pending) > workers * 2:  # bounded memory: a few blocks in flight
                    collect()
            while pending:
                collect()
        finally:
            for fut in pending:
                fut.cancel()
    return parts


def _csv_blocks(path: Path, start: int, hasher: hashlib._Hash, delimiter: bytes = b",") -> Iterator[bytes]:
    """Blocks of whole rows from byte `start` (cut outside quoted values); hashes the whole file."""
    with open_bytes(path) as f:
        hasher.update(f.read(start))
        carry = b""
        while True:
            chunk = f.read(BLOCK_BYTES)
            hasher.update(chunk)
            if not chunk:
                if carry:
                    yield carry
                return
            buf = carry + chunk if carry else chunk
            cut = _cut(buf, delimiter)
            if cut <= 0:
                carry = buf
                continue
            yield buf[:cut]
            carry = buf[cut:]


def _cut(buf: bytes, delimiter: bytes = b",") -> int:
    """End of the last complete row in buf: after a \\n outside quoted values, as the block's parse reads
    them. -1 when there is none yet."""
    pos = buf.rfind(b"\n")
    if pos < 0 or b'"' not in buf:
        return pos + 1 if pos >= 0 else -1
    last = pos
    # Quotes in step (the common case): their count before a line end says whether it is in a quoted
    # value. Else they are followed as the parse follows them (`_runaway_walk`): a quote that is text (王"五) opens
    # nothing, and one without its pair (`"张二`) no longer ends the block inside a later note of several
    # lines (its quotes counted from the stray one were out of step, and the note's last line began the
    # next block: the note was rejected and its other lines skipped unsaid)
    quotes = buf.count(b'"', 0, pos + 1)
    if _quotes_in_step(buf[:pos + 1], delimiter):
        while quotes % 2:  # inside a quoted value: back to the line end before it
            prev = buf.rfind(b"\n", 0, pos)
            if prev < 0:
                return -1 if len(buf) < 4 * BLOCK_BYTES else last + 1
            quotes -= buf.count(b'"', prev + 1, pos + 1)
            pos = prev
        return pos + 1
    lines = buf[:pos + 1].splitlines(keepends=True)
    _, open_at = _runaway_walk(lines, delimiter, stop_open=True)
    if open_at is None:
        return pos + 1
    cut = sum(len(line) for line in lines[:open_at[0]])  # before the row whose quote is still open
    if cut > 0:
        return cut
    # No boundary outside quotes: wait for more data, unless a stray quote makes that endless.
    return -1 if len(buf) < 4 * BLOCK_BYTES else last + 1


def _quotes_in_step(buf: bytes, delimiter: bytes) -> bool:
    """Whether counting quotes reads buf as the parse reads it (one vectorised pass): taken in turn as
    opening and closing (a run of quotes as one, an even run, "" in a value, as none), every opening one
    is at a value's start and every closing one at its end. A quote that is text (王"五) or without its pair
    (`"张二`, whose pair is then taken from the next quoted value) puts one out of step."""
    a = np.frombuffer(buf, np.uint8)
    q = np.flatnonzero(a == ord('"'))
    if not len(q):
        return True
    first = np.ones(len(q), dtype=bool)
    first[1:] = q[1:] != q[:-1] + 1  # the first quote of each run
    starts = q[first]
    ends = np.append(q[np.flatnonzero(first)[1:] - 1], q[-1])  # the last quote of each run
    odd = (ends - starts) % 2 == 0  # runs of odd length
    starts, ends = starts[odd], ends[odd]
    edge = np.zeros(256, dtype=bool)
    edge[[ord("\n"), ord("\r"), delimiter[0]]] = True
    before = np.ones(len(starts), dtype=bool)  # the buffer's start is a value's start
    inner = starts > 0
    before[inner] = edge[a[starts[inner] - 1]]
    after = np.ones(len(ends), dtype=bool)
    inner = ends < len(a) - 1
    after[inner] = edge[a[ends[inner] + 1]]
    return bool(before[0::2].all() and after[1::2].all())


def _stray_quotes(buf: bytes, delimiter: bytes) -> bool:
    """Whether buf holds a quote with no delimiter, line end or quote on either side (王"五): text to the
    parser, where counting quotes would take it for the start of a quoted value. (One vectorised pass;
    the exact walk below is for the rare buffer that has one.)"""
    a = np.frombuffer(buf, np.uint8)
    p = np.flatnonzero(a[1:-1] == ord('"')) + 1  # the first and the last byte are a value's edge
    if not len(p):
        return False

    def edge(x: np.ndarray) -> np.ndarray:
        return (x == ord("\n")) | (x == ord("\r")) | (x == ord('"')) | (x == delimiter[0])

    return bool((~edge(a[p - 1]) & ~edge(a[p + 1])).any())


def _quoted_line_starts(lines: list[bytes], delimiter: bytes) -> tuple[list[int], bool]:
    """Indexes of the lines a row starts on, and whether the last line ends inside a quoted value, read
    as pyarrow reads quotes: a quote opens a value only at the value's start (elsewhere it is text), and
    inside a quoted value a doubled quote is a quote, a single one closes it."""
    starts: list[int] = []
    inside = False
    for i, line in enumerate(lines):
        if not inside:
            starts.append(i)
        for _, now in _quotes(line, delimiter, inside):
            inside = now
    return starts, inside


def _quotes(line: bytes, delimiter: bytes, inside: bool, start: int = 0) -> Iterator[tuple[int, bool]]:
    """The quotes of `line` (from byte `start`) that open or close a value, read from the state `inside` as
    pyarrow reads them: (byte, inside after it). A quote opens a value only at the value's start (elsewhere
    it is text); inside a value a doubled quote is text and a single one closes it."""
    p = line.find(b'"', start)
    while p >= 0:
        if inside:
            if line[p + 1:p + 2] == b'"':
                p += 1  # a doubled quote: text
            else:
                inside = False
                yield p, inside
        elif p == 0 or line[p - 1:p] == delimiter:
            inside = True
            yield p, inside
        p = line.find(b'"', p + 1)


def _parse_block(path: Path, block: bytes, ctx: BlockContext) -> BlockPart:
    """One block → table with block-relative `_line` (1 = the block's first line).

    Lines that do not decode are mended (bad bytes → U+FFFD) so that the block parses with its line
    numbers intact, and the rows they belong to are then taken out as undecodable."""
    first_line = 1
    n_lines = count_lines(block) + (not block.endswith((b"\n", b"\r")))
    undecodable: set[int] = set()
    source, codec = block, "gb18030" if ctx.encoding == "gb18030" else "utf-8"
    if ctx.encoding == "gb18030":
        other = utf8_lines(block)  # rows of a UTF-8 export appended: rejected as undecodable
        if other:
            block, undecodable = _mend(block, "gb18030", other)
        else:
            try:
                block = block.decode("gb18030").encode("utf-8")
            except UnicodeDecodeError:
                block, undecodable = _mend(block, "gb18030")
    try:
        table, invalid = _parse_rows(path, block, ctx)
    except pa.ArrowInvalid:  # invalid UTF-8 (the only error _parse_rows lets through)
        block, undecodable = _mend(block, "utf-8")
        table, invalid = _parse_rows(path, block, ctx)
    n_rows = table.num_rows + len(invalid)
    # A quote that opened a value and ran on over the lines after it: those lines are read as rows again,
    # and the row of the quote is set aside (the rows it swallowed vanished into one cell before)
    runaway: list[int] = []
    original = block
    # (quotes out of step, or odd in number: one may be open on the block's last line, whose row then
    # counts as one)
    if b'"' in block and (n_rows != n_lines or block.count(b'"') % 2
                          or not _quotes_in_step(block, ctx.delimiter.encode())):
        quotes = runaway_quotes(block, ctx.delimiter.encode())
        if quotes:
            block = _unquoted(block, quotes)
            table, invalid = _parse_rows(path, block, ctx)
            n_rows = table.num_rows + len(invalid)
            runaway = [first_line + line for line, _ in quotes]
    starts = _row_starts(block, first_line, n_lines, n_rows, ctx.delimiter.encode())
    bad_index = [number - 1 for number, _ in invalid if 0 < number <= n_rows]
    if len(bad_index) != len(invalid):  # never seen with a serial parse; keep the counts right
        raise ReadError("bad_csv", path, reason="row numbers unavailable", line=first_line)
    lines = np.delete(starts, bad_index) if bad_index else starts
    # the rows holding undecodable lines (a quoted value may span lines: a row is where its first line is)
    bad_rows = {max(0, int(np.searchsorted(starts, line, side="right")) - 1) for line in undecodable}
    quoted = {max(0, int(np.searchsorted(starts, line, side="right")) - 1) for line in runaway} - bad_rows
    aside = bad_rows | quoted
    if aside:
        valid = np.delete(np.arange(n_rows), bad_index) if bad_index else np.arange(n_rows)
        keep = ~np.isin(valid, list(aside))
        table, lines = table.filter(pa.array(keep)), lines[keep]
    shaped = [(text, idx) for (_, text), idx in zip(invalid, bad_index, strict=True) if idx not in aside]
    padded = [(cells, idx) for text, idx in shaped if (cells := _padded_cells(text, ctx)) is not None]
    if padded:  # rows of the right shape after all: back among the parsed rows, in file order
        table, lines = _with_rows(table, lines, padded, starts, ctx)
        shaped = [(text, idx) for text, idx in shaped if idx not in {i for _, i in padded}]
    skipped = 0
    malformed: list[tuple[int, str]] = []
    for (text, idx), skip in zip(shaped, _skipped_wrong_shape([text for text, _ in shaped], ctx), strict=True):
        if skip:
            skipped += 1
        else:
            malformed.append((int(starts[idx]) if 0 <= idx < len(starts) else -1, text))
    out, dropped = finish_rows(dict(zip(ctx.read, table.columns, strict=True)), lines, ctx.mapped, ctx.ordinal)
    return BlockPart(table=out, rows=n_rows, lines=n_lines, skipped=skipped + dropped, malformed=malformed,
                     controls=table_has_controls(out),
                     # the row's every line, escaped: a quoted value may span lines, and the line with
                     # the bad bytes alone lost the household ID written on the row's first line
                     undecodable=_row_texts(source, starts, sorted(bad_rows), first_line,
                                            lambda data: escape_bytes(data, codec)),
                     unclosed_quote=_row_texts(original, starts, sorted(quoted), first_line))


MAX_RUNAWAY = 1000  # runaway quotes mended per block; past them a block is parsed as it is


def runaway_quotes(block: bytes, delimiter: bytes) -> list[tuple[int, int]]:
    """The quotes (line index in the block, byte in that line) that opened a value which ran over line
    ends and did not end as a value ends: never closed in the block, or closed with text after the
    quote (`"张二,…` then, lines later, `H10,"王,十"`). The parser reads every line in between as that one
    value, so whole rows vanished into a cell: 8 households of a registry became one 姓名. A value that
    holds line breaks and ends at a delimiter or a line end (a note of several lines) is no such quote.
    Quotes are read as pyarrow reads them (`_quoted_line_starts`); after a runaway quote the walk goes on
    from the byte after it, outside quotes."""
    return _runaway_walk(block.splitlines(keepends=True), delimiter)[0]


def _runaway_walk(lines: list[bytes], delimiter: bytes,
                  stop_open: bool = False) -> tuple[list[tuple[int, int]], tuple[int, int] | None]:
    """`runaway_quotes` of `lines`; with `stop_open`, a quote still open at the last line ends the walk
    and is returned apart ((line, byte), else None) rather than taken for runaway: where to cut a block
    (`_cut`), the lines after it not yet read."""
    found: list[tuple[int, int]] = []
    i, start, inside, opened = 0, 0, False, (0, 0)
    while i < len(lines) and len(found) < MAX_RUNAWAY:
        line, again = lines[i], None
        for p, now in _quotes(line, delimiter, inside, start):
            inside = now
            if inside:
                opened = (i, p)
                continue
            after = line[p + 1:p + 2]
            if after in (b"", b"\r", b"\n", delimiter):
                continue
            # closed with text after the quote: on a later line (every line between was that value), or on
            # its own line past a delimiter (the fields between were one: `"H2,2020-05-01,…,"备注"`, a row of
            # two fields skipped unsaid as a title). `"王五"(户主)` merges no field, `"a,b" ,` only a blank
            if opened[0] != i or (after not in (b" ", b"\t") and delimiter in line[opened[1] + 1:p]):
                again = opened
                break
        if again is None and inside and i == len(lines) - 1:
            if stop_open:
                return found, opened
            # open at the block's end: every line after it swallowed, or, opened on the last line, the
            # rest of that line read as one value (a row of too few fields, or, in its first field, one
            # taken for a title and skipped unsaid). Blocks end outside quoted values (`_cut`), so a quote
            # open there never closes
            again = opened
        if again is not None:  # read on after the runaway quote, outside values, as the mended block is
            found.append(again)
            i, start, inside = again[0], again[1] + 1, False
            continue
        i, start = i + 1, 0
    return found, None


def _unquoted(block: bytes, quotes: list[tuple[int, int]]) -> bytes:
    """The block with each runaway quote made an apostrophe: its line then parses as a row of its own (set
    aside by the caller) and the lines after it as theirs."""
    lines = block.splitlines(keepends=True)
    for i, p in quotes:
        lines[i] = lines[i][:p] + b"'" + lines[i][p + 1:]
    return b"".join(lines)


def _row_texts(block: bytes, starts: np.ndarray, rows: list[int], first_line: int,
               decode: Callable[[bytes], str] = lambda data: data.decode("utf-8", errors="replace"),
               ) -> list[tuple[int, str]]:
    """(line, text as written) of each of `rows`: its lines of `block`, from its start to the next row's
    (the block split once, not once per row: up to MAX_RUNAWAY rows a block), decoded by `decode`."""
    if not rows:
        return []
    lines = block.splitlines()

    def text(idx: int) -> str:
        end = int(starts[idx + 1]) if idx + 1 < len(starts) else len(lines) + first_line
        return decode(b"\n".join(lines[int(starts[idx]) - first_line:end - first_line]))

    return [(int(starts[idx]), text(idx)) for idx in rows]


def _padded_cells(text: str, ctx: BlockContext) -> list[str] | None:
    """The fields of a row of another width that is of the header's shape all the same, else None: its
    fields past `ctx.ncols` are all empty (a system that writes a delimiter after every line's last value:
    `150824101001,产业帮扶,养羊,2019,1000,` under a five-column header), and what it lacks of `ctx.ncols`
    is its trailing fields, taken as empty. Excel saving a CSV leaves out the delimiters of a row's empty
    last cells on rows past its sixteenth (Microsoft KB 77295): 24 of 40 rows of such a registry were
    rejected as malformed (a probe, 2026-12-07). A row shorter than its header lost only empty trailing
    cells, so no value lands in another column; a title or footer so written is then skipped by
    `finish_rows`' rules, as the same row with its empty fields is. The fields are as written
    (untrimmed, as the parser hands them over): `finish_rows` trims them."""
    try:
        cells = next(csv.reader(text.splitlines(keepends=True) or [""], delimiter=ctx.delimiter), [])
    except csv.Error:
        return None
    if not cells or any(c.strip() for c in cells[ctx.ncols:]):
        return None
    if len(cells) > ctx.ncols and any(_GROUP_HEAD.fullmatch(a.strip()) and _GROUP_TAIL.fullmatch(b.strip())
                                      for a, b in itertools.pairwise(cells)):
        # a number written with an unquoted thousands separator (`12,000` → 12 | 000) before an empty
        # last cell: it looked like a trailing delimiter, and every value after it was loaded one column
        # to the right (a probe, 2026-12-07); rejected instead, the message saying to quote the number
        return None
    return cells[:ctx.ncols] + [""] * (ctx.ncols - len(cells))


# the two fields an unquoted `12,000.50元` is cut into: 1-3 digits, then 3 digits (a decimal part, 元);
# etl.csv_fast looks for the same pair in a file's bytes
CUT_NUMBER_HEAD = r"[-+]?[0-9]{1,3}"
CUT_NUMBER_TAIL = r"[0-9]{3}(?:\.[0-9]+)?(?:元)?"
_GROUP_HEAD = re.compile(CUT_NUMBER_HEAD)
_GROUP_TAIL = re.compile(CUT_NUMBER_TAIL)


def _with_rows(table: pa.Table, lines: np.ndarray, rows: list[tuple[list[str], int]], starts: np.ndarray,
               ctx: BlockContext) -> tuple[pa.Table, np.ndarray]:
    """The parsed rows (`table` of the `ctx.read` columns, starting on `lines`) with `rows` (fields, row
    index in the block) added, ordered by line."""
    extra = pa.table({name: pa.array([cells[i] or None for cells, _ in rows], pa.string())
                      for name, i in zip(table.column_names, ctx.read, strict=True)})
    joined = pa.concat_tables([table, extra.cast(table.schema)])
    all_lines = np.concatenate([lines, np.asarray([starts[idx] for _, idx in rows], dtype=lines.dtype)])
    order = np.argsort(all_lines, kind="stable")
    return joined.take(pa.array(order)), all_lines[order]


def _skipped_wrong_shape(texts: list[str], ctx: BlockContext) -> list[bool]:
    """Which rows of another width are skipped rather than rejected: blank and 合计 rows by their text,
    and titles, footers and blank rows by finish_rows' own rules, read as if the row had the header's
    width (an exporter leaves off a title's or a footer's empty fields: 填表人：张三, 一、乌加河镇).
    A row cut to that width is judged so only when what was cut is empty."""
    if not texts:
        return []
    rows = [text_cells(text, ctx.delimiter) for text in texts]
    columns = {i: pa.array([r[i] if i < len(r) else None for r in rows], pa.string()) for i in ctx.read}
    kept, _ = finish_rows(columns, np.arange(len(rows)), ctx.mapped, ctx.ordinal)
    data = set(kept.column("_line").to_pylist())
    return [is_blank_or_summary(cells) or (i not in data and not any(cells[ctx.ncols:]))
            for i, cells in enumerate(rows)]


def _parse_rows(path: Path, block: bytes, ctx: BlockContext) -> tuple[pa.Table, list[tuple[int, str]]]:
    """Parse a block; wrong-shape rows are collected. Invalid UTF-8 raises pa.ArrowInvalid."""
    try:
        return _arrow_parse(block, ctx, with_handler=False)
    except pa.ArrowInvalid as exc:
        # pyarrow finds a row's wrong shape before its bad bytes, and its callback would decode that
        # row's text and fail: a block with both is mended first (the caller's ArrowInvalid path)
        if "utf8" in str(exc).lower() or not _is_utf8(block):
            raise pa.ArrowInvalid("invalid UTF-8") from None
        try:  # wrong-shape rows: parse again collecting them (a Python callback costs speed)
            return _arrow_parse(block, ctx, with_handler=True)
        except pa.ArrowInvalid as exc2:
            raise ReadError("bad_csv", path, reason=str(exc2)[:200], line=1) from None


def _is_utf8(block: bytes) -> bool:
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mend(block: bytes, codec: str, also: Collection[int] = ()) -> tuple[bytes, set[int]]:
    """The block as UTF-8 with each undecodable byte replaced by U+FFFD, and the lines that had any
    (1-based lines in the block), with the lines `also` (UTF-8 lines of a GB18030 file) among them."""
    out: list[bytes] = []
    bad: set[int] = set(also)
    for i, line in enumerate(block.splitlines(keepends=True)):
        try:
            text = line.decode(codec)
        except UnicodeDecodeError:
            text = line.decode(codec, errors="replace")
            bad.add(i + 1)
        out.append(text.encode("utf-8"))
    return b"".join(out), bad


def utf8_lines(block: bytes) -> set[int]:
    """The lines (1-based, as `_mend` counts them) of a GB18030 block that are UTF-8 text: rows appended
    from a UTF-8 export. GB18030 decodes almost any bytes, so they loaded as nonsense (乌加河镇 as
    涔屽姞娌抽晣, a township no one has) without a word; they are rejected as undecodable instead, as
    a GBK row in a UTF-8 file is. A line counts when it is valid UTF-8 and holds two CJK characters in
    a row in UTF-8's three-byte form, which GBK text almost never does (its common characters' lead
    bytes B0-BF are UTF-8 continuation bytes, and a line of it is hardly ever valid UTF-8 as a whole).
    numpy finds the candidates (~25 ms per 8 MB block, against ~60 ms for decoding it); only their
    lines are decoded."""
    b = np.frombuffer(block, np.uint8)
    if len(b) < 6:
        return set()
    lead = (b - np.uint8(0xE3)) < 7  # E3-E9: CJK in UTF-8's three-byte form
    cont = (b ^ np.uint8(0x80)) < 0x40  # 80-BF
    at = np.flatnonzero(lead[:-5])
    at = at[cont[at + 1] & cont[at + 2] & lead[at + 3] & cont[at + 4] & cont[at + 5]]
    if not len(at):
        return set()
    lines = block.splitlines(keepends=True)
    ends = np.cumsum([len(line) for line in lines])
    return {int(i) + 1 for i in np.unique(np.searchsorted(ends, at, side="right")) if _is_utf8(lines[i])}


def escape_bytes(data: bytes, codec: str) -> str:
    """Raw bytes for a person to read: the characters that decode, the bytes that do not as \\xNN; a
    UTF-8 row of a GB18030 file as the UTF-8 text it is (`utf8_lines`)."""
    if codec == "gb18030" and utf8_lines(data) and _is_utf8(data):
        return data.decode("utf-8")
    return data.decode(codec, errors="backslashreplace")


def _arrow_parse(block: bytes, ctx: BlockContext, *, with_handler: bool) -> tuple[pa.Table, list[tuple[int, str]]]:
    """Serial parse of one block. One internal chunk (block_size > len) keeps quoted newlines whole
    without pyarrow's slow newlines_in_values chunker."""
    invalid: list[tuple[int, str]] = []

    def on_invalid(row: pv.InvalidRow) -> str:
        invalid.append((row.number if row.number is not None else -1, row.text))
        return "skip"

    names = [f"c{i}" for i in range(ctx.ncols)]
    table = pv.read_csv(
        pa.BufferReader(block),
        read_options=pv.ReadOptions(use_threads=False, column_names=names, block_size=len(block) + 1),
        parse_options=pv.ParseOptions(delimiter=ctx.delimiter, ignore_empty_lines=False,
                                      invalid_row_handler=on_invalid if with_handler else None),
        convert_options=pv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                          include_columns=[names[i] for i in ctx.read],
                                          strings_can_be_null=True, null_values=[""]),
    )
    return table, invalid


def _row_starts(block: bytes, first_line: int, n_lines: int, n_rows: int, delimiter: bytes = b",") -> np.ndarray:
    """Physical line on which each of the block's n_rows rows starts (n_lines: lines in the block)."""
    if n_lines == n_rows:
        return np.arange(first_line, first_line + n_rows, dtype=np.int64)
    # Quoted values span lines: walk the lines, a row starts on a line that begins outside quotes.
    lines = block.splitlines(keepends=True)
    if _stray_quotes(block, delimiter):
        starts = [first_line + i for i in _quoted_line_starts(lines, delimiter)[0]]
    else:  # every quote quotes (the common case): their parity per line is enough
        starts = []
        inside = False
        for offset, line in enumerate(lines):
            if not inside:
                starts.append(first_line + offset)
            if line.count(b'"') % 2:
                inside = not inside
    while len(starts) < n_rows:  # unbalanced quotes: best effort
        starts.append(starts[-1] + 1 if starts else first_line)
    return np.asarray(starts[:n_rows], dtype=np.int64)


def concat_parts(tables: list[pa.Table], ctx: BlockContext) -> pa.Table:
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return empty_table(ctx.mapped)
    return pa.concat_tables(tables) if len(tables) > 1 else tables[0]
