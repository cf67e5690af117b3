"""Normalise a raw file table into a staging table, and list its rejected rows and data issues.

All of it is SQL generated from the field specs in `etl.fields` and the expression builders in
`etl.normalize`: column names come from our own specs, never from the file, and no value is ever
formatted into SQL.

Speed: code values, yes/no, dates, years and numbers repeat a lot (a county has a few dozen dates and
incomes per thousand rows; a cause column has a dozen values), so those columns are normalised once
per DISTINCT raw value into a small dictionary table and joined back. Only free text, household
numbers and ID numbers are computed per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import duckdb

from etl import normalize as nz
from etl.fields import (
    FIELDS,
    HHID_MANGLED,
    LINE_BREAK_FIELDS,
    MONTHS_IN_YEAR,
    MULTI_LINE_FIELDS,
    PLACING,
    REJECT_RULE,
    Field,
)
from etl.raw_file import STAGE_SCHEMA
from etl.rules import LAST_EXIT_YEAR, earliest_date

# Raw columns that rules test for presence (`raw_x IS NULL`), kept in the staging table.
RAW_KEPT = ("exit_status", "exit_year", "monitoring_type", "main_cause", "id_number", "household_size",
            "total_cost", "income_per_capita", "start_date")
PER_ROW_TYPES = ("hhid", "id")
DICT_MIN_ROWS = 200_000
# Free-text columns with about as many values as rows: normalised per row, not through a dictionary.
PER_ROW_TEXT = ("name", "member_id", "phone", "helper_name", "notes", "description", "measures", "content",
                "issue_id")


def use_stage_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the staging schema and put it on the search path, so the loader's SQL names its staging
    tables (stg, keys, rep, hh, k) unqualified. They are database tables, not TEMP: DuckDB stores a
    table compressed, while a temporary one spills uncompressed (at 10M households the TEMP staging
    took 38 GB of temp files and most of the load's time went to reading them back)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {STAGE_SCHEMA}")
    con.execute(f"SET search_path = 'main,{STAGE_SCHEMA}'")


def drop_stage_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the staging schema and what is left in it: a published snapshot holds none of it."""
    con.execute(f"DROP SCHEMA IF EXISTS {STAGE_SCHEMA} CASCADE")
    con.execute("RESET search_path")


def q(name: str) -> str:
    """Quote an identifier of ours."""
    return '"' + name.replace('"', '""') + '"'


# Control characters stripped from text at load (issue 14): C0 and DEL; multi-line and multi-code fields
# (etl.fields.LINE_BREAK_FIELDS) keep tab, LF, CR.
CONTROL_RE = "[\\x00-\\x1f\\x7f]"
CONTROL_RE_MULTI_LINE = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]"
CONTROL_RULE = "control_chars"


# A row repeats the header (a paginated export writes it above every page) when its first cells, this
# many of them, hold their own columns' headers (`_holds_header`): one or two such cells may be data.
REPEATED_HEADER_CELLS = 3


def _holds_header(col: str, written: str) -> tuple[str, list[str]]:
    """SQL testing that column `col` holds the header `written`, and its parameters: as written, or as the
    same text once normalised (`nz.sql_text`). Two CSVs joined into one (`copy /b 甲.csv+乙.csv`) repeat
    the header behind the second file's byte-order mark, or in its template's full-width brackets (乡（镇）):
    compared as written, it was loaded as a household 户编号 in a township named 乡(镇). The normalising
    test runs only on the cells holding a character of the header that no normalisation changes (a
    Chinese one), so the rows of a large file still pay about one comparison each."""
    anchor = next((ch for ch in written if "\u4e00" <= ch <= "\u9fff"), None)
    text = nz.py_text(written)
    if anchor is None or text is None:
        return f"{q(col)} = ?", [written]
    return f"({q(col)} = ? OR (contains({q(col)}, ?) AND {nz.sql_text(q(col))} = ?))", [written, anchor, text]


