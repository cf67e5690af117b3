"""Paged lists (LIMIT in SQL + true total) and the SQL CSV/XLSX extract of the full list."""

from __future__ import annotations

import csv
import datetime as dt
import io

import duckdb
import pandas as pd
import pytest

from labels import t
from queries import health, households, quality, visits
from queries.filters import Filters, Viewer
from ui import extract
from ui.table import column_label

AS_OF = dt.date(2020, 6, 30)
V = Viewer()


def test_lists_honour_limit_and_report_true_total(con: duckdb.DuckDBPyConnection) -> None:
    for fn in (lambda lim: households.listing(con, Filters(), V, limit=lim),
               lambda lim: health.ill_members(con, Filters(), V, AS_OF, limit=lim),
               lambda lim: quality.defects(con, Filters(), V, AS_OF, limit=lim),
               lambda lim: visits.visit_list(con, Filters(), V, AS_OF, limit=lim)):
        full = fn(None)
        page = fn(3)
        assert len(page) == min(3, len(full))
        assert int(page["total"].iloc[0]) == len(full)
        assert list(page["household_id"]) == list(full["household_id"].head(3))


def test_sql_compliance_matches_pandas(con: duckdb.DuckDBPyConnection) -> None:
    members = health.ill_members(con, Filters(), V, AS_OF)
    assert health.compliance(con, Filters(), V, AS_OF) == health.compliance_summary(members)
    gaps = health.follow_up_gap_list(con, Filters(), V, AS_OF)
    assert len(gaps) == len(health.follow_up_gaps(members))


def test_neutralise_sql_agrees_with_python() -> None:
    c = duckdb.connect()
    for value in ["=1+1", "+3", "-2", "@x", "\tx", "\rx", "ok", "a=b", ""]:
        got = c.execute(f"SELECT {extract.neutralise_sql('$v')}", {"v": value}).fetchone()[0]
        assert got == extract._neutralise_cell(value), value


def _view(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> tuple[extract.SqlView, pd.DataFrame]:
    lq = households.listing_query(flt, viewer)
    full = lq.page(con, None).drop(columns="total")
    cols = ["township", "village", "household_id", "head_name", "head_id_number", "other_causes", "main_cause"]
    return extract.SqlView(lq.ordered(), dict(lq.params), tuple((c, column_label(c, "zh")) for c in cols),
                           rows=len(full)), full


def test_sql_csv_is_the_full_masked_list(con: duckdb.DuckDBPyConnection) -> None:
    view, full = _view(con, Filters(), V)
    data = extract.csv_from_sql(con, view)
    assert data.startswith(extract.BOM)
    rows = list(csv.reader(io.StringIO(data[len(extract.BOM):].decode("utf-8"))))
    assert rows[0] == [column_label(c, "zh") for c, _ in view.columns] and rows[0][0] == "乡(镇)"
    assert len(rows) - 1 == len(full)
    assert [r[2] for r in rows[1:]] == list(full["household_id"])
    ids = [r[4] for r in rows[1:] if r[4]]
    assert ids and all("*" in i for i in ids)  # masked in SQL


def test_sql_csv_neutralises_formulas_and_joins_lists() -> None:
    c = duckdb.connect()
    view = extract.SqlView("SELECT * FROM (VALUES ('=HYPERLINK(1)', ['a', 'b'], true), ('ok', [], false)) t(x, l, b)",
                           {}, (("x", "甲"), ("l", "乙"), ("b", "丙")), rows=2)
    text = extract.csv_from_sql(c, view)[len(extract.BOM):].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["甲", "乙", "丙"], ["'=HYPERLINK(1)", "a、b", "是"], ["ok", "", "否"]]


def test_sql_csv_joins_lists_the_viewers_way() -> None:
    """An English extract written by SQL (a list too long for memory) separates a cell's values as the
    English table does (", "), codes translated item by item; Chinese keeps 、."""
    c = duckdb.connect()
    sql = "SELECT * FROM (VALUES (['因病', '因残'], ['x', 'y'])) t(other_causes, notes)"
    texts = {"other_causes": {"因病": "Illness", "因残": "Disability"}}
    en = extract.SqlView(sql, {}, (("other_causes", "Other causes"), ("notes", "Notes")), mappings=texts,
                         sep=t("list.sep", "en"), rows=1)
    zh = extract.SqlView(sql, {}, (("other_causes", "其他致贫原因"), ("notes", "备注")), rows=1)
    rows = {lang: list(csv.reader(io.StringIO(extract.csv_from_sql(c, v)[len(extract.BOM):].decode("utf-8"))))
            for lang, v in (("en", en), ("zh", zh))}
    assert rows["en"][1] == ["Illness, Disability", "x, y"]
    assert rows["zh"][1] == ["因病、因残", "x、y"]


def test_xlsx_refused_above_limit(con: duckdb.DuckDBPyConnection) -> None:
    view, full = _view(con, Filters(), V)
    assert extract.xlsx_from_sql(con, view).startswith(b"PK")
    with pytest.raises(ValueError):
        extract.xlsx_from_sql(con, view, max_rows=len(full) - 1)


def _long_table_app() -> None:
    import pandas as pd
    import streamlit as st

    from ui import table

    n = st.session_state.get("rows", 10)
    df = pd.DataFrame({"household_id": [f"H{i:05d}" for i in range(n)], "township": ["乌加河镇"] * n})
    st.session_state["view_rows"] = len(table.show("long", df, "长表"))


@pytest.mark.parametrize("rows", [10, 501, 2_000])
def test_long_in_memory_table_shows_a_page_and_downloads_all(rows: int) -> None:
    """A table past DEFAULT_LIMIT rows shows its first rows and says so, as lists do; the view the
    downloads are written from keeps every row."""
    from streamlit.testing.v1 import AppTest

    from queries.paging import DEFAULT_LIMIT

    at = AppTest.from_function(_long_table_app, default_timeout=60)
    at.session_state["rows"] = rows
    at.run()
    assert not at.exception
    assert len(at.dataframe[0].value) == min(rows, DEFAULT_LIMIT)
    assert at.session_state["view_rows"] == rows
    captions = [c.value for c in at.caption]
    if rows > DEFAULT_LIMIT:
        assert any(f"{DEFAULT_LIMIT:,}" in c and f"{rows:,}" in c for c in captions), captions
    else:
        assert not any("下载的文件包含全部" in c for c in captions)


def test_sql_csv_translates_a_joined_cell_value_by_value_as_the_screen_does() -> None:
    """A list query may hold several codes in one text cell (the health list's `长期慢性病、残疾`, joined
    in SQL). The English table translates such a cell value by value (ui.table._text: "Chronic illness,
    Disabled"); the English CSV of the full list wrote it in Chinese (a browser review of 健康扶贫)."""
    from labels import codes_en
    from ui import table

    c = duckdb.connect()
    sql = "SELECT * FROM (VALUES ('长期慢性病、残疾'), ('长期慢性病'), ('未知、残疾'), (NULL)) t(health)"
    frame = c.execute(sql).df()
    en = extract.SqlView(sql, {}, (("health", column_label("health", "en")),),
                         mappings={"health": table.value_texts("health", "en")}, sep=t("list.sep", "en"), rows=4)
    assert table.value_texts("health", "en") is codes_en.CODE_EN
    written = list(csv.reader(io.StringIO(extract.csv_from_sql(c, en)[len(extract.BOM):].decode("utf-8"))))
    shown = table.labelled(frame, "en")
    assert [r[0] if r else "" for r in written[1:]] == list(shown.iloc[:, 0])  # a blank cell: a blank line
    assert written[1] == ["Chronic illness, Disabled"]
