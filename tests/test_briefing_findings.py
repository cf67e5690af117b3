"""The briefing's written findings say what the data says (a probe recomputed every sentence from the
tables): the households without a measure are registered ones, counted; a tie for the leading cause
names every cause tied and 未填写 is no cause; overdue items name their units and how many more; the
defect kinds are rule names (they printed message templates); ranks say when they are shared.
Real files through the real loader, the briefing built as the page builds it."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from etl import snapshot
from etl.load import load_files
from labels import t
from queries.filters import Filters, Viewer
from queries.meta import data_as_of
from tests import conftest
from ui import briefing_html

FILES = {
    "人口.csv": ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,脱贫年度,主要致贫原因,监测对象类别",
                "甲镇,一村,H1,张一,150824196001010118,户主,已脱贫,2019,因病,",
                "甲镇,一村,H2,张二,,户主,已脱贫,2019,因残,",
                "甲镇,二村,H3,张三,,户主,未脱贫,,,",
                "甲镇,二村,E1,李一,,户主,,,,边缘易致贫户",
                "乙镇,三村,H4,王一,,户主,已脱贫,2019,因病,"],
    "措施.csv": ["户编号,措施类别,措施内容", "H1,产业帮扶,养羊", "E1,就业帮扶,公益岗"],
    "整改.csv": ["问题编号,乡(镇),问题描述,责任单位,发现日期,整改时限,整改状态",
                "R1,甲镇,档案缺页,甲镇政府,2020-06-01,2020-06-10,未整改",
                "R2,甲镇,手册未更新,一村村委会,2020-06-01,2020-06-10,未整改",
                "R3,甲镇,收入核算不准,二村村委会,2020-06-01,2020-06-10,整改中",
                "R4,乙镇,危房,乙镇政府,2020-06-01,2020-06-10,未整改",
                "R5,乙镇,已办结,乙镇政府,2020-06-30,2020-07-30,已销号"],
}


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("brief")
    for name, lines in FILES.items():
        (root / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = root / "data" / "fupin.duckdb"
    load_files([root / n for n in FILES], db=db)
    return db


def findings(db: Path, flt: Filters, lang: str = "zh") -> list[str]:
    con, _ = snapshot.connect_read(db)
    try:
        d = data_as_of(con)
        k = briefing_html.overview.kpis(con, flt, Viewer(), d).iloc[0]
        return [s for s, _ in briefing_html.findings(con, flt, Viewer(), lang, d, k, {"chronic": 0, "compliant": 0},
                                                     int(k["no_measure"]), briefing_html.Brief("", "", lang))]
    finally:
        con.close()


def test_county_findings(county: Path) -> None:
    said = findings(county, Filters())
    # H2, H3, H4: registered without a measure (the edge household E1 has one and is not counted either way)
    assert "3 户建档立卡户没有任何帮扶措施记录。" in said
    # the county's briefing is not compared with itself ("占 24.2%（全县 24.2%）"; a probe)
    assert "主要致贫原因以因病为主，占 50.0%。" in said, said
    assert "另有 1 户建档立卡户未填写主要致贫原因。" in said
    overdue = next(s for s in said if "逾期未完成" in s)
    assert overdue.startswith("4 项整改事项逾期未完成，涉及") and overdue.endswith("等 4 个责任单位。"), overdue
    # each unit with its count of items (涉及四义堂村村委会 1。 read like a typo: a browser review)
    assert re.search(r"涉及[^，、]+ \d+ 项、", overdue), overdue
    defects = next(s for s in said if s.startswith("档案问题"))
    assert "缺致贫原因 1" in defects and "{" not in defects, defects


def test_a_tie_for_the_leading_cause_names_both(county: Path) -> None:
    said = findings(county, Filters(townships=("甲镇",)))
    cause = next(s for s in said if s.startswith("主要致贫原因"))
    assert "因病" in cause and "因残" in cause and "各占 33.3%" in cause, cause  # of 3, one unfilled
    assert "（全旗分别为" in cause  # a township's briefing: beside the county's shares
    assert not any("以未填写为主" in s for s in said)


def test_ranks_say_when_they_are_shared() -> None:
    assert briefing_html.rank_text(pd.Series([1.0, 1.0, 0.5]), 1.0, "zh") == "并列第 1 位"
    assert briefing_html.rank_text(pd.Series([1.0, 0.8, 0.5]), 0.8, "zh") == "第 2 位"
    assert briefing_html.rank_text(pd.Series([1.0, 1.0, 0.5]), 1.0, "en") == "rank 1 (tied)"


@pytest.mark.parametrize(("lang", "said"), [("zh", "主要致贫原因：因病"), ("en", "Main cause: ")])
def test_the_scope_names_the_household_filters(county: Path, lang: str, said: str) -> None:
    """Two briefings of 甲镇, one filtered to 因病, read "范围：甲镇" alike, while one counted 1 household
    and the other 3: the scope now names every filter besides the place."""
    con, _ = snapshot.connect_read(county)
    try:
        d = data_as_of(con)
        plain = briefing_html.build(con, Filters(townships=("甲镇",)), Viewer(), lang=lang, as_of=d, data_as_of=d)
        cause = briefing_html.build(con, Filters(townships=("甲镇",), main_causes=("因病",)), Viewer(), lang=lang,
                                    as_of=d, data_as_of=d)
    finally:
        con.close()
    meta = [re.search(r'<p class="meta">(.*?)</p>', html)[1] for html in (plain, cause)]
    assert said not in meta[0] and said in meta[1], meta


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_scope_says_whom_a_year_range_leaves_out(county: Path, lang: str) -> None:
    """A briefing of 脱贫年度 2015–2020 read 未脱贫户 0户, 脱贫率 100% on paper with a scope of
    「甲镇（脱贫年度：2015–2020）」: the page's filter line says the range keeps only those years' exits, the
    printout did not. Its scope says it now, in the filter line's words."""
    con, _ = snapshot.connect_read(county)
    try:
        d = data_as_of(con)
        doc = briefing_html.build(con, Filters(townships=("甲镇",), exit_years=(2015, 2020)), Viewer(), lang=lang,
                                  as_of=d, data_as_of=d)
    finally:
        con.close()
    meta = re.search(r'<p class="meta">(.*?)</p>', doc)[1]
    assert "2015–2020" in meta and t("filter.exit_years.only", lang) in meta, meta