def skip_repeated_headers(con: duckdb.DuckDBPyConnection, source: str, header: dict[str, str],
                          placing: Sequence[str] = ()) -> tuple[str, int]:
    """(`source`, 0), or (a view of it without the rows that repeat the header, how many they were).

    `header` maps the canonical columns of the reader's table `source` to their headers as written. Such
    a row is a title row (skipped and counted), never a household numbered 户编号 in a township named
    乡(镇); the header of a file joined onto the first is one too (`_holds_header`). The first unequal cell
    ends the test, so a file of millions of rows pays about one comparison a row.
    The row right above a repeated header is its group-title row (基本信息 | 资金与实施 over each page's
    header) when it lacks a column that places a row (`placing`, the kind's etl.fields.PLACING): skipped
    too, where it was rejected; the last record of a page above the next page's header has them."""
    columns = list(header)[:REPEATED_HEADER_CELLS]
    tests = [_holds_header(c, header[c]) for c in columns]
    same = " AND ".join(sql for sql, _ in tests)
    con.execute(f"CREATE OR REPLACE TEMP TABLE header_lines AS SELECT _line FROM {source} WHERE {same}",  # noqa: S608
                [p for _, params in tests for p in params])  # our names; the headers travel as parameters
    n = int(con.execute("SELECT count(*) FROM header_lines").fetchall()[0][0])
    if not n:
        return source, 0
    unplaced = " OR ".join(f"{q(c)} IS NULL" for c in placing if c in header)
    if unplaced:
        con.execute(f"""INSERT INTO header_lines SELECT _line FROM {source}
                        WHERE _line + 1 IN (SELECT _line FROM header_lines) AND ({unplaced})""")  # noqa: S608
        n = int(con.execute("SELECT count(*) FROM header_lines").fetchall()[0][0])
    con.execute(f"CREATE OR REPLACE TEMP VIEW body AS SELECT * FROM {source} "  # noqa: S608 - our names only
                "WHERE _line NOT IN (SELECT _line FROM header_lines)")
    return "body", n


def _control_re(col: str) -> str:
    return "'" + (CONTROL_RE_MULTI_LINE if col in LINE_BREAK_FIELDS else CONTROL_RE) + "'"


def shown_controls(c: str) -> str:
    """SQL: text with each control character shown as its Unicode control picture (NUL → ␀, LF → ␊,
    DEL → ␡), for a data issue's raw value: a viewer or an extract never holds the characters themselves."""
    return ("array_to_string(list_transform(string_split(" + c + ", ''), lambda _ch: CASE "
            "WHEN _ch < ' ' THEN chr(9216 + unicode(_ch)) WHEN _ch = chr(127) THEN chr(9249) ELSE _ch END), '')")


def strip_controls(
    con: duckdb.DuckDBPyConnection, source: str, columns: list[str], all_columns: list[str]
) -> list[str]:
    """Create view `raw` over the reader's table `source` (of `all_columns`) with control characters
    stripped from `columns`, and temp table `ctl_issues (line, field, raw)` with each changed field (its
    raw value shown by `shown_controls`). Returns the fields changed; build_stage flags them as issues.

    `columns` is empty when the reader proved the file free of control characters (a pass of numpy
    over its bytes): the SQL below costs ~8 s per million registry rows on two cores, so only files
    that hold one pay it. It finds the rows (one regex per row over its single-line fields joined, one
    over the multi-line ones), then looks at only those per field."""
    con.execute("CREATE OR REPLACE TEMP TABLE ctl_issues (line INTEGER, field VARCHAR, raw VARCHAR)")
    single = [c for c in columns if c not in LINE_BREAK_FIELDS]
    multi = [c for c in columns if c in LINE_BREAK_FIELDS]
    tests = [f"regexp_matches(concat({', '.join(q(c) for c in group)}), {_control_re(group[0])})"
             for group in (single, multi) if group]
    if tests:
        con.execute(f"CREATE OR REPLACE TEMP TABLE ctl_lines AS SELECT _line FROM {source} WHERE {' OR '.join(tests)}")
        for c in columns:
            con.execute(f"INSERT INTO ctl_issues SELECT _line, '{c}', {shown_controls(q(c))} FROM {source} "
                        f"WHERE _line IN (SELECT _line FROM ctl_lines) AND regexp_matches({q(c)}, {_control_re(c)})")
        con.execute("DROP TABLE ctl_lines")
    fields = [f for (f,) in con.execute("SELECT DISTINCT field FROM ctl_issues ORDER BY field").fetchall()]
    cleaned = [
        f"CASE WHEN _line IN (SELECT line FROM ctl_issues WHERE field = '{c}') "
        f"THEN nullif(trim(regexp_replace({q(c)}, {_control_re(c)}, '', 'g')), '') ELSE {q(c)} END AS {q(c)}"
        if c in fields else q(c) for c in all_columns]
    con.execute(f"CREATE OR REPLACE TEMP VIEW raw AS SELECT {', '.join(['_line', *cleaned])} FROM {source}")
    return fields


