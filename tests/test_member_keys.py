"""Member keys of the registry (data-spec §1.1, §5): ID number, else 人编号, else household + row order;
a key repeated in its household keeps its first row and reports the others as member_duplicate."""

from __future__ import annotations

from pathlib import Path

from etl import snapshot
from etl.load import load_files
from tests.test_load import REG_HEADER, pid, write_csv


def _row(line: int, hh: str, member_id: str, name: str, id_number: str, relation: str) -> list[str]:
    cells = {"序号": str(line), "乡（镇）": "德岭山镇", "行政村": "兴丰村", "户编号": hh, "人编号": member_id,
             "姓名": name, "证件号码": id_number, "与户主关系": relation, "人数": "4", "主要致贫原因": "因病",
             "脱贫属性": "未脱贫", "贫困户属性": "一般贫困户"}
    return [cells.get(h, "") for h in REG_HEADER]


def test_keys_order_and_repeats(tmp_path: Path) -> None:
    a, b = pid("19500101", "001"), pid("19600202", "002")
    rows = [
        REG_HEADER,
        _row(1, "H1", "", "甲", a, "户主"),             # line 2: key = ID number
        _row(2, "H1", "", "乙", "", "配偶"),             # line 3: no ID, no 人编号 -> H1#2 (2nd row of H1)
        _row(3, "H2", "", "丙", b, "户主"),             # line 4: another household between H1's rows
        _row(4, "H1", "", "丁", "", "子女"),             # line 5: -> H1#3
        _row(5, "H1", "", "甲", a, "户主"),             # line 6: repeats line 2's key
        _row(6, "H1", "M9", "戊", "1.50824E+17", "子女"),  # line 7: mangled ID -> 人编号
        _row(7, "H2", "", "丙", b, "户主"),             # line 8: repeats line 4's key
        _row(8, "H2", "", "丙", b, "户主"),             # line 9: and again
    ]
    db = tmp_path / "db" / "fupin.duckdb"
    report = load_files([write_csv(tmp_path / "reg.csv", rows)], db)
    assert report.published and report.files[0].rows_loaded == 8
    con, _ = snapshot.connect_read(db)
    try:
        keys = con.execute("SELECT household_id, member_key, source_line FROM members ORDER BY source_line").fetchall()
        assert keys == [("H1", a, 2), ("H1", "H1#2", 3), ("H2", b, 4), ("H1", "H1#3", 5), ("H1", "M9", 7)]
        dups = con.execute("SELECT line, household_id, record_key FROM data_issues WHERE rule = 'member_duplicate' "
                           "ORDER BY line").fetchall()
        assert dups == [(6, "H1", a), (8, "H2", b), (9, "H2", b)]
        sizes = con.execute("SELECT household_id, household_size, head_name FROM households ORDER BY 1").fetchall()
        assert sizes == [("H1", 4, "甲"), ("H2", 1, "丙")]
        heads = con.execute("SELECT rule, household_id FROM data_issues WHERE rule IN ('multiple_heads', 'no_head')"
                            ).fetchall()
        assert heads == []  # a repeated head row is a duplicate, not a second head
    finally:
        con.close()


