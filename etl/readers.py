"""File-reading layer of the ETL: one user file (CSV or Excel) → RawFile of text columns.

Everything stays text here (IDs must never become floats); the normalisers parse values. The kind of
a file comes from its header row (etl.headers), searched in the first HEADER_SCAN_ROWS rows.

CSV is read with pyarrow in blocks cut at line ends outside quotes; each block is parsed serially
(a serial parse reports the row number of a wrong-shape row, a threaded one does not) and blocks run
in parallel, so `_line` stays exact and memory stays bounded by a few blocks plus the result.

Fast path (`DuckDBSink`): a UTF-8 CSV is read by DuckDB's `read_csv` straight into the loader's
table, ~6x faster. Line numbers then come from the row order, which is exact only when every physical
line of the body is exactly one row of the right shape; a byte scan of the file (run beside the read)
proves that, else the blocks above read the file. Both give the same table, counts and hash.

A `.csv.gz` is read like its text: both paths decompress (DuckDB by the suffix), and the hash is of
the text, so a file and its compressed copy are the same file to the loader.
"""

from __future__ import annotations

import codecs
import collections
import csv
import gzip
import hashlib
import itertools
import math
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import python_calamine as calamine

from etl import headers
from etl.fields import MULTI_LINE_FIELDS
from labels import t

MAX_BYTES = 500 * 1024 * 1024
HEADER_SCAN_ROWS = 30
HEAD_BYTES = 1 << 20  # sample for encoding and header detection
# A file with more undecodable rows than this share of its rows is refused (data-spec §1.3: "mostly
# undecodable"); one such row alone never refuses a file (in a file of 19 rows or fewer it is 5% already).
UNDECODABLE_SHARE = 0.05
UNDECODABLE_FREE_ROWS = 1
BLOCK_BYTES = 8 << 20  # CSV parse block
MAX_UNCOMPRESSED = 1 << 30  # xlsx: total uncompressed size
MAX_RATIO = 200  # xlsx: compression ratio of one member (zip bomb)
RATIO_MIN_BYTES = 16 << 20  # small members cannot hurt, whatever their ratio
WORKERS = max(1, min(4, os.cpu_count() or 1))  # CSV blocks parsed in parallel
# FUPIN_CSV_FAST=0 forces the block reader (tests compare both paths).
FAST_CSV = os.environ.get("FUPIN_CSV_FAST", "1") != "0"

