"""Findings of a probe with export files the product had never seen, written from the data contract
alone (docs/RELIABILITY.md, contract probes): each test builds its file in tmp_path and loads it
through the real loader into a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.load import FileResult, load_files
from tests.test_load import read as query


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def write_book(path: Path, rows: list[list[str]]) -> Path:
    """The same rows as one sheet of an xlsx workbook."""
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def only_file(db: Path, path: Path) -> FileResult:
    report = load_files([path], db=db)
    assert report.exit_code == 0, report.files[0].error
    return report.files[0]


def assert_rows_add_up(db: Path, f: FileResult) -> None:
    """rows read = loaded + rejected + skipped, in the summary and in load_batches alike."""
    assert f.rows_read == f.rows_loaded + f.rows_rejected + f.rows_skipped, f
    assert query(db, "SELECT rows_read, rows_loaded, rows_rejected, rows_skipped FROM load_batches "
                     f"WHERE batch_id = {int(f.batch_id or 0)}") == [
        (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped)]


def test_a_later_line_of_the_same_check_or_base_figure_is_counted_as_loaded(tmp_path: Path) -> None:
    """A population base or a check form that updates a figure on a later line (same year and village;
    same date and household): the later line wins, and both lines count as loaded, as a ledger's do."""
    db = tmp_path / "fupin.duckdb"
    base = only_file(db, write_csv(tmp_path / "base.csv", [
        ["年度", "乡镇", "行政村", "乡村户数", "乡村人口"],
        ["2019", "海流图镇", "红旗村", "100", "300"],
        ["2019", "海流图镇", "小 计", "100", "300"],
        ["2019", "海流图镇", "红旗村", "110", "310"],
    ]))
    assert (base.rows_read, base.rows_loaded, base.rows_skipped) == (3, 2, 1)
    assert_rows_add_up(db, base)
    assert query(db, "SELECT rural_population FROM population_base") == [(310,)]
    checks = only_file(db, write_csv(tmp_path / "checks.csv", [
        ["调查日期", "乡镇", "行政村", "户编号", "户主姓名", "户类型", "家庭人口", "核查结论", "是否认可"],
        ["2020-07-01", "海流图镇", "红旗村", "", "外户", "一般农户", "两", "正常", "认可"],
        ["2020-07-01", "海流图镇", "红旗村", "", "外户", "一般农户", "2", "正常", "认可"],
    ]))
    assert (checks.rows_read, checks.rows_loaded) == (2, 2)
    assert_rows_add_up(db, checks)
    assert query(db, "SELECT household_size FROM household_checks") == [(2,)]


def test_amount_messages_quote_the_value_as_written(tmp_path: Path) -> None:
    """An income or a total written `3200元` is quoted as written: the message said 「3200元元」."""
    from etl.messages import issue_text

    db = tmp_path / "fupin.duckdb"
    only_file(db, write_csv(tmp_path / "registry.csv", [
        ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫状态", "脱贫年度", "主要致贫原因", "人均纯收入",
         "收入年度"],
        ["海流图镇", "红旗村", "H1", "甲一", "150824196001010118", "户主", "已脱贫", "2020", "因病", "3200元", "2020"],
    ]))
    only_file(db, write_csv(tmp_path / "claims.csv", [
        ["户编号", "总费用", "基本医保报销", "个人自付"],
        ["H1", "8000元", "4000", "1500"],
    ]))
    rows = query(db, "SELECT rule, file_name, line, table_name, field, raw_value FROM data_issues ORDER BY rule")
    assert [r[0] for r in rows] == ["claim_parts_mismatch", "exit_income_below_line"]
    for lang, quoted in (("zh", "「{}」"), ("en", "'{}'")):
        texts = [issue_text(rule, file=f, line=line, field=field, value=raw, table=table, lang=lang)
                 for rule, f, line, table, field, raw in rows]
        assert texts[0].startswith("claims.csv") and quoted.format("8000元") in texts[0]
        assert texts[1].startswith("registry.csv") and quoted.format("3200元") in texts[1]
        assert not any("元元" in s or "元 yuan" in s for s in texts), texts


def two_households_two_titles(tmp_path: Path, paths: tuple[Path, ...]) -> list[Path]:
    """Load each file into its own database: 4 rows read, the 2 households loaded, the 2 title rows
    skipped, nothing rejected, no issue. Returns the databases."""
    dbs = []
    for path in paths:
        db = tmp_path / f"{path.name}.duckdb"
        f = only_file(db, path)
        assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped, f.issues) == (4, 2, 0, 2, 0), path
        assert_rows_add_up(db, f)
        dbs.append(db)
    return dbs


PAGED_HEADER = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫状态", "脱贫年度", "主要致贫原因"]


def paged_registry() -> list[list[str]]:
    """A paginated export: the header again above page 2, under a page title."""
    return [
        PAGED_HEADER,
        ["温更镇", "巴音村", "H1", "丙一", "150824196001010118", "户主", "1", "2019", "因病"],
        ["第2页", "", "", "", "", "", "", "", ""],
        PAGED_HEADER,
        ["温更镇", "巴音村", "H2", "丙二", "15082419600102013X", "户主", "1", "2019", "因病"],
    ]


def test_a_header_repeated_above_each_page_is_skipped_not_loaded(tmp_path: Path) -> None:
    """The repeated header row was loaded as a household numbered 户编号 in a township named 乡镇, with
    five bogus issues; it is a title row: skipped and counted. Each reader path alike: DuckDB's CSV fast
    path, the block reader (GB18030), a workbook."""

    rows = paged_registry()
    utf8 = write_csv(tmp_path / "paged.csv", rows)
    gbk = tmp_path / "paged_gbk.csv"
    gbk.write_bytes(utf8.read_text(encoding="utf-8").encode("gb18030"))
    xlsx = write_book(tmp_path / "paged.xlsx", rows)
    # the page title (one cell, not a key) is a title row too: skipped and counted, as the contract says
    for db in two_households_two_titles(tmp_path, (utf8, gbk, xlsx)):
        assert query(db, "SELECT household_id, township FROM households ORDER BY 1") == [
            ("H1", "温更镇"), ("H2", "温更镇")], db
        assert query(db, "SELECT count(*) FROM data_issues") == [(0,)]


def test_the_header_of_a_second_file_concatenated_onto_the_first_is_skipped(tmp_path: Path) -> None:
    """Two townships' CSVs joined into one (`copy /b 甲.csv+乙.csv`): the second's header comes again mid-file,
    behind its byte-order mark (Excel's "CSV UTF-8" writes one) or in its own template's full-width brackets
    (乡（镇）). Compared with the first header as written, it was loaded as a household 户编号 in a township
    named 乡(镇), with four bogus issues, on every page; it is a repeated header: skipped and counted."""
    rows = paged_registry()
    first, second = rows[:2], rows[3:]
    path = tmp_path / "合并.csv"
    for variant in ("\ufeff", "full-width"):
        head = "\n".join(",".join(r) for r in first) + "\n"
        if variant == "full-width":
            tail = "\n".join(",".join(r) for r in [["乡（镇）", *PAGED_HEADER[1:]], *second[1:]]) + "\n"
            head = "\n".join(",".join(r) for r in [["乡(镇)", *PAGED_HEADER[1:]], *first[1:]]) + "\n"
        else:
            tail = variant + "\n".join(",".join(r) for r in second) + "\n"
        path.write_bytes(("\ufeff" + head + tail).encode("utf-8"))
        db = tmp_path / variant / "fupin.duckdb"
        f = only_file(db, path)
        assert query(db, "SELECT household_id, township FROM households ORDER BY 1") == [
            ("H1", "温更镇"), ("H2", "温更镇")], variant
        assert query(db, "SELECT count(*) FROM data_issues") == [(0,)], variant
        assert (f.rows_loaded, f.rows_rejected, f.rows_skipped) == (2, 0, 1), variant
        assert_rows_add_up(db, f)


