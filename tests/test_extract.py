"""Extract bytes: BOM, Chinese headers, masking as on screen, formula injection, rows = view."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from streamlit.runtime.media_file_manager import MediaFileManager

from labels import STRICT_ENV
from queries import causes, households
from queries.filters import Filters, Viewer
from ui.extract import (
    CUT_MARKER,
    NOTES_SHEET,
    XLSX_MAX_CELL,
    SqlView,
    csv_bytes,
    csv_from_sql,
    file_name,
    filter_slug,
    neutralise,
    note_cut_cells,
    xlsx_bytes,
    xlsx_from_sql,
)
from ui.table import labelled

AS_OF = dt.date(2020, 6, 30)


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_of_a_household_view(con: duckdb.DuckDBPyConnection) -> None:
    df = households.listing(con, Filters(townships=("呼勒斯太苏木",)), Viewer())
    view = labelled(df[["township", "village", "household_id", "head_name", "head_id_number", "main_cause"]], "zh")
    rows = _rows(csv_bytes(view))
    assert rows[0] == ["乡(镇)", "行政村", "户编号", "户主", "户主证件号码", "主要致贫原因"]
    assert len(rows) - 1 == len(view) == 2
    body = {r[2]: r for r in rows[1:]}
    assert body["H09"][3] == "岳*"  # masked as on screen
    assert body["H09"][4] == "150824********7777"
    assert body["H10"][3] == "'=******)"  # '=SUM(A1)' masked, then neutralised
    assert "岳明" not in csv_bytes(view).decode("utf-8-sig")


def test_formula_injection_neutralised() -> None:
    df = pd.DataFrame({"名称": ["=1+2", "+cmd", "-3", "@SUM(A1)", "\tx", "\rx", "正常", "a=b"], "数": range(8)})
    rows = _rows(csv_bytes(df))
    assert [r[0] for r in rows[1:]] == ["'=1+2", "'+cmd", "'-3", "'@SUM(A1)", "'\tx", "'\rx", "正常", "a=b"]
    assert [r[1] for r in rows[1:]] == [str(i) for i in range(8)]  # numbers untouched (negative numbers too)
    assert neutralise(pd.DataFrame({"v": [-3]}))["v"].iloc[0] == -3


def test_a_float_column_is_written_as_the_number_the_screen_shows() -> None:
    """The health page's 差额 -500.0 was written '-500 (the formula quote on a number: text Excel cannot
    sum) and a summed income 10680.150000000001 beside a screen showing 10,680.15 (a browser review).
    Floats are written to 15 significant digits, as a double holds them; text is still neutralised."""
    df = pd.DataFrame({"差额": [-500.0, 12.5, None], "收入": [10680.150000000001, 0.1 + 0.2, 4000.0],
                       "说明": ["-负数", "正常", None]})
    rows = _rows(csv_bytes(df))
    assert rows[1:] == [["-500", "10680.15", "'-负数"], ["12.5", "0.3", "正常"], ["", "4000", ""]]


def test_list_cells_and_english() -> None:
    df = pd.DataFrame({"main_cause": ["因病"], "other_causes": [["缺劳力", "因残"]]})
    assert _rows(csv_bytes(labelled(df, "zh")))[1] == ["因病", "缺劳力、因残"]
    en = _rows(csv_bytes(labelled(df, "en")))
    assert en[0] == ["Main cause", "Other causes"] and en[1] == ["Illness", "Lack of labour, Disability"]


def test_xlsx_same_rows_strings_not_formulas(con: duckdb.DuckDBPyConnection, tmp_path) -> None:  # noqa: ANN001
    df = households.listing(con, Filters(), Viewer())
    view = labelled(df[["household_id", "head_name", "member_count"]], "zh")
    path = tmp_path / "x.xlsx"
    path.write_bytes(xlsx_bytes(view, "致贫原因"))
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert sheet[0] == ["户编号", "户主", "家庭人口"]
    assert len(sheet) - 1 == len(view) == 12
    names = [r[1] for r in sheet[1:]]
    assert "=******)" in names  # stored as text, not a formula


def test_causes_view_rows_equal_screen(con: duckdb.DuckDBPyConnection) -> None:
    flt = Filters(townships=("德岭山镇",))
    view = labelled(causes.by_area(con, flt, Viewer()), "zh")
    rows = _rows(csv_bytes(view))
    assert len(rows) - 1 == len(view) == 4
    assert rows[0][:3] == ["乡(镇)", "主要致贫原因", "户数"]


def test_file_names() -> None:
    assert file_name("致贫原因", Filters(townships=("乌加河镇",)), AS_OF, "csv") == "致贫原因_乌加河镇_2020-06-30.csv"
    assert file_name("致贫原因", Filters(), AS_OF, "xlsx") == "致贫原因_全旗_2020-06-30.xlsx"
    # an English page's file name is English too (it read Poverty causes_全旗_…), codes translated
    assert file_name("Poverty causes", Filters(), AS_OF, "csv", "en") == "Poverty_causes_county_2020-06-30.csv"
    many = Filters(townships=("乌加河镇", "德岭山镇", "海流图镇"), main_causes=("因病",))
    assert file_name("致贫原因", many, AS_OF, "csv") == "致贫原因_乌加河镇等3个乡镇_因病_2020-06-30.csv"
    assert file_name("Causes", many, AS_OF, "csv", "en") == "Causes_乌加河镇+2townships_Illness_2020-06-30.csv"
    assert filter_slug(Filters(townships=("乌加河镇", "德岭山镇", "温更镇"))) == "乌加河镇等3个乡镇"
    assert filter_slug(Filters(townships=("乌加河镇",), villages=("联丰奋斗村",), main_causes=("因病",))) == \
        "联丰奋斗村_因病"
    assert "/" not in file_name("a/b", Filters(villages=("x:y",)), AS_OF, "csv")
    # the defect list of one township, filtered to that township: the township once
    assert file_name("档案问题清单_乌加河镇", Filters(townships=("乌加河镇",)), AS_OF, "csv") == \
        "档案问题清单_乌加河镇_2020-06-30.csv"


def test_county_wide_tables_do_not_name_the_filter(demo_env: Path) -> None:
    """The load history holds every batch whatever the filter: its file is not named after the filter."""
    from tests import conftest

    names = list(_deferred_files(conftest.open_page("data_admin", {"town": "乌加河镇"})))
    history = [n for n in names if n.startswith("入库记录")]
    assert len(history) == 2 and all("_全旗_" in n and "乌加河镇" not in n for n in history), names


def test_labelled_columnwise_equals_cell_by_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """`labelled` does text and boolean columns column-wise; it must give what `_cell` gives per cell
    (CSV extracts and tables are written from it), in both languages, with and without codes."""
    monkeypatch.delenv(STRICT_ENV, raising=False)  # made-up column names, no labels
    from ui.table import CODE_COLUMNS, _cell, value_texts

    df = pd.DataFrame({
        "main_cause": ["因病", None, "", "因残", "未知原因"],
        "township": ["乌加河镇", "德岭山镇", None, "", "x"],
        "flag": [True, False, True, False, True],
        "reasons": [["因病", "因残"], [], None, ["缺劳力"], ["x"]],
        "mixed": ["a", 1, None, True, 2.5],
        "maybe": [True, None, False, True, None],
        "empty": [None, None, None, None, None],
        "n": [1, 2, 3, 4, 5],
    })
    assert {"main_cause", "reasons"} <= CODE_COLUMNS
    for lang in ("zh", "en"):
        for codes in (True, False):
            got = labelled(df, lang, codes)
            for i, col in enumerate(df.columns):
                texts = value_texts(col, lang) if codes else None
                if df[col].dtype != object and not pd.api.types.is_bool_dtype(df[col]) and not texts:
                    continue
                want = [_cell(v, lang, texts) for v in df[col]]
                assert got.iloc[:, i].tolist() == want, (lang, codes, col)


# --- long cells in XLSX (issue 14 §6) -------------------------------------------------------------


def _sheets(data: bytes) -> dict[str, list[list[object]]]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def _long_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "问题描述": ["甲" * 40_000, "短", "乙" * XLSX_MAX_CELL, "𠀀" * 20_000],  # 𠀀: two UTF-16 units each
        "备注": ["丙" * (XLSX_MAX_CELL + 1), None, "=1+1", "x"],
    })


def _check_cut(data: bytes, frame: pd.DataFrame) -> None:
    sheets = _sheets(data)
    rows = next(v for k, v in sheets.items() if k != NOTES_SHEET)
    assert rows[0] == list(frame.columns)
    body = rows[1:]
    cut_cells = [(r, c) for r, row in enumerate(body) for c, v in enumerate(row)
                 if isinstance(v, str) and v.endswith(CUT_MARKER)]
    assert cut_cells == [(0, 0), (0, 1), (3, 0)]  # 40,000; 32,768; 40,000 UTF-16 units
    for r, c in cut_cells:
        text = body[r][c]
        assert len(text.encode("utf-16-le")) // 2 <= XLSX_MAX_CELL
        assert frame.iat[r, c].startswith(text[: -len(CUT_MARKER)])  # the start is kept as written
    assert body[0][0] == "甲" * (XLSX_MAX_CELL - len(CUT_MARKER)) + CUT_MARKER
    assert body[2][0] == "乙" * XLSX_MAX_CELL  # exactly at the limit: whole
    assert body[1][0] == "短" and body[2][1] == "=1+1"
    notes = sheets[NOTES_SHEET]
    assert any("3 个单元格" in str(v) and CUT_MARKER in str(v) for row in notes for v in row), notes


def test_xlsx_cuts_long_cells_with_a_marker_and_says_how_many() -> None:
    frame = _long_frame()
    _check_cut(xlsx_bytes(frame, "整改台账"), frame)


def test_xlsx_from_sql_cuts_long_cells_the_same_way() -> None:
    frame = _long_frame()
    mem = duckdb.connect()
    mem.register("frame_view", frame)
    view = SqlView(sql="SELECT * FROM frame_view", params={}, columns=(("问题描述", "问题描述"), ("备注", "备注")),
                   rows=len(frame))
    _check_cut(xlsx_from_sql(mem, view, "整改台账"), frame)


def test_no_notes_sheet_when_nothing_was_cut() -> None:
    data = xlsx_bytes(pd.DataFrame({"a": ["短"] * 3}))
    assert NOTES_SHEET not in _sheets(data)


def test_the_cut_note_goes_below_an_existing_notes_sheet() -> None:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    notes = wb.add_worksheet(NOTES_SHEET)
    notes.write_row(0, 0, ["指标", "口径"])
    notes.write_row(1, 0, ["脱贫率", "已脱贫户 / 建档立卡户"])
    note_cut_cells(wb, 2, "en")
    wb.close()
    rows = _sheets(buf.getvalue())[NOTES_SHEET]
    assert rows[:2] == [["指标", "口径"], ["脱贫率", "已脱贫户 / 建档立卡户"]]
    assert rows[2][0].startswith("2 cells held more text than an Excel cell can (32,767 characters)")


def _deferred_files(at: object) -> dict[str, object]:
    """file name -> the deferred callable of every download button of an AppTest run."""
    ids = {b.proto.deferred_file_id for b in at.get("download_button")}  # type: ignore[attr-defined]
    return {entry["filename"]: entry["callable"] for mgr in gc.get_objects() if isinstance(mgr, MediaFileManager)
            for file_id, entry in list(mgr._deferred_callables.items()) if file_id in ids}


def test_shares_download_as_the_screen_shows_them(demo_env: Path) -> None:
    """A column the table shows as a percentage is written 94.12% in the CSV (Excel reads it as the
    number) and as a number formatted 0.00% in the workbook; it was 0.9411764705882353."""
    from tests import conftest

    files = _deferred_files(conftest.open_page("overview", {}))
    csv_name = next(n for n in files if n.startswith("分乡镇") and n.endswith(".csv"))
    rows = _rows(files[csv_name]())
    col = rows[0].index("脱贫率")
    assert all(r[col].endswith("%") and len(r[col].split(".")[-1]) == 3 for r in rows[1:]), rows[:3]
    book = files[csv_name.replace(".csv", ".xlsx")]()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(book)).get_sheet_by_index(0).to_python()
    xcol = sheet[0].index("脱贫率")
    assert all(isinstance(r[xcol], float) and 0 <= r[xcol] <= 1 for r in sheet[1:])


def test_a_download_of_the_monitored_names_its_population(demo_env: Path) -> None:
    """With 统计对象 = 监测对象 on the causes page, the CSV of 37 monitored households had the same name as
    the 600 registered ones (致贫原因_全旗_…) and its 说明 sheet did not say which: the file, its notes
    and the download log now name the population when it is not the default."""
    from tests import conftest

    at = conftest.open_page("causes", {})
    default = sorted(_deferred_files(at))
    at.segmented_control(key="causes_population").set_value("monitored").run()
    files = _deferred_files(at)
    causes = next(n for n in files if n.startswith("致贫原因") and n.endswith(".xlsx"))
    assert causes.startswith("致贫原因_监测对象_全旗_"), causes
    assert all(n.startswith("致贫原因_全旗_") is False for n in files if n.startswith("致贫原因"))
    assert any(n.startswith("致贫原因_全旗_") for n in default)
    notes = _sheets(files[causes]())[NOTES_SHEET]
    assert any("监测对象" in str(cell) for row in notes[:2] for cell in row)


def test_downloads_that_do_not_follow_the_filter_are_not_named_after_it(demo_env: Path) -> None:
    """The load history under every page's header lists every batch: its file was named 入库批次_因病_…
    under a cause filter. The self-check form is drawn from the area alone: it was named …_因病_… over
    the county's sample, and its cover said 抽取10个村 over the 5 villages of a township."""
    from tests import conftest

    files = _deferred_files(conftest.open_page("causes", {"cause": "因病"}))
    assert any(n.startswith("入库批次_全旗_") for n in files), sorted(files)
    at = conftest.open_page("inspection_rates", {"cause": "因病", "town": "乌加河镇"})
    form = next(n for n in _deferred_files(at) if n.startswith("自查入户核查表"))
    assert "因病" not in form and "乌加河镇" in form, form
    cover = _sheets(_deferred_files(at)[form]())
    text = " ".join(str(c) for rows in cover.values() for row in rows[:6] for c in row)
    drawn = at.caption
    assert "抽取10个村" not in text and any("抽中" in c.value for c in drawn), text[:300]


