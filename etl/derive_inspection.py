"""Derived tables for the inspection pages (rectification, health, visits, archive quality).

Built inside every new snapshot (pure SQL: hash aggregates and joins, no correlated subqueries, no
per-row Python), so that the pages read one row per household instead of re-aggregating members,
visits, measures, ledgers and issues on every rerun.

- Household facts (`build_household_facts`, folded into `hh_facts` by `etl.derive.build_core`, so a
  page reads one household table, never a join of two): chronic patients and their family doctors,
  insurance, the fixed fields of the archive completeness score, the last visit / follow-up /
  check-up dates, open rectification items, data issues, the latest income. Anything that depends on
  the as-of date (age, "no visit in N days", "last 12 months") is computed at query time from the
  dates kept here.
- `insp_school_age`: members who may be of school age at some as-of date.
- `list_ill_member`: the health page's member list, one row per ill or disabled member, with every
  `Filters` column and `seq` (place order) of its household copied in, stored in the list's order, so
  a page is `WHERE <filters> ORDER BY seq, ... LIMIT n` on one table and reads one or two row groups.
  The household's follow-up and check-up dates are kept as lists (a page counts its rows' from them),
  and a chronic patient's `compliant_until` (etl.derive_cells.compliant_until_sql): the follow-up rule
  holds at the data's as-of date if it is later, without counting.
- `list_issue`: data issues with their household's filter columns, head and `seq`.
- `list_claim`: medical claims with their household's filter columns and facts.
- `list_rectification`: the rectification ledger with `description_masked` / `measures_masked`, the
  free text with the names of the household's members masked (`etl.sqlexpr.redacted_text_sql`), so
  a viewer without personal-data rights reads masked text without a per-request name lookup; and `hh`,
  the named household's filter columns (a struct; NULL fields when the item names no known household),
  so that household filters and township scope apply without a lookup in hh_facts.
- `list_visit` (`etl.visit_rank`): the visit planner's default ranking.
- `agg_quality`, `list_defect` (`etl.quality_checks`): completeness and defects at the data's as-of date.
"""

from __future__ import annotations

import duckdb

from etl import quality_checks, visit_rank
from etl.derive_cells import compliant_until_sql
from etl.derived_table import replace
from etl.owners import Touched, stage_table
from etl.raw_file import STAGE_SCHEMA
from etl.rules import CHRONIC, ILL_HEALTH, RECTIFICATION_CLOSED
from etl.schema import FILTER_COLUMNS, filter_select
from etl.scope import FULL, Scope
from etl.sqlexpr import NAME_DOTS, household_names_sql, name_spellings_sql, redacted_text_sql

FOLLOW_UP = "家庭医生随访"
CHECK_UP = "健康体检"


