"""The shared table layer (ui.table): what a table cell shows, in either language."""

from __future__ import annotations

import pandas as pd
import pytest

from labels import STRICT_ENV
from ui import table


def test_numbers_with_gaps_stay_numbers() -> None:
    """An object column of ints and None (a count a row may lack) stays a number column with a
    missing value, not a mix of ints and "" that the grid shows as text."""
    out = table.labelled(pd.DataFrame({"members": pd.Series([3, None, 12], dtype=object)}), "zh")
    col = out[table.column_label("members", "zh")]
    assert pd.api.types.is_integer_dtype(col.dtype)
    assert col.isna().tolist() == [False, True, False]


def test_file_kinds_read_as_words_in_both_languages() -> None:
    """A batch's kind is an internal code (registry, medical_claims …): every table shows its label."""
    df = pd.DataFrame({"kind": ["registry", "medical_claims", "household_checks", None]})
    assert table.labelled(df, "zh").iloc[:, 0].tolist() == ["贫困人口信息", "医疗报销", "入户核查表", ""]
    assert table.labelled(df, "en").iloc[:, 0].tolist() == ["Registry", "Medical claims", "Household checks", ""]


def test_code_values_translated_in_english_tables() -> None:
    """Code columns read in English as the charts do: single values, a stored `a、b` text value by
    value, list cells joined with ", "; Chinese keeps the values and 、."""
    df = pd.DataFrame({
        "value": ["健康", "弱劳动力或半劳动力"],
        "health": ["长期慢性病、残疾", "健康"],
        "problem_category": ["档案资料不规范", "扶贫手册更新不及时"],
        "categories": [["产业帮扶", "健康帮扶"], []],
        "village": ["东风村", "团结村"],  # a place name stays as written
    })
    en = table.labelled(df, "en")
    assert en.iloc[:, 0].tolist() == ["Healthy", "Weak or half labour"]
    assert en.iloc[:, 1].tolist() == ["Chronic illness, Disabled", "Healthy"]
    assert en.iloc[:, 2].tolist() == ["Irregular archive records", "Handbook not updated"]
    assert en.iloc[:, 3].tolist() == ["Industry, Health", ""]
    assert en.iloc[:, 4].tolist() == ["东风村", "团结村"]
    zh = table.labelled(df, "zh")
    assert zh.iloc[:, 1].tolist() == ["长期慢性病、残疾", "健康"]
    assert zh.iloc[:, 3].tolist() == ["产业帮扶、健康帮扶", ""]


def test_rejected_row_reads_as_labelled_values() -> None:
    """A rejected row's raw values read with the file's column labels in the viewer's language, every
    value kept (numbers too); a raw text that is not a JSON object stays as stored."""
    raw = ('{"household_id":null,"category":"产业帮扶","content":"发放肉羊养殖补贴","year":"2020",'
           '"amount_yuan":3000.5,"status":"实施中"}')
    df = pd.DataFrame({"raw": [raw, "户编号,姓名\\xb5\\xc4"]})
    zh = table.labelled(df, "zh").iloc[:, 0].tolist()
    assert zh[0] == "类别：产业帮扶；措施内容：发放肉羊养殖补贴；年度：2020；金额(元)：3000.5；状态：实施中"
    assert zh[1] == "户编号,姓名\\xb5\\xc4"
    en = table.labelled(df, "en").iloc[:, 0].tolist()[0]
    assert en.startswith("Category: 产业帮扶; ") and "{" not in en and "household_id" not in en


def test_columns_sized_from_every_value() -> None:
    """Every shown value fits its column, not only the first ten rows' (the grid's own sizing cut a
    long value further down, '自身发展动力不足' → '自身发展动力不'); a progress column holds its label
    beside the bar in less than the grid's fixed 150 px."""
    causes = ["因病"] * 10 + ["自身发展动力不足"]
    view = pd.DataFrame({"主要致贫原因": causes, "占比": [0.3512] * 11})
    progress = {"type_config": {"type": "progress", "format": "percent", "min_value": 0, "max_value": 1}}
    config = table.sized(view, {"占比": progress})
    assert config["主要致贫原因"]["width"] >= table.text_px("自身发展动力不足") + table.CELL_PADDING
    share = config["占比"]
    assert share["type_config"] == progress["type_config"]  # the page's settings are kept
    assert table.text_px("100.00%") + table.PROGRESS_BAR_PX <= share["width"] < 150


def test_a_page_s_column_width_holds_its_header_in_every_language() -> None:
    """The overview sets its rate bars narrow (112 px, for 帮扶措施覆盖率): in English the header read
    "Assistance coverag". A page's width is kept where the header fits, widened where it does not."""
    bar = {"type_config": {"type": "progress", "format": "%.2f%%"}}
    view = pd.DataFrame({"帮扶措施覆盖率": [98.8], "Assistance coverage": [98.8], "Exit rate": [94.1]})
    config = table.sized(view, {c: {**bar, "width": w} for c, w in
                                (("帮扶措施覆盖率", 120), ("Assistance coverage", 112), ("Exit rate", 96))})
    assert config["帮扶措施覆盖率"]["width"] == 120 and config["Exit rate"]["width"] == 96
    assert config["Assistance coverage"]["width"] >= table.text_px("Assistance coverage") + table.CELL_PADDING