def test_shares_written_as_text_are_numbers_in_the_workbook() -> None:
    """The 三率一度 tables write their rates as text (12.50%, blank for no figure): the workbook held
    them as text, which Excel neither sums nor sorts; they are numbers formatted 0.00% now. A column
    with anything else in it stays as written."""
    from ui.extract import xlsx_bytes

    df = pd.DataFrame({"指标": ["综合贫困发生率", "群众认可度", "漏评率"], "数值": ["0.10%", "95.00%", ""],
                       "备注": ["12%", "样本不足", ""]})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx_bytes(df))).get_sheet_by_index(0).to_python()
    assert [r[1] for r in sheet[1:]] == [0.001, 0.95, ""]
    assert [r[2] for r in sheet[1:]] == ["12%", "样本不足", ""]


def test_a_full_list_writes_its_shares_dates_and_widths_as_the_screen_shows_them() -> None:
    """A list downloaded from SQL wrote 自付占收入 as stored (2.280320831226515) where the screen shows
    228.03%, its dates as text, and sized its columns from the headers alone (a 16-digit 户编号 in 10)."""
    from ui.extract import csv_from_sql

    con = duckdb.connect()
    view = SqlView(sql="SELECT '1508241002010037' AS household_id, 2.280320831226515 AS ratio, "
                       "DATE '2020-06-30' AS deadline", params={},
                   columns=(("household_id", "户编号"), ("ratio", "自付占收入"), ("deadline", "整改时限")),
                   percent=("ratio",))
    assert _rows(csv_from_sql(con, view))[1] == ["1508241002010037", "228.03%", "2020-06-30"]
    book = xlsx_from_sql(con, view)
    row = CalamineWorkbook.from_filelike(io.BytesIO(book)).get_sheet_by_index(0).to_python()[1]
    assert row[0] == "1508241002010037" and row[1] == pytest.approx(2.280320831226515)
    assert isinstance(row[2], dt.date) and row[2] == dt.date(2020, 6, 30)
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(book)).active
    assert ws["B2"].number_format == "0.00%" and ws.column_dimensions["A"].width >= 16