def test_household_numbers_wrapped_against_excel_link_as_written_plainly(tmp_path: Path) -> None:
    """Exports wrap long numbers so that Excel keeps every digit (`="150824…"`, a leading `'`): a 户编号
    so wrapped is the same household as the plain number, in the registry and in a ledger."""
    from etl.normalize import id_check_char

    first = "15082419700101001"
    idn = first + id_check_char(first)
    db = tmp_path / "fupin.duckdb"
    registry = only_file(db, write_csv(tmp_path / "registry.csv", [
        ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "主要致贫原因", "脱贫状态", "脱贫年度"],
        ["海流图镇", "红旗村", '="150824100201001"', "甲某", f'="{idn}"', "户主", "因病", "已脱贫", "2019"],
    ]))
    assert registry.rows_loaded == 1
    visits = only_file(db, write_csv(tmp_path / "visits.csv", [
        ["户编号", "走访日期", "走访类型", "走访人"],
        ["'150824100201001", "2020-06-01", "入户走访", "乙某"],
        ["150824100201001", "2020-06-02", "入户走访", "乙某"],
    ]))
    assert visits.rows_loaded == 2
    assert query(db, "SELECT household_id FROM households") == [("150824100201001",)]
    assert query(db, "SELECT DISTINCT household_id FROM visits") == [("150824100201001",)]
    assert query(db, "SELECT count(*) FROM household_keys") == [(1,)]


def test_codes_years_dates_and_amounts_wrapped_against_excel_are_their_values(tmp_path: Path) -> None:
    """Exports wrap more than long numbers: a code with its leading zero (the post-2020 attribute `="01"`,
    data-spec §2), a year, an amount, a date, a yes/no and a phone. Only 户编号 and 证件号码 were unwrapped:
    every other wrapped cell was dropped as an unknown code, no year, no date or no number, and the
    household lost its attribute, cause, exit status and income."""
    from etl.normalize import id_check_char

    ids = [f + id_check_char(f) for f in ("15082419700101001", "15082419700101002", "15082419700101003")]
    db = tmp_path / "fupin.duckdb"
    w = '="{}"'.format  # how a web system's CSV export forces a cell to text
    only_file(db, write_csv(tmp_path / "registry.csv", [
        ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "人数", "贫困户属性", "主要致贫原因",
         "其他致贫原因", "脱贫状态", "脱贫年度", "人均纯收入", "收入年度", "首次识别时间", "是否参加大病保险",
         "监测对象类别", "联系电话"],
        ["海流图镇", "红旗村", "H1", "甲某", ids[0], "户主", w(1), w("01"), w("01"), w("02、03"), w(1), w(2019),
         w("5000"), w(2019), w("2016-03-05"), w("是"), "", w("13812345678")],
        ["海流图镇", "红旗村", "H2", "乙某", ids[1], "户主", "'1", "'03", "'08", "", "'4", "'2020", "'6000元",
         "'2020", "'20160305", "'1", "", "'04781234567"],
        ["海流图镇", "红旗村", "H3", "丙某", ids[2], "户主", "1", "", "", "", "", "", "9000", "2020", "2016-03-05",
         "否", w(0), ""],
    ]))
    assert query(db, "SELECT household_id, household_size_declared, household_attribute, main_cause, other_causes, "
                     "exit_status, enjoys_policy, exit_year, income_per_capita, income_year, identified_year, "
                     "monitoring_type, phone FROM households ORDER BY 1") == [
        ("H1", 1, "一般贫困户", "因病", ["因残", "因学"], "已脱贫", True, 2019, 5000.0, 2019, 2016, None, "13812345678"),
        ("H2", 1, "低保贫困户", "缺劳力", None, "已脱贫", False, 2020, 6000.0, 2020, 2016, None, "04781234567"),
        ("H3", 1, None, None, None, None, None, None, 9000.0, 2020, 2016, "脱贫不稳定户", None)]
    assert query(db, "SELECT household_id, critical_illness_insurance FROM members ORDER BY 1") == [
        ("H1", True), ("H2", True), ("H3", False)]
    assert query(db, "SELECT rule, field, raw_value FROM data_issues") == []
    only_file(db, write_csv(tmp_path / "claims.csv", [
        ["户编号", "入院日期", "总费用", "基本医保报销", "个人自付"],
        ["H1", w("2020-05-01"), w("1000.50"), "'800", w("200.5")],
    ]))
    assert query(db, "SELECT admission_date::VARCHAR, total_cost, basic_insurance, out_of_pocket "
                     "FROM medical_claims") == [("2020-05-01", 1000.5, 800.0, 200.5)]
    assert query(db, "SELECT rule, field, raw_value FROM data_issues") == []


def test_an_export_that_wraps_every_cell_loads_as_the_plain_file(tmp_path: Path) -> None:
    """Some systems force every cell to text (`="乌加河镇"`, `=""` for an empty one). Places, names and
    relations kept the wrapper: the township was 「="乌加河镇"」, nobody was the head (no_head), and an
    exited household's empty `=""` exit year was given, so its missing year raised no issue."""
    from etl.normalize import id_check_char

    ids = [f + id_check_char(f) for f in ("15082419700101001", "15082419700101002")]
    head = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "主要致贫原因", "脱贫状态", "脱贫年度"]
    rows = [["海流图镇", "红旗村", "H1", "甲某", ids[0], "户主", "因病", "已脱贫", "2019"],
            ["海流图镇", "红旗村", "H2", "乙某", ids[1], "户主", "因残", "已脱贫", ""]]
    plain, wrapped = tmp_path / "plain.duckdb", tmp_path / "wrapped.duckdb"
    only_file(plain, write_csv(tmp_path / "plain.csv", [head, *rows]))
    only_file(wrapped, write_csv(tmp_path / "wrapped.csv", [head, *[[f'="{v}"' for v in r] for r in rows]]))
    households = "SELECT household_id, township, village, head_name, main_cause, exit_year FROM households ORDER BY 1"
    members = "SELECT household_id, name, relation, is_head FROM members ORDER BY 1"
    issues = "SELECT line, field, rule FROM data_issues ORDER BY ALL"
    assert query(plain, households) == [("H1", "海流图镇", "红旗村", "甲某", "因病", 2019),
                                        ("H2", "海流图镇", "红旗村", "乙某", "因残", None)]
    assert query(plain, issues) == [(3, "exit_year", "exit_without_year")]
    for sql in (households, members, issues):
        assert query(wrapped, sql) == query(plain, sql), sql


