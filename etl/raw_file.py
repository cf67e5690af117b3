"""What a reader gives the loader: RawFile (one table of a file as text columns) and Book (every
table of a file), ReadError (a file that cannot be read, with a code for a bilingual message), the
size limits every reader shares, and DuckDBSink, which receives the rows in the loader's database."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from etl import headers
from etl.messages import missing_headers_text
from labels import t

MAX_BYTES = 500 * 1024 * 1024
HEADER_SCAN_ROWS = 30
# A table's grid (rows × columns, empty cells included) read whatever its file holds; beyond it, a grid must
# be earned by the file's content (etl.html_tables, etl.archive_checks): spans or cells placed far apart
# would otherwise turn a few bytes into gigabytes.
GRID_FLOOR = 5_000_000
# Chinese default rendering; the UI renders codes from its bilingual label table instead.
MESSAGES: dict[str, str] = {
    "not_found": "文件不存在",
    "is_folder": "这是一个文件夹，不是文件",
    "unsupported_type": "不支持的文件类型（{suffix}），请上传 .xlsx、.xlsm、.xls、.csv、.txt 或 .csv.gz 文件",
    "too_large": "文件过大（{size_mb} MB），上限为 {limit}",
    "empty_file": "文件为空，没有表头也没有数据行；请从系统重新导出（含表头行）",
    "undecodable": "第 {line} 行无法解码，请将文件另存为 UTF-8 或 GB18030（GBK）编码",
    "undecodable_rows": "{bad} 行（共 {rows} 行，超过一半）无法解码，第一处在第 {line} 行，整个文件未入库；请将文件另存为 UTF-8 或 GB18030（GBK）编码",
    "no_header": "在前 {rows} 行中找不到表头（应包含 户编号、姓名、证件号码 等列名）",
    "unknown_kind": "无法从表头（第 {line} 行）识别文件类型：应为贫困人口信息、帮扶措施、走访记录、医疗报销、问题整改台账、入户核查表或人口基数表",
    "missing_required": "{kind_label}缺少必填列：{columns}（表头在第 {line} 行）",
    "corrupt_xlsx": "Excel 文件已损坏或不是有效的 Excel 文件（{reason}）",
    "other_office": "这不是 Excel 工作簿，是改了扩展名的 Office 文件（{what}）",
    "encrypted": "Excel 文件设有密码，请取消密码后重新上传",
    "xml_spreadsheet": "这是 Excel 2003 XML 表格，不能直接读取；请在 Excel 中打开后另存为 Excel 工作簿（.xlsx）再导入",
    "bad_csv": "CSV 文件无法解析（{reason}）",
    "bad_gzip": "压缩文件已损坏或不完整，无法解压（{reason}）",
    "not_gzip": "文件名以 .gz 结尾，但内容不是 gzip 压缩文件；如是未压缩的表格，去掉文件名末尾的 .gz 后再导入",
    "merged_overlap": "工作表「{sheet}」的合并单元格相互重叠",
    "text_too_large": "单元格的文字展开后约 {size}，超过上限 {limit}",
    "too_many_tables": "网页中的表格超过 {limit} 个，不像系统导出的表格",
    "too_many_cells": "表格范围过大（至少 {rows} 行 × {width} 列），远超文件实际写入的内容",
}


class ErrorCode(str):
    """A ReadError's code (equal to the plain code string) that keeps the error's params: a workbook lists
    a sheet it skipped by the code of the sheet's error (etl.excel), and the message about the sheet can
    then say what the error's does, e.g. which required columns are missing (etl.messages)."""

    params: dict[str, object]

    def __new__(cls, code: str, params: dict[str, object] | None = None) -> ErrorCode:
        out = super().__new__(cls, code)
        out.params = params if params is not None else {}  # the error's own dict: later edits show
        return out

    def __reduce__(self) -> tuple[object, ...]:
        return (ErrorCode, (str(self), self.params))