CSV_SUFFIXES = {".csv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
HTML_SUFFIXES = {".htm", ".html"}  # and .xls files that are HTML (sniffed)
HTML_SNIFF_BYTES = 4096
# A text export compressed with gzip (`.csv.gz`): a national registry is ~50 GB as text, ~10 GB so.
GZIP_SUFFIX = ".gz"
GZIP_CSV_SUFFIXES = {s + GZIP_SUFFIX for s in CSV_SUFFIXES}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Chinese default rendering; the UI renders codes from its bilingual label table instead.
_MESSAGES: dict[str, str] = {
    "not_found": "文件不存在",
    "unsupported_type": "不支持的文件类型（{suffix}），请上传 .xlsx、.xlsm、.xls、.csv、.txt 或 .csv.gz 文件",
    "too_large": "文件过大（{size_mb} MB），上限为 {limit}",
    "empty_file": "文件为空",
    "undecodable": "第 {line} 行无法解码，请将文件另存为 UTF-8 或 GB18030（GBK）编码",
    "no_header": "在前 {rows} 行中找不到表头（应包含 户编号、姓名、证件号码 等列名）",
    "unknown_kind": "无法从表头（第 {line} 行）识别文件类型：应为贫困人口信息、帮扶措施、走访记录、医疗报销、问题整改台账、入户核查表或人口基数表",
    "missing_required": "{kind_label}缺少必填列：{columns}（表头在第 {line} 行）",
    "corrupt_xlsx": "Excel 文件已损坏或不是有效的 Excel 文件（{reason}）",
    "encrypted": "Excel 文件设有密码，请取消密码后重新上传",
    "bad_csv": "CSV 文件无法解析（{reason}）",
    "bad_gzip": "压缩文件已损坏或不完整，无法解压（{reason}）",
}


class ReadError(Exception):
    """A file that cannot be read at all. `code` + `params` let the UI render a bilingual message."""

    def __init__(self, code: str, path: Path | None = None, **params: object) -> None:
        self.code = code
        self.path = path
        self.params: dict[str, object] = params
        super().__init__(code)

    def __str__(self) -> str:
        try:
            text = _MESSAGES[self.code].format(**self.params)
        except (KeyError, IndexError):
            text = f"{self.code} {self.params}"
        return f"{self.path.name}：{text}" if self.path is not None else text


@dataclass
class RawFile:
    path: Path
    kind: str
    encoding: str  # 'utf-8', 'utf-8-sig', 'gb18030' or 'xlsx' (any Excel workbook)
    header_line: int  # 1-based line (csv) / row (xlsx) of the header
    columns: dict[str, str]  # canonical -> header as written in the file
    ignored_columns: list[str]  # headers outside the contract
    table: pa.Table  # `_line` int32 + one string column per canonical column present
    rows_read: int  # every row except the header row (title rows above it included)
    skipped: int  # title rows + blank rows + 合计/小计/总计 rows
    malformed: list[tuple[int, str]]  # (line, raw text) rows of another shape
    sha256: str
    sheet: str | None = None  # xlsx: the sheet read
    data_rows: int = -1  # rows in `table`, or handed to the sink when the read streamed them
    undecodable: list[tuple[int, str]] = field(default_factory=list)  # (line, raw bytes escaped) rows
    controls: bool = True  # may hold control characters (False: proven free of them, etl.stage skips the check)

    def __post_init__(self) -> None:
        if self.data_rows < 0:
            self.data_rows = self.table.num_rows
        assert self.rows_read == self.data_rows + self.skipped + len(self.malformed) + len(self.undecodable)


# The database schema of the loader's staging tables (the sink's, and etl.stage's).
STAGE_SCHEMA = "stage"

# Receives each block of data rows; None means: discard what you received (the read starts over).
Sink = Callable[[pa.Table | None], None]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DuckDBSink:
    """Receives the reader's blocks into table `table` of schema `schema` of `con`: the file never
    sits in Python memory whole. A CSV may instead be read by DuckDB itself into `<table>_body`, and
    `table` is then a view of it (module docstring). Columns are the reader's canonical names (ours,
    never the file's headers). `ref` is the table's qualified SQL name.

    The schema is a plain one of the database, not TEMP: a database table is stored compressed, a
    temporary one spills uncompressed (an 8.4 GB registry CSV took 25 GB of temp files as TEMP). The
    loader drops it after the file."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str = "raw_all", schema: str = STAGE_SCHEMA) -> None:
        self.con = con
        self.schema = schema
        self.table = table
        self.body = table + "_body"
        self.ref = f"{_q(schema)}.{_q(table)}"
        self.body_ref = f"{_q(schema)}.{_q(self.body)}"
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(schema)}")
        self.drop()
        con.execute(f"CREATE TABLE {self.ref} (_line INTEGER)")
        self.columns = ["_line"]

    def drop(self) -> None:
        """Drop what the sink made (the table, or the view and its body table)."""
        for name in (self.table, self.body):
            rows = self.con.execute(
                "SELECT 'VIEW' FROM duckdb_views() WHERE view_name = ? AND schema_name = ? AND NOT temporary "
                "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ? AND schema_name = ? "
                "AND NOT temporary",
                [name, self.schema, name, self.schema]).fetchall()
            for (kind,) in rows:
                self.con.execute(f"DROP {kind} {_q(self.schema)}.{_q(name)}")

    def __call__(self, block: pa.Table | None) -> None:
        if block is None:  # the reader starts over
            self.__init__(self.con, self.table, self.schema)  # type: ignore[misc]
            return
        self.ensure(block.column_names)
        self.con.register("raw_block", block)
        try:
            self.con.execute(f"INSERT INTO {self.ref} BY NAME SELECT * FROM raw_block")  # noqa: S608 - ours
        finally:
            self.con.unregister("raw_block")

    def ensure(self, columns: Sequence[str]) -> None:
        """Add the columns not seen yet (all of them when no block had a data row)."""
        for name in columns:
            if name not in self.columns:
                self.con.execute(f"ALTER TABLE {self.ref} ADD COLUMN {_q(name)} VARCHAR")
                self.columns.append(name)


@dataclass
class Book:
    """What one file holds: a table per sheet whose header was recognised (one for a text file) and the
    sheets skipped, as (sheet name, reason code: `no_header`, `unknown_kind`, `missing_required`,
    `hidden`). A workbook is loaded sheet by sheet; each part is its own batch (etl.load)."""

    parts: list[RawFile]
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)


def read_book(path: Path | str, *, max_bytes: int = MAX_BYTES, sink: Sink | None = None) -> Book:
    """Read one user file: every table in it. Raises ReadError when no table can be read at all.

    A text file's one table is streamed into `sink` when one is given (see `read_file`); the tables of
    a workbook or an HTML file stay in memory (`RawFile.table`), one per sheet, for the caller to hand
    over in turn.
    """
    path = Path(path)
    suffix = file_suffix(path)
    if suffix not in CSV_SUFFIXES | GZIP_CSV_SUFFIXES | EXCEL_SUFFIXES | HTML_SUFFIXES:
        raise ReadError("unsupported_type", path, suffix=suffix or "无扩展名")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ReadError("not_found", path) from None
    if size > max_bytes:
        raise ReadError("too_large", path, size_mb=round(size / 2**20, 1), limit=_mb(max_bytes),
                        limit_bytes=max_bytes)
    if size == 0:
        raise ReadError("empty_file", path)
    if suffix in CSV_SUFFIXES:
        return Book([_read_csv(path, sink)])
    if suffix in GZIP_CSV_SUFFIXES:
        try:
            return Book([_read_csv(path, sink)])
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:  # not gzip / cut off / damaged
            raise ReadError("bad_gzip", path, reason=str(exc) or type(exc).__name__) from None
    with open(path, "rb") as f:
        magic = f.read(HTML_SNIFF_BYTES)
    if suffix in HTML_SUFFIXES or (suffix == ".xls" and _looks_like_html(magic)):
        return _read_html(path)  # what web systems' 导出Excel buttons write, named .xls
    if suffix == ".xls" and not magic.startswith((OLE_MAGIC, ZIP_MAGIC)):
        return Book([_read_csv(path, sink)])  # many systems export tab-separated text named .xls
    if suffix in (".xlsx", ".xlsm") and not magic.startswith(OLE_MAGIC):  # OLE = password-protected
        _check_zip(path)
    return _read_excel(path)  # xlsx, and real Excel 97-2003 (BIFF) .xls: calamine reads both


def read_file(path: Path | str, *, max_bytes: int = MAX_BYTES, sink: Sink | None = None) -> RawFile:
    """Read one user file's first table (a workbook's first sheet with a recognised header). Raises
    ReadError when the file cannot be read at all.

    With a `sink`, the data rows are handed over block by block as they are parsed (so a file of
    many GB never sits in memory whole) and `table` is left empty, with the schema; `data_rows` counts
    them. The sink is called only for a file that could be read this far; a ReadError may still come
    after some blocks were handed over, so the caller must discard what it received then.
    """
    raw = read_book(path, max_bytes=max_bytes, sink=sink).parts[0]
    if sink is not None:
        hand_over(raw, sink)
    return raw


def hand_over(raw: RawFile, sink: Sink) -> None:
    """Give a table read into memory (a sheet) to the sink; a table streamed there already stays."""
    if raw.table.num_rows:
        sink(raw.table)
        raw.table = raw.table.schema.empty_table()


def file_suffix(path: Path | str) -> str:
    """The type suffix, lower case: '.csv', '.xlsx', or '.csv.gz' for a compressed text export."""
    path = Path(path)
    suffix = path.suffix.lower()
    inner = Path(path.stem).suffix.lower()
    return inner + suffix if suffix == GZIP_SUFFIX and inner in CSV_SUFFIXES else suffix


def _open_bytes(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it is a .gz (DuckDB's read_csv decompresses by suffix too)."""
    if path.suffix.lower() == GZIP_SUFFIX:
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")  # noqa: SIM115 - the caller's `with` closes it


def _mb(n: int) -> str:
    return f"{n / 2**20:g} MB"


# --------------------------------------------------------------------------------------------- CSV


