"""How each canonical column of each kind of file is normalised and checked.

A field spec is (type, code list): the loader turns it into one SQL expression per column (see
`etl.stage`), so a whole file is normalised in one vectorised statement.
"""

from __future__ import annotations

from typing import NamedTuple


class Field(NamedTuple):
    type: str  # text | person | names | phone | place | hhid | id | int | months | number | amount | income | year | date | deadline | yn | code | codelist
    code_list: str | None = None  # a key of codes.CODE_LISTS for code and codelist


REGISTRY: dict[str, Field] = {
    "township": Field("place"),
    "village": Field("place"),
    "household_id": Field("hhid"),
    "member_id": Field("text"),
    "name": Field("person"),
    "id_number": Field("id"),
    "relation": Field("text"),
    "household_size": Field("int"),
    "sex": Field("code", "sex"),
    "ethnicity": Field("text"),
    "education": Field("code", "education"),
    "school_status": Field("text"),
    "health": Field("codelist", "health"),
    "labor_skill": Field("code", "labor_skill"),
    "work_months": Field("months"),  # 务工时间(月): months worked in the year, 0-12
    "medical_insurance": Field("yn"),
    "critical_illness_insurance": Field("yn"),
    "family_doctor_signed": Field("yn"),
    "household_attribute": Field("code", "household_attribute"),
    "identification_standard": Field("text"),
    "main_cause": Field("code", "main_cause"),
    "other_causes": Field("codelist", "main_cause"),
    "exit_status": Field("code", "exit_status"),
    "exit_year": Field("year"),
    "identified_date": Field("date"),
    # yuan a person a year, as surveyed: a net income may be negative (a season's losses), and such a
    # figure is kept, below any line (`negative_income`): taken as blank, an exited household at -200
    # was no 疑似错退
    "income_per_capita": Field("income"),
    "income_year": Field("year"),
    "unsafe_housing": Field("yn"),
    "safe_water": Field("yn"),
    "monitoring_type": Field("code", "monitoring_type"),
    "risk_eliminated": Field("yn"),
    "helper_name": Field("names"),
    "helper_unit": Field("text"),
    "phone": Field("phone"),
}

# Registry columns that describe the household (repeated on each member's row); the rest are the member's.
HOUSEHOLD_FIELDS = (
    "township", "village", "household_size", "household_attribute", "identification_standard",
    "main_cause", "other_causes", "exit_status", "exit_year", "identified_date", "income_per_capita",
    "income_year", "unsafe_housing", "safe_water", "monitoring_type", "risk_eliminated", "helper_name",
    "helper_unit", "phone",
)
MEMBER_FIELDS = tuple(f for f in REGISTRY if f not in HOUSEHOLD_FIELDS and f != "household_id")

LEDGERS: dict[str, dict[str, Field]] = {
    "interventions": {
        "household_id": Field("hhid"),
        "category": Field("code", "intervention_category"),
        "content": Field("text"),
        "project": Field("text"),
        "year": Field("year"),
        "start_date": Field("date"),
        "amount_yuan": Field("amount"),
        "status": Field("text"),
        "responsible_unit": Field("text"),
    },
    "visits": {
        "household_id": Field("hhid"),
        "visit_date": Field("date"),
        "visit_type": Field("code", "visit_type"),
        "visitor": Field("text"),
        "notes": Field("text"),
    },
    "medical_claims": {
        "household_id": Field("hhid"),
        "id_number": Field("id"),
        "admission_date": Field("date"),
        "institution": Field("text"),
        "total_cost": Field("amount"),
        "basic_insurance": Field("amount"),
        "critical_illness_insurance": Field("amount"),
        "medical_assistance": Field("amount"),
        "other_support": Field("amount"),
        "out_of_pocket": Field("amount"),
    },
    "rectifications": {
        "issue_id": Field("text"),
        "source": Field("text"),
        "found_date": Field("date"),
        "township": Field("place"),
        "village": Field("place"),
        "household_id": Field("hhid"),
        "category": Field("code", "rectification_category"),
        "description": Field("text"),
        "responsible_unit": Field("text"),
        "responsible_person": Field("text"),
        "measures": Field("text"),
        "deadline": Field("deadline"),
        "status": Field("code", "rectification_status"),
        "completed_date": Field("date"),
    },
}