def test_downloads_of_village_rows_are_named_by_village(demo_env: Path) -> None:
    """With one township chosen the breakdowns hold villages: their files said 分乡镇 (a browser review)."""
    from tests import conftest

    names = set(_deferred_files(conftest.open_page("causes", {"town": "海流图镇"})))
    assert any(n.startswith("致贫原因构成_分村") for n in names), names
    assert not any("分乡镇" in n for n in names), names
    names = set(_deferred_files(conftest.open_page("exit_status", {"town": "海流图镇"})))
    assert any(n.startswith("脱贫状态_分村") for n in names) and not any("分乡镇" in n for n in names), names


def test_whole_numbers_in_a_float_column_are_written_whole() -> None:
    """A count in a column with a gap (分子, 分母 of 三率一度) is a float column: it went out as 60.0 and
    62897.0 beside a screen showing 60 and 62,897 (a browser review). A whole value is written whole,
    a fraction kept; a list written by DuckDB (贫困线 4000.0, a probe) the same way."""
    df = pd.DataFrame({"分子": [60.0, None, 62897.0], "收入": [4300.5, 4000.0, None]})
    rows = _rows(csv_bytes(df))
    assert rows[1:] == [["60", "4300.5"], ["", "4000"], ["62897", ""]]
    from ui.extract import csv_from_sql

    view = SqlView(sql="SELECT * FROM (VALUES (60.0::DOUBLE, 4300.5::DOUBLE), (NULL, 4000.0), (62897.0, NULL)) t(a, b)",
                   params={}, columns=(("a", "分子"), ("b", "收入")))
    assert _rows(csv_from_sql(duckdb.connect(), view))[1:] == rows[1:]