@dataclass
class _CsvHeader:
    delimiter: str
    cells: list[str]
    match: headers.HeaderMatch
    header_line: int  # first physical line of the header row
    title_rows: int  # rows above the header
    data_offset: int  # byte offset just after the header row
    data_line: int  # physical line number of the first data line
    ncols: int  # fields per data row


def _read_csv(path: Path, sink: Sink | None = None) -> RawFile:
    with _open_bytes(path) as f:
        head = f.read(HEAD_BYTES)
        whole = not f.read(1)
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise ReadError("empty_file", path)
    encoding, ascii_head = _detect_encoding(head, whole)
    try:
        raw = _read_csv_as(path, head, whole, encoding, sink)
    except ReadError as exc:
        # no header in bytes that do not decode: say so, at the first such line
        lines = head.splitlines()
        bad = _bad_lines(lines[:-1] if not whole else lines, "utf-8" if encoding == "utf-8-sig" else encoding)
        if exc.code in ("no_header", "unknown_kind") and bad:
            raise ReadError("undecodable", path, line=bad[0] + 1) from None
        raise
    if raw.undecodable and ascii_head and encoding == "utf-8":
        # An all-ASCII sample cannot tell UTF-8 from GBK: the reading that decodes more rows wins.
        if sink is not None:
            sink(None)  # start over: drop the blocks handed over as UTF-8
        other = _read_csv_as(path, head, whole, "gb18030", sink)
        if len(other.undecodable) < len(raw.undecodable):
            raw = other
        else:
            if sink is not None:
                sink(None)
            raw = _read_csv_as(path, head, whole, encoding, sink)
    bad = len(raw.undecodable)
    body = raw.rows_read - (raw.header_line - 1)
    if bad > UNDECODABLE_FREE_ROWS and bad > UNDECODABLE_SHARE * body:
        raise ReadError("undecodable_rows", path, line=raw.undecodable[0][0], bad=bad, rows=body,
                        limit=f"{UNDECODABLE_SHARE:.0%}")
    return raw


def _detect_encoding(head: bytes, whole: bool) -> tuple[str, bool]:
    """(encoding, whether the sample is all ASCII): UTF-8 (with BOM → utf-8-sig) when the sample is valid
    UTF-8. Else lines vote: UTF-8 when at least half of those with non-ASCII bytes are valid UTF-8 (text in
    GBK almost never is), else GB18030. A few undecodable rows are then rejected one by one; they do not
    decide the encoding (UTF-8 text with one bad byte may well decode as GB18030, into nonsense)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
        return "utf-8", head.isascii()
    except UnicodeDecodeError:
        pass
    lines = head.splitlines()
    if not whole and lines:
        lines.pop()  # cut mid-line, maybe mid-character
    wide = [line for line in lines if not line.isascii()]
    utf8 = len(wide) - len(_bad_lines(wide, "utf-8"))
    return ("utf-8" if wide and 2 * utf8 >= len(wide) else "gb18030"), False


def _bad_lines(lines: list[bytes], codec: str) -> list[int]:
    """Indexes of the lines that do not decode."""
    bad = []
    for i, line in enumerate(lines):
        try:
            line.decode(codec)
        except UnicodeDecodeError:
            bad.append(i)
    return bad


def _line_at(data: bytes, offset: int) -> int:
    return _count_lines(data[:offset]) + 1


def _count_lines(data: bytes) -> int:
    """Line terminators as pyarrow counts them: \\r\\n, \\n or a lone \\r."""
    lf, cr = data.count(b"\n"), data.count(b"\r")
    if cr == 0 or cr == lf:  # LF or CRLF file: skip the slower two-byte count
        return lf
    return lf + cr - data.count(b"\r\n")


def _read_csv_as(path: Path, head: bytes, whole: bool, encoding: str, sink: Sink | None = None) -> RawFile:
    hdr = _find_csv_header(path, head, whole, encoding)
    kind = hdr.match.kind
    missing = headers.missing_required(kind, hdr.match.columns)
    if missing:
        raise _missing_error(path, kind, missing, hdr.header_line)
    ctx = _BlockContext(
        encoding=encoding,
        delimiter=hdr.delimiter,
        ncols=hdr.ncols,
        mapped=sorted(hdr.match.columns.items(), key=lambda kv: kv[1]),
        ordinal=_ordinal_index(hdr.cells),
    )
    if FAST_CSV and isinstance(sink, DuckDBSink) and encoding in ("utf-8", "utf-8-sig"):
        fast = _read_csv_duckdb(path, hdr, ctx, encoding, sink)
        if fast is not None:
            return fast
        sink(None)
    hasher = hashlib.sha256()
    parts = _run_blocks(path, hdr, ctx, hasher, sink)
    data_rows = sum(p.table.num_rows for p in parts) if sink is None else sum(p.data_rows for p in parts)
    table = _concat([p.table for p in parts], ctx)
    malformed = [m for p in parts for m in p.malformed]
    undecodable = [u for p in parts for u in p.undecodable]
    skipped = hdr.title_rows + sum(p.skipped for p in parts)
    rows_read = hdr.title_rows + sum(p.rows for p in parts)
    return RawFile(
        path=path, kind=kind, encoding=encoding, header_line=hdr.header_line,
        columns={c: hdr.cells[i].strip() for c, i in ctx.mapped},
        ignored_columns=hdr.match.ignored, table=table, rows_read=rows_read, skipped=skipped,
        malformed=malformed, sha256=hasher.hexdigest(), data_rows=data_rows, undecodable=undecodable,
        controls=any(p.controls for p in parts),
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
    controls: bool  # a control byte other than line ends (and tab in a tab-separated file): maybe in a value


def _scan_csv(path: Path, start: int, delimiter: str) -> _Scan:
    """Hash the file and count the body's lines. `plain` is False on a lone \\r (pyarrow ends a
    line there), a NUL byte, or a quote after a space or tab (DuckDB skips blanks before an opening
    quote, pyarrow keeps them and the quotes as text)."""
    hasher = hashlib.sha256()
    lf = cr = crlf = 0
    plain = True
    last = b""
    blank_quote = [b' "'] + ([b'\t"'] if delimiter != "\t" else [])
    line_ends = b"\n\r" + (b"\t" if delimiter == "\t" else b"")
    controls = False
    with _open_bytes(path) as f:
        hasher.update(f.read(start))
        while chunk := f.read(BLOCK_BYTES):
            hasher.update(chunk)
            if not plain:
                continue
            controls = controls or _has_controls(chunk, line_ends)
            lf += chunk.count(b"\n")
            if chunk.find(b"\r") >= 0 or last == b"\r":
                cr += chunk.count(b"\r")
                crlf += chunk.count(b"\r\n") + (last == b"\r" and chunk.startswith(b"\n"))
            if chunk.find(b"\x00") >= 0 or (last in (b" ", b"\t") and chunk.startswith(b'"')):
                plain = False
            elif chunk.find(b" ") >= 0 or chunk.find(b"\t") >= 0:
                plain = not any(chunk.find(p) >= 0 for p in blank_quote)
            last = chunk[-1:]
    if cr != crlf:
        plain = False
    lines = lf + (last not in (b"", b"\n", b"\r"))  # a last line without a line end
    return _Scan(sha256=hasher.hexdigest(), lines=lines, plain=plain, controls=controls)


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


def _read_csv_duckdb(path: Path, hdr: _CsvHeader, ctx: _BlockContext, encoding: str, sink: DuckDBSink) -> RawFile | None:
    """Read the body with DuckDB into the sink; None (nothing kept) when that could differ from the
    block reader in any way: the caller then reads the file block by block.

    One pass, no copy: the body table holds every row (trimmed as _finish trims, with a `_keep` flag)
    in file order, and the sink's table becomes a view numbering them by rowid."""
    skip = hdr.data_line - 1
    if hdr.title_rows + 1 != skip:  # a row above the data spans lines: `skip` would not match
        return None
    con, body = sink.con, sink.body_ref
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(ctx.ncols)) + "}"
    trimmed = ", ".join(f"{_trim_sql(f'c{i}')} AS c{i}" for i in ctx.read)
    # As in _finish: blank when every contract column is empty; summary rows by their labels.
    not_blank = " OR ".join(f"c{i} IS NOT NULL" for _, i in ctx.mapped)
    probes = ["coalesce(" + ", ".join(f"c{i}" for i in ctx.read) + ")"]
    if ctx.ordinal is not None:
        probes.append(f"c{ctx.ordinal}")
    township = dict(ctx.mapped).get("township")
    if township is not None:
        probes.append(f"c{township}")
    pattern = "'" + SUMMARY_PATTERN.replace("'", "''") + "'"
    summary = " OR ".join(f"coalesce(contains({p}, '计') AND regexp_matches({p}, {pattern}), false)" for p in probes)
    mapped = ", ".join(f"c{i} AS {_q(c)}" for c, i in ctx.mapped)
    old_order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    done = False
    with ThreadPoolExecutor(max_workers=1) as pool:
        scan_future = pool.submit(_scan_csv, path, hdr.data_offset, hdr.delimiter)
        try:
            # Insertion order kept: the body table's rowid is then the row's ordinal in the file.
            con.execute("SET preserve_insertion_order = true")
            con.execute(
                f"""CREATE OR REPLACE TABLE {body} AS
                    SELECT {mapped}, ({not_blank}) AND NOT ({summary}) AS _keep
                    FROM (SELECT {trimmed} FROM read_csv(?, columns = {columns}, header = false, skip = ?,
                          delim = ?, quote = '"', escape = '"', auto_detect = false, strict_mode = true,
                          null_padding = false, encoding = 'utf-8'))""",  # noqa: S608 - our names only
                [str(path), skip, hdr.delimiter],
            )
            n, kept = con.execute(f"SELECT count(*), count(*) FILTER (WHERE _keep) FROM {body}").fetchall()[0]  # noqa: S608
            scan = scan_future.result()
            if not scan.plain or n != scan.lines:
                return None
            names = ", ".join(_q(c) for c, _ in ctx.mapped)
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
        ignored_columns=hdr.match.ignored, table=_empty_table(ctx.mapped), rows_read=hdr.title_rows + n,
        skipped=hdr.title_rows + dropped, malformed=[], sha256=scan.sha256, data_rows=n - dropped,
        controls=scan.controls,
    )