def test_a_cause_filter_leaves_out_what_it_makes_circular_or_mixed(county: Path) -> None:
    """Under 因病 the briefing said "因病占 100.0%（全旗 100.0%）" (its own filter given back), and
    its "since" finding quoted township totals beside filtered figures. Without the filter both stay."""
    cause = findings(county, Filters(main_causes=("因病",)))
    plain = findings(county, Filters())
    assert not any("主要致贫原因以" in s for s in cause) and any("主要致贫原因以" in s for s in plain)


def test_the_changes_since_count_township_totals_under_any_filter(tmp_path: Path) -> None:
    """The items opened and closed since a date were counted under the cause filter, the figure history
    beside them was not (its note says: township totals): an item of a 因残 household vanished from them."""
    import datetime as dt

    from queries import history

    files = {**FILES, "整改.csv": [*FILES["整改.csv"][:1], "R6,甲镇,档案缺页,甲镇政府,2020-06-01,2020-06-10,未整改"]}
    files["整改.csv"][0] = files["整改.csv"][0] + ",户编号"
    files["整改.csv"][1] = files["整改.csv"][1] + ",H2"  # H2's main cause is 因残
    for name, lines in files.items():
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "data" / "fupin.duckdb"
    load_files([tmp_path / n for n in files], db=db)
    con, _ = snapshot.connect_read(db)
    try:
        d = data_as_of(con)
        since = dt.date(2020, 1, 1)
        plain = history.changes(con, Filters(townships=("甲镇",)), Viewer(), since, d)
        cause = history.changes(con, Filters(townships=("甲镇",), main_causes=("因病",)), Viewer(), since, d)
    finally:
        con.close()
    assert (cause["opened"], cause["closed"]) == (plain["opened"], plain["closed"]) == (1, 0)


