"""A county in its first weeks: a registry loaded alone, no ledger yet. A page or figure of a ledger no
file has brought says which file to load and where, instead of "no data under the current filters"
(no filter was the reason), 0 items or a 0% coverage. Real files through the real loader, real AppTest."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from etl import snapshot
from labels import t
from queries import quality
from queries.filters import Filters, Viewer
from queries.meta import data_as_of
from tests import conftest
from ui import briefing_html

REGISTRY = ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,脱贫年度,主要致贫原因,健康状况",
            "甲镇,一村,H1,张一,,户主,未脱贫,,因病,长期慢性病",
            "甲镇,一村,H2,张二,,户主,已脱贫,2019,因残,",
            "乙镇,三村,H3,王一,,户主,已脱贫,2019,因病,"]


@pytest.fixture(scope="module")
def registry_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db, report = conftest.load_lines(tmp_path_factory.mktemp("registry_only"), {"人口.csv": REGISTRY})
    assert report.exit_code == 0
    return db


def infos(at: object) -> list[str]:
    return [i.value for i in at.info]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("page", "kind"), [("rectification", "rectifications"), ("assistance", "interventions")])
def test_a_page_of_a_ledger_never_loaded_says_which_file_to_load(
        registry_only: Path, monkeypatch: pytest.MonkeyPatch, page: str, kind: str) -> None:
    monkeypatch.setenv("FUPIN_DB", str(registry_only))
    at = conftest.open_page(page)
    said = t("empty.not_loaded", "zh", kind=t(f"kind.{kind}", "zh"))
    assert said in infos(at), infos(at)
    assert t("empty.no_match", "zh") not in " ".join(infos(at))
    # no 一户一策 gap list of every household
    assert t("assist.gap", "zh") not in [h.value for h in at.subheader]
    en = conftest.open_page(page, {"lang": "en"})
    assert t("empty.not_loaded", "en", kind=t(f"kind.{kind}", "en")) in infos(en), infos(en)


def tiles(at: object) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}  # type: ignore[attr-defined]


def test_figures_of_a_ledger_never_loaded_are_unknown_not_zero(
        registry_only: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The overview read 帮扶措施覆盖率 0.0%, 未完成整改事项 0项; the health page 随访达标 0.0% with every
    chronic patient on the gap list, and "no household over the line, every claim adds up"."""
    monkeypatch.setenv("FUPIN_DB", str(registry_only))
    at = conftest.open_page()
    shown = tiles(at)
    assert shown["帮扶措施覆盖率"] == "—" and shown["未完成整改事项"] == "—" and shown["逾期整改事项"] == "—", shown
    assert shown["建档立卡户"] == "3户", shown
    kinds = "、".join(t(f"kind.{k}", "zh") for k in ("interventions", "rectifications"))
    assert t("empty.figures_not_loaded", "zh", kinds=kinds) in [c.value for c in at.caption]
    table = at.dataframe[-1].value
    for col in ("帮扶措施覆盖率", "无帮扶措施户"):  # blank, as every missing value
        assert table[col].map(lambda v: v == "" or pd.isna(v)).all(), table
    health = conftest.open_page("health")
    assert tiles(health)[t("insp.health.kpi.compliant", "zh")] == "—"
    assert tiles(health)[t("insp.health.kpi.risks", "zh")] == "—"
    said = infos(health)
    assert t("empty.not_loaded", "zh", kind=t("kind.visits", "zh")) in said, said
    assert t("empty.not_loaded", "zh", kind=t("kind.medical_claims", "zh")) in said, said
    assert not [s.value for s in health.success], [s.value for s in health.success]


def test_a_registry_whose_every_row_was_rejected_says_so_on_every_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every row rejected (no township, village or 户编号): each page read "no data under the current
    filters" with no filter set, and nothing said the registry had brought no household, or why."""
    rows = ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,主要致贫原因",
            ",一村,H1,张一,,户主,未脱贫,因病", "甲镇,,H2,张二,,户主,未脱贫,因病", "甲镇,一村,,张三,,户主,未脱贫,因病"]
    db, report = conftest.load_lines(tmp_path, {"人口.csv": rows})
    assert report.files[0].rows_rejected == 3
    monkeypatch.setenv("FUPIN_DB", str(db))
    for page in ("overview", "causes", "exit_status"):
        at = conftest.open_page(page)
        warned = [w.value for w in at.warning]
        assert t("empty.registry_rejected", "zh", n=3) in warned, (page, warned)
        assert t("empty.no_match", "zh") not in infos(at), page
    en = conftest.open_page("overview", {"lang": "en"})
    assert t("empty.registry_rejected", "en", n=3) in [w.value for w in en.warning]