WRAPPED_TITLE = ["乌拉特中旗建档立卡贫困人口信息表", *[""] * 9]
WRAPPED_HEAD = ["序号", "乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "主要致贫原因", "脱贫状态", "脱贫年度"]


def wrapped_export_rows() -> list[list[str]]:
    """A registry export's title, header, members, a blank row, a township's 小计 and the 合计 row."""
    from etl.normalize import id_check_char

    ids = [f + id_check_char(f) for f in ("15082419700101001", "15082419700101002", "15082419700101003")]
    return [WRAPPED_TITLE, WRAPPED_HEAD,
            ["1", "海流图镇", "红旗村", "H1", "甲某", ids[0], "户主", "因病", "已脱贫", "2019"],
            ["2", "海流图镇", "红旗村", "H1", "丁某", ids[2], "配偶", "因病", "已脱贫", "2019"],
            [""] * 10,
            ["", "海流图镇小计", "", "", "", "", "", "", "", ""],
            ["3", "海流图镇", "红旗村", "H2", "乙某", ids[1], "户主", "因残", "已脱贫", ""],
            ["合计", "", "", "2户", "", "", "", "", "", ""]]


@pytest.mark.parametrize("shape", ["csv-fast", "csv-blocks", "csv-wrapped-body", "html-xls", "gb18030-tab-txt"])
def test_a_fully_wrapped_export_skips_its_title_blank_and_summary_rows_as_the_plain_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str) -> None:
    """Every cell in Excel's text formula (`="合计"`, `=""`), the header's too: the header is recognised and
    the title, blank, 小计 and 合计 rows are skipped as in the plain file. The readers classified rows before
    anything unwrapped them: the header was not found (the file refused), and under a plain header the
    blank and summary rows were rejected as rows without a household or township. Prose (情况记录)
    lands as in the plain file too, and an empty `=""` note is no note."""
    from etl import csv_file

    monkeypatch.setattr(csv_file, "FAST_CSV", shape != "csv-blocks")
    rows = wrapped_export_rows()
    visits = [["户编号", "走访日期", "走访类型", "走访人", "情况记录"],
              ["H1", "2020-06-01", "入户走访", "丙某", "家中无人，电话联系"], ["H2", "2020-06-02", "入户走访", "丙某", ""],
              ["合计", "", "", "", ""]]
    w = '="{}"'.format

    def wrap(table: list[list[str]]) -> list[list[str]]:
        if shape == "csv-wrapped-body":  # the title and header plain, every data cell wrapped
            top = 2 if table[0] is WRAPPED_TITLE else 1
            return [*table[:top], *([w(v) for v in r] for r in table[top:])]
        return [[w(v) for v in r] for r in table]

    def write(name: str, table: list[list[str]]) -> Path:
        if shape == "html-xls":  # a web system's 导出Excel: an HTML table named .xls, declared GB2312
            body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in table)
            path = tmp_path / f"{name}.xls"
            path.write_bytes(f"<html><head><meta charset=gb2312></head><body><table>{body}</table></body></html>"
                             .encode("gb18030"))
            return path
        if shape == "gb18030-tab-txt":
            path = tmp_path / f"{name}.txt"
            path.write_bytes("".join("\t".join(r) + "\r\n" for r in table).encode("gb18030"))
            return path
        return write_csv(tmp_path / f"{name}.csv", table)

    plain, wrapped = tmp_path / "plain.duckdb", tmp_path / "wrapped.duckdb"
    results = {}
    for db, transform, tag in ((plain, lambda t: t, "plain"), (wrapped, wrap, "wrapped")):
        registry = only_file(db, write(f"registry_{tag}", transform(rows)))
        visit_log = only_file(db, write(f"visits_{tag}", transform(visits)))
        results[tag] = [(f.kind, f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped, f.ignored_columns)
                        for f in (registry, visit_log)]
        assert_rows_add_up(db, registry)
    assert results["plain"] == [("registry", 7, 3, 0, 4, ["序号"]), ("visits", 3, 2, 0, 1, [])]
    assert results["wrapped"] == results["plain"]
    for sql in ("SELECT household_id, township, village, head_name, main_cause, exit_year FROM households ORDER BY 1",
                "SELECT household_id, name, relation, is_head FROM members ORDER BY ALL",
                "SELECT household_id, visit_date, visitor, notes FROM visits ORDER BY ALL",
                "SELECT line, field, rule FROM data_issues ORDER BY ALL",
                "SELECT count(*) FROM rejected_rows"):
        assert query(wrapped, sql) == query(plain, sql), sql
    assert query(plain, "SELECT notes FROM visits ORDER BY visit_date") == [("家中无人，电话联系",), (None,)]


def test_a_workbook_a_script_wrote_with_every_cell_a_text_formula_loads_as_the_plain_file(tmp_path: Path) -> None:
    """A web export's wrapped cells saved to xlsx by a script (openpyxl makes every `="…"` a formula, saved
    without its value): calamine's range ends at the last cell with a value, so such a sheet read as no
    rows at all (refused: no header), and a last row of such formulas under plain rows was lost."""
    import openpyxl

    rows = wrapped_export_rows()
    plain, wrapped, tail = tmp_path / "plain.xlsx", tmp_path / "wrapped.xlsx", tmp_path / "tail.xlsx"
    for path, table in ((plain, rows), (wrapped, [[f'="{v}"' for v in r] for r in rows]),
                        (tail, [*rows[:-2], [f'="{v}"' for v in rows[-2]]])):  # the last member wrapped, no 合计
        book = openpyxl.Workbook()
        for row in table:
            book.active.append(row)
        book.save(path)
    dbs = {path.stem: tmp_path / f"{path.stem}.duckdb" for path in (plain, wrapped, tail)}
    counts = {stem: (lambda f: (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped))(
        only_file(db, tmp_path / f"{stem}.xlsx")) for stem, db in dbs.items()}
    assert counts == {"plain": (7, 3, 0, 4), "wrapped": (7, 3, 0, 4), "tail": (6, 3, 0, 3)}
    for sql in ("SELECT household_id, township, village, head_name, main_cause, exit_year FROM households ORDER BY 1",
                "SELECT household_id, name, relation, is_head FROM members ORDER BY ALL",
                "SELECT line, field, rule FROM data_issues ORDER BY ALL"):
        assert query(dbs["wrapped"], sql) == query(dbs["plain"], sql) == query(dbs["tail"], sql), sql