def test_a_briefing_of_no_household_says_so_rather_than_good_news(county: Path) -> None:
    """乙镇 under 因学 holds no household: the findings said "every registered household has a measure, nothing
    overdue, no archive defect". Now one finding says nothing matches; with monitored households only (甲镇
    under 边缘易致贫户) the registered-households finding is left out. The township's own item R4 (乙镇政府,
    overdue) is still in the briefing's tiles and item list, whatever the household filters: its finding
    stays (it was left out beside a tile of 1 overdue item; a probe)."""
    assert findings(county, Filters(townships=("乙镇",), main_causes=("因学",))) == [
        "当前范围和筛选条件下没有农户，本简报没有关于农户的发现；各项户数为 0 不说明工作已到位。",
        "1 项整改事项逾期未完成，涉及乙镇政府 1 项。"]
    con, _ = snapshot.connect_read(county)
    try:
        k = briefing_html.overview.kpis(con, Filters(townships=("乙镇",), main_causes=("因学",)), Viewer(),
                                        data_as_of(con)).iloc[0]
    finally:
        con.close()
    assert (int(k["all_households"]), int(k["rect_overdue"])) == (0, 1)  # the tile the finding stands beside
    assert findings(county, Filters(townships=("丙镇",))) == [  # no household and no item: nothing else said
        "当前范围和筛选条件下没有农户，本简报没有关于农户的发现；各项户数为 0 不说明工作已到位。"]
    edge = findings(county, Filters(townships=("甲镇",), monitoring_types=("边缘易致贫户",)))
    assert edge and not any("建档立卡户均有帮扶措施记录" in s for s in edge)


def test_exits_and_suspected_wrong_exits_are_a_finding(county: Path, tmp_path: Path) -> None:
    """The briefing said nothing of exits or of 疑似错退, the veto item inspectors press hardest, while the
    overview headlines them (a browser review): one sentence with the shares, one naming the places over
    the allowed 2%, worst first."""
    said = findings(county, Filters())
    assert "已脱贫 3 户，占建档立卡户 75.0%；疑似错退 0 户，占已脱贫户 0.0%（允许 2%）。" in said, said
    assert not any("超过" in s for s in said)
    lines = ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,脱贫年度,主要致贫原因,人均纯收入,收入年度",
             "甲镇,一村,W1,赵一,,户主,已脱贫,2019,因病,2000,2019",  # below the 2019 line (3,218)
             "甲镇,一村,W2,赵二,,户主,已脱贫,2019,因病,9000,2019",
             "乙镇,三村,W3,赵三,,户主,已脱贫,2019,因病,9000,2019"]
    (tmp_path / "人口.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "data" / "fupin.duckdb"
    load_files([tmp_path / "人口.csv"], db=db)
    said = findings(db, Filters(), "en")
    assert "Exited: 3 households, 100.0% of those registered; suspected wrong exits: 1, 33.3% of the exited " \
           "(allowed 2%)." in said, said
    assert "Over 2% suspected wrong exits: 甲镇 (50.0%)." in said
    town = findings(db, Filters(townships=("甲镇",)))  # one township: its villages
    assert "疑似错退占比超过 2% 的：一村（50.0%）。" in town, town


def test_a_township_is_ranked_by_its_registered_households_only(tmp_path: Path) -> None:
    """Under a monitoring filter a township may hold monitored households and no registered one: its
    finding read "甲镇脱贫率 ，在 2 个乡镇中居第 1 位；帮扶措施覆盖率 ，居第 1 位" (no rate, ranked first),
    and a township without a rate was counted among those it is ranked with."""
    files = {"人口.csv": ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,脱贫年度,主要致贫原因,监测对象类别",
                          "甲镇,一村,H1,张一,,户主,已脱贫,2019,因病,脱贫不稳定户",
                          "甲镇,一村,E1,张二,,户主,,,,边缘易致贫户",
                          "乙镇,三村,H2,王一,,户主,已脱贫,2019,因病,",
                          "乙镇,三村,E2,王二,,户主,,,,边缘易致贫户"]}
    db, report = conftest.load_lines(tmp_path, files)
    assert report.exit_code == 0
    edge = findings(db, Filters(townships=("甲镇",), monitoring_types=("边缘易致贫户",)))
    assert not any("脱贫率" in s for s in edge), edge  # 甲镇 has no registered household under the filter
    both = findings(db, Filters(townships=("甲镇",), monitoring_types=("边缘易致贫户", "脱贫不稳定户")))
    assert not any("脱贫率" in s for s in both), both  # 乙镇 has no rate: 甲镇 is the only one with a rate
    plain = findings(db, Filters(townships=("甲镇",)))
    assert any(s.startswith("甲镇脱贫率 100.0%，在 2 个乡镇中居并列第 1 位") for s in plain), plain
    # a village's briefing: its headline figures are the village's, not the township's rates the rank gives
    village = findings(db, Filters(townships=("甲镇",), villages=("一村",)))
    assert village and not any("甲镇脱贫率" in s for s in village), village


