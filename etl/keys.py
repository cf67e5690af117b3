"""Keys assigned once and kept: a household's integer key, a village's number and place range, a cell's
number. They are what lets a load touch only what its file touched (docs/DECISIONS.md, "Storage").

- `hk` (`household_keys`): one INTEGER per household number ever seen (registry or ledger), in order
  of first appearance. Every table with household rows carries it: deleting and finding a few
  households' rows is a scan of one integer column (~20 ms per 30M rows, against ~150 ms for the
  household number's text).
- `area` and `base` (`area_keys`): one number per (township, village) and the start of the village's
  range of place-order numbers.
- `seq` (`households.seq`): the place order (township, village, household number) as a BIGINT with
  gaps: `base + k * HH_STEP`. A new or moved household takes a number between its neighbours in its
  village, so no other household's number changes; when a gap is used up, only that village is
  renumbered. Villages are `AREA_SPAN` apart; a new village takes a base between its neighbours.
- `cell` (`cell_keys`): one INTEGER per combination of the filter columns (`etl.schema.FILTER_COLUMNS`);
  every summary table is keyed by it, so a load recomputes only the cells its households were or are in.

A full rebuild keeps these keys, so an incremental load and a rebuild of the same data are equal,
keys included.
"""

from __future__ import annotations

import duckdb

from etl.duck import scalar
from etl.raw_file import STAGE_SCHEMA
from etl.schema import FILTER_COLUMNS

AREA_SPAN = 1 << 40  # between two villages' bases: room for 2^24 households at HH_STEP
HH_STEP = 1 << 16  # between two households placed together
MIN_AREA_GAP = 1 << 26  # a new village needs at least this much room, else every village is renumbered

_CELL_KEYS = ", ".join(FILTER_COLUMNS)


# the key of every household number of the last `assign_household_keys`
HK_OF = f"{STAGE_SCHEMA}.hk_of"


def assign_household_keys(con: duckdb.DuckDBPyConnection, ids_sql: str, params: object = None) -> int:
    """Give every household number of `ids_sql` (a SELECT of one column `household_id`) that has none
    an `hk`, and leave table `HK_OF` (household_id, hk) holding the key of each of them: callers join
    that, not the key table (a second scan of 10M household numbers' text took 0.2 s of a 100-household
    update at L). Returns how many were new.

    In steps, each with one large hash table at most: a 40M-row ledger names ~10M households, and one
    statement holding their distinct numbers, a semi-join on them and an EXCEPT at once ran out of
    the loader's 1.4 GB at 10M households. The join below builds on the smaller side (exact sizes of
    materialised tables): the file's numbers for a small file, so the key table is scanned, not hashed."""
    start = int(scalar(con, "SELECT coalesce(max(hk), 0) FROM household_keys") or 0)
    ids, found, new = (f"{STAGE_SCHEMA}.{t}" for t in ("_hk_ids", "_hk_found", "_hk_new"))
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {STAGE_SCHEMA}")
    con.execute(f"CREATE OR REPLACE TABLE {ids} AS SELECT DISTINCT household_id FROM ({ids_sql}) s "  # noqa: S608
                "WHERE household_id IS NOT NULL", params or {})
    con.execute(f"CREATE OR REPLACE TABLE {found} AS SELECT i.household_id, k.hk FROM {ids} i "  # noqa: S608
                "LEFT JOIN household_keys k USING (household_id)")
    con.execute(f"""CREATE OR REPLACE TABLE {new} AS
                    SELECT household_id, CAST($start + row_number() OVER (ORDER BY household_id) AS INTEGER) AS hk
                    FROM {found} WHERE hk IS NULL""", {"start": start})  # noqa: S608
    n = con.execute(f"INSERT INTO household_keys SELECT household_id, hk FROM {new}").fetchall()  # noqa: S608
    con.execute(f"""CREATE OR REPLACE TABLE {HK_OF} AS
                    SELECT household_id, hk FROM {found} WHERE hk IS NOT NULL
                    UNION ALL SELECT household_id, hk FROM {new}""")  # noqa: S608
    for t in (ids, found, new):
        con.execute(f"DROP TABLE {t}")
    return int(n[0][0]) if n else 0


