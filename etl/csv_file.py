"""One CSV file (or a `.csv.gz`, read as its text): its encoding from a sample, its header row (etl.headers,
searched in the first HEADER_SCAN_ROWS rows), then its body by the fast path (etl.csv_fast) when the rows
go to a DuckDBSink and the file is UTF-8, else by the block parser (etl.csv_blocks). A file mostly
undecodable (more than half of its data rows) is refused; otherwise its undecodable rows are rejected."""

from __future__ import annotations

import codecs
import collections
import csv
import hashlib
import os
import tempfile
from pathlib import Path

from etl import csv_fast, headers
from etl.archive_checks import open_bytes
from etl.csv_blocks import BlockContext, CsvHeader, concat_parts, run_blocks
from etl.fields import NAME_FIELDS
from etl.raw_file import HEADER_SCAN_ROWS, DuckDBSink, RawFile, ReadError, Sink, missing_error
from etl.raw_rows import ordinal_index, unwrapped

HEAD_BYTES = 1 << 20  # sample for encoding and header detection
# A file with more undecodable rows than this share of its data rows is refused (data-spec §1.3: "mostly
# undecodable"); with fewer, its good rows load and the bad ones are rejected (`undecodable_row`). The
# share decides nothing about the encoding (`detect_encoding` does, and the ASCII-head retry in `read_csv`
# compares the counts of bad rows of both readings).
UNDECODABLE_SHARE = 0.5
# FUPIN_CSV_FAST=0 forces the block reader (tests compare both paths).
FAST_CSV = os.environ.get("FUPIN_CSV_FAST", "1") != "0"


def read_csv(path: Path, sink: Sink | None = None) -> RawFile:
    with open_bytes(path) as f:
        head = f.read(HEAD_BYTES)
        whole = not f.read(1)
    if _utf16_text(head):
        return _read_utf16(path, sink)
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise ReadError("empty_file", path)
    encoding, ascii_head = detect_encoding(head, whole)
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
    refuse_mostly_undecodable(raw)
    return raw


def _utf16_codec(head: bytes) -> str | None:
    """The UTF-16 byte order its byte-order mark gives, or None."""
    return {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}.get(head[:2])


def _utf16_text(head: bytes) -> bool:
    """UTF-16 lines of a table: its byte-order mark, and line ends and a delimiter once decoded. Any bytes
    decode as UTF-16, so the mark alone is no proof: junk that begins with FF FE stays "undecodable"."""
    codec = _utf16_codec(head)
    if codec is None:
        return False
    text = head[2:len(head) - len(head) % 2].decode(codec, errors="replace")
    return "\n" in text and ("\t" in text or "," in text)


def _read_utf16(path: Path, sink: Sink | None) -> RawFile:
    """Excel's "Unicode 文本" (UTF-16 behind its byte-order mark, tab-separated, often named .xls or .txt):
    read as a UTF-8 copy, whose lines are the file's lines. It was refused as undecodable (a probe). Bytes
    that are no UTF-16 refuse the file at their line: a UTF-16 file is a tool's output, not typed text."""
    with open_bytes(path) as src:
        codec = _utf16_codec(src.read(2)) or "utf-16-le"  # the caller checked the mark (`_utf16_text`)
        decoder = codecs.getincrementaldecoder(codec)()
        with tempfile.TemporaryDirectory(prefix="fupin-utf16-") as tmp:
            copy = Path(tmp) / "utf16.txt"
            line = 1
            with open(copy, "wb") as out:
                while True:
                    chunk = src.read(HEAD_BYTES)
                    try:
                        text = decoder.decode(chunk, final=not chunk)
                    except UnicodeDecodeError as exc:  # the line of the first bad unit
                        good = exc.object[:exc.start].decode(codec, errors="replace")
                        raise ReadError("undecodable", path, line=line + good.count("\n")) from None
                    out.write(text.encode("utf-8"))
                    line += text.count("\n")
                    if not chunk:
                        break
            raw = read_csv(copy, sink)
    raw.path, raw.encoding = path, "utf-16"
    return raw


