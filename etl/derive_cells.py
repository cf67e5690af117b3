"""Summary cells and stored lists for the pages' remaining household scans, built with every snapshot
(after hh_facts and the inspection tables), so that a page reads cells or one slice of a sorted list
instead of 10M households (the health page's member lists are `list_ill_member`, stored in their
order; a page finds its last household on narrow columns and sizes the list from `agg_ill_member`). Pure SQL, no per-row Python.

Cells are keyed by every filter column (`etl.schema.FILTER_COLUMNS`, like `etl.derive`'s `agg_*`
tables): a household (or member) falls in exactly one cell, so a page applies
`queries.filters.household_where(..., alias="c")` to the cells and adds them up.

- `agg_cooccurrence(keys, other_cause, households)`: households per other cause of poverty (each
  distinct other cause once, never the main cause; households with a main cause only).
- `agg_income_band(keys, band, households)`: households per income band (`INCOME_BAND_SQL`).
- `agg_income_ratio(keys, ratio_bin, households)`: households per bin of income / line at the page's
  bins (`RATIO_STEP`, `RATIO_CAP`); other bins are counted from hh_facts at query time.
- `agg_monitoring(keys, kind, risk, households)`: monitored and returned households per monitoring
  type (返贫 without one) and risk state (`MONITORING_KIND_SQL`, `MONITORING_RISK_SQL`).
- `agg_ill_member(keys, compliant_until, members, chronic)`: the health page's listed members
  (`list_ill_member`) and chronic patients among them, by the date until which they meet the follow-up
  rule (`compliant_until_sql`; NULL for members who are not chronic patients): the compliant ones at
  the data's as-of date are those with a later date, so the member list's and the gap list's sizes and
  the compliance figures need no count of members, and no stored row changes when the as-of date moves.
  Another as-of date is counted from `list_ill_member` at query time.
- `list_claim_year`: one row per household and claim year (claims, costs, out-of-pocket, the
  household's income for that year), stored by year, then out-of-pocket share of income, highest
  first: the risk list applies the warning threshold (a page setting) at query time, a year's list
  reads that year's row groups and its top rows come from the first of them.
- `list_sample_draw`: the inspection sample's draw for the page's default seed (`SAMPLE_SEED`): per
  (township, village, registered) the first `SAMPLE_DEPTH` households by draw key, with `draw` (the
  rank in that group), `grp` (the group as an integer), `group_complete` (the group is all there),
  `seed` and `depth` (what was stored) and the columns the sample shows. A filter's sample is read from
  it when every group of the filtered area is complete there or has enough filtered households among
  its first `SAMPLE_DEPTH` (then they are exactly the filtered group's first ones); any other seed,
  size or filter is drawn from hh_facts at query time (`queries.visits.inspection_sample`).
"""

from __future__ import annotations

import hashlib

import duckdb

from etl.derived_table import replace, replace_cells
from etl.owners import Touched
from etl.rules import MAX_DAYS_WITHOUT_FOLLOW_UP, MIN_CHECK_UPS, MIN_FOLLOW_UPS
from etl.schema import FILTER_COLUMNS, filter_select
from etl.scope import Scope

_K = ", ".join(FILTER_COLUMNS)
_FK = filter_select("f")
_LK = filter_select("l")

# --- rules shared with the query layer (one formula each) -------------------------------------------

def _leaves(date: str) -> str:
    """The first as-of date at which a follow-up of `date` no longer counts: the first d with NOT
    (date > d - 12 months), exactly as `window_count` counts (DuckDB clamps 29 February to the 28th,
    so a 29 February leaves a day later)."""
    plus = f"CAST({date} + INTERVAL 12 MONTH AS DATE)"
    return f"(CASE WHEN {plus} - INTERVAL 12 MONTH >= {date} THEN {plus} ELSE {plus} + 1 END)"


NEVER = "DATE '1900-01-01'"  # compliant_until of a patient who never meets the rule on the dates known


def compliant_until_sql(follow_up_dates: str, check_up_dates: str, last_follow_up: str, as_of: str) -> str:
    """The as-of date from which a chronic patient no longer meets the follow-up rule while no new visit
    comes (NEVER when the dates never meet it). For any as-of date d from the data's on, the rule holds
    at d exactly when d is earlier: counted follow-ups and check-ups only leave the 12 months, the last
    follow-up only gets older. It depends on the dates alone (those up to `as_of`: a visit dated later
    starts to count when the as-of date reaches it, and etl.dated recomputes its household then), so no
    stored row changes when the as-of date moves; a page compares it with its as-of date instead of
    counting (`compliant_sql`)."""
    fu = f"list_reverse(list_filter(coalesce({follow_up_dates}, []), lambda d: d <= {as_of}))[{MIN_FOLLOW_UPS}]"
    cu = f"list_reverse(list_filter(coalesce({check_up_dates}, []), lambda d: d <= {as_of}))[{MIN_CHECK_UPS}]"
    return (f"CASE WHEN {fu} IS NULL OR {cu} IS NULL OR {last_follow_up} IS NULL THEN {NEVER} "
            f"ELSE least({_leaves(fu)}, {_leaves(cu)}, "
            f"CAST({last_follow_up} + INTERVAL {MAX_DAYS_WITHOUT_FOLLOW_UP + 1} DAY AS DATE)) END")