def _insp_household_sql(scope: Scope) -> str:
    return f"""
CREATE OR REPLACE TABLE {STAGE_SCHEMA}._insp_household AS
WITH ref AS (SELECT CAST(value AS DATE) AS as_of FROM facts_meta WHERE key = 'as_of'),
m AS (
    SELECT hk,
        count(*) AS n_members,
        min(birth_date) AS oldest_birth_date,
        count(*) FILTER (WHERE list_contains(coalesce(health, []), '{CHRONIC}')) AS n_chronic,
        count(*) FILTER (WHERE list_contains(coalesce(health, []), '{CHRONIC}')
                           AND coalesce(family_doctor_signed, false)) AS n_chronic_doctor,
        count(*) FILTER (WHERE coalesce(id_valid, false)) AS n_id_valid,
        count(*) FILTER (WHERE len(coalesce(health, [])) > 0) AS n_health_set,
        count(*) FILTER (WHERE labor_skill IS NOT NULL AND labor_skill <> '') AS n_labor_set,
        count(*) FILTER (WHERE coalesce(medical_insurance, false)) AS n_medical_insured,
        count(*) FILTER (WHERE coalesce(critical_illness_insurance, false)) AS n_critical_insured,
        -- members whose answer is on record: an enrolment rate's denominator (a registry without the
        -- column read 0% 大病保险 beside its claims paid by 大病保险; a probe)
        count(medical_insurance) AS n_medical_recorded,
        count(critical_illness_insurance) AS n_critical_recorded,
        count(family_doctor_signed) AS n_doctor_recorded
    FROM {scope.src("members")} mm WHERE {scope.hk("mm")} GROUP BY hk
),
v AS (
    -- the latest visits up to the as-of date: a year typed wrong (2030 for 2020) is a future date, an
    -- issue, and was the household's "latest visit" (a patient followed up −3,000 days ago); it counts
    -- when the as-of date reaches it, and etl.dated recomputes its household then
    SELECT hk,
        count(*) AS n_visits,
        max(visit_date) FILTER (WHERE visit_date <= ref.as_of) AS last_visit_date,
        max(visit_date) FILTER (WHERE visit_type = '{FOLLOW_UP}' AND visit_date <= ref.as_of) AS last_follow_up_date,
        max(visit_date) FILTER (WHERE visit_type = '{CHECK_UP}' AND visit_date <= ref.as_of) AS last_check_up_date
    FROM {scope.src("visits")} vv CROSS JOIN ref WHERE {scope.hk("vv")} GROUP BY hk
),
{_items_and_incomes_ctes(scope)}d AS (
    SELECT hk, count(*) AS n_issues
    FROM {scope.src("data_issues")} dd WHERE hk IS NOT NULL AND {scope.hk("dd")} GROUP BY hk
)
SELECT
    h.hk,
    coalesce(m.n_members, 0) AS n_members,
    m.oldest_birth_date,
    coalesce(m.n_chronic, 0) AS n_chronic,
    coalesce(m.n_chronic_doctor, 0) AS n_chronic_doctor,
    coalesce(m.n_id_valid, 0) AS n_id_valid,
    coalesce(m.n_health_set, 0) AS n_health_set,
    coalesce(m.n_labor_set, 0) AS n_labor_set,
    coalesce(m.n_medical_insured, 0) AS n_medical_insured,
    coalesce(m.n_critical_insured, 0) AS n_critical_insured,
    coalesce(m.n_medical_recorded, 0) AS n_medical_recorded,
    coalesce(m.n_critical_recorded, 0) AS n_critical_recorded,
    coalesce(m.n_doctor_recorded, 0) AS n_doctor_recorded,
    coalesce(v.n_visits, 0) AS n_visits,
    v.last_visit_date, v.last_follow_up_date, v.last_check_up_date,
    {"h.n_open_items" if scope.patch else "coalesce(r.n_open_items, 0) AS n_open_items"},
    coalesce(d.n_issues, 0) AS n_issues,
    {_KEPT if scope.patch else _REGISTRY_FACTS}
{_household_rows(scope)}
WHERE {scope.hk("h")}
"""  # noqa: S608 - constants only


# The household facts of its registry row and its incomes (and its open items, `r`); a patching pass
# (Scope.patch: a load that wrote none of those) keeps them from its households' stored hh_facts rows.
_REGISTRY_FACTS = """coalesce(inc.latest_income_year, h.income_year) AS latest_income_year,
    coalesce(inc.latest_income, h.income_per_capita) AS latest_income,
    h.unsafe_housing IS NOT NULL AS housing_set,
    h.safe_water IS NOT NULL AS water_set"""
_KEPT = "h.latest_income_year, h.latest_income, h.housing_set, h.water_set"


def _items_and_incomes_ctes(scope: Scope) -> str:
    if scope.patch:
        return ""
    return f"""r AS (
    SELECT hk, count(*) AS n_open_items
    FROM {scope.src("rectifications")} rr
    WHERE hk IS NOT NULL AND {scope.hk("rr")}
      AND (status IS NULL OR status NOT IN {tuple(RECTIFICATION_CLOSED)!r})
    GROUP BY hk
),
inc AS (
    SELECT hk, max(income_year) AS latest_income_year,
        arg_max(income_per_capita, income_year) AS latest_income
    FROM {scope.src("household_income")} ii WHERE {scope.hk("ii")} GROUP BY hk
),
"""  # noqa: S608 - constants only


