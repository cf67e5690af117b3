"""Findings of a probe with registries (data-spec §1.1) and intervention ledgers (§1.2) written as a county
clerk's exports would be, in the shapes of §1.3: each test writes its files in tmp_path, loads them through
the real loader into a real DuckDB file and reads what was stored."""

from __future__ import annotations

from pathlib import Path

from etl.normalize import id_check_char
from tests import conftest
from tests.test_load import read as query

HEADER = "乡(镇),行政村,户编号,姓名,证件号码,与户主关系,脱贫属性,主要致贫原因,其他致贫原因,健康状况"


def _id(seq: str) -> str:
    first = f"15082419600101{seq}"
    return first + id_check_char(first)


def test_codes_separated_by_a_space_are_several_codes(tmp_path: Path) -> None:
    """健康状况 `长期慢性病 残疾` and 其他致贫原因 `因残 缺水` (codes separated by a space, as clerks type them)
    were one unknown code each: the member lost both health statuses, the household both causes. A code
    spaced for alignment (`缺 技术`) is still one code, and an unknown word beside a code is named alone."""
    rows = [HEADER,
            f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,未脱贫,因病,因残 缺水,长期慢性病 残疾",
            f"乌加河镇,联丰奋斗村,H2,李四,{_id('003')},户主,未脱贫,因病,缺 技术,患有大病　健康",
            f"乌加河镇,联丰奋斗村,H3,王五,{_id('005')},户主,未脱贫,因病,缺水 乱写,残 疾"]
    db, _ = conftest.load_lines(tmp_path, {"reg.csv": rows})
    assert query(db, "SELECT household_id, other_causes FROM households ORDER BY 1") == [
        ("H1", ["因残", "缺水"]), ("H2", ["缺技术"]), ("H3", ["缺水"])]
    assert query(db, "SELECT household_id, health FROM members ORDER BY 1") == [
        ("H1", ["长期慢性病", "残疾"]), ("H2", ["患有大病", "健康"]), ("H3", ["残疾"])]
    assert query(db, "SELECT household_id, field, raw_value, rule FROM data_issues ORDER BY ALL") == [
        ("H3", "other_causes", "缺水 乱写", "unknown_code")]


REGISTRY = [HEADER, f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,未脱贫,因病,,健康",
            f"乌加河镇,联丰奋斗村,H2,李四,{_id('003')},户主,未脱贫,因残,,残疾"]


def test_a_measure_dated_to_the_month_has_its_year(tmp_path: Path) -> None:
    """开始日期 `2020年6月`, `2020.6` or `2020-06` with no 实施年度: the day is not guessed (`invalid_date`, as
    any month-only date), but the measure had no year at all, so it was in no year's figures, and the same
    measure sent again with 实施年度 2020 was a second record (its key holds the year)."""
    from etl.load import ledger_key_sql

    head = "户编号,措施类别,措施内容,开始日期,金额(元)"
    db, report = conftest.load_lines(tmp_path, {
        "reg.csv": REGISTRY,
        "measures.csv": [head, "H1,产业帮扶,养羊,2020年6月,3000", "H2,产业帮扶,养牛,2020.6,2000",
                         "H2,教育帮扶,雨露计划,2019-09,1500"],
        "measures_with_year.csv": ["实施年度," + head, "2020,H1,产业帮扶,养羊,2020年6月,3000"]})
    assert report.exit_code == 0
    assert query(db, "SELECT household_id, category, year, start_date FROM interventions ORDER BY 1, 2") == [
        ("H1", "产业帮扶", 2020, None), ("H2", "产业帮扶", 2020, None), ("H2", "教育帮扶", 2019, None)]
    # the record's issue is the latest file's, which sent it again
    assert query(db, "SELECT file_name, raw_value, rule FROM data_issues ORDER BY ALL") == [
        ("measures.csv", "2019-09", "invalid_date"), ("measures.csv", "2020.6", "invalid_date"),
        ("measures_with_year.csv", "2020年6月", "invalid_date")]
    # the stored key is the one a rebuild computes from the stored row
    assert query(db, f"SELECT bool_and(record_key = {ledger_key_sql('interventions')}) FROM interventions") == [(True,)]


