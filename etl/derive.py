"""Derived tables: built whole with a fresh load or `python -m etl rebuild`, updated for what a load
touched otherwise. One SQL per table serves both: it selects the rows of a `Scope`, which is either
everything or the owners a load touched (`etl.owners`: households, cells, villages, batches).

`build_all` (full) and `update` (incremental) are what the loader calls; the core builders live here,
the inspection pages' in `etl.derive_inspection`, the summary cells and stored lists in
`etl.derive_cells`, the visit ranking in `etl.visit_rank`, the archive checks in `etl.quality_checks`
and the lookup indexes in `etl.hh_lookup`. Everything is set-based SQL (aggregate once, then join; no
correlated subqueries, no per-row Python) so that it scales to millions of households.

Tables built here:
- `facts_meta(key, value)`: `as_of` = the data's as-of date (the latest event date in the data,
  never in the future); `built_at`; `hash_probe` (etl.hh_lookup).
- `poverty_lines(year, line)`: the line per year (rules.POVERTY_LINE, later years keep the last line).
- `hh_facts`: one row per household: its keys (`hk`, `area`, `cell`, `seq`: the place order township,
  village, household as an integer; a full build stores the table in that order), area, codes,
  years, members and their health/labour counts, whether an elderly person lives alone, income against the line of its income year
  (an exited household's exit year when blank: etl.sqlexpr.income_line_year_sql),
  两不愁三保障 flags, suspected wrong exit, interventions, the inspection pages' household facts
  (`etl.derive_inspection`) and `draw_hash` (the inspection sample's per-household hash). Ages are
  computed at the as-of date.
- Summary tables keyed by every `Filters` column (`FILTER_COLUMNS`: township, village, main_cause,
  household_attribute, exit_status, monitoring_type, identified_year, exit_year) and by `cell`, the
  number of that combination (`etl.keys`), so that a page applies `household_where(..., alias="c")`
  to a few hundred thousand cells instead of joining tens of millions of ledger rows. A household
  falls in exactly one cell, so household counts add up across cells:
  - `agg_household(cell, keys, households, registered, people (members of registered households),
    monitored, with_intervention, wrong_exits, members, below_line, unsafe_housing, unsafe_water,
    uninsured, uninsured_members, school_out, school_out_children, assurances_ok)`: household
    counts (and member sums) per cell, and the health page's sums (ill_cause_households,
    ill_member_households, ill_members, chronic_members, disabled_members, medical_insured,
    critical_insured, doctor_signed, chronic_doctor_signed);
  - `agg_category(keys, category, households)`: households with a measure of the category;
  - `agg_measure(keys, year, category, measures, measures_priced, amount_yuan, households)`: measures
    by year (`year`, else the start date's) and category (NULL -> 其他); `measures_priced` those with a
    金额, `amount_yuan` NULL when none has one;
  - `agg_project(keys, project, households, measures, measures_priced, amount_yuan)` and
    `agg_project_category(keys, project, category, measures)` (projects with a non-blank name);
  - `agg_member_value(keys, dimension, value, members)`: members by health condition
    (dimension 'health', one count per condition, 未填写 when none) and labour skill ('labor_skill').
- `hh_content` (etl.content_hash): per household, registry table and income year, a hash of its rows'
  content, which a registry file sent again is compared with.
- `list_project_household`: the assistance page's households of each project, stored by project and
  `seq` (a page reads one project's row groups).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb

from etl import (
    clock,
    content_hash,
    derive_cells,
    derive_inspection,
    hh_lookup,
    keys,
    quality_checks,
    sources,
    visit_rank,
)
from etl.codes import CODE_ORDER, NOT_FILLED
from etl.derived_table import as_of, keep_old, replace, replace_cells
from etl.duck import scalar
from etl.filter_spec import FILTERS
from etl.owners import PASS_SETS, Touched
from etl.raw_file import STAGE_SCHEMA
from etl.rules import (
    ELDERLY_ALONE_AGE,
    LAST_EXIT_YEAR,
    LAST_LINE_YEAR,
    MONITORING_FACTOR,
    NOT_IN_SCHOOL_PATTERN,
    POVERTY_LINE,
    SCHOOL_AGE,
)
from etl.schema import FILTER_COLUMNS, filter_select
from etl.scope import FULL, Scope
from etl.sqlexpr import age_sql, household_names_sql, ill_cause_sql, income_line_year_sql, redacted_text_sql

# NOT_IN_SCHOOL_PATTERN is a literal in the SQL: DuckDB compiles a parameter pattern once per row.



def _as_of_sql(outside: str | None) -> str:
    """facts_meta's rows (as_of, built_at). `outside`: a SELECT of the keys of no registry household
    (etl.keys.outside_keys), whose ledger rows do not date the data: no figure by place counts them, and
    one visit of a mistyped 户编号 dated 2020-11-01 moved a county's data from 2020-06-30, turning nine
    rectification items overdue and every household's visit check failed (a probe)."""
    placed = "" if outside is None else " AND (hk IS NULL OR hk NOT IN (SELECT hk FROM outside))"
    return f"""
WITH {"" if outside is None else f"outside AS MATERIALIZED ({outside}), "}dated AS (
    SELECT max(d) AS d FROM (
        SELECT max(visit_date) AS d FROM visits WHERE visit_date <= $today{placed}
        UNION ALL SELECT max(found_date) FROM rectifications WHERE found_date <= $today{placed}
        UNION ALL SELECT max(completed_date) FROM rectifications WHERE completed_date <= $today{placed}
        UNION ALL SELECT max(start_date) FROM interventions WHERE start_date <= $today{placed}
        UNION ALL SELECT max(admission_date) FROM medical_claims WHERE admission_date <= $today{placed}
        UNION ALL SELECT max(identified_date) FROM households WHERE identified_date <= $today)
), years AS (
    -- A registry alone dates itself by its years too: a 2019 year-end export whose last identification
    -- was in 2016 was dated 2016-11-27. A year's exits and incomes are settled at its end, so a year
    -- after every dated event means that year's end (or today, in a year not over); dated 1 January,
    -- the demo's 2019年底 registry was a baseline "since 2019-01-01" that already held 2019's exits. In
    -- the year of a dated event, that event dates the data (a June 2020 export lists 2020's exits).
    -- An exit year after LAST_EXIT_YEAR is a defect (exit_after_campaign), never a date of the data.
    SELECT max(y) AS y FROM (
        SELECT max(exit_year) AS y FROM households WHERE exit_year <= least(year($today), {LAST_EXIT_YEAR})
        UNION ALL SELECT max(income_year) FROM households WHERE income_year <= year($today))
)
SELECT 'as_of' AS key, CAST(least(coalesce(
    CASE WHEN dated.d IS NULL OR years.y > year(dated.d) THEN make_date(years.y, 12, 31) ELSE dated.d END,
    $today), $today) AS VARCHAR) AS value
FROM dated, years
UNION ALL SELECT 'built_at', CAST(current_timestamp AS VARCHAR)
"""  # noqa: S608 - our SQL