def _find_csv_header(path: Path, head: bytes, whole: bool, encoding: str) -> _CsvHeader:
    raw_lines = head.splitlines(keepends=True)
    if not whole and raw_lines and not raw_lines[-1].endswith((b"\n", b"\r")):
        raw_lines.pop()  # cut mid-line
    codec = "gb18030" if encoding == "gb18030" else "utf-8"
    texts = [line.decode(codec, errors="replace") for line in raw_lines]
    if texts and encoding == "utf-8-sig":
        texts[0] = texts[0].removeprefix("\ufeff")
    delimiters = ["\t", ","] if head.count(b"\t") > head.count(b",") else [",", "\t"]
    unknown_line = 0
    for delimiter in delimiters:
        reader = csv.reader(iter(texts), delimiter=delimiter)
        prev_line = 0
        try:
            for index, row in enumerate(reader):
                if index >= HEADER_SCAN_ROWS:
                    break
                start, prev_line = prev_line + 1, reader.line_num
                match = headers.recognize(row)
                if match is None:
                    if not unknown_line and headers.known_header_count(row) >= headers.MIN_KNOWN_HEADERS:
                        unknown_line = start
                    continue
                end = reader.line_num
                ncols = _data_width(texts[end:], delimiter, row)
                return _CsvHeader(
                    delimiter=delimiter, cells=row, match=match, header_line=start, title_rows=index,
                    data_offset=sum(len(x) for x in raw_lines[:end]), data_line=end + 1, ncols=ncols,
                )
        except csv.Error:
            continue
    if unknown_line:
        raise ReadError("unknown_kind", path, line=unknown_line)
    raise ReadError("no_header", path, rows=HEADER_SCAN_ROWS)


def _data_width(texts: list[str], delimiter: str, header: list[str]) -> int:
    """Fields per data row. Usually the header's count; when the data rows agree on another count
    and the difference is only empty header cells or extra columns (trailing delimiters), theirs."""
    n = len(header)
    counts: collections.Counter[int] = collections.Counter()
    try:
        for i, row in enumerate(csv.reader(iter(texts), delimiter=delimiter)):
            if i >= 50:
                break
            if any(c.strip() for c in row):
                counts[len(row)] += 1
    except csv.Error:
        return n
    if not counts:
        return n
    m, votes = counts.most_common(1)[0]
    if m == n or votes * 2 <= sum(counts.values()):
        return n
    if m > n or not any(c.strip() for c in header[m:]):
        return m
    return n


