"""What every reader does once it has a table's cells: trim them (empty → null), drop blank rows and
合计/小计/总计 summary rows, find the 序号 column, tell whether any text holds control characters, and
count physical lines as pyarrow does."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl import headers
from etl.fields import LINE_BREAK_FIELDS


def line_at(data: bytes, offset: int) -> int:
    return count_lines(data[:offset]) + 1


def count_lines(data: bytes) -> int:
    """Line terminators as pyarrow counts them: \\r\\n, \\n or a lone \\r."""
    lf, cr = data.count(b"\n"), data.count(b"\r")
    if cr == 0 or cr == lf:  # LF or CRLF file: skip the slower two-byte count
        return lf
    return lf + cr - data.count(b"\r\n")


# Excel's text formula around a whole cell (`="01"`, `="乌加河镇"`, `=""` for an empty one), which some web
# systems write around every cell of a CSV so that Excel keeps it as written: Excel shows the text inside.
# Every reader takes it off every cell, the header's too, before it classifies rows (a title, a blank,
# a 合计 row) and before anything reads a value: a fully wrapped export is its plain twin. `'` before a
# digit (`'2019`) is another wrapper, taken off later, field by field (etl.normalize._WRAPPED_RE).
TEXT_FORMULA = '="(.*)"'
TEXT_FORMULA_RE = f"^(?s:{TEXT_FORMULA})$"
_TEXT_FORMULA_PY = re.compile(TEXT_FORMULA_RE)


def unwrapped(cell: str | None) -> str | None:
    """A cell's text without Excel's text formula (TEXT_FORMULA_RE), stripped; empty → None."""
    if cell is None:
        return None
    text = cell.strip()
    if text.startswith('="'):
        text = _TEXT_FORMULA_PY.sub(r"\1", text).strip()
    return text or None


def ordinal_index(cells: Sequence[object]) -> int | None:
    for i, cell in enumerate(cells):
        if headers.clean_header(cell) in ("序号", "序", "编号"):
            return i
    return None




_WS = r"[\s\x{3000}\x{a0}]*"
# 合计 / 合 计 / 合计: at the start, or a label ending in it (乌加河镇小计), maybe followed by its count in
# brackets (乌加河镇合计（8户20人）, 小计(3户)); 累计 (a running total) too: it was rejected as a row
# without 户编号 (a probe, 2026-12-07).
SUMMARY_PATTERN = (rf"^(?:合{_WS}计|小{_WS}计|总{_WS}计|共{_WS}计|累{_WS}计)"
                   r"|(?:合计|小计|总计|累计)[:：]?(?:[(（][^()（）]*[)）])?$")
_SUMMARY_PY = re.compile(SUMMARY_PATTERN.replace(r"\x{3000}", "\u3000").replace(r"\x{a0}", "\xa0"))
# Columns whose cell may hold a summary label when another cell comes first: a subtotal of the place above
# it (`乌加河镇 | 小计 | 1540 | 4270` in a population base: a village named 小计 would count the township
# twice), or a label in the household's or person's column (`乌加河镇 | 联丰奋斗村 | 小计 | | 3000` was
# loaded as household 小计 with a measure of 3000 元, and `… | | 合计` rejected). No real key or name reads so.
SUMMARY_LABEL_COLUMNS = ("township", "village", "household_id", "issue_id", "name", "head_name")

# A footer under the table (填表人：张三 … 审核人：李四): its first cell is a signature line. Skipped.
_SIGNERS = ("填表人|填报人|制表人|审核人|审核|审批人|负责人|单位负责人|分管领导|联系人|联系电话|填表日期|填报日期|制表日期|"
            "报送日期|填报单位|填表单位|制表单位|注|说明")
FOOTER_PATTERN = rf"^(?:{_SIGNERS}){_WS}[:：]"
# A row numbering the columns under the header (栏次: 甲 乙 1 2 3 …): every contract cell a column number
# (up to 3 digits) or 甲…癸, the numbers rising with the column (number − column position the same in every
# numbered cell), two at least. Skipped as a title row; it was loaded as a household numbered 3.
NUMBERING_TOKEN = "^(?:[0-9]{1,3}|[甲乙丙丁戊己庚辛壬癸])$"
_NUMBER = "^[0-9]{1,3}$"


# A title row between data rows (a village's name above its households, a page title) fills one contract
# column: the file's first, or its township or village column. A row whose only value is elsewhere (a note
# alone, a 户编号 alone) is a record missing its other fields, not a title: it is kept, and rejected with
# its raw values when it cannot be placed. A key is never a title's column, except the first column of a
# ledger placed by household alone (走访记录 starting with 户编号): a village's name there would load as
# a visit of a household named after the village, with nothing else in it.
TITLE_KEY_COLUMNS = ("household_id", "issue_id", "id_number")
TITLE_PLACE_COLUMNS = ("township", "village")
# Files of fewer contract columns may hold real rows of one value: the title rule is off for them.
TITLE_MIN_COLUMNS = 3


def title_row_columns(mapped: Sequence[tuple[str, int]]) -> tuple[list[int], list[int]] | None:
    """For the title-row rule: the positions of the contract columns, and of those a title's one value
    may sit in (the first column unless a key, township, village); None when the file has too few
    contract columns for the rule."""
    if len(mapped) < TITLE_MIN_COLUMNS:
        return None
    first = min(i for _, i in mapped)
    placed = any(c in TITLE_PLACE_COLUMNS for c, _ in mapped)
    where = [i for c, i in mapped
             if (i == first and (c not in TITLE_KEY_COLUMNS or (c == "household_id" and not placed)))
             or c in TITLE_PLACE_COLUMNS]
    return [i for _, i in mapped], where


def text_cells(text: str, delimiter: str) -> list[str | None]:
    """A CSV row's text (a row of another width, as the parser hands it over) as its fields, stripped,
    empty → None."""
    try:
        cells = next(csv.reader(text.splitlines(keepends=True) or [""], delimiter=delimiter), [])
    except csv.Error:
        cells = text.split(delimiter)
    return [unwrapped(c) for c in cells]


def is_blank_or_summary(cells: Sequence[str | None]) -> bool:
    """No value at all, or a 合计/小计 label in the first one (whatever the row's width)."""
    values = [c for c in cells if c]
    return not values or bool(_SUMMARY_PY.search(values[0]))


def finish_rows(
    columns: dict[int, pa.ChunkedArray | pa.Array],
    lines: np.ndarray,
    mapped: list[tuple[str, int]],
    ordinal: int | None,
) -> tuple[pa.Table, int]:
    """Trim cells, empty → null, drop blank and summary rows; keep `_line` + the mapped columns.

    A row is blank when every contract column is empty (a pre-numbered template row with only 序号
    filled is blank too). A summary row has 合计/小计/总计 in its first non-empty cell, its 序号
    cell or one of SUMMARY_LABEL_COLUMNS; a footer (FOOTER_PATTERN) and a row numbering the columns
    (NUMBERING_TOKEN) are dropped too. A title row fills one contract column, its first or a place
    column (`title_row_columns`). Returns the table and the number of rows dropped.
    """
    cols = {i: _trim_null(c) for i, c in sorted(columns.items())}
    n = len(lines)
    if n == 0:
        return empty_table(mapped), 0
    present = [pc.is_valid(cols[i]) for _, i in mapped]
    not_blank = present[0]
    for p in present[1:]:
        not_blank = pc.or_(not_blank, p)
    first = pc.coalesce(*cols.values())
    probes = [first]
    if ordinal is not None:
        probes.append(cols[ordinal])
    places = dict(mapped)
    probes += [cols[places[c]] for c in SUMMARY_LABEL_COLUMNS if c in places]
    summary = None
    checks = [(p, SUMMARY_PATTERN, ("计",)) for p in probes] + [(first, FOOTER_PATTERN, ("：", ":"))]
    for probe, pattern, marks in checks:
        if not any(pc.any(pc.match_substring(probe, m)).as_py() for m in marks):  # cheap pre-check
            continue
        hit = pc.fill_null(pc.match_substring_regex(probe, pattern), False)
        summary = hit if summary is None else pc.or_(summary, hit)
    numbering = _numbering_rows([(i, cols[i]) for _, i in mapped])
    if numbering is not None:
        summary = numbering if summary is None else pc.or_(summary, numbering)
    keep = not_blank if summary is None else pc.and_(not_blank, pc.invert(summary))
    rule = title_row_columns(mapped)
    if rule is not None:  # a title row: one contract cell filled, the first or a place column
        filled = pc.cast(present[0], pa.int32())
        for p in present[1:]:
            filled = pc.add(filled, pc.cast(p, pa.int32()))
        in_place = pc.is_valid(cols[rule[1][0]]) if rule[1] else pa.scalar(False)
        for i in rule[1][1:]:
            in_place = pc.or_(in_place, pc.is_valid(cols[i]))
        keep = pc.and_(keep, pc.invert(pc.and_(pc.equal(filled, 1), in_place)))
    data = {"_line": pa.array(lines.astype(np.int32), pa.int32())}
    for canonical, i in mapped:
        data[canonical] = cols[i]
    table = pa.table(data)
    kept = pc.sum(keep).as_py() or 0
    if kept < n:
        table = table.filter(keep)
    return table, n - kept


def _numbering_rows(cells: list[tuple[int, pa.ChunkedArray | pa.Array]]) -> pa.ChunkedArray | pa.Array | None:
    """Rows numbering the columns (NUMBERING_TOKEN), or None when no row can be one (the cheap test:
    a first contract cell of at most 3 characters)."""
    first = pc.coalesce(*(c for _, c in cells))
    if len(cells) < TITLE_MIN_COLUMNS or not pc.any(pc.less_equal(pc.utf8_length(first), 3)).as_py():
        return None
    tokens, count, offsets = None, None, []
    for i, col in cells:
        token = pc.fill_null(pc.match_substring_regex(col, NUMBERING_TOKEN), True)  # a blank cell is no objection
        number = pc.fill_null(pc.match_substring_regex(col, _NUMBER), False)
        offsets.append(pc.subtract(pc.cast(pc.if_else(number, col, pa.scalar(None, pa.string())), pa.int32()), i))
        tokens = token if tokens is None else pc.and_(tokens, token)
        n = pc.cast(number, pa.int32())
        count = n if count is None else pc.add(count, n)
    same = pc.equal(pc.min_element_wise(*offsets), pc.max_element_wise(*offsets))
    return pc.fill_null(pc.and_(pc.and_(tokens, pc.greater_equal(count, 2)), same), False)


def skipped_row_sql(probes: Sequence[str], cells: Sequence[tuple[int, str]]) -> str:
    """`finish_rows`' summary, footer and column-numbering tests in DuckDB's SQL (its CSV path): `probes`
    the cells a summary label may be in, the first non-empty cell first; `cells` (position, column
    expression) of the contract columns. Each regex sits in `CASE WHEN <cheap test> THEN`: DuckDB
    evaluates a THEN only for the rows its WHEN selects, where `cheap AND regex` ran it on every row."""
    summary = "'" + SUMMARY_PATTERN.replace("'", "''") + "'"
    footer = "'" + FOOTER_PATTERN.replace("'", "''") + "'"
    tests = [f"CASE WHEN contains({p}, '计') THEN regexp_matches({p}, {summary}) ELSE false END" for p in probes]
    tests.append(f"CASE WHEN contains({probes[0]}, '：') OR contains({probes[0]}, ':') "
                 f"THEN regexp_matches({probes[0]}, {footer}) ELSE false END")
    tests.append(_numbering_row_sql(cells))
    return " OR ".join(tests)


def _numbering_row_sql(cells: Sequence[tuple[int, str]]) -> str:
    """`_numbering_rows` in DuckDB's SQL, over (position, column expression)."""
    if len(cells) < TITLE_MIN_COLUMNS:
        return "FALSE"
    first = "coalesce(" + ", ".join(c for _, c in cells) + ")"
    tokens = " AND ".join(f"coalesce(regexp_matches({c}, '{NUMBERING_TOKEN}'), TRUE)" for _, c in cells)
    count = " + ".join(f"coalesce(regexp_matches({c}, '{_NUMBER}'), FALSE)::INTEGER" for _, c in cells)
    offsets = ", ".join(f"CASE WHEN regexp_matches({c}, '{_NUMBER}') THEN {c}::INTEGER - {i} END" for i, c in cells)
    # the row-wide tests only on rows whose first cell is short (as an AND: +80% on a 4M-row ledger)
    return (f"CASE WHEN length({first}) <= 3 THEN coalesce({tokens} AND ({count}) >= 2 "
            f"AND least({offsets}) = greatest({offsets}), FALSE) ELSE FALSE END")


def _trim_null(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Strip whitespace (full-width too), take off Excel's text formula (TEXT_FORMULA_RE: `=""` is empty)
    and make empty cells null. The parse already turned empty fields into nulls, so only whitespace-only
    cells are left to null (checked via min length)."""
    col = pc.utf8_trim_whitespace(col)
    if pc.any(pc.starts_with(col, '="')).as_py():  # one vectorised test: a plain column pays no more
        col = pc.utf8_trim_whitespace(pc.replace_substring_regex(col, TEXT_FORMULA_RE, "\\1"))
    lengths = pc.binary_length(col)
    shortest = pc.min(lengths).as_py()
    if shortest is None or shortest > 0:
        return col
    return pc.if_else(pc.equal(lengths, 0), pa.scalar(None, pa.string()), col)


def table_has_controls(table: pa.Table) -> bool:
    """Whether any text of the table holds a control character (C0 or DEL; tab and line breaks allowed
    in multi-line and multi-code fields): a pass of numpy over each column's bytes, so that clean files skip the SQL
    that finds and strips them (etl.stage.strip_controls)."""
    for name in table.column_names:
        if name == "_line":
            continue
        allowed = b"\t\n\r" if name in LINE_BREAK_FIELDS else b""
        for chunk in table.column(name).chunks:
            data = chunk.buffers()[2]
            if data is not None and has_controls(data.to_pybytes(), allowed):
                return True
    return False


def has_controls(data: bytes, allowed: bytes) -> bool:
    """Whether bytes hold a control character other than those in `allowed` (UTF-8 and GB18030 never
    use bytes below 0x20 or 0x7F inside a character). One numpy pass and a few memchr-like counts."""
    below = int(np.count_nonzero(np.frombuffer(data, np.uint8) < 0x20))
    return data.count(b"\x7f") > 0 or below > sum(data.count(bytes([b])) for b in allowed)


def empty_table(mapped: list[tuple[str, int]]) -> pa.Table:
    fields = [pa.field("_line", pa.int32())] + [pa.field(c, pa.string()) for c, _ in mapped]
    return pa.schema(fields).empty_table()
