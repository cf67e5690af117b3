"""数据管理 Data: load history, rejected rows, uploading export files through the same ETL, and (for
users who see the whole county) the extract log and the login log."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from etl.fields import table_of_kind
from etl.messages import issue_text
from labels import relabel
from queries import data_admin as q
from queries import meta
from queries.filters import from_query_params
from ui import (
    auth,
    data,
    extract,
    extract_log,
    header,
    jsonl_log,
    login_log,
    navigation,
    table,
    upload_panel,
)
from ui.context import PageContext, current
from ui.filter_text import filter_text


def main() -> None:
    ctx = current()
    header.show("insp.page.data", filtered=False)  # the county's loads, rows and logs: no filter applies
    totals = data.call(q.totals, ctx.viewer)
    scoped = ctx.viewer.townships is not None  # a township user: rejected rows are not theirs to see
    st.caption(ctx.t("insp.data.totals_scope" if scoped else "insp.data.totals",
                     **{k: f"{v:,}" for k, v in totals.items()}))  # 8,874 as every count
    upload_panel.show(ctx)

    st.subheader(ctx.t("insp.data.history"))
    restored = data.call(meta.restored)
    if restored is not None:
        st.info(ctx.t("insp.data.restored", file=restored[0], at=restored[1]), icon=":material/history:")
    hist = data.call(q.load_history, ctx.viewer)  # a township viewer: each batch's time and kind only
    if hist.empty:
        st.caption(ctx.t("insp.quality.trend_none"))
    else:
        table.show("data_history", hist, ctx.t("insp.what.history"), unfiltered=True)
        if scoped:
            st.caption(ctx.t("insp.data.history_scope"))

    st.subheader(ctx.t("insp.data.rejected"))
    if scoped:  # rows of a rejected line have no township (q.rejected_rows): not "none", but not shown
        st.caption(ctx.t("insp.data.rejected_scope"))
    else:
        _rejected(ctx, hist)
    _outside(ctx)
    _issues_outside(ctx)
    _extract_log(ctx)
    _login_log(ctx)


def _rejected(ctx: PageContext, hist: pd.DataFrame) -> None:
    """The rejected rows of a batch or of all, each with the sentence that says why (county-wide users)."""
    batches = [None, *hist["batch_id"].tolist()] if not hist.empty else [None]
    names = {int(b): f"#{b} {f}" for b, f in zip(hist["batch_id"], hist["file_name"], strict=True)}
    batch = st.selectbox(ctx.t("insp.data.batch"), batches, key="data_batch",
                         format_func=lambda b: ctx.t("insp.data.all_batches") if b is None else names.get(int(b), b))
    rej = data.call(q.rejected_rows, ctx.viewer, batch_id=None if batch is None else int(batch))
    if rej.empty:
        st.caption(ctx.t("insp.data.rejected_none"))
    else:
        # the sentence first: it names the file, line and column and says what to do
        rv = _with_messages(ctx, rej, [table_of_kind(k) for k in rej["kind"]])
        rv = rv[["batch_id", "line", "message", "rule_name", "field", "file_name", "kind", "raw"]]
        what = extract.narrowed(ctx.t("insp.what.rejected"), ctx.lang,  # one batch's: said (拒收行_全旗 read as all)
                                None if batch is None else ctx.t("insp.data.batch_slug", batch=int(batch)))
        table.show("data_rejected", pd.DataFrame(rv), what, unfiltered=True,
                   column_config={"message": st.column_config.TextColumn(width="large")})  # a sentence


def _with_messages(ctx: PageContext, rows: pd.DataFrame, tables: list[str]) -> pd.DataFrame:
    """Rejected rows or data issues with the sentence that says why (file, line, column, what to do),
    the rule's name and the column's name in the reader's language."""
    return rows.assign(
        rule_name=[ctx.t(f"rulename.{r}") for r in rows["rule"]],
        field=[ctx.t(f"field.{f}") if isinstance(f, str) else "" for f in rows["field"]],
        message=[issue_text(r, file=f, line=int(n) if pd.notna(n) else None, field=c if isinstance(c, str) else None,
                            value=v if isinstance(v, str) else None, table=tb, lang=ctx.lang)
                 for r, f, n, c, v, tb in zip(rows["rule"], rows["file_name"], rows["line"], rows["field"],
                                              rows["value"], tables, strict=True)],
    )


def _issues_outside(ctx: PageContext) -> None:
    """Data issues of no registered household (queries.data_admin.issues_outside): on request, county-wide
    users only, each with its sentence."""
    st.subheader(ctx.t("insp.data.issues_outside"))
    st.caption(ctx.t("insp.data.issues_outside_help"))
    if ctx.viewer.townships is not None:
        st.caption(ctx.t("insp.data.issues_outside_scope"))
        return
    if not st.button(ctx.t("insp.data.issues_outside_check"), key="data_issues_outside", icon=":material/rule:"):
        return
    rows = data.call(q.issues_outside, ctx.viewer)
    if rows.empty:
        st.success(ctx.t("insp.data.issues_outside_none"))
        return
    view = _with_messages(ctx, rows, list(rows["kind"]))
    view = view[["batch_id", "line", "message", "rule_name", "field", "household_id", "file_name", "kind"]]
    table.show("data_issues_outside", view, ctx.t("insp.what.issues_outside"), unfiltered=True,
               column_config={"message": st.column_config.TextColumn(width="large")})


