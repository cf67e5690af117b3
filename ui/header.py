"""Page header line and empty state.

- `show(title_key)`: page title, then a caption with the data's as-of date, the reference date used
  for overdue/days-since when it differs, and the batches (files) behind the data (expandable list).
- `rules(text, *, table=None, as_of=True)`: the page's 规则说明 expander.
- `empty(hint=None)`: the clear empty state for a filter that matches nothing.
- `no_database()`: the message shown before any database exists (how to build the demo).
- `stale_database()`: the message shown while the database waits for its upgrade (etl.load.rebuild).
- `database_unusable(exc, lang)`: the message shown while the database cannot be read (held open by
  another program, or not readable by the dashboard's user); its path and the holder's process id only
  to those who manage the data.
"""

from __future__ import annotations

import streamlit as st

from etl.cli_parser import in_use_text, path_and_reason
from etl.schema import SCHEMA_VERSION, demo_county, recorded_version
from etl.snapshot import db_path
from labels import t
from queries import meta
from ui import data, table
from ui.context import current
from ui.filter_text import filter_text
from ui.upload import may_upload


def show(title_key: str, *, filtered: bool = True) -> None:
    """The page's title, data date and batches; the chosen filters when the page follows them, else
    that it does not (`filtered`: the indicator dictionary and the data page do not; the dictionary said
    "Filtered: 石哈河镇" above every figure, the data page above the banner's load history)."""
    ctx = current()
    st.title(ctx.t(title_key))
    batches = data.call(meta.batches, ctx.viewer)  # a township viewer: each batch's time and kind only
    line = ctx.t("header.as_of", date=ctx.data_as_of.isoformat())
    demo = data.call(demo_county)
    if demo:  # generated figures must not be read as a county's (nor files loaded into them)
        line = ":material/science: " + ctx.md("header.demo", county=demo) + " · " + line
    if ctx.as_of != ctx.data_as_of:
        line += " · " + ctx.t("header.reference", date=ctx.as_of.isoformat())
    if not batches.empty:
        last = batches["loaded_at"].max()
        line += " · " + ctx.t("header.batches", n=len(batches), last=f"{last:%Y-%m-%d %H:%M}")
    if ctx.viewer.townships is not None:
        line += " · " + ctx.md("header.scope", townships="、".join(ctx.viewer.townships))
    st.caption(line)
    chosen = filter_text(ctx.flt, ctx.lang, areas=True, notes=filtered)
    if chosen and filtered:  # on the page itself: a printout or a screenshot without the sidebar read as the banner's
        st.markdown(":material/filter_alt: " + ctx.md("header.filters", filters=chosen))
    elif chosen:  # a page nothing of which follows them says so: the data page read 筛选条件：德岭山镇 above
        # the whole banner's load history and rows outside the registry
        st.markdown(":material/filter_alt_off: " + ctx.md("header.filters_unused", filters=chosen))
    if not batches.empty:
        with st.expander(ctx.t("header.batches_list"), expanded=False):
            table.show("header_batches", batches, ctx.t("what.batches"), unfiltered=True)  # every batch
            if ctx.viewer.townships is not None:
                st.caption(ctx.t("insp.data.history_scope"))


def rules(text: str, *, table: object = None, as_of: bool = True) -> None:
    """The page's 规则说明 expander: its rules (markdown), a table of them if any, and for a page that
    counts days (overdue, since the last visit) the reference date it counts from."""
    ctx = current()
    with st.expander(ctx.t("insp.rules")):
        st.markdown(text)
        if table is not None:
            st.dataframe(table, hide_index=True)
        if as_of:
            st.caption(ctx.t("insp.as_of_note", date=ctx.as_of.isoformat()))


def no_database() -> None:
    ctx = current()
    st.title(ctx.t("app.title"))
    st.warning(ctx.t("nodb.title"), icon=":material/database:")
    st.markdown(ctx.t("nodb.body"))
    st.code(".venv/bin/python -m etl demo", language="bash")
    from ui import upload_panel  # the loader's imports, only on this page and the data page

    st.markdown(ctx.t("nodb.upload_note"))
    upload_panel.show(ctx)


def database_unusable(exc: BaseException, lang: str) -> bool:
    """Say, instead of the page, that the database cannot be read: another program holds it open for
    writing (a DuckDB shell opened without -readonly), or the dashboard's user may not read it (loaded
    by another user from the command line). Every page ended in a traceback, DuckDB's "IO Error: Could
    not set lock on file …" or Python's "PermissionError: [Errno 13]" (a probe). False for any other
    error (the caller raises it). The server's path and the holder's process id are said to those who
    may load files (`ui.upload.may_upload`: they manage the data and can act on them); a township's user,
    or anyone before the login, reads that the data cannot be read now and whom to tell."""
    text = in_use_text(exc, lang)
    found = path_and_reason(exc, lang) if text is None else None
    if found is not None and str(found[0]).startswith(str(db_path())):  # the database's own files only
        text = t("app.db_unreadable", lang, path=found[0], reason=found[1])
    if text is None:
        return False
    if not may_upload(data.viewer()):
        text = t("app.db_unavailable", lang)
    st.title(t("app.title", lang))
    st.error(text, icon=":material/lock:")
    return True


def is_stale() -> bool:
    """Whether the current snapshot was written by an older (or newer) schema version than this code's."""
    return data.call(recorded_version) != SCHEMA_VERSION


def stale_database() -> None:
    ctx = current()
    st.title(ctx.t("app.title"))
    st.warning(ctx.t("stale.title"), icon=":material/upgrade:")
    st.markdown(ctx.t("stale.body", old=data.call(recorded_version), new=SCHEMA_VERSION))
    st.code(".venv/bin/python -m etl rebuild", language="bash")