# Income band of an hh_facts row `f` (queries.exits.income_bands); the flags are snapshot facts.
INCOME_BAND_SQL = """CASE WHEN f.income_per_capita IS NULL OR f.poverty_line IS NULL THEN 'unknown'
    WHEN f.income_below_line THEN 'below_line'
    WHEN f.income_below_monitor THEN 'below_monitor'
    ELSE 'above_monitor' END"""

# Income / line of its year in bins of RATIO_STEP, capped (queries.exits.income_histogram; the page's
# bins are stored). One expression at both ends, so stored and computed bins are the same doubles. A
# negative income (kept: `negative_income`) falls in the one bin below 0, however far below it lies.
RATIO_STEP = 0.25
RATIO_CAP = 4.0


def ratio_bin_sql(step: str, cap: str) -> str:
    return f"greatest(least(floor(f.income_per_capita / f.poverty_line / {step}) * {step}, {cap}), -{step})"


RATIO_ROWS_SQL = "f.income_per_capita IS NOT NULL AND f.poverty_line > 0"

# Monitored and returned households (queries.exits.monitoring): kind and risk state of an hh_facts row.
MONITORING_ROWS_SQL = "(f.monitored OR f.exit_status = '返贫')"
RETURNED_KIND = "返贫"  # the kind of a returned household without a monitoring type
MONITORING_KIND_SQL = f"coalesce(f.monitoring_type, '{RETURNED_KIND}')"
MONITORING_RISK_SQL = ("CASE WHEN f.risk_eliminated THEN 'eliminated' WHEN f.risk_eliminated = FALSE THEN 'open' "
                       "ELSE 'unknown' END")

# The risk list's order (queries.health.oop_risks_query); household and year make it total.
# a household without income (0 or below: no share to compute) that pays out of pocket comes first: it
# was listed last, behind every share
OOP_ORDER = ("(household_income <= 0 AND out_of_pocket > 0) DESC NULLS LAST, oop_income_ratio DESC NULLS LAST, "
             "out_of_pocket DESC, year, household_id")

# The inspection sample's draw: households ordered by (a × draw_hash + b) mod DRAW_PRIME, a and b from
# md5(seed). The page's default seed is stored; its widgets allow up to SAMPLE_DEPTH per village.
DRAW_PRIME = 2147483647  # 2^31 - 1
SAMPLE_SEED = 2020
SAMPLE_DEPTH = 1000
SEQ_SPAN = 1 << 63  # > any seq (etl.keys): a draw key and seq packed into one HUGEINT


def seed_draw(seed: int) -> tuple[int, int]:
    """The seed's (a, b) of the household draw, from md5(seed): same seed, same draw, on any machine."""
    digest = hashlib.md5(str(int(seed)).encode()).digest()  # noqa: S324 - a draw key, not security
    span = DRAW_PRIME - 1  # a in 1..p-1: the map is a permutation
    a = 1 + int.from_bytes(digest[:8], "big") % span
    return a, int.from_bytes(digest[8:], "big") % DRAW_PRIME


def draw_key_sql(alias: str = "") -> str:
    """The packed draw key (draw number, then seq) of a household row ($a, $b: the seed's draw)."""
    p = f"{alias}." if alias else ""
    return f"CAST(({p}draw_hash * $a + $b) % {DRAW_PRIME} AS HUGEINT) * {SEQ_SPAN} + {p}seq"


# --- the tables -----------------------------------------------------------------------------------

