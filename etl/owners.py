"""Which key owns each row of each table, and what a load touched.

A load never rewrites a table: it deletes the rows of the owners it touched and inserts their new rows.
An owner is a household (`hk`), a summary cell (`cell`), a village (`area`), a load batch (`batch`),
a rectification item of no household (`item`: its record key), the data issues of no household (`nohk`:
a flag), or the whole of a small table (`all`).
`OWNERS` says, per table, which rows each kind of owner holds. The same declaration serves the
incremental derived tables (`etl.derived_table.replace`), the changeset that brings the other snapshot file
up to date (`etl.changes`) and the lookup indexes (`etl.hh_lookup`).

`Touched` collects the owners a load touched in small tables of the staging schema (`t_hk`, `t_cell`,
`t_area`, `t_batch`, `t_item`) and the flags `nohk` and `all`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from etl.raw_file import STAGE_SCHEMA

OWNER_KINDS = ("hk", "cell", "area", "batch", "item")
OWNER_COLUMN = {"hk": "hk", "cell": "cell", "area": "area", "batch": "batch_id",  # in tables and in t_<kind>
                "item": "record_key"}
OWNER_TYPE = {"item": "VARCHAR"}  # else INTEGER


@dataclass(frozen=True)
class Part:
    """Rows of a table (`where`, over the table's columns) owned by owners of `kind`."""

    kind: str  # hk | cell | area | batch | item | nohk | all
    where: str = "TRUE"


HK = (Part("hk"),)
CELL = (Part("cell"),)
HK_OR_NONE = (Part("hk", "hk IS NOT NULL"), Part("nohk", "hk IS NULL"))
# A rectification item of no household (a township's or a village's) is owned by its record key: a load
# rewrites the items it wrote, not every such item (at 10M households re-masking the 30k township items
# was 1.8 s of a one-item ledger's 3.6 s).
HK_OR_ITEM = (Part("hk", "hk IS NOT NULL"), Part("item", "hk IS NULL"))
ALL = (Part("all"),)

# Every table of a published snapshot except the slot-local lookup indexes (ix_*, etl.hh_lookup).
OWNERS: dict[str, tuple[Part, ...]] = {
    # base tables
    "households": HK, "household_income": HK, "members": HK,
    "interventions": HK, "visits": HK, "medical_claims": HK,
    "rectifications": HK_OR_ITEM, "data_issues": HK_OR_NONE,
    "household_keys": HK, "cell_keys": CELL, "area_keys": ALL,
    "load_batches": (Part("batch"),), "rejected_rows": (Part("batch"),),
    "meta": ALL,
    "figure_history": (Part("batch"),),  # etl.history: each load's rows, owned by its last batch
    "household_checks": ALL, "population_base": ALL,  # small (data-spec §1.4): copied whole when loaded
    # derived tables (etl.derive and the modules it runs)
    "facts_meta": ALL, "poverty_lines": ALL,
    "hh_facts": HK, "hh_content": HK,
    "agg_household": CELL, "agg_category": CELL, "agg_measure": CELL, "agg_project": CELL,
    "agg_project_category": CELL, "agg_member_value": CELL,
    "list_project_household": HK,
    "insp_school_age": HK, "list_ill_member": HK, "list_claim": HK, "list_issue": HK,
    "list_rectification": HK_OR_ITEM, "list_visit": HK,
    "agg_quality": CELL,
    "agg_quality_dated": (Part("cell", "kind = 0"), Part("hk", "kind <> 0")),
    "list_defect": HK, "list_rejected": (Part("batch"),),
    "agg_cooccurrence": CELL, "agg_income_band": CELL, "agg_income_ratio": CELL, "agg_monitoring": CELL,
    "agg_ill_member": CELL, "list_claim_year": HK,
    "list_sample_draw": (Part("area"),),
}


# Base tables: in a changeset only when the load wrote them (`Touched.base`), whatever else it touched.
BASE_TABLES = ("households", "household_income", "members", "interventions", "visits", "medical_claims",
               "rectifications", "data_issues", "household_keys")
# Derived tables that hold facts of a person's age at the as-of date: when it moves, the households
# whose members cross an age threshold (etl.dated) are rewritten in these only (`t_hk_aged`, `t_cell_aged`).
AGED_TABLES = ("hh_facts", "agg_household", "list_visit")
# The archive's school check (a child of school age at the as-of date without a school status) moves
# for every household whose child turns 6 or 16: only its rows of the defect list are rewritten for
# those households (`t_hk_school`, etl.quality_checks.build_school_check), not the household's tables.
SCHOOL_CHECK_TABLE = "list_defect"
# The staging tables of touched owners, (kind, suffix): the load's own, its age pass's, its school pass's.
PASS_SETS = (*((k, "") for k in OWNER_KINDS), ("hk", "_aged"), ("cell", "_aged"), ("hk", "_school"))
# The tables each later pass of a load writes (by suffix), besides the load's own pass.
PASS_TABLES = {"_aged": AGED_TABLES, "_school": (SCHOOL_CHECK_TABLE,)}
_LEDGER_SUMS = ("households", "interventions")  # a cell (households) and its measures
# Derived tables whose rows are computed only from these base tables (directly, or through the columns
# of hh_facts they read: place, cell and codes come from households): a load that wrote none of them
# leaves their rows as they are, even for the households it touched. A 1,000-visit file touches 1,000
# households but changes no measure, content hash or income band of theirs: rewriting those tables
# and their cells was ~1.2 s of its 7.5 s at 10M households. Tables of age facts (AGED_TABLES) are not
# here: the age pass leaves the households of the load's own pass to it. Every table's SQL is checked
# against this by the property test (tests/test_incremental.py: each load kind against a rebuild).
READS: dict[str, tuple[str, ...]] = {
    "hh_content": ("households", "members", "household_income"),
    "agg_category": _LEDGER_SUMS, "agg_measure": _LEDGER_SUMS, "agg_project": _LEDGER_SUMS,
    "agg_project_category": _LEDGER_SUMS,
    "agg_member_value": ("households", "members"),
    "list_project_household": ("households", "members", "interventions"),
    "agg_cooccurrence": ("households",), "agg_income_band": ("households", "household_income"),
    "agg_income_ratio": ("households", "household_income"), "agg_monitoring": ("households",),
    "list_claim": ("households", "members", "household_income", "medical_claims"),
    "list_claim_year": ("households", "members", "household_income", "medical_claims"),
    "list_rectification": ("households", "members", "rectifications"),
}

# The base tables a load may write and still leave every column of hh_facts and of the ill-member list
# that the registry, incomes, measures and items feed as stored: a visits file changes its households'
# visit facts, issue counts and (by moving the as-of date) their members' ages, nothing else of theirs.
# Such a load rewrites those two tables' rows from their stored ones (`Scope.patch`, etl.derive), reading
# the members' counted columns but no household, measure, income or item row: at 10M households those
# scattered copies were ~1 s of a 1,000-visit load's ~5.5 s.
PATCH_BASE = frozenset({"visits", "data_issues", "household_keys"})


def school_check_rows() -> str:
    """The rows of SCHOOL_CHECK_TABLE the school pass owns: the school check's, of `t_hk_school`."""
    return f"(src = 1 AND rule = 'school' AND hk IN (SELECT hk FROM {stage_table('hk', '_school')}))"  # noqa: S608


def stage_table(kind: str, suffix: str = "") -> str:
    """The staging table of the touched owners of `kind` (`suffix` '_aged': the age pass's, '_school':
    the school check's)."""
    return f"{STAGE_SCHEMA}.t_{kind}{suffix}"


class Predicate(str):
    """An owners predicate: the OR of `terms`, each the rows of one kind of owner."""

    terms: tuple[str, ...]

    def __new__(cls, terms: list[str]) -> Predicate:
        obj = super().__new__(cls, " OR ".join(terms))
        obj.terms = tuple(terms)
        return obj


def delete_rows(con: duckdb.DuckDBPyConnection, table: str, where: str) -> None:
    """Delete the rows of an owners predicate, one statement per term: DuckDB pushes a lone
    `col IN (SELECT …)` into the scan as a join filter, but not an OR of two (agg_quality_dated, 18M rows
    at 10M households: 180 ms as one statement, twice per load)."""
    for term in where.terms if isinstance(where, Predicate) else (where,):
        con.execute(f"DELETE FROM {table} WHERE {term}")  # noqa: S608 - our names and predicates


def owners_predicate(table: str, sets: dict[str, list[str]], nohk: bool, all_tables: set[str],
                     alias: str = "") -> str | None:
    """The rows of `table` whose owners are in the staging tables `sets[kind]` (or, for the flags, in
    no household / the whole table); None: no row."""
    p = f"{alias}." if alias else ""
    terms: list[str] = []
    for part in OWNERS[table]:
        where = part.where if part.where == "TRUE" or not alias else _qualify(part.where, alias)
        if part.kind == "all":
            if table in all_tables:
                terms.append(f"({where})")
        elif part.kind == "nohk":
            if nohk:
                terms.append(f"({where})")
        elif sets.get(part.kind):
            col = OWNER_COLUMN[part.kind]
            union = " UNION ALL ".join(f"SELECT {col} FROM {t}" for t in sets[part.kind])  # noqa: S608 - ours
            terms.append(f"({where} AND {p}{col} IN ({union}))")
    return Predicate(terms) if terms else None


@dataclass
class Touched:
    """The owners a load touched so far: in the staging tables `t_<kind>` (and `t_hk_aged`,
    `t_cell_aged`: households touched only because a member's age crossed a threshold, etl.dated;
    `t_hk_school`: households whose school check alone moved with the as-of date),
    the flags `nohk` and `all_tables`, and the base tables the loader wrote (`base`)."""

    con: duckdb.DuckDBPyConnection
    nohk: bool = False
    all_tables: set[str] = field(default_factory=set)
    base: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)  # derived tables the load left as they were (READS)
    by_difference: bool = False  # the summary cells were updated by difference (etl.derived_table.replace_cells)

    def __post_init__(self) -> None:
        self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {STAGE_SCHEMA}")
        for kind, suffix in PASS_SETS:
            self.con.execute(f"CREATE TABLE IF NOT EXISTS {stage_table(kind, suffix)} "
                             f"({OWNER_COLUMN[kind]} {OWNER_TYPE.get(kind, 'INTEGER')})")

    def add(self, kind: str, sql: str, params: object = None, suffix: str = "") -> None:
        """Touch the owners of `kind` that `sql` (a SELECT of one column) returns."""
        self.con.execute(f"INSERT INTO {stage_table(kind, suffix)} SELECT DISTINCT v FROM ({sql}) s(v) "  # noqa: S608
                         f"WHERE v IS NOT NULL", params or [])

    def add_values(self, kind: str, values: list[int]) -> None:
        if values:
            self.con.execute(f"INSERT INTO {stage_table(kind)} SELECT unnest($v::INTEGER[])", {"v": list(values)})  # noqa: S608

    def table(self, name: str) -> None:
        """The whole of a small table changed."""
        self.all_tables.add(name)

    def dedupe(self) -> None:
        for kind, suffix in PASS_SETS:
            col, t = OWNER_COLUMN[kind], stage_table(kind, suffix)
            self.con.execute(f"CREATE OR REPLACE TABLE {t} AS SELECT DISTINCT {col} FROM {t}")  # noqa: S608

    def count(self, kind: str, suffix: str = "") -> int:
        col = OWNER_COLUMN[kind]
        rows = self.con.execute(f"SELECT count(DISTINCT {col}) FROM {stage_table(kind, suffix)}").fetchall()  # noqa: S608
        return int(rows[0][0]) if rows else 0

    def wrote(self, table: str) -> bool:
        """The loader wrote rows of this table (or the whole of it changed)."""
        return table in self.base or table in self.all_tables

    def needs(self, table: str) -> bool:
        """Whether the load changes rows of derived `table` (READS); one it does not is noted `skipped`."""
        if table not in READS or any(self.wrote(t) for t in READS[table]):
            return True
        self.skipped.add(table)
        return False

    def patches(self) -> bool:
        """Whether the load wrote only base tables of PATCH_BASE (so its passes may patch, `Scope.patch`)."""
        return self.base <= PATCH_BASE and not self.all_tables & set(BASE_TABLES)

    def predicate(self, table: str) -> str | None:
        """The rows of `table` the load changed, for its changeset: the touched owners', in every pass."""
        if (table in BASE_TABLES and not self.wrote(table)) or table in self.skipped:
            return None
        sets = {kind: [stage_table(kind)] for kind in OWNER_KINDS}
        if table in AGED_TABLES:
            sets["hk"].append(stage_table("hk", "_aged"))
            sets["cell"].append(stage_table("cell", "_aged"))
        where = owners_predicate(table, sets, self.nohk, self.all_tables)
        if table == SCHOOL_CHECK_TABLE and self.count("hk", "_school"):
            where = Predicate([*(where.terms if isinstance(where, Predicate) else ()), school_check_rows()])
        return where


def _qualify(where: str, alias: str) -> str:
    """Prefix the column names of a simple part predicate (`hk IS NULL`, `kind = 0`) with an alias."""
    head, _, rest = where.partition(" ")
    return f"{alias}.{head} {rest}"
