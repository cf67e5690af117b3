"""Findings of a probe with ledgers (data-spec §1.2) the product had never seen, written from the data
contract alone: each test writes its files in tmp_path, loads them through the real loader into a
real DuckDB file and reads the figures through the query layer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from etl.load import load_files
from etl.messages import issue_text
from etl.snapshot import connect_read
from queries import health, rectification
from queries.filters import Filters, Viewer
from tests.conftest import open_page
from tests.test_unseen_exports import write_csv

ALL, V = Filters(), Viewer()
REGISTRY = [
    ["乡(镇)", "行政村", "户编号", "姓名", "与户主关系", "证件号码", "主要致贫原因", "脱贫属性", "脱贫年度"],
    ["乌加河镇", "联丰奋斗村", "P001", "王大山", "户主", "150824195001010113", "因病", "已脱贫", "2019"],
    ["乌加河镇", "联丰奋斗村", "P002", "赵小河", "户主", "150824197005050314", "因残", "未脱贫", ""],
]


def loaded(tmp_path: Path, *files: tuple[str, list[list[str]]]) -> duckdb.DuckDBPyConnection:
    """The registry above and `files` (name, rows) loaded into a new database; a read connection."""
    db = tmp_path / "fupin.duckdb"
    paths = [write_csv(tmp_path / "registry.csv", REGISTRY)]
    paths += [write_csv(tmp_path / name, rows) for name, rows in files]
    report = load_files(paths, db=db)
    assert report.exit_code == 0, [f.error for f in report.files]
    return connect_read(db)[0]


CLAIMS_HEADER = ["户编号", "证件号码", "入院日期", "医疗机构", "总费用", "基本医保报销", "大病保险报销", "医疗救助"]


def _health_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, pd.DataFrame]:
    """The health page on the database `loaded` wrote, and its claims table by township."""
    monkeypatch.setenv("FUPIN_DB", str(tmp_path / "fupin.duckdb"))
    monkeypatch.setenv("FUPIN_USERS", str(tmp_path / "no-users.yaml"))
    monkeypatch.setenv("FUPIN_EXTRACT_LOG", str(tmp_path / "extract_log.jsonl"))
    at = open_page("health")
    return at, next(d.value for d in at.dataframe if "个人自付比例" in d.value.columns).set_index("乡(镇)")


def test_a_claim_without_out_of_pocket_is_out_of_the_share_and_not_listed_as_not_adding_up(tmp_path: Path) -> None:
    """A hospital's list with 个人自付 (10,000, 2,000 of it out of pocket) and an insurer's settlement list
    without it (10,000 more): the share read 10% instead of 20% (the unknown out of pocket counted as
    0, which flatters a place against its 10% target), and the health page listed every claim of the
    insurer's list as not adding up (off by 3,000 yuan in all) while the load, rightly, did not flag
    them (a claims list of totals and payments alone cannot add up)."""
    con = loaded(
        tmp_path,
        ("hospital.csv", [[*CLAIMS_HEADER, "其他保障", "个人自付"],
                          ["P001", "150824195001010113", "2020-03-01", "旗医院", "10000", "6000", "1000", "1000", "0",
                           "2000"]]),
        ("insurer.csv", [CLAIMS_HEADER,
                         ["P002", "150824197005050314", "2020-04-01", "旗医院", "10000", "6000", "1000", "1000"]]),
    )
    assert con.execute("SELECT count(*) FROM data_issues WHERE rule = 'claim_parts_mismatch'").fetchone() == (0,)
    claims = health.claims_by_township(con, ALL, V, 2020).set_index("township")
    assert claims.loc["乌加河镇", "claims"] == 2 and claims.loc["乌加河镇", "total_cost"] == 20000
    assert claims.loc["乌加河镇", "oop_share"] == pytest.approx(0.20)
    assert health.oop_share_total(claims.reset_index()) == pytest.approx(0.20)
    assert claims.loc["乌加河镇", "parts_off_yuan"] == 0
    assert health.claim_mismatches(con, ALL, V).empty


def test_health_page_says_which_cost_the_share_is_over_when_claims_lack_out_of_pocket(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same two lists on the health page: its table row read 总费用 20,000, 个人自付 2,000 and
    个人自付比例 20.00% (2,000 of 20,000 is 10%), and the bar stopped 2,000 short of its 20,000 with no
    word why. The row now gives the cost the share is over and the claims left out, and a caption says so."""
    loaded(tmp_path,
           ("hospital.csv", [[*CLAIMS_HEADER, "其他保障", "个人自付"],
                             ["P001", "150824195001010113", "2020-03-01", "旗医院", "10000", "6000", "1000", "1000",
                              "0", "2000"]]),
           ("insurer.csv", [CLAIMS_HEADER,
                            ["P002", "150824197005050314", "2020-04-01", "旗医院", "10000", "6000", "1000", "1000"]]))
    at, table = _health_page(tmp_path, monkeypatch)
    row = table.loc["乌加河镇"]
    assert row["总费用"] == 20000 and row["个人自付"] == 2000 and row["个人自付比例"] == pytest.approx(20.0)  # percent
    assert row["有个人自付的总费用"] == 10000 and row["无个人自付笔数"] == 1
    assert 100 * row["个人自付"] / row["有个人自付的总费用"] == pytest.approx(row["个人自付比例"])
    captions = "\n".join(c.value for c in at.caption)
    assert "乌加河镇有 1 笔报销没有个人自付数据" in captions