def _outside(ctx: PageContext) -> None:
    """Ledger rows whose household no registry file placed: on request (an anti-join of every ledger
    against the households, 2.3 s at 10M households, not on every run of the page). A viewer limited to
    some townships: the rectification rows placed in them, and a caption saying the other ledgers' are not."""
    scoped = ctx.viewer.townships is not None  # the rectification rows their ledger places in the townships
    st.subheader(ctx.t("insp.data.outside"))
    st.caption(ctx.t("insp.data.outside_help"))
    if scoped:
        st.caption(ctx.t("insp.data.outside_scope"))
    if not st.button(ctx.t("insp.data.outside_check"), key="data_outside", icon=":material/fact_check:"):
        return
    rows = data.call(q.outside_registry, ctx.viewer)
    if rows.empty:
        st.success(ctx.t("insp.data.outside_none_scope" if scoped else "insp.data.outside_none"))
    else:
        table.show("data_outside", rows, ctx.t("insp.what.outside"), unfiltered=True)


def _county_log(ctx: PageContext, prefix: str, log: pd.DataFrame | None,
                view: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """A JSON-lines log (`prefix`: extract_log, login_log; its latest rows `log`) under its heading: only
    for those who see the whole county (`log` is None for the others)."""
    if log is None:
        return
    st.subheader(ctx.t(f"{prefix}.title"))
    if log.empty:
        st.caption(ctx.t(f"{prefix}.none"))
        return
    st.caption(ctx.t(f"{prefix}.caption", n=len(log)))
    table.show(f"data_{prefix}", view(log), ctx.t(f"{prefix}.title"), height=320, unfiltered=True)


def _who(ctx: PageContext, display_name: object, username: object) -> str:
    """A user as the logs show them: 赵晓明 (zhaoxm), a name alone when it is its own display name; the
    open single-user mode's user and a login attempt under no user's name by their labels ("本机用户
    (local)" put an identifier into the Chinese page)."""
    if username == auth.LOCAL_USER.username:
        return ctx.t("auth.local_user")
    if username == login_log.UNKNOWN_NAME:
        return ctx.t("login_log.unknown_name")
    if isinstance(display_name, str) and display_name and display_name != username:
        return f"{display_name} ({username})"
    return str(username)


def _extract_log(ctx: PageContext) -> None:
    """The latest downloads (who, when, what, filter, rows)."""
    def view(log: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({
            ctx.t("extract_log.col.ts"): [jsonl_log.shown_time(x) for x in log["ts"]],
            ctx.t("extract_log.col.user"): [_who(ctx, d, u) for d, u in zip(log["display_name"], log["user"], strict=True)],
            ctx.t("extract_log.col.scope"): [s if isinstance(s, list) else ctx.t("auth.scope.all") for s in log["scope"]],
            ctx.t("extract_log.col.page"): [navigation.page_title(p, ctx.lang) for p in log["page"]],
            # as the reader reads it, whichever language the download was made in (the file's name stem)
            ctx.t("extract_log.col.what"): [f"{relabel(w, ctx.lang).replace('_', ' ')} ({f})"
                                            for w, f in zip(log["what"], log["format"], strict=True)],
            ctx.t("extract_log.col.filter"): [_filter_text(f, ctx.lang) for f in log["filter"]],
            ctx.t("extract_log.col.rows"): log["rows"],
        })

    county = ctx.viewer.townships is None
    _county_log(ctx, "extract_log", extract_log.read(limit=200) if county else None, view)


def _login_log(ctx: PageContext) -> None:
    """The latest logins, failed logins and logouts."""
    def label(kind: str, value: object) -> str:
        values = login_log.METHODS if kind == "method" else login_log.RESULTS
        return ctx.t(f"login_log.{kind}.{value}") if value in values else str(value)

    def view(log: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({
            ctx.t("login_log.col.ts"): [jsonl_log.shown_time(x) for x in log["ts"]],
            ctx.t("login_log.col.user"): [_who(ctx, d, u) for u, d in zip(log["user"], log["display_name"], strict=True)],
            ctx.t("login_log.col.method"): [label("method", m) for m in log["method"]],
            ctx.t("login_log.col.result"): [label("result", r) for r in log["result"]],
            ctx.t("login_log.col.address"): [a if isinstance(a, str) else "" for a in log["address"]],
        })

    county = ctx.viewer.townships is None
    _county_log(ctx, "login_log", login_log.read(limit=200) if county else None, view)


def _filter_text(flt: object, lang: str) -> str:
    """A logged filter (its URL parameters) as the briefing names filters (乡镇：德岭山镇；主要致贫原因：因病),
    not `town=德岭山镇`."""
    if not isinstance(flt, dict) or not flt:
        return ""
    return filter_text(from_query_params(flt), lang, areas=True)


main()