def refuse_mostly_undecodable(raw: RawFile) -> None:
    """data-spec §1.3: a file (or sheet) whose data rows are mostly undecodable is refused, naming its
    first bad line; with fewer, its bad rows are rejected one by one and the rest loads."""
    bad = len(raw.undecodable)
    body = raw.rows_read - (raw.header_line - raw.first_line)
    if bad > UNDECODABLE_SHARE * body:
        raise ReadError("undecodable_rows", raw.path, line=raw.undecodable[0][0], bad=bad, rows=body)


def detect_encoding(head: bytes, whole: bool) -> tuple[str, bool]:
    """(encoding, whether the sample is all ASCII): UTF-8 (with BOM → utf-8-sig) when the sample is valid
    UTF-8. Else lines vote: UTF-8 when at least half of those with non-ASCII bytes that decode at all (as
    UTF-8 or as GB18030) are valid UTF-8 (text in GBK almost never is), else GB18030. Lines that decode in
    neither have no vote: a clean UTF-8 header above rows of junk is a UTF-8 file, mostly undecodable, not
    a GB18030 one undecodable from line 1. Undecodable rows are then rejected one by one; they do not
    decide the encoding (UTF-8 text with one bad byte may well decode as GB18030, into nonsense)."""
    if head.startswith(codecs.BOM_UTF8):
        # a UTF-8 mark before GBK text (some tools add one to any export): the text decides
        body = head[len(codecs.BOM_UTF8):]
        return ("utf-8-sig" if detect_encoding(body, whole)[0] == "utf-8" else "gb18030"), False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
        return "utf-8", head.isascii()
    except UnicodeDecodeError:
        pass
    lines = head.splitlines()
    if not whole and lines:
        lines.pop()  # cut mid-line, maybe mid-character
    wide = [line for line in lines if not line.isascii()]
    bad_utf8 = set(_bad_lines(wide, "utf-8"))
    voters = len(wide) - len(bad_utf8 & set(_bad_lines(wide, "gb18030")))  # lines that decode in either
    utf8 = len(wide) - len(bad_utf8)
    return ("utf-8" if utf8 and 2 * utf8 >= voters else "gb18030"), False


def _bad_lines(lines: list[bytes], codec: str) -> list[int]:
    """Indexes of the lines that do not decode."""
    bad = []
    for i, line in enumerate(lines):
        try:
            line.decode(codec)
        except UnicodeDecodeError:
            bad.append(i)
    return bad


def _read_csv_as(path: Path, head: bytes, whole: bool, encoding: str, sink: Sink | None = None) -> RawFile:
    hdr = _find_csv_header(path, head, whole, encoding)
    kind = hdr.match.kind
    missing = headers.missing_required(kind, hdr.match.columns)
    if missing:
        raise missing_error(path, kind, missing, hdr.header_line, hdr.cells)
    ctx = BlockContext(
        encoding=encoding,
        delimiter=hdr.delimiter,
        ncols=hdr.ncols,
        mapped=sorted(hdr.match.columns.items(), key=lambda kv: kv[1]),
        ordinal=ordinal_index(hdr.cells),
        header_width=max((i + 1 for i, cell in enumerate(hdr.cells) if cell.strip()), default=0),
        text_formulas=b'="' in head[hdr.data_offset:],
    )
    if FAST_CSV and isinstance(sink, DuckDBSink) and encoding in ("utf-8", "utf-8-sig"):
        fast = csv_fast.read_csv_duckdb(path, hdr, ctx, encoding, sink)
        if fast is not None:
            return fast
        sink(None)
    hasher = hashlib.sha256()
    parts = run_blocks(path, hdr, ctx, hasher, sink)
    data_rows = sum(p.table.num_rows for p in parts) if sink is None else sum(p.data_rows for p in parts)
    table = concat_parts([p.table for p in parts], ctx)
    malformed = [m for p in parts for m in p.malformed]
    undecodable = [u for p in parts for u in p.undecodable]
    unclosed = [u for p in parts for u in p.unclosed_quote]
    skipped = hdr.title_rows + sum(p.skipped for p in parts)
    rows_read = hdr.title_rows + sum(p.rows for p in parts)
    return RawFile(
        path=path, kind=kind, encoding=encoding, header_line=hdr.header_line,
        columns={c: hdr.cells[i].strip() for c, i in ctx.mapped},
        ignored_columns=hdr.match.ignored, table=table, rows_read=rows_read, skipped=skipped,
        malformed=malformed, sha256=hasher.hexdigest(), data_rows=data_rows, undecodable=undecodable,
        unclosed_quote=unclosed,
        controls=any(p.controls for p in parts), delimiter=hdr.delimiter,
        name_cells={c: i for c, i in ctx.mapped if c in NAME_FIELDS},
    )


