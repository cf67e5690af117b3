"""The briefing as printed: Chromium lays a printed page out as wide as its widest element and shrinks
the whole page to fit A4, so a chart drawn as wide as the screen made every text of the briefing small
(its tables at 5 pt). Printing is emulated as Chromium does it for Ctrl+P and `page.pdf` (the
`beforeprint` event, then print media)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

from queries.filters import Filters, Viewer
from tests.e2e.conftest import StreamlitServer
from tests.e2e.test_browser import PAGES, open_page
from ui import briefing_html, profile_html

pytestmark = pytest.mark.e2e

AS_OF = dt.date(2020, 6, 30)
_CHART_WIDTHS = "() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(gd => gd.getBoundingClientRect().width && gd.querySelector('svg.main-svg').getBoundingClientRect().width)"


def printed_width(page: Any) -> float:
    """The page's width laid out as wide as an A4 page's text (the body, not the window: a resize would
    redraw the charts): Chromium prints it shrunk by PRINT_WIDTH_PX / this."""
    return page.evaluate(f"() => {{ document.body.style.width = '{profile_html.PRINT_WIDTH_PX}px'; "
                         "return Math.max(...Array.from(document.querySelectorAll('body *'))"
                         ".filter(e => !e.ownerSVGElement)"  # an svg as a whole (Plotly's drag handles overhang it)
                         ".map(e => e.getBoundingClientRect().right)) - document.body.getBoundingClientRect().left; }")


def test_a_long_text_without_a_space_breaks_on_paper(page: Any, tmp_path: Path) -> None:
    """A township named with a web address (an upload of hostile text in CI's own database) made the
    printed briefing 880 px wide, and Chromium shrank every page to 80%: a long text without a space breaks
    where it must on paper (short cells, numbers and dates stay whole:
    test_printed_names_and_dates_stay_on_one_line)."""
    import pandas as pd

    df = pd.DataFrame({"township": ["![p](http://127.0.0.1:9/fupin-xss-probe-md.png)镇", "海流图镇"],
                       "description": ["户编号" + "1508241012030002" * 8, "扶贫手册更新不及时"], "households": [12, 3]})
    path = tmp_path / "table.html"
    path.write_text(profile_html.document("t", profile_html.table_html(df, "zh"), "zh"), encoding="utf-8")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    assert printed_width(page) <= profile_html.PRINT_WIDTH_PX + 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_printed_briefing_charts_fit_the_page(page: Any, e2e_db: Path, tmp_path: Path, lang: str) -> None:
    con = duckdb.connect(str(e2e_db), read_only=True)
    try:
        doc = briefing_html.build(con, Filters(), Viewer(), lang=lang, as_of=AS_OF, data_as_of=AS_OF)
    finally:
        con.close()
    path = tmp_path / "briefing.html"
    path.write_text(doc, encoding="utf-8")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_function("() => document.querySelectorAll('.plotly-graph-div svg.main-svg').length >= 6")
    screen = page.evaluate(_CHART_WIDTHS)
    # the full-width charts as wide as the screen's page (the trend's two grids side by side are half)
    assert max(screen) > profile_html.PRINT_WIDTH_PX
    # Chromium fires beforeprint, then lays the page out for print (page.pdf and Ctrl+P alike)
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    printed = page.evaluate(_CHART_WIDTHS)
    assert max(printed) <= profile_html.PRINT_WIDTH_PX, printed
    # laid out as wide as an A4 page's text (the body, not the window: a resize would redraw the charts),
    # the page prints at 90% of its size or more (Chromium shrinks it to its widest element: the open
    # items' ten columns in English take 750 px, 94%)
    widest = printed_width(page)
    assert profile_html.PRINT_WIDTH_PX / widest >= 0.9, widest
    page.evaluate("() => { document.body.style.width = ''; }")
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    page.wait_for_function(f"() => Math.max(...({_CHART_WIDTHS})()) > {profile_html.PRINT_WIDTH_PX}")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_briefing_trend_grids_side_by_side_or_stacked(page: Any, e2e_db: Path, tmp_path: Path,
                                                          width: int) -> None:
    """The key-figure trend's two grids: side by side on a wide screen, each as wide as its column, and one
    under the other on a phone. Drawn by their scripts as the page is read, the first of an auto-fit grid
    was alone when drawn, took the whole width (1068 px) and lay under the second, hiding half of it."""
    con = duckdb.connect(str(e2e_db), read_only=True)
    try:
        doc = briefing_html.build(con, Filters(), Viewer(), lang="zh", as_of=AS_OF, data_as_of=AS_OF)
    finally:
        con.close()
    path = tmp_path / "briefing.html"
    path.write_text(doc, encoding="utf-8")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_function("() => document.querySelectorAll('.pair svg.main-svg').length >= 2")
    pair = page.evaluate("() => document.querySelector('.pair').getBoundingClientRect().width")
    (l1, t1, w1), (l2, t2, w2) = page.evaluate(
        "() => Array.from(document.querySelectorAll('.pair .plotly-graph-div')).map(gd => { "
        "const r = gd.querySelector('svg.main-svg').getBoundingClientRect(); return [r.left, r.top, r.width]; })")
    if width > 640:
        assert t1 == t2 and l1 + w1 <= l2 + 1 and max(w1, w2) <= pair / 2 + 1, (l1, t1, w1, l2, t2, w2, pair)
    else:
        assert t2 > t1 and abs(w1 - pair) <= 1 and abs(w2 - pair) <= 1, (l1, t1, w1, l2, t2, w2, pair)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("town", [None, "海流图镇"])
def test_printed_names_and_dates_stay_on_one_line(page: Any, e2e_db: Path, tmp_path: Path, lang: str,
                                                 town: str | None) -> None:
    """Laid out as on A4 paper, every short cell (a name, a place, a status) and every date on one line:
    the visit list printed 秦*/林, 海流/图镇 and 已脱/贫 beside its wide column of reasons, the open items
    2019-09- / 14 (two values to a reader)."""
    con = duckdb.connect(str(e2e_db), read_only=True)
    try:
        flt = Filters(townships=(town,)) if town else Filters()
        doc = briefing_html.build(con, flt, Viewer(), lang=lang, as_of=AS_OF, data_as_of=AS_OF)
    finally:
        con.close()
    path = tmp_path / "briefing.html"
    path.write_text(doc, encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_function("() => document.querySelectorAll('.plotly-graph-div svg.main-svg').length >= 6")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    page.evaluate(f"() => {{ document.body.style.width = '{profile_html.PRINT_WIDTH_PX}px'; }}")
    cells = page.evaluate(r"""() => Array.from(document.querySelectorAll('td.nw, td.date'))
        .map(td => { const r = document.createRange(); r.selectNodeContents(td);
                     const tops = new Set(Array.from(r.getClientRects()).map(x => Math.round(x.bottom)));
                     return [td.className, td.textContent, tops.size]; })""")
    assert {"nw", "date"} <= {kind for kind, _, _ in cells}, cells[:5]  # names and the items' deadlines
    assert [(kind, text) for kind, text, lines in cells if lines > 1] == []


def test_pdf_fires_beforeprint(page: Any, tmp_path: Path) -> None:
    """The premise: Chromium's print (page.pdf, as Ctrl+P) runs the document's beforeprint handlers."""
    path = tmp_path / "p.html"
    path.write_text("<p id=x>screen</p><script>addEventListener('beforeprint', () => "
                    "{document.getElementById('x').textContent = 'printed'})</script>", encoding="utf-8")
    page.goto(path.as_uri())
    page.pdf(path=str(tmp_path / "p.pdf"), format="A4")
    assert page.inner_text("#x") == "printed"


def test_a_printed_page_leaves_the_sidebar_out(page: Any, server: StreamlitServer) -> None:
    """Ctrl+P on the overview: the sidebar's links and filters took a fifth of the page's width on paper
    (the filters in force are named under the page's title)."""
    page.set_viewport_size({"width": 1123, "height": 900})
    open_page(page, server, "home", dict(PAGES)["home"])
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('[data-testid=\"stSidebar\"]')).display") == "none"
    assert page.evaluate("document.querySelector('[data-testid=\"stMain\"]').getBoundingClientRect().width") >= 1100
    page.emulate_media(media="screen")
    assert page.get_by_test_id("stSidebar").is_visible()
