"""The loader end to end on messy files built here: counts, rejected rows, data issues, upserts,
idempotency, atomicity, and the command line."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl import snapshot
from etl.load import load_files
from etl.normalize import id_check_char

ROOT = Path(__file__).resolve().parents[1]

REG_HEADER = ["序号", "乡（镇）", "行政村", "户编号", "人编号", "姓名", "证件号码", "与户主关系", "人数",
              "健康状况", "劳动技能", "贫困户属性", "主要致贫原因", "其他致贫原因", "脱贫属性", "脱贫年度",
              "人均纯收入", "收入年度", "是否参加城乡居民基本医疗保险", "监测对象类别"]


def pid(birth: str, seq: str) -> str:
    """A valid 18-digit ID number of the demo county."""
    first = "150824" + birth + seq
    return first + id_check_char(first)


def write_csv(path: Path, rows: list[list[str]], encoding: str = "gb18030", sep: str = ",") -> Path:
    text = "\n".join(sep.join(r) for r in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def registry_rows() -> list[list[str]]:
    """Five households over two villages, with planted defects (see the asserts)."""
    a1, a2, b1 = pid("19500101", "001"), pid("19520202", "002"), pid("19800303", "003")
    c1, d1, e1 = pid("19400404", "004"), pid("19600505", "005"), pid("19700606", "006")
    bad = pid("19750707", "007")[:-1] + ("0" if pid("19750707", "007")[-1] != "0" else "1")
    return [
        ["乌拉特中旗建档立卡贫困人口信息表"] + [""] * (len(REG_HEADER) - 1),
        ["*" + h if h in ("户编号", "姓名") else h for h in REG_HEADER],
        ["1", "德岭山镇", "兴丰村", "H001", "1", "甲一", a1, "户主", "2", "长期慢性病", "弱劳动力", "一般贫困户",
         "因病", "缺技术、缺资金", "已脱贫(享受政策)", "2018", "\"5,200.50\"", "2019", "是", ""],
        ["2", "德岭山镇", "兴丰村", "H001", "2", "甲二", a2, "配偶", "2", "健康", "普通劳动力", "一般贫困户",
         "因病", "缺技术、缺资金", "已脱贫(享受政策)", "2018", "\"5,200.50\"", "2019", "否", ""],
        ["3", "德岭山镇", "兴丰村", "H002", "1", "乙一", b1, "户主", "3", "患有大病", "丧失劳动力", "低保贫困户",
         "1", "", "未脱贫", "", "2800元", "2019", "1", ""],  # size 3 declared, 1 member row
        ["", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],  # blank row
        ["4", "德岭山镇", "胜利村", "H003", "1", "丙一", c1, "户主", "1", "残疾", "无劳动力", "特困供养贫困户",
         "因懒", "", "已脱贫", "", "2500", "2019", "√", ""],  # unknown cause, exit w/o year, below line
        ["5", "德岭山镇", "胜利村", "H004", "1", "丁一", d1, "配偶", "1", "健康", "普通劳动力", "",
         "", "", "", "", "6000", "2019", "是", "边缘易致贫户"],  # edge household, no head
        ["6", "德岭山镇", "胜利村", "H005", "1", "戊一", a1, "户主", "2", "健康", "普通劳动力", "一般贫困户",
         "缺资金", "", "已脱贫", "2019", "8000", "2019", "是", ""],  # a1 also registered in H001
        ["7", "德岭山镇", "胜利村", "H005", "2", "戊二", "1.50824E+17", "子女", "2", "健康", "", "一般贫困户",
         "缺资金", "", "已脱贫", "2019", "8000", "2019", "是", ""],  # Excel-mangled ID
        ["8", "德岭山镇", "胜利村", "", "1", "无户", e1, "户主", "1", "健康", "", "", "", "", "", "", "", "", "", ""],
        ["9", "", "胜利村", "H006", "1", "无镇", bad, "户主", "1", "健康", "", "", "", "", "", "", "", "", "", ""],
        ["合计", "", "", "", "", "", "", "", "9", "", "", "", "", "", "", "", "", "", "", ""],
    ]


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "fupin.duckdb"


def read(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con, _ = snapshot.connect_read(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def dump(db: Path) -> dict[str, list[tuple]]:
    tables = ["households", "members", "household_income", "interventions", "visits", "medical_claims",
              "rectifications", "rejected_rows", "data_issues"]
    return {t: sorted(map(repr, read(db, f"SELECT * EXCLUDE (batch_id) FROM {t}"))) for t in tables}


def test_a_file_loaded_again_after_another_of_its_kind_says_so_and_reloads_when_asked(
        tmp_path: Path, db: Path) -> None:
    """A clerk loads A, then a wrong file B that changes a household, then A again to put it right: A was
    "unchanged" with B's values kept, and nothing said why. The same file again still changes nothing
    (a folder chosen again, the older files last, must not roll newer data back), but the summary names
    B and says how to load A again; `reload` does, and A's values are current again."""
    rows = registry_rows()
    a = write_csv(tmp_path / "a.csv", rows)
    b_rows = [list(r) for r in rows]
    b_rows[2][16] = b_rows[3][16] = "\"9,900\""  # H001's income
    b = write_csv(tmp_path / "b.csv", b_rows)
    income = "SELECT income_per_capita FROM households WHERE household_id = 'H001'"
    first = load_files([a], db=db).files[0]
    load_files([b], db=db)
    again = load_files([a], db=db)
    assert again.files[0].unchanged and again.files[0].superseded_by == "b.csv"
    assert "「b.csv」" in again.summary_lines()[0][0] and "--reload" in again.summary_lines()[0][0]
    assert read(db, income) == [(9900.0,)]
    restored = load_files([a], db=db, reload=True).files[0]
    assert not restored.unchanged and (restored.rows_loaded, restored.rows_rejected) == (
        first.rows_loaded, first.rows_rejected)
    assert read(db, income) == [(5200.5,)]
    plain = load_files([a], db=db).files[0]
    assert plain.unchanged and plain.superseded_by is None  # nothing of its kind since: plainly unchanged
    p = run_cli("load", str(b), "--reload", "--db", str(db))
    assert p.returncode == 0 and read(db, income) == [(9900.0,)]
    # each rejected line of a file is listed once, however often the file is loaded again (a probe: twice)
    rejected = read(db, "SELECT file_name, line, count(*) FROM list_rejected GROUP BY ALL HAVING count(*) > 1")
    assert rejected == [], rejected
    assert read(db, "SELECT count(*) FROM list_rejected WHERE file_name = 'a.csv'") == [(first.rows_rejected,)]