class ReadError(Exception):
    """A file that cannot be read at all. `code` + `params` let the UI render a bilingual message."""

    def __init__(self, code: str, path: Path | None = None, **params: object) -> None:
        self.code = ErrorCode(code, params)
        self.path = path
        self.params: dict[str, object] = params
        super().__init__(code)

    def __str__(self) -> str:
        try:
            text = MESSAGES[self.code].format(**self.params)
        except (KeyError, IndexError):
            text = f"{self.code} {self.params}"
        return f"{self.path.name}：{text}" if self.path is not None else text


def missing_error(path: Path, kind: str, missing: list[str], line: int,
                  cells: Sequence[object] = ()) -> ReadError:
    """The header lacks required columns; or, when a header cell did not decode (U+FFFD where the
    bytes were), that is the reason to give: a garbled 姓名 is not a missing one."""
    if any("\ufffd" in str(c) for c in cells if c is not None):
        return ReadError("undecodable", path, line=line)
    labels = headers.COLUMN_LABELS[kind]
    # the headers that would do: a file heading it 与户主的关系 or 户编码 is read as well
    spelled = headers.spellings()[kind]
    each = [spelled.get(c, [labels.get(c, c)]) for c in missing]
    names = [labels.get(c, c) for c in missing]
    columns, spelled_text = missing_headers_text(names, each, "zh")
    return ReadError(
        "missing_required", path, kind=kind, kind_label=t(f"kind.{kind}"), missing=missing, columns=columns,
        spelled=spelled_text, line=line, headers=names, spellings=each,  # per language: etl.messages
        wan=headers.in_wan_yuan(kind, cells, missing),
    )


@dataclass
class RawFile:
    path: Path
    kind: str
    encoding: str  # 'utf-8', 'utf-8-sig', 'gb18030', 'xlsx' or 'xls' (Excel 97-2003)
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
    # (line, raw text) rows whose quote opened a value that ran over line ends and never ended as a value
    # ends (etl.csv_blocks.runaway_quotes): the lines it swallowed are read as rows of their own
    unclosed_quote: list[tuple[int, str]] = field(default_factory=list)
    controls: bool = True  # may hold control characters (False: proven free of them, etl.stage skips the check)
    # a text file's delimiter, and the positions of its name columns: the names in a row kept whole
    # (malformed, undecodable, unclosed_quote) are stored beside it, so that it can be shown with them masked
    delimiter: str = ","
    name_cells: dict[str, int] = field(default_factory=dict)
    first_line: int = 1  # the line of the table's first row (an HTML page's later table: not 1)

    def __post_init__(self) -> None:
        if self.data_rows < 0:
            self.data_rows = self.table.num_rows
        assert self.rows_read == (self.data_rows + self.skipped + len(self.malformed) + len(self.undecodable)
                                  + len(self.unclosed_quote))


# The database schema of the loader's staging tables (the sink's, and etl.stage's).
STAGE_SCHEMA = "stage"
# Receives each block of data rows; None means: discard what you received (the read starts over).
Sink = Callable[[pa.Table | None], None]


def quote_ident(name: str) -> str:
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
        self.ref = f"{quote_ident(schema)}.{quote_ident(table)}"
        self.body_ref = f"{quote_ident(schema)}.{quote_ident(self.body)}"
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
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
                self.con.execute(f"DROP {kind} {quote_ident(self.schema)}.{quote_ident(name)}")

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
                self.con.execute(f"ALTER TABLE {self.ref} ADD COLUMN {quote_ident(name)} VARCHAR")
                self.columns.append(name)


@dataclass
class Book:
    """What one file holds: a table per sheet whose header was recognised (one for a text file) and the
    sheets skipped, as (sheet name, reason code: `no_header`, `unknown_kind`, `missing_required`,
    `hidden`). A reason that was a sheet's ReadError is its ErrorCode, with the error's params (the
    missing columns of `missing_required`: etl.messages.skipped_sheet_reason names them). A workbook is
    loaded sheet by sheet; each part is its own batch (etl.load)."""

    parts: list[RawFile]
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)


def mb_text(n: int) -> str:
    return f"{n / 2**20:g} MB"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
