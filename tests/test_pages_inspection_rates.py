"""AppTest of the 三率一度 page on the fixture county with the hand-computed self-check of
tests/test_inspection_rates.py: the four figures as computed there, coloured pass/fail, with a township
filter, for a township user, with a filter that matches nothing, in English."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl.load import load_files
from tests import conftest
from tests.conftest import build_fixture_db
from tests.test_inspection_rates import BASE, CHECKS, HEADER
from ui import auth

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/inspection_rates.py"


@pytest.fixture(scope="module")
def rates_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rates_page")
    path = build_fixture_db(root / "data" / "fupin.duckdb")
    (root / "base.csv").write_text("\n".join(BASE) + "\n", encoding="utf-8")
    (root / "checks.csv").write_text("\n".join([HEADER, *CHECKS]) + "\n", encoding="utf-8")
    assert load_files([root / "base.csv", root / "checks.csv"], db=path).exit_code == 0
    return path


@pytest.fixture()
def env(rates_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FUPIN_DB", str(rates_db))
    monkeypatch.setenv("FUPIN_USERS", str(tmp_path / "no-users.yaml"))
    monkeypatch.setenv("FUPIN_EXTRACT_LOG", str(tmp_path / "extract_log.jsonl"))
    return rates_db


def open_page(params: dict[str, str] | None = None, at: AppTest | None = None) -> AppTest:
    if at is None:
        at = conftest.open_page("overview", dict(params or {}))
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_the_four_figures_as_computed_by_hand(env: Path) -> None:
    at = open_page()
    assert at.title[0].value.startswith("三率一度")
    assert tiles(at) == {"综合贫困发生率": "25.2%", "脱贫人口错退率": "9.1%", "贫困人口漏评率": "25.0%",
                         "群众认可度": "72.7%"}
    assert markdown(at).count(":red-badge[不达标]") == 4
    # each verdict says its line and how far the figure is from it, in words that wrap (a delta chip
    # with "相对否决线" beside it was cut to "相…" in four tiles on a 1280-pixel screen)
    assert ":red-badge[不达标] 否决线 ≤ 2%，高于线7.1个百分点" in markdown(at)
    assert ":red-badge[不达标] 否决线 ≥ 90%，低于线17.3个百分点" in markdown(at)
    assert not [m for m in at.metric if m.delta]
    captions = "\n".join(c.value for c in at.caption)
    assert "依据：1 / 11人（6户）" in captions and "依据：8 / 11户作答" in captions
    # the incidence tile's sample (11 + 16 people) says which rates rest on too few people
    assert ":orange[脱贫人口错退率（11人）、贫困人口漏评率（16人）的样本不足30人，综合贫困发生率仅供参考]" in captions
    assert "依据：1 / 11人（6户）" in captions and ":orange[样本不足30户，仅供参考]" in captions
    assert "1个村没有人口基数" in captions  # 温更嘎查
    towns = next(d.value for d in at.dataframe if "综合贫困发生率" in d.value.columns and "乡(镇)" in d.value.columns)
    assert list(towns["乡(镇)"]) == ["乌加河镇", "德岭山镇", "呼勒斯太苏木"]  # failing first
    wrong = next(d.value for d in at.dataframe if "计入类别" in d.value.columns)
    assert list(wrong["户编号"]) == ["H02"] and list(wrong["户主"]) == ["王*英"]  # masked
    assert len(at.get("download_button")) >= 10


def test_township_filter_passes_and_nothing_matches(env: Path) -> None:
    at = open_page({"town": "德岭山镇"})
    assert tiles(at) == {"综合贫困发生率": "0.5%", "脱贫人口错退率": "0.0%", "贫困人口漏评率": "0.0%",
                         "群众认可度": "100.0%"}
    # each within its line, but on 4-7 people or households every 95% interval holds the line: the tiles
    # say so as the charts' orange bars do (a plain 达标 beside them; a browser review)
    assert markdown(at).count(":orange-badge[达标（样本未能确认）]") == 4
    assert ":green-badge[达标]" not in markdown(at)
    assert sum("95%区间跨过否决线" in c.value for c in at.caption) == 4
    figs = next(d.value for d in at.dataframe if "指标" in d.value.columns and "结论" in d.value.columns)
    assert set(figs["结论"]) == {"达标（样本未能确认）"}
    none = open_page({"town": "呼勒斯太苏木", "cause": "因灾"})
    assert not none.metric and any("没有" in str(i.value) for i in none.info)


def test_household_filter_note_and_english(env: Path) -> None:
    at = open_page({"cause": "因病"})
    assert tiles(at)["综合贫困发生率"] == "—" and tiles(at)["群众认可度"] == "66.7%"
    assert any("不计算" in str(i.value) for i in at.info)
    # a figure not computed carries no "indicative only" (it read as if a figure were there; a probe)
    assert not any("综合贫困发生率仅供参考" in c.value for c in at.caption)
    # the incidence's numerator is whole people (1,963.556 read as a mistake)
    figs = next(d.value for d in open_page().dataframe if "分子" in d.value.columns and "指标" in d.value.columns)
    assert figs["分子"].dropna().map(float.is_integer).all()
    en = open_page({"lang": "en", "town": "乌加河镇"})
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en.title[0].value)
    assert set(tiles(en)) == {"Poverty incidence", "Wrong-exit rate", "Missed-poor rate", "Public approval"}


def test_a_township_user_sees_only_their_township(env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    users = tmp_path / "users.yaml"
    auth.add_user(users, "dls", "Dls-password-1", "township", ["德岭山镇"], rounds=4)
    monkeypatch.setenv("FUPIN_USERS", str(users))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["town"] = "乌加河镇"  # outside the scope: dropped, never widened
    at.run()
    at.text_input(key="auth_username").input("dls")
    at.text_input(key="auth_password").input("Dls-password-1")
    next(b for b in at.button if b.label in ("登录", "Log in")).click().run()
    at = open_page(at=at)
    assert tiles(at)["综合贫困发生率"] == "0.5%" and tiles(at)["群众认可度"] == "100.0%"
    for d in at.dataframe:
        if "乡(镇)" in d.value.columns:
            assert set(d.value["乡(镇)"]) <= {"德岭山镇"}, d.value["乡(镇)"]


def test_planner_shows_its_seed_and_draws_again(env: Path) -> None:
    at = open_page({"town": "乌加河镇"})
    assert any("随机种子 **2020**" in m.value for m in at.markdown)
    plan = next(d.value for d in at.dataframe if "入样概率" in d.value.columns)
    assert set(plan["乡(镇)"]) == {"乌加河镇"} and {"脱贫户", "一般农户"} <= set(plan["类别"])
    assert any(b.label == "下载入户核查表（Excel）" for b in at.get("download_button"))
    at.number_input(key="plan_seed").set_value(7).run()
    assert any("随机种子 **7**" in m.value for m in at.markdown)
    again = next(d.value for d in at.dataframe if "入样概率" in d.value.columns)
    at.number_input(key="plan_seed").set_value(2020).run()
    assert next(d.value for d in at.dataframe if "入样概率" in d.value.columns).equals(plan)  # reproducible
    assert len(again) > 0


def test_a_place_without_checks_says_its_verdict_is_borrowed(demo_env: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A township with no household checked (the demo's 海流图镇) shows the whole area's rates: its verdict
    says so first, rather than a bare 达标 beside 核查户数 0 (or 达标 followed by the fact)."""
    monkeypatch.setenv("FUPIN_USERS", str(tmp_path / "no-users.yaml"))
    monkeypatch.setenv("FUPIN_EXTRACT_LOG", str(tmp_path / "extract_log.jsonl"))
    at = open_page()
    towns = next(d.value for d in at.dataframe if "综合贫困发生率" in d.value.columns and "乡(镇)" in d.value.columns)
    none, some = towns[towns["核查户数"] == 0], towns[towns["核查户数"] > 0]
    assert "海流图镇" in set(none["乡(镇)"])
    assert all(v.startswith("本地无核查户（借用上级范围的率：") for v in none["结论"])  # the fact before 达标
    assert not some.empty and not any("借用" in v for v in some["结论"])


