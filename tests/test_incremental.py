"""Incremental loads equal a full rebuild (issue 12).

A load updates the derived tables only for the owners its files touched (etl.owners, etl.derive.update)
and the other snapshot file catches up by applying the load's changeset (etl.changeset). Hypothesis
draws sequences of loads on a small county: registry files that add, change and move households and
change their members (ID numbers shared between households, birthdays on the ages where stored facts
change), ledgers that add and upsert (interventions, visits whose dates move the as-of date, claims,
rectification items with and without a household, moved between households), a file loaded twice,
a file that cannot be read, rows that are rejected. After every load:
- the current snapshot equals a copy of itself with every derived table rebuilt whole (`python -m etl
  rebuild`'s code), table by table, every row;
- the other snapshot file, brought up to date with the changeset, equals the current one.
FUPIN_PROPERTY_EXAMPLES sets how many sequences are drawn (12 by default).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import changeset, snapshot
from etl.load import load_files
from tests.snapshots_equal import caught_up, differences, rebuilt
from tests.test_load import read

TOWNS = {"甲镇": ["一村", "二村", "新村"], "乙镇": ["三村", "四村"], "丙苏木": ["五嘎查", "六嘎查"]}
HOUSEHOLDS = [f"T{i:03d}" for i in range(12)]
AS_OF = dt.date(2020, 6, 30)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: dt.date, n: int) -> str:
    """A valid 18-character ID number (GB 11643 check digit)."""
    base = f"150824{birth:%Y%m%d}{n % 1000:03d}"
    return base + "10X98765432"[sum(int(c) * w for c, w in zip(base, WEIGHTS, strict=True)) % 11]


# birthdays a few days around the anniversaries where a stored fact changes (6, 16, 60, 65 years)
BIRTHS = [dt.date(AS_OF.year - age, 7, day) for age in (6, 16, 60, 65) for day in (1, 10)] + [
    dt.date(1980, 3, 3), dt.date(1950, 1, 1), dt.date(2010, 5, 5)]
PEOPLE = [(f"成员{i}", id_number(b, i)) for i, b in enumerate(BIRTHS)]
NAMED = ["张树林", "李秀英"]  # names the items of no household mention (masked when registered in their township)

REGISTRY_HEADER = ("乡(镇),行政村,户编号,人编号,姓名,身份证号码,与户主关系,家庭人口数,致贫原因,其他致贫原因,脱贫属性,"
                   "脱贫年份,人均纯收入,收入年度,首次识别时间,健康状况,劳动技能,在校生状况,是否参加城乡居民基本医疗保险,"
                   "是否签约家庭医生,监测对象类别,风险是否消除,危房户,是否解决安全饮用水")
HEADERS = {
    "interventions": "户编号,措施类别,措施内容,项目名称,实施年度,金额(元)",
    "visits": "户编号,走访日期,走访类型,走访人,情况记录",
    "medical_claims": "户编号,证件号码,入院日期,医疗机构,总费用,基本医保报销,大病保险报销,医疗救助,其他保障,个人自付",
    "rectifications": "问题编号,问题来源,发现日期,乡(镇),行政村,户编号,问题类别,问题描述,责任单位,责任人,整改措施,整改时限,"
                      "整改状态,完成日期",
    # data-spec §1.4 (whole small tables; their issues belong to a household or to none)
    "household_checks": "调查日期,乡(镇),行政村,户编号,户主姓名,证件号码,户类型,家庭人口,不愁吃,住房安全保障,核查结论,是否认可",
    "population_base": "年度,乡(镇),行政村,乡村户数,乡村人口",
}

places = st.sampled_from([(t, v) for t, vs in TOWNS.items() for v in vs])
dates = st.dates(dt.date(2019, 6, 1), dt.date(2020, 9, 30))
# a ledger's date written to the month is no date, kept as written (`unread_text`) and keyed by it
ledger_dates = st.one_of(dates, st.sampled_from(["2020年5月", "2020年6月"]))

member = st.fixed_dictionaries({
    "person": st.sampled_from(PEOPLE),
    "named": st.sampled_from(["", *NAMED]),  # a name of Chinese characters alone: an item may name it
    "health": st.sampled_from(["健康", "长期慢性病", "患有大病", "残疾", "长期慢性病、残疾", ""]),
    "labor": st.sampled_from(["普通劳动力", "无劳动力", "丧失劳动力", ""]),
    "school": st.sampled_from(["", "在校生", "辍学"]),
    "insured": st.sampled_from(["是", "否", ""]),
    "doctor": st.sampled_from(["是", "否"]),
})
household = st.fixed_dictionaries({
    "id": st.sampled_from(HOUSEHOLDS),
    "place": places,
    "status": st.sampled_from(["已脱贫", "未脱贫", "返贫", ""]),
    "exit_year": st.sampled_from(["2018", "2019", ""]),
    "cause": st.sampled_from(["因病", "因残", "缺技术", "缺资金", ""]),
    "other": st.sampled_from(["", "因病", "缺劳力、因残"]),
    "income": st.sampled_from(["2500", "3500", "4200", "9000", ""]),
    "income_year": st.sampled_from(["2019", "2020"]),
    "identified": st.sampled_from(["2014-10-01", "2016-05-01", "2020-03-01", "2020-08-15", ""]),  # may move the as-of date
    "monitoring": st.sampled_from(["", "边缘易致贫户", "脱贫不稳定户"]),
    "risk": st.sampled_from(["", "是", "否"]),
    "housing": st.sampled_from(["否", "是", ""]),
    "water": st.sampled_from(["是", "否"]),
    "members": st.lists(member, min_size=1, max_size=3),
    "size_declared": st.integers(1, 3),
})


def registry_text(households: list[dict], reject_one: bool) -> str:
    lines = [REGISTRY_HEADER]
    seen: set[str] = set()
    for h in households:
        if h["id"] in seen:  # one household once per file
            continue
        seen.add(h["id"])
        town, village = h["place"]
        for i, m in enumerate(h["members"]):
            name, idn = m["person"]
            name = m["named"] or name
            lines.append(",".join([
                town, village, h["id"], f"{h['id']}{i:02d}", name, idn, "户主" if i == 0 else "子女",
                str(h["size_declared"]), h["cause"], f'"{h["other"]}"', h["status"],
                h["exit_year"] if h["status"] == "已脱贫" else "", h["income"], h["income_year"], h["identified"],
                f'"{m["health"]}"', m["labor"], m["school"], m["insured"], m["doctor"], h["monitoring"], h["risk"],
                h["housing"], h["water"]]))
    if reject_one:  # a row that cannot be placed: no household number
        lines.append("甲镇,一村,,X01,无名,,户主,1,因病,,未脱贫,,3000,2020,,,,,,,,,,")
    return "\n".join(lines) + "\n"


ledger_rows = {
    "interventions": st.tuples(st.sampled_from([*HOUSEHOLDS, "UNKNOWN1"]),
                               st.sampled_from(["产业帮扶", "健康帮扶", "兜底保障", "就业帮扶", ""]),
                               st.sampled_from(["种植", "低保", ""]), st.sampled_from(["合作社甲", "", "园区乙"]),
                               st.sampled_from(["2019", "2020"]), st.sampled_from(["1000", "2500.5", "", "约500", "约800"])),
    "visits": st.tuples(st.sampled_from([*HOUSEHOLDS, "UNKNOWN2"]), ledger_dates,
                        st.sampled_from(["入户走访", "家庭医生随访", "健康体检"]), st.just("干部"), st.just("记录")),
    "medical_claims": st.tuples(st.sampled_from(HOUSEHOLDS), st.sampled_from([p[1] for p in PEOPLE]),
                                dates, st.just("医院"), st.sampled_from(["10000", "5000"]), st.just("3000"),
                                st.just("1000"), st.just("0"), st.just("0"), st.sampled_from(["1000", "6000"])),
    "rectifications": st.tuples(st.sampled_from(["R1", "R2", "R3", ""]), st.just("自查"), ledger_dates, places,
                                st.sampled_from([*HOUSEHOLDS[:4], ""]), st.sampled_from(["档案资料不规范", "其他"]),
                                st.sampled_from(["描述成员3", "描述", f"{NAMED[0]}家危房未改造", f"{NAMED[1]}户档案缺失"]), st.sampled_from(["未整改", "已整改", "整改中"]),
                                dates),
    "household_checks": st.tuples(st.sampled_from([dt.date(2020, 6, 22), dt.date(2020, 6, 23)]), places,
                                  st.sampled_from([*HOUSEHOLDS[:4], "UNKNOWN3", ""]),
                                  st.sampled_from(["户主甲", ""]), st.sampled_from(["", PEOPLE[0][1]]),
                                  st.sampled_from(["脱贫户", "未脱贫户", "一般农户", "边缘户", ""]),
                                  st.sampled_from(["2", ""]), st.sampled_from(["是", "否"]), st.sampled_from(["是", "否"]),
                                  st.sampled_from(["正常", "疑似错退", "漏评", "错评"]), st.sampled_from(["认可", "不认可", ""])),
    "population_base": st.tuples(st.sampled_from(["2019", "2020"]), places, st.sampled_from(["100", ""]),
                                 st.sampled_from(["1", "300", "x"])),
}


def ledger_text(kind: str, rows: list[tuple]) -> str:
    lines = [HEADERS[kind]]
    for r in rows:
        if kind == "rectifications":
            issue, source, found, (town, village), hh, cat, desc, status, deadline = r
            lines.append(",".join([issue, source, f"{found}", town, village if hh else "", hh, cat, desc, "单位",
                                   "责任人", "措施", f"{deadline}", status, ""]))
        elif kind in ("household_checks", "population_base"):
            lines.append(",".join(str(x) for x in (*r[:1], *r[1], *r[2:])))
        else:
            lines.append(",".join(str(x) for x in r))
    return "\n".join(lines) + "\n"


step = st.one_of(
    st.tuples(st.just("registry"), st.lists(household, min_size=1, max_size=4), st.booleans()),
    *[st.tuples(st.just(kind), st.lists(rows, min_size=1, max_size=5), st.just(False))
      for kind, rows in ledger_rows.items()],
    st.tuples(st.just("again"), st.integers(0, 10), st.just(False)),
    st.tuples(st.just("unreadable"), st.just([]), st.just(False)),
)


def check(db: Path, work: Path) -> None:
    """The current snapshot equals its full rebuild, and the other file caught up equals it."""
    cur = snapshot.current_snapshot(db)
    assert cur is not None
    assert differences(cur, rebuilt(cur, work / "rebuilt.duckdb")) == {}
    assert differences(*caught_up(db, work / "other.duckdb")) == {}


@settings(max_examples=int(os.environ.get("FUPIN_PROPERTY_EXAMPLES", "12")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(first=st.lists(household, min_size=3, max_size=8), steps=st.lists(step, min_size=2, max_size=5))
def test_incremental_loads_equal_a_full_rebuild(tmp_path_factory, first, steps) -> None:
    root = tmp_path_factory.mktemp("inc")
    db, files, work = root / "db" / "fupin.duckdb", root / "files", root / "work"
    files.mkdir()
    work.mkdir()
    start = files / "start.csv"
    start.write_text(registry_text(first, False), encoding="utf-8")
    assert load_files([start], db=db, fresh=True).exit_code == 0
    written = [start]
    check(db, work)
    for i, (kind, content, flag) in enumerate(steps):
        if kind == "again":
            path = written[content % len(written)]
        elif kind == "unreadable":
            path = files / f"bad{i}.csv"
            path.write_text("这不是,导出表\n1,2\n", encoding="utf-8")
        else:
            path = files / f"{i}_{kind}.csv"
            text = registry_text(content, flag) if kind == "registry" else ledger_text(kind, content)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        report = load_files([path], db=db)
        assert report.exit_code == (1 if kind == "unreadable" else 0), report.to_json()
        check(db, work)


def _county(root: Path, households: int = 60, births: dict[int, dt.date] | None = None,
            health: dict[int, str] | None = None) -> Path:
    """A fresh county of `households` households in three townships (one member each; household i's
    member born on `births[i]` and of health `health[i]` when given)."""
    db = root / "db" / "fupin.duckdb"
    path = root / "county.csv"
    towns = [(t, v) for t, vs in TOWNS.items() for v in vs]
    rows = [REGISTRY_HEADER]
    for i in range(households):
        town, village = towns[i % len(towns)]
        name, idn = PEOPLE[i % len(PEOPLE)] if births is None else ("成员", id_number(births[i], i))
        rows.append(f"{town},{village},H{i:04d},H{i:04d}01,{name}{i},{idn},户主,1,因病,,未脱贫,,3000,2019,"
                    f"{'2020-03-01' if i == 0 else '2014-10-01'},{(health or {}).get(i, '健康')},普通劳动力,,是,是,,,否,是")  # as of 2020-03-01
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert load_files([path], db=db, fresh=True).exit_code == 0
    return db


def test_an_item_whose_later_line_names_another_household_leaves_no_key_behind(tmp_path: Path) -> None:
    """问题编号 R2 twice: first for a household the registry does not know, then (the later line, which
    wins) for none. The first line's household got a key before the dedupe; a key with no row stayed in
    the current file, and the changeset did not carry it, so the other file differed (found by the
    property test)."""
    db = _county(tmp_path, 6)
    rect = tmp_path / "rect.csv"
    rect.write_text(HEADERS["rectifications"] + "\n"
                    "R2,自查,2019-09-27,温更镇,巴音村,T000,其他,描述,单位,责任人,措施,2020-05-07,整改中,\n"
                    "R2,自查,2019-12-18,温更镇,,,其他,描述,单位,责任人,措施,2019-12-16,整改中,\n", encoding="utf-8")
    assert load_files([rect], db=db).exit_code == 0
    cur = snapshot.current_snapshot(db)
    con = duckdb.connect(str(cur), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM household_keys WHERE household_id = 'T000'").fetchall() == [(0,)]
        assert con.execute("SELECT household_id FROM rectifications WHERE issue_id = 'R2'").fetchall() == [(None,)]
    finally:
        con.close()
    work = tmp_path / "work"
    work.mkdir()
    check(db, work)


def _masked(db: Path) -> dict[str, str]:
    return dict(read(db, "SELECT issue_id, description_masked FROM list_rectification WHERE hk IS NULL"))


def test_an_item_of_a_township_is_masked_again_when_the_registry_adds_or_drops_the_person_it_names(
        tmp_path: Path) -> None:
    """An item of no household names its township's registered people masked (张*林). A registry that
    registers 张树林 in 甲镇 later masked the name only after a full rebuild: a load re-masked the items of
    no household only when it loaded items. Now a registry load touches the items its people may be
    named in (a name of theirs in the text, or a mask already there), and only those: one new item
    rewrites one item of no household, not every one."""
    db = _county(tmp_path)
    rect = tmp_path / "rect.csv"
    rect.write_text(HEADERS["rectifications"] + "\n"
                    "R1,自查,2020-01-05,甲镇,,,其他,张树林家危房未改造,单位,责任人,措施,2020-05-07,整改中,\n"
                    "R2,自查,2020-01-05,乙镇,,,其他,张树林家危房未改造,单位,责任人,措施,2020-05-07,整改中,\n"
                    "R3,自查,2020-01-05,甲镇,,,其他,档案缺失,单位,责任人,措施,2020-05-07,整改中,\n",
                    encoding="utf-8")
    assert load_files([rect], db=db).exit_code == 0
    assert _masked(db) == {"R1": "张树林家危房未改造", "R2": "张树林家危房未改造", "R3": "档案缺失"}
    registry = tmp_path / "reg.csv"
    registry.write_text(REGISTRY_HEADER + "\n甲镇,一村,H0000,H000001,张树林," + id_number(dt.date(1960, 1, 1), 1)
                        + ",户主,1,因病,,未脱贫,,3000,2019,2020-03-01,健康,普通劳动力,,是,是,,,否,是\n",
                        encoding="utf-8")
    assert load_files([registry], db=db).exit_code == 0
    assert _masked(db) == {"R1": "张*林家危房未改造", "R2": "张树林家危房未改造", "R3": "档案缺失"}
    assert _changeset_rows(db)["list_rectification"] == 1  # R1 alone (H0000 has no item)
    work = tmp_path / "work"
    work.mkdir()
    check(db, work)
    # 张树林 leaves the registry's 甲镇 (H0000 moves to 乙镇): R1 is plain again, R2 masked
    registry.write_text(registry.read_text(encoding="utf-8").replace("甲镇,一村", "乙镇,三村"), encoding="utf-8")
    assert load_files([registry], db=db).exit_code == 0
    assert _masked(db) == {"R1": "张树林家危房未改造", "R2": "张*林家危房未改造", "R3": "档案缺失"}
    check(db, work)
    # one new item of no household rewrites that item, not the others
    rect.write_text(HEADERS["rectifications"] + "\n"
                    "R4,自查,2020-01-06,甲镇,,,其他,手册未更新,单位,责任人,措施,2020-05-07,整改中,\n", encoding="utf-8")
    assert load_files([rect], db=db).exit_code == 0
    assert _changeset_rows(db)["list_rectification"] == 1
    check(db, work)


def test_a_small_load_changes_only_what_its_file_touched(tmp_path: Path) -> None:
    """One visit of one household (before the as-of date, which stays): the load writes that household's
    rows (and the cells and village it is in), not the county's; the changeset for the other file says
    so."""
    db = _county(tmp_path)
    visit = tmp_path / "v.csv"
    visit.write_text(HEADERS["visits"] + "\nH0007,2019-03-01,入户走访,干部,记录\n", encoding="utf-8")
    assert load_files([visit], db=db).exit_code == 0
    cur = snapshot.current_snapshot(db)
    cs = duckdb.connect(str(snapshot.changes_dir(db) / f"c{snapshot.generation(cur):08d}.duckdb"), read_only=True)
    try:
        rows = dict(cs.execute("SELECT table_name, estimated_size FROM duckdb_tables() "
                               "WHERE table_name LIKE 'rows__%'").fetchall())
        assert cs.execute("SELECT list(hk) FROM t_hk").fetchall()[0][0] == [8]  # H0007's key
    finally:
        cs.close()
    assert rows["rows__visits"] == 1 and rows["rows__hh_facts"] == 1 and rows["rows__list_visit"] == 1
    assert "rows__households" not in rows and "rows__members" not in rows  # base tables it did not write
    assert rows["rows__agg_household"] == 1  # its one cell
    assert rows.get("rows__list_sample_draw", 0) <= 9  # its village's sample (H0007 is in it), no other
    assert rows["rows__load_batches"] == 1
    assert sum(rows.values()) < 40
    assert differences(cur, rebuilt(cur, tmp_path / "r.duckdb")) == {}


def _changeset_rows(db: Path) -> dict[str, int]:
    """Rows per table in the changeset of the current generation (what the last load wrote)."""
    cur = snapshot.current_snapshot(db)
    cs = duckdb.connect(str(snapshot.changes_dir(db) / f"c{snapshot.generation(cur):08d}.duckdb"), read_only=True)
    try:
        tables = [r[0] for r in cs.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'rows__%'").fetchall()]
        return {t.removeprefix("rows__"): int(cs.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for t in tables}  # noqa: S608
    finally:
        cs.close()


def test_a_visits_file_leaves_the_tables_visits_cannot_change_alone(tmp_path: Path) -> None:
    """Measures, content hashes, project lists and income bands do not depend on visits
    (etl.owners.READS): a visits file rewrites none of them for the households it touches, and ships none
    in its changeset; a measures file still does. Both equal a full rebuild."""
    db = _county(tmp_path)
    measures = tmp_path / "m.csv"
    measures.write_text(HEADERS["interventions"] + "\nH0007,产业帮扶,种植,合作社甲,2019,1000\n"
                        "H0008,健康帮扶,低保,园区乙,2019,2500\n", encoding="utf-8")
    assert load_files([measures], db=db).exit_code == 0
    written = _changeset_rows(db)
    assert written["agg_measure"] >= 2 and written["list_project_household"] == 2  # a measures file writes them
    visit = tmp_path / "v.csv"
    visit.write_text(HEADERS["visits"] + "\nH0007,2019-03-01,入户走访,干部,记录\nH0008,2019-03-02,家庭医生随访,医生,随访\n",
                     encoding="utf-8")
    assert load_files([visit], db=db).exit_code == 0
    written = _changeset_rows(db)
    assert written["visits"] == 2 and written["hh_facts"] == 2 and written["list_visit"] == 2
    left_alone = {"agg_measure", "agg_category", "agg_project", "agg_project_category", "agg_member_value",
                  "hh_content", "list_project_household", "agg_income_band", "agg_income_ratio", "list_claim"}
    assert not left_alone & set(written), sorted(left_alone & set(written))
    cur = snapshot.current_snapshot(db)
    assert differences(cur, rebuilt(cur, tmp_path / "r.duckdb")) == {}
    assert differences(*caught_up(db, tmp_path / "other.duckdb")) == {}


def test_a_visit_that_moves_the_as_of_date_rewrites_those_who_turned_65(tmp_path: Path) -> None:
    """A visit dated after the as-of date moves it past two one-person households' 65th birthdays: the
    load writes the visited household, and the two (the age pass, which reads its rows from one copy
    shared with the load's own pass) in the tables of age facts only; equal to a full rebuild."""
    births = {i: dt.date(1955, 7, 1) if i in (3, 4) else dt.date(1980, 3, 3) for i in range(40)}
    db = _county(tmp_path, 40, births)  # as of 2020-03-01
    visit = tmp_path / "v.csv"
    visit.write_text(HEADERS["visits"] + "\nH0007,2020-07-05,入户走访,干部,记录\n", encoding="utf-8")
    assert load_files([visit], db=db).exit_code == 0
    cur = snapshot.current_snapshot(db)
    cs = duckdb.connect(str(snapshot.changes_dir(db) / f"c{snapshot.generation(cur):08d}.duckdb"), read_only=True)
    try:
        assert cs.execute("SELECT list(hk ORDER BY hk) FROM t_hk_aged").fetchall()[0][0] == [4, 5]  # H0003, H0004
        assert cs.execute("SELECT list(hk) FROM t_hk").fetchall()[0][0] == [8]  # H0007
        assert cs.execute("SELECT count(*) FROM rows__hh_facts").fetchall()[0][0] == 3
    finally:
        cs.close()
    con = duckdb.connect(str(cur), read_only=True)
    try:
        alone = con.execute("SELECT list(household_id ORDER BY household_id) FROM hh_facts WHERE elderly_alone")
        assert alone.fetchall()[0][0] == ["H0003", "H0004"]
    finally:
        con.close()
    (tmp_path / "w").mkdir()
    check(db, tmp_path / "w")


def test_a_visits_file_reads_neither_the_registry_nor_the_measures_of_its_households(
        tmp_path: Path, monkeypatch) -> None:
    """A visits file changes its households' visit facts and issue counts, and by moving the as-of date
    their members' ages; nothing of their place, codes, income, measures or items. Its load takes the rest
    of their hh_facts and ill-member rows as stored (etl.owners.PATCH_BASE): it copies neither the
    households, measures, incomes nor items of the households it rewrites, nor their members' names, ID
    numbers or other texts (at 10M households those scattered copies were ~1 s of a 1,000-visit load). Equal to a
    full rebuild, with an ill member visited and two people turning 65."""
    births = {i: dt.date(1955, 7, 1) if i in (3, 4) else dt.date(1980, 3, 3) for i in range(40)}
    db = _county(tmp_path, 40, births, {7: "长期慢性病", 8: "患有大病"})  # as of 2020-03-01
    statements: list[str] = []
    connect = snapshot._connect_writer

    class Recorder:
        """The writer's connection, every statement it runs written down."""

        def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
            self._con = con

        def __getattr__(self, name: str) -> object:
            return getattr(self._con, name)

        def execute(self, sql: str, *args: object) -> object:
            statements.append(" ".join(str(sql).split()))
            result = self._con.execute(sql, *args)
            return self if result is self._con else result

    monkeypatch.setattr(snapshot, "_connect_writer", lambda *a, **k: Recorder(connect(*a, **k)))
    visit = tmp_path / "v.csv"
    visit.write_text(HEADERS["visits"] + "\nH0007,2020-07-05,家庭医生随访,医生,随访\nH0008,2020-06-01,入户走访,干部,记录\n",
                     encoding="utf-8")
    assert load_files([visit], db=db).exit_code == 0
    copies = [s for s in statements if s.startswith("CREATE OR REPLACE TABLE stage._src") or "stage._both_" in s.split(" AS ")[0]]
    assert copies and not [s for s in copies if re.search(r"_(src|both)_(households|interventions|household_income|rectifications) AS", s)]
    members = [s for s in copies if re.search(r"_(src|both)_members AS .* FROM members ", s)]  # read from the table
    assert members and not [s for s in members if re.search(r"\*|\bname\b|id_number", s.split(" FROM ")[0])], members
    assert read(db, "SELECT last_follow_up_date, name FROM list_ill_member WHERE household_id = 'H0007'") \
        == [(dt.date(2020, 7, 5), "成员7")]
    assert read(db, "SELECT list(household_id ORDER BY household_id) FROM hh_facts WHERE elderly_alone") \
        == [(["H0003", "H0004"],)]
    (tmp_path / "w").mkdir()
    check(db, tmp_path / "w")


def test_a_visit_that_moves_the_as_of_date_rewrites_only_the_school_check_of_children_who_turned_6_or_16(
        tmp_path: Path) -> None:
    """The as-of date moves past a 6th and a 16th birthday of children without a school status: their
    households' school check rows of the defect list are written again (one starts to fail, one stops),
    and nothing else of theirs (their hh_facts rows are not in the changeset); equal to a full rebuild,
    and the other snapshot file caught up equals it too."""
    births = {i: {3: dt.date(1955, 7, 1), 5: dt.date(2014, 5, 1), 6: dt.date(2004, 5, 1)}.get(i, dt.date(1980, 3, 3))
              for i in range(40)}
    db = _county(tmp_path, 40, births)  # as of 2020-03-01

    def school_defects() -> list[str]:
        con = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)
        try:
            return con.execute("SELECT list(household_id || ' ' || raw_value ORDER BY household_id) FROM list_defect "
                               "WHERE rule = 'school'").fetchall()[0][0]
        finally:
            con.close()

    assert school_defects() == ["H0006 0/1"]  # aged 15
    visit = tmp_path / "v.csv"
    visit.write_text(HEADERS["visits"] + "\nH0007,2020-07-05,入户走访,干部,记录\n", encoding="utf-8")
    assert load_files([visit], db=db).exit_code == 0
    assert school_defects() == ["H0005 0/1"]  # 6 now; H0006 is 16
    cur = snapshot.current_snapshot(db)
    cs = duckdb.connect(str(snapshot.changes_dir(db) / f"c{snapshot.generation(cur):08d}.duckdb"), read_only=True)
    try:
        assert cs.execute("SELECT list(hk ORDER BY hk) FROM t_hk_school").fetchall()[0][0] == [6, 7]  # H0005, H0006
        assert cs.execute("SELECT list(hk ORDER BY hk) FROM t_hk_aged").fetchall()[0][0] == [4]  # H0003, 65
        assert cs.execute("SELECT list(hk ORDER BY hk) FROM rows__hh_facts").fetchall()[0][0] == [4, 8]
        assert cs.execute("SELECT list(DISTINCT hk ORDER BY hk) FROM rows__list_defect "
                          "WHERE hk <> 8").fetchall()[0][0] == [6]  # H0005's new row; H0006's is gone
    finally:
        cs.close()
    (tmp_path / "w").mkdir()
    check(db, tmp_path / "w")


