"""File-reading layer of the ETL: one user file (CSV or Excel) → RawFile of text columns.

Everything stays text here (IDs must never become floats); the normalisers parse values. The kind of
a file comes from its header row (etl.headers), searched in the first HEADER_SCAN_ROWS rows.

This module tells the kind of file by its suffix and first bytes and hands it to its reader:
- etl.csv_file: a CSV (or `.csv.gz`), read by DuckDB straight into the loader's table (etl.csv_fast)
  or block by block with exact line numbers (etl.csv_blocks);
- etl.excel: workbooks, sheet by sheet, once etl.archive_checks passed the zip;
- etl.html_tables: HTML pages that web systems name .xls, and web archives (.mht).
Every reader shares etl.raw_file (what a read returns, its errors, the DuckDB sink) and etl.raw_rows
(trimming, blank and summary rows). `read_book`, `read_file`, `hand_over` and the names re-exported
below are the loader's entry point.

A `.csv.gz` is read like its text: both CSV paths decompress (DuckDB by the suffix), and the hash is of
the text, so a file and its compressed copy are the same file to the loader.
"""

from __future__ import annotations

from pathlib import Path

from etl import file_types
from etl.archive_checks import GZIP_ERRORS, OLE_MAGIC, ZIP_MAGIC, check_biff, check_zip
from etl.csv_file import read_csv
from etl.excel import read_excel
from etl.html_tables import (
    HTML_SNIFF_BYTES,
    looks_like_html,
    looks_like_web_archive,
    looks_like_xml_spreadsheet,
    read_html,
)
from etl.raw_file import MAX_BYTES, STAGE_SCHEMA, Book, DuckDBSink, RawFile, ReadError, Sink, mb_text

# the suffixes read here, from etl.file_types (the one list every hint is written from)
CSV_SUFFIXES = frozenset(file_types.CSV)
EXCEL_SUFFIXES = frozenset(file_types.EXCEL)
HTML_SUFFIXES = frozenset(file_types.HTML)  # and .xls files that are HTML (sniffed)
GZIP_CSV_SUFFIXES = frozenset(file_types.GZIP_CSV)
ACCEPTED_SUFFIXES = file_types.ACCEPTED_SUFFIXES

# The loader's entry point: etl.load and the derive modules take what a read gives from here.
__all__ = ["ACCEPTED_SUFFIXES", "CSV_SUFFIXES", "EXCEL_SUFFIXES", "GZIP_CSV_SUFFIXES", "HTML_SUFFIXES", "MAX_BYTES", "STAGE_SCHEMA",
           "Book", "DuckDBSink", "RawFile", "ReadError", "Sink", "file_suffix", "hand_over", "read_book",
           "read_file"]


GZIP_MAGIC = b"\x1f\x8b"


def read_book(path: Path | str, *, max_bytes: int = MAX_BYTES, sink: Sink | None = None) -> Book:
    """Read one user file: every table in it. Raises ReadError when no table can be read at all.

    A text file's one table is streamed into `sink` when one is given (see `read_file`); the tables of
    a workbook or an HTML file stay in memory (`RawFile.table`), one per sheet, for the caller to hand
    over in turn.
    """
    path = Path(path)
    suffix = file_suffix(path)
    if path.is_dir():  # a folder given for a file: "unsupported type, please upload" said nothing useful
        raise ReadError("is_folder", path)
    if not path.exists():  # whatever its name: a missing folder was an "unsupported type" too
        raise ReadError("not_found", path)
    if suffix not in ACCEPTED_SUFFIXES:
        raise ReadError("unsupported_type", path, suffix=suffix or "无扩展名")
    size = path.stat().st_size
    if size > max_bytes:
        raise ReadError("too_large", path, size_mb=round(size / 2**20, 1), limit=mb_text(max_bytes),
                        limit_bytes=max_bytes)
    if size == 0:
        raise ReadError("empty_file", path)
    with open(path, "rb") as f:
        magic = f.read(HTML_SNIFF_BYTES)
    if suffix in CSV_SUFFIXES:
        # a workbook or a web system's HTML table named .csv/.txt (a download misnamed; WPS opens it by its
        # bytes) is read as what it is: as text the workbook was refused as undecodable, asking for a CSV
        # re-save, and the page as having no header in its first rows
        if looks_like_html(magic):
            return read_html(path)
        if not magic.startswith((OLE_MAGIC, ZIP_MAGIC)):
            return Book([read_csv(path, sink)])
    if suffix in GZIP_CSV_SUFFIXES:
        if not magic.startswith(GZIP_MAGIC):  # not damaged: not compressed at all (a text named .csv.gz)
            raise ReadError("not_gzip", path)
        try:
            return Book([read_csv(path, sink)])
        except GZIP_ERRORS as exc:  # not gzip / cut off / damaged
            raise ReadError("bad_gzip", path, reason=str(exc) or type(exc).__name__) from None
    if suffix in EXCEL_SUFFIXES and looks_like_xml_spreadsheet(magic):  # not read: say how to get a workbook
        raise ReadError("xml_spreadsheet", path)
    # what web systems' 导出Excel buttons write, named .xls, or .xlsx (WPS opens it): an HTML page named .xlsx
    # was refused as a damaged download
    if suffix in HTML_SUFFIXES or (suffix in EXCEL_SUFFIXES and not magic.startswith((OLE_MAGIC, ZIP_MAGIC))
                                   and (looks_like_html(magic) or looks_like_web_archive(magic))):
        return read_html(path)
    if suffix == ".xls" and not magic.startswith((OLE_MAGIC, ZIP_MAGIC)):
        return Book([read_csv(path, sink)])  # many systems export tab-separated text named .xls
    # OLE = password-protected, or Excel 97-2003; a zip named .xls (calamine reads it by its bytes) is
    # checked as an .xlsx is: it skipped every check (a 3 KB sheet aborted the process)
    if suffix in (".xlsx", ".xlsm") and not magic.startswith(OLE_MAGIC) or magic.startswith(ZIP_MAGIC):
        check_zip(path)
    if magic.startswith(OLE_MAGIC):  # Excel 97-2003: its records' ranges, before calamine reserves them
        check_biff(path)
    # xlsx, and real Excel 97-2003 (BIFF) .xls, an OLE file: calamine reads both
    return read_excel(path, "xls" if magic.startswith(OLE_MAGIC) else "xlsx")


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
    return inner + suffix if suffix == file_types.GZIP_SUFFIX and inner in CSV_SUFFIXES else suffix