def test_quality_downloads_are_named_for_what_they_hold(demo_env: Path) -> None:
    """The two completeness tables had one name (the second saved as "(1)"), and the per-batch issues,
    county-wide whatever the filter, were named after the township filtered to (a browser review)."""
    from tests import conftest

    names = list(dict.fromkeys(_deferred_files(conftest.open_page("quality", {"town": "德岭山镇"}))))
    csv = [n for n in names if n.endswith(".csv")]
    assert len(csv) == len(set(csv)), csv
    trend = [n for n in csv if n.startswith("档案问题_按批次")]
    assert trend and all("德岭山镇" not in n for n in trend), trend
    assert any(n.startswith("档案完整率_分村") for n in csv), csv


def test_the_self_check_sample_is_named_and_described_by_place_only(demo_env: Path) -> None:
    """The sample is drawn from the township or village alone; under 海流图镇 + 因病 + 未脱贫 its list was
    named 自查抽样名单_种子2020_海流图镇_因病_未脱贫_… (94 households of every status) beside a check form
    named without them, and the page said it drew "在当前筛选范围内" (a browser review)."""
    from tests import conftest

    at = conftest.open_page("inspection_rates", {"town": "海流图镇", "cause": "因病", "status": "未脱贫"})
    files = _deferred_files(at)
    sample = sorted(n for n in files if n.startswith(("自查抽样名单", "自查入户核查表")))
    stems = [n.rsplit("_", 1)[0] + "." + n.rsplit(".", 1)[1] for n in sample]  # without the date
    assert stems == ["自查入户核查表_种子2020_海流图镇.xlsx", "自查抽样名单_种子2020_海流图镇.csv",
                     "自查抽样名单_种子2020_海流图镇.xlsx"], sample
    notes = _sheets(files[sample[2]]())[NOTES_SHEET]
    assert not any("因病" in str(cell) for row in notes[:4] for cell in row), notes[:4]
    caption = " ".join(c.value for c in at.caption)
    assert "在当前筛选范围内" not in caption and "其他筛选条件不影响抽样" in caption, caption


