"""Uploads through the browser: check type and size, save to a temp dir, run the same ETL as the command
line (`etl.load.load_files`), and report with the command line's own summary lines. No Streamlit here.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from etl.file_types import ACCEPTED_SUFFIXES
from labels import LANGS, t
from queries.filters import PUBLIC, Viewer, mask_file_name_value, mask_household_id_value, mask_raw_value
from ui.formats import joined

if TYPE_CHECKING:
    from etl.load import LoadReport

UPLOAD_LIMIT_MB = int(os.environ.get("FUPIN_UPLOAD_MB", "100"))
# data-spec §1.3: Excel (BIFF .xls, and the text or HTML tables systems name .xls), text, gzip'd text, HTML:
# what the reader reads (etl.file_types)
ALLOWED = ACCEPTED_SUFFIXES


class Texts(NamedTuple):
    """An upload's summary in one language."""

    lines: list[str]  # the command line's summary, one line per file
    errors: list[str]  # files that changed nothing, with why
    notices: list[str]  # what must not be missed (LoadReport.notices)


@dataclass
class UploadOutcome:
    # the summary in each language: the page shows it in its user's language of the moment (switched
    # after the load, it showed an English summary under Chinese headings: a probe)
    texts: dict[str, Texts]
    exit_code: int
    lang: str  # the language `lines`, `errors` and `notices` are in
    changed: bool = False  # a new snapshot was published (not when every file was unchanged or empty)

    @property
    def lines(self) -> list[str]:
        return self.texts[self.lang].lines

    @property
    def errors(self) -> list[str]:
        return self.texts[self.lang].errors

    @property
    def notices(self) -> list[str]:
        return self.texts[self.lang].notices

    def in_lang(self, lang: str) -> UploadOutcome:
        """The same outcome, its texts in `lang` (as written when none were kept for it)."""
        return replace(self, lang=lang) if lang in self.texts else self

    @classmethod
    def refused(cls, errors: dict[str, list[str]], lang: str) -> UploadOutcome:
        """No file was loaded: only `errors` (in each language) to say."""
        return cls({lg: Texts([], e, []) for lg, e in errors.items()}, 1 if errors[lang] else 0, lang)


def may_upload(viewer: Viewer) -> bool:
    """Whether `viewer` may load files: county-wide users only (a township user's file would change other
    townships' figures), and of them not a read-only role (`county_viewer`). The upload form asks it, and
    so does the server for every file sent to it (ui.serve.guard_uploads): Streamlit kept any file PUT by
    any session, the login page's too."""
    return viewer.townships is None and viewer.loads


def load_uploads(files: Sequence[tuple[str, bytes]], lang: str, db: Path | None = None,
                 progress: Callable[[float, str], None] | None = None,
                 limit_mb: int = UPLOAD_LIMIT_MB, viewer: Viewer = PUBLIC, reload: bool = False,
                 on_outcome: Callable[[UploadOutcome], None] | None = None) -> UploadOutcome:
    """Check the uploads (type, size), save them to a temp dir and run the ETL on the good ones.

    Files that fail the checks are not loaded at all; the others load as on the command line (each file
    its own batch; a file that cannot be read changes nothing). The summary quotes the files' values
    masked for `viewer` as the pages mask them, and the files' names (the command line's reader sees the
    files anyway).
    `reload`: files already loaded are loaded again (etl.load.load_files).
    `on_outcome` gets the outcome as soon as the pages show the new data, while the loader still makes
    the other snapshot file ready for the next load; the return value is the same outcome.
    """
    errors: dict[str, list[str]] = {lg: [] for lg in LANGS}
    good: list[tuple[str, bytes]] = []
    for name, content in files:
        shown = str(mask_file_name_value(name, viewer))  # as every page shows a file's name to `viewer`
        if not name.lower().endswith(ALLOWED):
            refused = [(lg, t("insp.data.bad_type", lg, file=shown, types=joined(ALLOWED, lg))) for lg in LANGS]
        elif len(content) > limit_mb * 2**20:
            refused = [(lg, t("insp.data.too_large", lg, file=shown, size=f"{len(content) / 2**20:.1f}",
                              limit=limit_mb)) for lg in LANGS]
        else:
            refused = []
            good.append((name, content))
        for lg, text in refused:
            errors[lg].append(text)
    if not good:
        return UploadOutcome.refused(errors, lang)
    from etl.load import load_files
    from etl.readers import file_suffix

    with tempfile.TemporaryDirectory(prefix="fupin-upload-") as tmp:
        paths = []
        for i, (name, content) in enumerate(good):
            # the original name only as display name; the temp file name is ours
            path = Path(tmp) / f"{i:03d}{file_suffix(name)}"
            path.write_bytes(content)
            paths.append(path)
        told: list[UploadOutcome] = []  # the outcome, once: the report's values are masked in place

        def published(report: LoadReport) -> None:
            told.append(_outcome(report, good, errors, lang, viewer))
            if on_outcome is not None:
                on_outcome(told[0])
        report = load_files(paths, db=db, lang=lang, progress=progress, display_names=[n for n, _ in good],
                            reload=reload, on_published=published)
    return told[0] if told else _outcome(report, good, errors, lang, viewer)


def _outcome(report: LoadReport, good: list[tuple[str, bytes]], errors: dict[str, list[str]], lang: str,
             viewer: Viewer) -> UploadOutcome:
    """The load's summary for `viewer`: file names and values masked as the pages mask them; in `lang`,
    and in each language (`UploadOutcome.texts`)."""
    def masked(text: str) -> str:  # a text of the file's own (a header, a sheet's name), as its name is
        return str(mask_file_name_value(text, viewer))

    for f, (name, _) in zip(report.files, good, strict=False):
        f.path = Path(masked(name))
        # headers of columns the contract does not know and sheet names may hold a phone number (紧急联系人
        # 13904781234, a cover sheet 说明 联系人13904781234): they were quoted in full (a privacy probe)
        f.skipped_sheets = [(masked(sheet), reason) for sheet, reason in f.skipped_sheets]
        if f.superseded_by is not None:
            f.superseded_by = masked(f.superseded_by)
        for part in [f, *f.sheets]:
            part.ignored_columns = [masked(c) for c in part.ignored_columns]
            if part.sheet is not None:
                part.sheet = masked(part.sheet)
            # a finding's record is a 户编号 where a sentence quotes it ("户编号「…」没有户主")
            part.findings = [replace(x, value=mask_raw_value(x.field, x.value, viewer),
                                     record=mask_household_id_value(x.record, viewer)) for x in part.findings]
    texts = {}
    for lg in LANGS:
        lines, load_errors = report.summary_lines(lg)
        texts[lg] = Texts(lines, errors[lg] + load_errors, report.notices(lg))
    return UploadOutcome(texts, max(report.exit_code, 1 if texts[lang].errors else 0), lang, changed=report.published)
