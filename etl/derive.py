"""Derived tables, rebuilt inside every new snapshot before it is published, so they are never stale.

`build_all` is what the loader calls; the core builders live here, the inspection pages' builders in
`etl.derive_inspection`. Everything is set-based SQL (aggregate once, then join; no correlated
subqueries, no per-row Python) so that it scales to millions of households.

Tables built here:
- `facts_meta(key, value)`: `as_of` = the data's as-of date (the latest event date in the data,
  never in the future); `built_at`.
- `poverty_lines(year, line)`: the line per year (codes.POVERTY_LINE, later years keep the last line).
- `hh_facts`: one row per household: area, codes, years, members and their health/labour/age counts,
  income against the line of its income year, 两不愁三保障 flags, suspected wrong exit, interventions,
  the inspection pages' household facts (`etl.derive_inspection`), `seq` (the place order township,
  village, household as an integer; the table is stored in that order) and `draw_hash` (the
  inspection sample's per-household hash). Ages are computed at the as-of date.
- Summary tables keyed by every `Filters` column (`AGG_KEYS`: township, village, main_cause,
  household_attribute, exit_status, monitoring_type, identified_year, exit_year), so that a page
  applies `household_where(..., alias="c")` to a few hundred thousand cells instead of joining tens of
  millions of ledger rows. A household falls in exactly one cell, so household counts add up across
  cells:
  - `agg_household(cell, keys, households, registered, people (members of registered households),
    monitored, with_intervention, wrong_exits, members, below_line, unsafe_housing, unsafe_water,
    uninsured, uninsured_members, school_out, school_out_children, assurances_ok)`: household
    counts (and member sums) per cell, and the health page's sums (ill_cause_households,
    ill_member_households, ill_members, chronic_members, disabled_members, medical_insured,
    critical_insured, doctor_signed, chronic_doctor_signed); `cell` is the cell's integer id;
  - `agg_category(keys, category, households)`: households with a measure of the category;
  - `agg_measure(keys, year, category, measures, amount_yuan, households)`: measures by year
    (`year`, else the start date's) and category (NULL -> 其他);
  - `agg_project(keys, project, households, measures, amount_yuan)` and
    `agg_project_category(keys, project, category, measures)` (projects with a non-blank name);
  - `agg_member_value(keys, dimension, value, members)`: members by health condition
    (dimension 'health', one count per condition, 未填写 when none) and labour skill ('labor_skill').
- `list_project_household`: the assistance page's households of each project, stored by project and
  `seq` (a page reads one project's row groups).
"""

from __future__ import annotations

import duckdb

from etl import derive_cells, derive_inspection, hh_lookup
from etl.codes import CODE_ORDER, ELDERLY_AGE, ELDERLY_ALONE_AGE, MONITORING_FACTOR, POVERTY_LINE
from etl.schema import FILTER_COLUMNS, filter_select
from etl.sqlexpr import ill_cause_sql
from etl.stage import STAGE_SCHEMA, drop_stage_schema, use_stage_schema

SCHOOL_AGE = (6, 15)
# school_status spellings that mean a school-age child is not in school
NOT_IN_SCHOOL_PATTERN = "辍学|失学|非在校|不在校|未入学|未上学|未就学|休学"

_AS_OF_SQL = """
CREATE OR REPLACE TABLE facts_meta AS
WITH seen AS (
    SELECT max(d) AS d FROM (
        SELECT max(visit_date) AS d FROM visits WHERE visit_date <= current_date
        UNION ALL SELECT max(found_date) FROM rectifications WHERE found_date <= current_date
        UNION ALL SELECT max(completed_date) FROM rectifications WHERE completed_date <= current_date
        UNION ALL SELECT max(start_date) FROM interventions WHERE start_date <= current_date
        UNION ALL SELECT max(admission_date) FROM medical_claims WHERE admission_date <= current_date
        UNION ALL SELECT max(identified_date) FROM households WHERE identified_date <= current_date
    )
)
SELECT 'as_of' AS key, CAST(coalesce((SELECT d FROM seen), current_date) AS VARCHAR) AS value
UNION ALL SELECT 'built_at', CAST(current_timestamp AS VARCHAR)
"""