def test_a_workbook_pandas_wrote_through_xlsxwriter_with_text_formulas_loads_as_the_plain_file(
        tmp_path: Path) -> None:
    """xlsxwriter (pandas' xlsx writer) makes every `="…"` string a formula and saves 0 as its value, for Excel
    to compute on opening: calamine read the wrapped export as zeros (no header), and a wrapped cell among
    plain ones as 0. A formula that is a text alone shows that text, whatever value was saved with it."""
    import pandas as pd

    rows = wrapped_export_rows()
    plain, wrapped = tmp_path / "plain.xlsx", tmp_path / "wrapped.xlsx"
    for path, table in ((plain, rows), (wrapped, [[f'="{v}"' if v else "" for v in r] for r in rows])):
        pd.DataFrame(table).to_excel(path, header=False, index=False, engine="xlsxwriter")
    counts = {}
    for path in (plain, wrapped):
        f = only_file(tmp_path / f"{path.stem}.duckdb", path)
        counts[path.stem] = (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped)
    assert counts == {"plain": (7, 3, 0, 4), "wrapped": (7, 3, 0, 4)}
    for sql in ("SELECT household_id, township, village, head_name, main_cause, exit_year FROM households ORDER BY 1",
                "SELECT household_id, name, id_number, relation, is_head FROM members ORDER BY ALL",
                "SELECT line, field, rule FROM data_issues ORDER BY ALL"):
        assert query(tmp_path / "wrapped.duckdb", sql) == query(tmp_path / "plain.duckdb", sql), sql


def test_a_number_formula_xlsxwriter_saved_as_0_is_not_loaded_as_0(tmp_path: Path) -> None:
    """xlsxwriter saves 0 for every formula and asks Excel to compute them on opening (`fullCalcOnLoad`):
    a 金额(元) of `=1200*2` loaded as 0 yuan with no issue. Such a formula is put back as its text, which
    the amount column flags; `=2400` is read as the number it is; a value the script saved (500) and a
    plain number are kept."""
    import pandas as pd
    import xlsxwriter

    registry = tmp_path / "registry.xlsx"
    pd.DataFrame(wrapped_export_rows()).to_excel(registry, header=False, index=False, engine="xlsxwriter")
    ledger = tmp_path / "interventions.xlsx"
    book = xlsxwriter.Workbook(ledger)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["户编号", "措施类别", "措施内容", "实施年度", "金额(元)", "实施状态"])
    for r, (hh, category, content, amount) in enumerate([("H1", "产业帮扶", "养羊", "=1200*2"),
                                                         ("H1", "就业帮扶", "公益岗", "=2400"),
                                                         ("H2", "教育帮扶", "雨露计划", 500),
                                                         ("H2", "健康帮扶", "家庭医生签约", ("=300+200", 500))], start=1):
        sheet.write_row(r, 0, [hh, category, content, 2019])
        if isinstance(amount, tuple):
            sheet.write_formula(r, 4, amount[0], None, amount[1])
        elif isinstance(amount, str):
            sheet.write_formula(r, 4, amount)  # saved as 0
        else:
            sheet.write_number(r, 4, amount)
        sheet.write_string(r, 5, "已完成")
    book.close()
    db = tmp_path / "fupin.duckdb"
    only_file(db, registry)
    f = only_file(db, ledger)
    assert (f.rows_read, f.rows_loaded, f.rows_rejected) == (4, 4, 0)
    assert dict(query(db, "SELECT content, amount_yuan FROM interventions")) == {
        "养羊": None, "公益岗": 2400, "雨露计划": 500, "家庭医生签约": 500}
    issues = query(db, f"SELECT field, raw_value FROM data_issues WHERE batch_id = {int(f.batch_id or 0)}")
    assert ("amount_yuan", "=1200*2") in issues, issues


def test_a_ledger_that_repeats_the_registry_columns_is_read_as_that_ledger(tmp_path: Path) -> None:
    """A claims list or visit log that also names the place and the person (乡镇, 村, 姓名, 证件号码, even
    与户主关系) maps more registry columns than its own. It was read as a registry: the claims list
    replaced the household's members by its one patient and left 总费用 unused, and the visit log was
    refused for lacking 与户主关系. A header with a ledger's required columns is that ledger."""
    db = tmp_path / "fupin.duckdb"
    only_file(db, write_csv(tmp_path / "registry.csv", [
        ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫状态", "脱贫年度", "主要致贫原因"],
        ["海流图镇", "红旗村", "H1", "甲一", "150824196001010118", "户主", "已脱贫", "2019", "因病"],
        ["海流图镇", "红旗村", "H1", "甲二", "150824196202020224", "配偶", "已脱贫", "2019", "因病"],
    ]))
    claims = only_file(db, write_csv(tmp_path / "claims.csv", [
        ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "总费用", "个人自付"],
        ["海流图镇", "红旗村", "H1", "甲一", "150824196001010118", "户主", "1000", "1000"],
    ]))
    assert (claims.kind, claims.rows_loaded) == ("medical_claims", 1)
    visits = only_file(db, write_csv(tmp_path / "visits.csv", [
        ["乡镇", "行政村", "户编号", "姓名", "身份证号", "性别", "走访日期", "走访人"],
        ["海流图镇", "红旗村", "H1", "甲一", "150824196001010118", "男", "2020-09-01", "张干部"],
    ]))
    assert (visits.kind, visits.rows_loaded) == ("visits", 1)
    assert query(db, "SELECT name FROM members ORDER BY name") == [("甲一",), ("甲二",)]
    assert query(db, "SELECT household_id, total_cost, out_of_pocket FROM medical_claims") == [("H1", 1000.0, 1000.0)]
    assert query(db, "SELECT household_id, visit_date::VARCHAR FROM visits") == [("H1", "2020-09-01")]


def base_as_csv_and(tmp_path: Path, rows: list[list[str]], book: Path) -> dict[str, tuple[list, list]]:
    """The population base `rows` loaded from a CSV and from the workbook `book`, each into its own
    database: {"csv" | "book": (issues, figures)}."""
    issues = "SELECT line, field, raw_value, rule FROM data_issues ORDER BY ALL"
    figures = "SELECT village, rural_households, rural_population FROM population_base ORDER BY ALL"
    found = {}
    for name, path in (("csv", write_csv(tmp_path / "base.csv", rows)), ("book", book)):
        db = tmp_path / f"{name}.duckdb"
        only_file(db, path)
        found[name] = (query(db, issues), query(db, figures))
    return found


def test_excel_error_cells_are_judged_as_the_same_text_in_a_csv(tmp_path: Path) -> None:
    """A cell Excel shows as `#VALUE!` or `#DIV/0!` (a formula that failed) was read as empty from
    .xlsx: a population figure of `#VALUE!` loaded as "no figure" with no issue, while the same export
    as CSV flags it. Both now give the same rows and the same issues, quoting what Excel shows."""
    from openpyxl import Workbook

    rows = [["年度", "乡镇", "行政村", "乡村户数", "乡村人口"],
            ["2019", "海流图镇", "红旗村", "100", "#VALUE!"],
            ["2019", "海流图镇", "团结村", "#DIV/0!", "280"]]
    book = Workbook()
    sheet = book.active
    sheet.append(["乌拉特中旗乡村人口基数表"])  # a title row: the header is not on the first row
    for row in rows:
        sheet.append([int(v) if v.isdigit() else v for v in row])
    assert sheet["E3"].data_type == "e" and sheet["D4"].data_type == "e"  # written as Excel's error cells
    book.save(tmp_path / "base.xlsx")
    found = base_as_csv_and(tmp_path, rows, tmp_path / "base.xlsx")
    assert {raw for _line, _field, raw, _rule in found["csv"][0]} >= {"#VALUE!", "#DIV/0!"}
    lines_shifted = [(line - 1, *rest) for line, *rest in found["book"][0]]  # the title row above
    assert (lines_shifted, found["book"][1]) == (found["csv"][0], found["csv"][1])