def test_a_negative_count_and_more_than_twelve_months_of_work_are_issues(tmp_path: Path) -> None:
    """务工时间(月) `-3` and 人数 `-2` were stored as they were with no issue of their own (the size only as
    not matching its members), and `15` months of work in a year passed: each is now an issue naming the
    cell, and no figure (NULL), as a negative amount is. `6个月` and 12 are months of work."""
    head = HEADER + ",人数,务工时间(月)"
    rows = [head, f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,未脱贫,因病,,健康,-2,-3",
            f"乌加河镇,联丰奋斗村,H2,李四,{_id('003')},户主,未脱贫,因病,,健康,2,15",
            f"乌加河镇,联丰奋斗村,H2,李小四,{_id('013')},子女,未脱贫,因病,,健康,2,6个月",
            f"乌加河镇,联丰奋斗村,H3,王五,{_id('005')},户主,未脱贫,因病,,健康,1,12"]
    db, report = conftest.load_lines(tmp_path, {"reg.csv": rows})
    assert query(db, "SELECT name, work_months FROM members ORDER BY source_line") == [
        ("张三", None), ("李四", None), ("李小四", 6), ("王五", 12)]
    assert query(db, "SELECT line, field, raw_value, rule FROM data_issues ORDER BY ALL") == [
        (2, "household_size", "-2", "negative_amount"), (2, "work_months", "-3", "negative_amount"),
        (3, "work_months", "15", "months_over_year")]
    summary = "\n".join(report.summary_in_order("zh"))
    assert "第3行「务工时间(月)」值「15」超过 12 个月" in summary


def test_a_count_too_large_for_its_column_is_an_issue_not_a_failed_load(tmp_path: Path) -> None:
    """人数 `13800001111` (a phone number in the wrong column) fit no INTEGER column: the whole file failed
    to load (入库失败, with DuckDB's English ConversionException) and nothing of it was stored. It is no count:
    the household loads, the cell is an issue naming it, and the file's other households load."""
    head = HEADER + ",人数"
    rows = [head, f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,未脱贫,因病,,健康,13800001111",
            f"乌加河镇,联丰奋斗村,H2,李四,{_id('003')},户主,未脱贫,因病,,健康,1"]
    db, report = conftest.load_lines(tmp_path, {"reg.csv": rows})
    assert report.exit_code == 0, report.files[0].error
    assert query(db, "SELECT household_id, household_size_declared FROM households ORDER BY 1") == [
        ("H1", None), ("H2", 1)]
    assert query(db, "SELECT line, field, raw_value, rule FROM data_issues ORDER BY ALL") == [
        (2, "household_size", "13800001111", "not_a_number")]


def test_the_answers_and_categories_exports_write_are_known(tmp_path: Path) -> None:
    """是否签约家庭医生 `已签约`/`未签约`, 是否参加基本医疗保险 `已参加`/`未参保` and 是否解决安全饮用水 `已解决` were
    invalid_yes_no (the answer lost), and 措施类别 `其他帮扶` (named as the other categories are) and the
    五个一批 names `生态补偿`, `发展生产` unknown codes (the measure in no category)."""
    head = HEADER + ",是否签约家庭医生,是否参加基本医疗保险,是否解决安全饮用水"
    rows = [head, f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,未脱贫,因病,,健康,已签约,已参加,已解决",
            f"乌加河镇,联丰奋斗村,H2,李四,{_id('003')},户主,未脱贫,因病,,健康,未签约,未参保,未解决"]
    db, _ = conftest.load_lines(tmp_path, {"reg.csv": rows, "measures.csv": [
        "户编号,措施类别,措施内容,实施年度,金额(元)", "H1,其他帮扶,慰问,2020,200", "H1,生态补偿,草原奖补,2020,800",
        "H2,发展生产,养羊,2020,3000"]})
    assert query(db, "SELECT m.household_id, family_doctor_signed, medical_insurance, safe_water FROM members m "
                     "JOIN households USING (household_id) ORDER BY 1") == [("H1", True, True, True),
                                                                           ("H2", False, False, False)]
    assert query(db, "SELECT category FROM interventions ORDER BY amount_yuan") == [("其他",), ("生态帮扶",), ("产业帮扶",)]
    assert query(db, "SELECT rule, raw_value FROM data_issues") == []


MEASURES = "户编号,措施类别,措施内容,实施年度,金额(元),实施状态"
WITH_UNIT = [MEASURES + ",责任单位", "H1,产业帮扶,养羊,2020,3000,已完成,农牧局", "H2,教育帮扶,雨露计划,2020,1500,已完成,教育局",
             "H2,教育帮扶,雨露计划,2020,1500,已完成,妇联"]  # two units paid the same sum: two records
