"""The archive completeness checks (档案规范性) as SQL over `hh_facts`, and their answers at the data's
as-of date stored with every snapshot.

Completeness score of an area = passed checks / required checks over its households, where the
required checks are (shown on the page, labels `quality.check.<code>`):
- id: every member has a valid ID number (one check per member);
- health, labour: every member has a health and a labour status (one each per member);
- school: every member aged 6-15 at the as-of date has a school status (one per such child);
- housing, water: the housing and drinking-water fields are filled (one each per household);
- doctor: every chronic patient has signed a family doctor (one per chronic patient);
- income: an income figure for the as-of year or the year before (one per household);
- visit: a visit of any type within 30 days before the as-of date (one per household; not required
  while no visits ledger holds a row: `applicable_checks`).

Only school, income and visit depend on the as-of date (`DATED_CHECKS`); the other checks and the
household count are fixed facts of the archive.

Stored tables:
- `agg_quality`: per cell of the filter columns, its `area` (a number per township and village),
  households and the fixed checks' required / passed sums (they hold at any as-of date);
- `agg_quality_dated`: what the dated checks need for any as-of date, per cell of the filter columns
  (and `area`), `kind` (`DATED_KIND`) and date `d`: households by latest income year (`d` = its 1 January) and by
  last visit date, members of `insp_school_age` by birth date (`n`; `n_ok`: with a school status),
  in kind, township and date order so that a date window and a township read few row groups;
- `list_defect`: the defect list (data issues, then failed checks, per household) at the data's
  as-of date, raw values unmasked (the query layer masks them), without the visit and income checks
  (`QUERY_TIME_CHECKS`), which the page adds from hh_facts at its as-of date (`dated_defects_sql`);
- `list_rejected`: the rejected rows with their batch's kind and load time, newest batch first, and
  `raw_masked` (`rejected_masked_sql`): the raw JSON with ID numbers, mobile numbers and the name
  fields masked, for viewers without personal data. It depends on the row only, so it is computed
  once here rather than on every page view.
Completeness at any as-of date = the fixed sums of `agg_quality` + `dated_check_sql` over
`agg_quality_dated` (equal to `household_checks_cte` grouped, tests/test_completeness_paths.py), so no
stored sum changes when the as-of date moves; at another as-of date than the data's, the defect list
computes `household_checks_cte` at query time.
"""

from __future__ import annotations

import duckdb

from etl.derived_table import as_of, replace, replace_cells
from etl.owners import SCHOOL_CHECK_TABLE, Touched, school_check_rows
from etl.raw_file import STAGE_SCHEMA
from etl.rules import SCHOOL_AGE, VISIT_WITHIN_DAYS
from etl.schema import FILTER_COLUMNS, filter_select
from etl.scope import Scope
from etl.sqlexpr import masked_name_sql, masked_numbers_sql

CHECKS = ("id", "health", "labour", "school", "housing", "water", "doctor", "income", "visit")
DATED_CHECKS = ("school", "income", "visit")  # the only checks whose answer depends on the as-of date
FIXED_CHECKS = tuple(c for c in CHECKS if c not in DATED_CHECKS)
DATED_KIND = {"income": 0, "visit": 1, "school": 2}  # agg_quality_dated.kind
# A check whose answer comes from a ledger rather than the registry: before any file has brought a row
# of it, the check cannot be judged and is not required. "30天内走访" with no visits ledger failed for
# every household: a registry alone scored 46.9%, its defect list put the same failure on every
# household, and the gap was in what was loaded, not in the archive (etl.history.ledgers_with_rows).
CHECK_LEDGER = {"visit": "visits"}


# The checks judged with and without a visits ledger (indexed by a bool, so that a page's flag selects
# constant SQL: tests/test_sql_injection.py)
CHECKS_BY_VISITS = {True: CHECKS, False: tuple(c for c in CHECKS if c not in CHECK_LEDGER)}


def applicable_checks(loaded: frozenset[str]) -> tuple[str, ...]:
    """The checks that can be judged with the ledgers `loaded` (those holding a row), in CHECKS order."""
    return CHECKS_BY_VISITS[CHECK_LEDGER["visit"] in loaded]

