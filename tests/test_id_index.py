"""The registry's check for an ID number used by another household, on a small file: it looks the file's
ID numbers up by hash in `ix_id_numbers` (etl.hh_lookup) instead of reading every member's ID text,
and still sees the households an earlier file of the same load wrote."""

from __future__ import annotations

from pathlib import Path

from etl.load import load_files
from etl.normalize import id_check_char
from tests.test_load import read, write_csv

HEADER = ["乡（镇）", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "主要致贫原因", "脱贫属性", "脱贫年度"]


def pid(n: int) -> str:
    first = "150824" + f"1970{n // 28 % 12 + 1:02d}{n % 28 + 1:02d}" + f"{n % 1000:03d}"
    return first + id_check_char(first)


def row(household: str, name: str, id_number: str, relation: str = "户主") -> list[str]:
    return ["德岭山镇", "兴丰村", household, name, id_number, relation, "因病", "已脱贫", "2019"]


def write(path: Path, rows: list[list[str]]) -> Path:
    return write_csv(path, [HEADER, *rows], encoding="utf-8")


def duplicates(db: Path) -> list[tuple]:
    return read(db, "SELECT household_id, raw_value FROM data_issues WHERE rule = 'id_duplicate' ORDER BY 1, 2")


def test_small_registry_files_find_ids_of_other_households(tmp_path: Path) -> None:
    db = tmp_path / "data" / "fupin.duckdb"
    base = [row(f"H{i:03d}", f"户主{i}", pid(i)) for i in range(60)]  # a file 20x smaller than this is small
    assert load_files([write(tmp_path / "base.csv", base)], db=db).published
    assert duplicates(db) == []
    new_id = pid(500)
    first = write(tmp_path / "a.csv", [row("H900", "新户", new_id)])
    second = write(tmp_path / "b.csv", [row("H901", "又一户", new_id),  # the ID the file before used
                                        row("H901", "配偶", pid(10), "配偶")])  # H010's head's ID
    report = load_files([first, second], db=db)
    assert report.published and report.files[1].issues == 2
    # both sides are flagged: the households loaded before on their own rows (tests/test_unseen_exports.py)
    assert duplicates(db) == sorted([("H900", new_id), ("H010", pid(10)), ("H901", new_id), ("H901", pid(10))])
    # the index holds every member's ID hash after the load, as a full build makes it
    rows = "SELECT idh, hk FROM {} ORDER BY ALL"
    full = read(db, rows.format("(SELECT hash(id_number) AS idh, hk FROM members WHERE id_number IS NOT NULL)"))
    assert read(db, rows.format("ix_id_numbers")) == full and len(full) == 63
    # a household that no longer shares an ID loses its issues; a file whose IDs match nothing finds none
    assert load_files([write(tmp_path / "c.csv", [row("H901", "又一户", pid(700))])], db=db).files[0].issues == 0
    assert duplicates(db) == []
    # the other snapshot file caught up by the changeset holds the same index
    assert load_files([write(tmp_path / "d.csv", [row("H902", "再一户", pid(20))])], db=db).files[0].issues == 1
    assert duplicates(db) == [("H020", pid(20)), ("H902", pid(20))]
    # each side's issue names its member, the side loaded before too (its record was empty: a problem
    # list's row without its person)
    assert read(db, """SELECT d.household_id, m.name FROM data_issues d JOIN members m
                       ON m.household_id = d.household_id AND m.member_key = d.record_key
                       WHERE d.rule = 'id_duplicate' ORDER BY 1""") == [("H020", "户主20"), ("H902", "再一户")]
    assert read(db, rows.format("ix_id_numbers")) == read(
        db, rows.format("(SELECT hash(id_number) AS idh, hk FROM members WHERE id_number IS NOT NULL)"))