def test_dates_in_a_workbook_are_days_unless_they_carry_a_time() -> None:
    """入院日期 went to Excel as 2020-03-15 00:00:00 beside a screen showing 2020-03-15 (a browser
    review): a column of midnights is a column of days; a load time keeps its time."""
    import openpyxl

    df = pd.DataFrame({"入院日期": pd.to_datetime(["2020-03-15", None]),
                       "入库时间": pd.to_datetime(["2020-07-01 09:30:00", "2020-07-02 00:00:00"])})
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(df))).active
    assert ws["A2"].value == dt.datetime(2020, 3, 15) and ws["A2"].number_format.lower() == "yyyy-mm-dd"
    assert ws["A3"].value is None
    assert ws["B2"].value == dt.datetime(2020, 7, 1, 9, 30) and "h" in ws["B2"].number_format.lower()


def test_the_causes_household_list_names_its_cause_once(demo_env: Path) -> None:
    """The list picks a cause (and a township) on the page: with the sidebar on 因病 too its file was
    named 致贫原因_农户名单_因病_德岭山镇_因病_… (a browser review), and a township picked on the page
    was named 全旗. The name gives the list's scope, each part once."""
    from tests import conftest

    at = conftest.open_page("causes", {"town": "德岭山镇", "cause": "因病"})
    names = [n for n in _deferred_files(at) if n.startswith("致贫原因_农户名单")]
    assert names and all(n.rsplit("_", 1)[0] == "致贫原因_农户名单_德岭山镇_因病" for n in names), names
    at = conftest.open_page("causes", {})
    at.selectbox(key="causes_pick_town").set_value("德岭山镇").run()
    cause = at.selectbox(key="causes_pick_cause").value
    names = [n for n in _deferred_files(at) if n.startswith("致贫原因_农户名单")]
    assert names and all(n.rsplit("_", 1)[0] == f"致贫原因_农户名单_德岭山镇_{cause}" for n in names), names


