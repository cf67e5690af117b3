"""Spellings of §2's code lists that exports write and that loaded as unknown codes (a probe with files of
its own): the cell's value was dropped and an unknown_code issue raised."""

from __future__ import annotations

from pathlib import Path

from etl.normalize import id_check_char
from tests import conftest
from tests.test_load import read as query

HEADER = "乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,主要致贫原因,其他致贫原因"


def _id(seq: str) -> str:
    first = f"15082419600101{seq}"
    return first + id_check_char(first)


def test_every_cause_is_known_with_its_zhipin_suffix(tmp_path: Path) -> None:
    """因病致贫 and three more were synonyms; 缺劳力致贫, 缺技术致贫 … (the same words) were unknown codes."""
    causes = {"缺土地致贫": "缺土地", "缺水致贫": "缺水", "缺技术致贫": "缺技术", "缺劳力致贫": "缺劳力",
              "缺劳动力致贫": "缺劳力", "缺资金致贫": "缺资金", "交通条件落后致贫": "交通条件落后",
              "自身发展动力不足致贫": "自身发展动力不足", "因婚致贫": "因婚", "因丧致贫": "因丧", "因病致贫": "因病"}
    rows = [HEADER] + [f"乌加河镇,联丰奋斗村,H{i},张三,{_id(f'{i:03d}')},户主,未脱贫,{raw},{raw}"
                       for i, raw in enumerate(causes)]
    db, _ = conftest.load_lines(tmp_path, {"reg.csv": rows})
    stored = query(db, "SELECT main_cause, other_causes FROM households ORDER BY source_line")
    assert stored == [(c, [c]) for c in causes.values()]
    assert query(db, "SELECT count(*) FROM data_issues WHERE rule = 'unknown_code'") == [(0,)]


def test_a_code_with_spaces_inside_is_the_code(tmp_path: Path) -> None:
    """「已脱贫 (享受政策)」 (a space before the bracket), 「因 病」 and 「高 中」 spaced for alignment were unknown
    codes, so the household lost its exit status (no longer registered) or cause; a code holds no space."""
    head = HEADER + ",文化程度,是否参加大病保险"
    rows = [head, f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,已脱贫 (享受政策),因 病,因 残、缺 水,高 中,是",
            f"乌加河镇,联丰奋斗村,H2,李四,{_id('003')},户主,已脱贫 （不享受政策）,缺劳力,,初　中,否"]
    db, _ = conftest.load_lines(tmp_path, {"reg.csv": rows})
    assert query(db, "SELECT household_id, exit_status, enjoys_policy, main_cause, other_causes FROM households "
                     "ORDER BY 1") == [("H1", "已脱贫", True, "因病", ["因残", "缺水"]),
                                       ("H2", "已脱贫", False, "缺劳力", None)]
    assert query(db, "SELECT education FROM members ORDER BY household_id") == [("高中",), ("初中",)]
    assert query(db, "SELECT rule, raw_value FROM data_issues WHERE rule NOT IN ('exit_without_year')") == []


def test_heavy_check_and_cross_marks_are_yes_and_no(tmp_path: Path) -> None:
    """✓ and ✗ were yes and no, but ✔ and ✘ (the marks an input method offers beside them) invalid_yes_no."""
    head = HEADER + ",是否参加大病保险,是否签约家庭医生"
    rows = [head, f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,未脱贫,因病,,✔,✘",
            f"乌加河镇,联丰奋斗村,H2,李四,{_id('003')},户主,未脱贫,因病,,✖,✔"]
    db, _ = conftest.load_lines(tmp_path, {"reg.csv": rows})
    assert query(db, "SELECT critical_illness_insurance, family_doctor_signed FROM members ORDER BY household_id") \
        == [(True, False), (False, True)]
    assert query(db, "SELECT count(*) FROM data_issues WHERE rule = 'invalid_yes_no'") == [(0,)]


