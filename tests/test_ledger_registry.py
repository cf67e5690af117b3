"""Ledger rows that contradict the registry (etl.ledger_registry): found by a probe of the ledgers with
export files the product had never seen. Each test writes its files in tmp_path and loads them through
the real loader into a real DuckDB file, in both orders (ledger first, registry first)."""

from __future__ import annotations

from pathlib import Path

from etl.load import load_files
from etl.messages import issue_text
from tests.test_load import read
from tests.test_unseen_exports import write_csv

REG_HEADER = ["乡(镇)", "行政村", "户编号", "姓名", "与户主关系", "证件号码", "主要致贫原因", "脱贫属性", "脱贫年度"]
WANG = "150824195001010113"  # H1's head
LI = "150824195203030227"  # H1's spouse
ZHAO = "150824197005050314"  # H2's head
NOBODY = "150824196006060413"  # a valid ID number of no registered member


def registry(tmp_path: Path, name: str, *rows: list[str]) -> Path:
    return write_csv(tmp_path / name, [REG_HEADER, *rows])


H1 = [["乌加河镇", "联丰奋斗村", "H1", "王大山", "户主", WANG, "因病", "已脱贫", "2019"],
      ["乌加河镇", "联丰奋斗村", "H1", "李秀英", "配偶", LI, "因病", "已脱贫", "2019"]]
H2 = ["德岭山镇", "兴丰村", "H2", "赵小河", "户主", ZHAO, "因残", "未脱贫", ""]


def load(db: Path, *paths: Path) -> None:
    report = load_files(list(paths), db=db)
    assert report.exit_code == 0, [f.error for f in report.files]


def issues(db: Path, rule: str) -> list[tuple]:
    return read(db, "SELECT file_name, line, household_id, field, raw_value FROM data_issues WHERE rule = ? "
                    "ORDER BY line", [rule])


CLAIMS = [["户编号", "证件号码", "入院日期", "医疗机构", "总费用", "基本医保报销", "大病保险报销", "医疗救助", "其他保障", "个人自付"],
          ["H1", LI, "2024-01-15", "旗医院", "1000", "600", "100", "100", "0", "200"],  # H1's own member
          ["H2", WANG, "2024-02-03", "旗医院", "800", "500", "0", "0", "0", "300"],  # H1's head, under H2
          ["H2", NOBODY, "2024-02-04", "旗医院", "800", "500", "0", "0", "0", "300"],  # nobody's: no contradiction
          ["H9", ZHAO, "2024-02-05", "旗医院", "800", "500", "0", "0", "0", "300"]]  # H2's head, under an unknown 户编号


def test_a_claim_whose_id_number_is_another_household_s_member_is_an_issue(tmp_path: Path) -> None:
    """A claims list whose 证件号码 is a member of another household (H1's head under H2's 户编号, the money
    counted for H2) raised no issue (data-spec §3: anything else wrong is recorded). It is now
    `claim_id_other_household` on the claim's 证件号码, in the claims file's line; a claim of a member of its
    own household, or of an ID no household registers, raises nothing."""
    db = tmp_path / "fupin.duckdb"
    load(db, registry(tmp_path, "reg.csv", *H1, H2), write_csv(tmp_path / "claims.csv", CLAIMS))
    assert issues(db, "claim_id_other_household") == [("claims.csv", 3, "H2", "id_number", WANG),
                                                      ("claims.csv", 5, "H9", "id_number", ZHAO)]
    text = issue_text("claim_id_other_household", file="claims.csv", line=3, field="id_number", value=WANG,
                      record="H2", table="medical_claims")
    assert text.startswith(f"claims.csv 第3行「证件号码」值「{WANG}」是另一户的成员，不是户编号「H2」的成员")
    en = issue_text("claim_id_other_household", file="claims.csv", line=3, field="id_number", value=WANG,
                    record="H2", table="medical_claims", lang="en")
    assert "a member of another household, not of household 'H2'" in en


