"""Load the exit inspection's inputs (data-spec §1.4): household checks and the rural population base.

Both are small tables owned whole (`etl.owners`: `ALL`): a load that writes one of them names it in
the flags it returns (`tables`), so the changeset copies the whole table. The data issues they raise
belong to the household a check names (`hk`, from `household_keys`) or to none (a population figure,
a check of a household outside the registry): the households are touched and `nohk` is set, as the
ledgers do, so the derived tables that count issues follow.

Upserts (docs/DECISIONS.md, "Exit inspection"):
- `population_base` by (year, township, village): a later file's figure replaces the earlier one.
- `household_checks` by (check date, household), the household being its 户编号, else the 户编号 of the
  registry household a member's ID number links it to, else its 证件号码, else its 乡镇 + 行政村 + 户主姓名
  (`household_key`); a row with none of them by all its fields. So a registry household's check counts
  once a day however the form names it; a registry file that links or unlinks a check keys it again.
- `population_base`: a negative 乡村人口 or 乡村户数 is `negative_amount` and stored as NULL.

A check is linked to the registry household (`hk`) through its 户编号 (given a key as the ledgers'
household numbers are, so a registry loaded later links it too) or, without one or with one the registry
does not have, through a member's ID number (`check_id_other_household` when the two disagree). Which group it counts in (脱贫户, 未脱贫户, 边缘户, 一般农户) is decided at query time
from the registry when it is linked (queries.inspection_rates); the checks below flag forms that
contradict the registry.
"""

from __future__ import annotations

import duckdb

from etl import keys
from etl.duck import scalar
from etl.fields import FIELDS
from etl.inspection_rules import (
    HOUSEHOLD_KEYED,
    ID_KEYED,
    REGISTRY_TYPE_SQL,
    base_usable_sql,
    household_key_sql,
    id_key_sql,
    name_key_sql,
)
from etl.issues import ID_RULES, apply_issues, insert_issues, issue_selects
from etl.normalize import sql_id_mangled_of
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


# Rules of the form alone: rule -> (field, raw value, condition) over `ck_issue` (a staged check row)
_FORM_ISSUES: dict[str, tuple[str, str, str]] = {
    "check_size_invalid": ("household_size", "raw_household_size", "household_size <= 0"),
    **{rule: ("id_number", "raw_id_number", where) for rule, where in ID_RULES.items()},
}

# Rules that read the registry: rule -> (field, raw value, condition) over `ck_reg` (a stored check with
# its registry household's facts, `grp` the group it counts in, and `form_fields` the fields its form
# rules flagged). Decided when a check is loaded and again when a registry file changes its household
# (`recheck`), so the issues do not depend on the order in which the files were loaded.
_REGISTRY_ISSUES: dict[str, tuple[str, str, str]] = {
    "check_household_unknown": ("household_id", "household_id", "household_id IS NOT NULL AND NOT in_registry"),
    # the form's 户编号 is not a household the head's ID number is a member of: the check counts in the
    # 户编号's household when the registry has it, else in the ID number's (a form's unknown 户编号 beside a
    # member's ID counted as its form's 一般农户, 漏评 and all; a probe, 2026-12-06)
    "check_id_other_household": ("household_id", "form_household_id", "form_household_id IS NOT NULL AND "
                                 "id_household_id IS NOT NULL AND NOT id_in_form_household"),
    "check_type_mismatch": ("household_type", "household_type", "registry_type IS NOT NULL AND household_type IS "
                            "NOT NULL AND household_type <> registry_type"),
    # the form's place is not the registry household's: the check counts in the registry's place
    "check_place_mismatch": ("village", "township || '/' || village", "in_registry AND (township <> "
                             "registry_township OR village <> registry_village)"),
    # no type, and none that the form rules already flagged (an unknown code)
    "check_type_missing": ("household_type", "NULL", "grp IS NULL AND NOT list_contains(form_fields, 'household_type')"),
    "check_wrong_exit_not_exited": ("finding", "finding", "finding = '错退' AND grp IS DISTINCT FROM '脱贫户'"),
    "check_missed_registered": ("finding", "finding", "finding = '漏评' AND grp IN ('脱贫户', '未脱贫户')"),
    # a registered type without a 户编号, and no registry member's ID number links it
    "check_registered_no_id": ("household_id", "household_type",
                               "household_id IS NULL AND household_type IN ('脱贫户', '未脱贫户')"),
    # the village the check counts in (the registry's, for a check of a registry household), as the rule
    # looks at it: the form's place named a village that had its base when the form filed the household
    # under another one
    "check_no_population_base": ("village", "coalesce(registry_township, township) || '/' || "
                                 "coalesce(registry_village, village)", f"""NOT EXISTS (
        SELECT 1 FROM population_base p WHERE p.township = coalesce(c.registry_township, c.township)
        AND p.village = coalesce(c.registry_village, c.village)
        AND {base_usable_sql('p.rural_population')})"""),  # noqa: S608 - constants only
    # blank 家庭人口 (a value that is not a number is flagged by the form rules) and not in the registry
    "check_size_missing": ("household_size", "NULL", "household_size IS NULL AND registry_size IS NULL "
                           "AND NOT list_contains(form_fields, 'household_size')"),
}