def test_the_spellings_a_second_probe_found_are_their_codes(tmp_path: Path) -> None:
    """稳定脱贫户, 脱贫(享受政策), 大学本科, 中职, 患大病, 低保特困供养户, 风险是否消除 已消除 and an income of
    5000元/人 were unknown codes, invalid yes/no or not a number: each value dropped with an issue."""
    head = HEADER + ",文化程度,健康状况,贫困户属性,风险是否消除,人均纯收入,收入年度,脱贫年度"
    rows = [head,
            f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,稳定脱贫户,因病,,大学本科,患大病,低保特困供养户,已消除,5000元/人,2020,2019",
            f"乌加河镇,联丰奋斗村,H2,李四,{_id('003')},户主,脱贫（不享受政策）,因残,,中职,慢性病患者,一般贫困户,未消除,"
            f"6000元/人/年,2020,2019"]
    db, _ = conftest.load_lines(tmp_path, {"reg.csv": rows})
    assert query(db, "SELECT household_id, exit_status, enjoys_policy, household_attribute, risk_eliminated, "
                     "income_per_capita FROM households ORDER BY 1") == [
        ("H1", "已脱贫", None, "特困供养贫困户", True, 5000.0), ("H2", "已脱贫", False, "一般贫困户", False, 6000.0)]
    assert query(db, "SELECT education, health FROM members ORDER BY household_id") == [
        ("大专及以上", ["患有大病"]), ("高中", ["长期慢性病"])]
    assert query(db, "SELECT rule, field, raw_value FROM data_issues ORDER BY ALL") == []


def test_a_check_forms_returned_and_monitored_types_are_its_groups(tmp_path: Path) -> None:
    """户类型 返贫户 (a registered household back in poverty: not exited, data-spec §2's exit status 返贫) and
    脱贫不稳定户 (§2's monitoring type 0: an exited household under monitoring) were unknown codes: the form
    had no type, the check counted in no group outside the registry and a linked one was check_type_missing
    only. A linked 返贫 household's 返贫户 form and an exited one's 脱贫不稳定户 form agree with the registry."""
    registry = "乡(镇),行政村,户编号,姓名,证件号码,与户主关系,人数,脱贫属性,脱贫年度,主要致贫原因"
    checks = "调查日期,乡(镇),行政村,户编号,户主姓名,证件号码,户类型,家庭人口,核查结论,是否认可"
    db, _ = conftest.load_lines(tmp_path, {
        "reg.csv": [registry, f"乌加河镇,联丰奋斗村,H1,张三,{_id('001')},户主,1,返贫,,因病",
                    f"乌加河镇,联丰奋斗村,H2,李四,{_id('003')},户主,1,已脱贫,2019,因病"],
        "checks.csv": [checks, "2020-06-20,乌加河镇,联丰奋斗村,H1,张三,,返贫户,1,正常,认可",
                       "2020-06-20,乌加河镇,联丰奋斗村,H2,李四,,脱贫不稳定户,1,正常,认可",
                       "2020-06-20,乌加河镇,联丰奋斗村,,王五,,返贫户,1,正常,认可",
                       "2020-06-20,乌加河镇,联丰奋斗村,,赵六,,脱贫不稳定户,1,正常,认可",
                       "2020-06-20,乌加河镇,联丰奋斗村,,钱七,,边缘易致贫户,1,正常,认可",
                       "2020-06-20,乌加河镇,联丰奋斗村,,孙八,,突发严重困难户,1,正常,认可",
                       "2020-06-20,乌加河镇,联丰奋斗村,,周九,,监测户,1,正常,认可"],
    })
    assert query(db, "SELECT head_name, household_type FROM household_checks ORDER BY source_line") == [
        ("张三", "未脱贫户"), ("李四", "脱贫户"), ("王五", "未脱贫户"), ("赵六", "脱贫户"), ("钱七", "边缘户"),
        ("孙八", "边缘户"), ("周九", "边缘户")]
    assert query(db, "SELECT rule, raw_value FROM data_issues WHERE rule IN ('unknown_code', 'check_type_mismatch', "
                     "'check_type_missing') ORDER BY ALL") == []
