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
    name_key_sql,
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
    mask_id,
    mask_name,
    merge,
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
    where, params = area_where(flt, viewer, township, village)
    if not area_only(flt):
        hw, hp = household_where(flt, viewer, alias="hf")
        where, params = merge((where, params), (f"c.hk IN (SELECT hf.hk FROM hh_facts hf WHERE {hw})", hp))  # noqa: S608
    parts = [where, *_period(params, "c.check_date", date_from, date_to)]
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
    return sql, params


def _sample(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, date_from: date | None,
            date_to: date | None) -> pd.DataFrame:
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
    return fetch(con, sql, params)


def _registry(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """Registered people per village (members of registered households, from the summary cells)."""
    where, params = household_where(flt, viewer, "c")
    sql = f"""
        SELECT c.township, c.village, sum(c.people) AS registered_people,
            coalesce(sum(c.people) FILTER (WHERE c.exit_status = '已脱贫'), 0) AS exited_people,
            coalesce(sum(c.people) FILTER (WHERE c.exit_status IN ('未脱贫', '返贫')), 0) AS not_exited_people
        FROM agg_household c WHERE {where} GROUP BY ALL"""  # noqa: S608
    return fetch(con, sql, params)


def _base(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, base_year: int | None) -> pd.DataFrame:
    """Each village's rural population: its latest year, or `base_year`."""
    where, params = area_where(flt, viewer, "p.township", "p.village")
    year = ""
    if base_year is not None:
        params["base_year"] = int(base_year)
        year = " AND p.year = $base_year"
    sql = f"""
        SELECT p.township, p.village, p.year AS base_year, p.rural_population, p.rural_households
        FROM population_base p WHERE {where} AND p.rural_population IS NOT NULL{year}
        QUALIFY row_number() OVER (PARTITION BY p.township, p.village ORDER BY p.year DESC) = 1"""  # noqa: S608
    return fetch(con, sql, params)


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
    """Per village: sample sums, registry people, population base (outer-joined)."""
    sample = _sample(con, flt, viewer, date_from, date_to)
    registry = _registry(con, flt, viewer)
    base = _base(con, flt, viewer, base_year)
    df = sample.merge(registry, on=["township", "village"], how="outer")
    if area_only(flt):  # with a household filter a village's population base is not what was selected
        df = df.merge(base, on=["township", "village"], how="outer")
    else:
        df = df.merge(base, on=["township", "village"], how="left")
    for col in (*SAMPLE_COLUMNS, *REGISTRY_COLUMNS):
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0).astype("int64") if col in df else 0
    has_base = df["rural_population"].notna()
    df["has_base"] = has_base
    df["nonreg_people"] = np.where(has_base, (df["rural_population"] - df["registered_people"]).clip(lower=0), 0)
    for col in ("registered_people", "exited_people", "not_exited_people"):
        df[f"{col}_b"] = np.where(has_base, df[col], 0)  # the incidence's parts: villages with a base only
    df["registered_people_no_base"] = np.where(has_base, 0, df["registered_people"])
    return df


def _with(df: pd.DataFrame, new: dict[str, object]) -> pd.DataFrame:
    """`df` with the columns of `new` added at once (one insertion per column was most of the pandas
    time of 三率一度 at 10M households: ~750 insertions a page)."""
    return pd.concat([df, pd.DataFrame(new, index=df.index)], axis=1)


def _rates_of(agg: pd.DataFrame) -> pd.DataFrame:
    """Rates, intervals and small-sample flags of the sample sums of each row."""
    new: dict[str, object] = {}
    for ind, (num, den, _) in PARTS.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            new[f"{ind}_rate"] = np.where(agg[den] > 0, agg[num] / agg[den].where(agg[den] > 0), np.nan)
        new[f"{ind}_lo"], new[f"{ind}_hi"] = wilson(agg[num], agg[den])
        new[f"{ind}_small"] = (agg[den] < MIN_SAMPLE).to_numpy()
    return _with(agg, new)