def test_a_claim_without_a_total_is_out_of_the_share_and_the_row_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim with its 个人自付 (1,500) and no 总费用 beside one that has both (10,000, 2,000 of it out of
    pocket): the share is 20% (claims with both, the rules text), but the table's row read 总费用 10,000,
    个人自付 3,500 and 个人自付比例 20.00% with no word why (3,500 of 10,000 is 35%). The row now gives the
    out of pocket the share counts and the claims left out, and a caption says so."""
    full = [*CLAIMS_HEADER, "其他保障", "个人自付"]
    con = loaded(tmp_path, ("claims.csv", [
        full, ["P001", "150824195001010113", "2020-03-01", "旗医院", "10000", "6000", "1000", "1000", "0", "2000"],
        ["P002", "150824197005050314", "2020-04-01", "旗医院", "", "2000", "0", "0", "0", "1500"]]))
    claims = health.claims_by_township(con, ALL, V, 2020).set_index("township")
    row = claims.loc["乌加河镇"]
    assert (row["total_cost"], row["out_of_pocket"], row["oop_share"]) == (10000, 3500, pytest.approx(0.20))
    assert (row["oop_counted"], row["oop_cost"], row["no_total_claims"], row["no_oop_claims"]) == (2000, 10000, 1, 0)
    con.close()
    at, table = _health_page(tmp_path, monkeypatch)
    shown = table.loc["乌加河镇"]
    assert shown["计入比例的个人自付"] == 2000 and shown["无总费用笔数"] == 1
    assert 100 * shown["计入比例的个人自付"] / shown["总费用"] == pytest.approx(shown["个人自付比例"])
    assert "无个人自付笔数" not in table.columns  # every claim has its out of pocket
    captions = "\n".join(c.value for c in at.caption)
    assert "乌加河镇有 1 笔报销没有总费用" in captions


def test_the_health_page_says_which_claims_no_year_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim without 入院日期 (blank, or 不详) is in no year: the page opens on the latest year, and P002's
    two undated claims (18,000 yuan out of pocket) were out of its costs, its share and, in every view,
    its households at risk (a year's out of pocket against a year's income), with nothing said. A caption
    now counts them, beside the year chosen or all years."""
    full = [*CLAIMS_HEADER, "其他保障", "个人自付"]
    loaded(tmp_path, ("claims.csv", [
        full, ["P001", "150824195001010113", "2020-03-01", "旗医院", "10000", "6000", "1000", "1000", "0", "2000"],
        ["P002", "150824197005050314", "", "旗医院", "10000", "1000", "0", "0", "0", "9000"],
        ["P002", "150824197005050314", "不详", "苏木卫生院", "10000", "1000", "0", "0", "0", "9000"]])).close()
    at, _ = _health_page(tmp_path, monkeypatch)
    captions = "\n".join(c.value for c in at.caption)
    assert "另有 2 笔报销没有入院日期" in captions and "不计入所选年度" in captions, captions
    at.selectbox(key="health_year").select_index(0).run()
    captions = "\n".join(c.value for c in at.caption)
    assert "其中 2 笔报销没有入院日期" in captions and "不计入所选年度" not in captions, captions
    monkeypatch.setenv("FUPIN_DB", str(tmp_path / "fupin.duckdb"))
    en = open_page("health", {"lang": "en"})
    assert any("2 claims have no admission date" in c.value for c in en.caption)


