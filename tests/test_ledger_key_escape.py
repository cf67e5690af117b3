"""A ledger record without an id is keyed by all its fields (data-spec §5): two records that differ in
their fields are two records, even when a `|` in one value would make the joined text the same."""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl import snapshot
from etl.load import load_files


def test_visits_differing_only_where_a_bar_moves_are_two_records(tmp_path: Path) -> None:
    f = tmp_path / "visits.csv"
    f.write_text("户编号,走访日期,走访类型,走访人,情况记录\n"
                 "150824100001,2020-05-01,入户走访,王|,情况稳定\n"
                 "150824100001,2020-05-01,入户走访,王,|情况稳定\n", encoding="utf-8")
    db = tmp_path / "t.duckdb"
    report = load_files([f], db=db)
    assert report.files[0].rows_loaded == 2
    con = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)
    try:
        rows = con.execute("SELECT visitor, notes FROM visits ORDER BY visitor").fetchall()
    finally:
        con.close()
    assert rows == [("王", "|情况稳定"), ("王|", "情况稳定")]


def test_a_key_without_a_bar_or_backslash_is_as_before(tmp_path: Path) -> None:
    from etl.load import ledger_key_sql
    con = duckdb.connect()
    con.execute("CREATE TABLE v AS SELECT '150824100001' AS household_id, DATE '2020-05-01' AS visit_date, "
                "'入户走访' AS visit_type, NULL::VARCHAR AS visitor, '情况稳定' AS notes, NULL::VARCHAR AS unread_text")
    got = con.execute(f"SELECT {ledger_key_sql('visits')} FROM v").fetchone()[0]
    want = con.execute("SELECT md5('150824100001|2020-05-01|入户走访||情况稳定')").fetchone()[0]
    assert got == want


def test_every_ledger_keys_as_the_plain_escaped_join() -> None:
    """Stored keys are matched by later loads: the key must stay the md5 of every field's text, escaped
    and joined by `|`, for values with and without a bar or a backslash, blank or not."""
    from etl.fields import FIELDS
    from etl.load import ledger_key_sql
    from etl.stage import _null_type
    con = duckdb.connect()
    texts = ["王|", "|情况", "a\\b", "\\|", "", None, "情况稳定", "||\\\\"]
    others = {"INTEGER": 2020, "DOUBLE": 1.5, "DATE": "2020-06-30", "BOOLEAN": True, "VARCHAR[]": ["因病"]}
    for kind in ("interventions", "visits", "medical_claims", "rectifications"):
        types = [_null_type(spec) for spec in FIELDS[kind].values()]
        cols = ", ".join(f'"{c}" {t}' for c, t in zip(FIELDS[kind], types, strict=True))
        con.execute(f"CREATE OR REPLACE TABLE t ({cols}, unread_text VARCHAR)")  # no text left unread
        for i in range(len(texts)):
            row = [texts[(i + j) % len(texts)] if t == "VARCHAR" else (others[t] if i % 3 else None)
                   for j, t in enumerate(types)]
            con.execute(f"INSERT INTO t VALUES ({', '.join('?' for _ in types)}, NULL)", row)
        fields = ["coalesce(year, year(start_date))" if (kind, c) == ("interventions", "year") else f'"{c}"'
                  for c in FIELDS[kind]]
        plain = "md5(" + " || '|' || ".join(
            f"replace(replace(coalesce({c}::VARCHAR, ''), '\\', '\\\\'), '|', '\\|')" for c in fields) + ")"
        if kind == "rectifications":
            plain = f"coalesce(issue_id, {plain})"
        got = con.execute(f"SELECT {ledger_key_sql(kind)} = {plain}, {plain} FROM t").fetchall()
        assert all(same for same, _ in got), kind
        assert len({key for _, key in got}) == len(texts), kind