def _aggregate(village: pd.DataFrame, level: str) -> pd.DataFrame:
    """The village rows summed to `level`, with their rates. A place's rural population is the sum over
    its villages with a population base (NaN when none has one)."""
    keys = KEYS[level]
    sums = [*SAMPLE_COLUMNS, *REGISTRY_COLUMNS, "nonreg_people", "registered_people_b", "exited_people_b",
            "not_exited_people_b", "registered_people_no_base", "villages", "villages_without_base"]
    rows = village.assign(villages=1, villages_without_base=(~village["has_base"]).astype(int))
    if level == "village":
        agg = rows[[*keys, *sums, "rural_population", "rural_households", "base_year"]].copy()
    else:
        # one grouping for every column (a grouping per column was most of the rates' time: 40 ms a call)
        grouped = rows.assign(_all=0).groupby(keys or ["_all"], dropna=False, sort=True)
        agg = grouped[sums].sum()
        agg[["rural_population", "rural_households"]] = grouped[["rural_population", "rural_households"]].sum(
            min_count=1)
        agg["base_year"] = grouped["base_year"].max()
        agg = agg.reset_index(drop=not keys)
    agg["rural_population"] = pd.to_numeric(agg["rural_population"], errors="coerce")
    return _rates_of(agg)


def _borrow(rows: pd.DataFrame, parents: list[tuple[pd.DataFrame, list[str], str]]) -> pd.DataFrame:
    """The rates the incidence uses: a row's own where its sample has households of the group, else
    the first parent's that has them (`rates_from` names whose)."""
    new: dict[str, object] = {}
    for ind in ("wrong_exit", "missed"):
        _, den, _ = PARTS[ind]
        use = {c: rows[f"{ind}_{c}"].copy() for c in ("rate", "lo", "hi", "small")}
        src = pd.Series(np.where(rows[den] > 0, "own", "none"), index=rows.index, dtype=object)
        for parent, keys, name in parents:
            cols = [f"{ind}_{c}" for c in ("rate", "lo", "hi", "small")]
            if keys:
                p = rows[keys].merge(parent[[*keys, den, *cols]], on=keys, how="left")
                p.index = rows.index
            else:
                p = pd.DataFrame({c: [parent[c].iloc[0]] * len(rows) for c in (den, *cols)}, index=rows.index)
            take = (src == "none") & (pd.to_numeric(p[den], errors="coerce").fillna(0) > 0)
            for c in ("rate", "lo", "hi", "small"):
                use[c] = use[c].where(~take, p[f"{ind}_{c}"])
            src = src.where(~take, name)
        new.update({f"{ind}_used_rate": use["rate"], f"{ind}_used_lo": use["lo"], f"{ind}_used_hi": use["hi"],
                    f"{ind}_used_small": use["small"].where(src != "none", True).astype(bool),
                    f"{ind}_rates_from": src})
    return _with(rows, new)


def _lenders(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, frames: dict[str, pd.DataFrame],
             period: tuple[date | None, date | None]) -> dict[str, pd.DataFrame]:
    """The rates a place borrows from ('all', 'township'): its township's and the whole scope's (every
    township the viewer sees), both without the place filter, so that a place gets the same figure
    whatever the filter shows it in. A borrowed rate is of the survey alone: under a place filter the
    scope's sample is read again (the small checks table), once for every level, not its registry or
    base."""
    if not (flt.townships or flt.villages):
        return frames
    sample = _sample(con, flt.with_(townships=(), villages=()), viewer, *period)
    for col in SAMPLE_COLUMNS:
        sample[col] = pd.to_numeric(sample[col], errors="coerce").fillna(0).astype("int64")
    return {"all": _rates_of(sample[list(SAMPLE_COLUMNS)].sum().to_frame().T),
            "township": _rates_of(sample.groupby("township")[list(SAMPLE_COLUMNS)].sum().reset_index())}