def _touched_and_files(db: Path, sql: str) -> tuple[list[str], dict[str, str]]:
    """The household numbers the last load touched (its changeset), and `sql`'s (key, file name) pairs."""
    cur = snapshot.current_snapshot(db)
    cs = duckdb.connect(str(snapshot.changes_dir(db) / f"c{snapshot.generation(cur):08d}.duckdb"), read_only=True)
    try:
        hks = [hk for (hk,) in cs.execute("SELECT hk FROM t_hk").fetchall()]
    finally:
        cs.close()
    con = duckdb.connect(str(cur), read_only=True)
    try:
        ids = dict(con.execute("SELECT hk, household_id FROM household_keys").fetchall())
        return sorted(ids[hk] for hk in hks), dict(con.execute(sql).fetchall())
    finally:
        con.close()


def test_a_ledger_exported_again_touches_only_the_rows_that_changed(tmp_path: Path) -> None:
    """A rectification ledger exported again with one item's status changed and one new item: the
    load touches the changed item's household alone; the items sent again unchanged keep the file that
    delivered them; one with a data issue is written again, so its issue names the latest file."""
    db = _county(tmp_path)

    def ledger(name: str, status: str, extra: str = "") -> Path:
        # each item where the registry places its household (elsewhere it has an issue: rect_place_mismatch)
        place = {1: "甲镇,二村", 2: "甲镇,新村", 3: "乙镇,三村"}
        rows = [f"R{i},自查,2020-01-0{i},{place[i]},H000{i},其他,描述,单位,责任人,措施,2020-06-30,"
                f"{status if i == 2 else '未整改'}," for i in (1, 2, 3)]
        rows.append("R4,自查,2020-01-04,乙镇,四村,H0004,其他,描述,单位,责任人,措施,不详,未整改,")  # bad deadline
        path = tmp_path / name
        path.write_text("\n".join([HEADERS["rectifications"], *rows, *([extra] if extra else [])]) + "\n",
                        encoding="utf-8")
        return path

    assert load_files([ledger("r1.csv", "未整改")], db=db).exit_code == 0
    report = load_files([ledger("r2.csv", "已整改", "R5,自查,2020-01-05,甲镇,,,其他,新问题,单位,责任人,措施,"
                                                    "2020-06-30,未整改,")], db=db)
    assert report.exit_code == 0 and report.files[0].rows_loaded == 5
    touched, files = _touched_and_files(db, "SELECT r.issue_id, b.file_name FROM rectifications r "
                                            "JOIN load_batches b USING (batch_id)")
    _, issue_files = _touched_and_files(db, "SELECT DISTINCT d.file_name, 1 FROM data_issues d "
                                            "WHERE table_name = 'rectifications'")
    assert touched == ["H0002", "H0004"]  # the changed item's, the one with an issue
    assert files == {"R1": "r1.csv", "R2": "r2.csv", "R3": "r1.csv", "R4": "r2.csv", "R5": "r2.csv"}
    assert list(issue_files) == ["r2.csv"]
    (tmp_path / "w").mkdir()
    check(db, tmp_path / "w")


