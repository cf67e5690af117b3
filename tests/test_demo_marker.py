"""The demo county says it is the demo. `etl demo` records its county in `meta`; every page's header
says 示范数据 (its figures are generated), and a load into it warns that the files now mix with the demo's
households (a new user's first hour: a county's files uploaded after `make run` were counted with the
demo's 630 households, and nothing said the database was the demo). A county's own database says none
of this. Real databases, the real command line, the real pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import snapshot
from etl.load import load_files
from etl.schema import demo_county
from tests import conftest

VISIT = ["户编号,走访日期,走访类型", "1508241002010019,2020-06-29,入户走访"]


def _county(db: Path) -> str | None:
    con, _ = snapshot.connect_read(db)
    try:
        return demo_county(con)
    finally:
        con.close()


def test_the_demo_is_marked_and_a_load_into_it_says_so(demo_db: Path, tmp_path: Path) -> None:
    assert _county(demo_db) == "乌拉特中旗"
    (tmp_path / "v.csv").write_text("\n".join(VISIT) + "\n", encoding="utf-8")
    report = load_files([tmp_path / "v.csv"], db=demo_db)
    assert report.published and report.into_demo == "乌拉特中旗" and report.to_json()["into_demo"] == "乌拉特中旗"
    zh = [n for n in report.notices("zh") if "示范旗县" in n]
    assert len(zh) == 1 and str(demo_db) in zh[0] and "python -m etl load" in zh[0]
    assert any("demo county (乌拉特中旗)" in n for n in report.notices("en"))
    assert any("示范旗县" in line for line in report.summary_in_order("zh"))  # the command line prints it
    assert _county(demo_db) == "乌拉特中旗"  # still the demo's households


def test_a_countys_own_database_is_not_the_demo(tmp_path: Path) -> None:
    db, report = conftest.load_lines(tmp_path, {"registry.csv": [
        "乡镇,行政村,户编号,姓名,证件号码,与户主关系", "乌加河镇,联丰奋斗村,1508241002010019,张三春,150824196001010118,户主"],
        "v.csv": VISIT})
    assert report.published and report.into_demo is None
    assert not [n for n in report.notices("zh") if "示范" in n]
    assert _county(db) is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_header_says_demo_data(demo_db: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setenv("FUPIN_DB", str(demo_db))
    word = "示范数据：乌拉特中旗" if lang == "zh" else "Demo data: 乌拉特中旗"
    for page in ("overview", "causes", "data_admin"):
        at = conftest.open_page(page, {"lang": lang})
        assert any(word in c.value for c in at.caption), page


def test_a_page_of_a_countys_own_data_does_not(app_db: Path) -> None:
    at = conftest.open_page("overview")
    assert not [c.value for c in at.caption if "示范数据" in c.value]