def _ordinal_index(cells: Sequence[object]) -> int | None:
    for i, cell in enumerate(cells):
        if headers.clean_header(cell) in ("序号", "序", "编号"):
            return i
    return None


def _missing_error(path: Path, kind: str, missing: list[str], line: int) -> ReadError:
    labels = headers.COLUMN_LABELS[kind]
    return ReadError(
        "missing_required", path, kind=kind, kind_label=t(f"kind.{kind}"),
        missing=missing, columns="、".join(labels.get(c, c) for c in missing), line=line,
    )


@dataclass
class _BlockContext:
    encoding: str
    delimiter: str
    ncols: int
    mapped: list[tuple[str, int]]  # (canonical, column index) in file order
    ordinal: int | None  # 序号 column
    read: list[int] = field(default_factory=list)  # columns converted: mapped + what finds 合计 rows

    def __post_init__(self) -> None:
        # Columns left of the first contract column hold 序号/合计 labels; later ignored columns
        # (自然村, 备注 …) are not converted at all.
        needed = {i for _, i in self.mapped}
        needed.update(range(min(needed) + 1))
        if self.ordinal is not None:
            needed.add(self.ordinal)
        self.read = sorted(i for i in needed if i < self.ncols)


@dataclass
class _Part:
    table: pa.Table
    rows: int  # rows in the block (valid + wrong shape)
    lines: int  # physical lines in the block
    skipped: int
    malformed: list[tuple[int, str]] = field(default_factory=list)
    data_rows: int = 0  # rows handed to a sink
    undecodable: list[tuple[int, str]] = field(default_factory=list)  # (line, raw bytes escaped)
    controls: bool = False  # holds control characters (see _table_has_controls)


def _run_blocks(
    path: Path, hdr: _CsvHeader, ctx: _BlockContext, hasher: hashlib._Hash, sink: Sink | None = None
) -> list[_Part]:
    """Parse blocks in parallel. Workers number lines from 1 within their block (counting lines is
    work too); the offsets are added here, in block order."""
    workers = WORKERS
    parts: list[_Part] = []
    pending: collections.deque[Future[_Part]] = collections.deque()
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
        base += part.lines
        if sink is not None and part.table.num_rows:  # hand the rows over; keep only the counts
            sink(part.table)
            part.data_rows = part.table.num_rows
            part.table = part.table.schema.empty_table()
        parts.append(part)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            for block in _csv_blocks(path, hdr.data_offset, hasher):
                pending.append(pool.submit(_parse_block, path, block, ctx))
                while len(pending) > workers * 2:  # bounded memory: a few blocks in flight
                    collect()
            while pending:
                collect()
        finally:
            for fut in pending:
                fut.cancel()
    return parts


def _csv_blocks(path: Path, start: int, hasher: hashlib._Hash) -> Iterator[bytes]:
    """Blocks of whole rows from byte `start` (cut outside quoted values); hashes the whole file."""
    with _open_bytes(path) as f:
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
            cut = _cut(buf)
            if cut <= 0:
                carry = buf
                continue
            yield buf[:cut]
            carry = buf[cut:]


def _cut(buf: bytes) -> int:
    """End of the last complete row in buf: after a \\n with an even number of quotes before it
    (so not inside a quoted value). -1 when there is none yet."""
    pos = buf.rfind(b"\n")
    if pos < 0 or b'"' not in buf:
        return pos + 1 if pos >= 0 else -1
    last = pos
    quotes = buf.count(b'"', 0, pos + 1)
    while quotes % 2:
        prev = buf.rfind(b"\n", 0, pos)
        if prev < 0:
            # No boundary outside quotes: wait for more data, unless a stray quote makes that endless.
            return -1 if len(buf) < 4 * BLOCK_BYTES else last + 1
        quotes -= buf.count(b'"', prev + 1, pos + 1)
        pos = prev
    return pos + 1


def _parse_block(path: Path, block: bytes, ctx: _BlockContext) -> _Part:
    """One block → table with block-relative `_line` (1 = the block's first line).

    Lines that do not decode are mended (bad bytes → U+FFFD) so that the block parses with its line
    numbers intact, and the rows they belong to are then taken out as undecodable."""
    first_line = 1
    n_lines = _count_lines(block) + (not block.endswith((b"\n", b"\r")))
    undecodable: dict[int, str] = {}
    if ctx.encoding == "gb18030":
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
    starts = _row_starts(block, first_line, n_lines, n_rows)
    bad_index = [number - 1 for number, _ in invalid if 0 < number <= n_rows]
    if len(bad_index) != len(invalid):  # never seen with a serial parse; keep the counts right
        raise ReadError("bad_csv", path, reason="row numbers unavailable", line=first_line)
    lines = np.delete(starts, bad_index) if bad_index else starts
    # the rows holding undecodable lines (a quoted value may span lines: a row is where its first line is)
    bad_rows: dict[int, list[str]] = {}
    for line, text in sorted(undecodable.items()):
        bad_rows.setdefault(max(0, int(np.searchsorted(starts, line, side="right")) - 1), []).append(text)
    if bad_rows:
        valid = np.delete(np.arange(n_rows), bad_index) if bad_index else np.arange(n_rows)
        keep = ~np.isin(valid, list(bad_rows))
        table, lines = table.filter(pa.array(keep)), lines[keep]
    skipped = 0
    malformed: list[tuple[int, str]] = []
    for (_, text), idx in zip(invalid, bad_index, strict=True):
        if idx in bad_rows:
            continue
        if _is_blank_or_summary_text(text, ctx.delimiter):
            skipped += 1
        else:
            malformed.append((int(starts[idx]) if 0 <= idx < len(starts) else -1, text))
    out, dropped = _finish(dict(zip(ctx.read, table.columns, strict=True)), lines, ctx.mapped, ctx.ordinal)
    return _Part(table=out, rows=n_rows, lines=n_lines, skipped=skipped + dropped, malformed=malformed,
                 controls=_table_has_controls(out), undecodable=[(int(starts[idx]), "\n".join(texts)) for idx, texts in sorted(bad_rows.items())])