def test_a_file_whose_rows_were_rejected_says_so_when_it_comes_again(tmp_path: Path, db: Path) -> None:
    """An item of a 户编号 the registry lacks, without 乡(镇), is rejected; the registry then adds the
    household, and the clerk uploads the same ledger again: "identical to a file already loaded; nothing
    changed" was all the page said, so the item seemed loaded while it stayed out of every figure. The
    summary now says how many rows the earlier load rejected and how to check them again; reloading loads it."""
    from ui.upload import load_uploads

    rect = write_csv(tmp_path / "整改台账.csv", [
        ["问题编号", "问题来源", "发现日期", "乡(镇)", "行政村", "户编号", "问题类别", "问题描述", "责任单位", "责任人",
         "整改措施", "整改时限", "整改状态", "完成日期"],
        ["R9", "自查", "2020-01-05", "", "", "H001", "其他", "描述", "单位", "责任人", "措施", "2020-05-07", "整改中", ""]])
    first = load_files([rect], db=db).files[0]
    assert (first.rows_loaded, first.rows_rejected) == (0, 1)
    load_files([write_csv(tmp_path / "reg.csv", registry_rows())], db=db)  # registers H001
    again = load_uploads([("整改台账.csv", rect.read_bytes())], "zh", db=db)
    lines = again.texts["zh"].lines
    assert lines[0] == "整改台账.csv：与已入库的文件相同，未作更改。"
    assert "上次导入此文件时拒收1行" in lines[1] and "重新导入已导入过的文件" in lines[1], lines
    # a count the sentence reads for any number (it said "1 rows of this file were rejected")
    assert "Rows rejected when this file was loaded before: 1." in again.texts["en"].lines[1]
    assert read(db, "SELECT count(*) FROM rectifications WHERE issue_id = 'R9'") == [(0,)]
    reloaded = load_files([rect], db=db, reload=True).files[0]
    assert (reloaded.rows_loaded, reloaded.rows_rejected) == (1, 0)
    plain = load_files([rect], db=db)  # its last load rejected nothing: plainly unchanged
    assert plain.summary_lines()[0] == ["整改台账.csv：与已入库的文件相同，未作更改。"]


def test_registry_counts_rejections_and_issues(tmp_path: Path, db: Path) -> None:
    f = write_csv(tmp_path / "reg.csv", registry_rows())
    report = load_files([f], db=db)
    assert report.exit_code == 0
    r = report.files[0]
    assert r.kind == "registry"
    # 12 rows below the header... the title row above it, one blank, one 合计: 3 skipped
    assert (r.rows_read, r.rows_loaded, r.rows_rejected, r.rows_skipped) == (12, 7, 2, 3)
    assert "序号" in r.ignored_columns
    hh = dict(read(db, "SELECT household_id, household_size FROM households"))
    assert hh == {"H001": 2, "H002": 1, "H003": 1, "H004": 1, "H005": 2}
    rejected = read(db, "SELECT line, rule FROM rejected_rows ORDER BY line")
    assert rejected == [(11, "no_household_id"), (12, "no_township")]
    issues = read(db, "SELECT rule, household_id, field FROM data_issues ORDER BY rule, household_id")
    by_rule: dict[str, list] = {}
    for rule, hid, fld in issues:
        by_rule.setdefault(rule, []).append((hid, fld))
    assert by_rule["size_mismatch"] == [("H002", "household_size")]
    assert by_rule["unknown_code"] == [("H003", "main_cause")]
    assert by_rule["exit_without_year"] == [("H003", "exit_year")]
    assert by_rule["exit_income_below_line"] == [("H003", "income_per_capita")]
    assert by_rule["no_head"] == [("H004", "relation")]
    assert by_rule["id_mangled"] == [("H005", "id_number")]
    assert sorted(by_rule["id_duplicate"]) == [("H001", "id_number"), ("H005", "id_number")]
    assert r.issues == len(issues)
    # normalised values
    row = read(db, """SELECT main_cause, other_causes, exit_status, enjoys_policy, exit_year, income_per_capita,
                      registered, monitored FROM households WHERE household_id = 'H001'""")[0]
    assert row == ("因病", ["缺技术", "缺资金"], "已脱贫", True, 2018, 5200.5, True, False)
    assert read(db, "SELECT main_cause, registered FROM households WHERE household_id='H002'")[0] == ("因病", True)
    edge = read(db, "SELECT registered, monitored, monitoring_type FROM households WHERE household_id='H004'")[0]
    assert edge == (False, True, "边缘易致贫户")
    m = read(db, "SELECT sex, birth_date::VARCHAR, health, medical_insurance FROM members WHERE name = '甲一'")[0]
    assert m == ("男" if int(pid("19500101", "001")[16]) % 2 else "女", "1950-01-01", ["长期慢性病"], True)
    # IDs and household numbers stay text
    assert read(db, "SELECT typeof(household_id), typeof(id_number) FROM members LIMIT 1")[0] == ("VARCHAR", "VARCHAR")


def test_reloading_the_same_file_changes_nothing(tmp_path: Path, db: Path) -> None:
    f = write_csv(tmp_path / "reg.csv", registry_rows())
    load_files([f], db=db)
    before, snap = dump(db), snapshot.current_snapshot(db)
    again = load_files([f], db=db)
    assert again.exit_code == 0 and again.files[0].unchanged
    assert snapshot.current_snapshot(db) == snap
    assert dump(db) == before
    packed = tmp_path / "reg.csv.gz"  # its compressed copy is the same file
    packed.write_bytes(gzip.compress(f.read_bytes()))
    assert load_files([packed], db=db).files[0].unchanged
    # a copy under another name and encoding has the same content: upserts still change nothing
    g = write_csv(tmp_path / "reg_utf8.csv", registry_rows(), encoding="utf-8-sig")
    assert not load_files([g], db=db).files[0].unchanged
    assert dump(db)["households"] == before["households"]
    assert dump(db)["members"] == before["members"]


