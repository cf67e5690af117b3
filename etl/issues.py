"""Data issues of a load: the flagged cells of a staged file written to data_issues, with the raw value
as the file had it (the loaders of the registry, the ledgers and the inspection files share them)."""

from __future__ import annotations

import duckdb

from etl.duck import scalar
from etl.owners import Touched
from etl.stage import CONTROL_RULE, q, raw_value_case


def issue_flag(rule: str, column: str) -> str:
    """The staged row's column that is true where the check (rule, column) fails."""
    return q(f"bad__{rule}__{column}")


def issue_selects(source: str, checks: list[tuple[str, str]], table_name: str, record_key: str) -> list[str]:
    """One SELECT per (rule, column) check over `source`, shaped like data_issues minus batch/file.

    The raw value is left NULL here and filled from `raw_named` by `insert_issues`.
    """
    return [
        f"SELECT source_line, '{table_name}', {record_key}, household_id, '{col}', NULL::VARCHAR, '{rule}' "
        f"FROM {source} WHERE {issue_flag(rule, col)}"
        for rule, col in checks
    ]


# The ID number rules (GB 11643) of every file kind with an ID column, over a staged row: an ID that
# Excel turned into a float (`1.50824E+17`) is unrecoverable and only that; any other that fails the
# check digit or the birth date is invalid. (The registry adds `id_missing`: its IDs are required.)
ID_RULES = {"id_mangled": "id_mangled", "id_invalid": "id_number IS NOT NULL AND NOT id_mangled AND NOT id_valid"}


def id_issue_selects(source: str, table_name: str, record_key: str) -> list[str]:
    """The ID rules' issue SELECTs over `source`, shaped like `issue_selects`' (raw value included)."""
    return [f"SELECT source_line, '{table_name}', {record_key}, household_id, 'id_number', raw_id_number, "
            f"'{rule}' FROM {source} WHERE {where}" for rule, where in ID_RULES.items()]


def insert_issues(
    con: duckdb.DuckDBPyConnection, kind: str, selects: list[str], batch_id: int, name: str
) -> None:
    if not selects:
        return
    # The issues first, into a table: its exact (small) size lets the joins below build their hash
    # tables on it and stream the file's rows, instead of hashing every raw row (estimated sizes of
    # the filtered selects are far too large). One statement per check: one join's memory at a time.
    con.execute("CREATE OR REPLACE TEMP TABLE iss (line INTEGER, table_name VARCHAR, record_key VARCHAR, "
                "household_id VARCHAR, field VARCHAR, raw VARCHAR, rule VARCHAR)")
    for select in selects:
        con.execute(f"INSERT INTO iss {select}")
    # registry member issues take their record key (the member key) from the keys table
    member_key, keys_join = ("k.member_key", " LEFT JOIN keys k ON k.source_line = i.line") if kind == "registry" \
        else ("NULL", "")
    con.execute(
        f"""INSERT INTO data_issues (batch_id, file_name, line, table_name, record_key, household_id,
                                     field, raw_value, rule, hk)
            SELECT ?, ?, i.line, i.table_name, coalesce(i.record_key, {member_key}), i.household_id, i.field,
                   coalesce(i.raw, ctl.ctl_raw, {raw_value_case(kind)}), i.rule, hkeys.hk
            FROM iss i LEFT JOIN raw_named r ON r._line = i.line{keys_join}
            LEFT JOIN (SELECT line AS ctl_line, field AS ctl_field, raw AS ctl_raw FROM ctl_issues) ctl
                   ON i.rule = '{CONTROL_RULE}' AND ctl.ctl_line = i.line AND ctl.ctl_field = i.field
            LEFT JOIN household_keys hkeys ON hkeys.household_id = i.household_id""",
        [batch_id, name],
    )
    con.execute("DROP TABLE iss")


ISSUE_COLUMNS = "batch_id, file_name, line, table_name, record_key, household_id, field, raw_value, rule, hk"


def apply_issues(con: duckdb.DuckDBPyConnection, touched: Touched, table: str, new_sql: str, old_where: str,
                 name: str) -> bool:
    """Make the issues of `table` that `old_where` selects what `new_sql` gives (data_issues rows): only
    those that change are deleted or written, and their households touched. True when one of them
    belongs to no household. For the rules that read another table (the registry), decided again
    when that table changes, so that the issues do not depend on the order in which files came
    (etl.load_inspection, etl.ledger_registry)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE iss_new AS {new_sql}", {"name": name})  # noqa: S608 - ours
    con.execute(f"""CREATE OR REPLACE TEMP TABLE iss_old AS SELECT {ISSUE_COLUMNS} FROM data_issues
                    WHERE table_name = ? AND {old_where}""", [table])  # noqa: S608 - ours
    con.execute("CREATE OR REPLACE TEMP TABLE iss_gone AS SELECT * FROM iss_old EXCEPT ALL SELECT * FROM iss_new")
    con.execute("CREATE OR REPLACE TEMP TABLE iss_added AS SELECT * FROM iss_new EXCEPT ALL SELECT * FROM iss_old")
    con.execute("""DELETE FROM data_issues d USING iss_gone g
                    WHERE d.table_name = g.table_name AND d.record_key = g.record_key AND d.rule = g.rule
                    AND d.field = g.field""")
    con.execute(f"INSERT INTO data_issues ({ISSUE_COLUMNS}) SELECT {ISSUE_COLUMNS} FROM iss_added")  # noqa: S608
    changed = "SELECT * FROM iss_gone UNION ALL SELECT * FROM iss_added"
    touched.add("hk", f"SELECT hk FROM ({changed})")  # noqa: S608 - constants only
    nohk = bool(scalar(con, f"SELECT count(*) FROM ({changed}) WHERE hk IS NULL"))  # noqa: S608
    for tmp in ("iss_new", "iss_old", "iss_gone", "iss_added"):
        con.execute(f"DROP TABLE {tmp}")
    return nohk
