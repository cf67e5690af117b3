"""SQL expressions shared by the snapshot's derived tables and the query layer (one formula each)."""

from __future__ import annotations

import re

from etl.rules import ILL_CAUSES, LAST_LINE_YEAR, LOWEST_LINE_YEAR, RECTIFICATION_CLOSED

CLAIM_PARTS = ("basic_insurance", "critical_illness_insurance", "medical_assistance", "other_support", "out_of_pocket")


def claim_parts_sql(alias: str = "") -> str:
    """The sum of a medical claim's parts (insurance, critical illness, assistance, other, out of
    pocket), a missing part counting 0: what should add up to its total cost."""
    prefix = f"{alias}." if alias else ""
    return "(" + " + ".join(f"coalesce({prefix}{c}, 0)" for c in CLAIM_PARTS) + ")"


def claim_gap_sql(alias: str = "") -> str:
    """How far a claim's parts are from its total cost (a missing total counting 0, so a claim with parts
    and no total is off by all of them): the load's claim_parts_mismatch when over CLAIM_TOLERANCE, and
    the health page's mismatch list and "off by"."""
    prefix = f"{alias}." if alias else ""
    return f"abs(coalesce({prefix}total_cost, 0) - {claim_parts_sql(alias)})"


def income_line_year_sql(alias: str) -> str:
    """The year whose poverty line a household's income (row `alias` of households) is judged against:
    its 收入年度, else, for an exited household, its 脱贫年度 (the income its exit was judged on); a year
    after LAST_LINE_YEAR keeps that year's line. The one rule of the
    load's exit_income_below_line and of hh_facts.poverty_line (低于贫困线, 疑似错退): the two disagreed on
    a blank 收入年度 (a probe)."""
    # with neither year, the lowest line's: an income below it is below the line of any year it could be
    # (the 2020 line, which the load used then, flagged 3,500 yuan of a household that exited in 2016)
    year = (f"coalesce({alias}.income_year, CASE WHEN {alias}.exit_status = '已脱贫' THEN {alias}.exit_year END, "
            f"{LOWEST_LINE_YEAR})")
    return f"CASE WHEN {year} > {LAST_LINE_YEAR} THEN {LAST_LINE_YEAR} ELSE {year} END"


def age_sql(birth: str, as_of: str = "$as_of") -> str:
    """Full years between a birth date column and an as-of date (a parameter by default)."""
    return f"date_part('year', age(CAST({as_of} AS TIMESTAMP), CAST({birth} AS TIMESTAMP)))"


def window_count(dates: str, as_of: str) -> str:
    """How many of the DATE list `dates` fall in the 12 months up to `as_of` (a DATE expression)."""
    return (f"len(list_filter(coalesce({dates}, []), lambda d: d > {as_of} - INTERVAL 12 MONTH "
            f"AND d <= {as_of}))")


def ill_cause_sql(alias: str) -> str:
    """The household's main or another cause of poverty is illness or disability."""
    return (f"({alias}.main_cause IN {ILL_CAUSES!r} "
            f"OR list_has_any(coalesce({alias}.other_causes, []), {list(ILL_CAUSES)!r}))")


def masked_name_sql(expr: str) -> str:
    """张三春 -> 张*春, 张三 -> 张* (the one masking rule for a person's name; see queries.filters)."""
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL WHEN length({expr}) <= 1 THEN {expr} "
        f"WHEN length({expr}) = 2 THEN left({expr}, 1) || '*' "
        f"ELSE left({expr}, 1) || repeat('*', length({expr}) - 2) || right({expr}, 1) END"
    )


# Personal numbers inside free text, and what they become, in order. Written as people write them: whole,
# grouped (ID 6-8-4, bank card in groups of 3-8 after its first four, mobile 3-4-4 or 3-8) by a space,
# a full-width space, a dot or a hyphen, in full-width digits, a landline after its area code (0478-…,
# (0478)…). The grouped forms are matched group by group, so that a number written after another is never
# taken into it; a grouped card shows its last three digits (its last group's length is not known
# without a look-ahead, which RE2 lacks). The same expressions serve DuckDB (RE2) and Python (re): digits
# as explicit classes, since Python's \d takes full-width digits and RE2's does not. Dates (2020.06.22,
# 2020 06 22) and amounts stay: no pattern takes a group of two digits.
_D = "[0-9０-９]"
_S = "[ \u3000.-]"  # what people put between the groups of a number
_B = "(^|[^0-9０-９])"  # a grouped number starts a run of digits (RE2 has no look-behind): kept as \1
NUMBERS_IN_TEXT: tuple[tuple[str, str], ...] = (
    (rf"{_B}({_D}{{6}}){_S}{_D}{{8}}{_S}({_D}{{3}}[0-9０-９XxＸｘ])", r"\1\2 ******** \3"),  # ID, 6-8-4
    (rf"{_B}({_D}{{4}})(?:{_S}{_D}{{3,8}}){{1,3}}{_S}{_D}*({_D}{{3}})", r"\1\2 **** **** \3"),  # bank card
    (rf"({_D}{{6}}){_D}{{5,9}}({_D}{{3}}[0-9０-９XxＸｘ])", r"\1********\2"),  # ID (15-18), bank card (to 19)
    (rf"{_B}([1１]{_D}{{2}}){_S}{_D}{{4}}{_S}?({_D}{{4}})", r"\1\2 **** \3"),  # mobile, 3-4-4 or 3-8
    (rf"([1１]{_D}{{2}}){_D}{{4}}({_D}{{4}})", r"\1****\2"),  # mobile
    (rf"(0{_D}{{2,3}}-){_D}{{3,4}}({_D}{{4}})", r"\1****\2"),  # landline with its area code
    (rf"([(（]0{_D}{{2,3}}[)）] ?){_D}{{3,4}}({_D}{{4}})", r"\1****\2"),  # landline, (area code)
)


