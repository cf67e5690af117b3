"""性别 against the ID number (data-spec §1.1: sex derives from the ID). A probe loaded a member written
女 whose ID says male: 男 was stored and nothing told the inspector that the archive disagrees with
itself. The ID still wins; the row is loaded; the cell is an archive defect (`sex_mismatch`), judged
again when a later file writes 性别, kept while later files lack it. Real files, real loader, DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl import snapshot
from etl.load import load_files
from etl.messages import finding_lines
from tests.test_load import pid, write_csv

HEADER = ["乡（镇）", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "性别", "脱贫状态", "脱贫年度", "主要致贫原因"]
HEAD = pid("19500101", "001")  # odd sequence: male
WIFE = pid("19520202", "002")  # even: female


def registry(path: Path, wife_sex: str | None) -> Path:
    header = HEADER if wife_sex is not None else [h for h in HEADER if h != "性别"]
    rows = [["乌加河镇", "联丰村", "S1", "张三春", HEAD, "户主", "男", "已脱贫", "2019", "因病"],
            ["乌加河镇", "联丰村", "S1", "李秀英", WIFE, "配偶", wife_sex or "", "已脱贫", "2019", "因病"]]
    if wife_sex is None:
        rows = [r[:6] + r[7:] for r in rows]
    return write_csv(path, [header, *rows], encoding="utf-8")


def state(db: Path) -> tuple[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True) as con:
        sex = con.execute("SELECT sex FROM members WHERE name = '李秀英'").fetchall()[0][0]
        issues = con.execute("SELECT line, field, raw_value, record_key FROM data_issues "
                             "WHERE rule = 'sex_mismatch'").fetchall()
    return sex, issues


def test_a_sex_the_id_number_contradicts_is_an_archive_defect_until_a_file_writes_it_right(tmp_path: Path) -> None:
    db = tmp_path / "data" / "fupin.duckdb"
    report = load_files([registry(tmp_path / "r1.csv", "男")], db=db)
    assert report.files[0].rows_loaded == 2
    assert state(db) == ("女", [(3, "sex", "男", WIFE)])  # the ID's sex stored, the file's cell flagged
    said = "\n".join(finding_lines(report.files[0].findings, 1, "r1.csv", report.files[0].headers))
    assert "r1.csv 第3行「性别」值「男」与身份证号所示性别不符" in said

    load_files([registry(tmp_path / "r2.csv", None)], db=db)  # a file without 性别: the defect stays
    assert state(db) == ("女", [(3, "sex", "男", WIFE)])

    load_files([registry(tmp_path / "r3.csv", "女")], db=db)  # written right: the defect goes
    assert state(db) == ("女", [])


def test_a_sex_left_blank_or_an_invalid_id_is_no_mismatch(tmp_path: Path) -> None:
    db = tmp_path / "data" / "fupin.duckdb"
    load_files([registry(tmp_path / "r1.csv", "")], db=db)
    assert state(db) == ("女", [])
    bad = WIFE[:-1] + ("0" if WIFE[-1] != "0" else "1")  # fails the check digit: its sex is not trusted
    rows = [HEADER, ["乌加河镇", "联丰村", "S2", "王五", bad, "户主", "男", "已脱贫", "2019", "因病"]]
    load_files([write_csv(tmp_path / "r2.csv", rows, encoding="utf-8")], db=db)
    with duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True) as con:
        rules = {r[0] for r in con.execute("SELECT rule FROM data_issues WHERE household_id = 'S2'").fetchall()}
        sex = con.execute("SELECT sex FROM members WHERE household_id = 'S2'").fetchall()
    assert "id_invalid" in rules and "sex_mismatch" not in rules
    assert sex == [("男",)]  # the file's 性别, not the untrusted ID's (female: an even sequence digit)


def test_an_invalid_id_gives_its_sex_only_where_the_file_has_none(tmp_path: Path) -> None:
    bad = WIFE[:-1] + ("0" if WIFE[-1] != "0" else "1")
    header = [h for h in HEADER if h != "性别"]
    rows = [header, ["乌加河镇", "联丰村", "S3", "王五", bad, "户主", "已脱贫", "2019", "因病"]]
    db = tmp_path / "data" / "fupin.duckdb"
    load_files([write_csv(tmp_path / "r.csv", rows, encoding="utf-8")], db=db)
    with duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True) as con:
        assert con.execute("SELECT sex FROM members WHERE household_id = 'S3'").fetchall() == [("女",)]
