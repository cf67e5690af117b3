"""三率一度: the four veto indicators of an exit inspection (data-spec §1.4), for the current filter, by
township and by village, with the households behind them and the data-rule signals beside them.

Definitions (people, not households, unless said; "surveyed" = household checks of the chosen period,
one per household: its latest check of the period):
- a check counts in the registry's group when it is linked to a registry household (已脱贫 → 脱贫户;
  未脱贫/返贫 → 未脱贫户; monitored, not registered → 边缘户), else in the group its form's 户类型 names
  (`etl.inspection_rules.REGISTRY_TYPE_SQL`), and in the registry's township and village (the form's
  place only for a check outside the registry); its people are its form's 家庭人口 (when positive), else
  the registry's members, else 1;
- 错退率 = people of surveyed 脱贫户 with finding 错退 / people of surveyed 脱贫户;
- 漏评率 = people of surveyed households outside the registry (一般农户, 边缘户) with finding 漏评 /
  people of those surveyed households;
- 群众认可度 = surveyed households answering 认可 / surveyed households that answered (认可, 不认可, 说不清);
- 综合贫困发生率 = (registered people not exited + 漏评率 × non-registered rural people + 错退率 ×
  exited people) / rural population, where non-registered rural people = rural population −
  registered people (per village, at least 0), over the villages that have a population base (its
  latest year per village unless a year is chosen); registry counts from the summary cells
  (`agg_household`), people = members of registered households.
- A place's rates are its own sample's; where its sample has no household of a group, the incidence
  borrows the rate of the township, else of the whole filtered area (`rates_from`).
- Each rate carries its numerator, denominator, sample households, a 95% Wilson interval, and
  `*_small` when it rests on fewer than MIN_SAMPLE people (households for approval). The incidence's
  interval puts both rates' interval ends into the formula (a conservative band); it is `small` when
  either rate is.

Filters: township and village filters (and the viewer's townships) apply to checks, registry and
population base by place. Any other filter (cause, status, …) selects registry households: checks are
then those linked to a selected household, and the incidence is not computed (a population base
knows places, not causes).

Data-rule signals are kept apart: 疑似错退 (`hh_facts.suspected_wrong_exit`) and 疑似漏评 (monitored,
not registered, income below the line: `etl.inspection_rules.SUSPECTED_MISSED_SQL`), from the registry.
No Streamlit here; every user value is a bound parameter.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from etl import clock
from etl.inspection_rules import (
    DEFAULT_LINES,
    ID_KEYED,
    INDICATORS,
    ITEMS,
    NOT_REGISTERED_TYPES,
    REGISTRY_TYPE_SQL,
    SUSPECTED_MISSED_CELL_SQL,
    Z95,
    Lines,
    base_usable_sql,
    name_key_sql,
    unconfirmed,
    within,
)
from etl.rules import MIN_SAMPLE
from etl.sqlexpr import redacted_text_sql
from queries.figures import Text, define
from queries.filters import (
    Filters,
    Viewer,
    area_where,
    fetch,
    household_where,
    mask_household_id,
    mask_id,
    mask_name,
    prefixed,
    township_rank,
)

LEVELS = ("all", "township", "village")
KEYS = {"all": [], "township": ["township"], "village": ["township", "village"]}
# The households behind each figure: kind -> condition over the deduplicated checks (`grp`, `finding`).
CASES: dict[str, str] = {
    "wrong_exit": "grp = '脱贫户' AND finding = '错退'",
    "missed": f"grp IN {NOT_REGISTERED_TYPES!r} AND finding = '漏评'",
    # every answer that is not 认可 lowers 认可度: a 说不清 household was in no list (70 / 74 beside a
    # list of 3; a browser review)
    "disapproved": "approval IN ('不认可', '说不清')",
    "wrong_identification": "finding = '错评'",
}
# indicator -> (numerator, denominator, sample households) columns of `rates`
PARTS: dict[str, tuple[str, str, str]] = {
    "wrong_exit": ("wrong_exit_people", "exited_sample_people", "exited_sample_households"),
    "missed": ("missed_people", "nonreg_sample_people", "nonreg_sample_households"),
    "approval": ("approved", "answered", "answered"),
}
SAMPLE_COLUMNS = ("checked_households", "exited_sample_households", "exited_sample_people", "wrong_exit_households",
                  "wrong_exit_people", "nonreg_sample_households", "nonreg_sample_people", "missed_households",
                  "missed_people", "answered", "approved", "disapproved")
REGISTRY_COLUMNS = ("registered_people", "exited_people", "not_exited_people")
BASE_COLUMNS = ("rural_population", "rural_households")

_CHECKED: Text = ("所选期间的入户核查表（每户取最新一次）", "Household checks of the chosen period (each household's latest)")
_PERIOD: Text = ("调查日期在所选期间内（默认：最近一次核查所在年度）",
                 "Check date within the chosen period (default: the year of the latest check)")
define("rates.incidence", ("综合贫困发生率", "Comprehensive poverty incidence"),
       ("有人口基数的村", "Villages with a population base"),
       ("未脱贫人口 + 漏评率 × 非建档立卡乡村人口 + 错退率 × 已脱贫人口", "People not exited + missed rate × "
        "non-registered rural people + wrong-exit rate × exited people"), ("乡村人口", "Rural population"),
       _PERIOD, "population_base, agg_household, household_checks")
define("rates.wrong_exit", ("脱贫人口错退率", "Wrong-exit rate"), _CHECKED,
       ("核查结论为错退的脱贫户人口", "People of surveyed exited households found Wrongly exited (错退)"),
       ("被核查脱贫户的人口", "People of surveyed exited households"), _PERIOD, "household_checks")
define("rates.missed", ("贫困人口漏评率", "Missed-poor rate"), _CHECKED,
       ("核查结论为漏评的非建档立卡户人口", "People of surveyed non-registered households found Missed (漏评)"),
       ("被核查的非建档立卡户人口", "People of surveyed non-registered households"), _PERIOD, "household_checks")
define("rates.approval", ("群众认可度", "Approval"), _CHECKED, ("回答认可的户", "Households answering Approves (认可)"),
       ("作答的被核查户", "Surveyed households that answered"), _PERIOD, "household_checks")
define("rates.by_place", ("三率一度分乡镇 / 村", "Veto indicators per township / village"), _CHECKED,
       ("各地的四项指标", "The four figures per place"), date_rule=_PERIOD, source="household_checks")



def area_only(flt: Filters) -> bool:
    """True when the filter chooses places only (no cause, status, … filter)."""
    return flt.with_(townships=(), villages=()).is_empty()


def _period(params: dict[str, object], column: str, date_from: date | None, date_to: date | None) -> list[str]:
    """The period's bounds on `column`, and never after today: a form dated in the future (a year typed
    wrong, flagged future_date at load) moved the default period there and replaced the household's
    real check as its latest. It counts once its day has come, as a visit does."""
    params["today"] = clock.today()
    parts = [f"({column} IS NULL OR {column} <= $today)"]
    if date_from is not None:
        params["d_from"] = date_from
        parts.append(f"{column} >= $d_from")
    if date_to is not None:
        params["d_to"] = date_to
        parts.append(f"{column} <= $d_to")
    return parts


def checks_sql(flt: Filters, viewer: Viewer, date_from: date | None = None, date_to: date | None = None
               ) -> tuple[str, dict[str, object]]:
    """The surveyed households of the period in the filter and scope: one row per household (its latest
    check of the period) with `grp` (the group it counts in), `people` and its registry facts (`reg_*`)."""
    # a check linked to a registry household counts where the registry places it (a form that names
    # another township is flagged check_place_mismatch at load)
    township, village = "coalesce(h.township, c.township)", "coalesce(h.village, c.village)"
    # The place filter and the viewer's townships apply to each household's latest check of the period,
    # not before it is chosen: a household outside the registry whose latest form puts it in another
    # township (moved, or a slip corrected) was counted, with its older check, in the filtered township
    # while the county's table counted it in the other one (a probe, 2026-12-06).
    where, params = area_where(flt, viewer, "c.township", "c.village")
    parts = _period(params, "c.check_date", date_from, date_to)
    if not area_only(flt):  # a registry household's facts: the same for each of its checks
        hw, hp = household_where(flt, viewer, alias="hf")
        households, hp = prefixed(f"c.hk IN (SELECT hf.hk FROM hh_facts hf WHERE {hw})", hp, "h_")  # noqa: S608
        parts.append(households)
        params.update(hp)
    registry_type = REGISTRY_TYPE_SQL
    sql = f"""
        WITH same_person AS (
            -- a household outside the registry surveyed once with its head's ID number and once without
            -- (keyed 证:<ID> and 名:<township/village/name>) is one household: the name key stands for the
            -- ID key when the place and name have exactly one
            SELECT {name_key_sql('township', 'village', 'head_name')} AS name_key, min(household_key) AS id_key
            FROM household_checks WHERE {ID_KEYED} AND head_name IS NOT NULL
            GROUP BY ALL HAVING count(DISTINCT household_key) = 1)
        SELECT c.* REPLACE ({township} AS township, {village} AS village), {registry_type} AS registry_type, coalesce({registry_type}, c.household_type) AS grp,
               coalesce(CASE WHEN c.household_size > 0 THEN c.household_size END, nullif(h.member_count, 0), 1)
                   AS people,
               h.exit_status AS reg_exit_status, h.household_id AS reg_household_id
        FROM household_checks c LEFT JOIN hh_facts h ON h.hk = c.hk
            LEFT JOIN same_person sp ON sp.name_key = c.household_key
        WHERE {' AND '.join(parts)}
        QUALIFY row_number() OVER (PARTITION BY coalesce(sp.id_key, c.household_key)
                                   ORDER BY c.check_date DESC, c.batch_id DESC, c.source_line DESC) = 1"""  # noqa: S608
    return f"SELECT * FROM ({sql}) c WHERE {where}", params  # noqa: S608 - ours, bound parameters


def _sample_sql(flt: Filters, viewer: Viewer, date_from: date | None, date_to: date | None
                ) -> tuple[str, dict[str, object]]:
    """Sample sums (SAMPLE_COLUMNS) per township and village."""
    checks, params = checks_sql(flt, viewer, date_from, date_to)
    nonreg = f"grp IN {NOT_REGISTERED_TYPES!r}"
    sql = f"""
        SELECT township, village, count(*) AS checked_households,
            count(*) FILTER (WHERE grp = '脱贫户') AS exited_sample_households,
            coalesce(sum(people) FILTER (WHERE grp = '脱贫户'), 0) AS exited_sample_people,
            count(*) FILTER (WHERE {CASES['wrong_exit']}) AS wrong_exit_households,
            coalesce(sum(people) FILTER (WHERE {CASES['wrong_exit']}), 0) AS wrong_exit_people,
            count(*) FILTER (WHERE {nonreg}) AS nonreg_sample_households,
            coalesce(sum(people) FILTER (WHERE {nonreg}), 0) AS nonreg_sample_people,
            count(*) FILTER (WHERE {CASES['missed']}) AS missed_households,
            coalesce(sum(people) FILTER (WHERE {CASES['missed']}), 0) AS missed_people,
            count(*) FILTER (WHERE approval IS NOT NULL) AS answered,
            count(*) FILTER (WHERE approval = '认可') AS approved,
            count(*) FILTER (WHERE {CASES['disapproved']}) AS disapproved
        FROM ({checks}) GROUP BY township, village"""  # noqa: S608 - constants only
    return sql, params


def _registry_sql(flt: Filters, viewer: Viewer) -> tuple[str, dict[str, object]]:
    """Registered people per village (members of registered households, from the summary cells)."""
    where, params = household_where(flt, viewer, "c")
    sql = f"""
        SELECT c.township, c.village, sum(c.people) AS registered_people,
            coalesce(sum(c.people) FILTER (WHERE c.exit_status = '已脱贫'), 0) AS exited_people,
            coalesce(sum(c.people) FILTER (WHERE c.exit_status IN ('未脱贫', '返贫')), 0) AS not_exited_people
        FROM agg_household c WHERE {where} GROUP BY ALL"""  # noqa: S608
    return sql, params


def _base_sql(flt: Filters, viewer: Viewer, base_year: int | None) -> tuple[str, dict[str, object]]:
    """Each village's rural population: its latest year, or `base_year`."""
    where, params = area_where(flt, viewer, "p.township", "p.village")
    year = ""
    if base_year is not None:
        params["base_year"] = int(base_year)
        year = " AND p.year = $base_year"
    sql = f"""
        SELECT p.township, p.village, p.year AS base_year, p.rural_population, p.rural_households
        FROM population_base p WHERE {where} AND {base_usable_sql('p.rural_population')}{year}
        QUALIFY row_number() OVER (PARTITION BY p.township, p.village ORDER BY p.year DESC) = 1"""  # noqa: S608
    return sql, params