# Rules of the inspection inputs besides the field checks (labels: rule.<name>, rulename.<name>).
CHECK_RULES = tuple(r for r in (*_FORM_ISSUES, *_REGISTRY_ISSUES) if r not in ID_RULES)
BASE_RULES = ("population_below_registered",)
_REGISTRY_RULES_SQL = ", ".join(f"'{r}'" for r in _REGISTRY_ISSUES)


def _form_issue(rule: str, field: str, raw: str, where: str) -> str:
    """One issue SELECT over `ck_issue`, shaped as `etl.issues.issue_selects` writes them."""
    return (f"SELECT source_line, 'household_checks', record_key, household_id, '{field}', {raw}, '{rule}' "  # noqa: S608
            f"FROM ck_issue c WHERE {where}")


def _registry_issues_sql(scope: str) -> str:
    """The registry rules' issues of the stored checks `scope` selects (a predicate over
    household_checks `c`), as data_issues rows: each in its check's own batch, file and line."""
    selects = " UNION ALL ".join(
        f"SELECT batch_id, source_line, record_key, household_id, '{field}' AS field, {raw} AS raw_value, "  # noqa: S608
        f"'{rule}' AS rule, hk FROM ck_reg c WHERE {where}"
        for rule, (field, raw, where) in _REGISTRY_ISSUES.items())
    return f"""
        WITH ids AS (  -- the registry households of the ID numbers of the checks that have a 户编号
            SELECT id_number, min(hk) AS id_hk, list(hk) AS id_hks FROM members
            WHERE id_number IN (SELECT c.id_number FROM household_checks c WHERE ({scope}) AND c.household_id IS NOT NULL
                                AND NOT {sql_id_mangled_of('c.id_number')})
            GROUP BY id_number),
        ck_reg AS (
            SELECT c.* REPLACE (coalesce(h.household_id, c.household_id) AS household_id),
                   c.household_id AS form_household_id, ih.household_id AS id_household_id,
                   coalesce(list_contains(i.id_hks, fk.hk), false) AS id_in_form_household,
                   h.hk IS NOT NULL AS in_registry, h.household_size AS registry_size,
                   h.township AS registry_township, h.village AS registry_village,
                   {REGISTRY_TYPE_SQL} AS registry_type,
                   coalesce({REGISTRY_TYPE_SQL}, c.household_type) AS grp,
                   coalesce(f.fields, []) AS form_fields
            FROM household_checks c LEFT JOIN households h ON h.hk = c.hk
            LEFT JOIN ids i ON c.household_id IS NOT NULL AND i.id_number = c.id_number
            LEFT JOIN households ih ON ih.hk = i.id_hk
            LEFT JOIN household_keys fk ON c.household_id IS NOT NULL AND fk.household_id = c.household_id
            LEFT JOIN (SELECT record_key, list(field) AS fields FROM data_issues
                       WHERE table_name = 'household_checks' AND rule NOT IN ({_REGISTRY_RULES_SQL})
                       GROUP BY record_key) f ON f.record_key = c.record_key
            WHERE {scope})
        SELECT i.batch_id, coalesce(b.file_name, $name) AS file_name, i.source_line AS line,
               'household_checks' AS table_name, i.record_key, i.household_id, i.field,
               CAST(i.raw_value AS VARCHAR) AS raw_value, i.rule, i.hk
        FROM ({selects}) i LEFT JOIN load_batches b USING (batch_id)"""  # noqa: S608 - constants only


