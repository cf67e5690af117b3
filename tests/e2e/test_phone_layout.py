"""A leader's phone (390 px) and tablet (768 px): the dashboard as chromium lays it out at those widths."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import StreamlitServer
from tests.e2e.test_browser import open_page

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _rows(boxes: list[dict[str, float]]) -> list[int]:
    """How many boxes share each top edge, top to bottom."""
    tops: dict[int, int] = {}
    for box in boxes:
        top = round(box["y"])
        near = next((t for t in tops if abs(t - top) <= 2), top)
        tops[near] = tops.get(near, 0) + 1
    return [tops[t] for t in sorted(tops)]


@pytest.mark.parametrize(("width", "per_row"), [(390, 2), (1366, 4)])
def test_the_overview_s_tiles_go_two_to_a_row_on_a_phone(page: Any, server: StreamlitServer, width: int,
                                                          per_row: int) -> None:
    """One a row, the overview's twelve tiles took four screens of a phone before its first chart; on a
    laptop they stay four to a row."""
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, server, "home", "overview.title")
    tiles = page.get_by_test_id("stMain").get_by_test_id("stMetric")
    boxes = [tiles.nth(i).bounding_box() for i in range(12)]
    assert _rows(boxes) == [per_row] * (12 // per_row)
    # two tiles side by side still hold their numbers whole (1,150人 was not cut)
    values = page.get_by_test_id("stMetricValue")
    assert page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMetricValue"] *')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)""") == []
    assert values.count() >= 12