def build_facts_meta(con: duckdb.DuckDBPyConnection) -> None:
    """facts_meta again (as_of, built_at), keeping the lookup index's hash probe."""
    probe = con.execute("SELECT value FROM facts_meta WHERE key = 'hash_probe'").fetchall() \
        if as_of(con) is not None else []
    # before any registry, the ledgers' rows are all there is to date the data by
    outside = keys.outside_keys(con) if scalar(con, "SELECT count(*) FROM households") else None
    sql, params = (None, {}) if outside is None else outside
    con.execute(f"CREATE OR REPLACE TABLE facts_meta AS {_as_of_sql(sql)}", {"today": clock.today(), **params})
    if probe:
        con.execute("INSERT INTO facts_meta VALUES ('hash_probe', ?)", [probe[0][0]])


# hh_facts' columns before the inspection facts, in order, with their expressions over a registry row
# `h`, its income line `pl` and its measures `i`; `_MEMBERS`: a count of its members (`m`), which every
# pass computes. A patching pass (`Scope.patch`) takes all the others from the stored row as they are.
_MEMBERS = "m"
_BASE_COLUMNS: tuple[tuple[str, str], ...] = (
    *((c, f"h.{c}") for c in ("household_id", "township", "village", "head_name", "head_id_number", "phone",
                              "helper_name", "helper_unit", "household_attribute", "main_cause", "other_causes",
                              "exit_status", "enjoys_policy", "exit_year", "identified_date")),
    ("identified_year", "h.identified_year"),  # its date's year, or the year of a 识别时间 without a day
    *((c, f"h.{c}") for c in ("monitoring_type", "monitored", "risk_eliminated", "registered")),
    ("member_count", _MEMBERS), ("household_size_declared", "h.household_size_declared"),
    *((c, _MEMBERS) for c in ("alone_age_count", "ill_count", "serious_ill_count", "disabled_count",
                              "no_labor_count", "labor_count", "uninsured_count", "school_out_count",
                              "doctor_signed_count")),
    ("income_per_capita", "h.income_per_capita"), ("income_year", "h.income_year"),
    ("poverty_line", "pl.line"),
    ("unsafe_housing", "coalesce(h.unsafe_housing, FALSE)"),
    ("unsafe_water", "(h.safe_water = FALSE) IS TRUE"),
    # housing and water without an answer: counted as no problem found, and counted apart so that the
    # pages say how many (a probe: a registry without 住房安全 read 住房不安全 0 and every household 达标)
    ("housing_unrecorded", "h.unsafe_housing IS NULL"),
    ("water_unrecorded", "h.safe_water IS NULL"),
    ("intervention_count", "coalesce(i.intervention_count, 0)"),
    ("category_count", "coalesce(i.category_count, 0)"),
    # 0 without measures; NULL with measures none of which has a 金额 (no figure, not 0 元)
    ("amount_total", "CASE WHEN i.intervention_count IS NULL THEN 0 ELSE i.amount_total END"),
    ("categories", "coalesce(i.categories, [])"),
)
_KEY_COLUMNS = (("hk", "h.hk"), ("area", "h.area"), ("seq", "h.seq"))  # after the inspection facts