def _exprs(c: str, spec: Field, prose: bool = False, field: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    """(normalised expression, [(rule, predicate)]) over the SQL expression `c` holding raw text.
    `prose`: a multi-line text field, kept as written (`nz.sql_prose`); `field`: the column, for the
    earliest date it can hold (`etl.rules.earliest_date`)."""
    t = spec.type
    if t == "text":
        return (nz.sql_prose(c) if prose else nz.sql_text(c)), []
    if t == "person":
        return nz.sql_person(c), []
    if t == "names":
        return nz.sql_names(c), []
    if t == "phone":
        return nz.sql_phone(c), []
    if t == "place":
        return nz.sql_place(c), []
    if t == "hhid":  # household numbers stay text, unwrapped; an Excel float rendering loses its trailing .0
        # `/`: a township-level item's; no space inside, as in an ID number (`1508241052990 1` typed or
        # pasted was a household of its own, and a ledger's row of it linked to none)
        text = nz.sql_unless_placeholder(nz.sql_unspaced(c))
        # 1.50824E+11: Excel's float of a long 户编号, its digits lost (two households would merge under it)
        mangled = f"CASE WHEN contains({c}, 'E') OR contains({c}, 'e') THEN {nz.sql_id_mangled_of(f'upper({text})')} ELSE FALSE END"
        return f"CASE WHEN ends_with({c}, '.0') THEN regexp_replace({text}, '^([0-9]+)\\.0+$', '\\1') " \
               f"ELSE {text} END", [("id_mangled", mangled)]
    if t == "id":
        return nz.sql_id_number(c), []  # checked by the ID rules of the loader
    if t in ("int", "months"):  # a count: its unit is read (3人), a fraction is not a count
        # nor is a negative one (人数 -3, 乡村人口 -2400, 务工时间 -3), nor 15 months of a year's work
        most = MONTHS_IN_YEAR if t == "months" else None
        checks = [("not_a_number", nz.sql_int_invalid(c)), ("negative_amount", f"{nz.sql_int(c)} < 0")]
        if most is not None:
            checks.append(("months_over_year", f"{nz.sql_int(c)} > {most}"))
        return nz.sql_count(c, most), checks
    if t == "number":
        return nz.sql_number(c), [("not_a_number", nz.sql_number_invalid(c))]
    if t in ("amount", "income"):  # a net income below zero is a figure (below any line), to be checked;
        # a negative amount of money is none (no sum counts it)
        value, negative = (nz.sql_amount(c), "negative_amount") if t == "amount" else \
            (nz.sql_number(c), "negative_income")
        return value, [("not_a_number", nz.sql_number_invalid(c)), (negative, f"{nz.sql_number(c)} < 0")]
    # nor lie before the work began: a placeholder (1900-01-01) is no date (`date_too_early`)
    earliest = earliest_date(field)
    if t == "year":  # a year after this one is in the future, as a date is (脱贫年度 2031); one before the
        y = nz.sql_year(c)  # earliest date's year is none (脱贫年度 1900), as a date before it is
        return nz.sql_year_not_before(c, earliest.year), [
            ("invalid_year", nz.sql_year_invalid(c)), ("date_too_early", f"{y} < {earliest.year}"),
            ("future_date", f"{y} > year(current_date)"),
            *([("exit_after_campaign", f"{y} > {LAST_EXIT_YEAR} AND {y} <= year(current_date)")]
              if field == "exit_year" else [])]
    if t in ("date", "deadline"):  # a deadline may lie ahead, an event not; ledgers write a deadline 4月底, 立行立改
        d, invalid = (nz.sql_date(c), nz.sql_date_invalid(c)) if t == "date" else \
            (nz.sql_deadline(c), nz.sql_deadline_invalid(c))
        future = [("future_date", f"{d} > current_date")] if t == "date" else []
        return nz.sql_not_before(d, earliest), [
            ("invalid_date", invalid), ("date_too_early", f"{d} < DATE '{earliest.isoformat()}'"), *future]
    if t == "yn":
        return nz.sql_yes_no(c), [("invalid_yes_no", nz.sql_yes_no_invalid(c))]
    if t == "code":
        assert spec.code_list
        return nz.sql_code(spec.code_list, c), [("unknown_code", nz.sql_code_unknown(spec.code_list, c))]
    if t == "codelist":
        assert spec.code_list
        return nz.sql_code_list(spec.code_list, c), [
            ("unknown_code", f"len({nz.sql_code_list_unknown(spec.code_list, c)}) > 0")]
    raise ValueError(t)


def identified_year_sql(raw: str) -> str:
    """The 识别年度 of a raw 识别时间 `raw`: its date's year, and the year of one written without a day
    (`2014`, `2014年`, `2015年10月`: no date, `invalid_date`, the day is not guessed), as a measure's 开始日期
    to the month gives its year (etl.load._measure_year_sql); that household was in no 识别年度 at all. A
    year before the earliest date (`date_too_early`: a placeholder) is none."""
    return nz.sql_year_not_before(raw, earliest_date("identified_date").year)


def _raw(col: str) -> str:
    """The raw text of column `col` in the staging SELECT (`raw_named r`)."""
    return f"r.{q('raw_' + col)}"


def _derived(con: duckdb.DuckDBPyConnection, table: str, col: str, expr_of: Callable[[str], str],
             n_rows: int, joins: list[str]) -> str:
    """A value derived from the raw text of column `col` by `expr_of`: inline on a small file, else
    computed once per distinct raw value into temp `table` and joined (a join added to `joins`), as the
    dictionary columns are. Returns the expression to select."""
    if n_rows < DICT_MIN_ROWS:
        return expr_of(_raw(col))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT raw, {expr_of('raw')} AS val "  # noqa: S608 - ours
                f"FROM (SELECT DISTINCT {q('raw_' + col)} AS raw FROM raw_named WHERE raw IS NOT NULL)")
    joins.append(f"LEFT JOIN {table} ON {table}.raw = {_raw(col)}")
    return f"{table}.val"