# The first day of the visit check's window: a visit within VISIT_WITHIN_DAYS days before the as-of date,
# day 30 included, as the visit planner's "no visit in 30 days" (more than 30 days ago) and the health
# page's "a follow-up within 90 days" count them. It began the day after: a household visited exactly 30
# days ago failed "30天内走访" here while the planner counted it as visited within 30 days.
_VISIT_FROM = f"CAST($as_of AS DATE) - INTERVAL {VISIT_WITHIN_DAYS} DAY"

_CHECK_SQL: dict[str, tuple[str, str]] = {  # code -> (required, passed), over hh_facts f and the school CTE s
    "id": ("f.n_members", "f.n_id_valid"),
    "health": ("f.n_members", "f.n_health_set"),
    "labour": ("f.n_members", "f.n_labor_set"),
    "school": ("coalesce(s.children, 0)", "coalesce(s.children_ok, 0)"),
    "housing": ("1", "CASE WHEN f.housing_set THEN 1 ELSE 0 END"),
    "water": ("1", "CASE WHEN f.water_set THEN 1 ELSE 0 END"),
    "doctor": ("f.n_chronic", "f.n_chronic_doctor"),
    "income": ("1", "CASE WHEN f.latest_income_year >= year(CAST($as_of AS DATE)) - 1 THEN 1 ELSE 0 END"),
    "visit": ("1", f"CASE WHEN f.last_visit_date >= {_VISIT_FROM} THEN 1 ELSE 0 END"),
}


def dated_check_sql(check: str, d: str = "c.d") -> str:
    """Which `agg_quality_dated` rows of `check`'s kind pass at $as_of (school: are required), as a
    predicate on the date column `d` that folds to a constant range, so the scan skips row groups.

    school: `age(as_of, b)` counts full years as (year, month, day) of b shifted by k years <= as_of,
    so age >= 6 <=> b <= as_of - 6 years and age <= 15 <=> b > as_of - 16 years (DuckDB clamps 29
    February to the 28th, which keeps both exact); the tests check this day by day."""
    ref = "CAST($as_of AS DATE)"
    if check == "school":
        return (f"{d} > {ref} - INTERVAL {SCHOOL_AGE[1] + 1} YEAR "
                f"AND {d} <= {ref} - INTERVAL {SCHOOL_AGE[0]} YEAR")
    if check == "income":  # d is 1 January of the latest income year
        return f"{d} >= make_date(year({ref}) - 1, 1, 1)"
    if check == "visit":
        return f"{d} >= {_VISIT_FROM}"
    raise ValueError(check)


def household_checks_cte(where: str, facts: str = "hh_facts", school: str = "insp_school_age") -> str:
    """CTEs `s` (school-age children at $as_of) and `hc`: one row per hh_facts row `f` passing `where`,
    with its filter columns, keys (`seq`, `hk`, `area`, `cell`) and `req_<check>` / `ok_<check>`."""
    cols = ",\n            ".join(f"{req} AS req_{c}, {ok} AS ok_{c}" for c, (req, ok) in _CHECK_SQL.items())
    # aged 6-15 at $as_of as a range of birth dates (exact, see dated_check_sql): no age per member;
    # only the children of the households passing `where` (all of them when it is TRUE)
    mine = "" if where == "TRUE" else f" AND sa.hk IN (SELECT f.hk FROM {facts} f WHERE {where})"  # noqa: S608 - ours
    return f"""
        s AS (
            SELECT hk, count(*) AS children, count(*) FILTER (WHERE has_school_status) AS children_ok
            FROM {school} sa
            WHERE {dated_check_sql("school", "sa.birth_date")}{mine}
            GROUP BY hk
        ),
        hc AS (
            SELECT f.household_id, {filter_select('f')}, f.seq, f.hk, f.area, f.cell,
            {cols}
            FROM {facts} f
            LEFT JOIN s USING (hk)
            WHERE {where}
        )"""  # noqa: S608


def defects_sql(where: str, raw_value: str, checks_from: str = "hc", checks_included: tuple[str, ...] = CHECKS,
                facts: str = "hh_facts", issues: str = "data_issues") -> str:
    """Data issues (src 0) and failed checks (src 1) of the households passing `where` (over hh_facts
    `f`), after `WITH {household_checks_cte(where)}` (or with the checks in table `checks_from`, which
    may hold more households: only those passing `where` are taken). `raw_value`: the issue's raw value
    expression over `d` (masked or not)."""
    fk = ", ".join(FILTER_COLUMNS)
    checks = " UNION ALL ".join(_check_rows(c, fk, checks_from, where) for c in checks_included)
    return f"""
        SELECT {filter_select('f')}, d.household_id, 'issue' AS defect_source, d.rule, d.field,
            {raw_value} AS raw_value, d.file_name, d.line, 0 AS src, d.line AS line_order, f.seq, f.hk
        FROM {issues} d JOIN {facts} f USING (hk)
        WHERE {where}
        UNION ALL {checks}"""  # noqa: S608