def test_the_notes_sheet_says_the_file_s_facts_first_then_the_dictionary() -> None:
    """The 说明 sheet wrote the dictionary's header first, so 内容 / 筛选条件 / 参考日期 sat in its 指标
    column, and the filter read as the file name's token (海流图镇_因病). Now the facts come first, the
    filter in words, then the dictionary under its own title and header (a browser review)."""
    import datetime as dt

    from labels import t
    from queries.filters import Filters
    from ui.context import PageContext
    from ui.extract import notes, xlsx_bytes

    ctx = PageContext(flt=Filters(townships=("海流图镇",), main_causes=("因病",), exit_years=(2016, 2019)),
                      as_of=dt.date(2020, 6, 30))
    df = pd.DataFrame({"户编号": ["H1"]})
    rows = _sheets(xlsx_bytes(df, "疑似错退户名单", "zh", notes(ctx, "疑似错退户名单"), NOTES_SHEET))[NOTES_SHEET]
    assert rows[0][:2] == [t("notes.what", "zh"), "疑似错退户名单"]
    assert rows[1][0] == t("notes.filter", "zh")
    assert rows[1][1].startswith("乡镇（苏木）：海流图镇；主要致贫原因：因病；脱贫年度：2016–2019（只含")
    assert rows[2][:2] == [t("notes.as_of", "zh"), "2020-06-30"]
    title = next(i for i, r in enumerate(rows) if r[0] == t("notes.dictionary", "zh"))
    assert rows[title + 1][0] == t("dict.name", "zh") and title == 5  # the header right under its title
    everything = notes(PageContext(as_of=dt.date(2020, 6, 30)), "x")
    assert everything.iloc[1, 1] == t("notes.no_filter", "zh")


def test_a_full_list_written_by_duckdb_writes_a_fraction_as_the_screen_does() -> None:
    """家庭年收入 5593.9 × 3 went out as 16781.699999999997 in a full-list download while the table showed
    16,781.7: DuckDB's list writes a non-whole DOUBLE to 15 significant digits, as csv_bytes does."""
    view = SqlView(sql="SELECT 5593.9::DOUBLE * 3 AS income, 0.1::DOUBLE + 0.2 AS x, 4000.0::DOUBLE AS line",
                   params={}, columns=(("income", "家庭年收入(元)"), ("x", "x"), ("line", "贫困线")))
    sql_rows = _rows(csv_from_sql(duckdb.connect(), view))
    assert sql_rows[1] == ["16781.7", "0.3", "4000"]
    df = pd.DataFrame({"家庭年收入(元)": [5593.9 * 3], "x": [0.1 + 0.2], "贫困线": [4000.0]})
    assert _rows(csv_bytes(df))[1] == sql_rows[1]


def test_a_narrowed_ledger_names_its_narrowing(demo_env: Path) -> None:
    """The rectification ledger narrowed on the page to 只看逾期 (13 of 45 items) downloaded as
    问题整改台账_全旗_… with 说明 saying no filter: a leader handing it on read it as the whole ledger
    (a browser review). The file, its notes and the log name the page's own narrowing."""
    from tests import conftest

    at = conftest.open_page("rectification", {})
    assert any(n.startswith("问题整改台账_全旗_") for n in _deferred_files(at))
    at.checkbox(key="rect_f_overdue").check().run()
    at.multiselect(key="rect_f_status").select("整改中").run()
    files = _deferred_files(at)
    ledger = next(n for n in files if n.startswith("问题整改台账") and n.endswith(".xlsx"))
    assert ledger.startswith("问题整改台账_整改中_逾期_全旗_"), ledger
    notes = _sheets(files[ledger]())[NOTES_SHEET]
    assert notes[0][:2] == ["内容", "问题整改台账_整改中_逾期"], notes[:2]