def wilson(x: np.ndarray | float, n: np.ndarray | float, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of x successes in n trials (NaN where n = 0)."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        d = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / d
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
        lo = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return lo, hi


def _village_frame(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, date_from: date | None,
                   date_to: date | None, base_year: int | None) -> pd.DataFrame:
    """Per village: sample sums, registry people, population base (outer-joined, in one statement), and
    the incidence's parts."""
    sample, p1 = prefixed(*_sample_sql(flt, viewer, date_from, date_to), "s_")
    registry, p2 = prefixed(*_registry_sql(flt, viewer), "r_")
    base, p3 = prefixed(*_base_sql(flt, viewer, base_year), "b_")
    # with a household filter a village's population base is not what was selected: only the villages
    # of the selection take theirs
    join = "FULL" if area_only(flt) else "LEFT"
    same = "{a}.township IS NOT DISTINCT FROM {b}.township AND {a}.village IS NOT DISTINCT FROM {b}.village"
    counts = ", ".join(f"CAST(coalesce({c}, 0) AS BIGINT) AS {c}" for c in (*SAMPLE_COLUMNS, *REGISTRY_COLUMNS))
    sql = f"""
        WITH s AS ({sample}), r AS ({registry}), b AS ({base}),
        sr AS (SELECT coalesce(s.township, r.township) AS township, coalesce(s.village, r.village) AS village,
                      s.* EXCLUDE (township, village), r.* EXCLUDE (township, village)
               FROM s FULL JOIN r ON {same.format(a="s", b="r")}),
        v AS (SELECT coalesce(sr.township, b.township) AS township, coalesce(sr.village, b.village) AS village,
                     {counts}, CAST(b.base_year AS DOUBLE) AS base_year,
                     CAST(b.rural_population AS DOUBLE) AS rural_population,
                     CAST(b.rural_households AS DOUBLE) AS rural_households
              FROM sr {join} JOIN b ON {same.format(a="sr", b="b")})
        SELECT *, rural_population IS NOT NULL AS has_base,
            CAST(CASE WHEN rural_population IS NOT NULL THEN greatest(rural_population - registered_people, 0)
                 ELSE 0 END AS BIGINT) AS nonreg_people,
            CASE WHEN rural_population IS NOT NULL THEN registered_people ELSE 0 END AS registered_people_b,
            CASE WHEN rural_population IS NOT NULL THEN exited_people ELSE 0 END AS exited_people_b,
            CASE WHEN rural_population IS NOT NULL THEN not_exited_people ELSE 0 END AS not_exited_people_b,
            CASE WHEN rural_population IS NOT NULL THEN 0 ELSE registered_people END AS registered_people_no_base,
            -- a base below the village's registered people (population_below_registered) makes its incidence
            -- no share of people: 150% for a village of 3 registered and 2 rural people (a probe)
            CAST(coalesce(rural_population < registered_people, false) AS BIGINT) AS villages_base_below_registered
        FROM v ORDER BY township, village"""  # noqa: S608 - our SQL, bound parameters
    return fetch(con, sql, {**p1, **p2, **p3})


Cols = dict[str, np.ndarray]  # a frame as its columns: the rates' arithmetic on ~200 rows is numpy's, not
# pandas' (each pandas operation costs ~50 µs whatever the rows: ~60 ms of 三率一度 at 10M households
# went to a few hundred of them, four times its SQL)


def _cols(df: pd.DataFrame) -> Cols:
    return {c: df[c].to_numpy() for c in df.columns}


def _failing_first(cols: Cols, keys: list[str]) -> np.ndarray:
    """The row order of `rates`: most failed figures, then the furthest over a line, then place order
    (townships as the sidebar lists them, missing places last)."""
    if not keys:
        return np.arange(len(cols["fails"]))
    town = np.array(township_rank(cols["township"]), dtype=float)
    places = [pd.factorize(pd.Series(cols[k], dtype=object), sort=True, use_na_sentinel=False)[0] for k in keys]
    # np.lexsort is stable and sorts by its last key first
    return np.lexsort((*reversed(places), np.nan_to_num(town, nan=np.inf), -cols["_excess"], -cols["fails"]))


def _rates_of(agg: Cols) -> Cols:
    """Rates, intervals and small-sample flags of the sample sums of each row (added to `agg`)."""
    for ind, (num, den, _) in PARTS.items():
        n, d = agg[num].astype(float), agg[den].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            agg[f"{ind}_rate"] = np.where(d > 0, n / np.where(d > 0, d, np.nan), np.nan)
        agg[f"{ind}_lo"], agg[f"{ind}_hi"] = wilson(n, d)
        agg[f"{ind}_small"] = d < MIN_SAMPLE
    return agg


def _group_sums(codes: np.ndarray, size: int, values: np.ndarray) -> np.ndarray:
    """Per group, the sum of `values` (integers stay integers)."""
    sums = np.bincount(codes, weights=values.astype(float), minlength=size)
    return sums.astype(values.dtype) if np.issubdtype(values.dtype, np.integer) else sums


def _aggregate(village: Cols, level: str) -> Cols:
    """The village rows summed to `level`, with their rates. A place's rural population is the sum over
    its villages with a population base (NaN when none has one)."""
    keys = KEYS[level]
    sums = [*SAMPLE_COLUMNS, *REGISTRY_COLUMNS, "nonreg_people", "registered_people_b", "exited_people_b",
            "not_exited_people_b", "registered_people_no_base", "villages", "villages_without_base",
            "villages_base_below_registered"]
    rows = {**village, "villages": np.ones(len(village["has_base"]), dtype="int64"),
            "villages_without_base": (~village["has_base"]).astype("int64")}
    base = ("rural_population", "rural_households", "base_year")
    if level == "village":
        agg = {c: rows[c] for c in (*keys, *sums, *base)}
    else:
        if keys:
            codes, uniques = pd.factorize(pd.Series(rows["township"], dtype=object), sort=True,
                                          use_na_sentinel=False)
            agg = {"township": np.asarray(uniques, dtype=object)}
        else:
            codes, agg = np.zeros(len(rows["villages"]), dtype="int64"), {}
        size = int(codes.max()) + 1 if len(codes) else 0
        agg.update({c: _group_sums(codes, size, rows[c]) for c in sums})
        for c in base:  # the population base (floats): sums and the latest year over the villages that have one
            values = rows[c]
            known = np.bincount(codes, weights=~np.isnan(values), minlength=size) > 0
            if c == "base_year":
                latest = np.full(size, -np.inf)
                np.fmax.at(latest, codes, values)
                agg[c] = np.where(known, latest, np.nan)
            else:
                agg[c] = np.where(known, np.bincount(codes, weights=np.nan_to_num(values), minlength=size), np.nan)
    return _rates_of(agg)


def _lookup(rows: Cols, parent: Cols, keys: list[str]) -> np.ndarray:
    """For each row, the index of the parent row with its `keys` (-1: none); no keys: the parent's only row."""
    n = len(next(iter(rows.values())))
    if not keys:
        return np.zeros(n, dtype="int64")
    at = {tuple(_key(parent[k][i]) for k in keys): i for i in range(len(parent[keys[0]]))}
    return np.array([at.get(tuple(_key(rows[k][i]) for k in keys), -1) for i in range(n)], dtype="int64")


def _key(value: object) -> object:
    """A place key that matches a missing key as pandas' merge does (None and NaN alike)."""
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _borrow(rows: Cols, parents: list[tuple[Cols, list[str], str]]) -> Cols:
    """The rates the incidence uses: a row's own where its sample has households of the group, else
    the first parent's that has them (`rates_from` names whose)."""
    for ind in ("wrong_exit", "missed"):
        _, den, _ = PARTS[ind]
        use = {c: rows[f"{ind}_{c}"].copy() for c in ("rate", "lo", "hi", "small")}
        use["people"] = rows[den].astype(float)  # the sample the rate used rests on: the lender's when borrowed
        src = np.where(rows[den] > 0, "own", "none").astype(object)
        for parent, keys, name in parents:
            if not len(parent[den]):
                continue
            at = _lookup(rows, parent, keys)
            found = at >= 0
            pick = np.where(found, at, 0)
            take = (src == "none") & found & (np.nan_to_num(parent[den][pick].astype(float)) > 0)
            for c in ("rate", "lo", "hi", "small"):
                use[c] = np.where(take, parent[f"{ind}_{c}"][pick], use[c])
            use["people"] = np.where(take, parent[den][pick].astype(float), use["people"])
            src = np.where(take, name, src).astype(object)
        rows[f"{ind}_used_rate"], rows[f"{ind}_used_lo"], rows[f"{ind}_used_hi"] = use["rate"], use["lo"], use["hi"]
        rows[f"{ind}_used_small"] = np.where(src != "none", use["small"], True).astype(bool)
        rows[f"{ind}_used_people"] = use["people"]
        rows[f"{ind}_rates_from"] = src
    return rows


def _lenders(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, frames: dict[str, Cols],
             period: tuple[date | None, date | None]) -> dict[str, Cols]:
    """The rates a place borrows from ('all', 'township'): its township's and the whole scope's (every
    township the viewer sees), both without the place filter, so that a place gets the same figure
    whatever the filter shows it in. A borrowed rate is of the survey alone: under a place filter the
    scope's sample is read again (the small checks table), once for every level, not its registry or
    base."""
    if not (flt.townships or flt.villages):
        return frames
    sample, params = _sample_sql(flt.with_(townships=(), villages=()), viewer, *period)
    sums = ", ".join(f"CAST(coalesce(sum({c}), 0) AS BIGINT) AS {c}" for c in SAMPLE_COLUMNS)
    cols = _cols(fetch(con, f"""
        SELECT township, GROUPING(township) = 1 AS whole, {sums} FROM ({sample})
        GROUP BY GROUPING SETS ((), (township)) ORDER BY whole DESC, township""", params))  # noqa: S608
    whole = cols.pop("whole").astype(bool)
    towns = ~whole & np.array([isinstance(t, str) for t in cols["township"]], dtype=bool)
    return {"all": _rates_of({c: cols[c][whole] for c in SAMPLE_COLUMNS}),
            "township": _rates_of({c: v[towns] for c, v in cols.items()})}


def _parents(flt: Filters, level: str, village: Cols, frames: dict[str, Cols]) -> list[tuple[Cols, list[str], str]]:
    """Where a row of `level` borrows a rate its own sample lacks, in order (`frames`: `_lenders`)."""
    county = (frames["all"], [], "all")
    if level in ("village", "township"):
        # a township's row borrows its whole township's rate first: under a village filter the row is
        # the chosen villages of the township, and borrowed the county's rate where the tiles and the
        # village table (the same villages) borrowed the township's, three figures for one place. Without
        # a village filter the township's rate is the row's own, and the county's comes next as before.
        return [(frames["township"], ["township"], "township"), county]
    if not (flt.townships or flt.villages):  # the whole scope itself: nothing above it
        return []
    # the filtered area as one row: within one township, that township's rates first
    towns = pd.Series(village["township"]).dropna().unique()
    if len(towns) != 1:
        return [county]
    inside = frames["township"]["township"] == towns[0]
    town = {c: v[inside] for c, v in frames["township"].items()}
    return [(town, [], "township"), county] if inside.any() else [county]


def _incidence(rows: Cols, computable: bool) -> Cols:
    """综合贫困发生率 and its band. A rate neither the place nor its parents have (nobody of the group
    surveyed anywhere the viewer sees) leaves the figure unknown where that group has people: the band
    takes it as anything from 0 to 1, the point estimate is not made up."""
    population = rows["rural_population"].astype(float)
    pop = np.where(population > 0, population, np.nan)
    parts = {}
    for end, unknown in (("rate", np.nan), ("lo", 0.0), ("hi", 1.0)):
        def used(ind: str, people: str, end: str = end, unknown: float = unknown) -> np.ndarray:
            rate = rows[f"{ind}_used_{end}"].astype(float)
            return np.where(~np.isnan(rate) | (rows[people] == 0), np.nan_to_num(rate), unknown)

        parts[end] = (rows["not_exited_people_b"] + used("missed", "nonreg_people") * rows["nonreg_people"]
                      + used("wrong_exit", "exited_people_b") * rows["exited_people_b"])
    rows["incidence_numerator"] = parts["rate"].astype(float)
    for end in ("rate", "lo", "hi"):
        rows[f"incidence_{end}"] = parts[end] / pop if computable else np.full(len(pop), np.nan)
    rows["incidence_small"] = rows["wrong_exit_used_small"] | rows["missed_used_small"]
    rows["incidence_rates_from"] = np.array(
        [w if w == m else f"{w}/{m}" for w, m in zip(rows["wrong_exit_rates_from"], rows["missed_rates_from"],
                                                     strict=True)], dtype=object)
    return rows


def _verdicts(rows: Cols, lines: Lines) -> Cols:
    """`<ind>_pass` (True, False, None: no figure), `failed` (the indicators over their line), `fails`, and
    `_excess` (how far the worst failed figure is beyond its line, relative to the line) for sorting."""
    excess = np.full(len(rows["approval_rate"]), -np.inf)
    failed_masks = {}
    for ind in INDICATORS:
        value = rows[f"{ind}_rate"].astype(float)
        line = getattr(lines, ind)
        known = ~np.isnan(value)
        with np.errstate(invalid="ignore"):
            passes = within(ind, value, line)
        margin = (line - value) / line if ind == "approval" else (value - line) / line
        fail = known & ~passes
        failed_masks[ind] = fail
        excess = np.where(fail, np.maximum(excess, margin), excess)
        rows[f"{ind}_pass"] = np.where(known, passes.astype(object), None)
    failed = np.empty(len(excess), dtype=object)
    for i, hits in enumerate(zip(*(failed_masks[i] for i in INDICATORS), strict=True)):
        failed[i] = [ind for ind, hit in zip(INDICATORS, hits, strict=True) if hit]
    rows["failed"] = failed
    rows["fails"] = sum(failed_masks[i].astype("int64") for i in INDICATORS)
    rows["_excess"] = excess
    return rows


def rates(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, *, level: str = "all",
          date_from: date | None = None, date_to: date | None = None, base_year: int | None = None,
          lines: Lines = DEFAULT_LINES) -> pd.DataFrame:
    """The four figures per place of `level` ('all': one row for the filtered area; 'township';
    'village'), failing places first (most failed figures, then the furthest over a line), then in
    place order. Columns: keys, per indicator `<ind>_rate`, `_lo`, `_hi`, `_small`, `_pass` (None: no
    figure), the sample sums (numerators and denominators, see PARTS), `checked_households`,
    the registry and population parts of the incidence, `incidence_rates_from`, `villages`,
    `villages_without_base`, `registered_people_no_base`, `villages_base_below_registered`, `failed` (indicators), `fails`."""
    return rates_by_level(con, flt, viewer, levels=(level,), date_from=date_from, date_to=date_to,
                          base_year=base_year, lines=lines)[level]


def rates_by_level(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, *,
                   levels: tuple[str, ...] = LEVELS, date_from: date | None = None, date_to: date | None = None,
                   base_year: int | None = None, lines: Lines = DEFAULT_LINES) -> dict[str, pd.DataFrame]:
    """`rates` of each of `levels`, from one reading of the checks, registry and population base (the
    page and the briefing read several levels: each read them again)."""
    if unknown := set(levels) - set(LEVELS):
        raise ValueError(f"level must be one of {LEVELS}, not {sorted(unknown)}")
    village_df = _village_frame(con, flt, viewer, date_from, date_to, base_year)
    if village_df.empty:
        return {level: pd.DataFrame() for level in levels}
    village = _cols(village_df)
    # the levels asked for and those they borrow a rate from: the county and the townships (`_parents`)
    frames = {lv: _aggregate(village, lv) for lv in {*levels, "all", "township"}}
    lenders = _lenders(con, flt, viewer, frames, (date_from, date_to))
    out = {}
    for level in levels:
        cols = _verdicts(_incidence(_borrow(dict(frames[level]), _parents(flt, level, village, lenders)),
                                    area_only(flt)), lines)
        order = _failing_first(cols, KEYS[level])
        out[level] = pd.DataFrame({c: v[order] for c, v in cols.items() if c != "_excess"})
    return out


def figures(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, *, date_from: date | None = None,
            date_to: date | None = None, base_year: int | None = None, lines: Lines = DEFAULT_LINES
            ) -> pd.DataFrame:
    """The four figures of the filtered area, one row each (INDICATORS order): indicator, value, lo, hi,
    numerator, denominator, sample_households, sample_people (NaN for approval: it counts households),
    small, small_parts (`_small_parts`), borrowed (`_borrowed`), line, passes."""
    df = rates(con, flt, viewer, level="all", date_from=date_from, date_to=date_to, base_year=base_year,
               lines=lines)
    if df.empty:
        return pd.DataFrame()
    return figures_of(df.iloc[0], lines)


def small_figures(rates_df: pd.DataFrame) -> list[list[str]]:
    """Per row of `rates`, the indicators whose figure rests on fewer than MIN_SAMPLE (a figure not
    computed is not among them): the 样本不足 column of the page and the briefing."""
    return [[i for i in INDICATORS if r[f"{i}_small"] and not pd.isna(r[f"{i}_rate"])]
            for _, r in rates_df.iterrows()]


def unconfirmed_figures(rates_df: pd.DataFrame, lines: Lines = DEFAULT_LINES) -> list[list[str]]:
    """Per row of `rates`, the indicators within their lines whose interval holds the line (`unconfirmed`):
    达标 the sample cannot confirm, said beside the verdict of the page's place tables."""
    return [[i for i in INDICATORS if unconfirmed(r[f"{i}_pass"], r[f"{i}_lo"], r[f"{i}_hi"], getattr(lines, i))]
            for _, r in rates_df.iterrows()]


def figures_of(row: pd.Series, lines: Lines = DEFAULT_LINES) -> pd.DataFrame:
    """The long form of one row of `rates`."""
    out = []
    for ind in INDICATORS:
        if ind == "incidence":
            num, den = row["incidence_numerator"], row["rural_population"]
            households = row["exited_sample_households"] + row["nonreg_sample_households"]
            people = row["exited_sample_people"] + row["nonreg_sample_people"]
        else:
            n, d, h = PARTS[ind]
            num, den, households = row[n], row[d], row[h]
            people = row[d] if ind != "approval" else None
        value = row[f"{ind}_rate"]
        out.append({"indicator": ind, "value": None if pd.isna(value) else float(value),
                    "lo": None if pd.isna(row[f"{ind}_lo"]) else float(row[f"{ind}_lo"]),
                    "hi": None if pd.isna(row[f"{ind}_hi"]) else float(row[f"{ind}_hi"]),
                    "numerator": None if pd.isna(num) else float(num),
                    "denominator": None if pd.isna(den) else float(den),
                    "sample_households": int(households),
                    "sample_people": float("nan") if people is None else float(people),
                    "small": bool(row[f"{ind}_small"]), "small_parts": _small_parts(row, ind),
                    "borrowed": _borrowed(row) if ind == "incidence" else [],
                    "line": getattr(lines, ind),
                    "passes": lines.passes(ind, None if pd.isna(value) else float(value))})
        out[-1]["unconfirmed"] = unconfirmed(out[-1]["passes"], out[-1]["lo"], out[-1]["hi"], out[-1]["line"])
    return pd.DataFrame(out)


def _small_parts(row: pd.Series, ind: str) -> list[tuple[str, float]]:
    """(rate, its sample people) for each survey rate whose sample is too small for `ind`: the rate
    itself, or for the incidence the rates it puts into its formula (`incidence_small`)."""
    if ind != "incidence":
        return [(ind, float(row[PARTS[ind][1]]))] if bool(row[f"{ind}_small"]) else []
    # the sample of the rate the incidence used, a lender's when borrowed: a township without checks read
    # "错退率（0人）、漏评率（0人）的样本不足" beside a figure from the county's 19 and 22 people (a probe)
    return [(p, float(row[f"{p}_used_people"])) for p in ("wrong_exit", "missed") if bool(row[f"{p}_used_small"])]


def _borrowed(row: pd.Series) -> list[tuple[str, str, float, float]]:
    """(rate, lender: 'township' or 'all', its value, its sample people) for each survey rate the
    incidence borrowed (`_borrow`): the tile said only the place's own sample, 0 households."""
    return [(p, str(row[f"{p}_rates_from"]), float(row[f"{p}_used_rate"]), float(row[f"{p}_used_people"]))
            for p in ("wrong_exit", "missed") if row[f"{p}_rates_from"] in ("township", "all")]


def cases_sql(flt: Filters, viewer: Viewer, kind: str, *, date_from: date | None = None,
              date_to: date | None = None) -> tuple[str, dict[str, object]]:
    """The surveyed households behind a figure (`kind` in CASES), personal data masked unless the viewer
    may see it (names inside the notes too: the head's and the registry members')."""
    if kind not in CASES:
        raise ValueError(f"kind must be one of {tuple(CASES)}")
    checks, params = checks_sql(flt, viewer, date_from, date_to)
    items = ", ".join(f"CASE WHEN c.{col} = FALSE THEN '{name}' END" for col, name in ITEMS.items())
    notes = "c.notes" if viewer.pii else redacted_text_sql("c.notes", "n.names")
    sql = f"""
        WITH c AS ({checks}),
        named AS (
            SELECT hk, name FROM members WHERE hk IN (SELECT hk FROM c WHERE {CASES[kind]}) AND length(name) >= 2
            UNION SELECT hk, head_name FROM c WHERE {CASES[kind]} AND length(head_name) >= 2
        ),
        names AS (SELECT hk, list(name ORDER BY length(name) DESC, name) AS names FROM named GROUP BY hk)
        SELECT c.township, c.village, c.check_date,
            -- an ID number typed as the 户编号 of a household outside the registry is masked as an ID is
            {mask_household_id('coalesce(c.household_id, c.reg_household_id)', viewer)} AS household_id,
            {mask_name('c.head_name', viewer)} AS head_name, {mask_id('c.id_number', viewer)} AS id_number,
            c.household_type, c.grp AS counted_as, c.reg_exit_status AS exit_status, c.people,
            c.income_per_capita, list_filter([{items}], lambda x: x IS NOT NULL) AS failed_items,
            c.finding, c.approval, c.surveyor, {notes} AS notes
        FROM c LEFT JOIN names n ON n.hk IS NOT DISTINCT FROM c.hk
        WHERE {CASES[kind].replace('grp', 'c.grp').replace('finding', 'c.finding').replace('approval', 'c.approval')}
        ORDER BY c.township, c.village, c.check_date, c.household_key"""  # noqa: S608 - constants only
    return sql, params


def cases(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, kind: str, *, date_from: date | None = None,
          date_to: date | None = None) -> pd.DataFrame:
    """township, village, check_date, household_id, head_name, id_number, household_type, counted_as,
    exit_status (registry), people, income_per_capita, failed_items (两不愁三保障 items answered 否),
    finding, approval, surveyor, notes."""
    sql, params = cases_sql(flt, viewer, kind, date_from=date_from, date_to=date_to)
    return fetch(con, sql, params)


def signals(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, *, level: str = "township"
            ) -> pd.DataFrame:
    """Data-rule signals from the registry (not survey figures), per place: exited households and those
    suspected of a wrong exit (疑似错退), monitored non-registered households and those below the line
    (疑似漏评). Places with most signals first."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    keys = ", ".join(f"c.{k}" for k in KEYS[level]) or "'all' AS area"
    where, params = household_where(flt, viewer, "c")
    sql = f"""
        SELECT {keys},
            coalesce(sum(c.households) FILTER (WHERE c.exit_status = '已脱贫'), 0)::BIGINT AS exited_households,
            coalesce(sum(c.wrong_exits), 0)::BIGINT AS suspected_wrong_exits,
            coalesce(sum(c.households) FILTER (WHERE c.exit_status IS NULL AND c.monitoring_type IS NOT NULL), 0)::BIGINT
                AS monitored_not_registered,
            coalesce(sum(c.below_line) FILTER (WHERE {SUSPECTED_MISSED_CELL_SQL}), 0)::BIGINT AS suspected_missed
        FROM agg_household c WHERE {where} GROUP BY ALL
        ORDER BY suspected_wrong_exits + suspected_missed DESC{', ' + ', '.join(f'c.{k}' for k in KEYS[level])
                                                              if KEYS[level] else ''}"""  # noqa: S608
    df = fetch(con, sql, params)
    if "area" in df:
        df = df.drop(columns=["area"])
    with np.errstate(divide="ignore", invalid="ignore"):
        df["suspected_wrong_exit_share"] = df["suspected_wrong_exits"] / df["exited_households"].where(
            df["exited_households"] > 0)
    return df


def check_period(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, date_from: date | None = None,
                 date_to: date | None = None) -> pd.DataFrame:
    """first, last (check dates) and households (surveyed) in the filter and scope, of the period (any
    date by default)."""
    checks, params = checks_sql(flt, viewer, date_from, date_to)
    sql = f"SELECT min(check_date) AS first, max(check_date) AS last, count(*) AS households FROM ({checks})"  # noqa: S608
    return fetch(con, sql, params)


def default_period(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> tuple[date, date] | None:
    """The calendar year of the latest check in the filter and scope; where the filter has none, of the
    area a place without checks borrows its rates from (`_parents`: its township, else the whole scope),
    None when there is no check at all. A village without a checked household, filtered to, had no
    period: its incidence borrowed its township's rates over every year's checks (49.8%, 不达标) where
    the township's table, in the year of its latest check, showed the same village 0.0%, 达标 (a probe,
    2026-12-06)."""
    tried = []
    for wider in (flt, flt.with_(villages=()), flt.with_(townships=(), villages=())):
        if wider in tried:
            continue
        tried.append(wider)
        df = check_period(con, wider, viewer)
        last = df["last"].iloc[0] if len(df) else None
        if last is not None and not pd.isna(last):
            year = pd.Timestamp(last).year
            return date(year, 1, 1), date(year, 12, 31)
    return None


def base_years(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> list[int]:
    """Years of the population base in the filter and scope, latest first."""
    where, params = area_where(flt, viewer, "p.township", "p.village")
    df = fetch(con, f"SELECT DISTINCT p.year FROM population_base p WHERE {where} ORDER BY 1 DESC", params)  # noqa: S608
    return [int(y) for y in df["year"]]