# data-spec §1.4: the inputs of the exit-inspection indicators (etl.load_inspection loads them)
INSPECTION: dict[str, dict[str, Field]] = {
    "household_checks": {
        "check_date": Field("date"),
        "township": Field("place"),
        "village": Field("place"),
        "household_id": Field("hhid"),
        "head_name": Field("person"),
        "id_number": Field("id"),
        "household_type": Field("code", "household_type"),
        "household_size": Field("int"),
        "income_per_capita": Field("income"),  # as surveyed; a negative one is kept (`negative_income`)
        "food_ok": Field("yn"),
        "clothing_ok": Field("yn"),
        "education_ok": Field("yn"),
        "medical_ok": Field("yn"),
        "housing_ok": Field("yn"),
        "water_ok": Field("yn"),
        "finding": Field("code", "finding"),
        "approval": Field("code", "approval"),
        "surveyor": Field("text"),
        "notes": Field("text"),
    },
    "population_base": {
        "year": Field("year"),
        "township": Field("place"),
        "village": Field("place"),
        "rural_households": Field("int"),
        "rural_population": Field("int"),
    },
}

FIELDS: dict[str, dict[str, Field]] = {"registry": REGISTRY, **LEDGERS, **INSPECTION}

# A `months` field counts a year's months (务工时间): more is no figure (`months_over_year`).
MONTHS_IN_YEAR = 12

# Free-text fields that may hold several lines: tab and line breaks are kept there (and only there) when
# control characters are stripped at load (etl.stage.strip_controls).
MULTI_LINE_FIELDS = frozenset({"content", "notes", "description", "measures"})
# Fields of several codes (健康状况, 其他致贫原因): a line break in the cell separates its codes (Alt+Enter in
# Excel, `<br>` in a web system's HTML export), as a space or 、 does (etl.normalize.sql_code_list). Stripped
# as a control character, `因残⏎缺水` became the one unknown code 因残缺水 and both causes were lost.
CODE_LIST_FIELDS = frozenset(name for fields in FIELDS.values() for name, spec in fields.items()
                             if spec.type == "codelist")
# The fields whose tab and line breaks are no control characters: kept when the others are stripped.
LINE_BREAK_FIELDS = MULTI_LINE_FIELDS | CODE_LIST_FIELDS

# Rows that cannot be placed are rejected (data-spec §3): kind -> required placing columns.
PLACING: dict[str, tuple[str, ...]] = {
    "registry": ("household_id", "township", "village"),
    "interventions": ("household_id",),
    "visits": ("household_id",),
    "medical_claims": ("household_id",),
    "rectifications": ("township",),
    # a check belongs to a day (its period) and a village; a population figure to a year and a village
    "household_checks": ("check_date", "township", "village"),
    "population_base": ("year", "township", "village"),
}
REJECT_RULE = {"household_id": "no_household_id", "township": "no_township", "village": "no_village",
               "check_date": "no_check_date", "year": "no_year"}
# A row whose 户编号 Excel turned into a float that lost digits (1.50824E+15): its household cannot be
# known, and every row written so would share the one key (families merged into one household).
HHID_MANGLED = "hhid_mangled"
def rejected_value_sql(raw: str = "raw", field: str = "field") -> str:
    """SQL of the value that rejected a row (a mangled 户编号), out of its raw values' JSON `raw` by its
    `field`; NULL for a value that was missing, and for a row kept whole (field `row`: its whole text)."""
    return f"CASE WHEN {field} <> 'row' THEN json_extract_string({raw}, '$.\"' || {field} || '\"') END"


# Rows rejected for their shape, whatever their kind: more or fewer fields than the header, bytes the
# file's encoding cannot decode, or a quote that opened a value and swallowed the lines after it.
SHAPE_REJECTS = ("malformed_row", "undecodable_row", "unclosed_quote_row")
# The fields holding a person's name: masked as 张*春 wherever a viewer without personal-data rights
# reads them (a rejected row's raw values included).
NAME_FIELDS = ("name", "head_name")


def kind_of_table(table: str) -> str:
    """The file kind that fills `table`: the registry fills households and members; every other kind
    its own table."""
    return "registry" if table in ("households", "members") else table


def table_of_kind(kind: str) -> str:
    """The table a file kind's rows are placed in first (a registry row: its household)."""
    return "households" if kind == "registry" else kind


def _spec(table: str, field: str) -> Field | None:
    return FIELDS.get(kind_of_table(table), {}).get(field)


def field_type(table: str, field: str) -> str | None:
    """The type of a column (`Field.type`), None for a column outside the contract."""
    spec = _spec(table, field)
    return spec.type if spec else None


def code_list_of(table: str, field: str) -> str | None:
    """The code list behind a column, for messages that say what would be accepted."""
    spec = _spec(table, field)
    return spec.code_list if spec else None