def _find_csv_header(path: Path, head: bytes, whole: bool, encoding: str) -> CsvHeader:
    raw_lines = head.splitlines(keepends=True)
    if not whole and raw_lines and not raw_lines[-1].endswith((b"\n", b"\r")):
        raw_lines.pop()  # cut mid-line
    codec = "gb18030" if encoding == "gb18030" else "utf-8"
    texts = [line.decode(codec, errors="replace") for line in raw_lines]
    if texts and encoding == "utf-8-sig":
        texts[0] = texts[0].removeprefix("\ufeff")
    elif texts and raw_lines[0].startswith(codecs.BOM_UTF8):  # GBK behind a UTF-8 mark (detect_encoding)
        texts[0] = raw_lines[0][len(codecs.BOM_UTF8):].decode(codec, errors="replace")
    delimiters = ["\t", ","] if head.count(b"\t") > head.count(b",") else [",", "\t"]
    unknown_line = 0
    for delimiter in delimiters:
        rows = _head_rows(texts, delimiter)
        for index, (start, end, row) in enumerate(rows[:HEADER_SCAN_ROWS]):
            match = headers.recognize(row)
            two_rows = headers.with_row_below(row, rows[index + 1][2], match) if index + 1 < len(rows) else None
            if match is None and two_rows is None:
                if not unknown_line and headers.known_header_count(row) >= headers.MIN_KNOWN_HEADERS:
                    unknown_line = start
                continue
            if two_rows is not None:  # the upper row is then counted as a title row
                index, (start, end, _), (row, match) = index + 1, rows[index + 1], two_rows
            if index:
                row, match = headers.with_group_titles(row, headers.spread_titles(rows[index - 1][2]), match)
            ncols = _data_width(texts[end:], delimiter, row)
            return CsvHeader(
                delimiter=delimiter, cells=row, match=match, header_line=start, title_rows=index,
                data_offset=sum(len(x) for x in raw_lines[:end]), data_line=end + 1, ncols=ncols,
            )
    if unknown_line:
        raise ReadError("unknown_kind", path, line=unknown_line)
    raise ReadError("no_header", path, rows=HEADER_SCAN_ROWS)


def _head_rows(texts: list[str], delimiter: str) -> list[tuple[int, int, list[str]]]:
    """The first HEADER_SCAN_ROWS + 1 rows of the sample, (first physical line, last, cells), up to a row
    the csv module cannot parse with this delimiter."""
    reader = csv.reader(iter(texts), delimiter=delimiter)
    rows: list[tuple[int, int, list[str]]] = []
    try:
        for row in reader:
            cells = [(unwrapped(c) or "") if '="' in c else c for c in row]  # `="户编号"`: a header too
            rows.append((rows[-1][1] + 1 if rows else 1, reader.line_num, cells))
            if len(rows) > HEADER_SCAN_ROWS:
                break
    except csv.Error:
        pass
    return rows


def _data_width(texts: list[str], delimiter: str, header: list[str]) -> int:
    """Fields per data row. Usually the header's count; when the data rows agree on another count
    and the difference is only empty header cells or extra columns (trailing delimiters), theirs.
    Rows wider than the header with text past it (`2,880` unquoted under 金额) are no such agreement: read
    at their width, every value after the split moved one column right and the last one was dropped
    (a probe, 2026-12-07); at the header's width each is rejected as a row of another shape."""
    n = len(header)
    counts: collections.Counter[int] = collections.Counter()
    past: set[int] = set()  # widths of rows holding text past the header's columns
    try:
        for i, row in enumerate(csv.reader(iter(texts), delimiter=delimiter)):
            if i >= 50:
                break
            if any(c.strip() for c in row):
                counts[len(row)] += 1
                if any(c.strip() for c in row[n:]):
                    past.add(len(row))
    except csv.Error:
        return n
    if not counts:
        return n
    m, votes = counts.most_common(1)[0]
    if m == n or votes * 2 <= sum(counts.values()) or m in past:
        return n
    if m > n or not any(c.strip() for c in header[m:]):
        return m
    return n
