"""A village name used in two townships (新华村, 团结村 and 胜利村 are in many townships of a county).

The village filter holds names; a name chosen without its township takes every village of that name.
The sidebar listed such a name once, bare, so a leader who picked 兴丰村 meaning 德岭山镇's got 乌加河镇's
兴丰村 too, with nothing saying so. The option now names the townships that share it; chosen with a
township, only that township's village is in reach and it reads as usual.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl import derive
from labels import t
from tests.conftest import build_fixture_db, open_page


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture county with H03 (乌加河镇 红旗村) moved to a 兴丰村 of 乌加河镇: 德岭山镇 has a 兴丰村 too."""
    db = build_fixture_db(tmp_path_factory.mktemp("shared") / "fupin.duckdb")
    con = duckdb.connect(str(db))
    try:
        con.execute("UPDATE households SET village = '兴丰村' WHERE household_id = 'H03'")
        derive.build_all(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db


def _village_box(at: object, lang: str = "zh") -> object:
    boxes = [m for m in at.sidebar.multiselect if m.label == t("filter.villages", lang)]  # type: ignore[attr-defined]
    assert len(boxes) == 1
    return boxes[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_shared_village_name_names_its_townships(shared_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                   lang: str) -> None:
    monkeypatch.setenv("FUPIN_DB", str(shared_db))
    at = open_page("overview", {"lang": lang} if lang == "en" else None)
    options = list(_village_box(at, lang).options)
    shared = t("filter.shared_village", lang, village="兴丰村",
               townships=t("list.sep", lang).join(["乌加河镇", "德岭山镇"]))
    assert shared in options, options
    assert "兴丰村" not in options  # never bare: it is two villages
    assert "联丰奋斗村" in options  # a name of one township reads as it is


def test_within_its_township_a_shared_name_reads_as_usual(shared_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_DB", str(shared_db))
    at = open_page("overview", {"town": "德岭山镇"})
    assert list(_village_box(at).options) == ["兴丰村", "胜利村"]


def test_chosen_the_shared_name_still_filters_both_villages(shared_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The label changes, not the value: the URL and the filter keep the plain name."""
    monkeypatch.setenv("FUPIN_DB", str(shared_db))
    at = open_page("overview", {"village": "兴丰村"})
    box = _village_box(at)
    assert box.value == ["兴丰村"]
    url = at.query_params["village"]
    assert (url if isinstance(url, list) else [url]) == ["兴丰村"]
