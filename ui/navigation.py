"""The dashboard's pages: sections, files, nav labels, icons and URL paths, in navigation order. Its own
module without side effects, so that the benchmark, the screenshot script and the tests read the same
list the entry point (dashboard.py) shows. A page whose file does not exist is left out."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from labels import t

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


def _present() -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """PAGES without the entries whose file does not exist (sections left empty dropped)."""
    sections = [(section, [e for e in entries if (PAGES_DIR / e[0]).is_file()]) for section, entries in PAGES]
    return [(section, entries) for section, entries in sections if entries]


def navigation_pages(lang: str) -> dict[str, list[st.Page]]:
    """st.navigation's sections; the first page is the default (served at the root)."""
    present = _present()
    default = present[0][1][0][0]
    return {t(section, lang): [st.Page(str(PAGES_DIR / file), title=t(label, lang), icon=icon, url_path=url,
                                       default=file == default) for file, label, icon, url in entries]
            for section, entries in present}


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
