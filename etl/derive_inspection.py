"""Derived tables for the inspection pages (rectification, health, visits, archive quality)."""

from __future__ import annotations

import duckdb


def build(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the inspection pages' derived tables."""