WITHOUT_UNIT = [MEASURES, "H1,产业帮扶,养羊,2020,3000,已完成", "H2,教育帮扶,雨露计划,2020,1500,已完成",
                "H2,就业帮扶,护林员,2020,-800,实施中"]


def test_a_measure_sent_in_two_files_one_without_a_column_is_one_measure(tmp_path: Path) -> None:
    """The same measures in a ledger with 责任单位 and one without it (a bureau's list and the township's)
    were two records each (§5 keys a record by all its fields, and the blank unit differed), so 养羊's
    3,000 元 counted twice, in whichever order the files came. A file that lacks a column says nothing
    about it: rows of one household that agree on every column both files have are one record, and it
    keeps the unit. Two records that differ in a column both files have stay two."""
    for n, order in enumerate(((WITH_UNIT, WITHOUT_UNIT), (WITHOUT_UNIT, WITH_UNIT))):
        root = tmp_path / f"order{n}"
        root.mkdir()
        db, report = conftest.load_lines(root, {"reg.csv": REGISTRY, "a.csv": order[0], "b.csv": order[1]})
        assert report.exit_code == 0
        assert query(db, "SELECT household_id, content, amount_yuan, responsible_unit FROM interventions "
                         "ORDER BY ALL") == [("H1", "养羊", 3000.0, "农牧局"), ("H2", "护林员", None, None),
                                             ("H2", "雨露计划", 1500.0, "妇联"), ("H2", "雨露计划", 1500.0, "教育局")]
        assert query(db, "SELECT count(*) FROM interventions i JOIN data_issues d USING (record_key) "
                         "WHERE d.rule = 'negative_amount'") == [(1,)]
        assert query(db, "SELECT count(*) FROM data_issues") == [(1,)]


def test_a_claim_repeated_by_a_list_without_out_of_pocket_is_one_claim_still_judged(tmp_path: Path) -> None:
    """A hospital's claim with 个人自付 whose parts do not add up, then the insurer's list without 个人自付
    naming the same claim: one claim (it was two, its cost counted twice), still flagged."""
    head = "户编号,证件号码,入院日期,医疗机构,总费用,基本医保报销,大病保险报销,医疗救助"
    db, report = conftest.load_lines(tmp_path, {
        "reg.csv": REGISTRY,
        "hospital.csv": [head + ",其他保障,个人自付", f"H1,{_id('001')},2020-03-01,旗医院,10000,6000,1000,1000,0,500"],
        "insurer.csv": [head, f"H1,{_id('001')},2020-03-01,旗医院,10000,6000,1000,1000"]})
    assert report.exit_code == 0
    assert query(db, "SELECT total_cost, out_of_pocket FROM medical_claims") == [(10000.0, 500.0)]
    assert query(db, "SELECT rule FROM data_issues") == [("claim_parts_mismatch",)]


def test_a_measure_list_heading_its_money_bangfu_zijin_has_amounts(tmp_path: Path) -> None:
    """帮扶资金（元） and 补助金额(元) were columns outside the contract (listed as unused), so every measure of
    such a list loaded without its money; 金额（万元） stays unused (a unit of 万 is not yuan)."""
    db, report = conftest.load_lines(tmp_path, {
        "reg.csv": REGISTRY,
        "a.csv": ["户编号,措施类别,实施年度,帮扶资金（元）", "H1,产业帮扶,2020,\"3,000\""],
        "b.csv": ["户编号,措施类别,实施年度,补助金额(元),金额（万元）", "H2,教育帮扶,2020,1500,0.15"]})
    assert query(db, "SELECT household_id, amount_yuan FROM interventions ORDER BY 1") == [("H1", 3000.0), ("H2", 1500.0)]
    assert [f.ignored_columns for f in report.files[1:]] == [[], ["金额（万元）"]]


