"""Uploads run by the server, not by the page's script run (probe D §2).

A load started on 数据管理 used to run inside the Streamlit script run: a click on another page, a closed
tab or the toolbar's Stop ended the run and with it the load, silently (the database stayed consistent,
but the file never appeared in 入库记录). Here a load is a job: `submit` hands the files to one worker
thread of the server process, which loads them one job at a time, in order (loads take the database's
exclusive lock anyway, etl.snapshot.write_lock), whatever becomes of the session that started it. The
page finds its user's jobs again with `jobs(owner)`: the running one's progress, the finished ones'
summaries, until the user starts another upload. Kept in the server's memory only: a server restart
drops them (and a load it interrupted changed nothing).
"""

from __future__ import annotations

import datetime as dt
import itertools
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path

from etl import clock, snapshot
from etl.cli_parser import path_error_text
from labels import LANGS, t
from queries.filters import PUBLIC, Viewer, mask_file_name_value
from ui.upload import UploadOutcome, load_uploads


@dataclass
class Job:
    """One upload: its files until the worker takes them, then its progress, then its outcome."""

    owner: str
    names: list[str]
    lang: str
    viewer: Viewer = PUBLIC
    reload: bool = False
    db: Path | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list, repr=False)
    id: int = 0
    fraction: float = 0.0
    text: str = ""  # the loader's progress text, file names masked for `viewer`
    # queued: behind another job of this server, or another load (the command line's) holds the lock;
    # until the loader's first word, which comes once it holds the lock
    waiting: bool = False
    started: dt.datetime = field(default_factory=clock.now)  # the county's wall clock, as pages show times
    finished: dt.datetime | None = None
    outcome: UploadOutcome | None = None

    @property
    def done(self) -> bool:
        return self.outcome is not None

    def wait(self, waiting: bool) -> None:
        """Whether the job waits for another load, and its text until the loader's first word."""
        self.waiting = waiting
        self.text = t("insp.data.queued" if waiting else "insp.data.loading", self.lang)


_IDS = itertools.count(1)
_LOCK = threading.Lock()
_JOBS: dict[str, list[Job]] = {}  # owner -> their jobs of the latest upload(s), oldest first
_QUEUE: queue.Queue[Job] = queue.Queue()
_WORKER: threading.Thread | None = None


def submit(owner: str, files: list[tuple[str, bytes]], lang: str, *, viewer: Viewer = PUBLIC,
           reload: bool = False, db: Path | None = None) -> Job:
    """Queue a load of `files` (name, content) for `owner` and return its job. The owner's finished jobs
    are forgotten (their summaries were shown); jobs still queued or running stay."""
    job = Job(owner, [n for n, _ in files], lang, viewer, reload, db, list(files), next(_IDS))
    with _LOCK:
        job.wait(_QUEUE.unfinished_tasks > 0)  # the worker has a job: this one comes after it
        _JOBS[owner] = [j for j in _JOBS.get(owner, []) if not j.done] + [job]
        _ensure_worker()
        _QUEUE.put(job)
    return job


def jobs(owner: str) -> list[Job]:
    """The owner's jobs: queued or running, and finished ones not yet replaced by a new upload."""
    with _LOCK:
        return list(_JOBS.get(owner, []))


def _ensure_worker() -> None:
    global _WORKER
    if _WORKER is None or not _WORKER.is_alive():
        _WORKER = threading.Thread(target=_work, name="fupin-upload-worker", daemon=True)
        _WORKER.start()


def _work() -> None:
    while True:
        job = _QUEUE.get()
        try:
            run(job)
        finally:
            _QUEUE.task_done()


def run(job: Job) -> None:
    """Load the job's files (in the worker thread) and keep the outcome on the job. Never raises: an
    unexpected error becomes the job's error, in its user's language."""
    def tick(fraction: float, text: str) -> None:
        job.waiting = False  # the loader speaks once it holds the lock
        job.fraction = min(max(fraction, 0.0), 1.0)
        job.text = str(mask_file_name_value(text, job.viewer))  # the file's name as pages show it

    def finish(outcome: UploadOutcome) -> None:
        job.fraction = 1.0
        job.finished = clock.now()
        job.outcome = outcome

    files, job.files = job.files, []  # the contents are not kept once read
    job.wait(snapshot.write_lock_busy(job.db))  # another load (the command line's) holds the lock
    try:
        # done for its user once the pages show the new data (`on_outcome`); the worker then makes the
        # other snapshot file ready, and the next job waits for that
        outcome = load_uploads(files, job.lang, db=job.db, progress=tick, viewer=job.viewer, reload=job.reload,
                               on_outcome=finish)
    except Exception as exc:  # the loader's own errors are in its outcome; this is anything else
        outcome = UploadOutcome.refused(  # a file held open by another program, a full disk: said as the command line says them
            {lg: [path_error_text(exc, lg) or t("insp.data.job_failed", lg, error=f"{type(exc).__name__}: {exc}"[:300])]
             for lg in LANGS}, job.lang)
    if job.outcome is None:
        finish(outcome)