def _check_rows(check: str, fk: str, src: str, where: str) -> str:
    return (f"SELECT {fk}, household_id, 'check' AS defect_source, '{check}' AS rule, NULL AS field, "  # noqa: S608
            f"CAST(ok_{check} AS VARCHAR) || '/' || CAST(req_{check} AS VARCHAR) AS raw_value, NULL AS file_name, "
            f"NULL AS line, 1 AS src, NULL AS line_order, seq, hk FROM {src} f WHERE ok_{check} < req_{check} AND {where}")


DEFECT_ORDER = "seq, src, rule, line_order, field"  # seq = township, village, household


# The visit and income checks fail for many households at once when the as-of date moves, so the stored
# defect list leaves them out and the page adds them from hh_facts at its as-of date (`dated_defects_sql`:
# two plain predicates on stored dates, no join). The other checks are stored at the data's as-of date;
# of those only the school check depends on it, through ages (etl.dated).
QUERY_TIME_CHECKS = ("visit", "income")
_FAILS = {
    "visit": f"NOT coalesce(f.last_visit_date >= {_VISIT_FROM}, false)",
    "income": "NOT coalesce(f.latest_income_year >= year(CAST($as_of AS DATE)) - 1, false)",
}


def stored_defects_sql(scope: Scope) -> str:
    """`list_defect`'s rows for the households of the scope, from the staging table `hc` (checks at
    the data's as-of date)."""
    return defects_sql(scope.hk("f"), "d.raw_value", "hc", tuple(c for c in CHECKS if c not in QUERY_TIME_CHECKS),
                       scope.src("hh_facts"), scope.src("data_issues"))


def dated_defects_sql(where: str, checks: tuple[str, ...] = CHECKS) -> list[str]:
    """The visit and income checks' failures at $as_of of the hh_facts rows `f` passing `where`, one
    SELECT per check of `checks` (the applicable ones), shaped like `list_defect` (the page unites them
    with it; `_CHECK_SQL` is the rule, this its failing side)."""
    fk = filter_select("f")
    return [f"SELECT {fk}, f.household_id, 'check' AS defect_source, '{c}' AS rule, NULL AS field, '0/1' AS raw_value, "  # noqa: S608
            f"NULL AS file_name, NULL AS line, 1 AS src, NULL AS line_order, f.seq, f.hk "
            f"FROM hh_facts f WHERE {_FAILS[c]} AND {where}" for c in QUERY_TIME_CHECKS if c in checks]


# `area` (etl.keys: one number per township and village) is in agg_quality and agg_quality_dated so
# that the village level groups millions of dated rows on one integer (more than twice as fast as on
# two strings) and takes the names from agg_quality's few rows.


def _dated_sql(kind: str, scope: Scope) -> str:
    """The rows of `agg_quality_dated` of one kind for the scope. Only income years are grouped (few per
    cell; owned by the cell); visit and birth dates are nearly one per household or member in a cell,
    so they stay a row each (n = 1, owned by the household): grouping them would need memory for no
    gain."""
    keys = filter_select("f") + ", f.area"
    if kind == "income":
        return f"""SELECT {DATED_KIND["income"]} AS kind, {keys}, make_date(f.latest_income_year, 1, 1) AS d,
                count(*) AS n, CAST(0 AS BIGINT) AS n_ok, f.cell, CAST(NULL AS INTEGER) AS hk
            FROM {scope.cell_src("hh_facts")} f WHERE f.latest_income_year IS NOT NULL AND {scope.cell("f")}
            GROUP BY ALL"""  # noqa: S608 - constants only
    if kind == "visit":
        return f"""SELECT {DATED_KIND["visit"]} AS kind, {keys}, f.last_visit_date AS d, CAST(1 AS BIGINT) AS n,
                CAST(0 AS BIGINT) AS n_ok, f.cell, f.hk
            FROM {scope.src("hh_facts")} f WHERE f.last_visit_date IS NOT NULL AND {scope.hk("f")}"""  # noqa: S608 - constants only
    return f"""SELECT {DATED_KIND["school"]} AS kind, {keys}, s.birth_date AS d, CAST(1 AS BIGINT) AS n,
            CAST(s.has_school_status AS BIGINT) AS n_ok, f.cell, f.hk
        FROM {scope.src("insp_school_age")} s JOIN {scope.src("hh_facts")} f USING (hk) WHERE {scope.hk("s")}"""  # noqa: S608 - constants only


