"""Which rows a derived-table builder selects: every row (a full build) or those of the owners a load
touched (etl.owners), read from the staging tables `t_<kind>`."""

from __future__ import annotations

from dataclasses import dataclass

from etl.owners import OWNER_COLUMN
from etl.readers import STAGE_SCHEMA


@dataclass(frozen=True)
class Scope:
    """Which rows a builder selects: everything (`full`) or the owners a load touched."""

    full: bool
    nohk: bool = False  # rectification items of no household were touched

    def _in(self, kind: str, alias: str) -> str:
        col = OWNER_COLUMN[kind]
        return "TRUE" if self.full else f"{alias}.{col} IN (SELECT {col} FROM {STAGE_SCHEMA}.t_{kind})"  # noqa: S608

    def hk(self, alias: str) -> str:
        return self._in("hk", alias)

    def cell(self, alias: str) -> str:
        return self._in("cell", alias)

    def area(self, alias: str) -> str:
        return self._in("area", alias)

    def batch(self, alias: str) -> str:
        return self._in("batch", alias)

    def hk_or_none(self, alias: str) -> str:
        """Rows of a touched household, and rows of no household when those were touched."""
        if self.full:
            return "TRUE"
        return f"({self.hk(alias)} OR ({alias}.hk IS NULL AND {str(self.nohk).upper()}))"


FULL = Scope(True)