def _base_columns(columns: tuple[tuple[str, str], ...], patch: bool) -> str:
    return ", ".join(f"coalesce(m.{c}, 0) AS {c}" if expr == _MEMBERS else f"h.{c}" if patch else f"{expr} AS {c}"
                     for c, expr in columns)


def _base_from(scope: Scope) -> str:
    """The rows hh_facts' columns come from: a registry row with its measures and income line, or in a
    patching pass the stored row (kept before the pass, etl.derived_table.keep_old)."""
    if scope.patch:
        return f"""FROM {scope.old_src("hh_facts")} h
    JOIN {STAGE_SCHEMA}._insp_household x USING (hk)
    LEFT JOIN m USING (hk)"""  # noqa: S608 - our names
    return f"""FROM {scope.src("households")} h
    JOIN {STAGE_SCHEMA}._insp_household x USING (hk)
    LEFT JOIN m USING (hk)
    LEFT JOIN i USING (hk)
    LEFT JOIN poverty_lines pl ON pl.year = {income_line_year_sql("h")}"""  # noqa: S608 - our names


def _measures_cte(scope: Scope) -> str:
    """`i`: a household's measures (none in a patching pass, which keeps the stored counts)."""
    if scope.patch:
        return ""
    return f"""), i AS (
    -- a household's categories as bits of the sorted code list ($categories; the loader stores a
    -- category only as its canonical value): one fixed-size aggregate instead of lists per household
    SELECT hk, intervention_count, amount_total,
        coalesce(bit_count(mask), 0)::BIGINT AS category_count,
        CASE WHEN mask <> 0 THEN list_filter($categories, lambda c, k: (mask >> (k - 1)) & 1 = 1) END AS categories
    FROM (SELECT iv.hk, count(*) AS intervention_count, sum(iv.amount_yuan) AS amount_total,
              bit_or(1::BIGINT << (list_position($categories, iv.category) - 1)) AS mask
          FROM {scope.src("interventions")} iv WHERE {scope.hk("iv")} GROUP BY iv.hk)
"""  # noqa: S608 - constants and our own table names