def test_newer_registry_is_authoritative_for_its_households(tmp_path: Path, db: Path) -> None:
    load_files([write_csv(tmp_path / "a.csv", registry_rows())], db=db)
    newer = [REG_HEADER,
             ["1", "德岭山镇", "兴丰村", "H001", "1", "甲一", pid("19500101", "001"), "户主", "1", "长期慢性病",
              "弱劳动力", "一般贫困户", "因病", "", "已脱贫", "2018", "6100", "2020", "是", ""]]
    report = load_files([write_csv(tmp_path / "b.csv", newer)], db=db)
    assert report.files[0].rows_loaded == 1
    assert read(db, "SELECT count(*) FROM members WHERE household_id='H001'")[0][0] == 1
    assert read(db, "SELECT income_year, income_per_capita FROM households WHERE household_id='H001'") == [
        (2020, 6100.0)]
    # the income history keeps both years; households not in the newer file are untouched
    assert read(db, "SELECT income_year FROM household_income WHERE household_id='H001' ORDER BY 1") == [
        (2019,), (2020,)]
    assert read(db, "SELECT count(*) FROM households")[0][0] == 5
    # H001's issues were replaced by the newer file's: its head is still registered in H005 too
    assert read(db, "SELECT household_id, batch_id FROM data_issues WHERE rule='id_duplicate' ORDER BY 1") == [
        ("H001", 2), ("H005", 1)]


def test_unreadable_file_exits_1_and_changes_nothing(tmp_path: Path, db: Path) -> None:
    load_files([write_csv(tmp_path / "a.csv", registry_rows())], db=db)
    before, snap = dump(db), snapshot.current_snapshot(db)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    unknown = write_csv(tmp_path / "other.csv", [["甲", "乙", "丙"], ["1", "2", "3"]])
    cut = tmp_path / "cut.csv.gz"  # a compressed export cut off in transfer
    cut.write_bytes(gzip.compress(write_csv(tmp_path / "b.csv", registry_rows()).read_bytes())[:-20])
    report = load_files([junk, unknown, cut], db=db)
    assert report.exit_code == 1
    assert all(f.error and "read." not in f.error for f in report.files)  # sentences, not label keys
    assert "junk.xlsx" in report.files[0].error
    assert report.files[2].error.startswith("cut.csv.gz：压缩文件已损坏或不完整")
    assert snapshot.current_snapshot(db) == snap and dump(db) == before