def _apply_registry_issues(con: duckdb.DuckDBPyConnection, touched: Touched, scope: str, name: str) -> bool:
    """The registry rules' issues of the checks `scope` selects (a predicate over household_checks `c`)."""
    old = f"rule IN ({_REGISTRY_RULES_SQL}) AND record_key IN (SELECT record_key FROM household_checks c WHERE {scope})"  # noqa: S608
    return apply_issues(con, touched, "household_checks", _registry_issues_sql(scope), old, name)


# A township's total written as a village of its population base: 全镇, 全乡, 全苏木 (本镇 …), maybe with a
# count in brackets (全镇（10个村）) or a summary word after it, a label ending in 汇总 (德岭山镇汇总), or the
# township's own name in the 行政村 column. Stored as a village, its rural people were added to the
# incidence over the township's real villages (a probe, 2026-12-06: `德岭山镇 | 全镇 | 300 | 1200`). A total
# is no village's figure (data-spec §1.4: the base is per village, the incidence sums villages): it is
# skipped and counted as a 合计 row is (§3), before the row is staged; 合计/小计/总计 labels are skipped by
# every reader already (etl.raw_rows). Used as a township's base where the township has no village rows, it
# would place the township's rural people in no village, beside registered people who are all in villages.
_WS = r"[\s\x{3000}\x{a0}]"
TOWNSHIP_TOTAL_PATTERN = (r"(?:[全本](?:镇|乡|苏木|嘎查|村|街道|旗|县|区)|[^()（）]*汇总)"
                          r"(?:合计|小计|总计|汇总)?[:：]?(?:[(（][^()（）]*[)）])?")


def skip_township_totals(con: duckdb.DuckDBPyConnection, source: str) -> tuple[str, int]:
    """A population base read into `source` (the reader's table or view, canonical columns): (a view of it
    without its township totals (TOWNSHIP_TOTAL_PATTERN, or the township's name as the village), how many
    they were); (`source`, 0) when there are none."""
    place = {c: f"regexp_replace(CAST({q(c)} AS VARCHAR), '{_WS}', '', 'g')" for c in ("township", "village")}
    total = f"(regexp_full_match({place['village']}, ?) OR {place['village']} = {place['township']})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE total_lines AS SELECT _line FROM {source} WHERE {total}",  # noqa: S608
                [TOWNSHIP_TOTAL_PATTERN])
    n = int(scalar(con, "SELECT count(*) FROM total_lines") or 0)
    if not n:
        return source, 0
    con.execute(f"CREATE OR REPLACE TEMP VIEW base_body AS SELECT * FROM {source} "  # noqa: S608 - ours
                "WHERE _line NOT IN (SELECT _line FROM total_lines)")
    return "base_body", n


def _base_record_key(alias: str) -> str:
    """A population figure's key: its year, township and village."""
    return f"CAST({alias}.year AS VARCHAR) || '|' || {alias}.township || '|' || {alias}.village"


def _apply_base_issues(con: duckdb.DuckDBPyConnection, touched: Touched, places: str, name: str) -> bool:
    """`population_below_registered` of the population figures of the villages `places` selects
    (township, village): a figure below the village's registered people (the sum of their households'
    members) as the registry is now."""
    new = f"""
        WITH p AS (SELECT *, {_base_record_key('b')} AS record_key FROM population_base b
                   WHERE (township, village) IN (SELECT (township, village) FROM ({places}))),
             r AS (SELECT township, village, sum(household_size) AS people FROM households
                   WHERE registered AND (township, village) IN (SELECT (township, village) FROM ({places}))
                   GROUP BY ALL)
        SELECT p.batch_id, coalesce(lb.file_name, $name) AS file_name, p.source_line AS line,
               'population_base' AS table_name, p.record_key, NULL::VARCHAR AS household_id,
               'rural_population' AS field, CAST(p.rural_population AS VARCHAR) AS raw_value,
               'population_below_registered' AS rule, NULL::INTEGER AS hk
        FROM p JOIN r USING (township, village) LEFT JOIN load_batches lb USING (batch_id)
        WHERE p.rural_population < r.people"""  # noqa: S608 - ours
    old = f"""rule = 'population_below_registered' AND record_key IN (
        SELECT {_base_record_key('b')} FROM population_base b
        WHERE (township, village) IN (SELECT (township, village) FROM ({places})))"""  # noqa: S608 - ours
    return apply_issues(con, touched, "population_base", new, old, name)