def test_the_period_is_two_dates_that_fit_the_sidebar(env: Path) -> None:
    """Two date inputs, not one range (the range was cut to "2020/01/01 – 2020/12/3" in the sidebar): the
    year of the latest check by default; a later start leaves out the earlier checks; dates typed the
    other way round are taken in order."""
    from datetime import date

    at = open_page()
    assert (at.date_input(key="rates_from").value, at.date_input(key="rates_to").value) == (
        date(2020, 1, 1), date(2020, 12, 31))
    assert tiles(at)["群众认可度"] == "72.7%"  # 8 of 11 answering, both days
    at.date_input(key="rates_from").set_value(date(2020, 6, 23)).run()
    assert tiles(at)["群众认可度"] == "100.0%"  # 4 of 4 answering on the 23rd
    at.date_input(key="rates_from").set_value(date(2020, 12, 31))
    at.date_input(key="rates_to").set_value(date(2020, 6, 23)).run()
    assert not at.exception
    assert tiles(at)["群众认可度"] == "100.0%"


def test_a_verdict_says_how_far_from_its_line_without_rounding_it_away(env: Path) -> None:
    """"… 低于线0.0个百分点" would read as on the line: a gap under 0.05 points keeps two decimals. The
    fixture's 错退率 is 1/11 = 9.0909%; a line of 9.1% leaves it 0.009 points below."""
    at = open_page()
    at.number_input(key="rates_line_wrong_exit").set_value(9.1).run()
    assert ":orange-badge[达标（样本未能确认）] 否决线 ≤ 9.1%，低于线0.01个百分点" in markdown(at)  # 1 of 11
    at.number_input(key="rates_line_wrong_exit").set_value(9.0).run()
    assert ":red-badge[不达标] 否决线 ≤ 9%，高于线0.1个百分点" in markdown(at)  # 0.09 points: one decimal