def test_a_placeholder_in_a_required_cell_is_a_missing_value(tmp_path: Path) -> None:
    """证件号码 `无` (children without an ID) keyed each such member alike: a household's second child was
    a duplicate, dropped (只保留一行), and each was "registered in another household" too. 脱贫年度 `—`,
    主要致贫原因 `/` and 脱贫属性 `—` passed as values given, so an exited household without its year, a
    poor household without its cause and one with neither status nor monitoring type raised nothing. A
    placeholder says "nothing here" (`PLACEHOLDER_RE`): each is the missing value's issue now."""
    rows = ["乡(镇),行政村,户编号,姓名,证件号码,与户主关系,主要致贫原因,脱贫属性,脱贫年度",
            f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,因病,已脱贫,—",
            "乌加河镇,联丰奋斗村,H1,张小,无,之子,因病,已脱贫,—",
            "乌加河镇,联丰奋斗村,H1,张小二,无,之女,因病,已脱贫,—",
            f"乌加河镇,联丰奋斗村,H2,李四,{_id('003')},户主,/,未脱贫,",
            "乌加河镇,联丰奋斗村,H2,李小,无,之子,/,未脱贫,",
            f"乌加河镇,联丰奋斗村,H3,王五,{_id('005')},户主,因病,—,"]
    db, report = conftest.load_lines(tmp_path, {"reg.csv": rows})
    assert query(db, "SELECT household_id, name, id_number FROM members ORDER BY source_line") == [
        ("H1", "张三", _id("001")), ("H1", "张小", None), ("H1", "张小二", None), ("H2", "李四", _id("003")),
        ("H2", "李小", None), ("H3", "王五", _id("005"))]
    assert query(db, "SELECT line, field, rule FROM data_issues ORDER BY ALL") == [
        (2, "exit_year", "exit_without_year"), (3, "id_number", "id_missing"), (4, "id_number", "id_missing"),
        (5, "main_cause", "missing_cause"), (6, "id_number", "id_missing"),
        (7, "monitoring_type", "monitored_without_type")]


def test_an_id_written_as_a_word_keys_no_member(tmp_path: Path) -> None:
    """证件号码 `未办理` (children without an ID yet) was each child's member key: a household's second such
    child was a duplicate and dropped (只保留一行), and every one was an ID "registered in another
    household". Words are no ID to key a member or find one in two households by (`id_invalid` still)."""
    rows = ["乡(镇),行政村,户编号,姓名,证件号码,与户主关系,主要致贫原因,脱贫属性",
            f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,因病,未脱贫",
            "乌加河镇,联丰奋斗村,H1,张小,未办理,之子,因病,未脱贫",
            "乌加河镇,联丰奋斗村,H1,张小二,未办理,之女,因病,未脱贫",
            f"乌加河镇,联丰奋斗村,H2,李四,{_id('003')},户主,因病,未脱贫",
            "乌加河镇,联丰奋斗村,H2,李小,未办理,之子,因病,未脱贫"]
    db, _ = conftest.load_lines(tmp_path, {"reg.csv": rows})
    assert query(db, "SELECT household_id, name FROM members ORDER BY source_line") == [
        ("H1", "张三"), ("H1", "张小"), ("H1", "张小二"), ("H2", "李四"), ("H2", "李小")]
    assert query(db, "SELECT line, rule FROM data_issues ORDER BY ALL") == [
        (3, "id_invalid"), (4, "id_invalid"), (6, "id_invalid")]