def build_stage(
    con: duckdb.DuckDBPyConnection, kind: str, present: list[str], n_rows: int, controls: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """Create temp table `stg` from the registered view `raw`.

    Files of fewer than DICT_MIN_ROWS rows are normalised inline in one statement: for them the
    dictionaries' extra statements cost more than they save.

    `stg` has `source_line`, `rejected_rule` (NULL for rows kept), every canonical column of the kind
    normalised, `raw_<col>` for the columns of RAW_KEPT, and a boolean `bad__<rule>__<col>` per
    check. View `raw_named` keeps every raw column for messages. Returns the (rule, column) checks.
    `controls`: the fields that had control characters stripped (`strip_controls`), checked too.
    """
    specs = FIELDS[kind]
    raw_cols = [
        f"{q(c)} AS {q('raw_' + c)}" if c in present else f"NULL::VARCHAR AS {q('raw_' + c)}" for c in specs
    ]
    con.execute(f"CREATE OR REPLACE TEMP VIEW raw_named AS SELECT _line, {', '.join(raw_cols)} FROM raw")
    select = ["r._line AS source_line"]
    joins: list[str] = []
    checks: list[tuple[str, str]] = []
    # each raw column's text (nz.sql_text) once, in the inner SELECT, for every expression over it
    with nz.texts_computed({_raw(c): f"r.{q('text_' + c)}" for c in specs}) as asked:
        for i, (col, spec) in enumerate(specs.items()):
            raw_col = _raw(col)
            d: str | None = None  # the column's dictionary of distinct values, when it has one
            if col not in present:  # absent column: all NULL, nothing to check
                select.append(f"NULL::{_null_type(spec)} AS {q(col)}")
            elif spec.type in PER_ROW_TYPES or col in PER_ROW_TEXT or n_rows < DICT_MIN_ROWS:
                expr, preds = _exprs(raw_col, spec, col in MULTI_LINE_FIELDS, col)
                select.append(f"{expr} AS {q(col)}")
                for rule, p in preds:
                    select.append(f"coalesce({p}, false) AS {q(f'bad__{rule}__{col}')}")
                    checks.append((rule, col))
            else:
                with nz.texts_computed({"raw": "text"}):  # the text once per value, as per row above
                    expr, preds = _exprs("raw", spec, col in MULTI_LINE_FIELDS, col)
                    flags = "".join(f", coalesce({p}, false) AS {q('bad__' + rule)}" for rule, p in preds)
                    if col in RAW_KEPT:  # the presence test per distinct value, not per row (5 s of a 1M-household registry)
                        flags += f", {nz.sql_given('raw')} IS NOT NULL AS given"
                d = f"d{i}"
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {d} AS SELECT raw, {expr} AS val{flags} "
                    f"FROM (SELECT raw, {nz.sql_text('raw')} AS text FROM "
                    f"(SELECT DISTINCT {q('raw_' + col)} AS raw FROM raw_named WHERE raw IS NOT NULL))"
                )
                joins.append(f"LEFT JOIN {d} ON {d}.raw = {raw_col}")
                select.append(f"{d}.val AS {q(col)}")
                for rule, _ in preds:
                    select.append(f"coalesce({d}.{q('bad__' + rule)}, false) AS {q(f'bad__{rule}__{col}')}")
                    checks.append((rule, col))
            if col in RAW_KEPT:  # for presence tests: a placeholder is no value (`nz.sql_given`)
                given = f"CASE WHEN {d}.given THEN {raw_col} END" if d else nz.sql_given(raw_col)
                select.append(f"{given} AS {q('raw_' + col)}")
            if col in controls:
                select.append(f"r._line IN (SELECT line FROM ctl_issues WHERE field = '{col}') "
                              f"AS {q(f'bad__{CONTROL_RULE}__{col}')}")
                checks.append((CONTROL_RULE, col))
        id_checks = ""
        if "id_number" in specs:  # on the normalised ID computed by the inner SELECT, not again from raw
            id_checks = (
                f", coalesce({nz.sql_id_valid_of('id_number')}, false) AS id_valid"
                f", {nz.sql_id_mangled_of('id_number')} AS id_mangled"
                f", {nz.sql_id_key_of('id_number')} AS id_key"
                f", {nz.sql_id_birth_date_of('id_number')} AS id_birth_date"
                f", {nz.sql_id_sex_of('id_number')} AS id_sex"
            )
        if kind == "registry":  # the exited hint of a post-2020 household attribute (codes.EXITED_ATTRIBUTES)
            select.append(f"{nz.sql_exited_attribute(_raw('household_attribute'))} AS exited_attribute")
        if kind == "registry":
            year = "NULL::INTEGER" if "identified_date" not in present else \
                _derived(con, "d_idyear", "identified_date", identified_year_sql, n_rows, joins)
            select.append(f"{year} AS identified_year")
            select.append(f"{_derived(con, 'd_policy', 'exit_status', nz.sql_enjoys_policy, n_rows, joins)} "
                          "AS enjoys_policy")
    # A 户编号 Excel mangled rejects the row first (it must not be placed by that key, _place_by_household);
    # else the first placing column that is missing decides the rejection reason.
    mangled = [f"WHEN {q(f'bad__id_mangled__{c}')} THEN '{HHID_MANGLED}'" for rule, c in checks
               if rule == "id_mangled" and specs[c].type == "hhid"]
    reject = "CASE " + " ".join(
        [*mangled, *(f"WHEN {q(c)} IS NULL THEN '{REJECT_RULE[c]}'" for c in PLACING[kind])]
    ) + " END"
    texts = "".join(f", {nz.sql_text(_raw(c))} AS {q('text_' + c)}" for c in specs if _raw(c) in asked)
    con.execute(
        f"CREATE OR REPLACE TABLE {STAGE_SCHEMA}.stg AS SELECT *, {reject} AS rejected_rule{id_checks} "
        f"FROM (SELECT {', '.join(select)} FROM (SELECT r.*{texts} FROM raw_named r) r {' '.join(joins)})"
    )
    for i in range(len(specs)):
        con.execute(f"DROP TABLE IF EXISTS d{i}")
    con.execute("DROP TABLE IF EXISTS d_policy")
    if kind == "registry":
        _place_by_household(con)
    elif kind == "rectifications":
        _place_item_by_registry(con)
    return checks


