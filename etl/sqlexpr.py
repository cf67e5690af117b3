"""SQL expressions shared by the snapshot's derived tables and the query layer (one formula each)."""

from __future__ import annotations

from etl.rules import ILL_CAUSES, RECTIFICATION_CLOSED

CLAIM_PARTS = ("basic_insurance", "critical_illness_insurance", "medical_assistance", "other_support", "out_of_pocket")


def claim_parts_sql(alias: str = "") -> str:
    """The sum of a medical claim's parts (insurance, critical illness, assistance, other, out of
    pocket), a missing part counting 0: what should add up to its total cost."""
    prefix = f"{alias}." if alias else ""
    return "(" + " + ".join(f"coalesce({prefix}{c}, 0)" for c in CLAIM_PARTS) + ")"


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


# An ID number (15-18 characters) and a mobile number inside free text, and what they become.
ID_IN_TEXT = (r"(\d{6})\d{5,8}(\d{3}[0-9Xx])", r"\1********\2")
PHONE_IN_TEXT = (r"(1\d{2})\d{4}(\d{4})", r"\1****\2")


def masked_numbers_sql(text: str) -> str:
    """`text` with ID and mobile numbers masked wherever they stand (queries.filters.mask_numbers_value
    in Python)."""
    for pattern, repl in (ID_IN_TEXT, PHONE_IN_TEXT):
        text = f"regexp_replace({text}, '{pattern}', '{repl}', 'g')"
    return text


def redacted_text_sql(text: str, names: str) -> str:
    """`text` with every name of the VARCHAR list `names` masked, longest name first, and ID and mobile
    numbers masked, as queries.filters.redact_names does in Python: 随访张树林:高血压 -> 随访张*林:高血压."""
    named = (f"list_reduce(coalesce({names}, []), lambda acc, n: replace(acc, n, {masked_name_sql('n')}), "
             f"{text})")
    return f"CASE WHEN {text} IS NULL THEN NULL ELSE {masked_numbers_sql(named)} END"


# An open rectification item of `list_rectification r` (not 已整改/已销号): the one rule of the pages,
# the briefing and the figure history.
RECT_OPEN_SQL = "(r.status IS NULL OR r.status NOT IN (" + ", ".join(f"'{s}'" for s in RECTIFICATION_CLOSED) + "))"