def test_a_household_s_rectification_item_is_placed_where_the_registry_places_the_household(tmp_path: Path) -> None:
    """Items naming registered household P002 (乌加河镇/联丰奋斗村): one with a blank 行政村 was missing
    from the village's view, one whose 乡(镇) was written 德岭山镇 was in no township's view at all (the
    area followed the ledger, a township user's scope the household): both are the village's."""
    con = loaded(tmp_path, ("rect.csv", [
        ["问题编号", "发现日期", "乡(镇)", "行政村", "户编号", "问题描述", "整改时限", "整改状态"],
        ["R-1", "2020-06-01", "乌加河镇", "", "P002", "档案缺页", "2020-06-10", "未整改"],
        ["R-2", "2020-06-01", "德岭山镇", "兴丰村", "P002", "手册未更新", "2020-06-10", "未整改"],
        ["R-3", "2020-06-01", "德岭山镇", "", "", "全镇宣传不够", "2020-06-10", "未整改"],
    ]))
    as_of = date(2020, 6, 25)
    village = Filters(townships=("乌加河镇",), villages=("联丰奋斗村",))
    assert sorted(rectification.ledger(con, village, V, as_of)["issue_id"]) == ["R-1", "R-2"]
    assert sorted(rectification.ledger(con, ALL, Viewer(townships=("乌加河镇",)), as_of)["issue_id"]) == ["R-1", "R-2"]
    assert list(rectification.ledger(con, ALL, Viewer(townships=("德岭山镇",)), as_of)["issue_id"]) == ["R-3"]
    by_town = rectification.status_by_township(con, ALL, V, as_of).groupby("township")["overdue"].sum()
    assert by_town.to_dict() == {"乌加河镇": 2, "德岭山镇": 1}


def test_the_visit_types_ledgers_write_short_or_long_are_their_codes(tmp_path: Path) -> None:
    """入户, 家庭医生签约随访 and 驻村工作队 (a probe's visit ledger) were unknown codes: the visit lost its type,
    so a family doctor's follow-up did not count for the health page. A phone call is no visit: unknown."""
    con = loaded(tmp_path, ("visits.csv", [
        ["户编号", "走访日期", "走访类型", "走访人"],
        ["P001", "2020-05-01", "入户", "李四"],
        ["P001", "2020-05-02", "家庭医生签约随访", "王医生"],
        ["P002", "2020-05-03", "驻村工作队", "张三"],
        ["P002", "2020-05-04", "健康检查", "王医生"],
        ["P002", "2020-05-05", "电话回访", "张三"],
    ]))
    assert con.execute("SELECT visit_type FROM visits ORDER BY visit_date").fetchall() == [
        ("入户走访",), ("家庭医生随访",), ("驻村工作队走访",), ("健康体检",), (None,)]
    assert con.execute("SELECT raw_value FROM data_issues WHERE rule = 'unknown_code'").fetchall() == [("电话回访",)]


