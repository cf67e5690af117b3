"""Which key owns each row of each table, and what a load touched.

A load never rewrites a table: it deletes the rows of the owners it touched and inserts their new rows.
An owner is a household (`hk`), a summary cell (`cell`), a village (`area`), a load batch (`batch`),
the rectification items of no household (`nohk`: a flag), or the whole of a small table (`all`).
`OWNERS` says, per table, which rows each kind of owner holds. The same declaration serves the
incremental derived tables (`etl.derive.replace`), the changeset that brings the other snapshot file
up to date (`etl.changes`) and the lookup indexes (`etl.hh_lookup`).

`Touched` collects the owners a load touched in small tables of the staging schema (`t_hk`, `t_cell`,
`t_area`, `t_batch`) and the flags `nohk` and `all`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from etl.readers import STAGE_SCHEMA

OWNER_KINDS = ("hk", "cell", "area", "batch")
OWNER_COLUMN = {"hk": "hk", "cell": "cell", "area": "area", "batch": "batch_id"}  # in tables and in t_<kind>


@dataclass(frozen=True)
class Part:
    """Rows of a table (`where`, over the table's columns) owned by owners of `kind`."""

    kind: str  # hk | cell | area | batch | nohk | all
    where: str = "TRUE"


HK = (Part("hk"),)
CELL = (Part("cell"),)
HK_OR_NONE = (Part("hk", "hk IS NOT NULL"), Part("nohk", "hk IS NULL"))
ALL = (Part("all"),)

# Every table of a published snapshot except the slot-local lookup indexes (ix_*, etl.hh_lookup).
OWNERS: dict[str, tuple[Part, ...]] = {
    # base tables
    "households": HK, "household_income": HK, "members": HK,
    "interventions": HK, "visits": HK, "medical_claims": HK,
    "rectifications": HK_OR_NONE, "data_issues": HK_OR_NONE,
    "household_keys": HK, "cell_keys": CELL, "area_keys": ALL,
    "load_batches": (Part("batch"),), "rejected_rows": (Part("batch"),),
    "meta": ALL,
    # derived tables (etl.derive and the modules it runs)
    "facts_meta": ALL, "poverty_lines": ALL,
    "hh_facts": HK,
    "agg_household": CELL, "agg_category": CELL, "agg_measure": CELL, "agg_project": CELL,
    "agg_project_category": CELL, "agg_member_value": CELL,
    "list_project_household": HK,
    "insp_school_age": HK, "list_ill_member": HK, "list_claim": HK, "list_issue": HK,
    "list_rectification": HK_OR_NONE, "list_visit": HK,
    "agg_quality": CELL,
    "agg_quality_dated": (Part("cell", "kind = 0"), Part("hk", "kind <> 0")),
    "list_defect": HK, "list_rejected": (Part("batch"),),
    "agg_cooccurrence": CELL, "agg_income_band": CELL, "agg_income_ratio": CELL, "agg_monitoring": CELL,
    "agg_ill_member": CELL, "list_claim_year": HK,
    "list_sample_draw": (Part("area"),),
}


def _t(kind: str) -> str:
    return f"{STAGE_SCHEMA}.t_{kind}"


@dataclass
class Touched:
    """The owners a load touched so far. `everything` = the load rebuilt whole tables (a fresh load, a
    full rebuild): there is no changeset then, the other snapshot file is copied."""

    con: duckdb.DuckDBPyConnection
    nohk: bool = False
    all_tables: set[str] = field(default_factory=set)
    everything: bool = False

    def __post_init__(self) -> None:
        self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {STAGE_SCHEMA}")
        for kind in OWNER_KINDS:
            self.con.execute(f"CREATE TABLE IF NOT EXISTS {_t(kind)} ({OWNER_COLUMN[kind]} INTEGER)")

    def add(self, kind: str, sql: str, params: object = None) -> None:
        """Touch the owners of `kind` that `sql` (a SELECT of one column) returns."""
        self.con.execute(f"INSERT INTO {_t(kind)} SELECT DISTINCT v FROM ({sql}) s(v) "  # noqa: S608 - ours
                         f"WHERE v IS NOT NULL", params or [])

    def add_values(self, kind: str, values: list[int]) -> None:
        if values:
            self.con.execute(f"INSERT INTO {_t(kind)} SELECT unnest($v::INTEGER[])", {"v": list(values)})  # noqa: S608

    def table(self, name: str) -> None:
        """The whole of a small table changed."""
        self.all_tables.add(name)

    def dedupe(self) -> None:
        for kind in OWNER_KINDS:
            col = OWNER_COLUMN[kind]
            self.con.execute(f"CREATE OR REPLACE TABLE {_t(kind)} AS SELECT DISTINCT {col} FROM {_t(kind)}")  # noqa: S608

    def count(self, kind: str) -> int:
        col = OWNER_COLUMN[kind]
        rows = self.con.execute(f"SELECT count(DISTINCT {col}) FROM {_t(kind)}").fetchall()  # noqa: S608
        return int(rows[0][0]) if rows else 0

    def predicate(self, table: str, alias: str = "") -> str | None:
        """The rows of `table` whose owner was touched (None: none of them)."""
        p = f"{alias}." if alias else ""
        terms: list[str] = []
        for part in OWNERS[table]:
            where = part.where if part.where == "TRUE" or not alias else _qualify(part.where, alias)
            if part.kind == "all":
                if table in self.all_tables:
                    terms.append(f"({where})")
            elif part.kind == "nohk":
                if self.nohk:
                    terms.append(f"({where})")
            else:
                col = OWNER_COLUMN[part.kind]
                terms.append(f"({where} AND {p}{col} IN (SELECT {col} FROM {_t(part.kind)}))")  # noqa: S608 - ours
        return " OR ".join(terms) if terms else None


def _qualify(where: str, alias: str) -> str:
    """Prefix the column names of a simple part predicate (`hk IS NULL`, `kind = 0`) with an alias."""
    head, _, rest = where.partition(" ")
    return f"{alias}.{head} {rest}"
