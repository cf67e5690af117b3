"""Which rows a derived-table builder selects: every row (a full build) or those of the owners a load
touched (etl.owners), read from the staging tables `t_<kind><suffix>`: the load's own (suffix ''), or
those touched only because a member's age crossed a threshold ('_aged', etl.dated)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from etl.owners import OWNER_COLUMN, OWNER_KINDS, owners_predicate, stage_table
from etl.raw_file import STAGE_SCHEMA


@dataclass(frozen=True)
class Scope:
    """Which rows a builder selects: everything (`full`) or the owners a load touched."""

    full: bool
    nohk: bool = False  # data issues of no household were touched
    suffix: str = ""  # '_aged': the age pass (etl.derive.update)
    # The summary cells of a load are updated by difference (etl.derived_table.replace_cells): a cell
    # builder runs once over the touched households' rows before the load (side 'old') and once over
    # their rows after it ('new'), never over the other households of their cells.
    delta: bool = False  # this pass updates the summary cells by difference
    side: str = ""  # '' | 'old' | 'new': the rows a cell builder reads in a delta pass
    # A delta pass of a load that wrote only visits (etl.owners.PATCH_BASE): hh_facts and the ill-member
    # list take what the load cannot change from their rows before it (`old_src`), so the pass reads no
    # household, measure, income or item row, and no member's identity.
    patch: bool = False

    def with_side(self, side: str) -> Scope:
        return replace(self, side=side)

    def sides(self) -> tuple[Scope, ...]:
        """The scopes a cell builder's SELECTs are written for: before and after the load in a delta
        pass, else this one."""
        return (self.with_side("old"), self.with_side("new")) if self.delta else (self,)

    def _in(self, kind: str, alias: str) -> str:
        col = OWNER_COLUMN[kind]
        if self.full or (self.side and kind == "cell"):  # a side holds only rows of the touched households
            return "TRUE"
        return f"{alias}.{col} IN (SELECT {col} FROM {stage_table(kind, self.suffix)})"  # noqa: S608

    def hk(self, alias: str) -> str:
        return self._in("hk", alias)

    def cell(self, alias: str) -> str:
        return self._in("cell", alias)

    def area(self, alias: str) -> str:
        return self._in("area", alias)

    def batch(self, alias: str) -> str:
        return self._in("batch", alias)

    def hk_or_item(self, alias: str) -> str:
        """Rows of a touched household, and touched items of no household (etl.owners.HK_OR_ITEM)."""
        if self.full:
            return "TRUE"
        return f"({self.hk(alias)} OR ({alias}.hk IS NULL AND {self._in('item', alias)}))"

    def src(self, table: str) -> str:
        """Where a builder reads `table`'s rows of the scope's households: the table itself (a full
        build), or a staging copy made once per pass (etl.sources): a base table's rows of the touched
        households, a derived table's rows just written for them (etl.derived_table.replace)."""
        return table if self.full else f"{STAGE_SCHEMA}._src{self.suffix}_{table}"

    def cell_src(self, table: str) -> str:
        """Where a builder reads `table`'s rows of every household in the scope's cells (the summary
        tables' input): the table itself, a staging copy made once per pass (etl.sources), or in a
        delta pass the touched households' rows before the load (`old_src`) or after it (`src`)."""
        if self.side == "old":
            return self.old_src(table)
        if self.side == "new":
            return self.src(table)
        return table if self.full else f"{STAGE_SCHEMA}._csrc{self.suffix}_{table}"

    def old_src(self, table: str) -> str:
        """The touched households' rows of `table` before this pass rewrote them (a delta pass)."""
        return f"{STAGE_SCHEMA}._old{self.suffix}_{table}"

    def rows(self, table: str, all_tables: set[str]) -> str | None:
        """The rows of `table` this scope rewrites (None: none)."""
        sets = {kind: [stage_table(kind, self.suffix)] for kind in OWNER_KINDS if self.suffix == "" or kind in ("hk", "cell")}
        return owners_predicate(table, sets, self.nohk and self.suffix == "", all_tables)


FULL = Scope(True)
