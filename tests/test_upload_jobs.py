"""Uploads are jobs of the server (ui.upload_jobs), not of a page's script run (probe D §2): a job
finishes with no session watching it, its summary stays for its user, and a load queued behind
another says so. Real DuckDB files."""

from __future__ import annotations

import fcntl
import shutil
import time
from pathlib import Path

import pytest

from etl import snapshot
from tests.conftest import held_open
from ui import upload_jobs

VISITS = "户编号,走访日期,走访类型,走访人,情况记录\nH05,2020-06-02,入户走访,甲,作业\n".encode()


@pytest.fixture()
def db(fixture_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "fupin.duckdb"
    shutil.copy(fixture_db, copy)
    return copy


def wait_done(job: upload_jobs.Job, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not job.done:
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def batches(db: Path, name: str) -> int:
    con, _ = snapshot.connect_read(db)
    try:
        return int(con.execute("SELECT count(*) FROM load_batches WHERE file_name = ?", [name]).fetchone()[0])
    finally:
        con.close()


def test_a_job_finishes_without_a_session_and_its_user_finds_it(db: Path) -> None:
    job = upload_jobs.submit("admin-a", [("走访_作业.csv", VISITS)], "zh", db=db)
    assert upload_jobs.jobs("admin-a")[-1] is job and upload_jobs.jobs("someone-else") == []
    wait_done(job)
    assert job.outcome is not None and job.outcome.exit_code == 0, job.outcome
    assert any("走访_作业.csv" in line for line in job.outcome.lines)
    assert job.files == [] and job.finished is not None  # the contents are not kept
    assert batches(db, "走访_作业.csv") == 1
    later = upload_jobs.submit("admin-a", [("x.pdf", b"%PDF")], "zh", db=db)
    wait_done(later)
    assert upload_jobs.jobs("admin-a") == [later]  # a new upload replaces the finished summaries
    assert later.outcome is not None and later.outcome.errors


def test_a_job_behind_another_load_says_it_waits(db: Path) -> None:
    """Probe D §7: a page upload behind a command-line load showed only "正在入库…" for a minute."""
    from labels import t

    lock = snapshot.lock_path(snapshot.db_path(db))
    with open(lock, "a+") as held:  # the command line's load holds the lock
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            job = upload_jobs.submit("admin-b", [("走访_排队.csv", VISITS)], "zh", db=db)
            time.sleep(1.0)
            assert not job.done and job.waiting and job.text == t("insp.data.queued", "zh"), job
            behind = upload_jobs.submit("admin-c", [("走访_排队2.csv", VISITS.replace(b"H05", b"H06"))], "en", db=db)
            assert behind.waiting and behind.text == t("insp.data.queued", "en")  # behind the first job
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
    wait_done(job)
    wait_done(behind)
    assert not job.waiting and job.outcome is not None and job.outcome.exit_code == 0, job.outcome
    assert batches(db, "走访_排队.csv") == 1 and batches(db, "走访_排队2.csv") == 1


def test_an_upload_that_changes_nothing_does_not_say_done(db: Path) -> None:
    """A header-only file (or one loaded before) was followed by a green 入库完成 (a probe): the outcome
    says whether anything changed, and the page says 未作更改 instead."""
    job = upload_jobs.submit("admin-c", [("走访_空.csv", "户编号,走访日期,走访类型\n".encode())], "zh", db=db)
    wait_done(job)
    assert job.outcome is not None and job.outcome.exit_code == 0 and job.outcome.changed is False
    assert any("只有表头" in line for line in job.outcome.lines)
    loaded = upload_jobs.submit("admin-c", [("走访_作业.csv", VISITS)], "zh", db=db)
    wait_done(loaded)
    assert loaded.outcome is not None and loaded.outcome.changed is True


def test_a_job_is_done_for_its_user_once_the_pages_show_its_data(db: Path) -> None:
    """After the publish the loader makes the file it replaced ready for the next load (1.4 s at 10M
    households), and the upload's summary waited for that. Here a page still reads the replaced file,
    so the loader waits for it (up to SPARE_WAIT) before giving up: the job is done long before the
    worker is, and the next upload is queued behind the worker meanwhile."""
    import duckdb

    wait_done(upload_jobs.submit("admin-d", [("走访_一.csv", VISITS)], "zh", db=db))  # now a snapshot pair
    viewer = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)  # a page on the file it replaces
    try:
        job = upload_jobs.submit("admin-d", [("走访_二.csv", VISITS.replace(b"H05", b"H06"))], "zh", db=db)
        wait_done(job)
        done_at = time.monotonic()
        assert job.outcome is not None and job.outcome.changed and job.outcome.exit_code == 0, job.outcome
        assert any("走访_二.csv" in line for line in job.outcome.lines)
        behind = upload_jobs.submit("admin-e", [("x.pdf", b"%PDF")], "zh", db=db)
        assert behind.waiting  # the worker is still busy with the first job
        deadline = done_at + 30
        while upload_jobs._QUEUE.unfinished_tasks > 1:  # the pdf's job waits for the worker
            assert time.monotonic() < deadline
            time.sleep(0.02)
        worker_free_after = time.monotonic() - done_at
    finally:
        viewer.close()
    assert worker_free_after > snapshot.SPARE_WAIT * 0.75, worker_free_after
    assert batches(db, "走访_二.csv") == 1
    wait_done(behind)


def test_a_database_held_open_by_another_program_is_said_in_the_user_s_language(db: Path) -> None:
    """The page's upload said "入库程序出错…：IOException: IO Error: Could not set lock on file …" (a probe)."""
    from labels import t

    with held_open(db) as pid:
        job = upload_jobs.submit("admin-d", [("走访_占用.csv", VISITS)], "zh", db=db)
        wait_done(job)
    assert job.outcome is not None and job.outcome.errors, job.outcome
    for lang in ("zh", "en"):
        said = " ".join(job.outcome.in_lang(lang).errors)
        assert t("cli.db_in_use", lang, pid=pid, path=snapshot.current_snapshot(db)) in said, said
        assert "IO Error" not in said and "IOException" not in said, said
    assert batches(db, "走访_占用.csv") == 0


def test_a_full_disk_is_said_as_the_command_line_says_it(db: Path) -> None:
    """A file-size limit under the database's size stands in for a full disk (Python ignores SIGXFSZ): the
    upload said "入库程序出错…：OSError: [Errno 27] File too large: '…' -> '…'", Python's English (a probe)."""
    import resource

    from labels import t

    before = snapshot.current_snapshot(db)
    job = upload_jobs.Job("admin-f", ["走访_满.csv"], "zh", db=db, files=[("走访_满.csv", VISITS)])
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (before.stat().st_size // 2, hard))
    try:
        upload_jobs.run(job)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert job.outcome is not None and job.outcome.exit_code == 1, job.outcome
    for lang in ("zh", "en"):
        said = " ".join(job.outcome.in_lang(lang).errors)
        assert said.startswith(t("cli.os_error", lang, path="", reason="")[:4]), said
        assert t("oserror.EFBIG", lang) in said and "Errno" not in said and "OSError" not in said, said
    assert snapshot.current_snapshot(db) == before and batches(db, "走访_满.csv") == 0
