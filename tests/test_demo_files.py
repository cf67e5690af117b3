"""The demo county's export files: determinism, the report's facts, planted defects, scaled shape.

Facts are checked by reading the written files back (pandas / calamine), not the generator's memory.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from etl.codes import CODE_LISTS, DEMO_TOWNSHIPS
from etl.demo import (
    DEMO_AS_OF,
    DEMO_DEFECTS,
    DEMO_SUSPECT_EXITS,
    FEMALE_GIVEN,
    INDUSTRY_PROJECTS,
    LONELY_ELDER_NOTE,
    MALE_GIVEN,
    SURNAMES,
    contains_real_name,
    write_demo_files,
)
from etl.scaled_demo import SCALED_RATES, write_scaled_files

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def canon(field: str, raw: object) -> str | None:
    """Map a raw code spelling to its canonical value (None when unknown)."""
    text = "" if raw is None else str(raw).strip()
    for canonical, synonyms in CODE_LISTS[field].items():
        if text == canonical or text in synonyms:
            return canonical
    return None


def id_problem(idn: str) -> str | None:
    if not re.fullmatch(r"\d{17}[\dX]", idn):
        return "format"
    try:
        datetime.strptime(idn[6:14], "%Y%m%d")
    except ValueError:
        return "birth_date"
    if "10X98765432"[sum(int(d) * w for d, w in zip(idn[:17], WEIGHTS, strict=True)) % 11] != idn[17]:
        return "check_digit"
    return None


def parse_date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d", "%Y.%m.%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            pass
    raise ValueError(text)


def read_csv(path: Path, encoding: str, delimiter: str = ",", title: bool = False) -> pd.DataFrame:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding)), delimiter=delimiter))
    rows = rows[1:] if title else rows
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    return pd.DataFrame(body, columns=rows[0])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_demo_files(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def registry(demo: list[Path]) -> pd.DataFrame:
    """2020 registry rows that can be placed (rejected, blank and 合计 rows dropped)."""
    rows = CalamineWorkbook.from_path(str(demo[1])).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "乌拉特中旗建档立卡贫困人口信息表"
    df = pd.DataFrame(rows[3:], columns=rows[2])
    assert (df["序号"] == "合计").sum() == 1
    df = df[(df["序号"] != "合计") & (df["户编号"] != "") & (df["苏木(镇)"] != "")].copy()
    df["status"] = df["贫困户状态"].map(lambda v: canon("exit_status", v))
    return df


@pytest.fixture(scope="module")
def households(registry: pd.DataFrame) -> pd.DataFrame:
    return registry.groupby("户编号", sort=False).agg(
        township=("苏木(镇)", "first"), village=("嘎查村", "first"), status=("status", "first"),
        mtype=("易返贫致贫户(监测对象)类型", "first"), cause=("主要致贫原因", "first"),
        rows=("姓名", "size"), declared=("人数", "first"))


@pytest.fixture(scope="module")
def visits(demo: list[Path]) -> pd.DataFrame:
    assert demo[3].read_bytes().startswith(b"\xef\xbb\xbf")
    df = read_csv(demo[3], "utf-8-sig")
    df["date"] = df["*走访日期"].map(parse_date)
    return df


def test_file_order_and_kinds(demo: list[Path]) -> None:
    assert [p.suffix for p in demo] == [".csv", ".xlsx", ".csv", ".csv", ".csv", ".csv", ".csv", ".xlsx"]
    assert demo[0].read_bytes().decode("gb18030").startswith("乌拉特中旗建档立卡贫困人口信息表")
    assert "\t" in demo[4].read_bytes().decode("gb18030").splitlines()[0]  # the tab-delimited one
    for p in demo:
        assert p.exists() and p.stat().st_size > 1000


def test_deterministic(demo: list[Path], tmp_path: Path) -> None:
    def digest(paths: list[Path]) -> list[str]:
        return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]

    assert digest(write_demo_files(tmp_path / "again")) == digest(demo)
    assert digest(write_demo_files(tmp_path / "other", seed=7)) != digest(demo)


def test_visited_townships(households: pd.DataFrame) -> None:
    reg = households[households["status"].notna()]
    per = reg.groupby("township").size()
    assert (per["乌加河镇"], per["呼勒斯太苏木"], per["德岭山镇"]) == (8, 7, 10)
    dls = reg[reg["township"] == "德岭山镇"]
    assert Counter(dls["status"]) == {"已脱贫": 4, "未脱贫": 6}
    causes = Counter(dls["cause"].map(lambda v: canon("main_cause", v)))
    assert causes.most_common(1)[0][0] == "因病" and causes["因病"] > len(dls) / 2
    assert set(households.loc[households["township"] == "呼勒斯太苏木", "village"]) == {
        "呼和嘎查", "哈拉图嘎查", "希博图嘎查", "温更嘎查"}
    assert set(reg.loc[reg["township"] == "呼勒斯太苏木", "village"]) == {
        "呼和嘎查", "哈拉图嘎查", "希博图嘎查", "温更嘎查"}
    assert set(households.loc[households["township"] == "德岭山镇", "village"]) <= {
        "兴丰村", "乌镇村", "四义堂村", "胜利村"}
    assert "联丰奋斗村" in set(reg.loc[reg["township"] == "乌加河镇", "village"])
    assert set(households["township"]) == set(DEMO_TOWNSHIPS)


def test_banner_totals(households: pd.DataFrame, registry: pd.DataFrame) -> None:
    reg = households[households["status"].notna()]
    assert 580 <= len(reg) <= 620
    edge = households[households["status"].isna() & (households["mtype"] != "")]
    assert 0.04 <= len(edge) / len(reg) <= 0.06
    assert 1.7 <= registry["户编号"].isin(reg.index).sum() / len(reg) <= 2.1
    per = reg.groupby("township").size()
    assert per.idxmax() == "海流图镇"
    status = Counter(reg["status"])
    assert status["已脱贫"] > 0.85 * len(reg) and status["返贫"] > 0 and 0 < status["未脱贫"] < 40
    ages = registry["证件号码"].map(lambda s: 2020 - int(s[6:10]) if re.fullmatch(r"\d{17}[\dX]", s) else None)
    assert (ages >= 60).mean() > 0.4  # many elderly
    # unstable exited households are monitored with an exit status
    unstable = households[(households["status"] == "已脱贫")
                          & (households["mtype"].map(lambda v: canon("monitoring_type", v)) == "脱贫不稳定户")]
    assert len(unstable) >= 5


def test_lonely_elder(registry: pd.DataFrame, households: pd.DataFrame, visits: pd.DataFrame) -> None:
    noted = visits.loc[visits["情况记录"].str.contains(LONELY_ELDER_NOTE), "*户编号"]
    assert noted.nunique() == 1 and len(noted) >= 6  # called or visited regularly
    hid = noted.iloc[0]
    assert households.loc[hid, "village"] == "温更嘎查" and households.loc[hid, "rows"] == 1
    assert households.loc[hid, "declared"] == 1
    born = int(registry.loc[registry["户编号"] == hid, "证件号码"].iloc[0][6:10])
    assert 78 <= 2020 - born <= 82


def test_inspection_visits(households: pd.DataFrame, visits: pd.DataFrame) -> None:
    week = visits[(visits["date"] >= date(2020, 6, 22)) & (visits["date"] <= date(2020, 6, 27))]
    week = week.join(households, on="*户编号")
    week = week[week["township"].isin(["乌加河镇", "呼勒斯太苏木", "德岭山镇"])]
    assert week["*户编号"].nunique() == 24
    assert week.groupby("township")["*户编号"].nunique().to_dict() == {
        "乌加河镇": 8, "呼勒斯太苏木": 7, "德岭山镇": 9}
    types = Counter(visits["走访类型"].map(lambda v: canon("visit_type", v)))
    assert types["家庭医生随访"] > 100 and types["健康体检"] > 50 and None not in types
    assert max(d for d in visits["date"] if d.year < 2030) == DEMO_AS_OF


def test_family_doctor_follow_ups(households: pd.DataFrame, visits: pd.DataFrame) -> None:
    v = visits.join(households, on="*户编号")
    fd = v[v["走访类型"].map(lambda t: canon("visit_type", t)) == "家庭医生随访"]
    year = fd[fd["date"] > date(2019, 6, 30)].groupby("*户编号").size()
    assert (year >= 4).sum() > 20 and ((year > 0) & (year < 4)).sum() > 5  # compliant and not
    last = fd.groupby("*户编号")["date"].max()
    assert ((DEMO_AS_OF - last).map(lambda d: d.days) > 90).sum() >= 3  # none in the last 90 days
    dls = v[v["township"] == "德岭山镇"]
    checkups = dls[dls["走访类型"].map(lambda t: canon("visit_type", t)) == "健康体检"]
    assert checkups["*户编号"].nunique() == 10


def test_interventions(demo: list[Path], households: pd.DataFrame) -> None:
    df = read_csv(demo[2], "gb18030", title=True)
    df["cat"] = df["措施类别"].map(lambda v: canon("intervention_category", v))
    assert df["cat"].value_counts().idxmax() == "产业帮扶"
    wjh = set(households.index[households["township"] == "乌加河镇"])
    for project in INDUSTRY_PROJECTS:
        rows = df[df["项目名称"] == project]
        assert len(rows) >= 1 and set(rows["户编号"]) <= wjh and set(rows["cat"]) == {"产业帮扶"}
    assert set(df.loc[df["项目名称"].isin(INDUSTRY_PROJECTS), "户编号"]) == wjh
    dry = df[df["措施内容"].str.contains("干洗店")]
    assert len(dry) == 1 and dry["户编号"].iloc[0] in wjh and dry["cat"].iloc[0] in ("就业帮扶", "产业帮扶")
    registered = set(households.index[households["status"].notna()])
    assert 3 <= len(registered - set(df["户编号"])) <= 8  # 一户一策 gaps
    years = pd.to_numeric(df["实施年度"])
    assert years.min() == 2016 and years.max() == 2020


def test_rectifications(demo: list[Path]) -> None:
    df = read_csv(demo[5], "gb18030", title=True)
    assert df["问题编号"].is_unique and df["问题编号"].str.fullmatch(r"[A-Z]{2,4}-20(19|20)-\d{3}").all()
    df["found"] = df["发现日期"].map(parse_date)
    df["deadline"] = df["整改时限"].map(parse_date)
    df["status"] = df["整改状态"].map(lambda v: canon("rectification_status", v))
    june = df[(df["乡（镇）"] == "乌加河镇") & (df["found"] == date(2020, 6, 27))]
    assert {"档案资料不规范", "扶贫手册更新不及时"} <= set(june["问题类别"])
    assert set(june["status"]) <= {"整改中", "未整改"}
    open_ = ~df["status"].isin(["已整改", "已销号"])
    assert (open_ & (df["deadline"] < DEMO_AS_OF)).sum() >= 2  # overdue
    soon = df["deadline"].map(lambda d: 0 <= (d - DEMO_AS_OF).days <= 14)
    assert (open_ & soon).sum() >= 2
    closed = df[~open_]
    assert len(closed) >= 5 and (closed["完成日期"] != "").all()
    assert (df["户编号"] == "").any() and (df["行政村"] == "").any() and (df["户编号"] != "").any()
    assert df["乡（镇）"].nunique() == 10


def test_planted_defects(demo: list[Path], registry: pd.DataFrame, households: pd.DataFrame,
                         visits: pd.DataFrame) -> None:
    problems = Counter(registry["证件号码"].map(id_problem))
    assert problems["check_digit"] == 5 and problems["birth_date"] == 1
    assert problems["check_digit"] + problems["birth_date"] == DEMO_DEFECTS["id_invalid"]
    old = read_csv(demo[0], "gb18030", title=True)
    assert (old["身份证号码"] == "1.50824E+17").sum() == DEMO_DEFECTS["id_mangled"]
    assert old["身份证号码"].map(id_problem).notna().sum() == 1  # otherwise clean
    ids = registry.groupby("证件号码")["户编号"].transform("nunique")
    assert (ids > 1).sum() == DEMO_DEFECTS["id_duplicate"]  # rows whose ID is in another household
    assert (households["rows"] != households["declared"].astype(int)).sum() == DEMO_DEFECTS["size_mismatch"]
    heads = registry.assign(h=registry["与户主关系"] == "户主").groupby("户编号")["h"].sum()
    assert (heads == 0).sum() == DEMO_DEFECTS["no_head"] and (heads == 2).sum() == DEMO_DEFECTS["multiple_heads"]
    varying = registry.groupby("户编号")[["主要致贫原因", "户联系电话", "贫困户状态"]].nunique()
    assert (varying.max(axis=1) > 1).sum() == DEMO_DEFECTS["household_fields_differ"]
    exited = households["status"] == "已脱贫"
    years = registry.groupby("户编号")["脱贫年度"].first()
    assert (exited & (years.reindex(households.index) == "")).sum() == DEMO_DEFECTS["exit_without_year"]
    income = registry.groupby("户编号")["家庭年人均纯收入(元)"].first().map(
        lambda v: float(str(v).replace(",", "")))
    assert (exited & (income.reindex(households.index) < 4000)).sum() == DEMO_DEFECTS["exit_income_below_line"]
    exited_rows = registry[registry["status"] == "已脱贫"]
    suspects = {
        "unsafe_housing": exited_rows.loc[exited_rows["是否危房户"] == "是", "户编号"].nunique(),
        "unsafe_water": exited_rows.loc[exited_rows["饮水安全"] == "否", "户编号"].nunique(),
        "uninsured_member": exited_rows.loc[exited_rows["是否参加城乡居民基本医疗保险"] == "否", "户编号"].nunique(),
    }
    assert suspects == DEMO_SUSPECT_EXITS
    month_only = registry["首次识别时间"].map(lambda v: bool(re.fullmatch(r"\d{4}年\d{1,2}月", str(v))))
    assert registry.loc[month_only, "户编号"].nunique() == DEMO_DEFECTS["invalid_date"]
    nothing = households["status"].isna() & (households["mtype"] == "")
    assert nothing.sum() == DEMO_DEFECTS["monitored_without_type"]
    unknown = (households["cause"].map(lambda v: canon("main_cause", v)).isna()
               & (households["cause"] != "")).sum()
    unknown += (registry["劳动技能"].map(lambda v: canon("labor_skill", v)).isna()).sum()
    iv = read_csv(demo[2], "gb18030", title=True)
    unknown += iv["措施类别"].map(lambda v: canon("intervention_category", v)).isna().sum()
    assert unknown == DEMO_DEFECTS["unknown_code"]
    amounts = pd.to_numeric(iv["金额(元)"].str.replace(r"[,元]", "", regex=True), errors="coerce")
    assert (amounts < 0).sum() == DEMO_DEFECTS["negative_amount"]
    assert (amounts.isna() & (iv["金额(元)"] != "")).sum() == DEMO_DEFECTS["not_a_number"]
    assert (iv["户编号"] == "").sum() + 1 == DEMO_DEFECTS["no_household_id"]  # + the xlsx row
    assert (visits["date"] > date(2026, 1, 1)).sum() == DEMO_DEFECTS["future_date"]
    claims = read_csv(demo[4], "gb18030", "\t")
    parts = claims[["基本医保报销", "大病保险报销", "医疗救助", "其他保障", "个人自付"]].astype(float).sum(axis=1)
    assert ((parts - claims["总费用"].astype(float)).abs() > 0.011).sum() == DEMO_DEFECTS["claim_parts_mismatch"]
    oop = claims["个人自付"].astype(float)
    assert ((oop / claims["总费用"].astype(float) > 0.2) & (oop > 5000)).sum() >= 2  # high out-of-pocket
    raw = demo[4].read_bytes().decode("gb18030").splitlines()
    assert sum(1 for line in raw if not line.strip("\t ")) == 1  # the blank row


def test_rejected_rows(demo: list[Path]) -> None:
    rows = CalamineWorkbook.from_path(str(demo[1])).get_sheet_by_index(0).to_python()
    header = rows[2]
    hid, twp, name = header.index("户编号"), header.index("苏木(镇)"), header.index("姓名")
    data = [r for r in rows[3:] if r[0] != "合计" and any(c != "" for c in r)]
    assert sum(1 for r in data if r[hid] == "") == 1  # the other missing 户编号 is in the interventions
    assert sum(1 for r in data if r[twp] == "") == DEMO_DEFECTS["no_township"]
    assert all(r[name] for r in data)
    assert sum(1 for r in rows[3:] if all(c == "" for c in r)) == 1  # the blank row
    # cell types of a real export: IDs as text, dates as datetime or text, incomes as numbers or text
    col = {h: i for i, h in enumerate(header)}
    assert all(isinstance(r[col["证件号码"]], str) and isinstance(r[hid], str) for r in data)
    kinds = Counter(type(r[col["首次识别时间"]]).__name__ for r in data)
    assert kinds["date"] > 0 and kinds["str"] > 0
    assert any("年" in str(r[col["首次识别时间"]]) for r in data)
    incomes = Counter(type(r[col["家庭年人均纯收入(元)"]]).__name__ for r in data)
    assert incomes["float"] > 0 and incomes["str"] > 0
    assert all(15 <= len(r[hid]) <= 20 for r in data if r[hid])


def test_no_real_names(demo: list[Path]) -> None:
    texts = []
    for p in demo:
        if p.suffix == ".xlsx":
            rows = CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).to_python()
            texts.append("\n".join("\t".join(str(c) for c in r) for r in rows))
        else:
            data = p.read_bytes()
            texts.append(data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("gb18030"))
    blob = "\n".join(texts)
    assert "乌加河镇" in blob  # the blob really holds the decoded files
    assert not contains_real_name(blob)
    # the scaled generator draws surname + given name without a filter: no pair may form a real name
    given = [g for groups in (MALE_GIVEN, FEMALE_GIVEN) for group in groups for g in group]
    assert [s + g for s in SURNAMES for g in given if contains_real_name(s + g)] == []


def test_scaled_files(tmp_path: Path) -> None:
    n = 10_000
    paths = write_scaled_files(tmp_path / "a", n)
    again = write_scaled_files(tmp_path / "b", n)
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]
    packed = write_scaled_files(tmp_path / "gz", n, compress=True)  # national scale is written so
    assert [p.name for p in packed] == [p.name + ".gz" for p in paths]
    assert [gzip.decompress(p.read_bytes()) for p in packed] == [p.read_bytes() for p in paths]
    reg = pd.read_csv(paths[0], dtype=str, keep_default_na=False)
    assert reg["户编号"].nunique() == n
    assert abs(len(reg) / n - SCALED_RATES["members"]) < 0.1
    assert reg["户编号"].str.len().between(15, 20).all()
    assert set(reg["乡(镇)"]) - {""} == set(DEMO_TOWNSHIPS)
    problems = reg["证件号码"].map(id_problem)
    assert problems.isin([None, "check_digit"]).all()
    assert 0 < (problems == "check_digit").sum() < 0.005 * len(reg)
    assert reg["证件号码"].is_unique
    heads = (reg["与户主关系"] == "户主").groupby(reg["户编号"]).sum()
    assert (heads == 1).all()
    edge = reg.drop_duplicates("户编号")
    assert 0.03 < (edge["脱贫状态"] == "").mean() < 0.07
    for i, key in enumerate(["interventions", "visits", "medical_claims"], start=1):
        rows = sum(1 for _ in paths[i].open(encoding="utf-8")) - 1
        assert abs(rows / n - SCALED_RATES[key]) < 0.1 * SCALED_RATES[key], key
    rect = pd.read_csv(paths[4], dtype=str, keep_default_na=False)
    assert 20 <= len(rect) <= 90 and rect["问题编号"].is_unique
    claims = pd.read_csv(paths[3], dtype={"证件号码": str})
    assert claims["证件号码"].isin(set(reg["证件号码"])).all()