def test_a_public_health_system_s_visit_types_count_as_follow_ups_and_check_ups(tmp_path: Path) -> None:
    """A 家庭医生签约服务 export writes 慢病随访, 高血压随访, 家庭医生签约服务随访 and 年度体检: unknown codes,
    so P001's chronic patient, followed up four times and checked up once, was out of compliance."""
    chronic = [[*REGISTRY[0], "健康状况"], [*REGISTRY[1], "长期慢性病"]]
    con = loaded(tmp_path, ("chronic.csv", chronic), ("visits.csv", [
        ["户编号", "走访日期", "走访类型", "走访人"],
        ["P001", "2019-09-01", "慢病随访", "王医生"], ["P001", "2019-12-01", "高血压随访", "王医生"],
        ["P001", "2020-03-01", "家庭医生签约服务随访", "王医生"], ["P001", "2020-06-01", "签约医生随访", "王医生"],
        ["P001", "2020-01-10", "年度体检", "王医生"],
    ]))
    assert con.execute("SELECT count(*) FROM data_issues WHERE rule = 'unknown_code'").fetchone() == (0,)
    assert con.execute("SELECT visit_type, count(*) FROM visits GROUP BY ALL ORDER BY 1").fetchall() == [
        ("健康体检", 1), ("家庭医生随访", 4)]
    members = health.ill_members(con, ALL, V, date(2020, 6, 30))
    assert members[["follow_ups_12m", "check_ups_12m"]].values.tolist() == [[4, 1]]


def test_a_claims_list_in_wan_yuan_is_refused_naming_its_unit(tmp_path: Path) -> None:
    """总费用（万元）: refused as lacking 总费用 (right: the loader reads yuan and does not multiply on a guess),
    but the message did not say why, beside a column the clerk could see. It names the cell and asks for yuan."""
    paths = [write_csv(tmp_path / "claims.csv", [
        ["户编号", "证件号码", "入院日期", "医疗机构", "总费用（万元）", "基本医保报销（万元）"],
        ["P001", "150824195001010113", "2020-03-01", "旗医院", "0.52", "0.3"],
    ])]
    res = load_files(paths, db=tmp_path / "fupin.duckdb").files[0]
    assert res.error is not None and "「总费用（万元）」以万元为单位" in res.error, res.error
    assert "'总费用（万元）' is in 10,000 yuan" in res.error_texts["en"]
    # a file lacking the column outright keeps the plain message
    paths = [write_csv(tmp_path / "claims2.csv", [["户编号", "证件号码", "入院日期", "医疗机构"],
                                                 ["P001", "150824195001010113", "2020-03-01", "旗医院"]])]
    res = load_files(paths, db=tmp_path / "fupin.duckdb").files[0]
    assert res.error is not None and "万元" not in res.error


def test_deadlines_written_as_ledgers_write_them_make_open_items_overdue(tmp_path: Path) -> None:
    """整改时限 `2020年6月10日前`, `2020年5月底`, `2020.5`, `2020年底` and `立行立改` were invalid_date, stored blank:
    the open item could never be overdue. Each is a deadline now (立行立改: the day the problem was found);
    长期坚持 has none and is no defect; 不详 stays invalid_date."""
    deadlines = {"R-1": ("2020年6月10日前", date(2020, 6, 10)), "R-2": ("2020年5月底", date(2020, 5, 31)),
                 "R-3": ("2020.5", date(2020, 5, 31)), "R-4": ("2020年底", date(2020, 12, 31)),
                 "R-5": ("立行立改", date(2020, 6, 1)), "R-6": ("长期坚持", None), "R-7": ("不详", None)}
    con = loaded(tmp_path, ("rect.csv", [
        ["问题编号", "发现日期", "乡(镇)", "行政村", "户编号", "问题描述", "整改时限", "整改状态"],
        *[[k, "2020-06-01", "乌加河镇", "联丰奋斗村", "P002", "档案缺页", raw, "未整改"]
          for k, (raw, _) in deadlines.items()],
    ]))
    assert dict(con.execute("SELECT issue_id, deadline FROM rectifications").fetchall()) \
        == {k: d for k, (_, d) in deadlines.items()}
    assert con.execute("SELECT record_key, raw_value FROM data_issues WHERE rule = 'invalid_date'").fetchall() \
        == [("R-7", "不详")]
    items = rectification.ledger(con, ALL, V, date(2020, 6, 25))
    assert sorted(items[items["overdue"]]["issue_id"]) == ["R-1", "R-2", "R-3", "R-5"]


