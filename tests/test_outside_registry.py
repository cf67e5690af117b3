"""Ledger rows of households no registry file placed (a probe with unseen files: a mistyped 户编号 on a
claim took its money out of every figure without a word). They stay loaded; the data page lists them on
request (a township user: the rectification items their ledger places in the township). Real files
through the real loader, the real page."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import snapshot
from etl.keys import outside_keys
from queries import data_admin
from queries.filters import PUBLIC, Viewer
from tests import conftest

FILES = {
    "registry.csv": ["乡镇,行政村,户编号,姓名,证件号码,与户主关系",
                     "乌加河镇,联丰奋斗村,H1,张三春,150824196001010118,户主",
                     "德岭山镇,兴丰村,H2,王五,,户主"],
    # H9 is in no registry file: a typo of H1's number, twice, and once in the visits
    "claims.csv": ["户编号,总费用,个人自付,入院日期", "H1,3000,300,2020-05-01", "H9,1000,100,2020-05-02",
                   "H9,2000,200,2020-05-03"],
    "visits.csv": ["户编号,走访日期,走访类型", "H2,2020-06-20,入户走访", "H9,2020-06-21,入户走访"],
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db, report = conftest.load_lines(tmp_path_factory.mktemp("outside"), FILES)
    assert report.exit_code == 0
    return db


def test_the_rows_of_households_outside_the_registry_are_listed(db: Path) -> None:
    con, _ = snapshot.connect_read(db)
    try:
        rows = data_admin.outside_registry(con, PUBLIC)
        assert rows[["kind", "household_id", "rows", "first_line", "file_name"]].values.tolist() == [
            ["medical_claims", "H9", 2, 3, "claims.csv"], ["visits", "H9", 1, 3, "visits.csv"]]
        assert data_admin.outside_registry(con, Viewer(townships=("乌加河镇",))).empty  # no township to scope
    finally:
        con.close()


def test_the_outside_keys_counted_in_blocks_are_those_of_an_anti_join(tmp_path: Path) -> None:
    """The keys of no registry household are found by comparing both tables' keys per block: for any
    block size, the same keys as the plain anti-join, with registry keys between outside ones."""
    files = {"registry.csv": FILES["registry.csv"], "claims.csv": FILES["claims.csv"],
             "registry_b.csv": ["乡镇,行政村,户编号,姓名,证件号码,与户主关系", "呼勒斯太苏木,温更嘎查,H3,李四,,户主"],
             "visits.csv": ["户编号,走访日期,走访类型", "H8,2020-06-21,入户走访", "H3,2020-06-22,入户走访"]}
    db, report = conftest.load_lines(tmp_path, files)
    assert report.exit_code == 0
    con, _ = snapshot.connect_read(db)
    try:
        truth = {r[0] for r in con.execute(
            "SELECT hk FROM household_keys WHERE hk NOT IN (SELECT hk FROM households)").fetchall()}
        keys = sorted(r[0] for r in con.execute("SELECT hk FROM household_keys").fetchall())
        assert len(truth) >= 2 and min(truth) < max(set(keys) - truth) < max(truth)  # registry keys between
        for block in (1, 2, 3, 4096):
            found = outside_keys(con, block)
            assert found is not None and {r[0] for r in con.execute(*found).fetchall()} == truth
        rows = data_admin.outside_registry(con, PUBLIC)
        assert rows[["kind", "household_id", "rows"]].values.tolist() == [["medical_claims", "H9", 2], ["visits", "H8", 1]]
    finally:
        con.close()
    # every household placed: no block differs, nothing to list
    (tmp_path / "all").mkdir()
    db2, _ = conftest.load_lines(tmp_path / "all", {"registry.csv": FILES["registry.csv"]})
    con, _ = snapshot.connect_read(db2)
    try:
        assert outside_keys(con) is None and data_admin.outside_registry(con, PUBLIC).empty
    finally:
        con.close()


def test_the_data_page_lists_them_on_request(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_DB", str(db))
    at = conftest.open_page("data_admin")
    assert not [d for d in at.dataframe if "首行行号" in d.value.columns]  # not on every run
    at.button(key="data_outside").click().run()
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "首行行号" in d.value.columns)
    assert list(shown["户编号"]) == ["H9", "H9"] and list(shown["行数"]) == [2, 1]


def test_the_load_summary_says_how_many_rows_no_figure_counts(tmp_path: Path) -> None:
    """The load that writes them says so, counted after every file of the load: ledgers given before the
    registry that places their households are not reported."""
    ordered = {"claims.csv": FILES["claims.csv"], "visits.csv": FILES["visits.csv"], "registry.csv": FILES["registry.csv"]}
    _, report = conftest.load_lines(tmp_path, ordered)
    lines, _ = report.summary_lines()
    notes = [line for line in lines if "不在已导入的贫困人口信息中" in line]
    assert notes == ["  其中2行的户编号不在已导入的贫困人口信息中，不计入按乡镇、村的统计（“数据管理”页可列出）。",
                     "  其中1行的户编号不在已导入的贫困人口信息中，不计入按乡镇、村的统计（“数据管理”页可列出）。"]
    assert [f.outside_registry for f in report.files] == [2, 1, 0]
    assert report.files[0].to_json()["outside_registry"] == 2
    # the same claims after a registry that has H9: nothing to say
    fixed = {"registry2.csv": [*FILES["registry.csv"], "德岭山镇,兴丰村,H9,赵六,,户主"],
             "claims2.csv": [*FILES["claims.csv"], "H9,500,50,2020-05-04"]}
    _, again = conftest.load_lines(tmp_path, fixed)
    assert [f.outside_registry for f in again.files] == [0, 0]


def test_an_id_number_typed_as_the_household_number_is_masked_without_personal_data_rights(tmp_path: Path) -> None:
    """A clerk's slip: a visit filed under the person's ID number instead of the 户编号. The list of rows
    outside the registry showed 150824197308203293 in full to a leader without personal-data rights (a
    privacy probe); it is masked as an ID is, and shown to a viewer with the rights. A household number
    that is no valid ID number (H9) stays as written."""
    files = {"registry.csv": FILES["registry.csv"],
             "visits.csv": ["户编号,走访日期,走访类型", "150824196001010118,2020-06-21,入户走访", "H9,2020-06-22,入户走访"]}
    db, report = conftest.load_lines(tmp_path, files)
    assert report.exit_code == 0
    con, _ = snapshot.connect_read(db)
    try:
        public = sorted(data_admin.outside_registry(con, PUBLIC)["household_id"])
        allowed = sorted(data_admin.outside_registry(con, Viewer(pii=True))["household_id"])
    finally:
        con.close()
    assert public == ["150824********0118", "H9"]
    assert allowed == ["150824196001010118", "H9"]


def test_rows_outside_the_registry_do_not_date_the_data(tmp_path: Path) -> None:
    """H9's visit of 2020-06-21 is the latest event, but H9 is in no registry file: the data is as of
    H2's visit, 2020-06-20 (one such visit dated 2020-11-01 turned a county's items overdue and failed
    every household's visit check: a probe). A registry that lists H9 makes its visit count, and says so."""
    from etl.load import load_files
    from queries.meta import data_as_of

    db, _ = conftest.load_lines(tmp_path, FILES)
    con, _ = snapshot.connect_read(db)
    try:
        assert str(data_as_of(con)) == "2020-06-20"
    finally:
        con.close()
    (tmp_path / "r2.csv").write_text("乡镇,行政村,户编号,姓名,证件号码,与户主关系\n德岭山镇,兴丰村,H9,赵六,,户主\n",
                                     encoding="utf-8")
    report = load_files([tmp_path / "r2.csv"], db=db)
    assert [str(d) for d in report.as_of_moved or ()] == ["2020-06-20", "2020-06-21"]