def test_claims_of_one_year_name_the_year(demo_env: Path) -> None:
    """健康扶贫 opens on the latest claim year: its claims, risk households and unbalanced claims of 2020
    alone downloaded as 医疗报销_按乡镇_全旗_2020-06-30 (the date is the data's), read as every claim.
    A chosen year is named; 全部年度 names none."""
    from tests import conftest

    at = conftest.open_page("health", {})
    assert at.selectbox(key="health_year").value == 2020
    files = sorted(_deferred_files(at))
    for what in ("医疗报销_按乡镇", "返贫风险户", "报销金额不平"):
        assert any(n.startswith(f"{what}_2020年度_全旗_") for n in files), (what, files)
    notes = _sheets(_deferred_files(at)[next(n for n in files if n.startswith("医疗报销") and n.endswith(".xlsx"))]())
    assert notes[NOTES_SHEET][0][:2] == ["内容", "医疗报销_按乡镇_2020年度"]
    at.selectbox(key="health_year").select_index(0).run()
    assert at.selectbox(key="health_year").value is None
    files = sorted(_deferred_files(at))
    assert any(n.startswith("医疗报销_按乡镇_全旗_") for n in files), files
    assert not any("年度" in n for n in files if n.startswith(("医疗报销", "返贫风险户", "报销金额不平"))), files


def test_veto_indicators_of_own_settings_name_them(demo_env: Path) -> None:
    """三率一度 computed over another period, population base year or veto lines (the sidebar's 三率一度设置)
    downloaded under the same name as the default figures: two periods compared gave 三率一度_全旗_… and
    三率一度_全旗_… (1). The settings that differ from the default are named; the sample and the data-rule
    signals, which do not depend on them, are not."""
    import datetime as dt

    from tests import conftest

    at = conftest.open_page("inspection_rates", {})
    default = sorted(_deferred_files(at))
    assert any(n.startswith("三率一度_全旗_") for n in default), default
    at.date_input(key="rates_from").set_value(dt.date(2020, 6, 1)).run()
    at.number_input(key="rates_line_approval").set_value(95.0).run()
    files = sorted(_deferred_files(at))
    own = "2020-06-01至2020-12-31_自定否决线"
    for what in ("三率一度", "三率一度_分乡镇", "三率一度_分村"):
        assert any(n.startswith(f"{what}_{own}_全旗_") for n in files), (what, files)
    assert any(n.startswith("数据规则提示_分乡镇_全旗_") for n in files), files
    assert any(n.startswith("自查抽样名单_种子2020_全旗_") for n in files), files


def test_the_defect_list_of_one_township_is_named_after_it_alone(demo_env: Path) -> None:
    """档案规范性's defect list of one township picked on the page (no township in the sidebar) was named
    档案问题清单_海流图镇_全旗_…: the township and the whole banner at once, and its 说明 sheet said no
    filter. The pick narrows the filter the file names, as the household list of 致贫原因 does."""
    from tests import conftest

    for params, slug, said in (({}, "海流图镇", "乡镇（苏木）：海流图镇"),
                               ({"cause": "因病"}, "海流图镇_因病", "乡镇（苏木）：海流图镇；主要致贫原因：因病")):
        at = conftest.open_page("quality", params)
        at.selectbox(key="quality_defects_town").set_value("海流图镇").run()
        files = _deferred_files(at)
        names = sorted(n for n in files if n.startswith("档案问题清单"))
        assert names and all(n.startswith(f"档案问题清单_{slug}_2020-06-30.") for n in names), names
        notes = _sheets(files[names[-1]]())[NOTES_SHEET]
        assert notes[1][:2] == ["筛选条件", said], notes[:2]