def test_excel_97_2003_error_cells_are_judged_as_the_same_text_in_a_csv(tmp_path: Path) -> None:
    """The same for a real Excel 97-2003 .xls (BIFF8): an error constant and a formula whose cached value
    is an error (what Excel saves for `=D3/0`) were read as empty, a population figure of `#DIV/0!` lost
    with no issue (a probe). xlwt writes the constant; the formula's cached result is set to #DIV/0! in
    the file's bytes, as Excel would have saved it."""
    import struct

    import xlwt

    rows = [["年度", "乡镇", "行政村", "乡村户数", "乡村人口"],
            ["2019", "海流图镇", "红旗村", "100", "#N/A"],
            ["2019", "海流图镇", "团结村", "#DIV/0!", "280"]]
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("人口基数")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v == "#N/A":
                sheet.row(r).set_cell_error(c, 0x2A)
            elif v == "#DIV/0!":
                sheet.write(r, c, xlwt.Formula("D2/0"))
            else:
                sheet.write(r, c, int(v) if v.isdigit() else v)
    book.save(tmp_path / "base.xls")
    data = bytearray((tmp_path / "base.xls").read_bytes())
    at = data.find(b"\x06\x00")
    while struct.unpack_from("<HH", data, at + 4) != (2, 3):  # the FORMULA record of D3
        at = data.find(b"\x06\x00", at + 1)
    data[at + 10:at + 18] = b"\x02\x00\x07\x00\x00\x00\xff\xff"  # cached result: error #DIV/0!
    (tmp_path / "base.xls").write_bytes(bytes(data))
    found = base_as_csv_and(tmp_path, rows, tmp_path / "base.xls")
    assert {raw for _line, _field, raw, _rule in found["csv"][0]} >= {"#N/A", "#DIV/0!"}
    assert found["book"] == found["csv"]