def test_a_household_number_with_a_space_inside_is_the_household(tmp_path: Path) -> None:
    """A 户编号 with a space typed or pasted inside (`1508241052990 1`) is the household's number, as an ID
    number's spaces are dropped: it was kept as written, a ledger row of it counted as outside the registry
    and a registry row of it a household of its own."""
    files = {"registry.csv": ["乡镇,行政村,户编号,姓名,证件号码,与户主关系",
                              "乌加河镇,联丰奋斗村,15082410129901,张三春,150824196001010118,户主",
                              "德岭山镇,兴丰村,150824102 29902,王五,,户主"],
             "visits.csv": ["户编号,走访日期,走访类型", "1508241012990 1,2020-06-20,入户走访",
                            "15082410229902,2020-06-21,入户走访"]}
    db, report = conftest.load_lines(tmp_path, files)
    assert report.exit_code == 0
    con, _ = snapshot.connect_read(db)
    try:
        assert data_admin.outside_registry(con, PUBLIC).empty
        assert sorted(r[0] for r in con.execute("SELECT household_id FROM households").fetchall()) == [
            "15082410129901", "15082410229902"]
    finally:
        con.close()


RECTIFICATIONS = ["问题编号,乡(镇),行政村,户编号,问题描述,责任单位,发现日期,整改时限,整改状态",
                  "R1,乌加河镇,联丰奋斗村,H9,收入未核实,镇政府,2020-06-01,2020-06-30,未整改",
                  "R2,乌加河镇,联丰奋斗村,H1,档案缺页,镇政府,2020-06-01,2020-06-30,未整改",
                  "R3,德岭山镇,兴丰村,H7,危房未改造,镇政府,2020-06-01,2020-06-30,未整改"]