def places_before(con: duckdb.DuckDBPyConnection, households: str) -> None:
    """Before a registry file replaces the households `households` selects (a SELECT of hk): note their
    villages (`reg_places`), whose population figures `recheck` judges again (where a population base
    is loaded at all)."""
    con.execute("CREATE OR REPLACE TEMP TABLE reg_places (township VARCHAR, village VARCHAR)")
    if scalar(con, "SELECT count(*) FROM population_base"):
        con.execute(f"""INSERT INTO reg_places SELECT DISTINCT township, village FROM households
                        WHERE hk IN ({households})""")  # noqa: S608 - ours


def _record_key_sql(household_key: str, check_date: str) -> str:
    """A check's record key: its household on its day (a later check of both replaces it)."""
    return f"{household_key} || '@' || strftime({check_date}, '%Y-%m-%d')"


def _load_checks(con: duckdb.DuckDBPyConnection, batch_id: int, name: str, checks: list[tuple[str, str]],
                 touched: Touched) -> tuple[int, dict[str, object]]:
    cols = list(FIELDS["household_checks"])
    content = " || '|' || ".join(f"coalesce({q(c)}::VARCHAR, '')" for c in cols)
    # Without a 户编号, or with one the registry does not have, a registry member's ID number links the row
    # (the lowest key if the ID is in two households), before the dedupe: a row so linked is keyed by its
    # household's 户编号, so the same day's later row of that household replaces it whichever way either
    # names it (in this file or a stored one). `recheck` keys again the rows a later registry file links or
    # unlinks.
    identity = (f"coalesce({household_key_sql('coalesce(id_household_id, household_id)')}, "
                f"CASE WHEN NOT id_mangled THEN {id_key_sql('id_number')} END, "
                f"{name_key_sql('township', 'village', 'head_name')}, 'md5:' || md5({content}))")
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.ck AS
        WITH ids AS (
            SELECT i.id_number, i.id_hk, h.household_id AS id_household_id
            FROM (SELECT id_number, min(hk) AS id_hk FROM members
                  WHERE id_number IN (SELECT id_number FROM stg WHERE rejected_rule IS NULL AND NOT id_mangled)
                  GROUP BY id_number) i LEFT JOIN households h ON h.hk = i.id_hk),
        registered AS (  -- the forms' 户编号 that the registry has
            SELECT DISTINCT k.household_id FROM household_keys k JOIN households h ON h.hk = k.hk
            WHERE k.household_id IN (SELECT household_id FROM stg WHERE rejected_rule IS NULL))
        SELECT *, {_record_key_sql('household_key', 'check_date')} AS record_key
        FROM (SELECT *, {identity} AS household_key
              FROM (SELECT s.*, ids.id_hk, ids.id_household_id FROM stg s
                    LEFT JOIN registered r ON r.household_id = s.household_id
                    LEFT JOIN ids ON r.household_id IS NULL AND NOT s.id_mangled AND ids.id_number = s.id_number
                    WHERE s.rejected_rule IS NULL))""")  # noqa: S608
    n_rows = dedupe_later_wins(con, "ck")
    # 户编号: a key like any ledger's household number (a registry loaded later links the check too)
    keys.assign_household_keys(con, "SELECT household_id FROM ck")
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.ck_linked AS
        SELECT ck.*, coalesce(ck.id_hk, k.hk) AS hk, h.hk IS NOT NULL AS in_registry,
               h.household_id AS registry_household_id, h.household_size AS registry_size,
               h.township AS registry_township, h.village AS registry_village,
               {REGISTRY_TYPE_SQL} AS registry_type
        FROM ck LEFT JOIN {keys.HK_OF} k USING (household_id)
        LEFT JOIN households h ON h.hk = coalesce(ck.id_hk, k.hk)""")  # noqa: S608 - constants only
    # the checks this file replaces, and their issues (their households are touched before they go)
    con.execute("DELETE FROM household_checks WHERE record_key IN (SELECT record_key FROM ck)")
    issues_of = "table_name = 'household_checks' AND record_key IN (SELECT record_key FROM ck)"
    nohk = _touch_issues(con, touched, issues_of, [])
    con.execute(f"DELETE FROM data_issues WHERE {issues_of}")  # noqa: S608 - constants only
    col_list = ", ".join(q(c) for c in cols)
    con.execute(f"""INSERT INTO household_checks BY NAME
                    SELECT record_key, household_key, {col_list}, ? AS batch_id, source_line, hk FROM ck_linked""",  # noqa: S608
                [batch_id])
    # new household keys travel with their households, a form's own 户编号 too when its ID number found
    # another household (its key was left out of the changeset: the next load's file had one key fewer)
    touched.add("hk", f"SELECT hk FROM ck_linked UNION ALL SELECT hk FROM {keys.HK_OF}")  # noqa: S608 - constants
    # Issues name the registry household a row is linked to (its 户编号 or the one its ID number found).
    con.execute("""CREATE OR REPLACE TEMP VIEW ck_issue AS
                   SELECT * REPLACE (coalesce(registry_household_id, household_id) AS household_id),
                          coalesce(registry_type, household_type) AS grp
                   FROM ck_linked""")
    selects = issue_selects("ck_issue", checks, "household_checks", "record_key")
    selects += [_form_issue(rule, field, raw, where) for rule, (field, raw, where) in _FORM_ISSUES.items()]
    insert_issues(con, "household_checks", selects, batch_id, name)
    nohk |= _touch_issues(con, touched, "batch_id = ?", [batch_id])
    nohk |= _apply_registry_issues(con, touched, "c.record_key IN (SELECT record_key FROM ck)", name)
    con.execute("DROP VIEW ck_issue")
    for tmp in ("ck", "ck_linked"):
        con.execute(f"DROP TABLE {tmp}")
    return n_rows, {"tables": {"household_checks"}, "base": {"data_issues", "household_keys"}, "nohk": nohk}