_HH_FACTS_SQL = """
CREATE OR REPLACE TABLE hh_facts AS
WITH ref AS (
    SELECT CAST(value AS DATE) AS as_of FROM facts_meta WHERE key = 'as_of'
), m AS (
    SELECT household_id,
        count(*) AS member_count,
        count(*) FILTER (WHERE age >= $elderly) AS elderly_count,
        max(age) AS oldest_age,
        count(*) FILTER (WHERE list_has_any(health, ['长期慢性病', '患有大病'])) AS ill_count,
        count(*) FILTER (WHERE list_contains(health, '患有大病')) AS serious_ill_count,
        count(*) FILTER (WHERE list_contains(health, '残疾')) AS disabled_count,
        count(*) FILTER (WHERE labor_skill IN ('丧失劳动力', '无劳动力')) AS no_labor_count,
        count(*) FILTER (WHERE labor_skill IN ('普通劳动力', '技能劳动力')) AS labor_count,
        count(*) FILTER (WHERE medical_insurance = FALSE) AS uninsured_count,
        count(*) FILTER (WHERE age BETWEEN $school_lo AND $school_hi
                         AND regexp_matches(coalesce(school_status, ''), $not_in_school)) AS school_out_count,
        count(*) FILTER (WHERE family_doctor_signed = TRUE) AS doctor_signed_count
    FROM (
        SELECT mm.*, CASE WHEN birth_date IS NOT NULL AND birth_date <= a.as_of
                          THEN date_sub('year', birth_date, a.as_of) END AS age
        FROM members mm CROSS JOIN ref a
    )
    GROUP BY household_id
), i AS (
    -- a household's categories as bits of the sorted code list ($categories; the loader stores a
    -- category only as its canonical value): one fixed-size aggregate instead of lists per household
    SELECT household_id, intervention_count, amount_total,
        coalesce(bit_count(mask), 0)::BIGINT AS category_count,
        CASE WHEN mask <> 0 THEN list_filter($categories, lambda c, k: (mask >> (k - 1)) & 1 = 1) END AS categories
    FROM (SELECT household_id, count(*) AS intervention_count, coalesce(sum(amount_yuan), 0) AS amount_total,
              bit_or(1::BIGINT << (list_position($categories, category) - 1)) AS mask
          FROM interventions GROUP BY household_id)
), k AS (
    -- the list order as an integer, from narrow rows (the wide rows are then sorted by one integer)
    SELECT household_id, row_number() OVER (ORDER BY township, village, household_id) AS seq FROM households
), base AS (
    SELECT h.household_id, h.township, h.village,
        h.head_name, h.head_id_number, h.phone, h.helper_name, h.helper_unit,
        h.household_attribute, h.main_cause, h.other_causes,
        h.exit_status, h.enjoys_policy, h.exit_year,
        h.identified_date, year(h.identified_date) AS identified_year,
        h.monitoring_type, h.monitored, h.risk_eliminated, h.registered,
        coalesce(m.member_count, 0) AS member_count,
        h.household_size_declared,
        coalesce(m.elderly_count, 0) AS elderly_count,
        m.oldest_age,
        coalesce(m.ill_count, 0) AS ill_count,
        coalesce(m.serious_ill_count, 0) AS serious_ill_count,
        coalesce(m.disabled_count, 0) AS disabled_count,
        coalesce(m.no_labor_count, 0) AS no_labor_count,
        coalesce(m.labor_count, 0) AS labor_count,
        coalesce(m.uninsured_count, 0) AS uninsured_count,
        coalesce(m.school_out_count, 0) AS school_out_count,
        coalesce(m.doctor_signed_count, 0) AS doctor_signed_count,
        h.income_per_capita, h.income_year,
        pl.line AS poverty_line,
        coalesce(h.unsafe_housing, FALSE) AS unsafe_housing,
        (h.safe_water = FALSE) IS TRUE AS unsafe_water,
        coalesce(i.intervention_count, 0) AS intervention_count,
        coalesce(i.category_count, 0) AS category_count,
        coalesce(i.amount_total, 0) AS amount_total,
        coalesce(i.categories, []) AS categories,
        x.* EXCLUDE (household_id),
        k.seq
    FROM households h
    JOIN k USING (household_id)
    JOIN _insp_household x USING (household_id)
    LEFT JOIN m USING (household_id)
    LEFT JOIN i USING (household_id)
    LEFT JOIN poverty_lines pl ON pl.year = h.income_year
)
SELECT *,
    member_count > 0 AND elderly_count = member_count AS all_elderly,
    member_count = 1 AND coalesce(oldest_age >= $alone_age, false) AS elderly_alone,
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
FROM base
ORDER BY seq
"""