def test_a_registry_exported_again_touches_only_the_households_that_changed(tmp_path: Path) -> None:
    """A village's registry exported again with one income changed and one ID number now used twice:
    the households whose rows do not change are left as stored (with the file that wrote them) and not
    touched; the changed one is written, and so is each household the new file raises an issue for."""
    db = _county(tmp_path)  # 60 other households (the load rebuilds whole when it touches a third)
    ids = {i: id_number(dt.date(1970, 1, i), 100 + i) for i in range(1, 7)}

    def registry(name: str, changes: dict[int, tuple[str, str]], end: str = "\n") -> Path:
        rows = [REGISTRY_HEADER]
        for i in range(1, 7):
            idn, income = changes.get(i, (ids[i], "3000"))
            rows.append(f"甲镇,一村,V{i:04d},V{i:04d}01,户主{i},{idn},户主,1,因病,,未脱贫,,{income},2019,"
                        "2014-10-01,健康,普通劳动力,,是,是,,,否,是")
        path = tmp_path / name
        path.write_bytes((end.join(rows) + end).encode("utf-8"))
        return path

    assert load_files([registry("r1.csv", {})], db=db).exit_code == 0
    assert load_files([registry("r1-again.csv", {}, "\r\n")], db=db).exit_code == 0  # same rows, other bytes
    members = ("SELECT m.household_id, b.file_name FROM members m JOIN load_batches b USING (batch_id) "
               "WHERE m.household_id LIKE 'V%'")
    touched, files = _touched_and_files(db, members)
    assert touched == [] and set(files.values()) == {"r1.csv"}
    assert load_files([registry("r2.csv", {3: (ids[3], "3500"), 5: (ids[1], "3000")})], db=db).exit_code == 0
    touched, files = _touched_and_files(db, members)
    assert touched == ["V0001", "V0003", "V0005"]  # V0001: its ID is now also V0005's (an issue)
    assert files == {"V0001": "r2.csv", "V0002": "r1.csv", "V0003": "r2.csv", "V0004": "r1.csv",
                     "V0005": "r2.csv", "V0006": "r1.csv"}
    _, issues = _touched_and_files(db, "SELECT household_id, line FROM data_issues "
                                       "WHERE rule = 'id_duplicate' AND household_id LIKE 'V%'")
    assert issues == {"V0001": 2, "V0005": 6}
    (tmp_path / "w").mkdir()
    check(db, tmp_path / "w")