def _parse_rows(path: Path, block: bytes, ctx: _BlockContext) -> tuple[pa.Table, list[tuple[int, str]]]:
    """Parse a block; wrong-shape rows are collected. Invalid UTF-8 raises pa.ArrowInvalid."""
    try:
        return _arrow_parse(block, ctx, with_handler=False)
    except pa.ArrowInvalid as exc:
        if "utf8" in str(exc).lower():
            raise
        try:  # wrong-shape rows: parse again collecting them (a Python callback costs speed)
            return _arrow_parse(block, ctx, with_handler=True)
        except pa.ArrowInvalid as exc2:
            raise ReadError("bad_csv", path, reason=str(exc2)[:200], line=1) from None


def _mend(block: bytes, codec: str) -> tuple[bytes, dict[int, str]]:
    """The block as UTF-8 with each undecodable byte replaced by U+FFFD, and the lines that had any
    (1-based line in the block → the line's bytes escaped: what decodes as text, the rest as \\xNN)."""
    out: list[bytes] = []
    bad: dict[int, str] = {}
    for i, line in enumerate(block.splitlines(keepends=True)):
        try:
            text = line.decode(codec)
        except UnicodeDecodeError:
            text = line.decode(codec, errors="replace")
            bad[i + 1] = escape_bytes(line.rstrip(b"\r\n"), codec)
        out.append(text.encode("utf-8"))
    return b"".join(out), bad


def escape_bytes(data: bytes, codec: str) -> str:
    """Raw bytes for a person to read: the characters that decode, the bytes that do not as \\xNN."""
    return data.decode(codec, errors="backslashreplace")


def _arrow_parse(block: bytes, ctx: _BlockContext, *, with_handler: bool) -> tuple[pa.Table, list[tuple[int, str]]]:
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


def _row_starts(block: bytes, first_line: int, n_lines: int, n_rows: int) -> np.ndarray:
    """Physical line on which each of the block's n_rows rows starts (n_lines: lines in the block)."""
    if n_lines == n_rows:
        return np.arange(first_line, first_line + n_rows, dtype=np.int64)
    # Quoted values span lines: walk the lines, a row starts on a line that begins outside quotes.
    starts: list[int] = []
    inside = False
    for offset, line in enumerate(block.splitlines(keepends=True)):
        if not inside:
            starts.append(first_line + offset)
        if line.count(b'"') % 2:
            inside = not inside
    while len(starts) < n_rows:  # unbalanced quotes: best effort
        starts.append(starts[-1] + 1 if starts else first_line)
    return np.asarray(starts[:n_rows], dtype=np.int64)


def _is_blank_or_summary_text(text: str, delimiter: str) -> bool:
    try:
        cells = next(csv.reader([text], delimiter=delimiter), [])
    except csv.Error:
        cells = text.split(delimiter)
    values = [c.strip() for c in cells if c.strip()]
    return not values or bool(_SUMMARY_PY.search(values[0]))


# ---------------------------------------------------------------------------- shared post-processing

_WS = r"[\s\x{3000}\x{a0}]*"
# 合计 / 合 计 / 合计: at the start, or a label ending in it (乌加河镇小计).
SUMMARY_PATTERN = rf"^(?:合{_WS}计|小{_WS}计|总{_WS}计|共{_WS}计)|(?:合计|小计|总计)[:：]?$"
_SUMMARY_PY = re.compile(SUMMARY_PATTERN.replace(r"\x{3000}", "\u3000").replace(r"\x{a0}", "\xa0"))


def _finish(
    columns: dict[int, pa.ChunkedArray | pa.Array],
    lines: np.ndarray,
    mapped: list[tuple[str, int]],
    ordinal: int | None,
) -> tuple[pa.Table, int]:
    """Trim cells, empty → null, drop blank and summary rows; keep `_line` + the mapped columns.

    A row is blank when every contract column is empty (a pre-numbered template row with only 序号
    filled is blank too). A summary row has 合计/小计/总计 in its first non-empty cell, its 序号
    cell or its township cell. Returns the table and the number of rows dropped.
    """
    cols = {i: _trim_null(c) for i, c in sorted(columns.items())}
    n = len(lines)
    if n == 0:
        return _empty_table(mapped), 0
    present = [pc.is_valid(cols[i]) for _, i in mapped]
    not_blank = present[0]
    for p in present[1:]:
        not_blank = pc.or_(not_blank, p)
    probes = [pc.coalesce(*cols.values())]
    if ordinal is not None:
        probes.append(cols[ordinal])
    township = dict(mapped).get("township")
    if township is not None:
        probes.append(cols[township])
    summary = None
    for probe in probes:
        if not pc.any(pc.match_substring(probe, "计")).as_py():  # cheap pre-check
            continue
        hit = pc.fill_null(pc.match_substring_regex(probe, SUMMARY_PATTERN), False)
        summary = hit if summary is None else pc.or_(summary, hit)
    keep = not_blank if summary is None else pc.and_(not_blank, pc.invert(summary))
    data = {"_line": pa.array(lines.astype(np.int32), pa.int32())}
    for canonical, i in mapped:
        data[canonical] = cols[i]
    table = pa.table(data)
    kept = pc.sum(keep).as_py() or 0
    if kept < n:
        table = table.filter(keep)
    return table, n - kept


