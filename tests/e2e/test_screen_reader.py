"""What a screen reader is told about a page: its language (Streamlit's page says <html lang="en"> on
the Chinese dashboard, so a reader's voice read Chinese as English) and a name for every chart (an
unnamed graphic of numbers and axis ticks)."""

from __future__ import annotations

from typing import Any

import pytest

from labels import t
from tests.e2e.conftest import StreamlitServer
from tests.e2e.test_browser import PAGES, open_page, wait_idle

pytestmark = pytest.mark.e2e

_CHARTS = """() => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'))
    .map(box => [box.getAttribute('role'), box.getAttribute('aria-label')])"""


def wait_lang(page: Any, want: str) -> None:
    """The page's language becomes `want`. The script that sets it runs once its element is mounted,
    which may come a frame after the title shows (a loaded CI machine read "en" on the Chinese overview);
    it must come, and soon: a page that never says it fails here after 10 s."""
    page.wait_for_function("want => document.documentElement.lang === want", arg=want, timeout=10_000)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", ["home", "exit-status"])
def test_page_language_and_chart_names(page: Any, server: StreamlitServer, lang: str, path: str) -> None:
    open_page(page, server, path, dict(PAGES)[path], lang=lang, query="lang=en" if lang == "en" else "")
    wait_lang(page, "en" if lang == "en" else "zh-CN")
    # every chart drawn and named; on the overview its status chart among them (a loaded CI machine had
    # drawn only the two trend grids below it when the names were first read)
    expected = t("overview.chart_title", lang) if path == "home" else ""
    page.wait_for_function(f"want => {{ const c = ({_CHARTS})(); return c.length > 0 && c.every(x => x[1]) "
                           "&& (!want || c.some(x => x[1] === want)); }", arg=expected, timeout=30_000)
    charts = page.evaluate(_CHARTS)
    assert all(role == "figure" and name for role, name in charts), charts
    # the script that says so takes no room (its box was a 16 px gap above the title)
    assert page.evaluate("""() => Array.from(document.querySelectorAll('[data-testid="stHtml"]'))
        .filter(h => h.querySelector('script')).map(h => h.closest('[data-testid="stElementContainer"]'))
        .every(c => c.getBoundingClientRect().height === 0 && getComputedStyle(c).display === 'none')""")
    if path == "home":  # its status chart by its own title, in the reader's language
        assert t("overview.chart_title", lang) in [name for _, name in charts], charts


def test_switching_language_changes_the_page_language(page: Any, server: StreamlitServer) -> None:
    from playwright.sync_api import expect

    open_page(page, server, "home", dict(PAGES)["home"])
    wait_lang(page, "zh-CN")
    sidebar = page.get_by_test_id("stSidebar")
    # the sidebar's widgets may still be arriving when the page's title shows (as test_browser waits)
    expect(sidebar.get_by_text(t("filter.townships", "zh"), exact=True)).to_have_count(1)
    sidebar.get_by_test_id("stButtonGroup").get_by_text("English", exact=True).click()
    page.get_by_role("heading", name=t("overview.title", "en"), exact=True).wait_for()
    wait_idle(page)
    wait_lang(page, "en")
