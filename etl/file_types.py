"""The file types the loader reads, by suffix: the one list the reader (etl.readers), the upload check
and widget (ui.upload), the upload hint (pages/data_admin.py), the command line's help (etl.cli)
and docs/DATA.md are written from. No imports, so a page reads it without loading the reader."""

from __future__ import annotations

GZIP_SUFFIX = ".gz"
EXCEL = (".xlsx", ".xlsm", ".xls")  # .xls: also the HTML or text tables web systems name .xls (sniffed)
CSV = (".csv", ".txt")
GZIP_CSV = tuple(s + GZIP_SUFFIX for s in CSV)  # a text export compressed with gzip
HTML = (".htm", ".html", ".mht", ".mhtml")  # .mht: a web archive, Excel's 单个文件网页 (etl.html_tables)

ACCEPTED_SUFFIXES: tuple[str, ...] = (*EXCEL, *CSV, *GZIP_CSV, *HTML)  # in the order the hints list them
