"""Derived tables, rebuilt inside every new snapshot before it is published, so they are never stale.

`build_all` is what the loader calls; the core builders live here, the inspection pages' builders in
`etl.derive_inspection`.
"""

from __future__ import annotations

import duckdb

from etl import derive_inspection


def build_all(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build every derived table from the base tables of the snapshot."""
    derive_inspection.build(con)