def masked_numbers_sql(text: str) -> str:
    """`text` with ID, bank card, mobile and landline numbers masked wherever they stand
    (queries.filters.mask_numbers_value in Python)."""
    chain = text
    for pattern, repl in NUMBERS_IN_TEXT:
        chain = f"regexp_replace({chain}, '{pattern}', '{repl}', 'g')"
    # every pattern holds three digits in a row: most text (notes without numbers) skips the six
    # replacements (2M notes: 1.34 s with them all, 0.33 s so; 0.38 s for the two patterns before)
    return f"CASE WHEN regexp_matches({text}, '[0-9０-９]{{3}}') THEN {chain} ELSE {text} END"


def household_names_sql(members: str, households: str, hks: str) -> str:
    """SELECT hk, names: the names (2 characters or more) of the members and head of each household of
    `hks` (a SELECT of hk), longest first, then by name, as queries.filters.names_by_household orders
    them: the list `redacted_text_sql` masks in a household's free text."""
    return f"""SELECT hk, list(name ORDER BY length(name) DESC, name) AS names FROM (
        SELECT m.hk, m.name FROM {members} m SEMI JOIN ({hks}) k USING (hk) WHERE length(m.name) >= 2
        UNION
        SELECT h.hk, h.head_name FROM {households} h SEMI JOIN ({hks}) k USING (hk) WHERE length(h.head_name) >= 2
    ) GROUP BY hk"""  # noqa: S608 - table names and SQL of this package


# The dots people write between the parts of a name (买买提·艾力: Uyghur, Kazakh and other names written in
# Chinese characters), or none: the registry writes one, a visit note or an item another (买买提•艾力,
# 买买提.艾力, 买买提艾力), and a name matched only as the registry writes it was shown in full beside its
# masked household (a privacy probe). A name with one of them is looked for in every spelling.
NAME_DOTS = "·•.．・‧･∙⋅"
_NAME_DOT_CLASS = f"[{NAME_DOTS}]"


def name_spellings_sql(names: str) -> str:
    """The VARCHAR list `names` with each name that holds a dot (NAME_DOTS) in every spelling of its
    dots, longest first, then by name (the order of `household_names_sql`); a list without such a name
    as it is (one regular expression per list, not per name)."""
    spellings = ", ".join(f"'{d}'" for d in [*NAME_DOTS, ""])
    expanded = (f"flatten(list_transform({names}, lambda n: CASE WHEN regexp_matches(n, '{_NAME_DOT_CLASS}') "
                f"THEN list_distinct(list_transform([{spellings}], lambda d: regexp_replace(n, '{_NAME_DOT_CLASS}', d, 'g'))) "
                "ELSE [n] END))")
    ordered = (f"list_transform(list_sort(list_transform({expanded}, lambda n: {{'l': -length(n), 'n': n}})), "
               "lambda s: s.n)")
    return (f"CASE WHEN regexp_matches(array_to_string({names}, ''), '{_NAME_DOT_CLASS}') "
            f"THEN {ordered} ELSE {names} END")


def name_spellings(names: list[str]) -> list[str]:
    """Python twin of name_spellings_sql."""
    if not any(ch in NAME_DOTS for n in names for ch in n):
        return names
    out: set[str] = set()
    for n in names:
        if any(ch in NAME_DOTS for ch in n):
            out.update(re.sub(_NAME_DOT_CLASS, d, n) for d in [*NAME_DOTS, ""])
        else:
            out.add(n)
    return sorted(out, key=lambda n: (-len(n), n))


def redacted_text_sql(text: str, names: str) -> str:
    """`text` with every name of the VARCHAR list `names` masked, longest name first, and ID and mobile
    numbers masked, as queries.filters.redact_names does in Python: 随访张树林:高血压 -> 随访张*林:高血压."""
    # Only the names the text holds are replaced (a household's ~3 names against text that rarely names
    # anyone: 1.16M measures at 1M households, 0.69 -> 0.30 s). Masking a name or a number never makes
    # another name appear (it keeps a name's first and last character where they stood and adds only
    # '*', digits and spaces), so the result is the same as replacing every name.
    held = f"list_filter({name_spellings_sql(f'coalesce({names}, [])')}, lambda n: contains({text}, n))"
    named = (f"list_reduce({held}, lambda acc, n: replace(acc, n, {masked_name_sql('n')}), "
             f"{masked_numbers_sql(text)})")  # numbers first: names hold no digits, so the order is free
    return f"CASE WHEN {text} IS NULL THEN NULL ELSE {named} END"


# An open rectification item of `list_rectification r` (not 已整改/已销号): the one rule of the pages,
# the briefing and the figure history.
RECT_OPEN_SQL = "(r.status IS NULL OR r.status NOT IN (" + ", ".join(f"'{s}'" for s in RECTIFICATION_CLOSED) + "))"
