"""Load the exit inspection's inputs (data-spec §1.4): household checks and the rural population base.

Both are small tables owned whole (`etl.owners`: `ALL`): a load that writes one of them names it in
the flags it returns (`tables`), so the changeset copies the whole table. The data issues they raise
belong to the household a check names (`hk`, from `household_keys`) or to none (a population figure,
a check of a household outside the registry): the households are touched and `nohk` is set, as the
ledgers do, so the derived tables that count issues follow.

Upserts (docs/DECISIONS.md, "Exit inspection"):
- `population_base` by (year, township, village): a later file's figure replaces the earlier one.
- `household_checks` by (check date, household), the household being its 户编号, else its 证件号码,
  else its 乡镇 + 行政村 + 户主姓名 (`household_key`); a row with none of them by all its fields.

A check is linked to the registry household (`hk`) through its 户编号 (given a key as the ledgers'
household numbers are, so a registry loaded later links it too) or, without one, through a member's
ID number. Which group it counts in (脱贫户, 未脱贫户, 边缘户, 一般农户) is decided at query time
from the registry when it is linked (queries.inspection_rates); the checks below flag forms that
contradict the registry.
"""

from __future__ import annotations

import duckdb

from etl import keys
from etl.duck import scalar
from etl.fields import FIELDS
from etl.inspection_rules import REGISTRY_TYPE_SQL
from etl.issues import ID_RULES, insert_issues, issue_selects
from etl.owners import Touched
from etl.raw_file import STAGE_SCHEMA
from etl.stage import q

KINDS = ("household_checks", "population_base")


def load(con: duckdb.DuckDBPyConnection, kind: str, batch_id: int, name: str, checks: list[tuple[str, str]],
         touched: Touched) -> tuple[int, dict[str, object]]:
    """Write the staged rows (`stg`) of one file of `kind`; (rows loaded, flags for `touched`)."""
    if kind == "household_checks":
        return _load_checks(con, batch_id, name, checks, touched)
    return _load_base(con, batch_id, name, checks, touched)


