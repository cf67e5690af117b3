"""HTML pages as spreadsheets: what web systems' 导出Excel buttons write (often named .xls). The page is
decoded by its BOM or declared charset (when the bytes agree), its tables become grids with merged
ranges, and each is read like a sheet (etl.excel).

A web archive (.mht/.mhtml: Excel's 单个文件网页, and what some systems write and name .xls) is a MIME
message whose HTML parts are pages: one per sheet beside a frame page. Each part is decoded by its
transfer encoding and charset and its tables read as a page's."""

from __future__ import annotations

import codecs
import email
import email.policy
import re
from html.parser import HTMLParser
from pathlib import Path

from etl.csv_file import detect_encoding, refuse_mostly_undecodable
from etl.excel import Sheet, first_header, is_escaped_byte, is_header, read_sheets, shifted
from etl.raw_file import GRID_FLOOR, HEADER_SCAN_ROWS, Book, ReadError

HTML_SNIFF_BYTES = 4096  # what read_book reads to tell an HTML page named .xls
CHARSET_SNIFF_BYTES = 1 << 20  # where a <meta> charset or an XML declaration is looked for
# Tables a file may open, nested or one after another: an export holds one or a few (a title table, the
# data); 15 MB of a million nested <table><tr><td> took 84 s and 3.7 GB, each read as a sheet.
MAX_TABLES = 10_000


def looks_like_html(head: bytes) -> bool:
    """An HTML page, as web systems' 导出Excel buttons write it (named .xls)."""
    text = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if text.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="ignore").encode("ascii", errors="ignore").lstrip().lower()
    return text.startswith(b"<") and any(tag in text for tag in (b"<html", b"<table", b"<!doctype html", b"<meta"))


def looks_like_xml_spreadsheet(head: bytes) -> bool:
    """Excel 2003's XML Spreadsheet (<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">), which
    many web systems name .xls: its <Table> made it pass for an HTML page of no header."""
    text = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    return text.startswith(b"<?xml") and b"<workbook" in text and b"urn:schemas-microsoft-com:office:spreadsheet" in text


def looks_like_web_archive(head: bytes) -> bool:
    """A MIME web archive (.mht): headers first, one of them `MIME-Version`, the body multipart/related."""
    text = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    return b"mime-version:" in text[:1024] and b"multipart/related" in text