def _hh_facts_sql(scope: Scope) -> str:
    return f"""
WITH ref AS (
    SELECT CAST(value AS DATE) AS as_of FROM facts_meta WHERE key = 'as_of'
), m AS (
    SELECT hk,
        count(*) AS member_count,
        count(*) FILTER (WHERE age >= $alone_age) AS alone_age_count,
        count(*) FILTER (WHERE list_has_any(health, ['长期慢性病', '患有大病'])) AS ill_count,
        count(*) FILTER (WHERE list_contains(health, '患有大病')) AS serious_ill_count,
        count(*) FILTER (WHERE list_contains(health, '残疾')) AS disabled_count,
        count(*) FILTER (WHERE labor_skill IN ('丧失劳动力', '无劳动力')) AS no_labor_count,
        count(*) FILTER (WHERE labor_skill IN ('普通劳动力', '技能劳动力')) AS labor_count,
        count(*) FILTER (WHERE medical_insurance = FALSE) AS uninsured_count,
        count(*) FILTER (WHERE age BETWEEN $school_lo AND $school_hi
                         AND regexp_matches(coalesce(school_status, ''), '{NOT_IN_SCHOOL_PATTERN}')) AS school_out_count,
        count(*) FILTER (WHERE family_doctor_signed = TRUE) AS doctor_signed_count
    FROM (
        SELECT mm.*, CASE WHEN birth_date <= a.as_of THEN {age_sql('birth_date', 'a.as_of')} END AS age
        FROM {scope.src("members")} mm CROSS JOIN ref a WHERE {scope.hk("mm")}
    )
    GROUP BY hk
{_measures_cte(scope)}), base AS (
    SELECT {_base_columns(_BASE_COLUMNS, scope.patch)},
        x.* EXCLUDE (hk),
        {_base_columns(_KEY_COLUMNS, scope.patch)}
    {_base_from(scope)}
    WHERE {scope.hk("h")}
)
SELECT * EXCLUDE (alone_age_count),
    member_count = 1 AND alone_age_count = 1 AS elderly_alone,
    ill_count > 0 AS has_ill,
    disabled_count > 0 AS has_disabled,
    labor_count = 0 AS no_labor,
    (income_per_capita < poverty_line) IS TRUE AS income_below_line,
    (income_per_capita < poverty_line * $factor) IS TRUE AS income_below_monitor,
    uninsured_count > 0 AS has_uninsured,
    school_out_count > 0 AS has_school_out,
    NOT (unsafe_housing OR unsafe_water OR uninsured_count > 0 OR school_out_count > 0) AS assurances_ok,
    exit_status = '已脱贫' AND (
        (income_per_capita < poverty_line) IS TRUE OR unsafe_housing OR unsafe_water
        OR uninsured_count > 0 OR school_out_count > 0
    ) AS suspected_wrong_exit,
    intervention_count > 0 AS has_intervention,
    -- the inspection sample's per-household hash (queries.visits.inspection_sample), stable across machines
    CAST(md5_number_upper(household_id) % 2147483647 AS BIGINT) AS draw_hash
FROM (SELECT b.*, ck.cell FROM base b {keys.cell_join("b")})
"""  # noqa: S608 - constants and our own table names


def _hh_facts_params(scope: Scope) -> dict[str, object]:
    params: dict[str, object] = {
        "alone_age": ELDERLY_ALONE_AGE,
        "school_lo": SCHOOL_AGE[0],
        "school_hi": SCHOOL_AGE[1],
        "factor": MONITORING_FACTOR,
    }
    if not scope.patch:  # the measures' categories (`i`)
        params["categories"] = sorted(CODE_ORDER["intervention_category"])  # as ORDER BY category sorts
    return params


# the filter spec's columns of a households row (constants, no user text)
_CELL_KEY_EXPRS = ", ".join(f"{d.source} AS {d.column}" if d.source else d.column for d in FILTERS)
_CELL_KEYS_OF_HOUSEHOLDS = "SELECT " + _CELL_KEY_EXPRS + " FROM {source} h WHERE {where}"  # noqa: S608

AGG_KEYS = FILTER_COLUMNS
_K = ", ".join(AGG_KEYS)
_FK = filter_select("f")
OTHER_CATEGORY = "其他"


def _keyed(body: str) -> str:
    """The rows of `body` (grouped by the integer `cell`) with the cell's filter keys attached."""
    return f"SELECT {filter_select('k')}, x.* FROM ({body}) x JOIN cell_keys k USING (cell)"  # noqa: S608


