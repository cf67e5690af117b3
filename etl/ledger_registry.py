"""Ledger rows that contradict the registry (data-spec §3: anything else wrong is loaded and recorded in
data_issues; docs/DECISIONS.md, "Seventh review").

- `claim_id_other_household`: a medical claim whose 证件号码 is a registered member's of another household
  and of no member of the claim's own (its 户编号 or its 证件号码 is wrong: the money is counted for the
  household of the 户编号, the patient is someone else's). An ID number of no registered member raises
  nothing here: a claim of a member the registry lacks, or of a household outside it, is no contradiction.
- `rect_place_mismatch`: a rectification item of a registered household whose 乡(镇)/行政村 are not the
  household's in the registry (one of them is wrong; the item is counted where the registry places the
  household, `list_rectification`). A blank 行政村 beside a 户编号 contradicts nothing.

Both read the registry, so they are decided when a ledger file is loaded (`apply`, its rows) and again
when a registry file changes households or members (`recheck`), as the household checks' registry rules
are (etl.load_inspection): the issues do not depend on the order in which the files came. Each issue is
in its ledger row's own batch, file and line.
"""

from __future__ import annotations

import duckdb

from etl import hh_lookup
from etl.duck import scalar
from etl.issues import apply_issues
from etl.normalize import sql_id_key_of
from etl.owners import Touched

CLAIM_RULE = "claim_id_other_household"
PLACE_RULE = "rect_place_mismatch"
TABLES = {"medical_claims": CLAIM_RULE, "rectifications": PLACE_RULE}

_ISSUE_ROW = """SELECT r.batch_id, coalesce(b.file_name, $name) AS file_name, r.source_line AS line,
                  '{table}' AS table_name, r.record_key, r.household_id, '{field}' AS field,
                  CAST({raw} AS VARCHAR) AS raw_value, '{rule}' AS rule, r.hk"""


def _claims_sql(con: duckdb.DuckDBPyConnection, scope: str) -> str:
    """The claims of `scope` (a predicate over medical_claims `r`) whose ID number a member of another
    household holds and no member of their own. An ID written as a word (未办理) names nobody: two
    households' 未办理 are no contradiction."""
    # the ID test on the scope's rows, not beside it: written as one WHERE, DuckDB ran the regex over
    # every stored claim before the scope's OR of semi-joins (3M claims at L: 0.5 → 0.25 s of CPU)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE lr_claims AS SELECT * FROM (
                    SELECT record_key, batch_id, source_line, household_id, id_number, hk FROM medical_claims r
                    WHERE {scope}) WHERE {sql_id_key_of('id_number')} IS NOT NULL""")  # noqa: S608 - ours
    # a few claims look their IDs' households up by hash (etl.hh_lookup); many read the members' IDs
    small = hh_lookup.few_ids(con, int(scalar(con, "SELECT count(*) FROM lr_claims") or 0))
    holders = hh_lookup.id_holders_sql(con, "SELECT id_number FROM lr_claims") if small else None
    narrow = f" AND hk IN (SELECT hk FROM ({holders}))" if holders else ""  # noqa: S608 - ours
    row = _ISSUE_ROW.format(table="medical_claims", field="id_number", raw="r.id_number", rule=CLAIM_RULE)
    return f"""
        WITH m AS (SELECT DISTINCT id_number, hk FROM members
                   WHERE id_number IN (SELECT id_number FROM lr_claims){narrow})
        {row}
        FROM lr_claims r LEFT JOIN load_batches b ON b.batch_id = r.batch_id
        WHERE r.id_number IN (SELECT id_number FROM m)
          AND NOT EXISTS (SELECT 1 FROM m WHERE m.id_number = r.id_number AND m.hk = r.hk)"""  # noqa: S608 - ours


def _items_sql(scope: str) -> str:
    """The items of `scope` (a predicate over rectifications `r`) of a registered household placed
    elsewhere than the registry places it; the raw value is the place the ledger wrote."""
    row = _ISSUE_ROW.format(table="rectifications", field="village",
                            raw="r.township || coalesce('/' || r.village, '')", rule=PLACE_RULE)
    return f"""
        {row}
        FROM rectifications r JOIN households h ON h.hk = r.hk LEFT JOIN load_batches b ON b.batch_id = r.batch_id
        WHERE ({scope}) AND (r.township IS DISTINCT FROM h.township
                             OR (r.village IS NOT NULL AND r.village IS DISTINCT FROM h.village))"""  # noqa: S608


def apply(con: duckdb.DuckDBPyConnection, touched: Touched, table: str, scope: str, name: str) -> bool:
    """Decide the registry rule of `table` (a ledger of `TABLES`) for its stored rows `scope` selects (a
    predicate over `r`); True when a changed issue belongs to no household. `name`: the file being loaded."""
    rule = TABLES[table]
    new = _claims_sql(con, scope) if table == "medical_claims" else _items_sql(scope)
    old = f"rule = '{rule}' AND record_key IN (SELECT r.record_key FROM {table} r WHERE {scope})"  # noqa: S608 - ours
    nohk = apply_issues(con, touched, table, new, old, name)
    con.execute("DROP TABLE IF EXISTS lr_claims")
    return nohk


def recheck(con: duckdb.DuckDBPyConnection, touched: Touched, households: str, id_numbers: str,
            name: str) -> dict[str, object]:
    """After a registry file wrote the households `households` selects (a SELECT of hk) with the members'
    ID numbers `id_numbers` selects: decide again the rules of the claims and items those could change.
    Found from the ledgers' side (a full registry lists 10M households and 30M ID numbers, to be streamed,
    never built into hash tables): the claims and items of those households, the claims of those ID
    numbers, and the claims flagged now (their ID may have left the other household). Flags for `touched`."""
    nohk = False
    if scalar(con, "SELECT EXISTS (SELECT 1 FROM medical_claims)"):
        # a full registry's sets are first narrowed to what the claims hold, so that no hash table of
        # every household or ID is built; a small file's few are joined as they are (at L the narrowing
        # read all 3M claims' ID texts twice: 0.25 → 0.15 s)
        n_ids = int(scalar(con, f"SELECT count(*) FROM ({id_numbers})") or 0)  # noqa: S608 - ours
        few = hh_lookup.few_ids(con, n_ids, "medical_claims")
        in_claims = ("", "") if few else (" WHERE hk IN (SELECT hk FROM medical_claims)",
                                          " WHERE id_number IN (SELECT id_number FROM medical_claims)")
        scope = f"""r.hk IN (SELECT hk FROM ({households}) f(hk){in_claims[0]})
            OR r.id_number IN (SELECT id_number FROM ({id_numbers}) f(id_number){in_claims[1]})
            OR r.record_key IN (SELECT record_key FROM data_issues WHERE rule = '{CLAIM_RULE}')"""  # noqa: S608
        nohk |= apply(con, touched, "medical_claims", scope, name)
    if scalar(con, "SELECT EXISTS (SELECT 1 FROM rectifications WHERE hk IS NOT NULL)"):
        scope = f"r.hk IN (SELECT hk FROM ({households}) f(hk) WHERE hk IN (SELECT hk FROM rectifications))"  # noqa: S608
        nohk |= apply(con, touched, "rectifications", scope, name)
    return {"base": {"data_issues"}, "nohk": nohk}