def dedupe_later_wins(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows of the same record in one file: the later line wins (a newer line of a ledger updates an item;
    deleting the earlier rows of repeated keys touches only those, where a window would copy every row).
    Used by the ledgers too (etl.load). Returns the rows loaded, counted before
    the earlier ones go: a row that an updating line replaces was loaded (as a ledger's is), so that
    rows read = loaded + rejected + skipped holds."""
    n_rows = int(scalar(con, f"SELECT count(*) FROM {table}") or 0)  # noqa: S608 - our table name
    con.execute(f"""DELETE FROM {table} USING (SELECT record_key, max(source_line) AS last_line FROM {table}
                                          GROUP BY record_key HAVING count(*) > 1) d
                   WHERE {table}.record_key = d.record_key AND {table}.source_line < d.last_line""")  # noqa: S608
    return n_rows


def _touch_issues(con: duckdb.DuckDBPyConnection, touched: Touched, where: str, params: list) -> bool:
    """Touch the households of the data issues `where` selects (before they are deleted or after they are
    written); True when one of them belongs to no household."""
    touched.add("hk", f"SELECT hk FROM data_issues WHERE {where}", params)  # noqa: S608 - ours
    return bool(scalar(con, f"SELECT count(*) FROM data_issues WHERE ({where}) AND hk IS NULL", params))  # noqa: S608


# rule -> (field, raw value, condition) over `ck_issue` (a check row with its registry household's facts
# and `grp`, the group it counts in: the registry's when linked, else the form's 户类型)
_CHECK_ISSUES: dict[str, tuple[str, str, str]] = {
    "check_household_unknown": ("household_id", "household_id", "household_id IS NOT NULL AND NOT in_registry"),
    "check_type_mismatch": ("household_type", "household_type", "registry_type IS NOT NULL AND household_type IS "
                            "NOT NULL AND household_type <> registry_type"),
    # the form's place is not the registry household's: the check counts in the registry's place
    "check_place_mismatch": ("village", "township || '/' || village", "in_registry AND (township <> "
                             "registry_township OR village <> registry_village)"),
    "check_type_missing": ("household_type", "NULL", "grp IS NULL AND NOT bad__unknown_code__household_type"),
    "check_registered_no_id": ("household_id", "household_type",
                               "household_id IS NULL AND household_type IN ('脱贫户', '未脱贫户')"),
    "check_wrong_exit_not_exited": ("finding", "finding", "finding = '错退' AND grp IS DISTINCT FROM '脱贫户'"),
    "check_missed_registered": ("finding", "finding", "finding = '漏评' AND grp IN ('脱贫户', '未脱贫户')"),
    "check_no_population_base": ("village", "township || '/' || village", """NOT EXISTS (
        SELECT 1 FROM population_base p WHERE p.township = coalesce(c.registry_township, c.township)
        AND p.village = coalesce(c.registry_village, c.village)
        AND p.rural_population IS NOT NULL)"""),
    "check_size_missing": ("household_size", "NULL", "raw_household_size IS NULL AND registry_size IS NULL"),
    "check_size_invalid": ("household_size", "raw_household_size", "household_size <= 0"),
    **{rule: ("id_number", "raw_id_number", where) for rule, where in ID_RULES.items()},
}


# Rules of the inspection inputs besides the field checks (labels: rule.<name>, rulename.<name>).
CHECK_RULES = tuple(r for r in _CHECK_ISSUES if r not in ID_RULES)
BASE_RULES = ("population_below_registered",)


def _check_issue(rule: str, field: str, raw: str, where: str) -> str:
    """One issue SELECT over `ck_issue`, shaped as `etl.issues.issue_selects` writes them."""
    return (f"SELECT source_line, 'household_checks', record_key, household_id, '{field}', {raw}, '{rule}' "  # noqa: S608
            f"FROM ck_issue c WHERE {where}")


def _load_checks(con: duckdb.DuckDBPyConnection, batch_id: int, name: str, checks: list[tuple[str, str]],
                 touched: Touched) -> tuple[int, dict[str, object]]:
    cols = list(FIELDS["household_checks"])
    content = " || '|' || ".join(f"coalesce({q(c)}::VARCHAR, '')" for c in cols)
    identity = ("coalesce('户:' || household_id, CASE WHEN NOT id_mangled THEN '证:' || id_number END, "
                "'名:' || township || '/' || village || '/' || head_name, 'md5:' || md5(" + content + "))")
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.ck AS
                    SELECT *, household_key || '@' || strftime(check_date, '%Y-%m-%d') AS record_key
                    FROM (SELECT *, {identity} AS household_key FROM stg WHERE rejected_rule IS NULL)""")  # noqa: S608
    n_rows = dedupe_later_wins(con, "ck")
    # 户编号: a key like any ledger's household number (a registry loaded later links the check too);
    # without one, a registry member's ID number links it (the lowest key if the ID is in two households)
    keys.assign_household_keys(con, "SELECT household_id FROM ck")
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.ck_linked AS
        WITH ids AS (
            SELECT id_number, min(hk) AS hk FROM members
            WHERE id_number IN (SELECT id_number FROM ck WHERE household_id IS NULL AND NOT id_mangled)
            GROUP BY id_number)
        SELECT ck.*, coalesce(k.hk, ids.hk) AS hk, h.hk IS NOT NULL AS in_registry,
               h.household_id AS registry_household_id, h.household_size AS registry_size,
               h.township AS registry_township, h.village AS registry_village,
               {REGISTRY_TYPE_SQL} AS registry_type
        FROM ck LEFT JOIN household_keys k USING (household_id)
        LEFT JOIN ids ON ck.household_id IS NULL AND ids.id_number = ck.id_number
        LEFT JOIN households h ON h.hk = coalesce(k.hk, ids.hk)""")  # noqa: S608 - constants only
    # the checks this file replaces, and their issues (their households are touched before they go)
    con.execute("DELETE FROM household_checks WHERE record_key IN (SELECT record_key FROM ck)")
    issues_of = "table_name = 'household_checks' AND record_key IN (SELECT record_key FROM ck)"
    nohk = _touch_issues(con, touched, issues_of, [])
    con.execute(f"DELETE FROM data_issues WHERE {issues_of}")  # noqa: S608 - constants only
    col_list = ", ".join(q(c) for c in cols)
    con.execute(f"""INSERT INTO household_checks BY NAME
                    SELECT record_key, household_key, {col_list}, ? AS batch_id, source_line, hk FROM ck_linked""",  # noqa: S608
                [batch_id])
    touched.add("hk", "SELECT hk FROM ck_linked")  # new household keys travel with their households
    # Issues name the registry household a row is linked to (its 户编号 or the one its ID number found).
    con.execute("""CREATE OR REPLACE TEMP VIEW ck_issue AS
                   SELECT * REPLACE (coalesce(household_id, registry_household_id) AS household_id),
                          coalesce(registry_type, household_type) AS grp
                   FROM ck_linked""")
    selects = issue_selects("ck_issue", checks, "household_checks", "record_key")
    selects += [_check_issue(rule, field, raw, where) for rule, (field, raw, where) in _CHECK_ISSUES.items()]
    insert_issues(con, "household_checks", selects, batch_id, name)
    nohk |= _touch_issues(con, touched, "batch_id = ?", [batch_id])
    con.execute("DROP VIEW ck_issue")
    for tmp in ("ck", "ck_linked"):
        con.execute(f"DROP TABLE {tmp}")
    return n_rows, {"tables": {"household_checks"}, "base": {"data_issues", "household_keys"}, "nohk": nohk}


def _load_base(con: duckdb.DuckDBPyConnection, batch_id: int, name: str, checks: list[tuple[str, str]],
               touched: Touched) -> tuple[int, dict[str, object]]:
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.pk AS
                    SELECT *, CAST(year AS VARCHAR) || '|' || township || '|' || village AS record_key,
                           NULL::VARCHAR AS household_id
                    FROM stg WHERE rejected_rule IS NULL""")  # noqa: S608 - constants only
    n_rows = dedupe_later_wins(con, "pk")
    con.execute("DELETE FROM population_base WHERE (year, township, village) IN (SELECT (year, township, village) FROM pk)")
    con.execute("""INSERT INTO population_base BY NAME
                   SELECT year, township, village, rural_households, rural_population, ? AS batch_id, source_line
                   FROM pk""", [batch_id])
    issues_of = "table_name = 'population_base' AND record_key IN (SELECT record_key FROM pk)"
    nohk = _touch_issues(con, touched, issues_of, [])
    con.execute(f"DELETE FROM data_issues WHERE {issues_of}")  # noqa: S608 - constants only
    # checks of villages that now have a population figure lose their "no population base" issue
    resolved = """table_name = 'household_checks' AND rule = 'check_no_population_base' AND record_key IN (
                      SELECT c.record_key FROM household_checks c LEFT JOIN households h ON h.hk = c.hk
                      WHERE (coalesce(h.township, c.township), coalesce(h.village, c.village)) IN (
                          SELECT (township, village) FROM pk WHERE rural_population IS NOT NULL))"""
    nohk |= _touch_issues(con, touched, resolved, [])
    con.execute(f"DELETE FROM data_issues WHERE {resolved}")  # noqa: S608 - constants only
    selects = issue_selects("pk", checks, "population_base", "record_key")
    selects.append("""
        SELECT pk.source_line, 'population_base', pk.record_key, NULL, 'rural_population',
               CAST(pk.rural_population AS VARCHAR), 'population_below_registered'
        FROM pk JOIN (SELECT h.township, h.village, sum(h.household_size) AS people FROM households h
                      WHERE h.registered AND (h.township, h.village) IN (SELECT (township, village) FROM pk)
                      GROUP BY ALL) r USING (township, village)
        WHERE pk.rural_population < r.people""")
    insert_issues(con, "population_base", selects, batch_id, name)
    nohk |= _touch_issues(con, touched, "batch_id = ?", [batch_id])
    con.execute("DROP TABLE pk")
    return n_rows, {"tables": {"population_base"}, "base": {"data_issues"}, "nohk": nohk}