def _agg_household_sql(scope: Scope) -> str:
    return f"""
    SELECT cell, {_K}, count(*) AS households,
        count(*) FILTER (WHERE registered) AS registered,
        coalesce(sum(member_count) FILTER (WHERE registered), 0) AS people,
        count(*) FILTER (WHERE monitored) AS monitored,
        count(*) FILTER (WHERE has_intervention) AS with_intervention,
        count(*) FILTER (WHERE suspected_wrong_exit) AS wrong_exits,
        coalesce(sum(member_count), 0) AS members,
        count(*) FILTER (WHERE income_below_line) AS below_line,
        count(*) FILTER (WHERE unsafe_housing) AS unsafe_housing,
        count(*) FILTER (WHERE unsafe_water) AS unsafe_water,
        count(*) FILTER (WHERE housing_unrecorded) AS housing_unrecorded,
        count(*) FILTER (WHERE water_unrecorded) AS water_unrecorded,
        count(*) FILTER (WHERE has_uninsured) AS uninsured,
        coalesce(sum(uninsured_count), 0) AS uninsured_members,
        count(*) FILTER (WHERE has_school_out) AS school_out,
        coalesce(sum(school_out_count), 0) AS school_out_children,
        count(*) FILTER (WHERE assurances_ok) AS assurances_ok,
        -- the health page's sums
        count(*) FILTER (WHERE {ill_cause_sql("hh_facts")}) AS ill_cause_households,
        count(*) FILTER (WHERE has_ill) AS ill_member_households,
        coalesce(sum(ill_count), 0) AS ill_members,
        coalesce(sum(n_chronic), 0) AS chronic_members,
        coalesce(sum(disabled_count), 0) AS disabled_members,
        coalesce(sum(n_medical_insured), 0) AS medical_insured,
        coalesce(sum(n_critical_insured), 0) AS critical_insured,
        coalesce(sum(n_medical_recorded), 0) AS medical_recorded,
        coalesce(sum(n_critical_recorded), 0) AS critical_recorded,
        coalesce(sum(n_doctor_recorded), 0) AS doctor_recorded,
        coalesce(sum(doctor_signed_count), 0) AS doctor_signed,
        coalesce(sum(n_chronic_doctor), 0) AS chronic_doctor_signed
    FROM {scope.cell_src("hh_facts")} hh_facts WHERE {scope.cell("hh_facts")} GROUP BY ALL"""  # noqa: S608 - constants only


