"""Data issues of no registered household: of a ledger row or household check whose 户编号 is in no
registry file, or of an item that names no household. The archive page counts and lists issues by
household, so these were counted (the loads' summaries, the data page's total) but listed nowhere: the
demo county had 38 issues and its archive page 37. The data page lists them on request, each with its
sentence. Real files through the real loader, the real page."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import snapshot
from queries import data_admin
from queries.filters import PUBLIC, Viewer
from tests import conftest

FILES = {
    "registry.csv": ["乡镇,行政村,户编号,姓名,证件号码,与户主关系",
                     "乌加河镇,联丰奋斗村,H1,张三春,150824196001010118,户主"],
    # H9 is in no registry file; its claim has a date nobody can read
    "claims.csv": ["户编号,总费用,个人自付,入院日期", "H1,3000,300,2020-05-01", "H9,1000,100,2020年13月2日"],
    # a township's item (no household) due before it was found; H1's item likewise (a registered household)
    "rect.csv": ["问题编号,乡(镇),行政村,户编号,问题描述,责任单位,发现日期,整改时限,整改状态",
                 "R1,乌加河镇,,,村级档案不全,镇政府,2020-06-01,2020-05-01,未整改",
                 "R2,乌加河镇,联丰奋斗村,H1,档案缺页,镇政府,2020-06-01,2020-05-01,未整改"],
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db, report = conftest.load_lines(tmp_path_factory.mktemp("issues_outside"), FILES)
    assert report.exit_code == 0
    return db


def test_the_issues_of_no_registered_household_are_listed_and_no_other(db: Path) -> None:
    con, _ = snapshot.connect_read(db)
    try:
        rows = data_admin.issues_outside(con, PUBLIC)
        listed = con.execute("SELECT count(*) FROM list_issue").fetchone()[0]
        every = con.execute("SELECT count(*) FROM data_issues").fetchone()[0]
        assert len(rows) + listed == every  # every issue is listed somewhere, once
        got = rows[["file_name", "line", "kind", "household_id", "rule"]].fillna("").values.tolist()
        assert ["claims.csv", 3, "medical_claims", "H9", "invalid_date"] in got
        assert ["rect.csv", 2, "rectifications", "", "deadline_before_found"] in got
        assert not [r for r in got if r[3] == "H1"]  # the registered household's are on the archive page
        assert data_admin.issues_outside(con, Viewer(townships=("乌加河镇",))).empty  # no township to scope
    finally:
        con.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_data_page_lists_them_on_request_with_their_sentences(
        db: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setenv("FUPIN_DB", str(db))
    at = conftest.open_page("data_admin", {"lang": lang})
    assert not at.exception
    at.button(key="data_issues_outside").click().run()
    assert not at.exception
    message, line = ("说明", "第3行") if lang == "zh" else ("Message", "line 3")
    shown = [d.value for d in at.dataframe if message in d.value.columns and "rect.csv" in d.value.to_string()]
    assert len(shown) == 1, [list(d.value.columns) for d in at.dataframe]
    rows = shown[0]
    assert len(rows) == 3 and set(rows.iloc[:, 5].fillna("")) == {"H9", ""}  # 户编号: H9's claim, the township's item
    first = str(rows[message].iloc[0])  # the sentence names its file and line
    assert first.startswith("claims.csv") and line in first