def test_the_claims_issue_follows_the_registry_in_whatever_order_the_files_come(tmp_path: Path) -> None:
    """Claims loaded before the registry are judged when it comes; a later registry that puts the
    claimant in the claim's household (王大山 moved to H2) or no longer registers the ID takes the issue
    away, and one that moves a member out of the claim's household raises it."""
    db = tmp_path / "fupin.duckdb"
    load(db, write_csv(tmp_path / "claims.csv", CLAIMS))
    assert issues(db, "claim_id_other_household") == []
    load(db, registry(tmp_path, "reg.csv", *H1, H2))
    assert [r[:3] for r in issues(db, "claim_id_other_household")] == [("claims.csv", 3, "H2"), ("claims.csv", 5, "H9")]
    # 王大山 now registered in H2 (and H1 keeps its spouse as its head): the H2 claim is his household's
    moved = [["乌加河镇", "联丰奋斗村", "H1", "李秀英", "户主", LI, "因病", "已脱贫", "2019"],
             H2, ["德岭山镇", "兴丰村", "H2", "王大山", "父亲", WANG, "因残", "未脱贫", ""]]
    load(db, registry(tmp_path, "reg2.csv", *moved))
    assert [r[:3] for r in issues(db, "claim_id_other_household")] == [("claims.csv", 5, "H9")]
    # 李秀英 registered in H2 instead of H1: the H1 claim of her is now another household's member
    load(db, registry(tmp_path, "reg3.csv", ["乌加河镇", "联丰奋斗村", "H1", "王大山", "户主", WANG, "因病", "已脱贫", "2019"],
                      H2, ["德岭山镇", "兴丰村", "H2", "李秀英", "之女", LI, "因残", "未脱贫", ""]))
    assert [r[:3] for r in issues(db, "claim_id_other_household")] == [
        ("claims.csv", 2, "H1"), ("claims.csv", 3, "H2"), ("claims.csv", 5, "H9")]
    # the same order of files into a new database gives the same issues (registry first)
    db2 = tmp_path / "other.duckdb"
    load(db2, tmp_path / "reg3.csv", tmp_path / "claims.csv")
    assert issues(db2, "claim_id_other_household") == issues(db, "claim_id_other_household")


def test_a_few_claims_against_a_large_registry_find_the_other_household_by_the_id_index(tmp_path: Path) -> None:
    """A claims file of a few rows beside many members looks its ID numbers up by hash (ix_id_numbers),
    in the load that writes the registry too (the index is refreshed when that load finishes): the
    households that load touched are read as well."""
    from tests.test_normalize import valid_id

    many = [["乌加河镇", "联丰奋斗村", f"G{i:02d}", f"户主{i}", "户主", valid_id(f"150824198001{i + 1:02d}{i:03d}"), "因病", "未脱贫", ""]
            for i in range(30)]
    claim = [CLAIMS[0], ["G01", many[2][5], "2024-02-03", "旗医院", "800", "500", "0", "0", "0", "300"]]
    db = tmp_path / "fupin.duckdb"
    load(db, registry(tmp_path, "old.csv", *many[10:]))  # the index exists from here
    load(db, registry(tmp_path, "reg.csv", *many[:10]), write_csv(tmp_path / "claims.csv", claim))
    assert [r[:3] for r in issues(db, "claim_id_other_household")] == [("claims.csv", 2, "G01")]
    claim2 = [CLAIMS[0], ["G01", many[25][5], "2024-02-04", "旗医院", "800", "500", "0", "0", "0", "300"]]
    load(db, write_csv(tmp_path / "claims2.csv", claim2))
    assert [r[:3] for r in issues(db, "claim_id_other_household")] == [("claims.csv", 2, "G01"), ("claims2.csv", 2, "G01")]