def test_a_file_without_a_column_keeps_its_stored_values(tmp_path: Path) -> None:
    """Upsert (data-spec §5): a registry file of member columns only (a health update: no 脱贫属性, 主要致贫原因,
    人均纯收入, 劳动技能 …) replaces the household's member set, and the household and its members keep
    what the file does not say: the household stays registered and exited, its members keep their skills."""
    a, b = pid("19500101", "001"), pid("19550303", "002")
    full = [REG_HEADER,
            _row(1, "H1", "", "甲", a, "户主"), _row(2, "H1", "", "乙", b, "配偶")]
    for r in full[1:]:
        r[REG_HEADER.index("劳动技能")] = "普通劳动力"
        r[REG_HEADER.index("人均纯收入")] = "8000"
        r[REG_HEADER.index("收入年度")] = "2019"
    db = tmp_path / "db" / "fupin.duckdb"
    load_files([write_csv(tmp_path / "full.csv", full)], db)
    health = [["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "健康状况"],
              ["德岭山镇", "兴丰村", "H1", "甲", a, "户主", "长期慢性病"]]
    report = load_files([write_csv(tmp_path / "health.csv", health)], db)
    assert report.published and report.files[0].rows_loaded == 1
    con, _ = snapshot.connect_read(db)
    try:
        assert con.execute("SELECT household_size_declared, household_size, main_cause, exit_status, registered, "
                           "household_attribute, income_per_capita FROM households").fetchall() == [
            (4, 1, "因病", "未脱贫", True, "一般贫困户", 8000.0)]
        assert con.execute("SELECT name, health, labor_skill FROM members").fetchall() == [
            ("甲", ["长期慢性病"], "普通劳动力")]  # the member set is the file's; 乙 left
        rules = con.execute("SELECT rule FROM data_issues ORDER BY rule").fetchall()
        assert rules == [("size_mismatch",)]  # 人数 4 kept, one member row: no monitored_without_type
    finally:
        con.close()


def test_a_file_without_a_column_keeps_the_issues_of_its_cells(tmp_path: Path) -> None:
    """A cell's issue is about what the file that wrote it had (an unknown 致贫原因, a 脱贫年度 that is
    no year, an unknown 劳动技能): a later file without that column says nothing about it, so the issue
    stays, with its file and line; it does not turn into "no main cause" or "exited without a year".
    A member the later file drops takes its issues with it; rules of the file's own rows are judged
    again."""
    a, b = pid("19500101", "001"), pid("19550303", "002")
    full = [REG_HEADER, _row(1, "H1", "", "甲", a, "户主"), _row(2, "H1", "", "乙", b, "配偶")]
    for r in full[1:]:
        r[REG_HEADER.index("主要致贫原因")] = "因穷"  # not in the code list
        r[REG_HEADER.index("脱贫属性")] = "已脱贫"
        r[REG_HEADER.index("脱贫年度")] = "去年"  # not a year
        r[REG_HEADER.index("劳动技能")] = "能干"  # not in the code list
    db = tmp_path / "db" / "fupin.duckdb"
    load_files([write_csv(tmp_path / "full.csv", full)], db)

    def issues() -> list[tuple]:
        con, _ = snapshot.connect_read(db)
        try:
            return con.execute("SELECT file_name, line, record_key, field, raw_value, rule FROM data_issues "
                               "WHERE rule NOT IN ('size_mismatch') ORDER BY ALL").fetchall()
        finally:
            con.close()

    before = issues()
    assert sorted((i[3], i[5]) for i in before) == [
        ("exit_year", "invalid_year"), ("labor_skill", "unknown_code"), ("labor_skill", "unknown_code"),
        ("main_cause", "unknown_code")]
    health = [["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "健康状况"],
              ["德岭山镇", "兴丰村", "H1", "甲", a, "户主", "长期慢性病"]]
    assert load_files([write_csv(tmp_path / "health.csv", health)], db).published
    # 乙 left with the file's member set: her 劳动技能 issue went; the rest stayed as they were
    assert issues() == [i for i in before if i[2] != b]
    # a later file with the column judges the cell again
    fixed = [["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "主要致贫原因"],
             ["德岭山镇", "兴丰村", "H1", "甲", a, "户主", "因病"]]
    assert load_files([write_csv(tmp_path / "fixed.csv", fixed)], db).published
    assert sorted((i[3], i[5]) for i in issues()) == [("exit_year", "invalid_year"), ("labor_skill", "unknown_code")]


def test_an_income_without_its_year_does_not_take_the_stored_year(tmp_path: Path) -> None:
    """A 2019 export with 人均纯收入 3,300 and 收入年度 2019, then a later export with 人均纯收入 3,500 and no
    收入年度 column: the stored year was kept beside the new income, so 2019's income read 3,500 in the
    household's income history (no file said so) and the income was judged by 2019's line. An income and
    its year travel together: a file with 人均纯收入 and without 收入年度 says the year is unknown, and the
    earlier year's income stays as its file gave it (a probe of registry sequences)."""
    a = pid("19500101", "001")
    first = [REG_HEADER, _row(1, "H1", "", "甲", a, "户主")]
    first[1][REG_HEADER.index("人均纯收入")] = "3300"
    first[1][REG_HEADER.index("收入年度")] = "2019"
    db = tmp_path / "db" / "fupin.duckdb"
    load_files([write_csv(tmp_path / "2019.csv", first)], db)
    later = [["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "人均纯收入"],
             ["德岭山镇", "兴丰村", "H1", "甲", a, "户主", "3500"]]
    assert load_files([write_csv(tmp_path / "later.csv", later)], db).published
    con, _ = snapshot.connect_read(db)
    try:
        assert con.execute("SELECT income_per_capita, income_year, exit_status FROM households").fetchall() == [
            (3500.0, None, "未脱贫")]
        assert con.execute("SELECT income_year, income_per_capita FROM household_income").fetchall() == [
            (2019, 3300.0)]
    finally:
        con.close()
    # a file without either column keeps both
    health = [["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "健康状况"],
              ["德岭山镇", "兴丰村", "H1", "甲", a, "户主", "残疾"]]
    assert load_files([write_csv(tmp_path / "health.csv", health)], db).published
    con, _ = snapshot.connect_read(db)
    try:
        assert con.execute("SELECT income_per_capita, income_year FROM households").fetchall() == [(3500.0, None)]
    finally:
        con.close()


def test_members_without_an_id_keep_their_own_values_when_a_file_lists_them_in_another_order(
        tmp_path: Path) -> None:
    """Two children without ID number or 人编号 (keyed by row order), then a 健康状况 update without
    文化程度 listing them in another order: each child took the other's 文化程度 (the kept column was
    matched by row order), so the pre-school child read 小学 and the pupil 学龄前儿童. A member keyed by row
    order keeps the values of the stored member of the same name (unique in the household on both sides);
    a member the file adds keeps nothing."""
    a = pid("19800101", "001")
    first = [["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "主要致贫原因", "脱贫属性", "文化程度"],
             ["德岭山镇", "兴丰村", "H1", "张大", a, "户主", "因病", "未脱贫", "初中"],
             ["德岭山镇", "兴丰村", "H1", "张二娃", "", "子", "因病", "未脱贫", "学龄前儿童"],
             ["德岭山镇", "兴丰村", "H1", "张大娃", "", "子", "因病", "未脱贫", "小学"]]
    db = tmp_path / "db" / "fupin.duckdb"
    load_files([write_csv(tmp_path / "full.csv", first)], db)
    health = [["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "健康状况"],
              ["德岭山镇", "兴丰村", "H1", "张大", a, "户主", "长期慢性病"],
              ["德岭山镇", "兴丰村", "H1", "张大娃", "", "子", "健康"],
              ["德岭山镇", "兴丰村", "H1", "张小妹", "", "女", "健康"],
              ["德岭山镇", "兴丰村", "H1", "张二娃", "", "子", "残疾"]]
    assert load_files([write_csv(tmp_path / "health.csv", health)], db).published
    con, _ = snapshot.connect_read(db)
    try:
        assert con.execute("SELECT name, education, health FROM members ORDER BY source_line").fetchall() == [
            ("张大", "初中", ["长期慢性病"]), ("张大娃", "小学", ["健康"]), ("张小妹", None, ["健康"]),
            ("张二娃", "学龄前儿童", ["残疾"])]
    finally:
        con.close()
