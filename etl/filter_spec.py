"""The sidebar filter dimensions, declared once.

Each `FilterDef` is one row of the table `FILTERS`, in sidebar order. Everything else is derived from it:

- the ETL: the filter columns every summary table is keyed by (`etl.schema.FILTER_COLUMNS`, the
  `cell_keys` table, `etl.derive`'s cell keys of the households);
- the queries (`queries.filters`, no Streamlit): the `Filters` dataclass (one field per row), the
  parameterised WHERE clause, the URL form and the sidebar's options;
- the widgets (`ui.filters`): a multiselect or a year-range slider per row, labelled with `label_key`.

Adding a dimension = one `FilterDef` here and its label (Chinese first, English) in `labels/ui_core.py`.
The column must be one of `hh_facts` (and of `households`, or give `source`); a snapshot written before
the dimension existed is rebuilt by `python -m etl rebuild` (bump `etl.schema.SCHEMA_VERSION`).

The table lives in `etl` (the lowest layer) because the ETL keys its derived tables by these columns;
`queries` and `ui` import it from here. Pure data: no imports of the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["multi", "year_range"]


@dataclass(frozen=True)
class FilterDef:
    """One filter dimension."""

    name: str  # the `Filters` field and the widget's state key (plural: it holds several values)
    column: str  # the column in hh_facts and in every table keyed by the filter columns
    url_key: str  # the query parameter (?town=...&cause=...); never change a published one
    label_key: str  # the widget's label in the label table
    kind: Kind = "multi"  # multi: choose any of the values; year_range: a (from, to) slider of years
    code_list: str | None = None  # a key of etl.codes.CODE_LISTS: values shown translated, in code order;
    # None: free values (as stored), listed by name
    within: str | None = None  # the `name` of a filter whose choice narrows this one's options
    area: bool = False  # a place: also applied to tables that know only the place (queries.filters.area_where)
    sql_type: str = "VARCHAR"  # the column's type in cell_keys (INTEGER for year ranges)
    source: str | None = None  # its SQL over a `households` row when not the plain column
    # a year range's label key saying whom a chosen range leaves out (households without that year): the
    # slider's help and the filter line under each page's title
    note_key: str | None = None


FILTERS: tuple[FilterDef, ...] = (
    FilterDef("townships", "township", "town", "filter.townships", area=True),
    FilterDef("villages", "village", "village", "filter.villages", area=True, within="townships"),
    FilterDef("main_causes", "main_cause", "cause", "filter.main_causes", code_list="main_cause"),
    FilterDef("household_attributes", "household_attribute", "attr", "filter.attributes",
              code_list="household_attribute"),
    FilterDef("exit_statuses", "exit_status", "status", "filter.exit_statuses", code_list="exit_status"),
    FilterDef("monitoring_types", "monitoring_type", "mon", "filter.monitoring_types", code_list="monitoring_type"),
    FilterDef("identified_years", "identified_year", "idy", "filter.identified_years", kind="year_range",
              sql_type="INTEGER", note_key="filter.identified_years.only"),
    FilterDef("exit_years", "exit_year", "exy", "filter.exit_years", kind="year_range", sql_type="INTEGER",
              note_key="filter.exit_years.only"),
)


def check(filters: tuple[FilterDef, ...]) -> None:
    """Raise ValueError when two rows share a name, column or URL key, or `within` names no earlier row."""
    for attr in ("name", "column", "url_key"):
        values = [getattr(d, attr) for d in filters]
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise ValueError(f"filter {attr} used twice: {twice}")
    for i, d in enumerate(filters):
        if d.within is not None and d.within not in [e.name for e in filters[:i]]:
            raise ValueError(f"filter {d.name}: within={d.within!r} is not an earlier filter")
        if d.kind == "year_range" and d.within is not None:
            raise ValueError(f"filter {d.name}: a year range cannot be narrowed")


check(FILTERS)