def test_the_briefing_of_a_county_without_ledgers_finds_no_gap_it_cannot_see(registry_only: Path) -> None:
    """The briefing said "3 户建档立卡户没有任何帮扶措施记录", "没有逾期未完成的整改事项" and "随访合规 0 人（0.0%）"
    of a county whose ledgers were not loaded, and its tiles 0项, 0 / 0项, 0 / 1人."""
    con, _ = snapshot.connect_read(registry_only)
    try:
        d = data_as_of(con)
        html = briefing_html.build(con, Filters(), Viewer(), lang="zh", as_of=d, data_as_of=d)
        k = briefing_html.overview.kpis(con, Filters(), Viewer(), d).iloc[0]
        said = [s for s, _ in briefing_html.findings(con, Filters(), Viewer(), "zh", d, k,
                                                     {"chronic": 1, "compliant": 0}, int(k["no_measure"]),
                                                     briefing_html.Brief("", "", "zh"))]
    finally:
        con.close()
    kinds = "、".join(t(f"kind.{x}", "zh") for x in ("interventions", "rectifications", "visits"))
    assert said[0] == t("empty.figures_not_loaded", "zh", kinds=kinds), said
    for wrong in ("没有任何帮扶措施记录", "逾期", "随访合规"):
        assert not any(wrong in s for s in said), (wrong, said)
    for tile in ("无帮扶措施户", "未完成整改事项", "逾期整改事项", "慢病随访达标"):
        assert re.search(rf'<div class="v">—</div><div[^>]*>{tile}', html), tile


def test_a_first_load_has_no_changes_since_and_no_ledger_has_no_items_since(
        registry_only: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One load: "since" compared the load with itself and read +0户 on every tile (and 0项 found or closed
    without a rectification ledger), beside "只有一次入库记录，尚无可比较的变化"; the briefing made a finding of it."""
    monkeypatch.setenv("FUPIN_DB", str(registry_only))
    at = conftest.open_page()
    shown = tiles(at)
    for tile in ("新增脱贫户（净）", "新增监测对象（净）", "新增返贫户（净）", "新发现整改事项", "已完成整改事项（期间）"):
        assert shown[tile] == "—", (tile, shown)
    captions = [c.value for c in at.caption]
    assert t("since.one", "zh") in captions and not any(c.startswith("基准：") for c in captions), captions
    con, _ = snapshot.connect_read(registry_only)
    try:
        d = data_as_of(con)
        html = briefing_html.build(con, Filters(), Viewer(), lang="zh", as_of=d, data_as_of=d)
    finally:
        con.close()
    assert "+0户" not in html and "以来（户数为净变化）" not in html
    assert t("since.one", "zh") in html


def test_the_exit_page_of_edge_households_only_says_where_its_switch_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only 边缘户: the status section at the top said "可在“统计对象”处切换查看", but it has no switch (it is
    registered households by definition); the switch is in the income section below."""
    rows = ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,主要致贫原因,监测对象类别",
            "甲镇,一村,E1,张一,,户主,,,边缘易致贫户", "甲镇,一村,E2,张二,,户主,,,脱贫不稳定户"]
    db, _ = conftest.load_lines(tmp_path, {"人口.csv": rows})
    monkeypatch.setenv("FUPIN_DB", str(db))
    at = conftest.open_page("exit_status")
    first = infos(at)[0]
    assert first.endswith(t("exit.monitored_below", "zh")), first
    en = conftest.open_page("exit_status", {"lang": "en"})
    assert infos(en)[0].endswith(t("exit.monitored_below", "en")), infos(en)