def test_the_registry_comparison_reads_the_stored_content_hashes(tmp_path: Path) -> None:
    """The stored side of the comparison is `hh_content` (etl.content_hash), not the rows: a household
    whose stored hash is off is written again although its rows are equal, the others are not; and
    the load puts the right hash back (equal to a full rebuild)."""
    db = _county(tmp_path)
    path = tmp_path / "r.csv"
    rows = [REGISTRY_HEADER] + [
        f"甲镇,一村,W{i:04d},W{i:04d}01,户主{i},{id_number(dt.date(1971, 2, i), 200 + i)},户主,1,因病,,未脱贫,,"
        "3000,2019,2014-10-01,健康,普通劳动力,,是,是,,,否,是" for i in range(1, 4)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert load_files([path], db=db).exit_code == 0
    cur = snapshot.current_snapshot(db)
    con = duckdb.connect(str(cur), read_only=True)
    try:
        hk = con.execute("SELECT hk FROM household_keys WHERE household_id = 'W0002'").fetchall()[0][0]
    finally:
        con.close()
    # both files and the changeset the other one catches up from (the next load writes that one)
    changes = snapshot.changes_dir(db) / f"c{snapshot.generation(cur):08d}.duckdb"
    for file, table in [(f, "hh_content") for f in snapshot.snapshots_dir(db).glob("g*.duckdb")] + \
            [(changes, "rows__hh_content")]:
        con = duckdb.connect(str(file))
        try:
            con.execute(f"UPDATE {table} SET h = h + 1 WHERE tb = 'members' AND hk = ?", [hk])
        finally:
            con.close()
    again = tmp_path / "r-again.csv"  # the same rows in other bytes (the same file again is another case)
    again.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    assert load_files([again], db=db).exit_code == 0
    touched, _ = _touched_and_files(db, "SELECT 1, 1")
    assert touched == ["W0002"]
    (tmp_path / "w").mkdir()
    check(db, tmp_path / "w")


def test_a_changeset_that_cannot_be_replayed_costs_a_copy_not_the_load(tmp_path: Path) -> None:
    """The next load catches the other snapshot file up by replaying the last changeset; when that
    fails (here the changeset is unreadable), the load goes on from a copy of the current file and
    publishes what it was given, equal to a full rebuild."""
    db = _county(tmp_path)
    first = tmp_path / "r1.csv"
    first.write_text(REGISTRY_HEADER + "\n甲镇,一村,X0001,X000101,户主甲,"
                     f"{id_number(dt.date(1972, 3, 4), 301)},户主,1,因病,,未脱贫,,3000,2019,2014-10-01,"
                     "健康,普通劳动力,,是,是,,,否,是\n", encoding="utf-8")
    assert load_files([first], db=db).exit_code == 0
    cur = snapshot.current_snapshot(db)
    (snapshot.changes_dir(db) / f"c{snapshot.generation(cur):08d}.duckdb").write_bytes(b"not a database" * 100)
    second = tmp_path / "r2.csv"
    second.write_text(first.read_text(encoding="utf-8").replace(",3000,", ",3600,"), encoding="utf-8")
    report = load_files([second], db=db)
    assert report.exit_code == 0
    con = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)
    try:
        assert con.execute("SELECT income_per_capita FROM households WHERE household_id = 'X0001'"
                           ).fetchall() == [(3600,)]
    finally:
        con.close()
    (tmp_path / "w").mkdir()
    check(db, tmp_path / "w")