def test_a_formula_cell_without_its_computed_value_is_an_issue_not_a_blank(tmp_path: Path) -> None:
    """A workbook written by a script (openpyxl) and never opened in Excel keeps its formulas without
    the values they compute: calamine reads such a cell as empty, so a population of `=D3*3` loaded as
    "no figure" with no issue. The formula's text is now the cell's value, judged like any other text:
    a number column flags it (`not_a_number`, quoting the formula)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in [["年度", "乡镇", "行政村", "乡村户数", "乡村人口"],
                [2019, "海流图镇", "红旗村", 100, "=D2*3"],
                [2019, "海流图镇", "团结村", 90, 280]]:
        sheet.append(row)
    book.save(tmp_path / "base.xlsx")
    db = tmp_path / "db.duckdb"
    only_file(db, tmp_path / "base.xlsx")
    assert query(db, "SELECT line, field, raw_value, rule FROM data_issues") == [
        (2, "rural_population", "=D2*3", "not_a_number")]
    assert query(db, "SELECT village, rural_population FROM population_base ORDER BY 1") == [
        ("团结村", 280), ("红旗村", None)]
    # A formula whose computed text is empty (Excel writes t="str" and an empty value) is blank, as shown.
    import zipfile

    shown = tmp_path / "shown.xlsx"
    with zipfile.ZipFile(tmp_path / "base.xlsx") as src, zipfile.ZipFile(shown, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data.replace(b"<c r=\"E2\"><f>D2*3</f><v /></c>", b"<c r=\"E2\" t=\"str\"><f>D2*3</f><v></v></c>")
            dst.writestr(item, data)
    db = tmp_path / "shown.duckdb"
    only_file(db, shown)
    assert query(db, "SELECT count(*) FROM data_issues") == [(0,)]


def test_a_village_title_between_households_is_skipped_in_every_shape(tmp_path: Path) -> None:
    """A village's name above its households, merged across the row (xlsx), a colspan cell (an HTML
    table named .xls), or one cell of a CSV row: each is a title row, skipped and counted. The merged
    ones were loaded as a household named after the village in every field, with ~20 bogus issues."""
    import openpyxl

    head = PAGED_HEADER
    rows = [["温更镇", "巴音村", "H1", "丙一", "150824196001010118", "户主", "1", "2019", "因病"],
            ["温更镇", "新丰村", "H2", "丙二", "15082419600102013X", "户主", "1", "2019", "因病"]]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(head)
    for row in rows:
        sheet.append([row[1]])  # the village's title, merged across the table
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=len(head))
        sheet.append(row)
    xlsx = tmp_path / "merged.xlsx"
    book.save(xlsx)
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(f"<tr><td colspan='{len(head)}'>{row[1]}</td></tr>"
                   "<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in rows)
    html = tmp_path / "colspan.xls"
    html.write_text(f"<html><meta charset='utf-8'><table><tr>{cells}</tr>{body}</table></html>", encoding="utf-8")
    csv = write_csv(tmp_path / "title.csv", [head, *[r for row in rows for r in (["", row[1]] + [""] * 7, row)]])
    for db in two_households_two_titles(tmp_path, (xlsx, html, csv)):
        assert query(db, "SELECT household_id, village FROM households ORDER BY 1") == [
            ("H1", "巴音村"), ("H2", "新丰村")], db


def test_a_title_merged_across_the_row_from_the_household_column_is_skipped(tmp_path: Path) -> None:
    """A village's title merged across the row from the 户编号 column (the 序号 column left of it blank;
    xlsx, and a colspan cell of an HTML table named .xls). A value alone in a key column is a record
    that cannot be placed, but one merged over several contract columns is a title: it was rejected
    (no_township), now skipped and counted."""
    import openpyxl

    head = ["序号", "户编号", "姓名", "证件号码", "与户主关系", "乡镇", "行政村", "脱贫状态", "脱贫年度", "主要致贫原因"]
    rows = [["1", "H1", "丙一", "150824196001010118", "户主", "温更镇", "巴音村", "1", "2019", "因病"],
            ["2", "H2", "丙二", "15082419600102013X", "户主", "温更镇", "新丰村", "1", "2019", "因病"]]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(head)
    for row in rows:
        sheet.append(["", row[6]])  # the village's title, merged from 户编号 to the last column
        sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=len(head))
        sheet.append(row)
    xlsx = tmp_path / "merged.xlsx"
    book.save(xlsx)
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(f"<tr><td></td><td colspan='{len(head) - 1}'>{row[6]}</td></tr>"
                   "<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in rows)
    html = tmp_path / "colspan.xls"
    html.write_text(f"<html><meta charset='utf-8'><table><tr>{cells}</tr>{body}</table></html>", encoding="utf-8")
    for db in two_households_two_titles(tmp_path, (xlsx, html)):
        assert query(db, "SELECT household_id, village FROM households ORDER BY 1") == [
            ("H1", "巴音村"), ("H2", "新丰村")], db


def test_member_rows_take_their_place_from_their_household_s_other_rows(tmp_path: Path) -> None:
    """A workbook with 乡镇 and 行政村 merged down each household's rows, saved as CSV: the place is on the
    head's row only. The other members were rejected (no_township), and a registry file replaces the
    member set, so loading the re-export took them out of the stored household. A row whose 户编号 the
    file places elsewhere (one township and village for it) now takes that place; a household the file
    never places is still rejected."""
    head = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫状态", "脱贫年度", "主要致贫原因"]
    rows = [head,
            ["温更镇", "巴音村", "H1", "丙一", "150824196001010118", "户主", "1", "2019", "因病"],
            ["", "", "H1", "丙二", "15082419600102013X", "配偶", "1", "2019", "因病"],
            ["", "", "H1", "丙三", "", "子女", "1", "2019", "因病"],
            ["", "", "H2", "丁一", "", "户主", "1", "2019", "因病"]]
    db = tmp_path / "db.duckdb"
    f = only_file(db, write_csv(tmp_path / "merged_saved_as.csv", rows))
    assert (f.rows_loaded, f.rows_rejected) == (3, 1)
    assert query(db, "SELECT household_id, township, village, count(*) FROM members JOIN households "
                     "USING (household_id) GROUP BY ALL") == [("H1", "温更镇", "巴音村", 3)]
    assert query(db, "SELECT rule FROM rejected_rows") == [("no_township",)]


def test_a_row_with_only_its_household_number_is_kept_not_taken_for_a_title(tmp_path: Path) -> None:
    """The title rule skips a row of one contract cell only when that cell is not a key: a row with
    nothing but its 户编号 cannot be placed, so it is rejected with its reason, never silently skipped."""
    head = PAGED_HEADER
    csv = write_csv(tmp_path / "lonely.csv", [
        head, ["温更镇", "巴音村", "H1", "丙一", "150824196001010118", "户主", "1", "2019", "因病"],
        ["", "", "H9", "", "", "", "", "", ""]])
    db = tmp_path / "db.duckdb"
    f = only_file(db, csv)
    assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped) == (2, 1, 1, 0)
    assert query(db, "SELECT rule FROM rejected_rows") == [("no_township",)]
    # a visit's note alone (a line break the export did not quote) is no title either: its text is kept
    visits = tmp_path / "visits.csv"
    visits.write_text("户编号,走访日期,走访类型,走访人,情况记录\nH1,2020-05-01,入户走访,王干部,家中\n,,,,无人\n",
                      encoding="utf-8")
    f = only_file(db, visits)
    assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped) == (2, 1, 1, 0)
    assert query(db, "SELECT rule FROM rejected_rows ORDER BY batch_id DESC LIMIT 1") == [("no_household_id",)]


def test_a_village_title_in_a_ledger_s_first_column_is_skipped(tmp_path: Path) -> None:
    """A visits ledger grouped by village, each village's name in the 户编号 column above its rows: the
    title was loaded as a visit of a household named after the village, with no date."""
    visits = tmp_path / "visits.csv"
    visits.write_text("户编号,走访日期,走访类型,走访人,情况记录\n联丰奋斗村,,,,\nH1,2020-05-01,入户走访,王干部,家中\n",
                      encoding="utf-8")
    db = tmp_path / "db.duckdb"
    f = only_file(db, visits)
    assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped) == (2, 1, 0, 1)
    assert query(db, "SELECT household_id FROM visits") == [("H1",)]


def test_subtotals_footers_and_column_numbers_are_skipped(tmp_path: Path) -> None:
    """A subtotal labelled in the 户编号 or 姓名 column (it loaded as household 小计, or was rejected), a
    signature footer (填表人：… 审核人：…, rejected) and a row numbering the columns under the header (栏次:
    loaded as household 3) are skipped and counted, in a CSV and a workbook alike; a measure's subtotal
    no longer adds its 3000 元 to the village."""

    registry = [
        ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫状态", "脱贫年度", "主要致贫原因"],
        ["甲", "乙", "1", "2", "3", "4", "5", "6", "7"],
        ["乌加河镇", "联丰奋斗村", "H1", "张三春", "150824196001010118", "户主", "已脱贫", "2019", "因病"],
        ["乌加河镇", "联丰奋斗村", "小计", "", "", "", "", "", ""],
        ["乌加河镇", "联丰奋斗村", "", "合计", "", "", "", "", ""],
        ["填表人：张三", "", "", "", "审核人：李四", "", "", "", ""],
    ]
    measures = [["序号", "乡(镇)", "行政村", "户编号", "措施类别", "金额(元)"],
                ["1", "乌加河镇", "联丰奋斗村", "H1", "产业帮扶", "3000"],
                ["", "乌加河镇", "联丰奋斗村", "小计", "", "3000"]]
    book = write_book(tmp_path / "人口.xlsx", registry)
    for path in (write_csv(tmp_path / "人口.csv", registry), book):
        db = tmp_path / f"{path.suffix}.duckdb"
        f = only_file(db, path)
        assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped, f.issues) == (5, 1, 0, 4, 0), path
        assert_rows_add_up(db, f)
        assert query(db, "SELECT household_id FROM households") == [("H1",)]
        m = only_file(db, write_csv(tmp_path / "措施.csv", measures))
        assert (m.rows_loaded, m.rows_skipped) == (1, 1)
        assert query(db, "SELECT household_id, amount_yuan FROM interventions") == [("H1", 3000.0)]


def test_claim_parts_are_checked_only_where_the_file_has_out_of_pocket(tmp_path: Path) -> None:
    """A claims list of totals and insurance payments without a 个人自付 column cannot add up: no claim is
    flagged (every one was); with the column, a claim whose parts miss the total still is."""
    db = tmp_path / "fupin.duckdb"
    only_file(db, write_csv(tmp_path / "报销.csv", [["户编号", "总费用", "基本医保报销", "大病保险报销"],
                                                   ["H1", "8000", "4000", "1000"], ["H2", "500", "300", ""]]))
    assert query(db, "SELECT count(*) FROM data_issues") == [(0,)]
    only_file(db, write_csv(tmp_path / "报销2.csv", [["户编号", "总费用", "基本医保报销", "个人自付"],
                                                    ["H1", "8000", "4000", "1500"], ["H2", "500", "300", "200"]]))
    assert query(db, "SELECT household_id, rule FROM data_issues") == [("H1", "claim_parts_mismatch")]


def test_other_causes_in_another_order_are_the_same_causes(tmp_path: Path) -> None:
    """其他致贫原因 written 因残、缺水 on one member row and 缺水,因残 on another is the same set of causes,
    not `household_fields_differ`; another cause on the second row still is."""
    header = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫状态", "脱贫年度", "主要致贫原因", "其他致贫原因"]
    db = tmp_path / "fupin.duckdb"
    only_file(db, write_csv(tmp_path / "人口.csv", [
        header,
        ["乌加河镇", "联丰奋斗村", "H1", "甲", "150824196001010118", "户主", "已脱贫", "2019", "因病", "因残、缺水"],
        ["乌加河镇", "联丰奋斗村", "H1", "乙", "", "配偶", "已脱贫", "2019", "因病", '"缺水,因残"'],
        ["乌加河镇", "联丰奋斗村", "H2", "丙", "", "户主", "已脱贫", "2019", "因病", "因残"],
        ["乌加河镇", "联丰奋斗村", "H2", "丁", "", "配偶", "已脱贫", "2019", "因病", "因学"],
    ]))
    assert query(db, "SELECT household_id, field FROM data_issues WHERE rule = 'household_fields_differ'") == [
        ("H2", "other_causes")]


def test_household_fields_on_another_members_row_than_the_heads(tmp_path: Path) -> None:
    """An export that fills the household columns on one member's row only, the head's left blank: the
    household takes them (registered, 未脱贫, 因残, its income), with no 户内字段不一致 or missing-type issue;
    a value on the head's row still wins over another row's, which is still reported."""
    header = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫属性", "主要致贫原因", "人均纯收入",
              "收入年度", "识别时间"]
    db = tmp_path / "fupin.duckdb"
    f = only_file(db, write_csv(tmp_path / "人口.csv", [
        header,
        ["甘其毛都镇", "巴音嘎查", "H1", "宝音", "150824196001010118", "户主", "", "", "", "", ""],
        ["甘其毛都镇", "巴音嘎查", "H1", "其其格", "", "配偶", "未脱贫", "因残", "2500", "2019", "2016年03月05日"],
        ["甘其毛都镇", "巴音嘎查", "H2", "丙", "", "户主", "已脱贫", "因病", "", "", ""],
        ["甘其毛都镇", "巴音嘎查", "H2", "丁", "", "配偶", "未脱贫", "", "", "", ""],
    ]))
    assert f.rows_loaded == 4
    assert query(db, "SELECT household_id, registered, exit_status, main_cause, identified_date::VARCHAR "
                     "FROM households ORDER BY 1") == [
        ("H1", True, "未脱贫", "因残", "2016-03-05"), ("H2", True, "已脱贫", "因病", None)]
    assert query(db, "SELECT household_id, income_year, income_per_capita FROM household_income") == [("H1", 2019, 2500.0)]
    assert query(db, "SELECT household_id, field, rule FROM data_issues WHERE rule <> 'id_missing' ORDER BY 1, 2") == [
        ("H2", "exit_status", "household_fields_differ"), ("H2", "exit_year", "exit_without_year")]


def test_a_blank_on_the_heads_row_is_not_filled_from_a_row_that_contradicts_it(tmp_path: Path) -> None:
    """The head's row says 未脱贫 with no 脱贫年度; a member's row says 已脱贫, 2019. The household stayed
    未脱贫 but took 2019 as its exit year, and only the status was reported (a probe). A row that differs
    from the head's gives it nothing: the year stays blank and is reported as differing too."""
    header = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "主要致贫原因", "脱贫状态", "脱贫年度"]
    db = tmp_path / "fupin.duckdb"
    only_file(db, write_csv(tmp_path / "人口.csv", [
        header,
        ["金沙苏木", "沙井嘎查", "H2", "韩二", "", "之女", "因病", "已脱贫", "2019"],
        ["金沙苏木", "沙井嘎查", "H2", "韩一", "150824196001010118", "户主", "因病", "未脱贫", ""],
    ]))
    assert query(db, "SELECT exit_status, exit_year FROM households") == [("未脱贫", None)]
    assert query(db, "SELECT line, field FROM data_issues WHERE rule = 'household_fields_differ' ORDER BY 2") == [
        (2, "exit_status"), (2, "exit_year")]