def _trim_null(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Strip whitespace (full-width too) and make empty cells null. The parse already turned empty
    fields into nulls, so only whitespace-only cells are left to null (checked via min length)."""
    col = pc.utf8_trim_whitespace(col)
    lengths = pc.binary_length(col)
    shortest = pc.min(lengths).as_py()
    if shortest is None or shortest > 0:
        return col
    return pc.if_else(pc.equal(lengths, 0), pa.scalar(None, pa.string()), col)


def _table_has_controls(table: pa.Table) -> bool:
    """Whether any text of the table holds a control character (C0 or DEL; tab and line breaks allowed
    in multi-line fields): a pass of numpy over each column's bytes, so that clean files skip the SQL
    that finds and strips them (etl.stage.strip_controls)."""
    for name in table.column_names:
        if name == "_line":
            continue
        allowed = b"\t\n\r" if name in MULTI_LINE_FIELDS else b""
        for chunk in table.column(name).chunks:
            data = chunk.buffers()[2]
            if data is not None and _has_controls(data.to_pybytes(), allowed):
                return True
    return False


def _has_controls(data: bytes, allowed: bytes) -> bool:
    """Whether bytes hold a control character other than those in `allowed` (UTF-8 and GB18030 never
    use bytes below 0x20 or 0x7F inside a character). One numpy pass and a few memchr-like counts."""
    below = int(np.count_nonzero(np.frombuffer(data, np.uint8) < 0x20))
    return data.count(b"\x7f") > 0 or below > sum(data.count(bytes([b])) for b in allowed)


def _empty_table(mapped: list[tuple[str, int]]) -> pa.Table:
    fields = [pa.field("_line", pa.int32())] + [pa.field(c, pa.string()) for c, _ in mapped]
    return pa.schema(fields).empty_table()


def _concat(tables: list[pa.Table], ctx: _BlockContext) -> pa.Table:
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return _empty_table(ctx.mapped)
    return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


# -------------------------------------------------------------------------------------------- Excel


def _check_zip(path: Path) -> None:
    """Reject what is not a zip, and zip bombs, before the xlsx parser sees the file."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise ReadError("corrupt_xlsx", path, reason=f"解压后 {_mb(total)}，超过上限")
            for info in infos:
                if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise ReadError("corrupt_xlsx", path, reason=f"压缩比异常（{info.filename}）")
            # Checks every CRC; zipfile never inflates past the declared size, so a lying
            # directory fails here instead of exhausting memory in the parser.
            bad = zf.testzip()
            if bad is not None:
                raise ReadError("corrupt_xlsx", path, reason=f"校验失败（{bad}）")
    except ReadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ReadError("corrupt_xlsx", path, reason=type(exc).__name__) from None


def _read_excel(path: Path) -> Book:
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise ReadError("encrypted", path) from None
    except Exception as exc:  # calamine raises several error types for damaged files
        raise ReadError("corrupt_xlsx", path, reason=type(exc).__name__) from None
    with workbook:
        try:
            return _read_sheets(path, _workbook_sheets(workbook), "xlsx")
        except ReadError:
            raise
        except calamine.PasswordError:
            raise ReadError("encrypted", path) from None
        except Exception as exc:
            raise ReadError("corrupt_xlsx", path, reason=type(exc).__name__) from None


Merged = Sequence[tuple[tuple[int, int], tuple[int, int]]]  # ((first row, col), (last row, col)), 0-based


@dataclass
class _Sheet:
    """One table of a workbook or an HTML file: its first rows (to find the header), then all of them."""

    name: str
    head: Callable[[], list[list[object]]]  # at least the first HEADER_SCAN_ROWS rows
    rows: Callable[[], list[list[object]]]
    merged: Callable[[], Merged]
    hidden: bool = False


def _workbook_sheets(workbook: calamine.CalamineWorkbook) -> list[_Sheet]:
    sheets = []
    for index, meta in enumerate(workbook.sheets_metadata):
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            continue
        sheet = workbook.get_sheet_by_index(index)
        sheets.append(_Sheet(
            name=meta.name,
            head=lambda sheet=sheet: sheet.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS),
            rows=lambda sheet=sheet: sheet.to_python(skip_empty_area=False),
            merged=lambda sheet=sheet: sheet.merged_cell_ranges or [],
            hidden=meta.visible != calamine.SheetVisibleEnum.Visible,
        ))
    return sheets


def _read_sheets(path: Path, sheets: list[_Sheet], encoding: str) -> Book:
    """Every sheet whose header is recognised, in workbook order. A hidden sheet (usually a code list)
    is read only when no visible one has a header. Raises the first sheet's reason when none has."""
    parts: list[RawFile] = []
    skipped: list[tuple[str, str]] = []
    errors: list[ReadError] = []
    visible = [s for s in sheets if not s.hidden]
    for group in (visible, [s for s in sheets if s.hidden]):
        for sheet in group:
            try:
                parts.append(_read_sheet(path, sheet, encoding))
            except ReadError as exc:
                skipped.append((sheet.name, exc.code))
                errors.append(exc)
        if parts:
            skipped += [(s.name, "hidden") for s in sheets if s.hidden and group is visible]
            return Book(parts, skipped)
    # No sheet loads: say why, most specific first (a header lacking columns, one of unknown kind).
    for code in ("missing_required", "unknown_kind"):
        for exc in errors:
            if exc.code == code:
                raise exc
    raise ReadError("no_header", path, rows=HEADER_SCAN_ROWS)


def _read_sheet(path: Path, sheet: _Sheet, encoding: str) -> RawFile:
    head = sheet.head()[:HEADER_SCAN_ROWS]
    merged = sheet.merged()
    r, cells, match = _find_sheet_header(path, head, merged)
    rows = sheet.rows()
    return _sheet_to_raw(path, sheet.name, rows, r, cells, match, merged, encoding)


def _find_sheet_header(
    path: Path, head: list[list[object]], merged: Merged
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
        if match is None:
            if not unknown_line and headers.known_header_count(row) >= headers.MIN_KNOWN_HEADERS:
                unknown_line = r + 1
            continue
        if r + 1 < len(filled):
            lower = [b if b else a for a, b in itertools.zip_longest(row, filled[r + 1])]
            below = headers.recognize(lower)
            if below is not None and len(below.columns) > len(match.columns):
                r, row, match = r + 1, lower, below
        missing = headers.missing_required(match.kind, match.columns)
        if missing:
            raise _missing_error(path, match.kind, missing, r + 1)
        return r, row, match
    if unknown_line:
        raise ReadError("unknown_kind", path, line=unknown_line)
    raise ReadError("no_header", path, rows=HEADER_SCAN_ROWS)


def _fill_down(head: list[list[object]], merged: Merged) -> list[list[str | None]]:
    """The rows as text, a label merged down over several rows repeated in its column below."""
    rows = [[cell_text(c) for c in row] for row in head]
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
) -> RawFile:
    width = max((i + 1 for i, c in enumerate(header_cells) if c), default=0)
    # Exporters merge township/village/household cells down a household's rows: fill the range
    # with its top-left value (only ranges starting below the header).
    for (r0, c0), (r1, c1) in merged:
        if r0 <= h or r0 >= len(rows) or c0 >= width:
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, width - 1, len(row) - 1) + 1):
                row[c] = value
    data = rows[h + 1:]
    columns = {
        j: pa.array([cell_text(row[j]) if j < len(row) else None for row in data], pa.string())
        for j in range(width)
    }
    lines = np.arange(h + 2, h + 2 + len(data), dtype=np.int64)
    mapped = sorted(match.columns.items(), key=lambda kv: kv[1])
    table, dropped = _finish(columns, lines, mapped, _ordinal_index(header_cells))
    return RawFile(
        path=path, kind=match.kind, encoding=encoding, header_line=h + 1,
        columns={c: str(header_cells[i]).strip() for c, i in mapped},
        ignored_columns=match.ignored, table=table, rows_read=h + len(data), skipped=h + dropped,
        malformed=[], sha256=_sha256(path), sheet=sheet_name, controls=_table_has_controls(table),
    )