def test_an_issue_number_reused_by_another_township_s_item_is_an_issue(tmp_path: Path) -> None:
    """Each township numbers its own items from 1 (a workbook of a sheet per township, or a township's
    ledger per file): the second township's item 1 replaced the first's, which left every figure of the
    rectification page with nothing said (4 rows read, 4 loaded, 2 items stored). An item is its 问题编号
    (data-spec §5), so the later row still wins, but the replacement is a data issue on it, naming the
    file and line, as is a 问题编号 that one file gives items of two townships."""
    header = ["问题编号", "发现日期", "乡(镇)", "行政村", "户编号", "问题描述", "整改时限", "整改状态"]
    con = loaded(
        tmp_path,
        ("rect_a.csv", [header, ["1", "2020-06-01", "乌加河镇", "联丰奋斗村", "", "档案缺页", "2020-06-10", "未整改"],
                        ["2", "2020-06-01", "乌加河镇", "联丰奋斗村", "", "手册未更新", "2020-06-10", "已整改"]]),
        ("rect_b.csv", [header, ["1", "2020-06-02", "德岭山镇", "兴丰村", "", "宣传不够", "2020-07-10", "整改中"],
                        ["2", "2020-06-02", "德岭山镇", "兴丰村", "", "台账不全", "2020-07-10", "整改中"],
                        ["3", "2020-06-02", "乌加河镇", "联丰奋斗村", "", "饮水不达标", "2020-07-10", "未整改"],
                        ["3", "2020-06-03", "德岭山镇", "兴丰村", "", "饮水不达标", "2020-07-10", "未整改"]]),
    )
    issues = con.execute("""SELECT record_key, file_name, line, field, raw_value FROM data_issues
                            WHERE rule = 'issue_id_other_place' ORDER BY record_key""").fetchall()
    assert issues == [("1", "rect_b.csv", 2, "issue_id", "1"), ("2", "rect_b.csv", 3, "issue_id", "2"),
                      ("3", "rect_b.csv", 5, "issue_id", "3")]
    zh = issue_text("issue_id_other_place", file="rect_b.csv", line=2, field="issue_id", value="1",
                    table="rectifications")
    assert "另一乡镇" in zh and "「1」" in zh, zh
    en = issue_text("issue_id_other_place", file="rect_b.csv", line=2, field="issue_id", value="1",
                    table="rectifications", lang="en")
    assert "another township" in en and "corrects" in en, en
    # the same ledger sent again: the items are its own now, and one file's 3 still names two townships
    con.close()
    paths = [write_csv(tmp_path / "rect_b2.csv", [header, ["1", "2020-06-02", "德岭山镇", "兴丰村", "", "宣传不够",
                                                           "2020-07-10", "已整改"]])]
    assert load_files(paths, db=tmp_path / "fupin.duckdb").exit_code == 0
    con = connect_read(tmp_path / "fupin.duckdb")[0]
    assert con.execute("""SELECT record_key FROM data_issues WHERE rule = 'issue_id_other_place'
                          ORDER BY record_key""").fetchall() == [("2",), ("3",)]