def _household_rows(scope: Scope) -> str:
    if scope.patch:
        return f"""FROM {scope.old_src("hh_facts")} h
LEFT JOIN m USING (hk)
LEFT JOIN v USING (hk)
LEFT JOIN d USING (hk)"""  # noqa: S608 - our names
    return f"""FROM {scope.src("households")} h
LEFT JOIN m USING (hk)
LEFT JOIN v USING (hk)
LEFT JOIN r USING (hk)
LEFT JOIN d USING (hk)
LEFT JOIN inc USING (hk)"""  # noqa: S608 - our names


def _school_age_sql(scope: Scope) -> str:
    """Members of school age for some as-of date: kept small so the as-of dependent check (aged 6-15
    at the as-of date) is a scan of this table only."""
    return f"""
SELECT household_id, birth_date, (school_status IS NOT NULL AND school_status <> '') AS has_school_status, hk
FROM {scope.src("members")} m
WHERE birth_date IS NOT NULL AND birth_date >= DATE '1990-01-01' AND {scope.hk("m")}
"""  # noqa: S608 - constants only




def _ill_member_sql(scope: Scope) -> str:
    return f"""
WITH ref AS (SELECT CAST(value AS DATE) AS as_of FROM facts_meta WHERE key = 'as_of'),
fu AS (
    SELECT hk,
        list(visit_date ORDER BY visit_date) FILTER (WHERE visit_type = '{FOLLOW_UP}') AS follow_up_dates,
        list(visit_date ORDER BY visit_date) FILTER (WHERE visit_type = '{CHECK_UP}') AS check_up_dates
    FROM {scope.src("visits")} v
    WHERE visit_type IN ('{FOLLOW_UP}', '{CHECK_UP}') AND visit_date IS NOT NULL AND {scope.hk("v")}
    GROUP BY hk
)
SELECT {filter_select('f')}, m.household_id, m.name, m.id_number, m.birth_date, m.health, m.labor_skill,
    m.medical_insurance, m.critical_illness_insurance, m.family_doctor_signed,
    coalesce(list_contains(m.health, '{CHRONIC}'), false) AS chronic,
    f.last_follow_up_date, f.last_check_up_date, fu.follow_up_dates, fu.check_up_dates,
    CASE WHEN coalesce(list_contains(m.health, '{CHRONIC}'), false) THEN {
        compliant_until_sql("fu.follow_up_dates", "fu.check_up_dates", "f.last_follow_up_date", "ref.as_of")}
    END AS compliant_until,
    m.is_head, m.member_key, f.seq, f.hk, f.cell
-- a patching pass (Scope.patch) reads its ill members as the list stored them: their rows are unchanged
FROM {scope.old_src("list_ill_member") if scope.patch else scope.src("members")} m
JOIN {scope.src("hh_facts")} f USING (hk)
LEFT JOIN fu USING (hk)
CROSS JOIN ref
WHERE list_has_any(coalesce(m.health, []), {list(ILL_HEALTH)!r}) AND {scope.hk("m")}
"""  # noqa: S608 - constants only


def _claim_sql(scope: Scope) -> str:
    """Claims with their household's filter columns and the facts the health page's claim views need,
    so those views read one table: the claim's year, the household's head, members, latest income and
    its income per capita in the claim's year."""
    return f"""
SELECT {filter_select('f')}, c.*, year(c.admission_date) AS claim_year, f.head_name, f.n_members,
    f.latest_income, hi.income_per_capita AS year_income
FROM {scope.src("medical_claims")} c
JOIN {scope.src("hh_facts")} f USING (hk)
LEFT JOIN {scope.src("household_income")} hi ON hi.hk = c.hk AND hi.income_year = year(c.admission_date)
WHERE {scope.hk("c")}
"""  # noqa: S608 - constants only