def _parents(flt: Filters, level: str, village: pd.DataFrame, frames: dict[str, pd.DataFrame]
             ) -> list[tuple[pd.DataFrame, list[str], str]]:
    """Where a row of `level` borrows a rate its own sample lacks, in order (`frames`: `_lenders`)."""
    county = (frames["all"], [], "all")
    if level == "village":
        return [(frames["township"], ["township"], "township"), county]
    if level == "township":
        return [county]
    if not (flt.townships or flt.villages):  # the whole scope itself: nothing above it
        return []
    # the filtered area as one row: within one township, that township's rates first
    towns = village["township"].dropna().unique()
    if len(towns) != 1:
        return [county]
    town = frames["township"][frames["township"]["township"] == towns[0]]
    return [(town, [], "township"), county] if len(town) else [county]


def _incidence(rows: pd.DataFrame, computable: bool) -> pd.DataFrame:
    """综合贫困发生率 and its band. A rate neither the place nor its parents have (nobody of the group
    surveyed anywhere the viewer sees) leaves the figure unknown where that group has people: the band
    takes it as anything from 0 to 1, the point estimate is not made up."""
    pop = rows["rural_population"].where(rows["rural_population"] > 0)
    parts = {}
    for end, unknown in (("rate", np.nan), ("lo", 0.0), ("hi", 1.0)):
        def used(ind: str, people: str, end: str = end, unknown: float = unknown) -> pd.Series:
            rate = rows[f"{ind}_used_{end}"]
            return rate.fillna(0.0).where(rate.notna() | (rows[people] == 0), unknown)

        parts[end] = (rows["not_exited_people_b"] + used("missed", "nonreg_people") * rows["nonreg_people"]
                      + used("wrong_exit", "exited_people_b") * rows["exited_people_b"])
    new: dict[str, object] = {"incidence_numerator": parts["rate"]}
    for end in ("rate", "lo", "hi"):
        new[f"incidence_{end}"] = parts[end] / pop if computable else np.nan
    new["incidence_small"] = rows["wrong_exit_used_small"] | rows["missed_used_small"]
    new["incidence_rates_from"] = [
        w if w == m else f"{w}/{m}" for w, m in zip(rows["wrong_exit_rates_from"], rows["missed_rates_from"],
                                                     strict=True)]
    return _with(rows, new)


def _verdicts(rows: pd.DataFrame, lines: Lines) -> pd.DataFrame:
    """`<ind>_pass` (True, False, None: no figure), `failed` (the indicators over their line), `fails`, and
    `_excess` (how far the worst failed figure is beyond its line, relative to the line) for sorting."""
    excess = np.full(len(rows), -np.inf)
    failed_masks = {}
    new: dict[str, object] = {}
    for ind in INDICATORS:
        value = pd.to_numeric(rows[f"{ind}_rate"], errors="coerce")
        line = getattr(lines, ind)
        passes = value >= line if ind == "approval" else value <= line
        margin = (line - value) / line if ind == "approval" else (value - line) / line
        fail = value.notna() & ~passes
        failed_masks[ind] = fail.to_numpy()
        excess = np.where(fail, np.maximum(excess, margin), excess)
        new[f"{ind}_pass"] = pd.Series(np.where(value.isna(), None, passes), index=rows.index, dtype=object)
    new["failed"] = [[ind for ind, hit in zip(INDICATORS, hits, strict=True) if hit]
                     for hits in zip(*(failed_masks[i] for i in INDICATORS), strict=True)]
    new["fails"] = sum(failed_masks[i].astype(int) for i in INDICATORS)
    new["_excess"] = excess
    return _with(rows, new)


