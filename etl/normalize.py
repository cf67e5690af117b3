"""Value normalisation as DuckDB SQL expression builders (data-spec §1, §2, §3).

Each builder takes a SQL expression (a quoted column identifier chosen by our code, never user data)
and returns a SQL expression string, so the loader normalises a whole file in one vectorised
statement: ``SELECT {sql_date('"visit_date"')} AS visit_date, ... FROM raw``. No per-row Python.

Only constants of ``etl.codes`` are embedded, as escaped SQL literals. Every builder is total: any
text gives a value or NULL, never an error (no unguarded CAST, strptime or make_date).

Notes on DuckDB 2.0.1 behaviour these builders rely on (checked by running it):
- lambdas must be written ``lambda x: ...``; the arrow form ``x -> ...`` is a binder error;
- an intermediate value used several times is bound once with ``_let`` (a one-element
  list_transform): the optimiser shares repeated sub-expressions only partly, and repeating them
  makes the SQL text, and its planning time, grow geometrically with nesting;
- ``translate()`` is slow (about 0.7M rows/s with a 115-character table: it rebuilds its table per
  row), so full-width characters are mapped per character with code-point arithmetic, and only on
  rows a regex finds them in;
- a constant MAP lookup beats a CASE chain and a list_position lookup, and, unlike a join against a
  lookup table, stays a plain expression (see ``benchmark``).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache

from etl import clock, codes
from etl.raw_rows import TEXT_FORMULA

# --- SQL literal helpers --------------------------------------------------------------------------


def _lit(value: str) -> str:
    """A VARCHAR literal (standard SQL strings: only the quote needs doubling, backslash is literal)."""
    return "'" + value.replace("'", "''") + "'"


def _let(value: str, name: str, body: str) -> str:
    """``body`` with ``name`` bound to ``value``, computed once per row (a one-element list_transform is
    DuckDB's "let"). Without it a builder must repeat its input: the optimiser shares repeated
    sub-expressions only partly (not inside AND), and the SQL text grows geometrically with nesting,
    which made planning take ~100 ms for one ID-number column."""
    return f"list_transform([{value}], lambda {name}: {body})[1]"


# A cell that says "nothing here" the way Chinese ledgers write it: dashes, a slash, 无 or 暂无. In a typed
# column (a number, date, year, yes/no or code) it is blank, not a value in error: `-` in every empty
# 其他保障 cell of a claims list raised one not_a_number per claim (a probe). It parses to no value
# anyway; only the issue goes (无 is a yes/no value, read as 否 there). A place of `/` is no place.
PLACEHOLDER_RE = "[-/\u2014\u2013\u2015]+|暂?无"


def _placeholder(text: str) -> str:
    """TRUE when normalised `text` is a placeholder. The length test first spares most values the regex
    (户编号 is normalised per row): a placeholder is a few characters (12 bytes: four em dashes)."""
    return f"(strlen({text}) <= 12 AND regexp_full_match({text}, {_lit(PLACEHOLDER_RE)}))"


def sql_unless_placeholder(text: str) -> str:
    """Normalised `text`, NULL when it is a placeholder (PLACEHOLDER_RE): for the columns that place a
    row (乡镇, 行政村, 户编号), where `/` would be a place or a household."""
    return _let(text, "_nz_ph", f"CASE WHEN NOT {_placeholder('_nz_ph')} THEN _nz_ph END")


def sql_unspaced(col: str) -> str:
    """`sql_text` without any space: a place name or a 户编号 has none (`海 流 图 镇`, `1508241052990 1`
    typed for alignment or pasted)."""
    return f"nullif(replace({sql_text(col)}, ' ', ''), '')"


def sql_given(col: str) -> str:
    """The raw text `col` as the file gave it, NULL when blank or a placeholder (PLACEHOLDER_RE): the
    presence test of the rules that need a value. 脱贫年度 `—` is no exit year and 证件号码 `无` no ID number
    (a child without one): they passed as given, so an exited household without its year raised no issue.
    A placeholder is at most 12 bytes, so longer values skip the regex (CASE evaluates a THEN lazily)."""
    return f"CASE WHEN strlen({col}) > 12 THEN {col} WHEN coalesce({_placeholder(sql_text(col))}, TRUE) THEN NULL ELSE {col} END"


def _present_and_null(col: str, parsed: Callable[[str], str], words: Sequence[str] = ()) -> str:
    """TRUE when ``col`` has text, not a placeholder (PLACEHOLDER_RE) nor one of `words` (values that say
    there is none, as 长期坚持 for a deadline), but ``parsed(text)`` is NULL; FALSE otherwise (never NULL)."""
    said = f" AND NOT regexp_full_match(_nz_p, {_lit('|'.join(words))})" if words else ""
    return _let(sql_text(col), "_nz_p", f"_nz_p IS NOT NULL AND {parsed('_nz_p')} IS NULL "
                                        f"AND NOT {_placeholder('_nz_p')}{said}")


def _regex_class(chars: Iterable[str]) -> str:
    """A RE2 character class matching any of ``chars``."""
    return "[" + "".join("\\" + c if c in "\\]^-[" else c for c in chars) + "]"


# --- Text ------------------------------------------------------------------------------------------

# Full-width ASCII (U+FF01-U+FF5E) to half-width, odd spaces to a space, zero-width marks dropped.
_FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F))
_HALF_WIDTH = "".join(chr(c) for c in range(0x21, 0x7F))
_ODD_SPACES = "\u3000\u00a0\u0085\u1680\u2028\u2029\u202f\u205f" + "".join(chr(c) for c in range(0x2000, 0x200B))
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_PY_TRANSLATE = str.maketrans(_FULL_WIDTH + _ODD_SPACES, _HALF_WIDTH + " " * len(_ODD_SPACES), _ZERO_WIDTH)


# Excel's text-forcing wrappers, which exports put around a cell so that Excel keeps it as written: a
# long number's digits (证件号码, 户编号), a code's leading zero (the post-2020 attribute `="01"`), and in
# some systems every cell (`="乌加河镇"`, `=""` for an empty one). A leading `'` before a digit does the same
# for a number (`'2019`, `'01`); before anything else it is the text's own (`'; DROP …` stays as written), and
# a formula (`=D2*3`, `=HYPERLINK(…)`) is no wrapper either. Prose (`sql_prose`) keeps its `'`. The readers
# take the `="…"` one off every cell before they classify rows (etl.raw_rows.TEXT_FORMULA); here it is for
# other callers of `sql_text` and `py_text`.
_WRAPPED_RE = f"^(?s:{TEXT_FORMULA}|'([0-9].*))$"
# Rows needing the slow path: characters to translate, ASCII whitespace other than a space, a run of
# spaces, or a wrapper's start (_WRAPPED_RE). Everything else only needs trim() (the common case,
# ~40M rows/s): a plain cell pays no more for the wrappers than this test.
_SLOW_TEXT_RE = (
    "[\\x{FF01}-\\x{FF5E}" + "".join(f"\\x{{{ord(c):04X}}}" for c in _ODD_SPACES + _ZERO_WIDTH)
    + "\\t\\n\\r\\f\\v]|  |^ ?(?:=\"|'[0-9])"
)


# sql_text of these expressions is a column an inner SELECT computed (`texts_computed`), and the ones asked for
_TEXT_COLUMNS: ContextVar[tuple[dict[str, str], set[str]] | None] = ContextVar("_TEXT_COLUMNS", default=None)


@contextmanager
def texts_computed(columns: dict[str, str]) -> Iterator[set[str]]:
    """Within: `sql_text(c)` of an expression `c` of `columns` is the column `columns[c]`, which the caller
    computes once in an inner SELECT; yields the expressions whose text was asked for (the columns to
    compute). A type's builders ask for a value's text several times (its value, its invalid test, its
    presence): inlined, the text expression made 58% of a registry's staging SQL, whose planning took
    0.45 s of a 100-household load (300 rows, executed in 25 ms)."""
    asked: set[str] = set()
    token = _TEXT_COLUMNS.set((columns, asked))
    try:
        yield asked
    finally:
        _TEXT_COLUMNS.reset(token)


def sql_text(col: str) -> str:
    """Trimmed text: full-width ASCII to half-width, NBSP/ideographic spaces to spaces, zero-width
    marks removed, whitespace runs collapsed to one space, then unwrapped (`="01"` is 01: _WRAPPED_RE);
    empty gives NULL. Wrapped, a code, year, date, number, place or name was none, or not the one it
    said (a probe of the data contract, 2026-12-06)."""
    computed = _TEXT_COLUMNS.get()
    if computed is not None and col in computed[0]:
        computed[1].add(col)
        return computed[0][col]
    # Per character: code-point arithmetic maps U+FF01-U+FF5E to ASCII. Measured ~6M rows/s on the
    # rows that need it, against 0.7M for translate() with the 115-character table.
    chars = (
        f"list_transform(string_split({col}, ''), lambda _nz_ch: CASE "
        f"WHEN _nz_ch BETWEEN '\uff01' AND '\uff5e' THEN chr(unicode(_nz_ch) - {0xFF01 - 0x21}) "
        f"WHEN _nz_ch IN ({', '.join(_lit(c) for c in _ODD_SPACES)}) THEN ' ' "
        f"WHEN _nz_ch IN ({', '.join(_lit(c) for c in _ZERO_WIDTH)}) THEN '' ELSE _nz_ch END)"
    )
    # Spelled out: RE2's \s leaves out \v.
    slow = f"regexp_replace(array_to_string({chars}, ''), '[\\t\\n\\v\\f\\r ]+', ' ', 'g')"
    unwrapped = f"regexp_replace(trim({slow}), {_lit(_WRAPPED_RE)}, '\\1\\2')"
    return (
        f"nullif(trim(CASE WHEN regexp_matches({col}, {_lit(_SLOW_TEXT_RE)}) THEN {unwrapped} "
        f"ELSE {col} END), '')"
    )


def sql_place(col: str) -> str:
    """A township's or village's name: `sql_text` without any space (a Chinese place name has none;
    `海 流 图 镇` typed for alignment was a seventh township of one household)."""
    return sql_unless_placeholder(sql_unspaced(col))


# A name of Chinese characters, with the dots between the parts of one (etl.sqlexpr.NAME_DOTS, 买买提·艾力,
# after `sql_text`) and spaces
_HAN_NAME_RE = "[\\p{Han}·•.・‧･∙⋅ ]+"


def sql_person(col: str) -> str:
    """A person's name: `sql_text`, and a name of Chinese characters (and the dots of 买买提·艾力) without
    spaces. Forms space a two-character name to the width of three (`李  四`, `王　五`): stored as 李 四,
    the member was not the 李四 a measure or a note names, so that name was not masked there. A Latin
    name keeps its single spaces."""
    return _text_without_spaces_if(col, _HAN_NAME_RE)


def _text_without_spaces_if(col: str, pattern: str) -> str:
    """`sql_text` of `col`, its spaces removed when the whole text matches `pattern` (the spaced names)."""
    return _let(sql_text(col), "_nz_sp", f"CASE WHEN contains(_nz_sp, ' ') AND regexp_full_match(_nz_sp, "
                                         f"{_lit(pattern)}) THEN replace(_nz_sp, ' ', '') ELSE _nz_sp END")


# Names spaced out character by character (`王  五` to the width of three, `张 三 丰`): one person's name.
_SPACED_HAN_NAME_RE = "\\p{Han}(?: \\p{Han})+"


def sql_names(col: str) -> str:
    """The name of one person or several (帮扶责任人): `sql_text`, and a name of Chinese characters spaced
    out character by character (`王  五`, `王　五`, `张 三 丰`) without its spaces, as `sql_person` stores
    姓名: as 王 五 on one member row and 王五 on another, the household's 帮扶责任人 differed
    (household_fields_differ). Names set apart by a space (`王五 李四`: two cadres) keep it, where
    `sql_person` would make one name of them; a Latin name keeps its single spaces."""
    return _text_without_spaces_if(col, _SPACED_HAN_NAME_RE)


# A phone number written in groups (`138 0000 1111`, `138-0000-1111`, `0478-1234567`, `+86 138 0000 1111`),
# and the most digits one number has (+86 and a mobile's 11): two numbers in one cell have more.
_GROUPED_PHONE_RE = "\\+?[0-9]+(?:[ -]+[0-9]+)+"
PHONE_MOST_DIGITS = 13


def sql_phone(col: str) -> str:
    """A phone number (联系电话): `sql_text`, and a number written in groups of digits without its spaces
    and hyphens (`138 0000 1111` is 13800001111): one household's member rows wrote it both ways, and it
    differed (household_fields_differ); masked, `138 0000 1111` showed more digits than 13800001111.
    A number a spreadsheet tool wrote as a float (`13800001111.0`, a CSV saved by pandas) loses its `.0`.
    Anything else stays as written (`13800001111 13900002222`: two numbers; `13800001111（儿子）`)."""
    grouped = (f"(contains(_nz_ph, ' ') OR contains(_nz_ph, '-')) AND regexp_full_match(_nz_ph, "
               f"{_lit(_GROUPED_PHONE_RE)}) AND length(regexp_replace(_nz_ph, '[^0-9]', '', 'g')) <= {PHONE_MOST_DIGITS}")
    floated = f"regexp_full_match(_nz_ph, '[0-9]{{5,{PHONE_MOST_DIGITS}}}\\.0+')"
    return _let(sql_text(col), "_nz_ph", f"CASE WHEN {grouped} THEN regexp_replace(_nz_ph, '[ -]', '', 'g') "
                                         f"WHEN {floated} THEN regexp_replace(_nz_ph, '\\.0+$', '') "
                                         "ELSE _nz_ph END")


def sql_prose(col: str) -> str:
    """Prose (措施内容, 情况记录, 问题描述, 整改措施) as written: Chinese punctuation, line breaks and tabs
    kept (a Windows line end becomes a line feed), only the ends trimmed (by the readers); empty gives
    NULL. Names are folded by `sql_text` so that one unit or place groups as one; a sentence is read."""
    return f"nullif(replace({col}, chr(13) || chr(10), chr(10)), '')"


def py_text(value: str | None) -> str | None:
    """Python mirror of ``sql_text`` for constants (code-list keys); tests check they agree."""
    if value is None:
        return None
    # Python's \s would also match Unicode spaces the SQL keeps, so spell the class out.
    text = re.sub(r"[\t\n\v\f\r ]+", " ", value.translate(_PY_TRANSLATE)).strip(" ")
    return re.sub(_WRAPPED_RE, r"\1\2", text).strip(" ") or None


def _key(col: str) -> str:
    """Lookup key of a code value: normalised text, lower-cased (Latin codes are case-insensitive)."""
    return _lookup(sql_text(col))


def _lookup(text: str) -> str:
    """The lookup key of normalised text: lower-cased and without spaces. No code holds one, and
    「已脱贫 (享受政策)」 or 「因 病」 spaced for alignment were unknown codes (their value dropped)."""
    return f"lower(replace({text}, ' ', ''))"


def _py_key(value: str) -> str | None:
    text = py_text(value)
    return text.replace(" ", "").lower() if text is not None else None


# --- ID numbers (GB 11643-1999) --------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"


def id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def id_valid(value: str) -> bool:
    """Python twin of `sql_id_valid_of` for a normalised ID number (upper case): 17 digits and a check
    character that matches, with a real birth date from 1900 up to today."""
    if len(value) != 18 or not value[:17].isascii() or not value[:17].isdigit() or value[17] not in "0123456789X":
        return False
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return id_check_char(value[:17]) == value[17] and date(1900, 1, 1) <= birth <= date.today()


def sql_id_number(col: str) -> str:
    """The ID number as text: normalised (`sql_text`: unwrapped too), spaces removed, upper-case X;
    NULL for a placeholder (`无` for a child without one: as an ID it keyed every such member alike, so a
    household's second child was a duplicate and dropped, and each was "registered in another household");
    anything else is kept as given."""
    return sql_unless_placeholder(f"nullif(upper(replace({sql_text(col)}, ' ', '')), '')")


def _id_shape18(n: str) -> str:
    return f"regexp_full_match({n}, '\\d{{17}}[\\dX]')"


def _id_birth_raw(n: str) -> str:
    """Birth date (TIMESTAMP) of an ID number of either shape, before the range check."""
    return (
        f"CASE WHEN {_id_shape18(n)} THEN try_strptime(substr({n}, 7, 8), '%Y%m%d') "
        # First-generation 15-digit IDs (no check digit) carry YYMMDD of a 19xx year.
        f"WHEN regexp_full_match({n}, '\\d{{15}}') THEN try_strptime('19' || substr({n}, 7, 6), '%Y%m%d') "
        "END"
    )


def _id_birth_ok(n: str) -> str:
    return f"(CAST({_id_birth_raw(n)} AS DATE) BETWEEN DATE '1900-01-01' AND current_date)"


def sql_id_valid(col: str) -> str:
    """TRUE for a valid 18-character ID number (17 digits + digit/X, MOD 11-2 check character, a real
    birth date from 1900 up to today); FALSE for anything else given; NULL when empty."""
    return _let(sql_id_number(col), "_nz_n", sql_id_valid_of("_nz_n"))


def sql_id_valid_of(n: str) -> str:
    """`sql_id_valid` of an expression that already holds a normalised ID number (`sql_id_number`)."""
    # The 17 digits as one BIGINT split by integer arithmetic: ~1.6x faster than 17 substr() calls.
    weighted = " + ".join(f"(_nz_v // {10 ** (16 - i)} % 10) * {w}" for i, w in enumerate(_ID_WEIGHTS))
    check = _let(
        f"try_cast(left({n}, 17) AS BIGINT)", "_nz_v",
        f"substr({_lit(_ID_CHECK_CHARS)}, CAST(({weighted}) % 11 AS INTEGER) + 1, 1)",
    )
    return (
        f"CASE WHEN {n} IS NULL THEN NULL ELSE coalesce({_id_shape18(n)} "
        f"AND {check} = substr({n}, 18, 1) AND {_id_birth_ok(n)}, FALSE) END"
    )


def sql_id_birth_date(col: str) -> str:
    """Birth date (DATE) from an ID number of valid shape (18 chars, or the old 15 digits), whatever
    its check character; NULL when impossible, before 1900 or in the future."""
    return _let(sql_id_number(col), "_nz_n", sql_id_birth_date_of("_nz_n"))


def sql_id_birth_date_of(n: str) -> str:
    """`sql_id_birth_date` of an expression holding a normalised ID number."""
    return _let(f"CAST({_id_birth_raw(n)} AS DATE)", "_nz_b",
                "CASE WHEN _nz_b BETWEEN DATE '1900-01-01' AND current_date THEN _nz_b END")


def sql_id_sex(col: str) -> str:
    """'男' / '女' from the sequence digit (17th of 18, 15th of 15; odd = male); NULL otherwise."""
    return _let(sql_id_number(col), "_nz_n", sql_id_sex_of("_nz_n"))


def sql_id_sex_of(n: str) -> str:
    """`sql_id_sex` of an expression holding a normalised ID number."""
    digit = (
        f"CASE WHEN {_id_shape18(n)} THEN substr({n}, 17, 1) "
        f"WHEN regexp_full_match({n}, '\\d{{15}}') THEN substr({n}, 15, 1) END"
    )
    return f"CASE WHEN {digit} IN ('1', '3', '5', '7', '9') THEN '男' WHEN {digit} IS NOT NULL THEN '女' END"


def sql_id_key_of(n: str) -> str:
    """The normalised ID number `n` when it can tell a person apart: 15 to 18 digits, the last may be X
    (a wrong check digit or birth date still names one person); NULL for words (`未办理`, `待补录`) and for
    Excel's float (`1.50824E+17`). A member's key and the test for an ID in two households use it: every
    child whose ID was written 未办理 had one key, so a household's second was dropped as a duplicate."""
    return f"CASE WHEN regexp_full_match({n}, '\\d{{14,17}}[\\dX]') THEN {n} END"


def sql_id_mangled(col: str) -> str:
    """TRUE when Excel turned the ID number into a float (``1.50824E+17``): the digits are lost."""
    return sql_id_mangled_of(sql_id_number(col))


def sql_id_mangled_of(n: str) -> str:
    """`sql_id_mangled` of an expression holding a normalised ID number."""
    return f"coalesce(regexp_full_match({n}, '\\d+(\\.\\d*)?E[+]?\\d+'), FALSE)"


# --- Dates -----------------------------------------------------------------------------------------

# Y-M-D with - / . or 年月日, optional time part (datetime cells rendered as text). The trailing
# alternative makes a non-date match too, with empty groups, so one regexp_replace gives either
# "Y-M-D" or "--" (which try_strptime rejects): one regex pass instead of a match plus a replace.
_YMD_SHAPE = ("(\\d{4}) ?[-/.年] ?(\\d{1,2}) ?[-/.月] ?(\\d{1,2}) ?[日号]?"
              "(?:[ T]\\d{1,2}:\\d{1,2}(?::\\d{1,2}(?:\\.\\d*)?)?)?")
_YMD_RE = f"^(?:{_YMD_SHAPE}|(?s:.*))$"
_EXCEL_EPOCH = "DATE '1899-12-30'"  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)


def _date_from_text(t: str) -> str:
    """DATE from normalised text ``t`` (a column or lambda parameter: it is referenced several times)."""
    serial = f"try_cast(split_part({t}, '.', 1) AS INTEGER)"
    return (
        f"CASE WHEN regexp_full_match({t}, '\\d{{8}}') THEN CAST(try_strptime({t}, '%Y%m%d') AS DATE) "
        f"WHEN regexp_full_match({t}, '\\d{{5}}(\\.\\d*)?') THEN "
        f"CASE WHEN {serial} BETWEEN 20000 AND 80000 THEN {_EXCEL_EPOCH} + {serial} END "
        f"ELSE CAST(try_strptime(regexp_replace({t}, {_lit(_YMD_RE)}, '\\1-\\2-\\3'), '%Y-%m-%d') AS DATE) END"
    )


def sql_date(col: str) -> str:
    """DATE from 2020-06-22, 2020/6/22, 2020.6.22, 2020年6月22日, 20200622, a datetime text or an
    Excel serial number (20000-80000, fraction ignored); NULL when absent or unparseable."""
    return _let(sql_text(col), "_nz_t", _date_from_text("_nz_t"))


def py_no_such_day(value: object) -> bool:
    """True when a value has a date's shape as `sql_date` reads it (Y-M-D, 8 digits) but names no day
    (2023-02-29, 2024-13-01, 20240431): its message says so, where "not a date; accepted e.g. 2020-06-22"
    left a clerk who had written 2023-02-29 not knowing what was wrong."""
    text = py_text(None if value is None else str(value)) or ""
    shaped = re.fullmatch(_YMD_SHAPE, text) or re.fullmatch("(\\d{4})(\\d{2})(\\d{2})", text)
    if shaped is None:
        return False
    try:
        date(int(shaped[1]), int(shaped[2]), int(shaped[3]))
    except ValueError:
        return True
    return False


def py_no_day(value: object) -> bool:
    """True when a value gives a year or a month but no day (2016, 2016年3月, 2016.3): a date column takes
    it as no date (the day is not guessed), and its message says that, not "not a date"."""
    return re.fullmatch(_YEAR_TEXT_RE, py_text(None if value is None else str(value)) or "") is not None


def sql_not_before(value: str, earliest: date) -> str:
    """A DATE expression `value`, NULL when before `earliest` (a placeholder such as 1900-01-01 is no
    date: `date_too_early`, etl.rules.earliest_date)."""
    return _let(value, "_nz_dt", f"CASE WHEN _nz_dt >= DATE '{earliest.isoformat()}' THEN _nz_dt END")


def sql_date_invalid(col: str) -> str:
    """TRUE when a value is present but is not a date."""
    return _present_and_null(col, _date_from_text)


# A deadline as rectification ledgers write it (整改时限): a date; the date with 前/之前/以前/止 after it
# (2024年4月30日前: by that day); a month (2024年4月, 2024.4, 2024-04, 2024年4月底/末/份) or a year's end
# (2024年底) meaning its last day. Stored NULL and `invalid_date`, each of these made the open item
# never overdue, which is what an inspection asks first. 立行立改 (fix at once) is the day the problem
# was found, set by the loader from 发现日期 (`sql_immediate_deadline`); 长期坚持 (a standing task) has
# no deadline and is no defect either.
IMMEDIATE_DEADLINE_WORDS = ("立行立改", "立即整改", "即知即改", "立知立改", "马上整改")
NO_DEADLINE_WORDS = ("长期坚持", "长期", "持续整改", "长期整改", "常态化", "持续推进")
_BY_DAY_RE = "(?:之前|以前|前|止|为止)$"
_MONTH_RE = "^(\\d{4}) ?[-/.年] ?(\\d{1,2}) ?月?(?:底|末|份)?$"
_YEAR_END_RE = "^(\\d{4}) ?年?(?:底|末)$"


def _deadline_from_text(t: str) -> str:
    """DATE of a deadline from normalised text ``t`` (the forms above); NULL otherwise."""
    month = f"regexp_extract(_nz_u, {_lit(_MONTH_RE)}, ['y', 'm'])"
    month_end = _let(month, "_nz_ym", "CASE WHEN _nz_ym.y <> '' AND CAST(_nz_ym.m AS INTEGER) BETWEEN 1 AND 12 "
                                      "THEN last_day(make_date(CAST(_nz_ym.y AS INTEGER), CAST(_nz_ym.m AS INTEGER), 1)) END")
    year_end = (f"CASE WHEN regexp_full_match(_nz_u, {_lit(_YEAR_END_RE)}) "
                f"THEN make_date(CAST(left(_nz_u, 4) AS INTEGER), 12, 31) END")
    return _let(f"regexp_replace({t}, {_lit(_BY_DAY_RE)}, '')", "_nz_u",
                f"coalesce({_date_from_text('_nz_u')}, {month_end}, {year_end})")


def sql_deadline(col: str) -> str:
    """DATE of a deadline (整改时限): a date, a date followed by 前, a month or a year's end (its last
    day); NULL when absent, a no-date word (立行立改, 长期坚持) or unparseable."""
    return _let(sql_text(col), "_nz_t", _deadline_from_text("_nz_t"))


def sql_deadline_invalid(col: str) -> str:
    """TRUE when a deadline is present but neither a deadline nor one of the no-date words."""
    return _present_and_null(col, _deadline_from_text, (*IMMEDIATE_DEADLINE_WORDS, *NO_DEADLINE_WORDS))


def sql_immediate_deadline(col: str) -> str:
    """TRUE when a deadline cell says the problem is to be fixed at once (立行立改: IMMEDIATE_DEADLINE_WORDS)."""
    return f"coalesce(regexp_full_match({sql_text(col)}, {_lit('|'.join(IMMEDIATE_DEADLINE_WORDS))}), FALSE)"


# --- Numbers ---------------------------------------------------------------------------------------

_NUM_RE = "[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?"


# Thousands separators where a clerk puts them: groups of three digits before the point (1,234,567.5 or
# 1,200万). `3,5` (a decimal comma) and `1,2,3` are no number: read as 35 and 123 they were ten times the value.
_GROUPED_RE = "[-+]?\\d{1,3}(?:,\\d{3})+(?:\\.\\d*)?万?"


# Spaces, a leading currency sign and a trailing 元 (元/人, 元/年: an income's unit; 元整, as a sum is written
# on a receipt) are decoration of a number (read by `sql_number` and by `py_number_too_large` alike)
_DECORATION_RE = " |^(?:[￥¥]|RMB)|元整?(?:/[人户年])*$"


# No amount, income or count in these files reaches a trillion (一万亿) yuan or people. 总费用 1e20 (or an ID
# number pasted into 100 rows of it) was stored, and the load failed as a whole when a derived table summed
# it into a BIGINT ("ConversionException … out of range for INT64"), every file of the load with it.
NUMBER_MAX = 1e12


def py_number_too_large(value: object) -> bool:
    """TRUE when `value` reads as a number (as `sql_number` reads it: separators, ￥, 元, 万) of NUMBER_MAX or
    more, or too large for a double (1e999): its `not_a_number` issue says so rather than "not a number"."""
    text = py_text(str(value)) if value is not None else None
    if text is None:
        return False
    text = re.sub(f",|{_DECORATION_RE}|{_COUNT_UNIT}", "", text.replace("\u2212", "-"))
    if not re.fullmatch(_NUM_RE + "万?", text):
        return False
    number = float(text.removesuffix("万")) * (10_000 if text.endswith("万") else 1)
    return abs(number) >= NUMBER_MAX  # 1e999 is inf: too large as well


def _number_from_text(t: str) -> str:
    s, n = "_nz_s", "_nz_n"
    value = (
        f"CASE WHEN regexp_full_match({n}, {_lit(_NUM_RE)}) THEN try_cast({n} AS DOUBLE) "
        f"WHEN regexp_full_match({n}, {_lit(_NUM_RE + '万')}) "
        f"THEN try_cast(left({n}, length({n}) - 1) AS DOUBLE) * 10000 END"
    )
    # commas only as thousands separators (_GROUPED_RE), then dropped
    ungrouped = _let(f"replace({s}, ',', '')", n, value)
    value = f"CASE WHEN NOT contains({s}, ',') OR regexp_full_match({s}, {_lit(_GROUPED_RE)}) THEN {ungrouped} END"
    # decoration dropped (_DECORATION_RE); a minus sign (U+2212, what word processors write) is a minus
    value = _let(f"regexp_replace(replace({t}, '\u2212', '-'), {_lit(_DECORATION_RE)}, '', 'g')", s, value)
    # '1e999' parses as inf; a number of NUMBER_MAX or more is none (py_number_too_large)
    return _let(value, "_nz_f", f"CASE WHEN isfinite(_nz_f) AND abs(_nz_f) < {NUMBER_MAX:.0f} THEN _nz_f END")


def sql_number(col: str) -> str:
    """DOUBLE from 4,300.50, 3200元, ￥1,200, 1.2万 (= 12000), full-width digits, -5; else NULL."""
    return _let(sql_text(col), "_nz_t", _number_from_text("_nz_t"))


def sql_amount(col: str) -> str:
    """An amount as `sql_number`, but NULL when negative: a negative amount is a data issue
    (`negative_amount`, data-spec §3) and no figure, so no sum counts it."""
    return _let(sql_number(col), "_nz_a", "CASE WHEN _nz_a >= 0 THEN _nz_a END")


def sql_number_invalid(col: str) -> str:
    """TRUE when a value is present but is not a number."""
    return _present_and_null(col, _number_from_text)


def sql_int(col: str) -> str:
    """BIGINT from a count with no fraction (3, 3.0, 1.2万, 3人, 152户, 6个月); NULL for 3.5, non-numbers and
    values beyond an INTEGER column (`_INT_MAX`)."""
    return _let(sql_text(col), "_nz_t", _int_from_text("_nz_t"))


# The unit a count may be written with (家庭人口 3人, 乡村户数 152户, 务工时间 6个月), as an amount's 元.
_COUNT_UNIT = "(?:人|户|口|个月|月)$"


def sql_count(col: str, most: int | None = None) -> str:
    """A count as `sql_int`, but NULL when negative or above `most` (a year's 12 months of work): such a
    value is a data issue (`negative_amount`, `months_over_year`; data-spec §3) and no figure, as a
    negative amount is (`sql_amount`)."""
    top = f" AND _nz_c <= {int(most)}" if most is not None else ""
    return _let(sql_int(col), "_nz_c", f"CASE WHEN _nz_c >= 0{top} THEN _nz_c END")


# Counts are stored in INTEGER columns (人数, 乡村人口): a larger value is no count. 人数 13800001111 (a phone
# number in the wrong column) failed the whole file's load with DuckDB's conversion error.
_INT_MAX = 2**31 - 1
# a whole number as a count column holds it, with the separators and units `sql_int` reads
_PY_WHOLE_RE = re.compile(r"[-+]?\d+(?:\.0*)?")


def py_count_too_large(value: object) -> bool:
    """TRUE when `value` is a whole number (3,000人, 13800001111) beyond an INTEGER column (`_INT_MAX`):
    it is not a number "not whole", as the load's `not_a_number` message said of 人数 13800001111 (a phone
    number in the wrong column), but one too large to be a count."""
    text = py_text(str(value)) if value is not None else None
    if text is None:
        return False
    text = re.sub(_COUNT_UNIT, "", text.replace(",", "").replace(" ", ""))
    return bool(_PY_WHOLE_RE.fullmatch(text)) and abs(float(text)) > _INT_MAX


def _int_from_text(t: str) -> str:
    return _let(
        _number_from_text(f"regexp_replace({t}, {_lit(_COUNT_UNIT)}, '')"), "_nz_i",
        f"CASE WHEN _nz_i = trunc(_nz_i) AND abs(_nz_i) <= {_INT_MAX} THEN CAST(_nz_i AS BIGINT) END",
    )


def sql_int_invalid(col: str) -> str:
    """TRUE when a value is present but is not a whole number."""
    return _present_and_null(col, _int_from_text)


def sql_year(col: str) -> str:
    """INTEGER year (1900-2100) from 2019, 2019年, 2019年度, 2019.0, 2019年12月 or any date form."""
    return _let(sql_text(col), "_nz_t", _year_from_text("_nz_t"))


# A year, or a year and a month, without a day: 2019, 2019年, 2019年度, 2019.0, 2019年12月, 2019-12.
_YEAR_TEXT_RE = "\\d{4} ?(?:年度?|\\.0*|年\\d{1,2}月份?|[-/.]\\d{1,2})?"


def _year_from_text(t: str) -> str:
    year = (
        f"CASE WHEN regexp_full_match({t}, {_lit(_YEAR_TEXT_RE)}) "
        f"THEN try_cast(left({t}, 4) AS INTEGER) ELSE year({_date_from_text(t)}) END"
    )
    return _let(year, "_nz_y", "CASE WHEN _nz_y BETWEEN 1900 AND 2100 THEN CAST(_nz_y AS INTEGER) END")


def sql_year_not_before(col: str, earliest: int) -> str:
    """`sql_year`, NULL for a year before `earliest`."""
    return _let(sql_year(col), "_nz_yr", f"CASE WHEN _nz_yr >= {int(earliest)} THEN _nz_yr END")


def sql_year_invalid(col: str) -> str:
    """TRUE when a value is present but is not a year."""
    return _present_and_null(col, _year_from_text)


# --- Lookups (yes/no, code lists) ------------------------------------------------------------------


def _numeric_variants(raw: str) -> list[str]:
    """'1' also as '1.0': numeric cells read from Excel as floats."""
    return [raw, raw + ".0"] if raw.isascii() and raw.isdigit() else [raw]


def _map_literal(pairs: dict[str, str | bool]) -> str:
    def value(v: str | bool) -> str:
        return ("TRUE" if v else "FALSE") if isinstance(v, bool) else _lit(v)

    return "MAP {" + ", ".join(f"{_lit(k)}: {value(v)}" for k, v in pairs.items()) + "}"


def _add_key(pairs: dict, raw: str, target: str | bool, what: str) -> None:
    for variant in _numeric_variants(raw):
        key = _py_key(variant)
        if key is None:
            continue
        if pairs.get(key, target) != target:
            raise ValueError(f"{what}: {variant!r} maps to both {pairs[key]!r} and {target!r}")
        pairs[key] = target


@cache
def _code_pairs(field: str) -> dict[str, str]:
    if field not in codes.CODE_LISTS:
        raise KeyError(f"unknown code list {field!r}; known: {sorted(codes.CODE_LISTS)}")
    pairs: dict[str, str] = {}
    for canonical, synonyms in codes.CODE_LISTS[field].items():
        for raw in [canonical, *synonyms]:
            _add_key(pairs, raw, canonical, field)
    return pairs


@cache
def _code_map(field: str) -> str:
    return _map_literal(_code_pairs(field))  # type: ignore[arg-type]


@cache
def _bool_map(name: str) -> str:
    pairs: dict[str, bool] = {}
    if name == "yes_no":
        for raw in codes.YES:
            _add_key(pairs, raw, True, name)
        for raw in codes.NO:
            _add_key(pairs, raw, False, name)
    elif name == "exited_attribute":
        for raw in codes.EXITED_ATTRIBUTES:
            _add_key(pairs, raw, True, name)
    else:
        for raw, enjoys in codes.ENJOYS_POLICY.items():
            _add_key(pairs, raw, enjoys, name)
    return _map_literal(pairs)  # type: ignore[arg-type]


def sql_yes_no(col: str) -> str:
    """BOOLEAN from the codes.YES / codes.NO spellings (case-insensitive); NULL otherwise."""
    return f"{_bool_map('yes_no')}[{_key(col)}]"


def sql_yes_no_invalid(col: str) -> str:
    """TRUE when a value is present but is neither a yes nor a no."""
    return _present_and_null(col, lambda t: f"{_bool_map('yes_no')}[{_lookup(t)}]")


def sql_code(field: str, col: str) -> str:
    """Canonical value of code list ``field`` (codes.CODE_LISTS) for a canonical spelling, synonym or
    numeric code; full-width and half-width forms are equal, Latin is case-insensitive; NULL if unknown."""
    return f"{_code_map(field)}[{_key(col)}]"


def sql_code_unknown(field: str, col: str) -> str:
    """TRUE when a value is present but is not in code list ``field``."""
    return _present_and_null(col, lambda t: f"{_code_map(field)}[{_lookup(t)}]")


def sql_enjoys_policy(col: str) -> str:
    """BOOLEAN from an exit-status spelling that says whether policy support continues (享受政策);
    NULL when it says nothing (e.g. plain 已脱贫)."""
    return f"{_bool_map('enjoys_policy')}[{_key(col)}]"


def sql_exited_attribute(col: str) -> str:
    """TRUE when a household-attribute spelling says the household has exited (codes.EXITED_ATTRIBUTES:
    一般脱贫户, the post-2020 codes 01–08), else FALSE."""
    return f"coalesce({_bool_map('exited_attribute')}[{_key(col)}], false)"


# --- Multi-valued code cells -----------------------------------------------------------------------

# Separators after sql_text (full-width ，；／ have become , ; /).
_SEPARATORS_RE = _regex_class(dict.fromkeys(py_text(c) or c for c in codes.MULTI_SEPARATORS))


def _pieces(field: str, col: str) -> str:
    """The pieces of a multi-valued cell: split on codes.MULTI_SEPARATORS, then a piece that is no code as
    a whole is split on its spaces. Clerks separate codes by a space too (健康状况 `长期慢性病 残疾` was one
    unknown code), while a single code spaced for alignment (`缺 技术`) is still the code: the whole
    piece is looked up first, and no code holds a space (`_lookup`)."""
    pieces = f"list_transform(string_split_regex({sql_text(col)}, {_lit(_SEPARATORS_RE)}), lambda _nz_x: trim(_nz_x))"
    return (f"flatten(list_transform({pieces}, lambda _nz_w: CASE WHEN {_code_map(field)}[{_lookup('_nz_w')}] "
            "IS NULL AND contains(_nz_w, ' ') THEN string_split(_nz_w, ' ') ELSE [_nz_w] END))")


def sql_code_list(field: str, col: str) -> str:
    """VARCHAR[] of canonical values of a cell holding several codes (split on codes.MULTI_SEPARATORS, and
    on spaces where the piece is no code whole: `_pieces`), duplicates removed, order kept, unknown
    pieces dropped; NULL when the cell is empty."""
    mapped = (
        f"list_filter(list_transform({_pieces(field, col)}, lambda _nz_x: {_code_map(field)}[{_lookup('_nz_x')}]), "
        "lambda _nz_c: _nz_c IS NOT NULL)"
    )
    # Keep the first occurrence of each value (list_distinct does not keep order).
    first = "list_filter(_nz_l, lambda _nz_c, _nz_k: list_position(_nz_l, _nz_c) = _nz_k)"
    return _let(mapped, "_nz_l", first)


def sql_code_list_unknown(field: str, col: str) -> str:
    """VARCHAR[] of the pieces (normalised text) that are not in code list ``field``; [] if none."""
    unknown = (
        f"list_filter({_pieces(field, col)}, lambda _nz_x: _nz_x <> '' AND {_code_map(field)}[{_lookup('_nz_x')}] IS NULL "
        f"AND NOT {_placeholder('_nz_x')})"
    )
    return f"coalesce({unknown}, []::VARCHAR[])"


def py_code_list_unknown(field: str, value: str) -> list[str]:
    """Python mirror of ``sql_code_list_unknown`` (a message quotes the pieces it does not know, not the
    whole cell: 「因残、乱写」 named 因残 as unknown too)."""
    pieces = [p.strip() for p in re.split(_SEPARATORS_RE, py_text(value) or "")]
    pieces = [w for p in pieces for w in (p.split(" ") if _py_key(p) not in _code_pairs(field) else [p])]
    return [p for p in pieces if p and _py_key(p) not in _code_pairs(field) and not re.fullmatch(PLACEHOLDER_RE, p)]


# --- Running a builder on Python values ------------------------------------------------------------

# One in-memory database for the whole process, used under a lock. Not one per thread: a connection
# left in a thread's locals is destroyed at interpreter exit, and DuckDB can abort the process there
# ("terminate called … exception not rethrown" after a test run; duckdb/duckdb#13904).
_lock = threading.Lock()
_con = None


def _connection():  # -> duckdb.DuckDBPyConnection
    global _con
    import duckdb

    if _con is None:
        _con = duckdb.connect(":memory:")
        clock.use_county_day(_con)
    return _con


def normalize_values(builder: Callable[..., str], values: list[str | None], *args: str) -> list:
    """Run ``builder(*args, column)`` over Python values in an in-memory DuckDB; one result per value,
    in order. The SQL stays the single implementation: this is for tests and scalar answers."""
    import pyarrow as pa

    table = pa.table({"i": pa.array(range(len(values)), pa.int64()), "v": pa.array(values, pa.string())})
    expr = builder(*args, '"v"')
    with _lock:
        con = _connection()
        con.register("_normalize_input", table)
        try:
            # expr is built from our constants only; the values travel as data.
            rows = con.execute(f"SELECT {expr} FROM _normalize_input ORDER BY i").fetchall()  # noqa: S608
        finally:
            con.unregister("_normalize_input")
    return [row[0] for row in rows]


# --- Micro-measurement -----------------------------------------------------------------------------

_BENCH_VALUES: dict[str, list[str | None]] = {
    "text": ["  乌加河镇 ", "乡（镇）", "联丰奋斗村", "Ａ１２３", None, "张三", "a\u3000b", ""],
    "id": ["150824198001011236", "15082419800101123X", "1.50824E+17", " 150824 19800230 1234", None],
    "date": ["2020-06-22", "2020/6/22", "2020.6.22", "2020年6月22日", "20200622", "43999",
             "2020-06-22 00:00:00", "garbage", None],
    "number": ["4,300.50", "3200元", "￥1,200", "1.2万", " 12 ", "１２", "-5", "n/a", None],
    "year": ["2019", "2019年", "2019年度", "2019.0", "2020-06-22", "abc", None],
    "yes_no": ["是", "否", "Y", "n", "1", "0", "√", "×", "有", "无", "maybe", None],
    "code": ["因病", "1", "01", "因病致贫", "缺劳动力", "其它", "不知道", None],
    "multi": ["因病,因残", "因病、因学；因病", "缺水/缺资金/外星人", "因灾", None],
    "exit": ["已脱贫（享受政策）", "1", "4", "已脱贫", "未脱贫", None],
}


def benchmark(rows: int = 1_000_000, threads: int = 2, repeat: int = 5) -> dict[str, tuple[float, float]]:
    """(wall-clock, CPU-based) rows per second of every builder over ``rows`` rows of realistic
    values, best of ``repeat`` (a measurement, not a unit test)."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {int(threads)}")
    # One wide table, a column per kind of value; a prime stride mixes the values.
    columns = ", ".join(
        f"(${k + 1}::VARCHAR[])[1 + (i * 7919) % len(${k + 1})] AS {name}"
        for k, name in enumerate(_BENCH_VALUES)
    )
    con.execute(
        f"CREATE TABLE b AS SELECT {columns} FROM range({int(rows)}) r(i)",  # noqa: S608
        list(_BENCH_VALUES.values()),
    )
    cases: list[tuple[str, str]] = [
        ("sql_text", sql_text('"text"')),
        ("sql_id_number", sql_id_number('"id"')),
        ("sql_id_valid", sql_id_valid('"id"')),
        ("sql_id_birth_date", sql_id_birth_date('"id"')),
        ("sql_id_sex", sql_id_sex('"id"')),
        ("sql_id_mangled", sql_id_mangled('"id"')),
        ("sql_date", sql_date('"date"')),
        ("sql_date_invalid", sql_date_invalid('"date"')),
        ("sql_number", sql_number('"number"')),
        ("sql_number_invalid", sql_number_invalid('"number"')),
        ("sql_int", sql_int('"number"')),
        ("sql_year", sql_year('"year"')),
        ("sql_yes_no", sql_yes_no('"yes_no"')),
        ("sql_yes_no_invalid", sql_yes_no_invalid('"yes_no"')),
        ("sql_code", sql_code("main_cause", '"code"')),
        ("sql_code_unknown", sql_code_unknown("main_cause", '"code"')),
        ("sql_code_list", sql_code_list("main_cause", '"multi"')),
        ("sql_code_list_unknown", sql_code_list_unknown("main_cause", '"multi"')),
        ("sql_enjoys_policy", sql_enjoys_policy('"exit"')),
    ]
    # Everything at once, as the loader's SELECT does (shared inputs are normalised per builder).
    runs: list[tuple[str, list[str]]] = [(name, [expr]) for name, expr in cases]
    runs.append(("all of the above in one SELECT", [expr for _, expr in cases]))
    result: dict[str, tuple[float, float]] = {}
    for name, exprs in runs:
        # count() of every output column: unused projections would be optimised away.
        select = ", ".join(f"{expr} AS c{k}" for k, expr in enumerate(exprs))
        counts = " + ".join(f"count(c{k})" for k in range(len(exprs)))
        wall = cpu = float("inf")
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            con.execute(f"SELECT {counts} FROM (SELECT {select} FROM b)").fetchall()  # noqa: S608
            wall = min(wall, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - start_cpu)
        # CPU time counts every DuckDB thread: rows / (cpu / threads) is the rate on dedicated cores,
        # robust to other processes sharing the machine.
        result[name] = (rows / wall, rows / (cpu / threads))
    con.close()
    return result


if __name__ == "__main__":
    print(f"{date.today()}: M rows/s over 1M rows, 2 threads, best of 5: wall clock / CPU-based")
    for builder_name, (wall_rate, cpu_rate) in benchmark().items():
        print(f"{builder_name:30s} {wall_rate / 1e6:7.2f} {cpu_rate / 1e6:7.2f}")