def test_placeholder_dates_are_too_early_and_no_date(tmp_path: Path) -> None:
    """识别时间 `1900-01-01` (or `0001-01-01`, Excel's day 0 `1899-12-31`) is a system's "unknown": stored as
    it was, it raised nothing and stretched the 识别年度 filter to 1900. 建档立卡 began in 2014, so no
    household was identified earlier (`2013-06-01` too); any other date of the work before 2000 is a
    placeholder as well. Each is `date_too_early` and stored as no date; a measure's placeholder
    开始日期 gives it no year either."""
    from etl import messages

    head = "乡(镇),行政村,户编号,姓名,证件号码,与户主关系,脱贫属性,主要致贫原因,首次识别时间"
    rows = [head, f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,未脱贫,因病,1900-01-01",
            f"乌加河镇,联丰奋斗村,H2,李四,{_id('003')},户主,未脱贫,因病,0001-01-01",
            f"乌加河镇,联丰奋斗村,H3,王五,{_id('005')},户主,未脱贫,因病,2013-06-01",
            f"乌加河镇,联丰奋斗村,H4,赵六,{_id('007')},户主,未脱贫,因病,2014-03-01"]
    db, report = conftest.load_lines(tmp_path, {
        "reg.csv": rows,
        "measures.csv": ["户编号,措施类别,措施内容,开始日期,金额(元)", "H1,产业帮扶,养羊,1899-12-31,3000",
                         "H2,产业帮扶,养牛,2001-05-01,2000"]})
    assert report.exit_code == 0
    assert query(db, "SELECT household_id, identified_date::VARCHAR FROM households ORDER BY 1") == [
        ("H1", None), ("H2", None), ("H3", None), ("H4", "2014-03-01")]
    assert query(db, "SELECT household_id, year, start_date::VARCHAR FROM interventions ORDER BY 1") == [
        ("H1", None, None), ("H2", 2001, "2001-05-01")]
    assert query(db, "SELECT household_id, field, raw_value, rule FROM data_issues ORDER BY ALL") == [
        ("H1", "identified_date", "1900-01-01", "date_too_early"),
        ("H1", "start_date", "1899-12-31", "date_too_early"),
        ("H2", "identified_date", "0001-01-01", "date_too_early"),
        ("H3", "identified_date", "2013-06-01", "date_too_early")]
    text = messages.issue_text("date_too_early", file="reg.csv", line=2, field="identified_date",
                               value="1900-01-01")
    assert text == ("reg.csv 第2行「首次识别时间」值「1900-01-01」早于 2014-01-01，不可能是该列的日期（1900-01-01 之类多为"
                    "系统的占位值），按未填写计。请填写实际日期。")
    assert "is before 2000-01-01" in messages.issue_text("date_too_early", file="m.csv", line=2, field="start_date",
                                                         value="1899-12-31", table="interventions", lang="en")


def test_an_identification_written_as_a_year_keeps_its_year(tmp_path: Path) -> None:
    """识别时间 `2014` or `2014年` (or `2015年10月`) is no date: the day is not guessed (`invalid_date`, the
    archive defect), but the household was in no 识别年度 at all, so the filter lost it. Its year is kept,
    as a measure's 开始日期 to the month gives the measure's year; a date gives its own year, a placeholder
    none. A file without the column keeps the stored year; a head's blank cell takes a member row's."""
    head = "乡(镇),行政村,户编号,姓名,证件号码,与户主关系,脱贫属性,主要致贫原因,首次识别时间"
    rows = [head, f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,未脱贫,因病,2014",
            f"乌加河镇,联丰奋斗村,H2,李四,{_id('003')},户主,未脱贫,因病,2014年",
            f"乌加河镇,联丰奋斗村,H3,王五,{_id('005')},户主,未脱贫,因病,2015年10月",
            f"乌加河镇,联丰奋斗村,H4,赵六,{_id('007')},户主,未脱贫,因病,2016-03-01",
            f"乌加河镇,联丰奋斗村,H5,孙七,{_id('009')},户主,未脱贫,因病,1900",
            f"乌加河镇,联丰奋斗村,H6,周八,{_id('011')},户主,未脱贫,因病,",
            f"乌加河镇,联丰奋斗村,H6,周九,{_id('013')},之子,未脱贫,因病,2017年"]
    update = ["乡(镇),行政村,户编号,姓名,证件号码,与户主关系,脱贫属性,主要致贫原因",
              f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,未脱贫,因残"]
    db, report = conftest.load_lines(tmp_path, {"reg.csv": rows, "update.csv": update})
    assert report.exit_code == 0
    assert query(db, "SELECT household_id, identified_date::VARCHAR, identified_year FROM households ORDER BY 1") == [
        ("H1", None, 2014), ("H2", None, 2014), ("H3", None, 2015), ("H4", "2016-03-01", 2016), ("H5", None, None),
        ("H6", None, 2017)]
    assert query(db, "SELECT household_id, identified_year FROM hh_facts ORDER BY 1") == [
        ("H1", 2014), ("H2", 2014), ("H3", 2015), ("H4", 2016), ("H5", None), ("H6", 2017)]
    assert query(db, "SELECT household_id, raw_value, rule FROM data_issues WHERE field = 'identified_date' "
                     "ORDER BY ALL") == [("H1", "2014", "invalid_date"), ("H2", "2014年", "invalid_date"),
                                         ("H3", "2015年10月", "invalid_date"), ("H5", "1900", "invalid_date"),
                                         ("H6", "2017年", "invalid_date")]
    # the 识别年度 filter's keys of the aggregates (cell_keys) and of the household lists (hh_facts)
    assert query(db, "SELECT DISTINCT identified_year FROM cell_keys ORDER BY 1") == [
        (2014,), (2015,), (2016,), (2017,), (None,)]