def place(con: duckdb.DuckDBPyConnection, todo: str) -> str:
    """Give the households of table `todo` (hk, township, village, household_id) an `area` and a `seq`.

    Writes table `todo_placed(hk, area, seq)` and returns its name. Households of `households` that are
    not in `todo` keep their numbers, except in a village whose gap was used up: that village is
    renumbered and its households are in `todo_placed` too (the caller treats them as touched). New
    villages get a base between their neighbours; if the room between two is used up, every village
    is renumbered (`renumber_all`), which the caller learns from `todo_placed` holding everyone."""
    placed = f"{todo}_placed"
    if _new_areas(con, todo) == "renumber":
        return renumber_all(con, placed, todo)
    # each household to place with the existing (kept) households of its village, in household order
    con.execute(f"""
        CREATE OR REPLACE TABLE {placed}_w AS
        WITH t AS (
            SELECT t.hk, a.area, a.base, t.household_id, NULL::BIGINT AS seq FROM {todo} t
            JOIN area_keys a ON a.township = t.township AND a.village = t.village
        ), kept AS (
            SELECT h.hk, h.area, a.base, h.household_id, h.seq FROM households h
            JOIN area_keys a ON a.area = h.area
            WHERE h.area IN (SELECT area FROM t) AND h.hk NOT IN (SELECT hk FROM t)
        ), u AS (SELECT * FROM t UNION ALL SELECT * FROM kept)
        SELECT *,
            coalesce(last_value(seq IGNORE NULLS) OVER w_before, base) AS lo,
            coalesce(first_value(seq IGNORE NULLS) OVER w_after, base + {AREA_SPAN}) AS hi
        FROM u
        WINDOW w_before AS (PARTITION BY area ORDER BY household_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
               w_after AS (PARTITION BY area ORDER BY household_id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
        """)  # noqa: S608 - table names are ours
    # k new households in one gap (lo, hi) are spread over it, HH_STEP apart where there is room
    con.execute(f"""
        CREATE OR REPLACE TABLE {placed}_g AS
        SELECT hk, area, lo, hi,
            row_number() OVER (PARTITION BY area, lo ORDER BY household_id) AS i,
            count(*) OVER (PARTITION BY area, lo) AS k
        FROM {placed}_w WHERE seq IS NULL""")  # noqa: S608
    crowded = [r[0] for r in con.execute(
        f"SELECT DISTINCT area FROM {placed}_g WHERE (hi - lo) // (k + 1) < 1").fetchall()]  # noqa: S608
    con.execute(f"""
        CREATE OR REPLACE TABLE {placed} AS
        SELECT hk, area, lo + i * least({HH_STEP}, (hi - lo) // (k + 1)) AS seq
        FROM {placed}_g WHERE area NOT IN (SELECT unnest($crowded::INTEGER[]))""", {"crowded": crowded})  # noqa: S608
    if crowded:  # a used-up gap: the whole village again, evenly
        con.execute(f"""
            INSERT INTO {placed}
            SELECT hk, area, base + row_number() OVER (PARTITION BY area ORDER BY household_id)
                       * least({HH_STEP}, {AREA_SPAN} // (count(*) OVER (PARTITION BY area) + 1))
            FROM {placed}_w WHERE area IN (SELECT unnest($crowded::INTEGER[]))""", {"crowded": crowded})  # noqa: S608
    con.execute(f"DROP TABLE {placed}_w")
    con.execute(f"DROP TABLE {placed}_g")
    return placed