def recheck(con: duckdb.DuckDBPyConnection, touched: Touched, households: str, id_numbers: str, places: str,
            name: str) -> dict[str, object]:
    """After a registry file wrote the households `households` selects (a SELECT of hk) with the members'
    ID numbers `id_numbers` selects, in the villages `places` selects (township, village; their villages
    before are in `reg_places`, `places_before`): judge again the population figures of those villages,
    link again by ID number the checks without a 户编号 (or with one the registry does not have) that one
    of those IDs names, or whose 户编号 the file brings, and re-decide the
    registry rules of the checks of those households. So a check form or a population base loaded before
    the registry (or before a registry that moves, exits or adds a household) ends with the issues it
    would have had if loaded after it. Flags for `touched`, as `load` returns."""
    nohk = False
    if scalar(con, "SELECT count(*) FROM population_base"):  # the villages' figures, before and after
        con.execute(f"INSERT INTO reg_places SELECT DISTINCT township, village FROM ({places})")  # noqa: S608
        nohk = _apply_base_issues(con, touched, "SELECT DISTINCT township, village FROM reg_places", name)
    con.execute("DROP TABLE IF EXISTS reg_places")
    if not scalar(con, "SELECT count(*) FROM household_checks"):
        return {"base": {"data_issues"}, "nohk": nohk}
    # The checks in question, found from the small side: a full registry load lists 10M households and
    # 30M ID numbers, which must be streamed against the checks, never built into hash tables.
    # identified by a member's ID number: keyed 户:<the registry's 户编号> when linked, else 证:<ID number>
    by_id = f"household_id IS NULL AND ({ID_KEYED} OR {HOUSEHOLD_KEYED})"
    # with a 户编号 and an ID number: linked by the ID number while the registry lacks the 户编号
    by_form = f"household_id IS NOT NULL AND id_number IS NOT NULL AND NOT {sql_id_mangled_of('id_number')}"
    linkable = f"(({by_id}) OR ({by_form}))"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE ck_scope AS
        WITH fk AS (SELECT household_id, hk FROM household_keys
                    WHERE household_id IN (SELECT household_id FROM household_checks WHERE {by_form}))
        SELECT record_key, check_date, id_number, household_id, hk, {linkable} AS by_id FROM household_checks
        WHERE hk IN (SELECT hk FROM ({households}) f(hk) WHERE hk IN (SELECT hk FROM household_checks))
           OR ({linkable} AND id_number IN (
               SELECT id_number FROM ({id_numbers}) f(id_number)
               WHERE id_number IN (SELECT id_number FROM household_checks WHERE {linkable})))
           OR ({by_form} AND household_id IN (SELECT household_id FROM fk WHERE hk IN (
               SELECT hk FROM ({households}) f(hk) WHERE hk IN (SELECT hk FROM fk))))""")  # noqa: S608 - ours
    con.execute("""CREATE OR REPLACE TEMP TABLE ck_relink (record_key VARCHAR, old_hk INTEGER, new_hk INTEGER,
                                                           household_key VARCHAR, new_key VARCHAR,
                                                           household_id VARCHAR)""")
    if scalar(con, "SELECT count(*) FROM ck_scope WHERE by_id"):
        # the form's 户编号 when the registry has it, else the ID number's household, else the 户编号's key
        form_id = "CASE WHEN f.registered THEN c.household_id ELSE coalesce(h.household_id, c.household_id) END"
        con.execute(f"""INSERT INTO ck_relink
            WITH ids AS (SELECT id_number, min(hk) AS hk FROM members
                         WHERE id_number IN (SELECT id_number FROM ck_scope WHERE by_id) GROUP BY id_number),
                 form AS (SELECT k.household_id, k.hk, h.hk IS NOT NULL AS registered
                          FROM household_keys k LEFT JOIN households h ON h.hk = k.hk
                          WHERE k.household_id IN (SELECT household_id FROM ck_scope WHERE by_id))
            SELECT record_key, old_hk, new_hk, household_key, {_record_key_sql('household_key', 'check_date')},
                   household_id
            FROM (SELECT c.record_key, c.check_date, c.household_id, c.hk AS old_hk,
                         CASE WHEN f.registered THEN f.hk ELSE coalesce(ids.hk, f.hk) END AS new_hk,
                         coalesce({household_key_sql(form_id)}, {id_key_sql('c.id_number')}) AS household_key
                  FROM ck_scope c LEFT JOIN ids USING (id_number) LEFT JOIN households h ON h.hk = ids.hk
                  LEFT JOIN form f ON f.household_id = c.household_id
                  WHERE c.by_id)
            WHERE old_hk IS DISTINCT FROM new_hk
               OR record_key <> {_record_key_sql('household_key', 'check_date')}""")  # noqa: S608 - constants only
    relinked = int(scalar(con, "SELECT count(*) FROM ck_relink") or 0)
    nohk |= bool(scalar(con, "SELECT count(*) FROM ck_relink WHERE old_hk IS NULL OR new_hk IS NULL"))
    if relinked:
        touched.add("hk", "SELECT old_hk FROM ck_relink UNION ALL SELECT new_hk FROM ck_relink")
        nohk |= _rekey_checks(con, touched)
    nohk |= _apply_registry_issues(con, touched, "c.record_key IN (SELECT record_key FROM ck_scope)", name)
    for tmp in ("ck_scope", "ck_relink"):
        con.execute(f"DROP TABLE {tmp}")
    return {"tables": {"household_checks"} if relinked else set(), "base": {"data_issues"}, "nohk": nohk}


def _rekey_checks(con: duckdb.DuckDBPyConnection, touched: Touched) -> bool:
    """Link and key again the stored checks of `ck_relink` (record_key, old_hk, new_hk, household_key,
    new_key, the form's household_id), keeping `ck_scope`'s record keys in step. A check that now shares its household and day with
    another is one check: the later (file, then line) wins, as at load, and the other goes with its
    issues. True when one of the issues that went belongs to no household."""
    con.execute("""CREATE OR REPLACE TEMP TABLE ck_lose AS
        SELECT record_key FROM (
            SELECT c.record_key, coalesce(r.new_key, c.record_key) AS new_key, c.batch_id, c.source_line
            FROM household_checks c LEFT JOIN ck_relink r USING (record_key)
            WHERE coalesce(r.new_key, c.record_key) IN (SELECT new_key FROM ck_relink))
        QUALIFY row_number() OVER (PARTITION BY new_key ORDER BY batch_id DESC, source_line DESC) > 1""")
    lost = "table_name = 'household_checks' AND record_key IN (SELECT record_key FROM ck_lose)"
    nohk = _touch_issues(con, touched, lost, [])
    con.execute(f"DELETE FROM data_issues WHERE {lost}")  # noqa: S608 - constants only
    for table in ("household_checks", "ck_scope", "ck_relink"):
        con.execute(f"DELETE FROM {table} WHERE record_key IN (SELECT record_key FROM ck_lose)")  # noqa: S608
    con.execute("""UPDATE household_checks c SET hk = r.new_hk, household_key = r.household_key, record_key = r.new_key
                   FROM ck_relink r WHERE c.record_key = r.record_key""")
    # the check's other issues name the household it is linked to now, under its new key
    con.execute("""UPDATE data_issues d SET hk = r.new_hk, household_id = coalesce(h.household_id, r.household_id),
                   record_key = r.new_key
                   FROM ck_relink r LEFT JOIN households h ON h.hk = r.new_hk
                   WHERE d.table_name = 'household_checks' AND d.record_key = r.record_key""")
    con.execute("UPDATE ck_scope s SET record_key = r.new_key FROM ck_relink r WHERE s.record_key = r.record_key")
    con.execute("DROP TABLE ck_lose")
    return nohk


def _load_base(con: duckdb.DuckDBPyConnection, batch_id: int, name: str, checks: list[tuple[str, str]],
               touched: Touched) -> tuple[int, dict[str, object]]:
    # A negative count is `negative_amount` and staged as NULL (etl.stage, every count): never a village's
    # latest rural population.
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.pk AS
                    SELECT *, {_base_record_key('stg')} AS record_key, NULL::VARCHAR AS household_id
                    FROM stg WHERE rejected_rule IS NULL""")  # noqa: S608 - constants only
    n_rows = dedupe_later_wins(con, "pk")
    con.execute("DELETE FROM population_base WHERE (year, township, village) IN (SELECT (year, township, village) FROM pk)")
    con.execute("""INSERT INTO population_base BY NAME
                   SELECT year, township, village, rural_households, rural_population, ? AS batch_id, source_line
                   FROM pk""", [batch_id])
    issues_of = "table_name = 'population_base' AND record_key IN (SELECT record_key FROM pk)"
    nohk = _touch_issues(con, touched, issues_of, [])
    con.execute(f"DELETE FROM data_issues WHERE {issues_of}")  # noqa: S608 - constants only
    # the checks of the file's villages are judged again: those of a village that now has a usable figure
    # lose their "no population base" issue, those of one whose figure is now 0 or blank get it (as if the
    # checks had been loaded after this file)
    in_places = """SELECT c.record_key FROM household_checks c LEFT JOIN households h ON h.hk = c.hk
                   WHERE (coalesce(h.township, c.township), coalesce(h.village, c.village)) IN (
                       SELECT (township, village) FROM pk)"""
    no_base = f"table_name = 'household_checks' AND rule = 'check_no_population_base' AND record_key IN ({in_places})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE pk_no_base AS SELECT record_key FROM data_issues WHERE {no_base}")  # noqa: S608
    nohk |= _apply_registry_issues(con, touched, f"c.record_key IN ({in_places})", name)
    # counted for the summary: a checks file loaded just before in the same command listed them
    n_resolved = int(scalar(con, f"SELECT count(*) FROM pk_no_base WHERE record_key NOT IN ("  # noqa: S608
                                 f"SELECT record_key FROM data_issues WHERE {no_base})") or 0)
    con.execute("DROP TABLE pk_no_base")
    insert_issues(con, "population_base", issue_selects("pk", checks, "population_base", "record_key"), batch_id, name)
    nohk |= _touch_issues(con, touched, "batch_id = ?", [batch_id])
    nohk |= _apply_base_issues(con, touched, "SELECT township, village FROM pk", name)
    con.execute("DROP TABLE pk")
    return n_rows, {"tables": {"population_base"}, "base": {"data_issues"}, "nohk": nohk, "resolved": n_resolved}