def _place_item_by_registry(con: duckdb.DuckDBPyConnection) -> None:
    """A rectification item without 乡(镇) whose 户编号 the registry holds takes the household's township
    (and its village, when blank): the registry places it (data-spec §3 rejects only a row that cannot
    be placed), as `list_rectification` counts a household's item where the registry puts the household.
    A village's ledger of household items that left 乡(镇) blank was rejected whole (no_township). A row
    of its 户编号 alone (neither 问题编号 nor 问题描述) is no item: still rejected, its raw values kept."""
    if not con.execute("SELECT count(*) FROM stg WHERE rejected_rule = 'no_township' AND household_id IS NOT NULL "
                       "LIMIT 1").fetchone()[0]:
        return
    con.execute("""
        UPDATE stg SET township = h.township, village = coalesce(stg.village, h.village), rejected_rule = NULL
        FROM households h
        WHERE stg.household_id = h.household_id AND stg.rejected_rule = 'no_township' AND h.township IS NOT NULL
          AND (stg.issue_id IS NOT NULL OR stg.description IS NOT NULL)""")


def _place_by_household(con: duckdb.DuckDBPyConnection) -> None:
    """A member row without 乡镇 or 行政村 whose 户编号 the file places (one township and one village on
    its other rows) takes that place. A workbook with the place merged down each household's rows,
    saved as CSV, has it on the head's row only: the other members were rejected, and since a registry
    file replaces the member set, a re-export took them out of the stored household."""
    if not con.execute("SELECT count(*) FROM stg WHERE rejected_rule IN ('no_township', 'no_village') "
                       "LIMIT 1").fetchone()[0]:
        return
    con.execute("""
        UPDATE stg SET township = p.township, village = p.village, rejected_rule = NULL
        FROM (SELECT household_id, min(township) AS township, min(village) AS village FROM stg
              WHERE township IS NOT NULL AND village IS NOT NULL
                AND household_id IN (SELECT household_id FROM stg
                                     WHERE rejected_rule IN ('no_township', 'no_village'))
              GROUP BY household_id
              HAVING count(DISTINCT township) = 1 AND count(DISTINCT village) = 1) p
        WHERE stg.household_id = p.household_id AND stg.rejected_rule IN ('no_township', 'no_village')
          AND coalesce(stg.township, p.township) = p.township AND coalesce(stg.village, p.village) = p.village""")


def _null_type(spec: Field) -> str:
    return {
        "int": "INTEGER", "months": "INTEGER", "year": "INTEGER", "number": "DOUBLE", "amount": "DOUBLE", "income": "DOUBLE",
        "date": "DATE",
        "deadline": "DATE", "yn": "BOOLEAN", "codelist": "VARCHAR[]",
    }.get(spec.type, "VARCHAR")


def raw_value_case(kind: str, alias: str = "r") -> str:
    """SQL picking the raw text of column `field` from raw_named, for issue messages."""
    return "CASE field " + " ".join(
        f"WHEN '{c}' THEN {alias}.{q('raw_' + c)}" for c in FIELDS[kind]
    ) + " END"