def test_a_registry_without_other_causes_says_so_not_that_the_filters_match_nothing(
        registry_only: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No 其他致贫原因 column: the co-occurrence section said 当前筛选条件下没有数据 with no filter set."""
    monkeypatch.setenv("FUPIN_DB", str(registry_only))
    at = conftest.open_page("causes")
    said = infos(at)
    assert t("causes.no_other_causes", "zh", population=t("population.registered", "zh")) in said, said
    assert t("empty.no_match", "zh") not in said, said


def test_a_health_page_without_ill_members_does_not_call_them_all_followed_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 因病 household whose members are all 健康, visits loaded: the member list said 当前筛选条件下没有数据
    with no filter set, and the gap list "所有慢性病患者随访达标" of no chronic patient."""
    rows = ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,主要致贫原因,健康状况",
            "甲镇,一村,H1,张一,,户主,未脱贫,因病,健康"]
    visits = ["户编号,走访日期,走访类型", "H1,2020-05-01,入户走访"]
    db, _ = conftest.load_lines(tmp_path, {"人口.csv": rows, "走访.csv": visits})
    monkeypatch.setenv("FUPIN_DB", str(db))
    at = conftest.open_page("health")
    said = infos(at)
    assert t("insp.health.members_none", "zh") in said and t("insp.health.no_chronic", "zh") in said, said
    assert t("empty.no_match", "zh") not in said, said
    assert t("insp.health.gaps_none", "zh") not in [s.value for s in at.success]


def test_the_exit_years_of_a_county_where_nobody_exited_say_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One household, not exited, not monitored: 分年度脱贫户数 and 监测对象与返贫户 read 当前筛选条件下没有数据
    with no filter set."""
    rows = ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,主要致贫原因", "甲镇,一村,H1,张一,,户主,未脱贫,因病"]
    db, _ = conftest.load_lines(tmp_path, {"人口.csv": rows})
    monkeypatch.setenv("FUPIN_DB", str(db))
    said = infos(conftest.open_page("exit_status"))
    assert t("exit.none_exited", "zh") in said and t("exit.no_monitored", "zh") in said, said


def test_the_visit_list_of_a_county_without_ledgers_says_why_every_household_lacks_them(
        registry_only: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every household was listed 无帮扶措施、30天内未走访 and scored for it, with nothing saying that the
    measure and visit ledgers were simply not loaded."""
    monkeypatch.setenv("FUPIN_DB", str(registry_only))
    at = conftest.open_page("visits")
    warned = [w.value for w in at.warning]
    said = t("visits.ledger_missing", "zh", kinds="帮扶措施、走访记录", reasons="无帮扶措施、30天内未走访")
    assert said in warned, warned


def test_without_visits_the_visit_check_is_not_counted_and_the_page_says_so(
        registry_only: Path, fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No visits ledger: the check 30天内走访 failed for every household, the score read 46.9% and every
    household's defects listed it, a gap in what was loaded rather than in the archive. It is left out
    (required and passed 0, no defect row) and the page says so. A county with visits: counted, not said."""
    con, _ = snapshot.connect_read(registry_only)
    try:
        as_of = data_as_of(con)
        assert "visit" not in quality.applicable(con)
        towns = quality.completeness(con, Filters(), Viewer(), as_of).set_index("township")
        listed = quality.defects(con, Filters(), Viewer(), as_of)
    finally:
        con.close()
    # 甲镇 (H1, H2): id 2, health 2 (H1's), labour 2, housing 2, water 2, doctor 1 (H1 chronic), income 2
    assert towns.loc["甲镇", ["required", "passed", "req_visit", "ok_visit"]].tolist() == [13, 1, 0, 0]
    assert towns.loc["乙镇", ["required", "passed"]].tolist() == [6, 0]
    assert "visit" not in set(listed["rule"]) and {"income", "id"} <= set(listed["rule"])
    note = t("empty.no_visits_check", "zh", days=30)
    assert "30天内走访" in note
    monkeypatch.setenv("FUPIN_DB", str(registry_only))
    at = conftest.open_page("quality")
    assert note in infos(at)
    assert tiles(at)[t("insp.quality.kpi.score", "zh")] == "5.3%"  # 1 of 19 (it read 1 of 22: 4.5%)
    monkeypatch.setenv("FUPIN_DB", str(fixture_db))
    assert note not in infos(conftest.open_page("quality"))
    con, _ = snapshot.connect_read(fixture_db)
    try:
        assert "visit" in quality.applicable(con)
        towns = quality.completeness(con, Filters(), Viewer(), data_as_of(con))
        assert (towns["req_visit"] == towns["households"]).all()
    finally:
        con.close()


def test_the_incidence_tile_without_a_population_base_says_so(
        registry_only: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No population base: the incidence tile's basis read 依据：乡村人口–人."""
    monkeypatch.setenv("FUPIN_DB", str(registry_only))
    at = conftest.open_page("inspection_rates")
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert any(t("rates.sample.incidence_no_base", "zh", households=0, people=0) in v for v in texts), texts
    assert not any("乡村人口–人" in v for v in texts)


def briefing(db: Path) -> str:
    con, _ = snapshot.connect_read(db)
    try:
        d = data_as_of(con)
        return briefing_html.build(con, Filters(), Viewer(), lang="zh", as_of=d, data_as_of=d)
    finally:
        con.close()


def test_a_briefing_says_out_of_none_is_no_figure_and_why_it_has_no_household(tmp_path: Path) -> None:
    """A rectification ledger with no closed item and no chronic patient: the briefing's tiles read
    "0 / 0项" and "0 / 0人". A registry whose every row was rejected: "当前范围和筛选条件下没有农户" with no filter."""
    files = {"人口.csv": ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,主要致贫原因",
                          "甲镇,一村,H1,张一,,户主,未脱贫,因病", ",一村,H2,张二,,户主,未脱贫,因病"],
             "走访.csv": ["户编号,走访日期,走访类型", "H1,2020-05-01,入户走访"],
             "整改.csv": ["问题编号,乡(镇),问题描述,责任单位,发现日期,整改时限,整改状态",
                          "R1,甲镇,档案缺页,甲镇政府,2020-06-01,2020-06-10,未整改"]}
    (tmp_path / "one").mkdir()
    db, _ = conftest.load_lines(tmp_path / "one", files)
    html = briefing(db)
    for tile in ("按期完成整改事项", "慢病随访达标"):
        assert re.search(rf'<div class="v">—</div><div[^>]*>{tile}', html), tile
    assert "0 / 0" not in html
    (tmp_path / "none").mkdir()
    db, _ = conftest.load_lines(tmp_path / "none", {"人口.csv": [files["人口.csv"][0], files["人口.csv"][2]]})
    assert t("empty.registry_rejected", "zh", n=1) in briefing(db)


