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