RECT = [["问题编号", "问题来源", "发现日期", "乡(镇)", "行政村", "户编号", "问题类别", "问题描述", "责任单位", "责任人", "整改措施",
         "整改时限", "整改状态", "完成日期"],
        ["ZG-1", "自查", "2024-03-05", "德岭山镇", "兴丰村", "H1", "其他", "户档案缺表", "镇政府", "刘", "补齐", "2024-04-30",
         "整改中", ""],  # H1 is in 乌加河镇/联丰奋斗村
        ["ZG-2", "自查", "2024-03-05", "乌加河镇", "", "H1", "其他", "手册未更新", "镇政府", "刘", "更新", "2024-04-30",
         "整改中", ""],  # no village: no contradiction
        ["ZG-3", "自查", "2024-03-05", "德岭山镇", "四义堂村", "H2", "其他", "收入偏高", "镇政府", "陈", "重算", "2024-04-30",
         "整改中", ""],  # H2's township, another village
        ["ZG-4", "自查", "2024-03-05", "德岭山镇", "", "", "其他", "工作队考勤不全", "镇政府", "陈", "整改", "2024-04-30",
         "整改中", ""],  # a township's item
        ["ZG-5", "自查", "2024-03-05", "德岭山镇", "兴丰村", "H9", "其他", "不在系统", "镇政府", "陈", "核实", "2024-04-30",
         "整改中", ""]]  # a household outside the registry: placed by the ledger


def test_a_rectification_item_placed_elsewhere_than_its_household_is_an_issue(tmp_path: Path) -> None:
    """A rectification item whose 乡(镇)/行政村 are not where the registry places its household raised no
    issue: the item is counted in the household's place (list_rectification) and the ledger's place
    was silently set aside. It is now `rect_place_mismatch` with the place the ledger wrote, in either
    order of the files, and it goes when a registry moves the household to the ledger's place."""
    db = tmp_path / "fupin.duckdb"
    load(db, write_csv(tmp_path / "rect.csv", RECT))
    assert issues(db, "rect_place_mismatch") == []
    load(db, registry(tmp_path, "reg.csv", *H1, H2))
    expected = [("rect.csv", 2, "H1", "village", "德岭山镇/兴丰村"), ("rect.csv", 4, "H2", "village", "德岭山镇/四义堂村")]
    assert issues(db, "rect_place_mismatch") == expected
    db2 = tmp_path / "other.duckdb"  # registry first
    load(db2, tmp_path / "reg.csv", tmp_path / "rect.csv")
    assert issues(db2, "rect_place_mismatch") == expected
    # H2 moved to 四义堂村 by a later registry: its item's place is the household's now
    load(db, registry(tmp_path, "reg2.csv", ["德岭山镇", "四义堂村", *H2[2:]]))
    assert issues(db, "rect_place_mismatch") == expected[:1]
    # a status update without 行政村 keeps the stored village, and the item its issue
    update = [["问题编号", "乡(镇)", "问题描述", "整改状态", "完成日期"], ["ZG-1", "德岭山镇", "户档案缺表", "已整改", "2024-04-02"]]
    load(db, write_csv(tmp_path / "update.csv", update))
    assert [r[:3] for r in issues(db, "rect_place_mismatch")] == [("update.csv", 2, "H1")]
    text = issue_text("rect_place_mismatch", file="rect.csv", line=2, field="village", value="德岭山镇/兴丰村",
                      record="H1", table="rectifications")
    assert text == ("rect.csv 第2行：整改台账填写的乡镇/村「德岭山镇/兴丰村」与贫困人口信息中户编号「H1」所在的乡镇/村不同。"
                    "该问题按贫困人口信息中的乡镇/村统计；请核对。")


def test_an_id_written_as_a_word_in_a_claim_and_another_household_is_no_contradiction(tmp_path: Path) -> None:
    """A claim's 证件号码 未办理 beside a member of another household whose 证件号码 is 未办理 too: a word names
    nobody (etl.normalize.sql_id_key_of), so the claim is not another household's member's."""
    db = tmp_path / "fupin.duckdb"
    word = [["德岭山镇", "兴丰村", "H3", "赵小草", "户主", "未办理", "因残", "未脱贫", ""]]
    claims = [CLAIMS[0], ["H2", "未办理", "2024-02-03", "旗医院", "800", "500", "0", "0", "0", "300"]]
    for order in ((registry(tmp_path, "reg.csv", *H1, H2, *word), write_csv(tmp_path / "claims.csv", claims)),
                  (write_csv(tmp_path / "claims2.csv", claims), registry(tmp_path, "reg2.csv", *H1, H2, *word))):
        load(db, *order)
        assert issues(db, "claim_id_other_household") == []