def test_spaces_inside_a_place_name_are_not_another_place(tmp_path: Path) -> None:
    """`海 流 图 镇` (spaces typed for alignment, ASCII or full-width) is 海流图镇, in the registry and in the
    ledgers that name a place, not a township of its own."""
    header = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫属性", "主要致贫原因"]
    db = tmp_path / "fupin.duckdb"
    only_file(db, write_csv(tmp_path / "人口.csv", [
        header,
        ["海流图镇", "乌兰村", "H1", "甲", "150824196001010118", "户主", "未脱贫", "因病"],
        ["海 流 图 镇", "乌 兰村", "H2", "乙", "150824196001010126", "户主", "未脱贫", "因病"],
        ["海\u3000流图镇", "乌兰\u3000村", "H3", "丙", "150824196001010134", "户主", "未脱贫", "因病"],
    ]))
    only_file(db, write_csv(tmp_path / "人口基数.csv", [["年度", "乡镇", "行政村", "乡村人口"],
                                                      ["2020", "海 流 图 镇", "乌兰 村", "300"]]))
    assert query(db, "SELECT DISTINCT township, village FROM households") == [("海流图镇", "乌兰村")]
    assert query(db, "SELECT township, village FROM population_base") == [("海流图镇", "乌兰村")]


def test_a_year_after_this_one_is_in_the_future(tmp_path: Path) -> None:
    """脱贫年度, 收入年度 and 实施年度 after this year are `future_date`, as a date after today is (they
    loaded without an issue); this year is not."""
    from etl import clock

    this, next_year = clock.today().year, clock.today().year + 1
    db = tmp_path / "fupin.duckdb"
    only_file(db, write_csv(tmp_path / "人口.csv", [
        ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫状态", "脱贫年度", "主要致贫原因", "人均纯收入", "收入年度"],
        ["乌加河镇", "联丰奋斗村", "H1", "甲", "150824196001010118", "户主", "已脱贫", str(next_year), "因病", "9000", str(this)],
        ["乌加河镇", "联丰奋斗村", "H2", "乙", "", "户主", "已脱贫", str(this), "因病", "9000", str(next_year)]]))
    only_file(db, write_csv(tmp_path / "措施.csv", [["户编号", "措施类别", "实施年度"], ["H1", "产业帮扶", f"{next_year}年"]]))
    assert query(db, "SELECT household_id, field, raw_value FROM data_issues WHERE rule = 'future_date' ORDER BY 1, 2") == [
        ("H1", "exit_year", str(next_year)), ("H1", "year", f"{next_year}年"), ("H2", "income_year", str(next_year))]


def test_an_id_number_in_two_households_flags_both_until_it_is_fixed(tmp_path: Path) -> None:
    """data-spec §3: an ID number registered in two households is a defect of both archives. A household
    loaded earlier is flagged on its own row when a later file registers its member's ID in another
    household (only the later one was); when the later file gives its member another ID, both flags go
    (the earlier one stayed)."""
    header = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫状态", "脱贫年度", "主要致贫原因"]
    same, other = "150824196001010118", "150824196202020129"

    def row(hid: str, name: str, pid: str) -> list[str]:
        return ["乌加河镇", "联丰奋斗村", hid, name, pid, "户主", "已脱贫", "2019", "因病"]

    db = tmp_path / "fupin.duckdb"
    only_file(db, write_csv(tmp_path / "a.csv", [header, row("D1", "甲", same), row("D0", "丙", "150824197003030130")]))
    only_file(db, write_csv(tmp_path / "b.csv", [header, row("D2", "乙", same)]))
    flags = "SELECT household_id, file_name, line, raw_value FROM data_issues WHERE rule = 'id_duplicate' ORDER BY 1"
    assert query(db, flags) == [("D1", "a.csv", 2, same), ("D2", "b.csv", 2, same)]
    only_file(db, write_csv(tmp_path / "c.csv", [header, row("D2", "乙", other)]))
    assert query(db, flags) == []
    # within one file both rows are flagged; fixing one side from a later file clears the other too
    only_file(db, write_csv(tmp_path / "d.csv", [header, row("D3", "丁", other), row("D2", "乙", other)]))
    assert [r[0] for r in query(db, flags)] == ["D2", "D3"]
    only_file(db, write_csv(tmp_path / "e.csv", [header, row("D3", "丁", "150824198004040141")]))
    assert query(db, flags) == []