def _ledger_parts(con: duckdb.DuckDBPyConnection, scope: Scope) -> str:
    """The intermediate tables the ledger summaries read, for the scope (or one side of a delta pass):
    the households of its cells with their cell (ledgers are joined to them by integers), their
    interventions per household and (year, category), and per household and project. Returns their
    name suffix."""
    tag = f"{scope.suffix}_{scope.side}" if scope.side else scope.suffix
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}._cell{tag} AS
        SELECT hk, cell FROM {scope.cell_src("hh_facts")} f WHERE {scope.cell("f")}""")  # noqa: S608 - constants only
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}._iv{tag} AS
        SELECT c.cell, c.hk, coalesce(i.year, year(i.start_date)) AS year,
               coalesce(i.category, '{OTHER_CATEGORY}') AS category, count(*) AS n,
               count(i.amount_yuan) AS priced,
               sum(i.amount_yuan) AS amount  -- NULL: none of them has a 金额 (no figure, not 0 元)
        FROM {scope.cell_src("interventions")} i JOIN {STAGE_SCHEMA}._cell{tag} c USING (hk)
        GROUP BY ALL""")  # noqa: S608 - constants only
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}._ip{tag} AS
        SELECT c.cell, c.hk, i.project, i.category, count(*) AS n, count(i.amount_yuan) AS priced,
               sum(i.amount_yuan) AS amount
        FROM {scope.cell_src("interventions")} i JOIN {STAGE_SCHEMA}._cell{tag} c USING (hk)
        WHERE trim(i.project) <> ''
        GROUP BY ALL""")  # noqa: S608 - constants only
    return tag


def _aggregate_sql(scope: Scope, tag: str) -> dict[str, str]:
    """The summary tables of hh_facts and the ledgers: table -> SELECT of the scope's cells (the
    intermediate tables of `_ledger_parts(…) == tag` built first)."""
    return {
        "agg_household": _agg_household_sql(scope),
        "agg_category": _keyed(f"""
            SELECT cell, category, count(*) AS households
            FROM (SELECT cell, unnest(categories) AS category FROM {scope.cell_src("hh_facts")} f WHERE {scope.cell("f")})
            WHERE category IS NOT NULL GROUP BY ALL"""),  # noqa: S608 - constants only
        "agg_measure": _keyed(f"""
            SELECT cell, year, category, sum(n) AS measures, sum(priced) AS measures_priced, sum(amount) AS amount_yuan,
                   count(*) AS households
            FROM {STAGE_SCHEMA}._iv{tag} GROUP BY ALL"""),  # noqa: S608 - constants only
        "agg_project": _keyed(f"""
            SELECT cell, project, count(*) AS households, sum(n) AS measures, sum(priced) AS measures_priced,
                   sum(amount) AS amount_yuan
            FROM (SELECT cell, hk, project, sum(n) AS n, sum(priced) AS priced, sum(amount) AS amount
                  FROM {STAGE_SCHEMA}._ip{tag} GROUP BY ALL)
            GROUP BY ALL"""),  # noqa: S608 - constants only
        "agg_project_category": _keyed(f"""
            SELECT cell, project, category, sum(n) AS measures
            FROM {STAGE_SCHEMA}._ip{tag} WHERE category IS NOT NULL GROUP BY ALL"""),  # noqa: S608 - constants only
        "agg_member_value": _keyed(f"""
            WITH mk AS (SELECT c.cell, m.health, m.labor_skill
                        FROM {scope.cell_src("members")} m JOIN {STAGE_SCHEMA}._cell{tag} c USING (hk))
            SELECT cell, 'health' AS dimension, value, count(*) AS members
            FROM (SELECT cell, unnest(CASE WHEN len(coalesce(health, [])) = 0 THEN ['{NOT_FILLED}'] ELSE health END)
                         AS value FROM mk)
            GROUP BY ALL
            UNION ALL
            SELECT cell, 'labor_skill', coalesce(labor_skill, '{NOT_FILLED}'), count(*) FROM mk GROUP BY ALL"""),  # noqa: S608
    }


_LEDGER_PART_READERS = ("agg_measure", "agg_project", "agg_project_category", "agg_member_value")


def _aggregates(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched | None) -> None:
    """The summary tables keyed by the filter columns and `cell` (needs hh_facts): over the scope's
    cells, or in a delta pass over the touched households before and after the load."""
    sides = scope.sides()
    # the intermediate tables only for the ledger summaries the load changes (etl.owners.READS)
    ledgers = touched is None or any([touched.needs(t) for t in _LEDGER_PART_READERS])
    tags = {s.side: _ledger_parts(con, s) if ledgers else "" for s in sides}
    sqls = {s: _aggregate_sql(s, tags[s.side]) for s in sides}  # each side's SELECTs, written once
    for table in sqls[sides[0]]:
        replace_cells(con, scope, touched, table, lambda s, table=table: sqls[s][table], "cell")
    for tag in tags.values() if ledgers else ():
        for name in ("_cell", "_iv", "_ip"):
            con.execute(f"DROP TABLE {STAGE_SCHEMA}.{name}{tag}")


def _list_project_household_sql(scope: Scope) -> str:
    """The assistance page's households of one project: one row per (project, household, year), the
    household's filter columns and `seq` copied in, stored by project and seq (a page reads one
    project's row groups)."""
    return f"""
    WITH ph AS (
        -- a sorted distinct list, not string_agg(DISTINCT … ORDER BY …): DuckDB's ordered DISTINCT
        -- aggregate took 4x as long at 1M households
        SELECT project, hk,
            CASE WHEN count(content) > 0 THEN array_to_string(list_sort(list_distinct(list(content))), '、') END
                AS content,
            coalesce(year, year(start_date)) AS year, sum(amount_yuan) AS amount_yuan
        FROM {scope.src("interventions")} iv WHERE trim(project) <> '' AND {scope.hk("iv")}
        GROUP BY project, hk, coalesce(year, year(start_date))  -- one row per year: amounts are of their year
    ),
    -- the content as a viewer without personal-data rights reads it: its members' names, ID and phone
    -- numbers masked (it was shown in full beside the head's masked name)
    names AS ({household_names_sql(scope.src("members"), scope.src("households"), "SELECT DISTINCT hk FROM ph")})
    SELECT ph.project, {_FK}, f.household_id, f.head_name, f.head_id_number, f.income_per_capita,
        ph.content, {redacted_text_sql('ph.content', 'n.names')} AS content_masked,
        ph.year, ph.amount_yuan, f.seq, f.hk
    FROM ph JOIN {scope.src("hh_facts")} f USING (hk) LEFT JOIN names n USING (hk)"""  # noqa: S608 - constants only


