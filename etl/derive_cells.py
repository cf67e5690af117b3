"""Summary cells for the pages' remaining household scans (co-occurrence, income bands, health
compliance, follow-up gaps, out-of-pocket risks, the inspection sample's frame), keyed by the filter
columns like `etl.derive`'s `agg_*` tables, so that a page reads cells instead of 10M households."""

from __future__ import annotations

import duckdb


def build(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the summary cells (after hh_facts and the inspection tables)."""
    del con  # the cells are being moved here one query at a time; none is stored yet