def test_good_files_load_beside_a_bad_one(tmp_path: Path, db: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02garbage\xff\xfe" * 10)
    reg = write_csv(tmp_path / "a.csv", registry_rows())
    report = load_files([junk, reg], db=db)
    assert report.exit_code == 1
    assert report.files[0].error and not report.files[1].error
    assert read(db, "SELECT count(*) FROM households")[0][0] == 5


LEDGER = ["问题编号", "问题来源", "发现日期", "乡(镇)", "行政村", "户编号", "问题类别", "问题描述", "责任单位",
          "整改时限", "整改状态", "完成日期"]


def test_rectification_ledger_upserts_by_issue_id(tmp_path: Path, db: Path) -> None:
    first = [LEDGER,
             ["WJH-1", "督查", "2020/6/27", "乌加河镇", "", "", "贫困户档案不规范", "档案不全", "镇政府",
              "2020年7月31日", "未整改", ""],
             ["WJH-2", "督查", "2020.6.27", "乌加河镇", "联丰奋斗村", "", "扶贫工作手册更新不及时", "手册未更新",
              "镇政府", "20200731", "待整改", ""],
             ["", "自查", "2020-03-01", "", "", "", "其他", "无乡镇", "", "", "", ""]]
    r1 = load_files([write_csv(tmp_path / "r1.csv", first, sep="\t")], db=db).files[0]
    assert (r1.kind, r1.rows_loaded, r1.rows_rejected) == ("rectifications", 2, 1)
    rows = read(db, "SELECT issue_id, category, status, deadline::VARCHAR FROM rectifications ORDER BY 1")
    assert rows == [("WJH-1", "档案资料不规范", "未整改", "2020-07-31"),
                    ("WJH-2", "扶贫手册更新不及时", "未整改", "2020-07-31")]
    second = [LEDGER, ["WJH-1", "督查", "2020/6/27", "乌加河镇", "", "", "档案资料不规范", "档案不全", "镇政府",
                       "2020-07-31", "已整改", "2020-07-20"]]
    load_files([write_csv(tmp_path / "r2.csv", second, encoding="utf-8")], db=db)
    rows = read(db, "SELECT issue_id, status, completed_date::VARCHAR FROM rectifications ORDER BY 1")
    assert rows == [("WJH-1", "已整改", "2020-07-20"), ("WJH-2", "未整改", None)]


def test_a_status_update_of_fewer_columns_keeps_the_item_s_other_fields(tmp_path: Path, db: Path) -> None:
    """A status update (问题编号, 乡(镇), 问题描述, 整改状态, 完成日期 only) changes what it has and keeps the rest: its
    整改时限 was wiped, so the item could no longer be overdue, and its unit, village and source with it.
    An issue on a column the update lacks (an impossible 整改时限) stays too."""
    first = [LEDGER,
             ["WJH-1", "督查", "2020/6/27", "乌加河镇", "联丰奋斗村", "", "档案资料不规范", "档案不全", "镇政府",
              "2020-07-31", "未整改", ""],
             ["WJH-2", "督查", "2020/6/27", "乌加河镇", "", "", "其他", "手册", "镇政府", "2020-13-45", "未整改", ""]]
    load_files([write_csv(tmp_path / "r1.csv", first)], db=db)
    assert read(db, "SELECT record_key, field FROM data_issues") == [("WJH-2", "deadline")]
    update = [["问题编号", "乡(镇)", "问题描述", "整改状态", "完成日期"], ["WJH-1", "乌加河镇", "档案不全", "已整改", "2020-07-20"],
              ["WJH-2", "乌加河镇", "手册", "整改中", ""]]
    r = load_files([write_csv(tmp_path / "r2.csv", update)], db=db).files[0]
    assert (r.rows_loaded, r.rows_rejected) == (2, 0)
    rows = read(db, """SELECT issue_id, source, found_date::VARCHAR, village, category, description, responsible_unit,
                              deadline::VARCHAR, status, completed_date::VARCHAR FROM rectifications ORDER BY 1""")
    assert rows == [("WJH-1", "督查", "2020-06-27", "联丰奋斗村", "档案资料不规范", "档案不全", "镇政府", "2020-07-31",
                     "已整改", "2020-07-20"),
                    ("WJH-2", "督查", "2020-06-27", None, "其他", "手册", "镇政府", None, "整改中", None)]
    assert read(db, "SELECT record_key, field FROM data_issues") == [("WJH-2", "deadline")]


def test_a_ledger_keyed_by_its_fields_loaded_again_is_plainly_unchanged(tmp_path: Path, db: Path) -> None:
    """A claims list (no record id: a claim is all its fields) loaded again after another could not have
    had its rows changed by it, yet the summary told the administrator to reload it (a probe)."""
    head = ["户编号", "入院日期", "医疗机构", "总费用"]
    a = write_csv(tmp_path / "a.csv", [head, ["H001", "2020-05-01", "旗医院", "1000"]])
    load_files([a, write_csv(tmp_path / "b.csv", [head, ["H002", "2020-05-02", "旗医院", "2000"]])], db=db)
    again = load_files([a], db=db).files[0]
    assert again.unchanged and again.superseded_by is None


def test_a_file_of_a_header_alone_loads_nothing_and_says_so(tmp_path: Path, db: Path) -> None:
    """A header with no row (an export under a wrong filter, most often) was reported like any load and
    made a batch and a point of the figure history; loaded again, it got the reload advice (a probe)."""
    from etl import snapshot as snap

    load_files([write_csv(tmp_path / "r.csv", registry_rows())], db=db)
    before = read(db, "SELECT count(*) FROM load_batches") + read(db, "SELECT count(*) FROM figure_history")
    generation = snap.current_snapshot(db)
    report = load_files([write_csv(tmp_path / "v.csv", [["户编号", "走访日期", "走访类型"]])], db=db)
    f = report.files[0]
    assert (f.no_rows, f.kind, f.error, report.exit_code) == (True, "visits", None, 0)
    assert report.summary_in_order() == ["v.csv：走访记录，只有表头，没有数据行（读取0行，跳过0行），未作更改。请检查导出时的筛选条件。"]
    assert report.to_json()["files"][0]["no_rows"] is True
    assert read(db, "SELECT count(*) FROM load_batches") + read(db, "SELECT count(*) FROM figure_history") == before
    assert snap.current_snapshot(db) == generation  # nothing published


def test_claims_parts_and_amounts_are_checked(tmp_path: Path, db: Path) -> None:
    claims = [["户编号", "证件号码", "入院日期", "医疗机构", "总费用", "基本医保报销", "大病保险报销", "医疗救助",
               "其他保障", "个人自付"],
              ["H001", pid("19500101", "001"), "2020-05-01", "旗医院", "10000", "6000", "2000", "1000", "0", "1000"],
              ["H001", pid("19500101", "001"), "2020-05-09", "旗医院", "10000", "6000", "2000", "1000", "0", "500"],
              # a negative 总费用 is no figure: its issue is negative_amount, not parts that do not add up
              ["H002", "", "2099-01-01", "旗医院", "-5", "", "", "", "", ""],
              # a blank 总费用 under parts that add up to 1,000: off by them (it loaded with no issue)
              ["H003", "", "2020-05-02", "旗医院", "", "600", "", "", "", "400"],
              ["H004", "", "2020-05-03", "旗医院", "", "", "", "", "", ""]]
    r = load_files([write_csv(tmp_path / "c.csv", claims)], db=db).files[0]
    assert r.kind == "medical_claims" and r.rows_loaded == 5
    rules = sorted(x[0:2] for x in read(db, "SELECT rule, household_id FROM data_issues"))
    assert rules == [("claim_parts_mismatch", "H001"), ("claim_parts_mismatch", "H003"),
                     ("future_date", "H002"), ("negative_amount", "H002")]


def test_a_negative_amount_is_an_issue_and_no_figure(tmp_path: Path, db: Path) -> None:
    """data-spec §3: a negative amount is a data issue; like a negative 乡村人口 it is stored as no figure,
    so a -500 measure does not lower the 帮扶资金 total (the measure itself still counts) and a -3000
    claim does not lower 个人自付. The raw value stays with the issue."""
    measures = [["户编号", "措施类别", "实施年度", "金额(元)"],
                ["H001", "金融帮扶", "2020", "-500"], ["H002", "金融帮扶", "2020", "3000"]]
    claims = [["户编号", "入院日期", "医疗机构", "总费用", "个人自付"],
              ["H001", "2020-05-01", "旗医院", "3000", "-3000"], ["H002", "2020-05-02", "旗医院", "1000", "1000"]]
    load_files([write_csv(tmp_path / "i.csv", measures), write_csv(tmp_path / "c.csv", claims)], db=db)
    assert read(db, "SELECT household_id, category, amount_yuan FROM interventions ORDER BY 1") == [
        ("H001", "金融帮扶", None), ("H002", "金融帮扶", 3000.0)]
    assert read(db, "SELECT sum(amount_yuan), count(*) FROM interventions") == [(3000.0, 2)]
    assert read(db, "SELECT household_id, total_cost, out_of_pocket FROM medical_claims ORDER BY 1") == [
        ("H001", 3000.0, None), ("H002", 1000.0, 1000.0)]
    assert read(db, """SELECT household_id, field, raw_value FROM data_issues WHERE rule = 'negative_amount'
                       ORDER BY 1, 2""") == [("H001", "amount_yuan", "-500"), ("H001", "out_of_pocket", "-3000")]


def test_an_id_mangled_by_excel_is_the_same_rule_in_a_ledger(tmp_path: Path, db: Path) -> None:
    good = pid("19500101", "001")
    claims = [["户编号", "证件号码", "入院日期", "医疗机构", "总费用", "个人自付"],
              ["H001", "1.50824E+17", "2020-05-01", "旗医院", "100", "100"],
              ["H001", good[:-1] + ("0" if good[-1] != "0" else "1"), "2020-05-02", "旗医院", "100", "100"],
              ["H001", good, "2020-05-03", "旗医院", "100", "100"]]
    load_files([write_csv(tmp_path / "c.csv", claims)], db=db)
    assert read(db, "SELECT line, rule FROM data_issues ORDER BY line") == [(2, "id_mangled"), (3, "id_invalid")]


def test_interventions_identical_rows_are_one_record(tmp_path: Path, db: Path) -> None:
    rows = [["户编号", "措施类别", "措施内容", "项目名称", "实施年度", "金额(元)"],
            ["H001", "产业扶贫", "养羊", "亿丰惠农专业合作社", "2019年", "\"3,000\""],
            ["H001", "产业扶贫", "养羊", "亿丰惠农专业合作社", "2019年", "\"3,000\""],
            ["H002", "健康帮扶", "慢病签约", "", "2020", "500元"]]
    f = write_csv(tmp_path / "i.csv", rows, encoding="utf-8")
    load_files([f], db=db)
    assert read(db, "SELECT household_id, category, year, amount_yuan FROM interventions ORDER BY 1") == [
        ("H001", "产业帮扶", 2019, 3000.0), ("H002", "健康帮扶", 2020, 500.0)]


def test_a_measure_without_its_year_is_the_same_record_as_with_the_year_its_date_gives(
        tmp_path: Path, db: Path) -> None:
    """实施年度 is taken from 开始日期 when blank; the record's key was computed before that, so a row
    without the year and the same row with it were two records identical on screen, and the money was
    counted twice (6000 元 for one 3000 元 measure). In one file and across files alike."""
    head = ["户编号", "措施类别", "措施内容", "实施年度", "开始日期", "金额(元)"]
    both = write_csv(tmp_path / "both.csv", [head, ["H001", "产业帮扶", "养羊", "", "2019-05-01", "3000"],
                                             ["H001", "产业帮扶", "养羊", "2019", "2019-05-01", "3000"]],
                     encoding="utf-8")
    load_files([both], db=db)
    measures = "SELECT household_id, year, amount_yuan FROM interventions"
    assert read(db, measures) == [("H001", 2019, 3000.0)]
    later = write_csv(tmp_path / "later.csv", [head, ["H001", "产业帮扶", "养羊", "", "2019-05-01", "3000"]],
                      encoding="utf-8")
    load_files([later], db=db)
    assert read(db, measures) == [("H001", 2019, 3000.0)]


def test_a_registry_alone_is_dated_by_its_exit_and_income_years(tmp_path: Path, db: Path) -> None:
    """The data's date is its latest dated event; a year-end registry whose last identification was in
    2016 but whose households exited and earned in 2019 was dated 2016-11-27, and the overview's "since"
    figures counted from then. Its years now date it: the end of 2019, since a year's exits and incomes
    are settled at its end (dated 2019-01-01, the demo's 2019年底 registry was the baseline of "+8 since
    2019-01-01" beside 81 households that exited in 2019; a browser review). A year not over yet is
    dated today. In the year of a dated event, the event dates it (a June 2020 export lists 2020's exits)."""
    from etl import clock
    from queries.meta import data_as_of

    rows = [["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫状态", "脱贫年度", "主要致贫原因",
             "首次识别时间", "收入年度"],
            ["甲镇", "一村", "H1", "张一", "150824196001010118", "户主", "已脱贫", "2018", "因病", "2016-11-27", "2019"]]
    load_files([write_csv(tmp_path / "reg.csv", rows, encoding="utf-8")], db=db)
    con, _ = snapshot.connect_read(db)
    try:
        assert data_as_of(con).isoformat() == "2019-12-31"
    finally:
        con.close()
    visit = write_csv(tmp_path / "v.csv", [["户编号", "走访日期", "走访类型"], ["H1", "2019-06-01", "入户走访"]])
    load_files([visit], db=db)
    con, _ = snapshot.connect_read(db)
    try:
        assert data_as_of(con).isoformat() == "2019-06-01"
    finally:
        con.close()
    this_year = str(clock.today().year)
    rows[1][10] = this_year  # an income year: no exit year after 2020 dates the data (etl.rules.LAST_EXIT_YEAR)
    load_files([write_csv(tmp_path / "reg2.csv", rows, encoding="utf-8")], db=db)
    con, _ = snapshot.connect_read(db)
    try:
        assert data_as_of(con) == clock.today()
    finally:
        con.close()


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_cli_json_exit_codes_and_env_db(tmp_path: Path, db: Path) -> None:
    f = write_csv(tmp_path / "reg.csv", registry_rows())
    p = run_cli("load", str(f), "--json", env={"FUPIN_DB": str(db)})
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert set(out["files"][0]) >= {"path", "kind", "rows_read", "rows_loaded", "rows_rejected",
                                    "rows_skipped", "issues"}
    assert out["files"][0]["rows_loaded"] == 7
    assert out["created_db"] is True  # the first load made the database, and says so (a mistyped --db)
    assert db.is_symlink() and snapshot.current_snapshot(db) is not None
    again = run_cli("load", str(write_csv(tmp_path / "v.csv", [["户编号", "走访日期"], ["H001", "2020-05-01"]])),
                    "--db", str(db))
    assert again.stdout.splitlines()[0] == f"数据库：{db}"
    elsewhere = tmp_path / "typo" / "fupin.duckdb"
    made = run_cli("load", str(f), "--db", str(elsewhere))
    assert made.stdout.splitlines()[0].startswith(f"数据库：{elsewhere}（新建：此前没有数据库。")
    missing = run_cli("load", str(tmp_path / "nope.csv"), "--db", str(db))
    assert missing.returncode == 1 and "nope.csv" in missing.stdout
    assert run_cli("load").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_cli_reports_the_files_in_the_order_given(tmp_path: Path, db: Path) -> None:
    """A refused file between two loaded ones is reported where it was given, not first."""
    a = write_csv(tmp_path / "a.csv", registry_rows())
    bad = tmp_path / "b.csv"
    bad.write_text("甲,乙,丙\n1,2,3\n", encoding="utf-8")
    c = write_csv(tmp_path / "c.csv", [["户编号", "走访日期", "走访类型"], ["H001", "2020-05-01", "入户走访"]])
    p = run_cli("load", str(a), str(bad), str(c), "--db", str(db))
    assert p.returncode == 1
    names = [line.split("：")[0] for line in p.stdout.splitlines()[1:] if not line.startswith(" ")]
    assert names == ["a.csv", "b.csv", "c.csv"], p.stdout


def test_a_later_file_of_one_load_that_restores_a_household_is_applied(tmp_path: Path, db: Path) -> None:
    """H2 corrected to 已脱贫 and loaded; then, in one command, the original file (未脱贫) and the
    correction again: the correction, the later file, wins. It was judged unchanged against the stored
    state before the command, so H2 stayed 未脱贫 while both files reported their rows loaded (a probe)."""
    def status() -> str:
        return read(db, "SELECT exit_status FROM households WHERE household_id = 'H2'")[0][0]

    def registry(name: str, exit_status: str, year: str, blank_lines: int = 0) -> Path:
        rows = [["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫属性", "脱贫年度", "主要致贫原因"],
                ["德岭山镇", "兴丰村", "H1", "甲一", pid("19500101", "001"), "户主", "已脱贫", "2019", "因病"],
                ["德岭山镇", "兴丰村", "H2", "乙一", pid("19800303", "003"), "户主", exit_status, year, "因病"]]
        return write_csv(tmp_path / name, rows + [[""] * 9] * blank_lines)  # a blank line: another file

    load_files([registry("orig.csv", "未脱贫", "")], db=db)
    load_files([registry("fixed.csv", "已脱贫", "2020")], db=db)
    assert status() == "已脱贫"
    assert load_files([registry("orig2.csv", "未脱贫", "", 1), registry("fixed2.csv", "已脱贫", "2020", 1)],
                      db=db).exit_code == 0
    assert status() == "已脱贫"
    con, _ = snapshot.connect_read(db)
    try:
        assert con.execute("SELECT exit_status FROM hh_facts WHERE household_id = 'H2'").fetchall() == [("已脱贫",)]
    finally:
        con.close()


def test_load_while_a_viewer_holds_the_database_open(tmp_path: Path, db: Path) -> None:
    load_files([write_csv(tmp_path / "a.csv", registry_rows())], db=db)
    # another process opens the database read-only, as the dashboard does, and keeps it open
    viewer = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from etl import snapshot; con, snap = snapshot.connect_read(sys.argv[1]);"
         "print(con.execute('SELECT count(*) FROM households').fetchone()[0], flush=True); time.sleep(30)",
         str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert viewer.stdout.readline().strip() == "5"
        rows = [REG_HEADER, ["1", "乌加河镇", "联丰奋斗村", "H100", "1", "新户", pid("19660606", "100"), "户主", "1",
                             "健康", "", "一般贫困户", "缺资金", "", "未脱贫", "", "3000", "2019", "是", ""]]
        p = run_cli("load", str(write_csv(tmp_path / "new.csv", rows)), "--db", str(db))
        assert p.returncode == 0, p.stdout + p.stderr
        assert read(db, "SELECT count(*) FROM households")[0][0] == 6  # the next run sees the new data
    finally:
        viewer.kill()
        viewer.wait()


def test_a_killed_load_leaves_the_last_good_snapshot(tmp_path: Path, db: Path) -> None:
    load_files([write_csv(tmp_path / "a.csv", registry_rows())], db=db)
    before, snap = dump(db), snapshot.current_snapshot(db)
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write(",".join(REG_HEADER) + "\n")
        for i in range(400_000):
            fh.write(f"{i},海流图镇,村{i % 50},B{i // 2},{i % 2},名{i},{pid('19700101', f'{i % 1000:03d}')},"
                     f"{'户主' if i % 2 == 0 else '配偶'},2,健康,普通劳动力,一般贫困户,因病,,未脱贫,,3000,2019,是,\n")
    proc = subprocess.Popen([sys.executable, "-m", "etl", "load", str(big), "--db", str(db)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # kill it once the new snapshot file exists, i.e. midway
    import time
    deadline = time.time() + 60
    while time.time() < deadline and len(list(snapshot.snapshots_dir(db).glob("*.duckdb"))) < 2:
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    assert snapshot.current_snapshot(db) == snap
    assert dump(db) == before
    # the next load still works and cleans up after itself
    assert load_files([write_csv(tmp_path / "c.csv", registry_rows()[:3])], db=db).exit_code == 0


def test_xlsx_registry_with_title_merged_cells_and_typed_cells(tmp_path: Path, db: Path) -> None:
    import datetime as dt

    import xlsxwriter

    path = tmp_path / "registry.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    header = ["序号", "苏木(镇)", "嘎查村", "户编号", "姓名", "身份证号码", "与户主关系", "家庭人口数", "致贫原因1",
              "贫困户状态", "脱贫年份", "纳入时间", "家庭年人均纯收入(元)", "收入年度"]
    ws.merge_range(0, 0, 0, len(header) - 1, "乌拉特中旗建档立卡贫困人口信息表")
    ws.write_row(1, 0, header)
    a, b = pid("19450101", "011"), pid("19480808", "022")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    # one household over two rows, township/village/household cells merged down as exporters do
    ws.merge_range(2, 1, 3, 1, "呼勒斯太苏木")
    ws.merge_range(2, 2, 3, 2, "温更嘎查")
    ws.merge_range(2, 3, 3, 3, "150824200401001")
    for r, (name, idn, rel) in enumerate([("老一", a, "户主"), ("老二", b, "配偶")], start=2):
        ws.write_number(r, 0, r - 1)
        ws.write_string(r, 4, name)
        ws.write_string(r, 5, idn)
        ws.write_string(r, 6, rel)
        ws.write_number(r, 7, 2)
        ws.write_number(r, 8, 1)  # numeric code 1 = 因病
        ws.write_string(r, 9, "已脱贫(不享受政策)")
        ws.write_number(r, 10, 2019)
        ws.write_datetime(r, 11, dt.datetime(2015, 11, 3), date_fmt)
        ws.write_number(r, 12, 4566.5)
        ws.write_number(r, 13, 2020)
    # a second household whose ID was turned into a number by Excel
    ws.write_row(4, 1, ["呼勒斯太苏木", "呼和嘎查", "150824200101002", "独居", ])
    ws.write_number(4, 5, 150824193001010011)
    ws.write_row(4, 6, ["户主"])
    ws.write_number(4, 7, 1)
    ws.write_row(4, 8, ["因残", "未脱贫"])
    ws.write_row(5, 0, ["合计"])
    wb.close()
    r = load_files([path], db=db).files[0]
    assert (r.kind, r.rows_loaded, r.rows_rejected, r.rows_skipped) == ("registry", 3, 0, 2)
    assert read(db, """SELECT household_id, township, village, main_cause, exit_status, enjoys_policy, exit_year,
                       identified_date::VARCHAR, income_per_capita, household_size
                       FROM households ORDER BY 1""") == [
        ("150824200101002", "呼勒斯太苏木", "呼和嘎查", "因残", "未脱贫", None, None, None, None, 1),
        ("150824200401001", "呼勒斯太苏木", "温更嘎查", "因病", "已脱贫", False, 2019, "2015-11-03", 4566.5, 2)]
    assert read(db, "SELECT rule FROM data_issues") == [("id_mangled",)]


def test_a_household_number_stored_as_a_number_loads_exactly_or_is_rejected(tmp_path: Path, db: Path) -> None:
    """户编号 written as numbers, as web systems' Excel exports do. A 16-digit number whose last digit is
    not 0 is exact in the file (Excel keeps 15 significant digits: it cannot have made it) and loads as
    those digits. One Excel may have cut (…0) or too long for a float shows as Excel shows it
    (1.50824E+15) and is rejected with its reason: two households written that way became one household
    of both families, registered under `1.50824E+15`, that no later file could remove."""
    import xlsxwriter

    path = tmp_path / "registry.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "家庭人口数", "致贫原因", "脱贫属性"])
    rows = [(1508241012030002, "甲一", pid("19500101", "001")), (1508241012010002, "乙一", pid("19520202", "002")),
            (1508241012010020, "丙一", pid("19800303", "003")), (1508241012010030, "丁一", pid("19400404", "004")),
            (150824101201003456, "戊一", pid("19600505", "005"))]
    for r, (hid, name, idn) in enumerate(rows, start=1):
        ws.write_row(r, 0, ["乌加河镇", "联丰村"])
        ws.write_number(r, 2, hid)
        ws.write_row(r, 3, [name, idn, "户主", "1", "因病", "未脱贫"])
    wb.close()
    result = load_files([path], db=db)
    r = result.files[0]
    assert (r.rows_loaded, r.rows_rejected) == (2, 3)
    assert read(db, "SELECT household_id, head_name FROM households ORDER BY 1") == [
        ("1508241012010002", "乙一"), ("1508241012030002", "甲一")]
    assert read(db, "SELECT line, rule, field FROM rejected_rows ORDER BY line") == [
        (4, "hhid_mangled", "household_id"), (5, "hhid_mangled", "household_id"), (6, "hhid_mangled", "household_id")]
    lines = "\n".join(result.summary_in_order("zh"))
    assert "第4行「户编号」值「1.50824E+15」" in lines and "未入库" in lines, lines
    # the data page's list of rejected rows quotes the value too (its sentence read 值「」)
    from queries.data_admin import rejected_rows
    from queries.filters import Viewer

    con, _ = snapshot.connect_read(db)
    try:
        shown = rejected_rows(con, Viewer(pii=False))
    finally:
        con.close()
    assert sorted(shown["value"]) == ["1.50824E+15", "1.50824E+15", "1.50824E+17"]


def test_as_of_date_follows_the_newest_data(tmp_path: Path, db: Path) -> None:
    def visits(name: str, day: str) -> Path:
        return write_csv(tmp_path / name, [["户编号", "走访日期", "走访类型"], ["H001", day, "入户走访"]])

    first = load_files([visits("v1.csv", "2020-06-01")], db=db)
    assert read(db, "SELECT value FROM facts_meta WHERE key = 'as_of'") == [("2020-06-01",)]
    assert first.as_of_moved is None  # a first load dates the data; it moves nothing
    second = load_files([visits("v2.csv", "2020年7月15日")], db=db)
    assert read(db, "SELECT value FROM facts_meta WHERE key = 'as_of'") == [("2020-07-15",)]
    # the summary says so: overdue items and days since are counted to the new date (a leader saw items
    # turn overdue after an upload of visits alone, and asked why)
    assert second.summary_in_order("zh")[-1] == \
        "数据截至日期由 2020-06-01 变为 2020-07-15：逾期、距今天数、年龄等均按新日期计算（未改动的事项也可能因此转为逾期）。"
    assert second.to_json()["as_of_moved"] == ["2020-06-01", "2020-07-15"]
    # the upload page shows it as a notice above the summary, not as one more grey line in it (a probe)
    assert second.notices("zh") == [second.summary_in_order("zh")[-1]]
    assert not any("数据截至日期" in line for line in second.summary_lines("zh")[0])
    third = load_files([visits("v3.csv", "2020-07-01")], db=db)
    assert third.as_of_moved is None and "数据截至日期" not in "".join(third.summary_in_order("zh"))


def test_refresh_rebuilds_derived_tables_of_an_older_snapshot(tmp_path: Path, db: Path) -> None:
    from etl import schema
    from etl.load import schema_version

    load_files([write_csv(tmp_path / "a.csv", registry_rows())], db=db)
    assert schema_version(db) == schema.SCHEMA_VERSION
    # an older version's snapshot: no summary table, an older schema version
    with snapshot.writer(db) as w:
        w.con.execute("DROP TABLE hh_facts")
        w.con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        w.full = True
    before = dump(db)
    assert run_cli("refresh", "--if-stale", "--db", str(db)).returncode == 0
    assert schema_version(db) == schema.SCHEMA_VERSION
    assert read(db, "SELECT count(*) FROM hh_facts")[0][0] == 5
    assert dump(db) == before  # the data itself is untouched
    snap = snapshot.current_snapshot(db)
    assert run_cli("refresh", "--if-stale", "--db", str(db)).returncode == 0
    assert snapshot.current_snapshot(db) == snap  # up to date: nothing rebuilt


def test_a_post_2020_attribute_says_the_household_exited(tmp_path: Path, db: Path) -> None:
    """data-spec §2: the post-2020 attributes (一般脱贫户, 01–08) map to one of the three attributes plus an exited
    hint. A 脱贫户 export without 脱贫状态 loads its households as registered and exited (not as households
    with neither status nor type); a written exit status wins over the hint."""
    header = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "贫困户属性", "主要致贫原因", "脱贫年度"]
    write_csv(tmp_path / "a.csv", [header,
        ["温更镇", "温更村", "P1", "甲", pid("19600101", "019"), "户主", "一般脱贫户", "因病", "2019"],
        ["温更镇", "温更村", "P2", "乙", pid("19610101", "029"), "户主", "05", "因残", "2020"],
        ["温更镇", "温更村", "P3", "丙", pid("19620101", "039"), "户主", "一般贫困户", "因病", ""],
        # 07 as a numeric Excel cell writes it (and 3 for 03); 1, 2 and 4 are the older codes, no hint
        ["温更镇", "温更村", "P5", "戊", pid("19640101", "059"), "户主", "7", "因病", "2020"],
        ["温更镇", "温更村", "P6", "己", pid("19650101", "069"), "户主", "3", "因病", "2020"],
        ["温更镇", "温更村", "P7", "庚", pid("19660101", "079"), "户主", "2", "因病", ""]])
    header2 = [*header, "脱贫状态"]
    write_csv(tmp_path / "b.csv", [header2,
        ["温更镇", "温更村", "P4", "丁", pid("19630101", "049"), "户主", "低保脱贫户", "因病", "", "返贫"]])
    assert load_files([tmp_path / "a.csv", tmp_path / "b.csv"], db).exit_code == 0
    assert read(db, "SELECT household_id, household_attribute, exit_status, registered FROM households ORDER BY 1") == [
        ("P1", "一般贫困户", "已脱贫", True), ("P2", "特困供养贫困户", "已脱贫", True),
        ("P3", "一般贫困户", None, False), ("P4", "低保贫困户", "返贫", True), ("P5", "特困供养贫困户", "已脱贫", True),
        ("P6", "低保贫困户", "已脱贫", True), ("P7", "低保贫困户", None, False)]
    assert read(db, "SELECT household_id, rule FROM data_issues ORDER BY 1") == [
        ("P3", "monitored_without_type"), ("P7", "monitored_without_type")]


def test_a_post_2020_attribute_after_a_2019_registry_says_the_household_exited(tmp_path: Path, db: Path) -> None:
    """The county's 2019 registry (脱贫属性 未脱贫), then the monitoring system's export of 脱贫户 without a
    脱贫状态 column (贫困户属性 一般脱贫户, 脱贫年度 2020): the household stayed 未脱贫 with an exit year,
    since the stored status, kept for the column the file lacks, hid the file's hint; every exit of 2020
    was lost from the figures without an issue (a probe of registry sequences). The newer file's hint
    wins over a stored 未脱贫; a stored 返贫 stays (a 脱贫户 that fell back is consistent with it)."""
    header = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "主要致贫原因", "贫困户属性", "脱贫属性", "脱贫年度"]
    p1, p2, p3 = pid("19600101", "019"), pid("19610101", "029"), pid("19620101", "039")
    write_csv(tmp_path / "2019.csv", [header,
        ["温更镇", "温更村", "P1", "甲", p1, "户主", "因病", "一般贫困户", "未脱贫", ""],
        ["温更镇", "温更村", "P2", "乙", p2, "户主", "因病", "低保贫困户", "返贫", "2018"],
        ["温更镇", "温更村", "P3", "丙", p3, "户主", "因病", "一般贫困户", "未脱贫", ""]])
    monitoring = [h for h in header if h != "脱贫属性"]
    write_csv(tmp_path / "2021.csv", [monitoring,
        ["温更镇", "温更村", "P1", "甲", p1, "户主", "因病", "一般脱贫户", "2020"],
        ["温更镇", "温更村", "P1", "甲妻", pid("19600202", "018"), "配偶", "", "", ""],  # household fields on the head's row
        ["温更镇", "温更村", "P2", "乙", p2, "户主", "因病", "低保脱贫户", "2018"],
        ["温更镇", "温更村", "P3", "丙", p3, "户主", "因病", "一般贫困户", ""]])
    assert load_files([tmp_path / "2019.csv"], db).exit_code == 0
    assert load_files([tmp_path / "2021.csv"], db).exit_code == 0
    assert read(db, "SELECT household_id, household_attribute, exit_status, exit_year FROM households ORDER BY 1") == [
        ("P1", "一般贫困户", "已脱贫", 2020), ("P2", "低保贫困户", "返贫", 2018), ("P3", "一般贫困户", "未脱贫", None)]
    assert read(db, "SELECT count(*) FROM data_issues") == [(0,)]