def build_defects(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched | None) -> None:
    """`list_defect` for the households of the scope (when only ages moved the school check:
    `build_school_check`). The per-household checks go to a staging table named like the CTE: read ten
    times, a CTE would be materialised in memory. No ORDER BY (a sort of every defect needs more memory
    than a load may use): hc and hh_facts are in seq order and each part of the union keeps it, so every
    row group holds a narrow seq range and a page's `ORDER BY seq, ... LIMIT n` still skips all but a
    few row groups."""
    checks = f"WITH {household_checks_cte(scope.hk('f'), scope.src('hh_facts'), scope.src('insp_school_age'))} SELECT * FROM hc"  # noqa: S608
    con.execute(f"CREATE OR REPLACE TABLE {STAGE_SCHEMA}.hc AS {checks}", {"as_of": as_of(con)})
    replace(con, scope, touched, "list_defect", stored_defects_sql(scope))
    con.execute("DROP TABLE hc")


def build_school_check(con: duckdb.DuckDBPyConnection) -> None:
    """The school check's rows of `list_defect` (etl.owners.school_check_rows) again for the households
    of `t_hk_school`: those whose children's ages alone moved it when the as-of date moved (etl.dated),
    ~10k a week at 10M households. Their other rows, and every other table of theirs, stay as they are."""
    school = Scope(False, suffix="_school")
    where = school.hk("f")
    copy = school.src(SCHOOL_CHECK_TABLE)  # the rows written, for the changeset
    fk = ", ".join(FILTER_COLUMNS)
    con.execute(f"CREATE OR REPLACE TABLE {copy} AS "  # noqa: S608 - ours
                f"WITH {household_checks_cte(where)} {_check_rows('school', fk, 'hc', where)}", {"as_of": as_of(con)})
    con.execute(f"DELETE FROM {SCHOOL_CHECK_TABLE} WHERE {school_check_rows()}")  # noqa: S608 - ours
    con.execute(f"INSERT INTO {SCHOOL_CHECK_TABLE} BY NAME SELECT * FROM {copy}")  # noqa: S608 - ours


def build(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched | None) -> None:
    """`agg_quality`, `agg_quality_dated`, `list_defect` and `list_rejected` for the scope (needs
    hh_facts, insp_school_age, rejected_rows, load_batches)."""
    # the fixed checks only (straight from hh_facts' counts: none needs the as-of date); the dated ones
    # are summed from agg_quality_dated at the page's as-of date
    sums = ", ".join(f"CAST(sum({req}) AS BIGINT) AS req_{c}, CAST(sum({ok}) AS BIGINT) AS ok_{c}"
                     for c, (req, ok) in _CHECK_SQL.items() if c in FIXED_CHECKS)
    replace_cells(con, scope, touched, "agg_quality", lambda s: f"""
        SELECT {filter_select('f')}, f.area, f.cell, count(*) AS households, {sums}
        FROM {s.cell_src("hh_facts")} f WHERE {s.cell("f")} GROUP BY ALL""",  # noqa: S608
                  ", ".join((*FILTER_COLUMNS, "area")))
    build_defects(con, scope, touched)
    # one kind after another (each sorted on its own: a smaller sort), in kind, township and date order
    replace_cells(con, scope, touched, "agg_quality_dated", lambda s: _dated_sql("income", s), "township, d",
                  [_dated_sql(k, scope) for k in ("visit", "school")])
    build_rejected(con, scope, touched)


# --- rejected rows --------------------------------------------------------------------------------


