"""Uploading export files through the same ETL as the command line: the form, the user's loads still
running (ui.upload_jobs runs them on the server, whatever becomes of the session) and the summary of
each load done. On the data page, and on the start page of a server with no database yet: a county
that does not want the demo loads its own exports from the browser."""

from __future__ import annotations

import streamlit as st

from ui import upload_jobs, uploader
from ui.context import PageContext, md_escape
from ui.formats import joined
from ui.upload import ALLOWED, UPLOAD_LIMIT_MB, may_upload


def show(ctx: PageContext) -> None:
    """The upload form, the user's loads running and the summaries of those done."""
    st.subheader(ctx.t("insp.data.upload"))
    if not may_upload(ctx.viewer):
        st.info(ctx.t("insp.data.restricted"))
        return
    st.caption(ctx.t("insp.data.upload_help", types=joined(ALLOWED, ctx.lang)))
    with st.form("data_upload", clear_on_submit=True):
        uploaded = uploader.show(ctx, "data_files", UPLOAD_LIMIT_MB)
        st.caption(ctx.t("insp.data.limit", limit=UPLOAD_LIMIT_MB))
        reload = st.checkbox(ctx.t("insp.data.reload"), key="data_reload", help=ctx.t("insp.data.reload_help"))
        submitted = st.form_submit_button(ctx.t("insp.data.load"), icon=":material/upload:", type="primary")
    if submitted and uploaded:  # the server loads them, whatever becomes of this session (ui.upload_jobs)
        upload_jobs.submit(ctx.user.username, [(f.name, f.getvalue()) for f in uploaded], ctx.lang,
                           viewer=ctx.viewer, reload=reload)
    jobs = upload_jobs.jobs(ctx.user.username)
    if any(not j.done for j in jobs):
        _progress(ctx)
    for job in jobs:
        if job.outcome is not None:
            _summary(ctx, job)


@st.fragment(run_every=1.0)
def _progress(ctx: PageContext) -> None:
    """The user's loads still queued or running, once a second; when the last is done, the whole page
    again: it resolves the new snapshot, so history and every figure see the new data."""
    running = [j for j in upload_jobs.jobs(ctx.user.username) if not j.done]
    if not running:
        st.rerun()
    # Streamlit's "Running… Stop" in the corner (English, and it suggests stopping the load): the load
    # does not run in this session and Stop would not stop it; hidden while the user's loads run
    st.html('<style>[data-testid="stStatusWidget"] { visibility: hidden; }</style>')
    st.caption(ctx.t("insp.data.running_note"))
    for job in running:
        # the text carries the uploaded file's name (masked for the user by the job), and a progress
        # label is Markdown
        st.progress(job.fraction, text=md_escape(job.text))


def _summary(ctx: PageContext, job: upload_jobs.Job) -> None:
    assert job.outcome is not None
    outcome = job.outcome.in_lang(ctx.lang)
    st.markdown(f"**{ctx.t('insp.data.summary')}**")
    st.caption(ctx.t("insp.data.job_time", start=f"{job.started:%H:%M:%S}",
                     end=f"{job.finished:%H:%M:%S}" if job.finished else ""))
    # what went wrong and what must not be missed first, then the long summary: a refused file shown in red
    # below the summary and a green 入库完成 was read past (a probe)
    if outcome.errors:  # some files loaded (their lines below), or none did
        heading = ctx.t("insp.data.failed" if outcome.lines else "insp.data.failed_all")
        st.error(heading + "\n\n" + "\n\n".join(f"- {md_escape(e)}" for e in outcome.errors))
    for notice in outcome.notices:
        st.warning(md_escape(notice))
    if outcome.lines:
        if outcome.changed:
            st.success(ctx.t("insp.data.done"))
        else:  # every file loaded before, or a header alone: a green 入库完成 misled
            st.info(ctx.t("insp.data.nothing_changed"))
        st.code("\n".join(outcome.lines), language=None, wrap_lines=True)  # issue sentences are long