def test_a_file_of_no_known_kind_says_what_would_be_accepted(tmp_path: Path, db: Path) -> None:
    """data-spec §3: messages name the file and say what would be accepted: each kind's required headers."""
    load_files([write_csv(tmp_path / "reg.csv", registry_rows())], db=db)
    before, snap = dump(db), snapshot.current_snapshot(db)
    path = write_csv(tmp_path / "名单.csv", [["姓名", "年龄", "住址", "备注"], ["张三", "40", "某地", ""]])
    report = load_files([path], db)
    assert report.exit_code == 1 and dump(db) == before and snapshot.current_snapshot(db) == snap
    error = report.files[0].error or ""
    assert error.startswith("名单.csv：")
    for needed in ("贫困人口信息（乡(镇)、行政村、户编号、姓名、证件号码、与户主关系）", "入户核查表（调查日期、乡(镇)、行政村）",
                   "人口基数表（年度、乡(镇)、行政村、乡村人口）"):
        assert needed in error


def test_the_demo_does_not_replace_a_countys_own_database_unasked(tmp_path: Path) -> None:
    """`etl demo` writes the demo county over the database at --db (by default the county's own): with
    files that are not a demo's there, it refuses and changes nothing; --replace does it (a probe)."""
    db = tmp_path / "data" / "fupin.duckdb"
    assert load_files([write_csv(tmp_path / "本旗人口.csv", registry_rows())], db=db).published
    before = snapshot.current_snapshot(db)
    p = run_cli("demo", "--db", str(db))
    assert p.returncode == 1 and "非演示数据的文件（如 本旗人口.csv）" in p.stderr, p.stderr
    assert snapshot.current_snapshot(db) == before
    p = run_cli("demo", "--db", str(db), "--replace")
    assert p.returncode == 0, p.stderr[-2000:]
    assert read(db, "SELECT count(*) FROM load_batches WHERE file_name = '本旗人口.csv'") == [(0,)]
    assert run_cli("demo", "--db", str(db)).returncode == 0  # a demo over a demo needs no flag