def test_a_changeset_of_an_older_layout_is_not_replayed(tmp_path: Path) -> None:
    """A changeset whose layout number is not this loader's (one written before the school check had its
    own pass says none) is not replayed on the other snapshot file: the next load goes on from a copy of
    the current one. Here its rows also hold a duplicate hh_facts row, which a replay would publish."""
    db = _county(tmp_path)
    first = tmp_path / "v1.csv"
    first.write_text(HEADERS["visits"] + "\nH0007,2019-03-01,入户走访,干部,记录\n", encoding="utf-8")
    assert load_files([first], db=db).exit_code == 0
    cur = snapshot.current_snapshot(db)
    cs = duckdb.connect(str(snapshot.changes_dir(db) / f"c{snapshot.generation(cur):08d}.duckdb"))
    try:
        meta = json.loads(cs.execute("SELECT doc FROM cs_meta").fetchall()[0][0])
        assert meta.pop("format") == changeset.FORMAT
        cs.execute("UPDATE cs_meta SET doc = ?", [json.dumps(meta)])
        cs.execute("INSERT INTO rows__hh_facts SELECT * FROM rows__hh_facts")
    finally:
        cs.close()
    second = tmp_path / "v2.csv"
    second.write_text(HEADERS["visits"] + "\nH0008,2019-03-02,入户走访,干部,记录\n", encoding="utf-8")
    assert load_files([second], db=db).exit_code == 0
    con = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)
    try:
        assert con.execute("SELECT count(*) - count(DISTINCT hk) FROM hh_facts").fetchall()[0][0] == 0
    finally:
        con.close()
    (tmp_path / "w").mkdir()
    check(db, tmp_path / "w")