def _lower_hex_escapes(doc: str) -> str:
    """yyjson writes \\u001F where Python writes \\u001f (the control characters with a letter in
    their code). Escaped backslashes are first set aside (left to right `\\\\` pairs are exactly the
    JSON escapes of a backslash; NUL never occurs raw in JSON text), so that only real escapes change."""
    out = f"replace({doc}, '\\\\', chr(0))"
    for code in ("0B", "0E", "0F", "1A", "1B", "1C", "1D", "1E", "1F"):
        out = f"replace({out}, '\\u00{code}', '\\u00{code.lower()}')"
    return f"CASE WHEN contains({doc}, '\\u00') THEN replace({out}, chr(0), '\\\\') ELSE {doc} END"


def rejected_masked_sql(source: str) -> str:
    """SELECT over `source` (rows with a `raw` column) adding `raw_masked`: ID and mobile numbers
    masked anywhere in the text, then, for a JSON object, the string values of `name` and `head_name`
    masked (`masked_name_sql`), inside every other value too (a whole row's `row` text, a check's notes),
    `household_id` as it was, and the object
    written compact, exactly as Python's
    `json.dumps(..., ensure_ascii=False, separators=(",", ":"))` writes it (JSON neither the loader
    nor Python writes, such as trailing commas, may differ); any other text as it was.

    One step per subquery, each JSON parsed once: the object minified (j); the name fields' values
    (nm: a JSON string decoded, anything else as JSON text); `"name":<value as yyjson writes it>`
    replaced by the masked value. Only a string value is written so (`to_json` escapes as `json` did);
    without one the pattern is NUL, which JSON text never holds raw, so nothing changes."""
    ids = masked_numbers_sql("raw")
    replaced = "j"
    for i, key in enumerate(("name", "head_name"), start=1):
        replaced = (f"replace({replaced}, coalesce('\"{key}\":' || to_json(nm[{i}]), chr(0)), "
                    f"coalesce('\"{key}\":' || to_json({masked_name_sql(f'nm[{i}]')}), ''))")
    # a 户编号 is no personal number, though 16 digits read as a bank card's: written back as it was (the
    # guide has the rejected rows downloaded, completed and loaded again)
    replaced = (f"replace({replaced}, coalesce('\"household_id\":' || to_json(nm[3]), chr(0)), "
                "coalesce('\"household_id\":' || to_json(coalesce(try(json_extract_string(raw, '$.household_id')), "
                "nm[3])), ''))")
    # a row kept whole (malformed, undecodable: {"row": text, "name": …}) has its names inside its text
    # too, and a row of fields may write its name into another field (a household check's 备注
    # "慕容复本人称…" beside its masked 户主姓名 慕*复: a privacy probe): each replaced anywhere in the
    # object's text as well, when it is written in the JSON as it reads (nothing escaped)
    whole = "j2"
    for i in (1, 2):
        plain = f"length(nm[{i}]) >= 2 AND to_json(nm[{i}])::VARCHAR = '\"' || nm[{i}] || '\"'"
        whole = (f"replace({whole}, CASE WHEN {plain} THEN nm[{i}] ELSE chr(0) END, "
                 f"coalesce({masked_name_sql(f'nm[{i}]')}, ''))")
    rows = f"SELECT *, {ids} AS m FROM ({source})"  # noqa: S608 - constants only
    for step in (
        "CASE WHEN ltrim(m, ' ' || chr(9) || chr(10) || chr(13)) LIKE '{%' "
        "THEN try(CAST(json(m) AS VARCHAR)) END AS j",
        "json_extract_string(j, ['$.name', '$.head_name', '$.household_id']) AS nm",
        f"{replaced} AS j2",
        f"{whole} AS j3",
    ):
        rows = f"SELECT *, {step} FROM ({rows})"  # noqa: S608 - constants only
    return f"""SELECT * EXCLUDE (m, j, nm, j2, j3), CASE WHEN j IS NULL THEN m ELSE {_lower_hex_escapes('j3')} END
               AS raw_masked FROM ({rows})"""  # noqa: S608 - constants only


def build_rejected(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched | None) -> None:
    """`list_rejected` for the batches of the scope (needs rejected_rows, load_batches)."""
    rows = f"""SELECT r.batch_id, r.file_name, r.line, r.rule, r.field, r.raw, b.kind, b.loaded_at
              FROM rejected_rows r LEFT JOIN load_batches b USING (batch_id) WHERE {scope.batch("r")}"""  # noqa: S608
    replace(con, scope, touched, "list_rejected", f"SELECT * FROM ({rejected_masked_sql(rows)})",  # noqa: S608
            "batch_id DESC, line")
