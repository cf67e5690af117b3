"""Where the keyboard is, drawn: a leader moving through the sidebar by Tab sees which page link, button,
slider or radio button has the focus (Streamlit drew a page link's focus in the page-shown grey, a
slider's as a pale halo, a radio button's not at all)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import StreamlitServer
from tests.e2e.test_browser import PAGES, open_page
from ui import charts

pytestmark = pytest.mark.e2e

# the focused element's ring, or its slider thumb's (the range input itself is visually hidden)
_RING = """() => { const e = document.activeElement;
  const box = e.type === 'range' ? e.parentElement.parentElement : e;
  const s = getComputedStyle(box);
  return [e.tagName, e.type || '', e.getAttribute('role') || '', (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 20),
          s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"""


def _hex(rgb: str) -> str:
    r, g, b = (int(float(v)) for v in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def test_keyboard_focus_is_drawn_in_the_sidebar(page: Any, server: StreamlitServer) -> None:
    open_page(page, server, "home", dict(PAGES)["home"])
    seen = []
    for _ in range(32):
        page.keyboard.press("Tab")
        page.wait_for_timeout(80)
        tag, kind, role, name, style, width, colour = page.evaluate(_RING)
        if tag == "INPUT" and role == "combobox":  # a select box: Streamlit's coloured border
            continue
        if tag in ("A", "BUTTON", "SUMMARY") or kind in ("range", "radio", "checkbox"):
            seen.append((tag, kind, name))
            assert style == "solid" and width >= 2, (tag, kind, name, style, width)
            # against the white page and the sidebar's grey alike (WCAG 1.4.11: 3:1)
            assert min(charts.contrast(_hex(colour), bg) for bg in ("#ffffff", "#f0f2f6")) >= 3, (name, colour)
    kinds = {tag for tag, _, _ in seen} | {kind for _, kind, _ in seen}
    assert {"A", "BUTTON", "range"} <= kinds, seen  # page links, buttons and the year sliders were reached