def _changeset_meta(db: Path) -> dict:
    cur = snapshot.current_snapshot(db)
    cs = duckdb.connect(str(snapshot.changes_dir(db) / f"c{snapshot.generation(cur):08d}.duckdb"), read_only=True)
    try:
        return json.loads(cs.execute("SELECT doc FROM cs_meta").fetchall()[0][0])
    finally:
        cs.close()


def test_small_loads_update_the_summary_cells_by_difference(tmp_path: Path) -> None:
    """A ledger load, and a registry load that moves a household to another cell and changes its member,
    update the summary cells by difference (the touched households before and after the load, read
    from the snapshot the load started from), not by reading every household of their cells; the
    result equals a full rebuild."""
    db = _county(tmp_path)
    iv = tmp_path / "iv.csv"
    iv.write_text(HEADERS["interventions"] + "\nH0003,产业帮扶,种植补贴,养殖项目,2020,1500\n",
                  encoding="utf-8")
    assert load_files([iv], db=db).exit_code == 0
    assert _changeset_meta(db)["by_difference"]
    cur = snapshot.current_snapshot(db)
    assert differences(cur, rebuilt(cur, tmp_path / "r1.duckdb")) == {}
    moved = tmp_path / "moved.csv"  # H0003 leaves 因病 for 因残 and 甲镇一村 for 乙镇三村: two cells change
    moved.write_text(REGISTRY_HEADER + "\n乙镇,三村,H0003,H000301,新名,,户主,1,因残,,已脱贫,2020,6000,2020,"
                     "2014-10-01,残疾,普通劳动力,,是,是,,,否,是\n", encoding="utf-8")
    assert load_files([moved], db=db).exit_code == 0
    assert _changeset_meta(db)["by_difference"]
    cur = snapshot.current_snapshot(db)
    assert differences(cur, rebuilt(cur, tmp_path / "r2.duckdb")) == {}