def test_a_rate_without_a_sample_says_so_not_0_of_0(registry_only: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No household checks: the three rates' tiles read 依据：0 / 0人（0户） and 依据：0 / 0户作答 under "—"."""
    monkeypatch.setenv("FUPIN_DB", str(registry_only))
    at = conftest.open_page("inspection_rates")
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert sum(t("rates.sample.none", "zh") in v for v in texts) == 3, texts
    assert not any("0 / 0" in v for v in texts), texts


def test_the_overview_table_with_unknown_figures_still_downloads(
        registry_only: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The blanked coverage column broke the CSV (Unknown format code '%' for object of type 'str'): the
    download button never delivered a file."""
    from tests.test_extract import _deferred_files

    monkeypatch.setenv("FUPIN_DB", str(registry_only))
    files = _deferred_files(conftest.open_page())
    name = next(n for n in files if n.startswith("分乡镇") and n.endswith(".csv"))
    lines = files[name]().decode("utf-8-sig").splitlines()  # type: ignore[operator]
    header = lines[0].split(",")
    assert "帮扶措施覆盖率" in header and len(lines) == 3, lines
    assert {line.split(",")[header.index("帮扶措施覆盖率")] for line in lines[1:]} == {""}, lines


def test_claims_all_outside_the_registry_are_not_called_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A claims file whose every 户编号 is in no registry file: the health page said 没有医疗报销记录."""
    files = {"人口.csv": REGISTRY,
             "报销.csv": ["户编号,证件号码,入院日期,医疗机构,总费用,基本医保报销,大病保险报销,医疗救助,其他保障,个人自付",
                          "X9,,2020-03-01,旗医院,1000,600,0,0,0,400"]}
    db, _ = conftest.load_lines(tmp_path, files)
    monkeypatch.setenv("FUPIN_DB", str(db))
    at = conftest.open_page("health")
    captions = [c.value for c in at.caption]
    assert t("insp.health.claims_outside", "zh") in captions, captions
    assert t("insp.health.claims_none", "zh") not in captions


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_briefing_without_visits_says_its_completeness_leaves_the_visit_check_out(
        registry_only: Path, fixture_db: Path, lang: str) -> None:
    """The quality page says the check 30天内走访 is not counted before a visits ledger holds a row; the
    briefing gave the same 档案完整率 (5.3%, not "—") with nothing saying so. A county with visits: not said."""
    note = t("empty.no_visits_check", lang, days=30)
    for db, said in ((registry_only, True), (fixture_db, False)):
        con, _ = snapshot.connect_read(db)
        try:
            d = data_as_of(con)
            html = briefing_html.build(con, Filters(), Viewer(), lang=lang, as_of=d, data_as_of=d)
        finally:
            con.close()
        assert (briefing_html.esc(note) in html) is said, db