def test_a_fixed_height_is_a_cap_for_a_short_table() -> None:
    """5 rows under a page's 300 px get their own height (no empty rows drawn below them); 20 rows scroll
    within the 300 px; a named height ("stretch") is kept."""
    assert table.capped_height(300, 5) == table.rows_px(5) < 300
    assert table.capped_height(300, 20) == 300
    assert table.capped_height("stretch", 5) == "stretch"


def test_large_numbers_get_thousands_separators(monkeypatch: pytest.MonkeyPatch) -> None:
    """A number column reaching 1,000 is configured with separators unless the page configured it;
    small counts, text, year and line-number columns are left alone."""
    monkeypatch.delenv(STRICT_ENV, raising=False)  # made-up column names, no labels
    df = pd.DataFrame({"amount_yuan": [1_222_300.0, 500.0], "households": [3, 12], "year": [2016, 2017],
                       "line": [12_345, 2], "batch_id": [1_001, 3],
                       "exit_year": [2019, 2020], "township": ["甲镇", "乙镇"], "total": [62_897, 1]})
    view = table.labelled(df, "zh")
    out = table.with_thousands(view, list(df.columns), {"total": "given"})
    assert set(out) == {"amount_yuan", "total"} and out["total"] == "given"
    assert out["amount_yuan"]["type_config"]["format"] == "localized"


def test_prepared_tables_are_shared_by_content_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table's prepared grid is kept across sessions by content: the same frame again (another
    session's copy of the same query result) reuses it, while a frame differing in one cell, in a
    column name, in the language or in the page's column config is prepared on its own. What a page
    does to the view it gets back never reaches the kept one."""
    monkeypatch.delenv(STRICT_ENV, raising=False)  # made-up column names, no labels
    df = pd.DataFrame({"township": ["德岭山镇", "乌加河镇"], "households": [1200, 35], "note": ["a", None]})
    first = table._grid(df, "zh", None, 500)
    again = table._grid(df.copy(deep=True), "zh", None, 500)
    assert again[1] is first[1]
    one_cell = df.assign(households=[1200, 36])
    renamed = df.rename(columns={"note": "notes"})
    for other in (table._grid(one_cell, "zh", None, 500), table._grid(renamed, "zh", None, 500),
                  table._grid(df, "en", None, 500), table._grid(df, "zh", {"note": {"width": 99}}, 500)):
        assert other[1] is not first[1]
    assert table._grid(one_cell, "zh", None, 500)[1].column(1)[1].as_py() == 36
    assert table._grid(df, "zh", {"note": {"width": 99}}, 500)[2][table.column_label("note", "zh")]["width"] == 99
    mine = first[0].copy(deep=False)
    mine[mine.columns[1]] = 0
    assert table._grid(df, "zh", None, 500)[0].iloc[0, 1] == 1200


def test_shares_are_drawn_with_one_decimal_and_bars_on_one_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The grid's percent preset wrote 96%, 98.75% and 100%, and a progress bar takes what its text
    leaves of the cell: 96% drew a longer bar than 98.75% (a browser review). The grid gets percentage
    points with two decimals in every row (as the downloads write them); the view keeps the shares."""
    import streamlit as st

    monkeypatch.delenv(STRICT_ENV, raising=False)  # made-up column names, no labels
    df = pd.DataFrame({"township": ["甲镇", "乙镇", "丙镇"], "exit_rate": [0.96, 0.9875, 1.0]})
    config = {"exit_rate": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)}
    view, grid, shown = table._prepared(df, "zh", config, None)
    label = table.column_label("exit_rate", "zh")
    assert grid.column(1).to_pylist() == pytest.approx([96.0, 98.75, 100.0])
    bar = shown[label]["type_config"]
    assert (bar["format"], bar["min_value"], bar["max_value"]) == ("%.2f%%", 0, 100)
    assert [bar["format"] % v for v in grid.column(1).to_pylist()] == ["96.00%", "98.75%", "100.00%"]
    assert list(view[label]) == [0.96, 0.9875, 1.0]
    assert table.percent_labels(config, "zh") == [label]


def test_progress_bars_are_not_drawn_in_alarm_red(monkeypatch: pytest.MonkeyPatch) -> None:
    """The theme's red drew 脱贫率 98.75% as an alarm: a bar is the charts' neutral blue unless the page
    gives its own colour."""
    import streamlit as st

    from ui.charts import DEFAULT_COLOR

    monkeypatch.delenv(STRICT_ENV, raising=False)  # made-up column names, no labels
    df = pd.DataFrame({"township": ["甲镇"], "exit_rate": [0.9875], "days": [3]})
    config = {"exit_rate": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
              "days": st.column_config.ProgressColumn(min_value=0, max_value=9, color="red")}
    shown = table._prepared(df, "zh", config, None)[2]
    assert shown[table.column_label("exit_rate", "zh")]["type_config"]["color"] == DEFAULT_COLOR
    assert shown[table.column_label("days", "zh")]["type_config"]["color"] == "red"