def test_lists_keep_their_order_after_a_load_appends(tmp_path: Path) -> None:
    """A load appends the households it rewrites, so hh_facts is no longer in place order: the household
    list (page and extract SQL) sorts again, until a full rebuild stores it in order once more."""
    from etl.load import rebuild
    from queries import households
    from queries.filters import Filters, Viewer
    from queries.paging import stored_sorted

    db = _county(tmp_path)
    add = tmp_path / "add.csv"
    add.write_text(REGISTRY_HEADER + "\n甲镇,一村,H0000A,H0000A01,新户,,户主,1,因残,,未脱贫,,2000,2020,"
                   "2020-03-01,健康,普通劳动力,,是,是,,,否,是\n", encoding="utf-8")
    assert load_files([add], db=db).exit_code == 0
    con, _ = snapshot.connect_read(db)
    try:
        query = households.listing_query(Filters(), Viewer())
        assert not stored_sorted(con, "hh_facts")
        assert "ORDER BY" in query.ordered(stored_sorted(con, "hh_facts"))
        page = households.listing(con, Filters(), Viewer(), limit=None)
        places = list(zip(page["township"], page["village"], page["household_id"], strict=True))
        assert places == sorted(places) and ("甲镇", "一村", "H0000A") in places
        ids = page["household_id"].tolist()
        assert ids.index("H0000A") == ids.index("H0000") + 1 == ids.index("H0007") - 1
        n = ids.index("H0000A") + 2  # a page with the appended household inside it (the paged SQL path)
        first = households.listing(con, Filters(), Viewer(), limit=n)
        assert first["household_id"].tolist() == ids[:n] and int(first["total"].iloc[0]) == len(ids)
    finally:
        con.close()
    rebuild(db)
    con, _ = snapshot.connect_read(db)
    try:
        assert stored_sorted(con, "hh_facts")
        plain = con.execute(households.listing_query(Filters(), Viewer()).ordered(True)).df()
        assert plain["household_id"].tolist() == page["household_id"].tolist()  # stored order = place order
    finally:
        con.close()


def test_a_small_load_that_runs_out_of_its_memory_cap_is_loaded_again_at_full_memory(
        tmp_path: Path, monkeypatch) -> None:
    """A small load runs under a memory cap (etl.load.SMALL_LOAD_MEMORY). At 10M households a visits
    file once ran out of 512MB (the school check of ~10k households); the load then failed with a
    traceback. Now it is loaded again, whole, at the loader's full memory: published, and equal to a
    full rebuild."""
    import etl.load

    db = _county(tmp_path)
    monkeypatch.setattr(etl.load, "SMALL_LOAD_MEMORY", "1MB")  # too little for any load
    visit = tmp_path / "v.csv"
    visit.write_text(HEADERS["visits"] + "\nH0007,2020-03-05,入户走访,干部,记录\n", encoding="utf-8")
    report = load_files([visit], db=db)
    assert report.exit_code == 0 and report.published and report.retried, report.to_json()
    con = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM visits WHERE household_id = 'H0007'").fetchall() == [(1,)]
    finally:
        con.close()
    (tmp_path / "w").mkdir()
    check(db, tmp_path / "w")


def test_a_load_that_runs_out_of_memory_says_so_and_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    """Out of memory at the full limit too: the user reads why in Chinese (and how to raise the limit),
    the current snapshot stays as it was, and the next load with enough memory goes through."""
    import etl.load

    db = _county(tmp_path)
    before = snapshot.current_snapshot(db)
    monkeypatch.setattr(etl.load, "SMALL_LOAD_MEMORY", "1MB")
    monkeypatch.setenv("FUPIN_ETL_MEMORY", "1MB")
    visit = tmp_path / "v.csv"
    visit.write_text(HEADERS["visits"] + "\nH0007,2020-03-05,入户走访,干部,记录\n", encoding="utf-8")
    report = load_files([visit], db=db)
    assert report.exit_code == 1 and not report.published
    assert report.error is not None and "内存不足" in report.error and "FUPIN_ETL_MEMORY" in report.error
    assert report.summary_lines() == ([], [report.error])  # no file line that reads as if it loaded
    assert snapshot.current_snapshot(db) == before
    assert differences(before, rebuilt(before, tmp_path / "r.duckdb")) == {}  # the last good one, whole
    monkeypatch.undo()
    assert load_files([visit], db=db).published  # from a copy: the failed attempt's file was dropped
    (tmp_path / "w").mkdir()
    check(db, tmp_path / "w")


