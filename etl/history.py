"""The figure history: the key figures of every township as each load left them (`figure_history`).

A load that publishes a snapshot appends one row per township, stamped with its last batch (the
load's owner in `etl.owners`: the changeset carries the new rows to the other snapshot file), the time
and the data's as-of date. The row is written inside the snapshot being built, so a load that fails or
is killed leaves no row behind (the link stays on the last good snapshot), and a row is never
rewritten: it records what the dashboard showed after that load.

It is a base table, not a derived one: `python -m etl rebuild` copies it like the ledgers (a rebuild
cannot know what earlier loads saw), and `etl.derive.build_all` never touches it. A fresh load (`etl
demo`) starts it again. The cost per load is a few aggregates over the summary cells (agg_household,
agg_ill_member) and the rectification list: per township, never per household.
"""

from __future__ import annotations

import duckdb

from etl import clock
from etl.derived_table import as_of
from etl.duck import scalar
from etl.owners import stage_table
from etl.sqlexpr import RECT_OPEN_SQL

# The columns after (batch_id, loaded_at, as_of, township); counts of registered households unless named.
FIGURES = ("households", "people", "exited", "not_exited", "returned", "monitored", "with_intervention",
           "rect_open", "rect_overdue", "rect_closed", "chronic", "compliant")

DDL = """
    CREATE TABLE IF NOT EXISTS figure_history (
        batch_id INTEGER NOT NULL,           -- the last batch of the load that recorded the row
        loaded_at TIMESTAMP NOT NULL,
        as_of DATE,                          -- the data's as-of date after that load
        township VARCHAR NOT NULL,
        households BIGINT, people BIGINT, exited BIGINT, not_exited BIGINT, returned BIGINT,
        monitored BIGINT, with_intervention BIGINT,
        rect_open BIGINT, rect_overdue BIGINT, rect_closed BIGINT,
        chronic BIGINT, compliant BIGINT
    )"""

# Open/closed as queries.rectification counts them, at the data's as-of date ($as_of).
_SQL = """
WITH h AS (
    SELECT c.township,
        coalesce(sum(c.registered), 0) AS households,
        coalesce(sum(c.people), 0) AS people,
        coalesce(sum(c.households) FILTER (WHERE c.exit_status = '已脱贫'), 0) AS exited,
        coalesce(sum(c.households) FILTER (WHERE c.exit_status = '未脱贫'), 0) AS not_exited,
        coalesce(sum(c.households) FILTER (WHERE c.exit_status = '返贫'), 0) AS returned,
        coalesce(sum(c.monitored), 0) AS monitored,
        coalesce(sum(c.with_intervention) FILTER (WHERE c.exit_status IS NOT NULL), 0) AS with_intervention
    FROM agg_household c GROUP BY c.township
), r AS (
    SELECT r.township,
        count(*) FILTER (WHERE {open}) AS rect_open,
        count(*) FILTER (WHERE {open} AND r.deadline < $as_of) AS rect_overdue,
        count(*) FILTER (WHERE NOT {open}) AS rect_closed
    FROM list_rectification r GROUP BY r.township
), m AS (
    SELECT c.township, coalesce(sum(c.chronic), 0) AS chronic,
        coalesce(sum(c.chronic) FILTER (WHERE c.compliant_until > $as_of), 0) AS compliant
    FROM agg_ill_member c GROUP BY c.township
)
SELECT $batch AS batch_id, $loaded_at AS loaded_at, $as_of AS as_of, township,
    coalesce(households, 0), coalesce(people, 0), coalesce(exited, 0), coalesce(not_exited, 0),
    coalesce(returned, 0),
    -- no household with a monitoring type: the registries so far had no 监测对象类别 (a 2019 export), so
    -- the count is unknown, not 0 (the overview read 新增监测对象 +37 against such a baseline)
    CASE WHEN $has_monitoring THEN coalesce(monitored, 0) END,
    -- a figure of a ledger no file has brought yet is unknown, not 0: a registry loaded alone first made
    -- "措施覆盖户 0 → 595" a change since then
    CASE WHEN $has_measures THEN coalesce(with_intervention, 0) END,
    CASE WHEN $has_items THEN coalesce(rect_open, 0) END, CASE WHEN $has_items THEN coalesce(rect_overdue, 0) END,
    CASE WHEN $has_items THEN coalesce(rect_closed, 0) END,
    coalesce(chronic, 0), CASE WHEN $has_visits THEN coalesce(compliant, 0) END
FROM h FULL JOIN r USING (township) FULL JOIN m USING (township)
WHERE township IS NOT NULL
"""


# The monitored count is known once a household has a type, and stays known: after an earlier load
# counted monitored households, the last of them leaving monitoring is 0, not unknown (新增监测对象 read
# "—" where it is −1). A registry whose 监测对象类别 is blank throughout, with no count known before, still
# reads unknown (docs/DECISIONS.md: "The monitored count of a load whose registries had no 监测对象类别").
_HAS_MONITORING = """SELECT EXISTS (SELECT 1 FROM households WHERE monitoring_type IS NOT NULL)
    OR EXISTS (SELECT 1 FROM figure_history WHERE monitored IS NOT NULL)"""


LEDGERS = ("interventions", "visits", "medical_claims", "rectifications")  # file kind = table name


def ledgers_with_rows(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The ledgers (of LEDGERS) that hold a row. A ledger no file has brought a row of is unknown, not
    empty: its figures are no figures (the history records them as unknown; the pages say which ledger
    to load rather than 0%, "no measure" for every household or "no data under the filters")."""
    sql = " UNION ALL ".join(f"SELECT '{k}' WHERE EXISTS (SELECT 1 FROM {k})" for k in LEDGERS)  # noqa: S608 - constants
    return frozenset(k for (k,) in con.execute(sql).fetchall())


def last_batch(con: duckdb.DuckDBPyConnection) -> int | None:
    """The last batch this load wrote (read before a full build drops the staging schema)."""
    rows = con.execute(f"SELECT max(batch_id) FROM {stage_table('batch')}").fetchall()  # noqa: S608 - ours
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def record(con: duckdb.DuckDBPyConnection, batch: int | None) -> None:
    """Append the township rows of this load, owned by its last batch (after the derived tables are up
    to date). A load without a batch records nothing."""

    if batch is None:
        return
    con.execute("DELETE FROM figure_history WHERE batch_id = ?", [batch])
    loaded = ledgers_with_rows(con)
    con.execute(f"INSERT INTO figure_history {_SQL.format(open=RECT_OPEN_SQL)}",  # noqa: S608 - constants
                {"batch": batch, "loaded_at": clock.now(), "as_of": as_of(con),
                 "has_measures": "interventions" in loaded, "has_items": "rectifications" in loaded,
                 "has_visits": "visits" in loaded,
                 "has_monitoring": bool(scalar(con, _HAS_MONITORING))})
