"""Every KPI tile says its unit one way (docs/DECISIONS.md, "A tile's number carries its unit"): in
Chinese the count is followed by its measure word (600户, 1,150人, 22项, 37条), a share by %; in English,
which has no measure words, the number stands alone and the tile's name says what it counts (Registered
households, Open items, Items opened). A browser review found 建档立卡人口（人） beside 建档立卡户 with no
unit, and 未完成 / Open with no noun at all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from queries import figures
from tests import conftest

PAGES = ("overview", "rectification", "health", "quality", "inspection_rates")
ZH_VALUE = re.compile(r"[+-]?[\d,.]+(万|亿)?[户人项条]|[\d.<>]+%|—")
EN_VALUE = re.compile(r"[+-]?[\d,.]+[MB]?|[\d.<>]+%|—")
# what an English count tile may end in: the thing counted
EN_NOUNS = ("households", "people", "members", "patients", "items", "issues", "defects", "checks", "exits")
# the words a unit is written with (labels: unit.*), by the unit a figure declares
ZH_UNITS = {"households": "户", "people": "人", "items": "项", "issues": "条"}


def _tiles(page: str, lang: str) -> list[tuple[str, str, str]]:
    """(label, value, figure key) of every tile on the page; the key from the tile's help, which starts
    with its figure's name."""
    at = conftest.open_page(page, {"lang": lang})
    names = {f"**{f.text('name', lang)}**": f.key for f in figures.all_figures()}
    out = []
    for m in at.metric:
        head = str(m.help).split("  \n")[0]
        assert head in names, (page, m.label, m.help)
        out.append((m.label, str(m.value), names[head]))
    return out


@pytest.mark.parametrize("page", PAGES)
def test_chinese_tiles_write_the_unit_after_the_number(demo_env: Path, page: str) -> None:
    tiles = _tiles(page, "zh")
    assert tiles
    for label, value, key in tiles:
        assert ZH_VALUE.fullmatch(value), (page, label, value)
        assert not re.search(r"（[户人项条元%]）$", label), (page, label)  # the unit once, not in the name too
        unit = figures.entry(key).unit
        if value != "—" and not value.endswith("%"):
            assert unit is not None and value.endswith(ZH_UNITS[unit]), (page, label, value, unit)


@pytest.mark.parametrize("page", PAGES)
def test_english_tiles_name_what_they_count(demo_env: Path, page: str) -> None:
    for label, value, key in _tiles(page, "en"):
        assert EN_VALUE.fullmatch(value), (page, label, value)
        if figures.entry(key).unit is not None:
            assert re.search(rf"\b({'|'.join(EN_NOUNS)})\b", label, re.IGNORECASE), (page, label)


def test_a_count_tile_cannot_be_drawn_without_its_unit() -> None:
    """Every figure counted on a tile declares its unit (the figure's entry); a share has a denominator
    and none."""
    for f in figures.all_figures():
        if f.unit is not None:
            assert f.denominator is None and f.unit in ZH_UNITS, f.key