def _cells_sql(scope: Scope) -> dict[str, tuple[str, str]]:
    """The summary cells for the cells of the scope: table -> (SELECT, stored order)."""
    f_in, facts = scope.cell("f"), scope.cell_src("hh_facts")
    # list_ill_member is rewritten earlier in the pass: read whole, or a delta pass's side of it
    ill = scope.cell_src("list_ill_member") if scope.side else "list_ill_member"
    return {
        "agg_cooccurrence": (f"""
            SELECT {_K}, cell, other_cause, count(*) AS households
            FROM (SELECT {_FK}, f.cell, unnest(list_distinct(f.other_causes)) AS other_cause   -- distinct, no NULLs
                  FROM {facts} f WHERE f.main_cause IS NOT NULL AND len(f.other_causes) > 0 AND {f_in})
            WHERE other_cause <> main_cause
            GROUP BY ALL""", "ALL"),  # noqa: S608 - constants only
        "agg_income_band": (f"""
            SELECT {_FK}, f.cell, {INCOME_BAND_SQL} AS band, count(*) AS households
            FROM {facts} f WHERE {f_in} GROUP BY ALL""", "ALL"),  # noqa: S608 - constants only
        "agg_income_ratio": (f"""
            SELECT {_FK}, f.cell, {ratio_bin_sql(repr(RATIO_STEP), repr(RATIO_CAP))} AS ratio_bin,
                count(*) AS households
            FROM {facts} f WHERE {RATIO_ROWS_SQL} AND {f_in} GROUP BY ALL""", "ALL"),  # noqa: S608 - constants only
        "agg_monitoring": (f"""
            SELECT {_FK}, f.cell, {MONITORING_KIND_SQL} AS kind, {MONITORING_RISK_SQL} AS risk,
                count(*) AS households
            FROM {facts} f WHERE {MONITORING_ROWS_SQL} AND {f_in} GROUP BY ALL""", "ALL"),  # noqa: S608 - constants only
        # members by the date until which they meet the follow-up rule (list_ill_member.compliant_until)
        "agg_ill_member": (f"""
            SELECT {_LK}, l.cell, l.compliant_until, count(*) AS members, count(*) FILTER (WHERE l.chronic) AS chronic
            FROM {ill} l WHERE {scope.cell("l")} GROUP BY ALL""", "ALL"),  # noqa: S608 - constants only
    }


def _claim_year_sql(scope: Scope) -> str:
    """The claims of a household in a year (list_claim carries the household's facts)."""
    return f"""
    SELECT *, income_per_capita * n_members AS household_income,
        -- no share of an income of 0 or below (a negative net income is kept): blank, not a negative share
        CASE WHEN income_per_capita * n_members > 0 THEN out_of_pocket / (income_per_capita * n_members) END
            AS oop_income_ratio
    FROM (
        SELECT {filter_select("c")}, c.household_id, c.claim_year AS year, c.head_name, c.n_members,
            coalesce(c.year_income, c.latest_income) AS income_per_capita, count(*) AS claims,
            -- out-of-pocket to the fen: the risk line is compared with it (rounded to the yuan, 2,000.40
            -- was not over a line of 2,000.00; a probe)
            CAST(sum(c.total_cost) AS BIGINT) AS total_cost, round(sum(c.out_of_pocket), 2) AS out_of_pocket,
            c.hk
        FROM {scope.src("list_claim")} c WHERE c.claim_year IS NOT NULL AND {scope.hk("c")}
        GROUP BY ALL
    )"""  # noqa: S608 - constants only


def sample_draw_sql(scope: Scope, depth: int = SAMPLE_DEPTH) -> str:
    """`list_sample_draw` for the villages of the scope, keeping the first `depth` households of each
    group ($a, $b, $seed: the stored seed's draw). min_by(.., n) keeps the n smallest keys per group in
    key order: no sort of the county. `grp` numbers a group (village and registered or not)."""
    return f"""
    WITH picked AS (
        SELECT area, registered, count(*) AS group_size,
            min_by(seq, {draw_key_sql()}, {int(depth)}) AS seqs
        FROM hh_facts f WHERE {scope.area("f")} GROUP BY ALL
    ), drawn AS (
        SELECT group_size, unnest(seqs) AS seq, generate_subscripts(seqs, 1) AS draw FROM picked
    )
    SELECT {_FK}, f.registered, f.area * 2 + CASE WHEN f.registered THEN 0 ELSE 1 END AS grp,
        d.draw, d.group_size <= {int(depth)} AS group_complete,
        CAST($seed AS BIGINT) AS seed, CAST({int(depth)} AS INTEGER) AS depth, f.seq, f.household_id, f.head_name,
        f.member_count, f.area, f.hk
    FROM drawn d JOIN hh_facts f USING (seq)"""  # noqa: S608 - constants only


def build_sample_draw(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched | None,
                      depth: int = SAMPLE_DEPTH) -> None:
    """`list_sample_draw` for `SAMPLE_SEED` (a smaller `depth` only in tests)."""
    a, b = seed_draw(SAMPLE_SEED)
    replace(con, scope, touched, "list_sample_draw", sample_draw_sql(scope, depth), "grp, draw",
            {"a": a, "b": b, "seed": SAMPLE_SEED})


def build(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched | None) -> None:
    """The summary cells and stored lists for the scope (after hh_facts and the inspection tables)."""
    sides = scope.sides()
    sqls = {s: _cells_sql(s) for s in sides}  # each side's SELECTs, written once
    for table, (_, order) in sqls[sides[0]].items():
        replace_cells(con, scope, touched, table, lambda s, table=table: sqls[s][table][0], order)
    replace(con, scope, touched, "list_claim_year", _claim_year_sql(scope), f"year, {OOP_ORDER}")
    build_sample_draw(con, scope, touched)
