"""Normalise a raw file table into a staging table, and list its rejected rows and data issues.

All of it is SQL generated from the field specs in `etl.fields` and the expression builders in
`etl.normalize`: column names come from our own specs, never from the file, and no value is ever
formatted into SQL.
"""

from __future__ import annotations

import duckdb

from etl import normalize as nz
from etl.fields import FIELDS, HOUSEHOLD_FIELDS, PLACING, REJECT_RULE, Field


def q(name: str) -> str:
    """Quote an identifier of ours."""
    return '"' + name.replace('"', '""') + '"'


def _exprs(col: str, spec: Field) -> tuple[str, list[tuple[str, str]]]:
    """(normalised expression, [(rule, predicate on the raw column)]) for one column."""
    c = q("raw_" + col)
    t = spec.type
    if t == "text":
        return nz.sql_text(c), []
    if t == "hhid":  # household numbers stay text; an Excel float rendering loses its trailing .0
        return f"regexp_replace({nz.sql_text(c)}, '^([0-9]+)\\.0+$', '\\1')", []
    if t == "id":
        return nz.sql_id_number(c), []  # checked by the ID rules below
    if t == "int":
        return nz.sql_int(c), [("not_a_number", nz.sql_number_invalid(c))]
    if t == "number":
        return nz.sql_number(c), [("not_a_number", nz.sql_number_invalid(c))]
    if t == "amount":
        n = nz.sql_number(c)
        return n, [("not_a_number", nz.sql_number_invalid(c)), ("negative_amount", f"coalesce({n} < 0, false)")]
    if t == "year":
        y = nz.sql_year(c)
        return y, [("invalid_year", f"({nz.sql_text(c)} IS NOT NULL AND {y} IS NULL)")]
    if t in ("date", "deadline"):
        d = nz.sql_date(c)
        checks = [("invalid_date", nz.sql_date_invalid(c))]
        if t == "date":  # a deadline may lie ahead; an event may not
            checks.append(("future_date", f"coalesce({d} > current_date, false)"))
        return d, checks
    if t == "yn":
        return nz.sql_yes_no(c), [("invalid_yes_no", nz.sql_yes_no_invalid(c))]
    if t == "code":
        assert spec.code_list
        return nz.sql_code(spec.code_list, c), [("unknown_code", nz.sql_code_unknown(spec.code_list, c))]
    if t == "codelist":
        assert spec.code_list
        unknown = f"len({nz.sql_code_list_unknown(spec.code_list, c)}) > 0"
        return nz.sql_code_list(spec.code_list, c), [("unknown_code", f"coalesce({unknown}, false)")]
    raise ValueError(t)


def build_stage(con: duckdb.DuckDBPyConnection, kind: str, present: list[str]) -> list[tuple[str, str]]:
    """Create temp table `stg` from the registered view `raw`.

    `stg` has `source_line`, `rejected_rule` (NULL for rows kept), every canonical column of the kind
    normalised, its raw text as `raw_<col>`, and a boolean `bad__<rule>__<col>` per check. Returns the
    (rule, column) checks that exist.
    """
    specs = FIELDS[kind]
    raw_cols = [
        f"{q(c)} AS {q('raw_' + c)}" if c in present else f"NULL::VARCHAR AS {q('raw_' + c)}" for c in specs
    ]
    con.execute(f"CREATE OR REPLACE TEMP VIEW raw_named AS SELECT _line, {', '.join(raw_cols)} FROM raw")
    select = ["_line AS source_line"]
    checks: list[tuple[str, str]] = []
    for col, spec in specs.items():
        expr, preds = _exprs(col, spec)
        select.append(f"{expr} AS {q(col)}")
        for rule, pred in preds:
            select.append(f"coalesce({pred}, false) AS {q(f'bad__{rule}__{col}')}")
            checks.append((rule, col))
        select.append(q("raw_" + col))
    if "id_number" in specs:
        c = q("raw_id_number")
        select += [
            f"coalesce({nz.sql_id_valid(c)}, false) AS id_valid",
            f"coalesce({nz.sql_id_mangled(c)}, false) AS id_mangled",
            f"{nz.sql_id_birth_date(c)} AS id_birth_date",
            f"{nz.sql_id_sex(c)} AS id_sex",
        ]
    if kind == "registry":
        select.append(f"{nz.sql_enjoys_policy(q('raw_exit_status'))} AS enjoys_policy")
    # The first placing column that is missing decides the rejection reason.
    reject = "CASE " + " ".join(
        f"WHEN {q(c)} IS NULL THEN '{REJECT_RULE[c]}'" for c in PLACING[kind]
    ) + " END"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE stg AS SELECT *, {reject} AS rejected_rule "
        f"FROM (SELECT {', '.join(select)} FROM raw_named)"
    )
    return checks


def household_level(col: str) -> bool:
    return col in HOUSEHOLD_FIELDS