def test_an_item_found_after_the_reference_date_is_not_called_undated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An open item whose 发现日期 was typed 2030 (future_date) is found after the reference date: the
    ageing chart put it under 未填发现日期 beside its date, the ledger gave it an age of −3,652 days, and
    the burn-down left it out with nothing said (its panels summed to 2 beside 3 open items)."""
    header = ["问题编号", "发现日期", "乡(镇)", "行政村", "户编号", "问题描述", "整改时限", "整改状态"]
    con = loaded(tmp_path, ("rect.csv", [
        header, ["R1", "2020-03-01", "乌加河镇", "联丰奋斗村", "P001", "档案缺页", "2020-04-30", "未整改"],
        ["R2", "2030-06-01", "乌加河镇", "联丰奋斗村", "P001", "手册未更新", "2020-07-30", "未整改"],
        ["R3", "2020-06-01", "乌加河镇", "联丰奋斗村", "", "村务不公开", "2020-07-30", "整改中"]]))
    as_of = date(2020, 6, 1)
    ageing = rectification.ageing(con, ALL, V, as_of).set_index("bucket")["items"]
    assert -1 not in ageing.index and ageing.sum() == 3
    items = rectification.ledger(con, ALL, V, as_of).set_index("issue_id")
    assert pd.isna(items.loc["R2", "age_days"]) and items.loc["R1", "age_days"] == 92
    con.close()
    monkeypatch.setenv("FUPIN_DB", str(tmp_path / "fupin.duckdb"))
    monkeypatch.setenv("FUPIN_USERS", str(tmp_path / "no-users.yaml"))
    at = open_page("rectification")
    captions = "\n".join(c.value for c in at.caption)
    assert "1 项未完成事项的发现日期晚于参考日期" in captions, captions
    en = open_page("rectification", {"lang": "en"})
    assert any("found after the reference date" in c.value for c in en.caption)


def test_the_health_page_opens_on_the_reference_date_s_year_not_a_mistyped_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One claim's 入院日期 typed 2030 for 2020 (future_date): the data are as of 2020-05-01, but the page
    opened on the latest claim year, 2030, so its out-of-pocket share (90%), its households at risk and
    its claims table were that one claim's. It opens on 2020; 2030 is still offered."""
    full = [*CLAIMS_HEADER, "其他保障", "个人自付"]
    loaded(tmp_path, ("claims.csv", [
        full, ["P001", "150824195001010113", "2020-03-01", "旗医院", "1000", "800", "0", "0", "0", "200"],
        ["P001", "150824195001010113", "2020-05-01", "旗医院", "3000", "2000", "0", "0", "0", "1000"],
        ["P002", "150824197005050314", "2030-04-01", "旗医院", "10000", "1000", "0", "0", "0", "9000"]])).close()
    at, table = _health_page(tmp_path, monkeypatch)
    assert at.selectbox(key="health_year").value == 2020
    assert list(at.selectbox(key="health_year").options) == ["全部年度", "2030", "2020"]
    assert table.loc["乌加河镇", "报销笔数"] == 2
    tile = next(m for m in at.metric if m.label == "个人自付比例")
    assert tile.value == "30.0%", tile.value


def test_a_household_s_item_without_its_township_is_placed_by_the_registry(tmp_path: Path) -> None:
    """A village's ledger of household items leaves 乡(镇) blank: the item of registered household P002
    was rejected (no_township), though the registry places it (data-spec §3 rejects only a row that
    cannot be placed). It takes the household's township and village; an item of a household the
    registry lacks, or of none, is still rejected."""
    con = loaded(tmp_path, ("rect.csv", [
        ["问题编号", "发现日期", "乡(镇)", "行政村", "户编号", "问题描述", "整改时限", "整改状态"],
        ["R-1", "2020-06-01", "", "", "P002", "档案缺页", "2020-06-10", "未整改"],
        ["R-2", "2020-06-01", "", "联丰奋斗村", "P001", "手册未更新", "2020-06-10", "未整改"],
        ["R-3", "2020-06-01", "", "", "P999", "收入算错", "2020-06-10", "未整改"],
        ["R-4", "2020-06-01", "", "联丰奋斗村", "", "村务不公开", "2020-06-10", "未整改"],
        ["", "", "", "", "P002", "", "", ""],
    ]))
    assert con.execute("SELECT issue_id, township, village FROM rectifications ORDER BY 1").fetchall() == [
        ("R-1", "乌加河镇", "联丰奋斗村"), ("R-2", "乌加河镇", "联丰奋斗村")]
    assert con.execute("SELECT line, rule FROM rejected_rows ORDER BY line").fetchall() == [
        (4, "no_township"), (5, "no_township"), (6, "no_township")]
    village = Filters(townships=("乌加河镇",), villages=("联丰奋斗村",))
    assert sorted(rectification.ledger(con, village, V, date(2020, 6, 25))["issue_id"]) == ["R-1", "R-2"]