def _issue_sql(scope: Scope) -> str:
    """Data issues of known households with their household's filter columns, head and place order, so
    the archive-quality views and the overview's defect count read one small table."""
    return f"""
SELECT {filter_select('f')}, f.seq, f.head_name, d.*
FROM {scope.src("data_issues")} d JOIN {scope.src("hh_facts")} f USING (hk)
WHERE {scope.hk("d")}
"""  # noqa: S608 - constants only


# A name with a dot between its parts (买买提·艾力, 阿卜杜热合曼·买买提: Uyghur and other names written in
# Chinese characters) is longer than the 2-4 characters of a piece and was shown in full in an item of a
# whole township (a privacy probe). A run of the text that holds a dot gives its pieces of 5 to
# _DOTTED_MAX characters that hold one, each in every spelling of its dots (the registry may write
# another dot than the item): dots are rare in Chinese text, so this costs nothing for most items.
_DOTTED_MAX = 12


def _dotted_pieces_sql(run: str) -> str:
    """The pieces of 5 to _DOTTED_MAX characters of `run` that hold a dot (NAME_DOTS), in every spelling
    of their dots (`name_spellings_sql`); an empty list for a run without a dot."""
    dots = f"[{NAME_DOTS}]"
    each = (f"flatten(list_transform(range(1, length({run})), lambda i: flatten(list_transform("
            f"range(5, {_DOTTED_MAX + 1}), lambda n: CASE WHEN length(substr({run}, i, n)) = n "
            f"AND regexp_matches(substr({run}, i, n), '{dots}') THEN [substr({run}, i, n)] ELSE [] END))))")
    return (f"CASE WHEN regexp_matches({run}, '{dots}') "
            f"THEN {name_spellings_sql(each)} ELSE []::VARCHAR[] END")


def _rectification_sql(scope: Scope) -> str:
    """The ledger with its free text masked: a household's names (etl.sqlexpr.household_names_sql), or for
    an item of a whole township the registered people of its township it names."""
    return f"""
WITH items AS (SELECT * FROM {scope.src("rectifications")} r WHERE {scope.hk_or_item("r")}),
names AS ({household_names_sql(scope.src("members"), scope.src("households"),
                               "SELECT DISTINCT hk FROM items WHERE hk IS NOT NULL")}),
-- An item of a whole township (no household) names its registered people too (张树林家危房未改造):
-- each 2-4 character piece of its runs of Chinese characters (most names; 2-7 cost twice as much) looked
-- up among the names of its township's (its village's) registry: the members are probed, not joined.
loose AS MATERIALIZED (
    -- numbered once (materialised: every reader sees the same numbers), so that the pieces carry an
    -- integer, not the 32-character record key
    SELECT row_number() OVER () AS item, record_key, township, village,
        coalesce(description, '') || '|' || coalesce(measures, '') AS txt
    FROM items WHERE hk IS NULL AND township IS NOT NULL
),
pieces AS MATERIALIZED (
    -- one row per distinct piece of an item (not per position with its text), made once for the two
    -- readers below: 30k township items at 10M households 1.4 -> 0.8 s (bench/FINDINGS.md)
    SELECT * FROM (
        SELECT item, township, village,
            unnest(list_distinct(flatten(list_transform(regexp_extract_all(txt, '[\\p{{Han}}{NAME_DOTS}]{{2,}}'),
                lambda run: flatten(list_transform(range(1, length(run)),
                    lambda i: [substr(run, i, 2), substr(run, i, 3), substr(run, i, 4)]))
                    || {_dotted_pieces_sql("run")})))) AS piece
        FROM loose)
    WHERE length(piece) >= 2
),
named_people AS MATERIALIZED (
    -- the members named in a piece first (a few), then their households
    SELECT hk, name FROM members WHERE name IN (SELECT DISTINCT piece FROM pieces)
),
people AS (
    SELECT DISTINCT h.township, h.village, m.name
    FROM households h JOIN named_people m USING (hk) WHERE h.township IN (SELECT township FROM loose)
),
loose_names AS (
    SELECT l.record_key, n.names FROM loose l JOIN (
        SELECT p.item, list(DISTINCT p.piece ORDER BY length(p.piece) DESC, p.piece) AS names
        FROM pieces p JOIN people q ON q.township = p.township AND q.name = p.piece
            AND (p.village IS NULL OR q.village = p.village)
        GROUP BY p.item) n USING (item)
)
-- an item of a registered household is placed where the registry places it, as every ledger's row is:
-- by the ledger's 乡(镇)/行政村 an item with a blank 行政村 left its village's view, and one whose
-- 乡(镇) differed from its household's was in no township's view (scope follows the household)
SELECT r.* REPLACE (CASE WHEN f.hk IS NULL THEN r.township ELSE f.township END AS township,
                    CASE WHEN f.hk IS NULL THEN r.village ELSE f.village END AS village),
    {redacted_text_sql('r.description', 'coalesce(n.names, ln.names)')} AS description_masked,
    {redacted_text_sql('r.measures', 'coalesce(n.names, ln.names)')} AS measures_masked,
    struct_pack({', '.join(f'{c} := f.{c}' for c in FILTER_COLUMNS)}) AS hh
FROM items r LEFT JOIN names n USING (hk) LEFT JOIN loose_names ln USING (record_key)
LEFT JOIN {scope.src("hh_facts")} f ON f.hk = r.hk
"""  # noqa: S608 - constants only