def _new_areas(con: duckdb.DuckDBPyConnection, todo: str) -> str:
    """Add the villages of `todo` that have no area yet, each with a base between its neighbours'.
    Returns 'renumber' when some gap is too small (nothing is added then)."""
    start = int(scalar(con, "SELECT coalesce(max(area), 0) FROM area_keys") or 0)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _areas_new AS
        WITH n AS (
            SELECT DISTINCT township, village FROM {todo} t
            WHERE NOT EXISTS (SELECT 1 FROM area_keys a WHERE a.township = t.township AND a.village = t.village)
        ), b AS (
            SELECT n.township, n.village,
                coalesce((SELECT max(base) FROM area_keys a WHERE (a.township, a.village) < (n.township, n.village)), 0)
                    AS lo,
                (SELECT min(base) FROM area_keys a WHERE (a.township, a.village) > (n.township, n.village)) AS hi
            FROM n
        )
        SELECT township, village, lo, hi,
            row_number() OVER (PARTITION BY lo ORDER BY township, village) AS i,
            count(*) OVER (PARTITION BY lo) AS k
        FROM b""")  # noqa: S608
    if scalar(con, f"SELECT count(*) FROM _areas_new WHERE hi IS NOT NULL "  # noqa: S608 - a constant
                    f"AND (hi - lo) // (k + 1) < {MIN_AREA_GAP}"):
        con.execute("DROP TABLE _areas_new")
        return "renumber"
    con.execute(f"""
        INSERT INTO area_keys
        SELECT township, village, CAST($start + row_number() OVER (ORDER BY township, village) AS INTEGER),
            CASE WHEN hi IS NULL THEN lo + i * {AREA_SPAN} ELSE lo + i * ((hi - lo) // (k + 1)) END
        FROM _areas_new""", {"start": start})  # noqa: S608
    con.execute("DROP TABLE _areas_new")
    return "ok"


def renumber_all(con: duckdb.DuckDBPyConnection, placed: str, todo: str | None = None) -> str:
    """Every village AREA_SPAN apart in place order, every household HH_STEP apart in its village
    (village numbers are kept; new villages get one). Writes `placed` for every household of
    `households` and of `todo` (households about to be written, which replace their old rows)."""
    everyone = "SELECT hk, township, village, household_id FROM households"
    if todo:
        everyone = (f"{everyone} WHERE hk NOT IN (SELECT hk FROM {todo}) "  # noqa: S608 - our table
                    f"UNION ALL SELECT hk, township, village, household_id FROM {todo}")
    start = int(scalar(con, "SELECT coalesce(max(area), 0) FROM area_keys") or 0)
    con.execute(f"""
        INSERT INTO area_keys
        SELECT township, village, CAST($start + row_number() OVER (ORDER BY township, village) AS INTEGER), 0
        FROM (SELECT DISTINCT township, village FROM ({everyone}) h
              WHERE NOT EXISTS (SELECT 1 FROM area_keys a WHERE a.township = h.township AND a.village = h.village))
        """, {"start": start})  # noqa: S608
    con.execute(f"""
        CREATE OR REPLACE TABLE area_keys AS
        SELECT township, village, area, row_number() OVER (ORDER BY township, village) * {AREA_SPAN} AS base
        FROM area_keys""")  # noqa: S608
    con.execute(f"""
        CREATE OR REPLACE TABLE {placed} AS
        SELECT h.hk, a.area, a.base + row_number() OVER (PARTITION BY a.area ORDER BY h.household_id)
                   * least({HH_STEP}, {AREA_SPAN} // (count(*) OVER (PARTITION BY a.area) + 1)) AS seq
        FROM ({everyone}) h JOIN area_keys a ON a.township = h.township AND a.village = h.village""")  # noqa: S608
    return placed


def assign_cells(con: duckdb.DuckDBPyConnection, keys_sql: str) -> None:
    """Give every combination of the filter columns in `keys_sql` (a SELECT with those columns) that has
    none a `cell` number (NULLs are values here, as in GROUP BY)."""
    start = int(scalar(con, "SELECT coalesce(max(cell), 0) FROM cell_keys") or 0)
    con.execute(f"""
        INSERT INTO cell_keys
        SELECT CAST($start + row_number() OVER (ORDER BY {_CELL_KEYS}) AS INTEGER), *
        FROM (SELECT DISTINCT {_CELL_KEYS} FROM ({keys_sql}) s
              EXCEPT SELECT {_CELL_KEYS} FROM cell_keys)""", {"start": start})  # noqa: S608


def cell_join(alias: str, cells: str = "ck") -> str:
    """`JOIN cell_keys ck ON` every filter column of `alias` IS NOT DISTINCT FROM the cell's."""
    on = " AND ".join(f"{cells}.{c} IS NOT DISTINCT FROM {alias}.{c}" for c in FILTER_COLUMNS)
    return f"JOIN cell_keys {cells} ON {on}"


def fill_missing(con: duckdb.DuckDBPyConnection) -> None:
    """Give rows written without keys (a snapshot of an older version, a hand-made test database) their
    `hk`, `area` and `seq`, as a load would have."""
    from etl.schema import HK_TABLES

    for table in HK_TABLES:
        assign_household_keys(con, f"SELECT household_id FROM {table} WHERE hk IS NULL")  # noqa: S608
        con.execute(f"""UPDATE {table} t SET hk = k.hk FROM household_keys k
                        WHERE t.hk IS NULL AND k.household_id = t.household_id""")  # noqa: S608
    if scalar(con, "SELECT count(*) FROM households WHERE seq IS NULL OR area IS NULL"):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {STAGE_SCHEMA}")
        todo = f"{STAGE_SCHEMA}._todo"
        con.execute(f"CREATE OR REPLACE TABLE {todo} AS SELECT hk, township, village, household_id FROM households "  # noqa: S608
                    "WHERE seq IS NULL OR area IS NULL")  # noqa: S608
        placed = place(con, todo)
        con.execute(f"UPDATE households h SET area = p.area, seq = p.seq FROM {placed} p WHERE p.hk = h.hk")  # noqa: S608
        con.execute(f"DROP TABLE {placed}")
        con.execute(f"DROP TABLE {todo}")


# Keys are compared in blocks of this many: a block holds as many keys as registry households unless a
# key of it is outside the registry (households take their key from household_keys, each once).
KEY_BLOCK = 8192


def outside_keys(con: duckdb.DuckDBPyConnection, block: int = KEY_BLOCK) -> tuple[str, dict[str, object]] | None:
    """The keys (household_keys) of no registry household, as a SELECT and its parameters; None: none.
    Counting both tables' keys per block and joining only the blocks that differ: the anti-join of the
    10M keys with the 10M households took ~0.5 s at L, the counts ~50 ms (outside keys are rare and
    numbered together, keys being given in the order households are first seen)."""
    blocks = [int(r[0]) for r in con.execute(f"""
        WITH k AS (SELECT hk // {int(block)} AS b, count(*) AS n FROM household_keys GROUP BY b),
             h AS (SELECT hk // {int(block)} AS b, count(*) AS n FROM households GROUP BY b)
        SELECT k.b FROM k LEFT JOIN h USING (b) WHERE k.n <> coalesce(h.n, 0)""").fetchall()]  # noqa: S608
    if not blocks:
        return None
    # the range lets the scans skip row groups; the list keeps to the blocks that differ
    within = f"hk >= $o_lo AND hk < $o_hi AND list_contains($o_blocks, hk // {int(block)})"
    params = {"o_lo": min(blocks) * block, "o_hi": (max(blocks) + 1) * block, "o_blocks": blocks}
    return (f"SELECT hk FROM household_keys WHERE {within} "  # noqa: S608 - constants
            f"AND hk NOT IN (SELECT hk FROM households WHERE {within})"), params
