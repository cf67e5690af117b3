"""The upload hint, the upload check's message and `etl load --help` name every file type the reader
reads, from the reader's own list (etl.file_types), and that list is what `read_book` accepts (issue 13)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from etl.raw_file import ReadError
from etl.readers import ACCEPTED_SUFFIXES, read_book
from labels import t
from tests import conftest
from ui.upload import load_uploads

OTHERS = (".xlsb", ".ods", ".json", ".zip", ".gz", ".tsv", ".pdf", ".xml", ".csv.zip", ".xls.gz", ".htm.gz", "")


def accepted(path: Path) -> bool:
    """Whether the reader takes a file of this name (written, so that its content is what fails, not its
    absence: a missing path is `not_found` whatever its name)."""
    path.write_bytes(b"x")
    try:
        read_book(path)
    except ReadError as exc:
        return exc.code != "unsupported_type"
    raise AssertionError(f"{path} read")


def missing(text: str) -> list[str]:
    """The accepted suffixes `text` does not name on their own (.csv is not named by .csv.gz)."""
    return [s for s in ACCEPTED_SUFFIXES if not re.search(rf"(?<![\w.]){re.escape(s)}(?!\.?\w)", text)]


def test_the_list_is_what_the_reader_reads(tmp_path: Path) -> None:
    for s in ACCEPTED_SUFFIXES:
        assert accepted(tmp_path / f"a{s}") and accepted(tmp_path / f"B{s.upper()}"), s
    for s in OTHERS:
        assert not accepted(tmp_path / f"a{s}"), s


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_upload_check_names_every_type(lang: str) -> None:
    out = load_uploads([("scan.pdf", b"%PDF")], lang)
    assert len(out.errors) == 1 and missing(out.errors[0]) == []


def test_the_upload_hint_names_every_type(app_db: Path) -> None:
    at = conftest.open_page("data_admin")
    hint = [c.value for c in at.caption if t("insp.data.upload_help", types="")[:6]
            in c.value]
    assert len(hint) == 1 and missing(hint[0]) == []


def test_the_cli_help_names_every_type() -> None:
    for args in (["load", "--help"], ["--help"]):
        proc = subprocess.run([sys.executable, "-m", "etl", *args], cwd=conftest.ROOT, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0 and missing(proc.stdout) == [], (args, proc.stdout)