def web_archive_pages(data: bytes) -> list[tuple[bytes, str | None]]:
    """The HTML parts of a web archive, each as (its bytes, decoded from base64 or quoted-printable; the
    charset its part declares)."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    return [(part.get_payload(decode=True) or b"", part.get_content_charset())
            for part in message.walk() if part.get_content_type() == "text/html"]


_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING_RE = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Declared names whose bytes are GB18030 in practice (GB18030 is a superset of GB2312 and GBK).
_GB_NAMES = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "gb_2312", "euc-cn", "cp936", "ms936", "windows-936",
             "csgb2312", "iso-ir-58", "chinese", "gb18030"}


def html_text(path: Path, data: bytes, charset: str | None = None) -> tuple[str, str, bool]:
    """The page as text, the codec used, and whether some bytes did not decode: a BOM, else `charset`
    (a web archive part's), else the charset a <meta> (charset= or http-equiv) or an XML declaration
    names, else UTF-8, else GB18030. A
    declaration that the bytes contradict is ignored for the next candidate (systems declare UTF-8 and
    write GBK). When none decodes every byte (a few bad bytes in a good page, data-spec §1.3), the
    page's lines vote between UTF-8 and GB18030 as a CSV's do (`detect_encoding`; another declared
    charset is kept), and each undecodable byte is kept as a surrogate escape: the rows holding one are
    rejected, the rest loads (etl.excel)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            if codec == "utf-16":
                return data.decode(codec, errors="replace"), codec, False
            try:
                return data.decode(codec), codec, False
            except UnicodeDecodeError:
                return data.decode(codec, errors="surrogateescape"), codec, True
    candidates: list[str] = []
    sniff = data[:CHARSET_SNIFF_BYTES]
    declared = _CHARSET_RE.search(sniff) or _XML_ENCODING_RE.search(sniff)
    if charset or declared:
        name = charset.lower() if charset else declared.group(1).decode("ascii").lower()  # type: ignore[union-attr]
        try:
            candidates.append("gb18030" if name in _GB_NAMES else codecs.lookup(name).name)
        except LookupError:
            pass
    candidates += [c for c in ("utf-8", "gb18030") if c not in candidates]
    for codec in candidates:
        try:
            return data.decode(codec), codec, False
        except UnicodeDecodeError:
            pass
    codec = candidates[0] if candidates[0] not in ("utf-8", "gb18030") else detect_encoding(sniff, len(data) <= len(sniff))[0]
    return data.decode(codec, errors="surrogateescape"), codec, True


# The page source's line ends and tabs inside a cell's text: whitespace of the layout, read as a space.
_SOURCE_BREAKS = str.maketrans("\r\n\t\f\v", "     ")
# Blocks inside a cell (a grid drawing a cell's values as <div>因残</div><div>缺水</div>) are its lines, as a
# browser and Excel show them, as <br> is a line break: their text ran together (因残缺水, an unknown code).
_BLOCKS = frozenset({"p", "div", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6"})


class _HtmlTables(HTMLParser):
    """The tables of an HTML page as grids: `colspan`/`rowspan` cells keep their text in the top-left
    cell and leave the others empty, with the merged range listed, as a spreadsheet reader gives them.
    Tolerant of what browsers tolerate: omitted </td> and </tr>, nested tables (each its own).
    Each table keeps the page row its first row is on: Excel opens the page as one sheet, the tables
    one below the other (a title table, then the data), so a later table's rows continue the count.

    A rowspan is kept as the last row it covers in each of its columns (not as every cell it covers: a
    934-byte page of twenty 1000×1000 spans took 3 GB and 15 s), and the grids together stop at
    `max_cells` cells (`GridTooLarge`): spans multiply what a page's bytes hold."""

    def __init__(self, max_cells: int | None = None, max_tables: int = MAX_TABLES) -> None:
        super().__init__(convert_charrefs=True)
        self._max_cells = max_cells
        self._max_tables = max_tables
        self._cells = 0  # cells of the grids so far, spans and the padding under them included
        self._opened = 0  # tables opened so far, nested ones included
        # (rows, merged ranges, the page row of the first row)
        self.tables: list[tuple[list[list[object]], list[tuple[tuple[int, int], tuple[int, int]]], int]] = []
        self._stack: list[dict] = []
        self._skip = 0  # inside <script>/<style>
        self._page_rows = 0  # rows of the tables so far (nested tables' rows are the outer cell's)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._opened += 1
            if self._opened > self._max_tables:
                raise TooManyTables
            # "until": column -> the last row a rowspan of an earlier row covers; "spans": this row's
            # rowspans (first column, columns, last row), applied when the row ends
            self._stack.append({"rows": [], "merged": [], "until": {}, "spans": [], "row": None, "cell": None,
                                "first_line": self._page_rows + 1})
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
            t["cell"] = ([], span.get("colspan", 1), span.get("rowspan", 1), dict(attrs).get("x:num"))
        elif tag == "br":
            self._text("\n")
        elif tag in _BLOCKS:
            self._block_edge()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif not self._stack:
            return
        elif tag in _BLOCKS:
            self._block_edge()
        elif tag == "table":
            self._end_row()
            t = self._stack.pop()
            self.tables.append((t["rows"], t["merged"], t["first_line"]))
        elif tag == "tr":
            self._end_row()
        elif tag in ("td", "th"):
            self._end_cell()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._text("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            # The source's line breaks and tabs are layout, as a browser and Excel show the page: a space.
            # Kept as the cell's own, a cell the source wrapped (已脱贫⏎(享受政策)) was a control_chars
            # defect with its words run together; only <br> breaks a cell's line.
            self._text(data.translate(_SOURCE_BREAKS))

    def _block_edge(self) -> None:
        """The start or end of a block in a cell: a line break, unless the cell's text is at a line's start."""
        if self._stack and self._stack[-1]["cell"] is not None:
            parts = self._stack[-1]["cell"][0]
            text = "".join(parts).rstrip(" ")
            if text and not text.endswith("\n"):
                parts.append("\n")

    def _text(self, data: str) -> None:
        if self._stack and self._stack[-1]["cell"] is not None:
            self._stack[-1]["cell"][0].append(data)

    def _end_cell(self) -> None:
        t = self._stack[-1]
        if t["cell"] is None:
            return
        parts, colspan, rowspan, number = t["cell"]
        t["cell"] = None
        r, row = len(t["rows"]), t["row"]
        c = start = len(row)
        while t["until"].get(c, -1) >= r:  # columns held by a rowspan from above
            row.append("")
            c += 1
        # Source line breaks and indentation are layout (`handle_data`); <br> and a block are a line break.
        lines = ("".join(parts)).split("\n")
        text = "\n".join(" ".join(line.split()) for line in lines).strip()
        if number and _CUT_BY_EXCEL.fullmatch(text) and _WHOLE_NUMBER.fullmatch(number):
            text = number  # a page Excel saved: the cell shows 1.50824E+14, its x:num holds every digit
        self._count(c - start + colspan, r + 1, c + colspan)
        row.append(text)
        row.extend([""] * (colspan - 1))
        if rowspan > 1:
            t["spans"].append((c, colspan, r + rowspan - 1))
        if colspan > 1 or rowspan > 1:
            t["merged"].append(((r, c), (r + rowspan - 1, c + colspan - 1)))

    def _count(self, cells: int, rows: int, columns: int) -> None:
        self._cells += cells
        if self._max_cells is not None and self._cells > self._max_cells:
            raise GridTooLarge(rows, columns)

    def _end_row(self) -> None:
        t = self._stack[-1]
        self._end_cell()
        if t["row"] is None:
            return
        r, row = len(t["rows"]), t["row"]
        until = t["until"]
        while until.get(len(row), -1) >= r:
            row.append("")
            self._count(1, r + 1, len(row))
        for c, colspan, last in t["spans"]:
            for col in range(c, c + colspan):
                until[col] = max(until.get(col, -1), last)
        t["spans"] = []
        t["rows"].append(row)
        t["row"] = None
        if len(self._stack) == 1:
            self._page_rows += 1


class TooManyTables(Exception):
    """A page opens more than MAX_TABLES tables."""


class GridTooLarge(Exception):
    """A page's tables would hold more cells than its size allows (spans), at the row and column given."""

    def __init__(self, rows: int, columns: int) -> None:
        super().__init__(rows, columns)
        self.rows, self.columns = rows, columns


# A page Excel saved (另存为网页, often renamed .xls) writes a number's shown text in the cell and its value in
# `x:num` when they differ: a 15-digit 户编号 in General format shows as 1.50824E+14, and read as shown it
# was rejected as cut by Excel though the page holds every digit. Only that shape is replaced by the value
# (a date's or an amount's shown text is what the user reads). A value of more than Excel's 15 digits, or in
# E notation, lost digits itself: it stays as shown, an issue.
_CUT_BY_EXCEL = re.compile(r"-?[0-9](?:\.[0-9]+)?E[+-][0-9]+", re.IGNORECASE)
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,15}")


def _span(value: str | None) -> int:
    match = re.match(r"\s*(\d+)", value or "")
    return max(1, min(int(match.group(1)), 1000)) if match else 1


Table = tuple[list[list[object]], list[tuple[tuple[int, int], tuple[int, int]]], int]


def _join_header_tables(tables: list[Table]) -> list[Table]:
    """A table ending in its header and a next table with no header of its own are one table: grids that
    keep their header in view (layui, bootstrap-table …) draw header and rows as two <table>s, and a page
    exported from the screen keeps them so. Excel shows the rows under their header; read apart, the
    header loaded no row (「只有表头」) and the rows were skipped for having none."""
    out: list[Table] = []
    for rows, merged, first_line in tables:
        if out and (is_header(out[-1][0][-1]) and not any(map(is_header, rows[:HEADER_SCAN_ROWS]))
                    or _next_page(out[-1], rows, first_line)):
            above, above_merged, first_line = out.pop()
            merged = [*above_merged, *shifted(merged, len(above))]
            rows = above + rows
        out.append((rows, merged, first_line))
    return out


def _next_page(above: Table, rows: list[list[object]], first_line: int) -> bool:
    """A table right after `above` with the same header is its next page: a paginated export writes a
    <table> per page, each with the header again (Excel shows them as one sheet). Read apart, a household
    whose members ran over the page break was refused as split across sheets (表1, 表2), the whole file
    with it; as one table the repeated header is skipped as a paged export's is."""
    header = first_header(above[0])
    return (header is not None and above[2] + len(above[0]) == first_line
            and first_header(rows) == header)


def read_html(path: Path) -> Book:
    """An HTML page's tables, each read like a sheet (named 表1, 表2 … when there are several); a web
    archive's, page after page."""
    data = path.read_bytes()
    pages = web_archive_pages(data) if looks_like_web_archive(data[:HTML_SNIFF_BYTES]) else [(data, None)]
    tables: list[Table] = []
    texts: list[str] = []
    codec, lossy = "utf-8", False
    # one budget for the file, not one per page: a web archive of many pages each under the floor added up
    cells_left, tables_left = max(GRID_FLOOR, len(data) // 2), MAX_TABLES
    for page, charset in pages:
        text, codec, page_lossy = html_text(path, page, charset)
        lossy |= page_lossy
        texts.append(text)
        # spans multiply a page's bytes: the file's grids may hold a cell per two of its bytes (a dense
        # export's cell takes ten or more), or GRID_FLOOR cells whatever its size
        parser = _HtmlTables(cells_left, tables_left)
        try:
            parser.feed(text)
            parser.close()
            while parser._stack:  # tables left open at the end of the page
                parser.handle_endtag("table")
        except GridTooLarge as exc:
            raise ReadError("too_many_cells", path, rows=exc.rows, width=exc.columns) from None
        except TooManyTables:
            raise ReadError("too_many_tables", path, limit=f"{MAX_TABLES:,}") from None
        cells_left, tables_left = cells_left - parser._cells, tables_left - parser._opened
        tables += _join_header_tables([t for t in parser.tables if t[0]])
    text = "\n".join(texts)
    if not tables:
        raise ReadError("no_header", path, rows=HEADER_SCAN_ROWS)
    sheets = [
        Sheet(name=f"表{i + 1}", head=lambda rows=rows: rows[:HEADER_SCAN_ROWS], rows=lambda rows=rows: rows,
               merged=lambda merged=merged: merged, undecoded=codec.removesuffix("-sig") if lossy else None,
               first_line=first_line)
        for i, (rows, merged, first_line) in enumerate(tables)
    ]
    try:
        book = read_sheets(path, sheets, f"html:{codec}")
    except ReadError as exc:
        # no header in bytes that do not decode: say so, at the first such line
        if lossy and exc.code in ("no_header", "unknown_kind"):
            first = next(i for i, ch in enumerate(text) if is_escaped_byte(ch))
            raise ReadError("undecodable", path, line=text.count("\n", 0, first) + 1) from None
        raise
    for part in book.parts:
        refuse_mostly_undecodable(part)
    return book