AGG_KEYS = FILTER_COLUMNS
_K = ", ".join(AGG_KEYS)
_FK = filter_select("f")
OTHER_CATEGORY = "其他"
NOT_FILLED = "未填写"

_AK = filter_select("a")


def _keyed(table: str, body: str) -> str:
    """CREATE `table` from `body` (grouped by the integer `cell`), with the cell's filter keys attached,
    stored in key order (cells are numbered in key order)."""
    return f"""CREATE OR REPLACE TABLE {table} AS
    SELECT {_AK}, x.* EXCLUDE (cell) FROM ({body}) x JOIN agg_household a USING (cell)
    ORDER BY x.cell"""  # noqa: S608 - constants only


_AGG_SQL = (
    f"""CREATE OR REPLACE TABLE agg_household AS
    SELECT CAST(row_number() OVER (ORDER BY {_K}) AS INTEGER) AS cell, *
    FROM (
        SELECT {_K}, count(*) AS households,
            count(*) FILTER (WHERE registered) AS registered,
            coalesce(sum(member_count) FILTER (WHERE registered), 0) AS people,
            count(*) FILTER (WHERE monitored) AS monitored,
            count(*) FILTER (WHERE has_intervention) AS with_intervention,
            count(*) FILTER (WHERE suspected_wrong_exit) AS wrong_exits,
            coalesce(sum(member_count), 0) AS members,
            count(*) FILTER (WHERE income_below_line) AS below_line,
            count(*) FILTER (WHERE unsafe_housing) AS unsafe_housing,
            count(*) FILTER (WHERE unsafe_water) AS unsafe_water,
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
            coalesce(sum(doctor_signed_count), 0) AS doctor_signed,
            coalesce(sum(n_chronic_doctor), 0) AS chronic_doctor_signed
        FROM hh_facts GROUP BY ALL
    ) ORDER BY {_K}""",  # noqa: S608 - constants only
    # every household's cell and an integer key, so that the ledgers are aggregated by integers, not by
    # 8 texts and a text id
    f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}._cell AS
    SELECT f.household_id, CAST(row_number() OVER () AS INTEGER) AS hh_key, a.cell
    FROM hh_facts f JOIN agg_household a ON
    {" AND ".join(f"f.{k} IS NOT DISTINCT FROM a.{k}" for k in AGG_KEYS)}""",  # noqa: S608 - constants only
    _keyed("agg_category", """
        SELECT c.cell, category, count(*) AS households
        FROM (SELECT household_id, unnest(categories) AS category FROM hh_facts) u JOIN _cell c USING (household_id)
        WHERE category IS NOT NULL GROUP BY ALL"""),
    # interventions: joined to the household's integer keys once, aggregated per household and
    # (year, category), then per cell; the projects from the (few) rows that name one
    f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}._iv AS
    SELECT c.cell, c.hh_key, coalesce(i.year, year(i.start_date)) AS year,
           coalesce(i.category, '{OTHER_CATEGORY}') AS category, count(*) AS n, sum(i.amount_yuan) AS amount
    FROM interventions i JOIN _cell c USING (household_id)
    GROUP BY ALL""",  # noqa: S608 - constants only
    _keyed("agg_measure", """
        SELECT cell, year, category, sum(n) AS measures, sum(amount) AS amount_yuan, count(*) AS households
        FROM _iv GROUP BY ALL"""),
    f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}._ip AS
    SELECT c.cell, c.hh_key, i.project, i.category, count(*) AS n, sum(i.amount_yuan) AS amount
    FROM interventions i JOIN _cell c USING (household_id)
    WHERE trim(i.project) <> ''
    GROUP BY ALL""",  # noqa: S608 - constants only
    _keyed("agg_project", """
        SELECT cell, project, count(*) AS households, sum(n) AS measures, sum(amount) AS amount_yuan
        FROM (SELECT cell, hh_key, project, sum(n) AS n, sum(amount) AS amount FROM _ip GROUP BY ALL)
        GROUP BY ALL"""),
    _keyed("agg_project_category", """
        SELECT cell, project, category, sum(n) AS measures
        FROM _ip WHERE category IS NOT NULL GROUP BY ALL"""),
    "DROP TABLE _iv",
    "DROP TABLE _ip",
    _keyed("agg_member_value", f"""
        WITH mk AS (SELECT c.cell, m.health, m.labor_skill FROM members m JOIN _cell c USING (household_id))
        SELECT cell, 'health' AS dimension, value, count(*) AS members
        FROM (SELECT cell, unnest(CASE WHEN len(coalesce(health, [])) = 0 THEN ['{NOT_FILLED}'] ELSE health END)
                     AS value FROM mk)
        GROUP BY ALL
        UNION ALL
        SELECT cell, 'labor_skill', coalesce(labor_skill, '{NOT_FILLED}'), count(*) FROM mk GROUP BY ALL"""),  # noqa: S608 - constants only
    "DROP TABLE _cell",
)


# The assistance page's households of one project: one row per (project, household), the household's
# filter columns and `seq` copied in, stored by project and seq (a page reads one project's row groups).
_LIST_PROJECT_HOUSEHOLD_SQL = f"""CREATE OR REPLACE TABLE list_project_household AS
    WITH ph AS (
        -- a sorted distinct list, not string_agg(DISTINCT … ORDER BY …): DuckDB's ordered DISTINCT
        -- aggregate took 4x as long at 1M households
        SELECT project, household_id,
            CASE WHEN count(content) > 0 THEN array_to_string(list_sort(list_distinct(list(content))), '、') END
                AS content,
            min(coalesce(year, year(start_date))) AS year, sum(amount_yuan) AS amount_yuan
        FROM interventions WHERE trim(project) <> '' GROUP BY project, household_id
    )
    SELECT ph.project, {_FK}, ph.household_id, f.head_name, f.head_id_number, f.income_per_capita,
        ph.content, ph.year, ph.amount_yuan, f.seq
    FROM ph JOIN hh_facts f USING (household_id)
    ORDER BY ph.project, f.seq"""  # noqa: S608 - constants only


def build_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """The summary tables keyed by the filter columns (needs hh_facts)."""
    for sql in _AGG_SQL:
        con.execute(sql)
    con.execute(_LIST_PROJECT_HOUSEHOLD_SQL)


def build_poverty_lines(con: duckdb.DuckDBPyConnection) -> None:
    last_year = max(POVERTY_LINE)
    rows = [(y, line) for y, line in sorted(POVERTY_LINE.items())]
    rows += [(y, POVERTY_LINE[last_year]) for y in range(last_year + 1, last_year + 31)]
    con.execute("CREATE OR REPLACE TABLE poverty_lines (year INTEGER, line DOUBLE)")
    con.executemany("INSERT INTO poverty_lines VALUES (?, ?)", rows)


def build_core(con: duckdb.DuckDBPyConnection) -> None:
    """The dashboard core's derived tables: facts_meta, poverty_lines, hh_facts (with the inspection
    pages' household facts folded in, so no page joins a second household table)."""
    con.execute(_AS_OF_SQL)
    build_poverty_lines(con)
    derive_inspection.build_household_facts(con)
    con.execute(
        _HH_FACTS_SQL,
        {
            "elderly": ELDERLY_AGE,
            "alone_age": ELDERLY_ALONE_AGE,
            "school_lo": SCHOOL_AGE[0],
            "school_hi": SCHOOL_AGE[1],
            "not_in_school": NOT_IN_SCHOOL_PATTERN,
            "factor": MONITORING_FACTOR,
            "categories": sorted(CODE_ORDER["intervention_category"]),  # as ORDER BY category sorts
        },
    )
    con.execute("DROP TABLE _insp_household")
    build_aggregates(con)


def build_all(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build every derived table from the base tables of the snapshot. Intermediate tables go to
    the staging schema (compressed, unlike TEMP), which is dropped before the snapshot is published."""
    use_stage_schema(con)
    build_core(con)
    derive_inspection.build(con)
    derive_cells.build(con)
    hh_lookup.build(con)
    drop_stage_schema(con)