def build_poverty_lines(con: duckdb.DuckDBPyConnection) -> None:
    rows = [(y, line) for y, line in sorted(POVERTY_LINE.items())]
    rows += [(y, POVERTY_LINE[LAST_LINE_YEAR]) for y in range(LAST_LINE_YEAR + 1, LAST_LINE_YEAR + 31)]
    con.execute("CREATE OR REPLACE TABLE poverty_lines (year INTEGER, line DOUBLE)")
    con.executemany("INSERT INTO poverty_lines VALUES (?, ?)", rows)


def build_hh_facts(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched | None) -> None:
    """hh_facts (with the inspection pages' household facts folded in, so no page joins a second
    household table) for the scope; the cells of its households are numbered first (a patching pass
    keeps its households' rows before it instead: their cells do not change)."""
    if scope.patch:
        assert touched is not None
        keep_old(con, scope, touched, "hh_facts")
    else:
        keys.assign_cells(con, _CELL_KEYS_OF_HOUSEHOLDS.format(source=scope.src("households"), where=scope.hk("h")))
    derive_inspection.build_household_facts(con, scope)
    replace(con, scope, touched, "hh_facts", _hh_facts_sql(scope), "seq", _hh_facts_params(scope),
            old_kept=scope.patch)
    con.execute(f"DROP TABLE {STAGE_SCHEMA}._insp_household")


def _build_tables(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched | None) -> None:
    """Every derived table after facts_meta, for the scope."""
    build_hh_facts(con, scope, touched)
    if touched is not None:  # the cells (new ones too) of the touched households, after the load
        touched.add("cell", f"SELECT cell FROM {scope.src('hh_facts')}")  # noqa: S608 - ours
        _touch_samples(con, touched)
        touched.dedupe()
        if not scope.delta:  # a delta pass reads the touched households alone
            sources.build_cell_sources(con, scope)
        hh_lookup.build(con, scope, ("hh_facts",))
    replace(con, scope, touched, "hh_content", content_hash.hh_content_sql(con, scope), "hk")
    _aggregates(con, scope, touched)
    replace(con, scope, touched, "list_project_household", _list_project_household_sql(scope),
            "project, seq, year")
    derive_inspection.build(con, scope, touched)
    derive_cells.build(con, scope, touched)
    if touched is None:
        hh_lookup.build(con, scope)


def _touch_samples(con: duckdb.DuckDBPyConnection, touched: Touched) -> None:
    """The villages whose stored inspection sample (list_sample_draw) a load changes: where a touched
    household joined or left a group (village, registered or not), and where one is in the stored
    sample (its columns change). Any other household's place in its group's draw is its own: a draw
    key depends on the household number alone, and only a registry file changes a household's group or
    the columns the sample shows."""
    if "households" not in touched.base and "households" not in touched.all_tables:
        return
    touched.add("area", f"""
        SELECT unnest([o.area, n.area]) FROM {STAGE_SCHEMA}._groups_before o
        FULL JOIN (SELECT hk, area, registered FROM {STAGE_SCHEMA}._src_hh_facts) n USING (hk)
        WHERE o.area IS DISTINCT FROM n.area OR o.registered IS DISTINCT FROM n.registered""")  # noqa: S608
    touched.add("area", "SELECT area FROM list_sample_draw WHERE hk IN (SELECT hk FROM t_hk)")


