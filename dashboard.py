"""扶贫督查看板 — the Streamlit entry point: `streamlit run dashboard.py`.

Every run: page config, language, login (ui.login.gate: with a users file nobody gets further without
logging in; without one the local user, personal data masked), resolve the data snapshot once
(ui.data.begin_run), the user box, sidebar filters (scoped to the user's townships), reference date,
then st.navigation over ui.navigation.PAGES and the page context (ui.context).
Before any database exists, a single page tells how to build the demo (`python -m etl demo`); on a
database of another schema version, one tells how to upgrade it (`python -m etl rebuild`).

URL paths deliberately differ from the file names: Streamlit still knows the legacy `pages/` folder
convention, and a first request for `/<file stem>` could run that file without this entry point (no
sidebar, no filters). With distinct URL paths every request goes through this script.
"""

from __future__ import annotations

import duckdb
import streamlit as st

from labels import t
from queries import filters as qfilters
from queries import meta
from ui import data, filters, header, layout, login, run_slots, settings, widget_text
from ui import figures as ui_figures
from ui.context import PageContext, set_current
from ui.navigation import ICON, PAGES, navigation_pages, not_found_notice, not_found_page, present_url_paths


def main() -> None:
    lang = settings.language()
    # the browser tab's title (and a printed page's header) in the user's language: it was 扶贫督查看板 on
    # the English pages (a probe). Streamlit 1.67 takes the page config at any point of the run.
    st.set_page_config(page_title=t("app.title", lang), page_icon=str(ICON), layout="wide")
    widget_text.show(lang)  # Streamlit's "No results" in the user's language, on every page
    layout.app_style(lang)  # a folded sidebar out of the Tab order, the page's language
    try:
        _run(lang)
    except (duckdb.IOException, OSError) as exc:  # held open by another program, not readable: said
        if not header.database_unusable(exc, lang):
            raise


def _run(lang: str) -> None:
    user = login.gate(lang)
    login.sidebar(user, lang)
    viewer = data.viewer()
    snap = data.begin_run()
    if snap is None:
        set_current(PageContext(lang=lang, viewer=viewer, user=user))
        st.navigation([st.Page(header.no_database, title=t("nodb.title", lang), url_path="start")],
                      position="hidden").run()
        return
    if header.is_stale():  # an older version's tables: pages would fail until the upgrade
        set_current(PageContext(lang=lang, viewer=viewer, user=user))
        st.navigation([st.Page(header.stale_database, title=t("stale.title", lang), url_path="upgrade")],
                      position="hidden").run()
        return
    opts = data.call(qfilters.options, viewer)
    flt = filters.show(opts, lang, scoped=viewer.townships is not None)
    data_as_of = data.call(meta.data_as_of)
    as_of = settings.reference_date(data_as_of, lang)
    nav = navigation_pages(lang)
    missing = not_found_page(next(p for pages in nav.values() for p in pages if p.url_path == ""),
                             present_url_paths(), lang)
    if missing is not None:  # an address no page has: the start page, saying so (not Streamlit's English box)
        nav[next(iter(nav))].append(missing)
    # Thirteen pages: Streamlit would fold the list after ten behind "View more", hiding 数据管理.
    page = st.navigation(nav, expanded=True)
    ui_figures.reset_shown()
    guide = [p for pages in nav.values() for p in pages if p.url_path == "user-guide"]
    if guide:  # the help link, at the foot of the sidebar's filters
        st.sidebar.page_link(guide[0], label=t("guide.sidebar_link", lang), icon=":material/menu_book:")
    set_current(PageContext(flt=flt, viewer=viewer, lang=lang, as_of=as_of, data_as_of=data_as_of, snapshot=snap,
                            user=user, page=page.url_path or PAGES[0][1][0][3]))
    not_found_notice(lang)
    if missing is None:  # else this run goes on to the start page, which says it
        filters.url_notice(lang)
    page.run()


with run_slots.slot():  # a burst of sessions is served a few runs at a time (ui.run_slots)
    main()
