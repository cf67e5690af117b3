"""数据管理 Data: load history, rejected rows, and uploading export files through the same ETL."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from labels import t
from queries import data_admin as q
from ui import data, header, table
from ui.context import PageContext, current

UPLOAD_LIMIT_MB = int(os.environ.get("FUPIN_UPLOAD_MB", "100"))
ALLOWED = (".xlsx", ".csv")


@dataclass
class UploadOutcome:
    lines: list[str]  # the command line's summary, one line per file
    errors: list[str]  # files that changed nothing, with why
    exit_code: int


def summary_lines(report: object, lang: str) -> tuple[list[str], list[str]]:
    """The command line's per-file summary (same labels as `python -m etl load`) and the errors."""
    lines: list[str] = []
    errors: list[str] = []
    for f in getattr(report, "files", []):
        name = Path(f.path).name
        if f.error:
            errors.append(str(f.error))
        elif f.unchanged:
            lines.append(t("cli.unchanged", lang, file=name))
        else:
            lines.append(t("cli.summary", lang, file=name, kind=t(f"kind.{f.kind}", lang), rows_read=f.rows_read,
                           rows_loaded=f.rows_loaded, rows_rejected=f.rows_rejected,
                           rows_skipped=f.rows_skipped, issues=f.issues))
            if f.ignored_columns:
                lines.append(t("cli.ignored", lang, columns="、".join(f.ignored_columns)))
    return lines, errors


def load_uploads(files: Sequence[tuple[str, bytes]], lang: str, db: Path | None = None,
                 progress: Callable[[float, str], None] | None = None,
                 limit_mb: int = UPLOAD_LIMIT_MB) -> UploadOutcome:
    """Check the uploads (type, size), save them to a temp dir and run the ETL on the good ones.

    Files that fail the checks are not loaded at all; the others load as on the command line (each file
    its own batch; a file that cannot be read changes nothing).
    """
    errors: list[str] = []
    good: list[tuple[str, bytes]] = []
    for name, content in files:
        if not name.lower().endswith(ALLOWED):
            errors.append(t("insp.data.bad_type", lang, file=name))
        elif len(content) > limit_mb * 2**20:
            errors.append(t("insp.data.too_large", lang, file=name, size=f"{len(content) / 2**20:.1f}",
                            limit=limit_mb))
        else:
            good.append((name, content))
    if not good:
        return UploadOutcome([], errors, 1 if errors else 0)
    from etl.load import load_files

    with tempfile.TemporaryDirectory(prefix="fupin-upload-") as tmp:
        paths = []
        for i, (name, content) in enumerate(good):
            # the original name only as display name; the temp file name is ours
            path = Path(tmp) / f"{i:03d}{Path(name).suffix.lower()}"
            path.write_bytes(content)
            paths.append(path)
        report = load_files(paths, db=db, lang=lang, progress=progress, display_names=[n for n, _ in good])
    for f, (name, _) in zip(report.files, good, strict=False):
        f.path = Path(name)
    lines, load_errors = summary_lines(report, lang)
    errors.extend(load_errors)
    return UploadOutcome(lines, errors, max(report.exit_code, 1 if errors else 0))


def _upload(ctx: PageContext) -> None:
    st.subheader(ctx.t("insp.data.upload"))
    if ctx.viewer.townships is not None:
        st.info(ctx.t("insp.data.restricted"))
        return
    st.caption(ctx.t("insp.data.upload_help", limit=UPLOAD_LIMIT_MB))
    with st.form("data_upload", clear_on_submit=True):
        uploaded = st.file_uploader(ctx.t("insp.data.files"), type=["xlsx", "csv"], accept_multiple_files=True,
                                    key="data_files", max_upload_size=UPLOAD_LIMIT_MB)
        submitted = st.form_submit_button(ctx.t("insp.data.load"), icon=":material/upload:", type="primary")
    if submitted and uploaded:
        bar = st.progress(0.0, text=ctx.t("insp.data.loading"))

        def tick(fraction: float, text: str) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=text)

        outcome = load_uploads([(f.name, f.getvalue()) for f in uploaded], ctx.lang, progress=tick)
        st.session_state["data_upload_outcome"] = outcome
        st.rerun()  # the next run resolves the new snapshot: history and every page see the new data
    outcome = st.session_state.get("data_upload_outcome")
    if isinstance(outcome, UploadOutcome):
        st.markdown(f"**{ctx.t('insp.data.summary')}**")
        if outcome.lines:
            st.code("\n".join(outcome.lines), language=None)
            st.success(ctx.t("insp.data.done"))
        if outcome.errors:
            st.error(ctx.t("insp.data.failed") + "\n\n" + "\n\n".join(f"- {e}" for e in outcome.errors))


def main() -> None:
    ctx = current()
    header.show("insp.page.data")
    totals = data.call(q.totals)
    st.caption(ctx.t("insp.data.totals", **totals))
    _upload(ctx)

    st.subheader(ctx.t("insp.data.history"))
    hist = data.call(q.load_history)
    if hist.empty:
        st.caption(ctx.t("insp.quality.trend_none"))
    else:
        hv = hist.assign(kind=[ctx.t(f"kind.{k}") for k in hist["kind"]])
        table.show("data_history", hv, ctx.t("insp.what.history"))

    st.subheader(ctx.t("insp.data.rejected"))
    batches = [None, *hist["batch_id"].tolist()] if not hist.empty else [None]
    names = {int(b): f"#{b} {f}" for b, f in zip(hist["batch_id"], hist["file_name"], strict=True)} if len(hist) else {}
    batch = st.selectbox(ctx.t("insp.data.batch"), batches, key="data_batch",
                         format_func=lambda b: ctx.t("insp.data.all_batches") if b is None else names.get(int(b), b))
    rej = data.call(q.rejected_rows, data.viewer(), batch_id=None if batch is None else int(batch))
    if rej.empty:
        st.caption(ctx.t("insp.data.rejected_none"))
    else:
        rv = rej.assign(
            rule_name=[ctx.t(f"rulename.{r}") for r in rej["rule"]],
            kind=[ctx.t(f"kind.{k}") if isinstance(k, str) else "" for k in rej["kind"]],
            field=[ctx.t(f"field.{f}") if isinstance(f, str) else "" for f in rej["field"]],
        )
        rv = rv[["batch_id", "file_name", "kind", "line", "rule_name", "field", "raw"]]
        table.show("data_rejected", pd.DataFrame(rv), ctx.t("insp.what.rejected"))


main()
