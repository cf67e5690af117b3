"""The fast paths of the SQL CSV extract (`ui.extract.csv_from_sql`) write exactly what the list shows:
BOM and header line as the COPY's prefix, formulas neutralised without joins, the household list read in
its stored order (no sort), rows in the page's order even when DuckDB writes in parallel.

Order only goes wrong when several threads write many row groups, so the main test builds a real DuckDB
file of 144k households (the fixture's twelve, repeated, with hostile cells) stored the way the loader
stores `hh_facts` (CTAS ... ORDER BY seq with preserve_insertion_order off), in small row groups."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from pathlib import Path

import duckdb
import pytest

from labels import codes_en
from queries import households
from queries.filters import Filters, Viewer
from queries.paging import IN_JOIN_VALUES, ListQuery, stored_sorted
from ui import extract
from ui.table import column_label

COPIES = 12_000  # x 12 fixture households = 144k rows in 71 row groups (at ~100k DuckDB wrote in order anyway)
COLUMNS = ["township", "village", "household_id", "head_name", "head_id_number", "phone", "member_count",
           "household_attribute", "main_cause", "other_causes", "exit_status", "exit_year", "monitoring_type",
           "income_per_capita", "income_year", "poverty_line", "reasons", "categories", "amount_total",
           "helper_name", "helper_unit"]
HOSTILE = ["=HYPERLINK(1)", "+1", "-2", "@x", "\tt", "\rr"]


@pytest.fixture(scope="module")
def big(fixture_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path_factory.mktemp("big") / "fupin.duckdb"
    w = duckdb.connect()
    w.execute(f"ATTACH '{fixture_db}' AS src (READ_ONLY)")
    w.execute(f"ATTACH '{path}' AS t (ROW_GROUP_SIZE 2048)")
    w.execute("SET preserve_insertion_order = false")  # as the loader's connection (etl.snapshot)
    hostile = "[" + ", ".join("'" + h.replace("'", "''") + "'" for h in HOSTILE) + "]"
    w.execute(f"""CREATE TABLE t.hh_facts AS
        SELECT * REPLACE (row_number() OVER (ORDER BY township, village, household_id) AS seq)
        FROM (SELECT * REPLACE (
                  household_id || '-' || lpad(CAST(r.i AS VARCHAR), 5, '0') AS household_id,
                  CASE WHEN r.i % 97 = 0 THEN {hostile}[1 + r.i % 6] || head_name ELSE head_name END AS head_name,
                  CASE WHEN r.i % 89 = 0 THEN {hostile}[1 + r.i % 6] ELSE helper_name END AS helper_name,
                  CASE WHEN r.i % 83 = 0 THEN list_prepend('=x', categories) ELSE categories END AS categories)
              FROM src.hh_facts, range({COPIES}) r(i))
        ORDER BY seq""")
    w.close()
    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET threads = 4")  # several writers even on a small machine
    yield con
    con.close()


def _view(lq: ListQuery, lang: str = "zh", mappings: Mapping[str, Mapping[str, str]] | None = None,
          ranked: bool = False) -> extract.SqlView:
    """The SqlView ui.table.show_list builds for a list."""
    # the big database is built whole: its hh_facts is in stored order (queries.paging.stored_sorted)
    return extract.SqlView(sql=lq.ranked(True) if ranked else lq.ordered(True), params=dict(lq.params),
                           columns=tuple((c, column_label(c, lang)) for c in COLUMNS),
                           mappings={k: dict(v) for k, v in (mappings or {}).items()}, rows=0)


def _expected(con: duckdb.DuckDBPyConnection, lq: ListQuery, view: extract.SqlView) -> list[list[str]]:
    """The list's cells computed in Python from the query sorted by its ORDER BY (the screen's order)."""
    cur = con.execute(f"SELECT * FROM ({lq.sql}) AS lst ORDER BY {lq.order}", lq.params)  # noqa: S608
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        rec = dict(zip(names, row, strict=True))
        cells = []
        for src, _ in view.columns:
            value, mapping = rec[src], view.mappings.get(src, {})
            if value is None:
                cells.append("")
            elif isinstance(value, bool):
                cells.append(view.yes if value else view.no)
            elif isinstance(value, float):  # a whole value written whole (2500, not 2500.0)
                cells.append(extract._number_text(value) or "")
            elif isinstance(value, int):
                cells.append(str(value))
            elif isinstance(value, list):
                cells.append(str(extract._neutralise_cell("、".join(mapping.get(v, v) for v in value))))
            else:
                cells.append(str(extract._neutralise_cell(mapping.get(value, value))))
        out.append(cells)
    return out


def _parse(data: bytes, view: extract.SqlView) -> list[list[str]]:
    header = ",".join(extract.csv_field(str(extract._neutralise_cell(h))) for _, h in view.columns) + "\n"
    assert data.startswith(extract.BOM + header.encode())
    assert data.endswith(b"\n") and not data.endswith(b"\n\n")
    return list(csv.reader(io.StringIO(data[len(extract.BOM):].decode("utf-8"), newline="")))[1:]


def test_full_list_is_read_in_stored_order_without_a_sort(big: duckdb.DuckDBPyConnection) -> None:
    lq = households.listing_query(Filters(), Viewer())
    assert stored_sorted(big, lq.stored_table)
    assert lq.presorted(True) and "ORDER BY" not in lq.ordered(True) and "ORDER BY" in lq.ordered(False)
    view = _view(lq)
    plan = _plan(big, view)
    assert "ORDER" not in plan and "JOIN" not in plan  # neither a sort nor a join (joins may reorder rows)
    rows = _parse(extract.csv_from_sql(big, view), view)
    assert len(rows) == 12 * COPIES
    assert rows == _expected(big, lq, view)  # every cell, in seq order
    text = "\n".join(",".join(r) for r in rows)
    assert "张林春" not in text and "张*春" in text  # masked in SQL
    assert "13812345678" not in text and "138****5678" in text
    assert "'=HYPERLINK(1)" in text and "'=x、" in text and "'\tt" in text  # neutralised, lists too


def _plan(con: duckdb.DuckDBPyConnection, view: extract.SqlView) -> str:
    sql, params = view.select(con)
    return "\n".join(str(r[1]) for r in con.execute(f"EXPLAIN {sql}", params).fetchall()).upper()


@pytest.mark.parametrize("case", ["villages", "four_villages", "pii_english", "ranked", "condition"])
def test_filtered_lists_keep_the_page_order(big: duckdb.DuckDBPyConnection, case: str) -> None:
    villages = tuple(r[0] for r in big.execute("SELECT DISTINCT village FROM hh_facts ORDER BY 1").fetchall())
    if case == "villages":  # five or more values: DuckDB filters with a semi-join, so the list is sorted
        lq = households.listing_query(Filters(villages=villages), Viewer())
        assert len(villages) >= IN_JOIN_VALUES and not lq.presorted(True) and "ORDER BY" in lq.ordered(True)
        view = _view(lq)
        assert "JOIN" in _plan(big, view)
    elif case == "four_villages":  # fewer: a plain filter on the stored order, no sort and no join
        lq = households.listing_query(Filters(villages=villages[:IN_JOIN_VALUES - 1]), Viewer(pii=True))
        assert lq.presorted(True) and "ORDER BY" not in lq.ordered(True)
        view = _view(lq)
        assert "JOIN" not in _plan(big, view) and "ORDER" not in _plan(big, view)
    elif case == "pii_english":
        lq = households.listing_query(Filters(identified_years=(2014, 2015)), Viewer(pii=True),
                                      exit_status="已脱贫")
        codes = {c: codes_en.CODE_EN for c in ("main_cause", "other_causes", "exit_status", "categories")}
        view = _view(lq, "en", codes)
    elif case == "ranked":
        lq = households.listing_query(Filters(), Viewer())
        view = _view(lq, ranked=True)
        view = extract.SqlView(view.sql, view.params, (("rank", "rank"), *view.columns), rows=0)
    else:
        lq = households.listing_query(Filters(), Viewer(), condition="wrong_exit")
        view = _view(lq)
    rows = _parse(extract.csv_from_sql(big, view), view)
    if case == "ranked":
        assert [r[0] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
        view = extract.SqlView(view.sql, view.params, view.columns[1:], rows=0)
        rows = [r[1:] for r in rows]
    assert len(rows) > 2048 * 4
    assert rows == _expected(big, lq, view)


def test_empty_list_is_bom_and_header(con: duckdb.DuckDBPyConnection) -> None:
    lq = households.listing_query(Filters(townships=("无此乡",)), Viewer())
    view = _view(lq)
    header = ",".join(extract.csv_field(h) for _, h in view.columns)
    assert extract.csv_from_sql(con, view) == extract.BOM + (header + "\n").encode()


def test_fixture_county_cells(con: duckdb.DuckDBPyConnection) -> None:
    lq = households.listing_query(Filters(), Viewer())
    view = _view(lq)
    rows = _parse(extract.csv_from_sql(con, view), view)
    assert rows == _expected(con, lq, view)
    assert [r[2] for r in rows] == [r[0] for r in con.execute("SELECT household_id FROM hh_facts ORDER BY seq")
                                    .fetchall()]
    assert ["呼勒斯太苏木", "温更嘎查", "H10", "'=******)"] == rows[6][:4]  # masked, then neutralised


def test_stored_household_facts_are_in_seq_order(con: duckdb.DuckDBPyConnection) -> None:
    seq = [r[0] for r in con.execute("SELECT seq FROM hh_facts").fetchall()]  # no ORDER BY: stored order
    assert seq == sorted(seq) and len(seq) == 12


@pytest.mark.parametrize("name", ["plain", "a,b", 'say "hi"', "two\nlines", "cr\rx", "'=x", " sp ", "乡(镇)"])
def test_header_fields_quoted_as_duckdb_does(tmp_path: Path, name: str) -> None:
    c = duckdb.connect()
    path = tmp_path / "h.csv"
    c.execute(f"COPY (SELECT 1 AS {extract.quote_ident(name)}) TO '{path}' (HEADER)")
    assert path.read_bytes() == (extract.csv_field(name) + "\n1\n").encode()
    view = extract.SqlView("SELECT 1 AS x", {}, (("x", name),), rows=1)
    assert extract.csv_from_sql(c, view) == extract.BOM + (extract.csv_field(str(extract._neutralise_cell(name)))
                                                           + "\n1\n").encode()
