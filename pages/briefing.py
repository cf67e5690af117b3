"""督查简报 Township briefing: one click → a self-contained HTML file for the filtered township or banner."""

from __future__ import annotations

import streamlit as st

from queries import history as qh
from ui import briefing_html, data, extract, header, since
from ui.context import current


def main() -> None:
    ctx = current()
    header.show("insp.page.briefing")
    st.markdown(ctx.t("insp.brief.intro"))
    st.caption(ctx.md("insp.brief.scope", scope=briefing_html.scope_text(ctx.flt, ctx.lang, ctx.viewer),
                     data_as_of=ctx.data_as_of.isoformat(), as_of=ctx.as_of.isoformat()))
    hist = data.run(qh.history, ctx)  # the since-section's date, picked as on the overview
    since_date = None if hist.empty else since.pick(ctx, hist)  # the overview's date, if picked there
    if st.button(ctx.t("insp.brief.generate"), type="primary", icon=":material/summarize:", key="brief_go"):
        html = data.run(briefing_html.build, ctx, lang=ctx.lang, as_of=ctx.as_of, data_as_of=ctx.data_as_of,
                        since=since_date)
        st.session_state["brief_html"] = (ctx.flt, ctx.lang, ctx.as_of, since_date, ctx.snapshot, html)
    cached = st.session_state.get("brief_html")
    # of this data too: a file loaded since (on the data page, by anyone) left the earlier briefing
    # offered as ready, with the figures before the load
    if cached and cached[:5] == (ctx.flt, ctx.lang, ctx.as_of, since_date, ctx.snapshot):
        html = cached[5]
        st.success(ctx.t("insp.brief.ready", size=f"{len(html.encode('utf-8')) / 1024:,.0f}"))
        what = ctx.t("insp.what.briefing")
        extract.download(
            ctx.t("insp.brief.download"), html.encode("utf-8"), what=what, fmt="html",
            rows=briefing_html.listed_rows(html), mime="text/html", key="brief_dl", icon=":material/download:",
            file_name=extract.file_name(what, extract.scoped(ctx.flt, ctx.viewer), ctx.as_of, "html", ctx.lang),
        )


main()
