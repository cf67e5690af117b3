"""Streamlit's own English in its select boxes (ui.widget_text), as a clerk meets it.

A clerk typing a village that is not there into the sidebar's 行政村（嘎查） read "No results" in English
on the Chinese dashboard; so did a leader looking for a batch on 数据管理. The list's own text is hidden
and the label table's shown, in either language.
"""

from __future__ import annotations

from typing import Any

import pytest

from labels import t
from tests.e2e.conftest import StreamlitServer
from tests.e2e.test_browser import PAGES, open_page, sidebar_multiselect

pytestmark = pytest.mark.e2e

_SHOWN = """() => Array.from(document.querySelectorAll('[role="listbox"][data-empty="true"] [role="option"] span'))
    .map(e => [e.textContent, getComputedStyle(e).fontSize, getComputedStyle(e, '::after').content])"""


def _empty_list(page: Any) -> list[list[str]]:
    page.wait_for_selector('[role="listbox"][data-empty="true"]', timeout=10_000)
    return page.evaluate(_SHOWN)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_filter_with_no_match_says_so_in_the_user_s_language(page: Any, server: StreamlitServer, lang: str) -> None:
    open_page(page, server, "home", dict(PAGES)["home"], lang=lang, query="lang=en" if lang == "en" else "")
    box = sidebar_multiselect(page, "filter.villages", lang)
    box.locator("input").click()
    page.keyboard.type("不存在的村")
    assert _empty_list(page) == [["No results", "0px", f'"{t("widget.no_results", lang)}"']]
    page.keyboard.press("Escape")


def test_a_select_box_with_no_match_says_so_in_chinese(page: Any, server: StreamlitServer) -> None:
    open_page(page, server, "data-management", dict(PAGES)["data-management"])
    page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first.click()
    page.keyboard.type("不存在的批次")
    assert _empty_list(page) == [["No results", "0px", f'"{t("widget.no_results", "zh")}"']]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_browser_tab_s_title_is_in_the_user_s_language(page: Any, server: StreamlitServer, lang: str) -> None:
    """The tab (a bookmark, a printed page's header) read 扶贫督查看板 on the English pages (a probe)."""
    open_page(page, server, "poverty-causes", dict(PAGES)["poverty-causes"], lang=lang,
              query="lang=en" if lang == "en" else "")
    assert page.title() == t("app.title", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_first_tab_press_shows_the_skip_link_in_the_user_s_language(page: Any, server: StreamlitServer,
                                                                        lang: str) -> None:
    """A leader's first Tab press on the Chinese dashboard showed Streamlit's "Skip to main content" at
    the top left of every page. Its own text is hidden and the label table's shown."""
    open_page(page, server, "home", dict(PAGES)["home"], lang=lang, query="lang=en" if lang == "en" else "")
    page.keyboard.press("Tab")
    shown = page.evaluate("""() => { const e = document.activeElement;
        return [e.dataset.testid, getComputedStyle(e).fontSize, getComputedStyle(e, '::after').content]; }""")
    assert shown == ["stSkipToContent", "0px", f'"{t("widget.skip_to_content", lang)}"']
