"""The self-check sample planner (queries.inspection_plan) and its Excel check form (ui.check_form):
systematic PPS by hand, reproducibility, scope, and the round trip planner → form → filled in → loaded
→ the figures change. The form is read back with calamine and filled in with xlsxwriter (openpyxl is not
a dependency); its drop-down lists are read from the sheet's XML."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from etl import snapshot
from etl.derive_cells import DRAW_PRIME, seed_draw
from etl.load import load_files
from queries import inspection_plan as p
from queries import inspection_rates as q
from queries.filters import Filters, Viewer
from tests.conftest import build_fixture_db
from ui import check_form

V = Viewer()


def frame(sizes: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"township": ["甲镇"] * len(sizes), "village": [f"村{i}" for i in range(len(sizes))],
                         "size": sizes})


def test_systematic_pps_by_hand() -> None:
    """Sizes 10, 20, 30, 40 (total 100), two villages: interval 50, start u in [0, 50) from the seed;
    the points u and u + 50 fall in the cumulated sizes 10 | 30 | 60 | 100."""
    f = frame([10, 20, 30, 40])
    import random

    u = random.Random("pps:7").uniform(0, 50)
    cum = [10, 30, 60, 100]
    expected = [next(i for i, c in enumerate(cum) if c >= point) for point in (u, u + 50)]
    drawn = p.pps_villages(f, 2, 7)
    assert list(drawn["village"]) == [f"村{i}" for i in expected]
    assert list(drawn["inclusion"]) == [pytest.approx(2 * f["size"][i] / 100) for i in expected]
    assert list(drawn["village_draw"]) == [1, 2]
    # the same seed draws the same villages; over many seeds a village is drawn in proportion to its size
    assert p.pps_villages(f, 2, 7).equals(drawn)
    counts = pd.Series([v for s in range(2000) for v in p.pps_villages(f, 1, s)["village"]]).value_counts()
    assert counts["村3"] / 2000 == pytest.approx(0.4, abs=0.04) and counts["村0"] / 2000 == pytest.approx(0.1, abs=0.03)


def test_large_villages_are_certain() -> None:
    drawn = p.pps_villages(frame([500, 10, 20, 30, 40]), 3, 1)
    assert drawn.iloc[0]["village"] == "村0" and drawn.iloc[0]["certain"] and drawn.iloc[0]["inclusion"] == 1
    assert len(drawn) == 3 and drawn["village"].is_unique
    assert len(p.pps_villages(frame([1, 2]), 5, 1)) == 2  # never more villages than there are
    assert p.pps_villages(frame([1, 2]), 0, 1).empty


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plan")
    path = build_fixture_db(root / "data" / "fupin.duckdb")
    (root / "base.csv").write_text("年度,乡(镇),行政村,乡村户数,乡村人口\n2020,乌加河镇,联丰奋斗村,300,800\n"
                                   "2020,乌加河镇,红旗村,200,500\n2020,德岭山镇,兴丰村,220,600\n", encoding="utf-8")
    assert load_files([root / "base.csv"], db=path).exit_code == 0
    return path


@pytest.fixture()
def con(db: Path):
    c, _ = snapshot.connect_read(db)
    yield c
    c.close()


def test_plan_groups_and_reproducibility(con: duckdb.DuckDBPyConnection) -> None:
    f = p.village_frame(con, Filters(), V)
    assert dict(zip(f["village"], f["size"], strict=True)) == {
        "联丰奋斗村": 300, "红旗村": 200, "兴丰村": 220, "胜利村": 2, "温更嘎查": 2}  # 胜利村, 温更嘎查: registry
    assert list(f["township"]) == ["乌加河镇", "乌加河镇", "德岭山镇", "德岭山镇", "呼勒斯太苏木"]  # place order
    spec = p.PlanSpec(seed=11, villages=5, exited_share=0.5, not_exited_cap=1, edge_cap=1, ordinary=2)
    plan = p.plan(con, Filters(), V, spec)
    assert plan.equals(p.plan(con, Filters(), V, spec))
    lf = plan[plan["village"] == "联丰奋斗村"]
    assert list(lf["group"]) == ["脱贫户", "边缘户", "一般农户", "一般农户"]  # H01/H02: half; H11 the edge one
    assert lf["household_id"].iloc[1] == "H11"
    hq = plan[plan["village"] == "红旗村"]
    assert list(hq["group"]) == ["脱贫户", "未脱贫户", "一般农户", "一般农户"]
    assert list(hq["household_id"][:2]) == ["H04", "H03"]
    assert plan["head_name"].dropna().str.contains(r"\*").all()  # masked
    assert not p.plan(con, Filters(), Viewer(pii=True), spec)["head_name"].dropna().str.contains(r"\*").any()
    other = p.plan(con, Filters(), V, p.PlanSpec(seed=12, villages=2))
    assert set(other["village"]) <= set(f["village"])


def draw_order(con: duckdb.DuckDBPyConnection, seed: int) -> dict[str, tuple[int, int]]:
    """Each household's place in the seeded draw, worked out here: (a × draw_hash + b) mod (2^31 − 1),
    a and b from md5(seed), then place order (seq)."""
    a, b = seed_draw(seed)
    return {h: ((d * a + b) % DRAW_PRIME, q) for h, d, q in
            con.execute("SELECT household_id, draw_hash, seq FROM hh_facts").fetchall()}


def test_each_group_is_in_the_seeded_draw_order(con: duckdb.DuckDBPyConnection) -> None:
    """The documented draw order, the visits page's sample's: the same as computed here by hand."""
    spec = p.PlanSpec(seed=2021, villages=5, exited_share=1.0, not_exited_cap=99, edge_cap=99)
    plan = p.plan(con, Filters(), Viewer(pii=True), spec).dropna(subset=["household_id"])
    order = draw_order(con, 2021)
    assert len(plan) > 10
    for _, g in plan.groupby(["village", "group"]):
        ids = list(g.sort_values("draw")["household_id"])
        assert ids == sorted(ids, key=order.__getitem__)
        assert list(g["draw"]) == list(range(1, len(g) + 1))
    # another seed, another order (the five villages are all there are: the same households)
    other = p.plan(con, Filters(), Viewer(pii=True), p.PlanSpec(**{**spec.__dict__, "seed": 7}))
    assert list(other["household_id"].dropna()) != list(plan["household_id"])
    assert set(other["household_id"].dropna()) == set(plan["household_id"])


def test_exited_households_stop_at_the_cap_in_draw_order(con: duckdb.DuckDBPyConnection) -> None:
    """A village's 脱贫户 are its share, at most `exited_cap`: the first of all its 脱贫户 in the seeded draw
    order (a share of a 3,000-household village's was 600 rows of one village's form)."""
    exited = con.execute("SELECT township, village, household_id FROM hh_facts WHERE registered AND "
                         "exit_status = '已脱贫'").df()
    full = exited.groupby(["township", "village"]).size()
    assert full.max() >= 2  # a village with more 脱贫户 than the cap below
    plan = p.plan(con, Filters(), Viewer(pii=True), p.PlanSpec(seed=5, villages=5, exited_share=1.0, exited_cap=1))
    got = plan[plan["group"] == "脱贫户"]
    order = draw_order(con, 5)
    for (town, village), ids in exited.groupby(["township", "village"])["household_id"]:
        first = sorted(ids, key=order.__getitem__)[:1]
        taken = got[(got["township"] == town) & (got["village"] == village)]
        if len(taken):
            assert list(taken["household_id"]) == first and list(taken["draw"]) == [1]
    assert len(got) > 0 and got.groupby("village").size().max() == 1
    # under the cap the share decides, as before: half of a village's 脱贫户, rounded up
    half = p.plan(con, Filters(), V, p.PlanSpec(seed=5, villages=5, exited_share=0.5, exited_cap=200))
    sizes = half[half["group"] == "脱贫户"].groupby(["township", "village"]).size()
    assert all(n == -(-full[key] // 2) for key, n in sizes.items())


def test_plan_scope_and_hostile_values(con: duckdb.DuckDBPyConnection) -> None:
    mine = p.plan(con, Filters(), Viewer(townships=("德岭山镇",)), p.PlanSpec(villages=10))
    assert set(mine["township"]) == {"德岭山镇"}
    assert p.plan(con, Filters(townships=("乌加河镇",)), Viewer(townships=("德岭山镇",))).empty
    for value in ("' OR 1=1 --", "'; DROP TABLE households; --"):
        assert p.plan(con, Filters(townships=(value,)), V).empty
        assert p.village_frame(con, Filters(villages=(value,)), Viewer(townships=(value,))).empty
    assert len(p.village_frame(con, Filters(), V)) == 5


def test_round_trip_planner_form_upload_rates(db: Path, tmp_path: Path) -> None:
    c, _ = snapshot.connect_read(db)
    try:
        plan = p.plan(c, Filters(townships=("乌加河镇",)), V, p.PlanSpec(seed=3, villages=2, exited_share=1.0,
                                                                         ordinary=1))
        assert q.rates(c, Filters(townships=("乌加河镇",)), V).iloc[0]["checked_households"] == 0
    finally:
        c.close()
    form = tmp_path / "form.xlsx"
    form.write_bytes(check_form.form_bytes(plan, ["随机种子 3"], with_names=False))
    book = CalamineWorkbook.from_path(str(form))
    assert book.sheet_names == ["填表说明", "入户核查表"]
    rows = book.get_sheet_by_name("入户核查表").to_python()
    assert tuple(rows[0]) == check_form.HEADERS
    with zipfile.ZipFile(form) as z:
        sheet = z.read("xl/worksheets/sheet2.xml").decode("utf-8")
    lists = re.findall(r"<formula1>\"(.*?)\"</formula1>", sheet)
    assert {"认可,不认可,说不清", "脱贫户,未脱贫户,边缘户,一般农户", "是,否"} <= set(lists)
    assert "正常,错退,漏评,错评,疑似错退,疑似漏评,疑似错评" in lists
    assert 'type="date"' in sheet and 'sqref="A2:' in sheet
    body = rows[1:len(plan) + 1]
    col = {h: i for i, h in enumerate(check_form.HEADERS)}
    assert [r[col["户编号"]] for r in body if r[col["户编号"]]] == [h for h in plan["household_id"] if isinstance(h, str)]
    assert all(r[col["户主姓名"]] == "" for r in body)  # no names for a viewer without the right
    filled = tmp_path / "filled.xlsx"
    wb = xlsxwriter.Workbook(str(filled))
    ws = wb.add_worksheet("入户核查表")
    ws.write_row(0, 0, check_form.HEADERS)
    for n, r in enumerate(body, start=1):  # fill it in: every exited household wrongly exited
        r = list(r)
        for item in check_form.HEADERS[9:15]:
            r[col[item]] = "是"
        r[col["核查结论"]] = "疑似错退" if r[col["户类型"]] == "脱贫户" else "正常"
        r[col["是否认可"]], r[col["调查人"]] = "认可", "自查组"
        if r[col["户类型"]] == "一般农户":
            r[col["户主姓名"]], r[col["家庭人口"]] = f"农户{n}", 3
        ws.write_row(n, 0, r)
        ws.write_datetime(n, col["调查日期"], datetime(2020, 7, 1))
    wb.close()
    report = load_files([filled], db=db)
    assert report.exit_code == 0 and report.files[0].kind == "household_checks"
    assert report.files[0].rows_loaded == len(plan) and report.files[0].rows_rejected == 0
    c, _ = snapshot.connect_read(db)
    try:
        r = q.rates(c, Filters(townships=("乌加河镇",)), V).iloc[0]
        assert r["checked_households"] == len(plan)
        assert r["wrong_exit_rate"] == 1.0 and r["approval_rate"] == 1.0
        assert set(q.cases(c, Filters(), V, "wrong_exit")["household_id"]) == set(
            plan.loc[plan["group"] == "脱贫户", "household_id"])
    finally:
        c.close()


def test_the_check_form_speaks_the_user_s_language_where_it_is_not_read_back(db: Path, tmp_path: Path) -> None:
    """The English form's cover sheet was 填表说明 and its drop-down and date prompts Chinese, written in the
    module instead of the label table (a probe). Its headers, the 入户核查表 sheet and the lists' values stay
    Chinese: the loader reads them back."""
    from labels import t

    c, _ = snapshot.connect_read(db)
    try:
        plan = p.plan(c, Filters(townships=("乌加河镇",)), V, p.PlanSpec(seed=3, villages=1, exited_share=1.0))
    finally:
        c.close()
    for lang in ("en", "zh"):
        form = tmp_path / f"form_{lang}.xlsx"
        form.write_bytes(check_form.form_bytes(plan, ["seed 3"], with_names=False, lang=lang))
        book = CalamineWorkbook.from_path(str(form))
        assert book.sheet_names == [t("rates.plan.form.cover", lang), "入户核查表"]
        assert tuple(book.get_sheet_by_name("入户核查表").to_python()[0]) == check_form.HEADERS
        with zipfile.ZipFile(form) as z:
            sheet = z.read("xl/worksheets/sheet2.xml").decode("utf-8")
        assert f'error="{t("rates.plan.form.pick", lang)}"' in sheet
        assert f'prompt="{t("rates.plan.form.date_hint", lang)}"' in sheet
        assert "脱贫户,未脱贫户,边缘户,一般农户" in sheet