def _age_pass(con: duckdb.DuckDBPyConnection, touched: Touched, delta: bool, shared: tuple[str, ...],
              patch: bool) -> None:
    """The households touched only because a member's age crossed a threshold (`t_hk_aged`): rewritten
    in the tables that hold age facts (etl.owners.AGED_TABLES) and nowhere else."""
    aged = Scope(False, suffix="_aged", delta=delta, patch=patch)
    touched.add("cell", "SELECT cell FROM hh_facts WHERE hk IN (SELECT hk FROM t_hk_aged)", suffix="_aged")
    touched.dedupe()
    sources.build_hk_sources(con, aged, touched, shared=shared)
    build_hh_facts(con, aged, touched)
    if not delta:
        sources.build_cell_sources(con, aged, ("hh_facts",))
    hh_lookup.build(con, aged, ("hh_facts",))
    replace_cells(con, aged, touched, "agg_household", _agg_household_sql, "cell")
    visit_rank.build(con, aged, touched)


def build_all(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build every derived table from the base tables of the snapshot, keeping the assigned keys
    (etl.keys). Intermediate tables go to the staging schema (compressed, unlike TEMP), which is
    dropped at the end with whatever else is in it."""
    from etl.stage import drop_stage_schema, use_stage_schema

    use_stage_schema(con)
    keys.fill_missing(con)
    build_facts_meta(con)
    build_poverty_lines(con)
    _build_tables(con, FULL, None)
    _sorted(con)
    drop_stage_schema(con)


def _sorted(con: duckdb.DuckDBPyConnection) -> None:
    """After a full build every table is in its stored order."""
    con.execute("DELETE FROM meta WHERE key LIKE 'unsorted:%'")


def update(con: duckdb.DuckDBPyConnection, touched: Touched, most: int | None = None,
           before_load: Path | None = None) -> bool:
    """Bring every derived table up to date for what the load touched (`touched.add` by the loader):
    the touched households' rows, the cells they were or are in, the villages whose inspection sample
    changes, the new batches; and, when the as-of date moved, the households whose members crossed an
    age threshold (etl.dated), in the tables of age facts only. Returns False, having changed no derived
    table but facts_meta, when more than `most` households are touched: the caller rebuilds whole.

    The summary cells change by difference (`replace_cells`) when `before_load` is given: the published
    snapshot this load started from, where the ledgers the loader rewrote still hold the touched
    households' rows before the load. Without it, every household of a touched cell is read."""
    from etl import dated

    before = as_of(con)
    touched.dedupe()
    # the cells and sample groups the touched households were in before the load
    touched.add("cell", "SELECT cell FROM hh_facts WHERE hk IN (SELECT hk FROM t_hk)")
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}._groups_before AS
                    SELECT hk, area, registered FROM hh_facts WHERE hk IN (SELECT hk FROM t_hk)""")  # noqa: S608
    if touched.wrote("households") or touched.wrote("members"):
        derive_inspection.touch_named_items(con, touched)
    build_facts_meta(con)
    touched.table("facts_meta")
    after = as_of(con)
    if before is not None and after is not None and before != after:
        dated.touch(con, touched, before, after)
    touched.dedupe()
    if most is not None and sum(touched.count(k, s) for k, s in PASS_SETS if k == "hk") > most:
        return False
    # a visits file patches hh_facts and the ill-member list from their stored rows (Scope.patch), which
    # the delta pass keeps: its copies of the touched households' rows leave out what it does not read
    patch = before_load is not None and touched.patches()
    scope = Scope(False, touched.nohk, patch=patch)
    hh_lookup.build(con, scope, hh_lookup.touched_tables(touched, base_only=True))  # the loader's writes
    shared = sources.build_shared_sources(con, touched, patch) if touched.count("hk", "_aged") else ()
    sources.build_hk_sources(con, scope, touched, shared=shared)
    delta = before_load is not None and sources.build_old_ledgers(con, scope, touched, before_load)
    if patch and not delta:  # the snapshot it started from could not be read: copy what a full pass reads
        patch, shared = False, ()
        scope = dataclasses.replace(scope, patch=False)
        sources.build_hk_sources(con, scope, touched)
    scope = dataclasses.replace(scope, delta=delta)
    touched.by_difference = delta
    _build_tables(con, scope, touched)
    if touched.count("hk", "_aged"):
        _age_pass(con, touched, delta, shared, patch)
    if touched.count("hk", "_school"):  # after the passes that write hh_facts, which it reads
        quality_checks.build_school_check(con)
    return True