def rates(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, *, level: str = "all",
          date_from: date | None = None, date_to: date | None = None, base_year: int | None = None,
          lines: Lines = DEFAULT_LINES) -> pd.DataFrame:
    """The four figures per place of `level` ('all': one row for the filtered area; 'township';
    'village'), failing places first (most failed figures, then the furthest over a line), then in
    place order. Columns: keys, per indicator `<ind>_rate`, `_lo`, `_hi`, `_small`, `_pass` (None: no
    figure), the sample sums (numerators and denominators, see PARTS), `checked_households`,
    the registry and population parts of the incidence, `incidence_rates_from`, `villages`,
    `villages_without_base`, `registered_people_no_base`, `failed` (indicators), `fails`."""
    return rates_by_level(con, flt, viewer, levels=(level,), date_from=date_from, date_to=date_to,
                          base_year=base_year, lines=lines)[level]


def rates_by_level(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, *,
                   levels: tuple[str, ...] = LEVELS, date_from: date | None = None, date_to: date | None = None,
                   base_year: int | None = None, lines: Lines = DEFAULT_LINES) -> dict[str, pd.DataFrame]:
    """`rates` of each of `levels`, from one reading of the checks, registry and population base (the
    page and the briefing read several levels: each read them again)."""
    if unknown := set(levels) - set(LEVELS):
        raise ValueError(f"level must be one of {LEVELS}, not {sorted(unknown)}")
    village = _village_frame(con, flt, viewer, date_from, date_to, base_year)
    if village.empty:
        return {level: pd.DataFrame() for level in levels}
    # the levels asked for and those they borrow a rate from: the county and the townships (`_parents`)
    frames = {lv: _aggregate(village, lv) for lv in {*levels, "all", "township"}}
    lenders = _lenders(con, flt, viewer, frames, (date_from, date_to))
    out = {}
    for level in levels:
        rows = _borrow(frames[level], _parents(flt, level, village, lenders))
        rows = _incidence(rows, area_only(flt))
        rows = _verdicts(rows, lines)
        keys = KEYS[level]
        if keys:
            rows["_town"] = township_rank(rows["township"])
            rows = rows.sort_values(["fails", "_excess", "_town", *keys], ascending=[False, False, True]
                                    + [True] * len(keys), kind="mergesort").drop(columns=["_town"])
        out[level] = rows.drop(columns=["_excess"]).reset_index(drop=True)
    return out


def figures(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, *, date_from: date | None = None,
            date_to: date | None = None, base_year: int | None = None, lines: Lines = DEFAULT_LINES
            ) -> pd.DataFrame:
    """The four figures of the filtered area, one row each (INDICATORS order): indicator, value, lo, hi,
    numerator, denominator, sample_households, sample_people (NaN for approval: it counts households),
    small, small_parts (`_small_parts`), line, passes."""
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
                    "line": getattr(lines, ind),
                    "passes": lines.passes(ind, None if pd.isna(value) else float(value))})
    return pd.DataFrame(out)


def _small_parts(row: pd.Series, ind: str) -> list[tuple[str, float]]:
    """(rate, its sample people) for each survey rate whose sample is too small for `ind`: the rate
    itself, or for the incidence the rates it puts into its formula (`incidence_small`)."""
    parts = ("wrong_exit", "missed") if ind == "incidence" else (ind,)
    flag = "{}_used_small" if ind == "incidence" else "{}_small"
    return [(p, float(row[PARTS[p][1]])) for p in parts if bool(row[flag.format(p)])]


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
        SELECT c.township, c.village, c.check_date, coalesce(c.household_id, c.reg_household_id) AS household_id,
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
    """The calendar year of the latest check in the filter and scope (None: no check)."""
    df = check_period(con, flt, viewer)
    last = df["last"].iloc[0] if len(df) else None
    if last is None or pd.isna(last):
        return None
    year = pd.Timestamp(last).year
    return date(year, 1, 1), date(year, 12, 31)


def base_years(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> list[int]:
    """Years of the population base in the filter and scope, latest first."""
    where, params = area_where(flt, viewer, "p.township", "p.village")
    df = fetch(con, f"SELECT DISTINCT p.year FROM population_base p WHERE {where} ORDER BY 1 DESC", params)  # noqa: S608
    return [int(y) for y in df["year"]]