# --------------------------------------------------------------------------------------------- HTML


def _looks_like_html(head: bytes) -> bool:
    """An HTML page, as web systems' 导出Excel buttons write it (named .xls)."""
    text = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if text.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="ignore").encode("ascii", errors="ignore").lstrip().lower()
    return text.startswith(b"<") and any(tag in text for tag in (b"<html", b"<table", b"<!doctype html", b"<meta"))


_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING_RE = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Declared names whose bytes are GB18030 in practice (GB18030 is a superset of GB2312 and GBK).
_GB_NAMES = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "gb_2312", "euc-cn", "cp936", "ms936", "windows-936",
             "csgb2312", "iso-ir-58", "chinese", "gb18030"}


def html_text(path: Path, data: bytes) -> tuple[str, str]:
    """The page as text and the codec used: a BOM, else the charset a <meta> (charset= or http-equiv)
    or an XML declaration names, else UTF-8, else GB18030. A declaration that the bytes contradict is
    ignored for the next candidate (systems declare UTF-8 and write GBK)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    candidates: list[str] = []
    sniff = data[:HEAD_BYTES]
    declared = _CHARSET_RE.search(sniff) or _XML_ENCODING_RE.search(sniff)
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            candidates.append("gb18030" if name in _GB_NAMES else codecs.lookup(name).name)
        except LookupError:
            pass
    candidates += [c for c in ("utf-8", "gb18030") if c not in candidates]
    error: UnicodeDecodeError | None = None
    for codec in candidates:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as exc:
            error = error or exc
    assert error is not None
    raise ReadError("undecodable", path, line=_line_at(data, error.start))


class _HtmlTables(HTMLParser):
    """The tables of an HTML page as grids: `colspan`/`rowspan` cells keep their text in the top-left
    cell and leave the others empty, with the merged range listed, as a spreadsheet reader gives them.
    Tolerant of what browsers tolerate: omitted </td> and </tr>, nested tables (each its own)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[list[object]], list[tuple[tuple[int, int], tuple[int, int]]]]] = []
        self._stack: list[dict] = []
        self._skip = 0  # inside <script>/<style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._stack.append({"rows": [], "merged": [], "taken": set(), "row": None, "cell": None})
        elif not self._stack:
            return
        elif tag == "tr":
            self._end_row()
            self._stack[-1]["row"] = []
        elif tag in ("td", "th"):
            t = self._stack[-1]
            self._end_cell()
            if t["row"] is None:
                t["row"] = []
            span = {k: _span(v) for k, v in attrs if k in ("colspan", "rowspan")}
            t["cell"] = ([], span.get("colspan", 1), span.get("rowspan", 1))
        elif tag == "br":
            self._text("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif not self._stack:
            return
        elif tag == "table":
            self._end_row()
            t = self._stack.pop()
            self.tables.append((t["rows"], t["merged"]))
        elif tag == "tr":
            self._end_row()
        elif tag in ("td", "th"):
            self._end_cell()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._text("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._text(data)

    def _text(self, data: str) -> None:
        if self._stack and self._stack[-1]["cell"] is not None:
            self._stack[-1]["cell"][0].append(data)

    def _end_cell(self) -> None:
        t = self._stack[-1]
        if t["cell"] is None:
            return
        parts, colspan, rowspan = t["cell"]
        t["cell"] = None
        r, row = len(t["rows"]), t["row"]
        c = len(row)
        while (r, c) in t["taken"]:  # columns held by a rowspan from above
            row.append("")
            c += 1
        # Source line breaks and indentation are layout; <br> is a line break in the cell.
        lines = ("".join(parts)).split("\n")
        text = "\n".join(" ".join(line.split()) for line in lines).strip()
        row.append(text)
        row.extend([""] * (colspan - 1))
        for dr in range(1, rowspan):
            for dc in range(colspan):
                t["taken"].add((r + dr, c + dc))
        if colspan > 1 or rowspan > 1:
            t["merged"].append(((r, c), (r + rowspan - 1, c + colspan - 1)))

    def _end_row(self) -> None:
        t = self._stack[-1]
        self._end_cell()
        if t["row"] is None:
            return
        r, row = len(t["rows"]), t["row"]
        while (r, len(row)) in t["taken"]:
            row.append("")
        t["rows"].append(row)
        t["row"] = None


def _span(value: str | None) -> int:
    match = re.match(r"\s*(\d+)", value or "")
    return max(1, min(int(match.group(1)), 1000)) if match else 1


def _read_html(path: Path) -> Book:
    """An HTML page's tables, each read like a sheet (named 表1, 表2 … when there are several)."""
    data = path.read_bytes()
    text, codec = html_text(path, data)
    parser = _HtmlTables()
    parser.feed(text)
    parser.close()
    while parser._stack:  # tables left open at the end of the page
        parser.handle_endtag("table")
    tables = [t for t in parser.tables if t[0]]
    if not tables:
        raise ReadError("no_header", path, rows=HEADER_SCAN_ROWS)
    sheets = [
        _Sheet(name=f"表{i + 1}", head=lambda rows=rows: rows[:HEADER_SCAN_ROWS], rows=lambda rows=rows: rows,
               merged=lambda merged=merged: merged)
        for i, (rows, merged) in enumerate(tables)
    ]
    return _read_sheets(path, sheets, f"html:{codec}")


def cell_text(value: object) -> str | None:
    """An Excel cell as the text a user sees; None when empty.

    Integral floats become integers (IDs, 户编号); floats of 1e15 and more lost digits in Excel,
    so they are shown as Excel shows them (`1.50824E+17`) for the validator to flag.
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
            return excel_general(value)
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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
