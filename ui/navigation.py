"""The dashboard's pages: sections, files, nav labels, icons and URL paths, in navigation order. Its own
module without side effects, so that the benchmark, the screenshot script and the tests read the same
list the entry point (dashboard.py) shows. A page whose file does not exist is left out.

An address no page has (`/nonexistent`, a mistyped or outdated link) made Streamlit show its English
"Page not found" box. `not_found_page` gives such an address a hidden page of its own, so Streamlit
finds one and sends no such message (the browser shows the box only when the server sends it); that
page switches to the start page, which says in the user's language that the address has no page
(`not_found_notice`).

The start page is served at the root. Streamlit reserves the path it is declared with but never serves
it there, so `/home` (its name in links, logs and the docs) showed that box too: the start page is
declared under a path nobody types (`RESERVED`), and `/home` is an address of its own that goes to the
root without a notice.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from labels import t
from ui.formats import md_escape, shortened

PAGES_DIR = Path(__file__).resolve().parents[1] / "pages"
# the browser tab's icon, served by Streamlit itself (a material icon name made it fetch one from
# fonts.gstatic.com: the app works offline)
ICON = Path(__file__).resolve().parent / "assets" / "icon.png"

# (section label key, [(file in pages/, nav label key, material icon, url path)])
PAGES: list[tuple[str, list[tuple[str, str, str, str]]]] = [
    ("nav.section.analysis", [
        ("overview.py", "nav.overview", ":material/dashboard:", "home"),
        ("causes.py", "nav.causes", ":material/troubleshoot:", "poverty-causes"),
        ("exit_status.py", "nav.exit_status", ":material/trending_up:", "exit-status"),
        ("assistance.py", "nav.assistance", ":material/volunteer_activism:", "assistance-measures"),
    ]),
    ("nav.section.inspection", [
        ("rectification.py", "nav.rectification", ":material/assignment_late:", "rectification-tracker"),
        ("health.py", "nav.health", ":material/medical_services:", "health-support"),
        ("visits.py", "nav.visits", ":material/directions_walk:", "visit-planner"),
        ("quality.py", "nav.quality", ":material/rule:", "archive-quality"),
        ("inspection_rates.py", "nav.inspection_rates", ":material/fact_check:", "inspection-rates"),
        ("briefing.py", "nav.briefing", ":material/summarize:", "township-briefing"),
    ]),
    ("nav.section.data", [
        ("data_admin.py", "nav.data_admin", ":material/database:", "data-management"),
        ("guide.py", "nav.guide", ":material/help:", "user-guide"),
        ("dictionary.py", "nav.dictionary", ":material/menu_book:", "indicator-dictionary"),
    ]),
]


HOME = PAGES[0][1][0][3]  # the start page's name (served at the root)
# the path the start page is declared with: Streamlit reserves it and serves the page only at the root
RESERVED = "start-page-root"


def _present() -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """PAGES without the entries whose file does not exist (sections left empty dropped)."""
    sections = [(section, [e for e in entries if (PAGES_DIR / e[0]).is_file()]) for section, entries in PAGES]
    return [(section, entries) for section, entries in sections if entries]


def navigation_pages(lang: str) -> dict[str, list[st.Page]]:
    """st.navigation's sections; the first page is the default (served at the root)."""
    present = _present()
    default = present[0][1][0][0]
    return {t(section, lang): [st.Page(str(PAGES_DIR / file), title=t(label, lang), icon=icon,
                                       url_path=RESERVED if file == default else url, default=file == default)
                               for file, label, icon, url in entries]
            for section, entries in present}


def present_url_paths() -> list[str]:
    """The URL paths Streamlit serves or reserves for the pages shown (not `HOME`: an address of its
    own, `not_found_page`)."""
    paths = [url for _, entries in _present() for *_, url in entries]
    return [RESERVED, *paths[1:]]


def page_files() -> list[str]:
    """The page files that exist, in navigation order (the first is the default page)."""
    return [file for _, entries in _present() for file, *_ in entries]


def url_paths() -> list[str]:
    """The URL path of every page, in navigation order."""
    return [url for _, entries in PAGES for *_, url in entries]


_LABEL_OF_URL = {url: label for _, entries in PAGES for _, label, _, url in entries}


def page_title(url: object, lang: str) -> str:
    """A page's nav label from its URL path (logs record the path), else the value as it is."""
    return t(_LABEL_OF_URL[url], lang) if url in _LABEL_OF_URL else str(url)


NOT_FOUND_KEY = "_nav_not_found"  # the address that had no page, until the page it led to has said so


def requested_path() -> str:
    """The page path of the address the browser opened ("" at the root). Set on the run that a typed,
    copied or reloaded address starts; a click in the menu or st.switch_page names its page by hash,
    and this is "" then, as outside a script run. Streamlit has no public API for it (`st.context.url`
    gives the path of the page it resolved, not the one asked for)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return ""
    pages = ctx.pages_manager
    return "" if pages.intended_page_script_hash else (pages.intended_page_name or "")


def history_navigation() -> bool:
    """Whether this run follows the browser's back or forward button: the address is then that history
    entry's, and what it says (filters, language, date mode) is to be shown, not the session's. Streamlit
    sends the flag with the run and keeps it in the run's context; there is no public API for it."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and getattr(ctx, "is_history_navigation", False))


def not_found_page(default: st.Page, known: Iterable[str], lang: str) -> st.Page | None:
    """A hidden page at the address asked for when none of `known` (every URL path of the navigation)
    is it, else None. Run, it switches to `default` with the address's query parameters (a copied
    link's filters) and, unless the address is `HOME`, leaves it for `not_found_notice`. An address
    Streamlit could not give a page (nested, `/a/b`; blanks or slashes at its ends) is left to Streamlit."""
    path = requested_path()
    if not path or path in set(known) or "/" in path or path != path.strip():
        return None

    def page() -> None:
        if path != HOME:
            st.session_state[NOT_FOUND_KEY] = path
        st.switch_page(default, query_params={k: st.query_params.get_all(k) for k in st.query_params})

    return st.Page(page, title=t("nav.not_found_title", lang), url_path=path, visibility="hidden")


def not_found_notice(lang: str) -> None:
    """Once, on the page an address without a page led to: that there is no page at that address."""
    path = st.session_state.pop(NOT_FOUND_KEY, None)
    if path is None:
        return
    shown = shortened(path)
    st.warning(t("nav.not_found", lang, path=md_escape(shown)))