def test_headers_an_unseen_system_writes_are_read(tmp_path: Path) -> None:
    """A claims list headed 住院日期, 医疗救助金额 and 个人自付金额, a visit ledger's 随访类型, a rectification
    ledger's 整改完成时间 and a registry's 参加城乡居民基本医疗保险, 是否参加城乡居民大病保险 and 家庭医生签约情况 were
    columns outside the contract, ignored: the claims had no out of pocket (out of the share, never checked),
    the follow-ups no type, the members no enrolment on record."""
    registry = [[*REGISTRY[0], "参加城乡居民基本医疗保险", "是否参加城乡居民大病保险", "家庭医生签约情况"],
                [*REGISTRY[1], "是", "否", "已签约"], [*REGISTRY[2], "是", "是", "未签约"]]
    con = loaded(
        tmp_path, ("registry2.csv", registry),
        ("claims.csv", [["户编号", "证件号码", "住院日期", "医疗机构", "总费用", "基本医保报销", "医疗救助金额", "个人自付金额"],
                        ["P001", "150824195001010113", "2020-03-01", "旗医院", "10000", "6000", "1000", "3000"]]),
        ("visits.csv", [["户编号", "随访日期", "随访类型", "走访人"], ["P001", "2020-05-01", "家庭医生随访", "王医生"]]),
        ("rect.csv", [["问题编号", "乡(镇)", "问题描述", "整改状态", "整改完成时间"],
                      ["R-1", "乌加河镇", "档案缺页", "已整改", "2020-05-20"]]),
    )
    assert con.execute("SELECT list(ignored_columns) FILTER (WHERE len(ignored_columns) > 0) FROM load_batches"
                       ).fetchone() == (None,)
    assert con.execute("""SELECT admission_date, medical_assistance, out_of_pocket FROM medical_claims""").fetchall() \
        == [(date(2020, 3, 1), 1000.0, 3000.0)]
    assert con.execute("SELECT visit_type FROM visits").fetchall() == [("家庭医生随访",)]
    assert con.execute("SELECT completed_date FROM rectifications").fetchall() == [(date(2020, 5, 20),)]
    assert con.execute("""SELECT household_id, medical_insurance, critical_illness_insurance, family_doctor_signed
                          FROM members ORDER BY 1""").fetchall() == [("P001", True, False, True),
                                                                     ("P002", True, True, False)]
    assert health.claims_by_township(con, ALL, V, 2020)["oop_share"].tolist() == [pytest.approx(0.30)]


def test_the_health_page_counts_households_it_cannot_judge_for_want_of_an_income(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """P001 paid 40,000 yuan out of pocket and the registry has no 人均纯收入 for it: its warning line (a
    share of its income) is unknown, so it was out of the households at risk with nothing said, beside
    P002 (9,000 of 5,000 a year) in it. A caption counts it and points to the fixed amount."""
    registry = [[*REGISTRY[0], "人均纯收入", "收入年度"], [*REGISTRY[1], "", ""], [*REGISTRY[2], "5000", "2019"]]
    full = [*CLAIMS_HEADER, "其他保障", "个人自付"]
    loaded(tmp_path, ("registry2.csv", registry), ("claims.csv", [
        full, ["P001", "150824195001010113", "2020-03-01", "旗医院", "50000", "10000", "0", "0", "0", "40000"],
        ["P002", "150824197005050314", "2020-04-01", "旗医院", "10000", "1000", "0", "0", "0", "9000"]])).close()
    at, _ = _health_page(tmp_path, monkeypatch)
    assert next(m for m in at.metric if m.label == "返贫风险户").value == "1户"
    captions = "\n".join(c.value for c in at.caption)
    assert "另有 1 户有个人自付但未登记人均纯收入" in captions, captions
    en = open_page("health", {"lang": "en"})
    assert any("1 more household(s) paid out of pocket but have no income" in c.value for c in en.caption)
