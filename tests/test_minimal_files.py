"""Every page works on the least the contract lets a file hold: each kind with its required columns and
little else (data-spec §1.2, §1.4: a rectification ledger needs only 乡(镇) and 问题描述), some cells
blank. A probe with such files found the rectification page failing when some items had a 整改时限 and
others had none, and asking for a label that did not exist when no item had a 发现日期.
Real files through the real loader, the real app (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import conftest

PAGES = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "pages").glob("*.py"))
FILES = {
    "registry.csv": ["乡镇,行政村,户编号,姓名,证件号码,与户主关系",
                     "乌加河镇,联丰奋斗村,H1,张三春,150824196001010118,户主",
                     "乌加河镇,联丰奋斗村,H1,李四,,配偶",
                     "德岭山镇,兴丰村,H2,王五,,户主"],
    "measures.csv": ["户编号,措施类别,措施内容", "H1,产业帮扶,养羊", "H2,,"],
    "visits.csv": ["户编号,走访日期,走访类型", "H1,2020-06-20,入户走访", "H2,,"],
    "claims.csv": ["户编号,总费用,入院日期", "H1,3000,2020-05-01", "H2,,"],
    # one item overdue at the as-of date (2020-06-20), one without a deadline, no 发现日期 or 整改状态 at all
    "ledger.csv": ["乡(镇),问题描述,整改时限", "乌加河镇,档案不全,2020-06-01", "乌加河镇,手册未更新,",
                   "德岭山镇,危房未改造,2020-12-31", "德岭山镇,台账未签字,2020-06-25"],
    "checks.csv": ["调查日期,乡(镇),行政村", "2020-06-20,乌加河镇,联丰奋斗村"],
    "base.csv": ["年度,乡(镇),行政村,乡村人口", "2020,乌加河镇,联丰奋斗村,800"],
}


@pytest.fixture(scope="module")
def minimal_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db, report = conftest.load_lines(tmp_path_factory.mktemp("minimal"), FILES)
    assert [(Path(f.path).name, f.error) for f in report.files if f.error] == []
    assert [f.kind for f in report.files] == ["registry", "interventions", "visits", "medical_claims",
                                              "rectifications", "household_checks", "population_base"]
    return db


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens(minimal_db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    monkeypatch.setenv("FUPIN_DB", str(minimal_db))
    at = conftest.open_page("overview" if page == "overview" else page)  # fails on any exception
    assert at.title


def test_rectification_items_without_deadline_or_date(minimal_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_DB", str(minimal_db))
    at = conftest.open_page("rectification")
    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["问题总数"], tiles["逾期"]) == ("4项", "1项"), tiles
    overdue = next(d.value for d in at.dataframe if "逾期天数" in d.value.columns)
    assert list(overdue["问题描述"]) == ["档案不全"]
    # an item due within the window says in how many days (it said only 即将到期)
    states = {s for d in at.dataframe if "状态" in d.value.columns for s in d.value.iloc[:, 0].astype(str)}
    assert "5天后到期" in states, states


@pytest.mark.parametrize(("header", "row", "kind"), [
    ("户编号,走访日期", "H1,2020-06-20", "visits"),
    ("户编号,措施类别", "H1,产业帮扶", "interventions"),
    ("户编号,总费用", "H1,3000", "medical_claims"),
    ("乡(镇),问题描述", "乌加河镇,档案不全", "rectifications"),
])
def test_a_ledger_of_its_required_columns_alone_loads(tmp_path: Path, header: str, row: str, kind: str) -> None:
    """Two columns are all the contract asks of these ledgers (§1.2). A header of two known cells was
    taken for no header at all (three were needed), in a message naming those two as what was missing."""
    _, report = conftest.load_lines(tmp_path, {"ledger.csv": [header, row]})
    (f,) = report.files
    assert (f.error, f.kind, f.rows_loaded) == (None, kind, 1)


def test_two_known_cells_short_of_a_kind_are_still_no_header(tmp_path: Path) -> None:
    """户编号 and 姓名 complete no kind: the file is refused as having no header, as before."""
    _, report = conftest.load_lines(tmp_path, {"names.csv": ["户编号,姓名", "H1,张三"]})
    (f,) = report.files
    assert f.error is not None and "表头" in f.error