def test_the_rejected_rows_of_one_batch_name_it(demo_env: Path) -> None:
    """数据管理's rejected rows of one batch downloaded as 拒收行_全旗_…, the name of every batch's rows."""
    from tests import conftest

    at = conftest.open_page("data_admin", {})
    assert any(n.startswith("拒收行_全旗_") for n in _deferred_files(at))
    at.selectbox(key="data_batch").set_value(2).run()
    names = sorted(n for n in _deferred_files(at) if n.startswith("拒收行"))
    assert names and all(n.startswith("拒收行_批次2_全旗_") for n in names), names


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_download_log_that_cannot_be_written_is_said_in_the_user_s_language(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """The toast said Python's "[Errno 21] Is a directory: '…'" on a Chinese page, and not that the
    download went unlogged (a probe)."""
    from streamlit.testing.v1 import AppTest

    from labels import t
    from ui import extract_log

    (tmp_path / "extract_log.jsonl").mkdir()  # a folder where the log should be: EISDIR
    monkeypatch.setenv(extract_log.ENV_LOG, str(tmp_path / "extract_log.jsonl"))

    def click(lang: str) -> None:
        from ui import extract

        extract.log_download({"what": "x"}, lang)

    at = AppTest.from_function(click, args=(lang,), default_timeout=30).run()
    assert not at.exception, at.exception
    said = [x.value for x in at.toast]
    reason = t("oserror.EISDIR", "zh") if lang == "zh" else "Is a directory"
    assert said and t("extract_log.not_written", lang, path="", reason="").split("（")[0].split(" (")[0][:12] in said[0]
    assert reason in said[0] and "Errno" not in said[0], said


def test_an_english_workbook_marks_a_cut_cell_in_english() -> None:
    """An English workbook's cut cells ended with …[截断], a literal of ui.extract, and its note quoted it
    (a probe)."""
    from ui.extract import cut_marker

    marker = cut_marker("en")
    assert marker == "…[cut]"
    frame = _long_frame()
    mem = duckdb.connect()
    mem.register("frame_view", frame)
    view = SqlView(sql="SELECT * FROM frame_view", params={}, columns=(("问题描述", "问题描述"), ("备注", "备注")),
                   rows=len(frame))
    for data in (xlsx_bytes(frame, "ledger", "en", notes_name="Notes"),
                 xlsx_from_sql(mem, view, "ledger", lang="en", notes_name="Notes")):
        sheets = _sheets(data)
        body = sheets["ledger"][1:]
        assert body[0][0] == "甲" * (XLSX_MAX_CELL - len(marker)) + marker
        assert not any(isinstance(v, str) and "截断" in v for rows in sheets.values() for row in rows for v in row)
        assert any("3 cells" in str(v) and marker in str(v) for row in sheets["Notes"] for v in row)


def test_a_share_next_to_100_or_0_percent_is_never_written_as_it() -> None:
    """3,999,840 of 4,000,000 enrolled is 99.996%: the grid, the CSV and the workbook wrote 100.00%, the share
    of a whole county enrolled, while a tile wrote 99.9% (ui.formats.share_label). The downloads now keep
    the decimals that tell it apart (99.996%, 0.004%), the grid (two decimals in every row) writes 99.99%
    and 0.01%, and a true 100% or 0% is written as it is."""
    from ui.extract import csv_from_sql, xlsx_bytes
    from ui.table import _percent_points

    shares = [0.99996, 0.00004, 1.0, 0.0, 0.9412]
    written = ["99.996%", "0.004%", "100.00%", "0.00%", "94.12%"]
    df = pd.DataFrame({"参保率": shares})
    assert [r[0] for r in _rows(csv_bytes(df, percent=["参保率"]))[1:]] == written
    view = SqlView(sql="SELECT * FROM (VALUES (0.99996::DOUBLE), (0.00004), (1.0), (0.0), (0.9412)) t(s)",
                   params={}, columns=(("s", "参保率"),), percent=("s",))
    con = duckdb.connect()
    assert [r[0] for r in _rows(csv_from_sql(con, view))[1:]] == written
    import openpyxl

    for book in (xlsx_from_sql(con, view), xlsx_bytes(df, percent=["参保率"])):
        ws = openpyxl.load_workbook(io.BytesIO(book)).active
        assert [ws[f"A{r}"].value for r in range(2, 7)] == pytest.approx(shares)
        assert [ws[f"A{r}"].number_format for r in range(2, 4)] == ["0.000%", "0.000%"]
        assert ws["A4"].number_format == ws["A6"].number_format == "0.00%"
    grid, _ = _percent_points(df, {"参保率": {"type_config": {"format": "percent"}}})
    assert grid["参保率"].round(4).tolist() == [99.99, 0.01, 100.0, 0.0, 94.12]