@pytest.fixture(scope="module")
def items_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db, report = conftest.load_lines(tmp_path_factory.mktemp("outside_items"),
                                     {**FILES, "rectifications.csv": RECTIFICATIONS})
    assert report.exit_code == 0
    return db


def test_a_township_user_sees_the_items_their_ledger_places_in_the_township(items_db: Path) -> None:
    """The rectification page shows a township user the items of households in no registry file that the
    ledger places in their township; the data page's list of such rows was empty for them. Only
    rectification rows carry a township: the claims and visits of H9 stay hidden, as file names do."""
    con, _ = snapshot.connect_read(items_db)
    try:
        county = data_admin.outside_registry(con, PUBLIC)
        assert sorted(county[["kind", "household_id"]].values.tolist()) == [
            ["medical_claims", "H9"], ["rectifications", "H7"], ["rectifications", "H9"], ["visits", "H9"]]
        own = data_admin.outside_registry(con, Viewer(townships=("乌加河镇",)))
        assert own.values.tolist() == [["rectifications", "H9", 1, 2]]
        assert list(own.columns) == ["kind", "household_id", "rows", "first_line"]  # no file names
        assert data_admin.outside_registry(con, Viewer(townships=("德岭山镇",)))["household_id"].tolist() == ["H7"]
        assert data_admin.outside_registry(con, Viewer(townships=("呼勒斯太苏木",))).empty
    finally:
        con.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_data_page_lists_a_township_users_items_outside_the_registry(
        items_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    from streamlit.testing.v1 import AppTest

    from labels import t
    from ui import auth

    users = tmp_path / "users.yaml"
    auth.add_user(users, "wujia", "wujia-pass-1", "township", ["乌加河镇"], rounds=4)
    monkeypatch.setenv("FUPIN_USERS", str(users))
    monkeypatch.setenv("FUPIN_DB", str(items_db))
    at = AppTest.from_file(str(conftest.APP), default_timeout=60)
    at.run()
    at.text_input(key="auth_username").input("wujia")
    at.text_input(key="auth_password").input("wujia-pass-1")
    next(b for b in at.button if b.label == "登录").click().run()
    at.switch_page("pages/data_admin.py")
    at.run()
    at.button_group(key="lang").set_value(lang).run()  # the sidebar's language switch
    assert not at.exception, [e.message for e in at.exception]
    assert t("insp.data.outside_scope", lang) in [c.value for c in at.caption]
    at.button(key="data_outside").click().run()
    assert not at.exception, [e.message for e in at.exception]
    shown = next(d.value for d in at.dataframe if t("col.first_line", lang) in d.value.columns)
    assert shown[t("field.household_id", lang)].tolist() == ["H9"], shown
    assert t("col.file_name", lang) not in shown.columns