def test_a_village_is_ranked_among_its_townships_villages(county: Path, tmp_path: Path) -> None:
    """A village's briefing had no rank (the township's was left out as not the village's figures): it
    ranks the village among its township's villages on the same figures, by the same rules (villages
    with registered households only, shared ranks said; a name two townships share is not ranked)."""
    one = findings(county, Filters(townships=("甲镇",), villages=("一村",)))
    assert "一村脱贫率 100.0%，在甲镇的 2 个村中居第 1 位；帮扶措施覆盖率 50.0%，居第 1 位。" in one, one
    # chosen by its name alone, the village is placed in its township
    two = findings(county, Filters(villages=("二村",)), lang="en")
    assert "二村: exit rate 0.0%, rank 2 of 2 villages of 甲镇; measure coverage 0.0%, rank 2." in two, two
    assert not any("个村中居" in s for s in findings(county, Filters(villages=("三村",))))  # 乙镇's only village
    files = {"人口.csv": ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,脱贫年度,主要致贫原因,监测对象类别",
                          "甲镇,一村,H1,张一,,户主,已脱贫,2019,因病,",
                          "甲镇,二村,H2,张二,,户主,已脱贫,2019,因病,",
                          "甲镇,三村,E1,张三,,户主,,,,边缘易致贫户",
                          "乙镇,一村,H3,王一,,户主,未脱贫,,因病,"]}
    db, report = conftest.load_lines(tmp_path, files)
    assert report.exit_code == 0
    tied = findings(db, Filters(townships=("甲镇",), villages=("二村",)))
    # 三村 has no registered household: it is not one of those ranked
    assert "二村脱贫率 100.0%，在甲镇的 2 个村中居并列第 1 位；帮扶措施覆盖率 0.0%，居并列第 1 位。" in tied, tied
    assert not any("个村中居" in s for s in findings(db, Filters(townships=("甲镇",), villages=("三村",))))
    # 一村 of 甲镇 and 一村 of 乙镇: the briefing is of both villages, not one to rank
    assert not any("个村中居" in s for s in findings(db, Filters(villages=("一村",))))
    assert any(s.startswith("一村脱贫率 100.0%，在甲镇的 2 个村中居并列第 1 位")
               for s in findings(db, Filters(townships=("甲镇",), villages=("一村",))))


def test_a_village_briefing_names_its_township_when_one_is_chosen() -> None:
    """Two townships can have a village of one name (新华村): a briefing of 海流图镇's was titled 新华村 alone.
    With one township chosen, the title names both; a village chosen by its name alone, or under several
    townships, is named as chosen."""
    from ui.briefing_html import area_name

    assert area_name(Filters(townships=("海流图镇",), villages=("新华村",)), "zh") == "海流图镇新华村"
    assert area_name(Filters(townships=("海流图镇",), villages=("新华村", "红旗村")), "en") == "新华村、红旗村, 海流图镇"
    assert area_name(Filters(villages=("新华村",)), "zh") == "新华村"
    assert area_name(Filters(townships=("海流图镇", "石哈河镇"), villages=("新华村",)), "zh") == "新华村"
    assert area_name(Filters(townships=("海流图镇",)), "zh") == "海流图镇"
