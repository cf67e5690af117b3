"""The self-check sample planner (自查抽样): a reproducible sample drawn the way assessment teams draw it.

1. Villages by probability proportional to size (PPS), systematic: the villages of the filtered area
   in place order (township code, village), each with its size (乡村户数 of its population base, latest
   year; without a base, its registry households), cumulated; a random start in [0, I) from the seed and
   a point every I = total / n. A village at least as large as I is taken for certain and the rest
   drawn again without it. Each village's inclusion probability is n × size / total (at most 1).
2. In each village drawn: a share of its 脱贫户 (at least one, at most a cap), all its 未脱贫户 up to a cap, its
   monitored non-registered households (边缘户) up to a cap, each group in the seeded draw order of the
   visits page's inspection sample ((a × h + b) mod (2³¹ − 1), h from md5(户编号), a and b from
   md5(seed): `etl.derive_cells.draw_key_sql`); and a number of blank rows for 一般农户, chosen on the
   spot (the registry does not know them; the population base says how many there are).
The same filter, settings and seed give the same sample on any machine. Only place filters (and the
viewer's townships) apply: a sample is of places. Personal data masked unless the viewer may see it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import duckdb
import pandas as pd

from etl.derive_cells import draw_key_sql, seed_draw
from queries.filters import (
    Filters,
    Viewer,
    area_where,
    fetch,
    household_where,
    in_place_order,
    mask_id,
    mask_name,
    prefixed,
)

GROUP_ORDER = ("脱贫户", "未脱贫户", "边缘户", "一般农户")


@dataclass(frozen=True)
class PlanSpec:
    """What to draw. `seed` makes the draw reproducible; it is shown on the page and the form."""

    seed: int = 2020
    villages: int = 10
    exited_share: float = 0.2  # of a village's 脱贫户 (at least one when it has any)
    # …and at most this many: a team visits a village's sample in a day (20% of a 3,000-household
    # village's exited households was 600 rows of one village's form)
    exited_cap: int = 30
    not_exited_cap: int = 10  # all 未脱贫户 up to this many
    edge_cap: int = 5  # monitored, not registered households, up to this many
    ordinary: int = 5  # blank rows for 一般农户 per village, chosen on the spot


def village_frame(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """township, village, size (乡村户数, else registry households), size_from ('base' / 'registry'),
    rural_households, households (registry), in place order."""
    where, params = household_where(flt.area_only(), viewer, "c")
    bw, bp = area_where(flt, viewer, "p.township", "p.village")
    base, bp = prefixed(bw, bp, "b_")
    df = fetch(con, f"""
        WITH r AS (SELECT c.township, c.village, sum(c.households)::BIGINT AS households
                   FROM agg_household c WHERE {where} GROUP BY ALL),
        b AS (SELECT p.township, p.village, CAST(p.rural_households AS DOUBLE) AS rural_households
              FROM population_base p WHERE {base} AND p.rural_households > 0
              QUALIFY row_number() OVER (PARTITION BY p.township, p.village ORDER BY p.year DESC) = 1),
        v AS (SELECT coalesce(r.township, b.township) AS township, coalesce(r.village, b.village) AS village,
                     coalesce(r.households, 0) AS households, b.rural_households
              FROM r FULL JOIN b ON r.township = b.township AND r.village = b.village)
        SELECT *, CASE WHEN rural_households IS NOT NULL THEN 'base' ELSE 'registry' END AS size_from,
               CAST(coalesce(rural_households, households) AS DOUBLE) AS size
        FROM v WHERE coalesce(rural_households, households) > 0""", {**params, **bp})  # noqa: S608
    return in_place_order(df)


def pps_villages(frame: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """Systematic PPS of `n` villages from `frame` (place order, `size`): the villages drawn, in draw
    order, with `village_draw` (1, 2, …), `certain` and `inclusion` (probability)."""
    n = max(0, min(int(n), len(frame)))
    if n == 0:
        return frame.iloc[0:0].assign(village_draw=[], certain=[], inclusion=[])
    rng = random.Random(f"pps:{seed}")
    rest = frame.copy()
    certain: list[int] = []
    while n - len(certain) > 0:  # villages larger than the interval are taken for certain
        interval = rest["size"].sum() / (n - len(certain))
        big = rest.index[rest["size"] >= interval].tolist()
        if not big:
            break
        certain += big
        rest = rest.drop(index=big)
    k = n - len(certain)
    chosen: list[int] = []
    if k > 0 and len(rest):
        interval = rest["size"].sum() / k
        start = rng.uniform(0, interval)
        cum = rest["size"].cumsum().tolist()
        idx = rest.index.tolist()
        j = 0
        for point in (start + i * interval for i in range(k)):
            while j < len(cum) - 1 and cum[j] < point:
                j += 1
            chosen.append(idx[j])
    drawn = frame.loc[certain + chosen].copy()
    total_rest = rest["size"].sum()
    drawn["certain"] = [i in certain for i in drawn.index]
    drawn["inclusion"] = [1.0 if c else min(1.0, k * s / total_rest) for c, s in
                          zip(drawn["certain"], drawn["size"], strict=True)]
    drawn["village_draw"] = range(1, len(drawn) + 1)
    return drawn.reset_index(drop=True)


def plan(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, settings: PlanSpec = PlanSpec()
         ) -> pd.DataFrame:
    """The sample: village_draw, township, village, inclusion, certain, group (脱贫户 / 未脱贫户 / 边缘户 /
    一般农户), draw (order within its group), household_id, head_name, head_id_number, member_count,
    income_per_capita (blank household columns for 一般农户 rows), in draw order."""
    spec = settings
    villages = pps_villages(village_frame(con, flt, viewer), spec.villages, spec.seed)
    columns = ["village_draw", "township", "village", "inclusion", "certain", "group", "draw", "household_id",
               "head_name", "head_id_number", "member_count", "income_per_capita"]
    if villages.empty:
        return pd.DataFrame(columns=columns)
    where, params = household_where(Filters(), viewer, "f")
    # the villages in draw order: a household's village_draw is its village's place in this list
    params["places"] = [f"{t}\x1f{v}" for t, v in zip(villages["township"], villages["village"], strict=True)]
    # Each group's households in the seeded draw order, cut to what the spec takes, in SQL. The order is
    # the visits page's sample's (one draw rule): a stored per-household hash under the seed's
    # permutation, no md5 per household per request (md5(seed|户编号) of ten villages took ~90 ms per
    # million households at L). Each group keeps only its first `most` (min_by's top-n, no sort of the
    # group); the shown columns only for the households taken.
    a, b = seed_draw(spec.seed)
    params.update(a=a, b=b, share=float(spec.exited_share), exited=int(spec.exited_cap),
                  not_exited=int(spec.not_exited_cap), edge=int(spec.edge_cap),
                  most=max(1, spec.exited_cap, spec.not_exited_cap, spec.edge_cap))
    hh = fetch(con, f"""
        WITH pl AS (
            SELECT a.area, list_position($places, a.township || chr(31) || a.village)::BIGINT AS village_draw
            FROM area_keys a WHERE list_contains($places, a.township || chr(31) || a.village)
        ), g AS (
            SELECT f.hk, f.area,
                   CASE WHEN NOT f.registered THEN 3 WHEN f.exit_status = '已脱贫' THEN 1 ELSE 2 END AS g,
                   {draw_key_sql('f')} AS rank_key
            FROM hh_facts f WHERE {where} AND f.area IN (SELECT area FROM pl) AND (f.registered OR f.monitored)
        ), firsts AS (
            SELECT area, g, count(*) AS size, min_by(hk, rank_key, $most) AS hks FROM g GROUP BY area, g
        ), taken AS (
            SELECT area, g, hks[1:CASE g WHEN 1 THEN least($exited, greatest(1, ceil($share * size)::BIGINT))
                                       WHEN 2 THEN $not_exited ELSE $edge END] AS hks
            FROM firsts
        ), drawn AS (
            SELECT area, g, unnest(hks) AS hk, unnest(range(1, len(hks) + 1)) AS draw FROM taken
        )
        SELECT pl.village_draw, f.township, f.village, t.g, t.draw, f.household_id,
               {mask_name('f.head_name', viewer)} AS head_name,
               {mask_id('f.head_id_number', viewer)} AS head_id_number, f.member_count, f.income_per_capita
        FROM drawn t JOIN hh_facts f ON f.hk = t.hk AND f.area IN (SELECT area FROM pl) JOIN pl ON pl.area = f.area
        ORDER BY pl.village_draw, t.g, t.draw""", params)  # noqa: S608
    # 一般农户: blank rows after each village's drawn households, chosen on the spot
    blank = villages[["village_draw", "township", "village"]].loc[villages.index.repeat(spec.ordinary)]
    blank = blank.assign(g=len(GROUP_ORDER), draw=[*range(1, spec.ordinary + 1)] * len(villages))
    out = pd.concat([hh, blank] if len(blank) else [hh], ignore_index=True)
    out = out.sort_values(["village_draw", "g", "draw"], kind="mergesort")
    place = villages.set_index("village_draw")
    out = out.assign(group=[GROUP_ORDER[g - 1] for g in out["g"]],
                     inclusion=out["village_draw"].map(place["inclusion"]),
                     certain=out["village_draw"].map(place["certain"]).astype(bool))
    return out[columns].reset_index(drop=True)