def test_counts_with_a_unit_load_without_an_issue_and_a_fraction_is_one(tmp_path: Path) -> None:
    """乡村人口 `310人` and 乡村户数 `152户` load as 310 and 152 with no issue (they were stored but flagged
    `not_a_number`); `310.5` is no count: flagged, not dropped silently. Footers beyond the signatures
    (注：…, 审核：…, 填报单位：…) are skipped, not rejected."""
    db = tmp_path / "fupin.duckdb"
    f = only_file(db, write_csv(tmp_path / "base.csv", [
        ["年度", "乡镇", "行政村", "乡村户数", "乡村人口"],
        ["2020", "乌加河镇", "联丰奋斗村", "152户", "310人"],
        ["2020", "乌加河镇", "红旗村", "100", "310.5"],
        ["注：人口以公安户籍为准", "", "", "", ""], ["审核：李四", "", "", "", ""], ["填报单位：乌加河镇", "", "", "", ""]]))
    assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped) == (5, 2, 0, 3)
    assert query(db, "SELECT village, rural_households, rural_population FROM population_base ORDER BY 1") == [
        ("红旗村", 100, None), ("联丰奋斗村", 152, 310)]
    assert query(db, "SELECT field, raw_value, rule FROM data_issues WHERE rule = 'not_a_number'") == [
        ("rural_population", "310.5", "not_a_number")]


def test_a_group_title_row_repeated_above_each_page_is_skipped(tmp_path: Path) -> None:
    """A paginated export repeats its group titles (基本信息 | 资金与实施) and header above each page: the
    repeated group-title row is skipped like the header below it (it was rejected as no_household_id);
    the last record of a page, right above the next page's header, still loads."""
    db = tmp_path / "fupin.duckdb"
    f = only_file(db, write_csv(tmp_path / "措施.csv", [
        ["基本信息", "帮扶措施", "资金与实施"],
        ["户编号", "措施类别", "金额(元)"],
        ["H1", "产业帮扶", "3000"],
        ["H3", "就业帮扶", "1000"],
        ["", "帮扶措施", "资金与实施"],
        ["户编号", "措施类别", "金额(元)"],
        ["H2", "就业帮扶", "2000"]]))
    assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped) == (6, 3, 0, 3)
    assert query(db, "SELECT household_id FROM interventions ORDER BY 1") == [("H1",), ("H2",), ("H3",)]


def test_a_household_number_mangled_by_excel_rejects_its_row(tmp_path: Path) -> None:
    """户编号 written 1.50824E+11 (Excel's float of a 12-digit number): its digits are lost and two
    households' visits would merge under it. The row cannot be placed: rejected with its reason, kept."""
    db = tmp_path / "fupin.duckdb"
    only_file(db, write_csv(tmp_path / "走访.csv", [
        ["户编号", "走访日期", "走访类型"], ["1.50824E+11", "2020-06-01", "入户走访"], ["150824101001", "2020-06-02", "入户走访"]]))
    assert query(db, "SELECT line, rule, field, raw->>'household_id' FROM rejected_rows") == [
        (2, "hhid_mangled", "household_id", "1.50824E+11")]
    assert query(db, "SELECT household_id FROM visits") == [("150824101001",)]
    assert query(db, "SELECT count(*) FROM data_issues") == [(0,)]


def test_a_registry_that_brings_a_new_township_or_village_says_so(tmp_path: Path) -> None:
    """德岭山 typed for 德岭山镇 moved a household into a township of its own, in every chart, with nothing
    said (a probe). A first registry brings every place and says nothing; a later one names the places
    the data had no household in, in its summary and among the upload page's notices."""
    header = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫状态"]
    db = tmp_path / "fupin.duckdb"
    first = load_files([write_csv(tmp_path / "人口.csv", [header, ["德岭山镇", "兴丰村", "H1", "甲", "", "户主", "未脱贫"],
                                                         ["德岭山镇", "胜利村", "H2", "乙", "", "户主", "未脱贫"]])], db=db)
    assert first.files[0].new_places == [] and first.notices() == []
    typo = load_files([write_csv(tmp_path / "人口2.csv", [header, ["德岭山", "兴丰村", "H1", "甲", "", "户主", "未脱贫"],
                                                         ["德岭山镇", "胜利村", "H3", "丙", "", "户主", "未脱贫"]])], db=db)
    said = "人口2.csv：带来了此前没有农户的 1 个村：德岭山 · 兴丰村（1户）。如乡镇或村名有笔误，请更正后重新导入，" \
           "否则这些户将作为新的乡镇或村出现在各页。"
    assert typo.files[0].new_places == [("德岭山", "兴丰村", 1)]
    assert typo.notices() == [said] and "  " + said in typo.summary_in_order()


def test_a_rectification_ledger_with_a_place_of_no_household_says_so(tmp_path: Path) -> None:
    """德岭山 typed for 德岭山镇 in the rectification ledger made a township of its own on the rectification
    page, its item outside 德岭山镇's figures, with nothing said (a probe). The ledger's places where the
    registry has no household are named (a township's item by its township), as a registry's new places are."""
    header = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫状态"]
    db = tmp_path / "fupin.duckdb"
    load_files([write_csv(tmp_path / "人口.csv", [header, ["德岭山镇", "兴丰村", "H1", "甲", "", "户主", "未脱贫"]])], db=db)
    ledger = write_csv(tmp_path / "整改.csv", [
        ["问题编号", "乡(镇)", "行政村", "户编号", "问题描述", "整改状态"],
        ["Z1", "德岭山镇", "兴丰村", "H1", "档案不全", "未整改"], ["Z2", "德岭山镇", "", "", "乡镇层面", "未整改"],
        ["Z3", "德岭山", "", "", "乡镇名笔误", "未整改"], ["Z4", "德岭山镇", "新丰村", "", "村名笔误", "未整改"]])
    report = load_files([ledger], db=db)
    assert report.files[0].rows_loaded == 4 and report.files[0].new_places == [("德岭山", None, 1), ("德岭山镇", "新丰村", 1)]
    said = "整改.csv：有 2 处乡镇或村在贫困人口信息中没有农户：德岭山（1项）、德岭山镇 · 新丰村（1项）。如乡镇或村名有笔误，" \
           "请更正后重新导入，否则这些事项将作为新的乡镇或村出现在整改页，不计入原本所属的乡镇或村。"
    assert report.notices() == [said] and "  " + said in report.summary_in_order()
    assert "places where the registry has no household (2): 德岭山 (items: 1), 德岭山镇 · 新丰村 (items: 1)" in report.notices("en")[0]
