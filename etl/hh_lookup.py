"""Per-household lookups (a profile, the names to mask in free text) without scanning the ledgers."""

from __future__ import annotations

import duckdb


def build(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the lookup tables (after every other derived table)."""
    del con  # being written in this session; until then lookups scan the ledgers