def touch_named_items(con: duckdb.DuckDBPyConnection, touched: Touched) -> None:
    """A load that wrote the registry changes the names an item of no household is masked by: the
    names of its township's people. Touch the items of the touched households' townships (before and
    after the load) that may name one of them: those whose text holds a name of a touched member now,
    and those the stored list masked (a name it masked may be gone). More is harmless, less leaks a name."""
    con.execute(f"""
        WITH towns AS (
            SELECT township FROM households WHERE hk IN (SELECT hk FROM {stage_table('hk')})
            UNION SELECT township FROM hh_facts WHERE hk IN (SELECT hk FROM {stage_table('hk')})),
        names AS (  -- a dotted name in each spelling of its dots, as the item may write it
            SELECT DISTINCT township, unnest({name_spellings_sql('[name]')}) AS name FROM (
                SELECT h.township, m.name FROM members m JOIN households h USING (hk)
                WHERE m.hk IN (SELECT hk FROM {stage_table('hk')}) AND length(m.name) >= 2))
        INSERT INTO {stage_table('item')}
        SELECT r.record_key FROM rectifications r
        WHERE r.hk IS NULL AND r.township IN (SELECT township FROM towns) AND (
            EXISTS (SELECT 1 FROM names n WHERE n.township = r.township
                    AND contains(coalesce(r.description, '') || '|' || coalesce(r.measures, ''), n.name))
            OR r.record_key IN (SELECT record_key FROM list_rectification l WHERE l.hk IS NULL
                                AND (l.description_masked IS DISTINCT FROM l.description
                                     OR l.measures_masked IS DISTINCT FROM l.measures)))""")  # noqa: S608


# The whole stored ledger (tests build it on their own data)
LIST_RECTIFICATION_SQL = f"CREATE OR REPLACE TABLE list_rectification AS {_rectification_sql(FULL)}"


def build_household_facts(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """`_insp_household` (a staging table): the household facts `hh_facts` takes in."""
    con.execute(_insp_household_sql(scope))


def build(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched | None) -> None:
    """(Re)build the inspection pages' derived tables for the scope (after hh_facts)."""
    replace(con, scope, touched, "insp_school_age", _school_age_sql(scope))
    replace(con, scope, touched, "list_ill_member", _ill_member_sql(scope), "seq, is_head DESC, member_key")
    replace(con, scope, touched, "list_claim", _claim_sql(scope), "seq")
    replace(con, scope, touched, "list_issue", _issue_sql(scope), "seq")
    replace(con, scope, touched, "list_rectification", _rectification_sql(scope))
    visit_rank.build(con, scope, touched)
    quality_checks.build(con, scope, touched)