def test_a_load_that_must_copy_finds_only_the_file_it_copies(tmp_path: Path, monkeypatch) -> None:
    """At 33M households a snapshot file is 27 GB. When the other file cannot catch up (here a viewer
    held it as the last load published, and then its changeset went), the load copies the current file
    to write into. That copy used to run beside the stale files (up to four snapshot files at once
    with the copy after publishing: the disk filled at national scale); now it finds only its source.
    And after publishing, the load no longer copies its file again as the next load's other file: it
    replays its changeset on the file it replaced."""

    import etl.snapshot

    db = _county(tmp_path)
    first = tmp_path / "v1.csv"
    first.write_text(HEADERS["visits"] + "\nH0003,2019-03-01,入户走访,干部,记录\n", encoding="utf-8")
    monkeypatch.setattr(etl.snapshot, "SPARE_WAIT", 0.2)
    viewer = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)  # so the file stays behind
    try:
        assert load_files([first], db=db).published
    finally:
        viewer.close()
    cur = snapshot.current_snapshot(db)
    (snapshot.changes_dir(db) / f"c{snapshot.generation(cur):08d}.duckdb").unlink()
    seen: list[list[str]] = []
    real = shutil.copyfile

    def copyfile(src, dst, *args, **kwargs):  # the real copy, after noting which snapshot files exist
        seen.append(sorted(p.name for p in snapshot.snapshots_dir(db).glob("g*.duckdb")))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(etl.snapshot.shutil, "copyfile", copyfile)
    second = tmp_path / "v2.csv"
    second.write_text(HEADERS["visits"] + "\nH0004,2019-03-02,入户走访,干部,记录\n", encoding="utf-8")
    assert load_files([second], db=db).published
    assert len(seen) == 1 and len(seen[0]) == 1, seen  # one copy, beside no other snapshot file
    (tmp_path / "w").mkdir()
    check(db, tmp_path / "w")


def test_a_load_makes_the_file_it_replaced_ready_after_publishing(tmp_path: Path, monkeypatch) -> None:
    """The catch-up of the other file runs after the publish, not at the start of the next load: the
    upload's wait ends when the pages show the new data. The next load then replays nothing, and the
    other file equals the current one."""
    db = _county(tmp_path)
    ticks: list[str] = []
    visit = tmp_path / "v1.csv"
    visit.write_text(HEADERS["visits"] + "\nH0003,2019-03-01,入户走访,干部,记录\n", encoding="utf-8")
    report = load_files([visit], db=db, lang="en", progress=lambda _f, text: ticks.append(text))
    assert report.published and report.published_seconds is not None
    assert ticks[-2:] == ["Loaded: every page shows the new data; getting ready for the next load", "Done"]
    cur = snapshot.current_snapshot(db)
    others = [p for p in snapshot.snapshots_dir(db).glob("g*.duckdb") if p.resolve() != cur.resolve()]
    assert [p.name for p in others] == [snapshot.slot_name(snapshot.generation(cur), spare=True)]
    con = duckdb.connect(str(others[0]), read_only=True)
    try:
        assert con.execute("SELECT state, generation FROM slot").fetchall() == [("published", snapshot.generation(cur))]
    finally:
        con.close()
    (tmp_path / "w").mkdir()
    check(db, tmp_path / "w")  # replays nothing: the other file already equals the current one
    replayed: list[Path] = []
    real = changeset.apply
    monkeypatch.setattr(changeset, "apply", lambda con, path: (replayed.append(path), real(con, path))[1])
    second = tmp_path / "v2.csv"
    second.write_text(HEADERS["visits"] + "\nH0004,2019-03-02,入户走访,干部,记录\n", encoding="utf-8")
    assert load_files([second], db=db).published
    # nothing before it (the last load's changeset was replayed already); its own after publishing
    assert [p.name for p in replayed] == [f"c{snapshot.generation(cur) + 1:08d}.duckdb"]
    (tmp_path / "w2").mkdir()
    check(db, tmp_path / "w2")


def test_a_small_load_gets_memory_in_proportion_to_the_database() -> None:
    """At L (8.4 GB snapshot) a small load needed 256-384 MB; at N (27.5 GB) 512MB ran out for 2 of 3
    visits loads. The cap is a 16th of the snapshot, at least 512MB, and a cap that reaches the full
    limit means the load runs at full memory once, with nothing to retry."""
    from etl.load import memory_bytes, small_load_memory

    assert memory_bytes("512MB") == 512 * 10**6 and memory_bytes("1.5GiB") == 3 * 2**29 and memory_bytes("8gb") == 8 * 10**9
    assert small_load_memory(50 * 10**6, "512MB", "1400MB") == "512MB"  # the demo county
    assert small_load_memory(8_355_590_144, "512MB", "1400MB") == "522MB"  # L
    assert small_load_memory(27_500_000_000, "512MB", "8GB") == "1718MB"  # N, as it was loaded
    assert small_load_memory(27_500_000_000, "512MB", "1400MB") is None  # N at the default limit: full memory
    assert small_load_memory(10**9, "512MB", "80%") == "512MB"  # a limit in DuckDB's other forms


def test_a_load_on_a_plain_database_file_leaves_a_copy_as_the_other_file(tmp_path: Path) -> None:
    """A database that is one plain DuckDB file (not yet a link to snapshots) becomes a link at its
    first load. The file it replaced is gone (the link took its name), so the other file is a copy:
    replaying onto "the file replaced" would have opened the new current file read-write."""
    from tests.conftest import build_fixture_db

    db = build_fixture_db(tmp_path / "db" / "fupin.duckdb")
    visit = tmp_path / "v.csv"
    visit.write_text(HEADERS["visits"] + "\nH01,2020-06-01,入户走访,甲,记录\n", encoding="utf-8")
    assert load_files([visit], db=db).published and db.is_symlink()
    (tmp_path / "w").mkdir()
    check(db, tmp_path / "w")  # two files, equal
