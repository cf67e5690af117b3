"""Snapshots: loads never block viewers.

DuckDB lets one process write a file, and while it does no other process may open it, not even
read-only. So the database path (`data/fupin.duckdb` or `$FUPIN_DB`) is a symbolic link to an
immutable snapshot file in `<db>.snapshots/`. A load copies the current snapshot, writes the copy,
checkpoints and closes it, then atomically swaps the link (`os.replace`). Viewers resolve the link
before each run and open that snapshot read-only, so they see the old data or the new, never a mix,
and never a lock error. Writers take an exclusive `flock` on `<db>.lock`, so loads queue up.
Old snapshots are deleted once superseded for a grace period; on Linux a viewer that still has one
open keeps reading it after the unlink.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = PROJECT_ROOT / "data" / "fupin.duckdb"
GRACE_SECONDS = 120.0  # a superseded snapshot stays this long for viewers that resolved it just before
KEEP_SUPERSEDED = 1  # and the newest superseded one is always kept


def db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The database path: the argument, else $FUPIN_DB, else data/fupin.duckdb."""
    chosen = path or os.environ.get("FUPIN_DB") or DEFAULT_DB
    return Path(chosen).expanduser().absolute()


def snapshots_dir(db: Path) -> Path:
    return db.with_name(db.name + ".snapshots")


def current_snapshot(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The snapshot file the database path points to now (a plain DuckDB file is its own snapshot)."""
    db = db_path(path)
    try:
        target = db.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        return None
    return target if target.is_file() else None


def connect_read(path: str | os.PathLike[str] | None = None) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """Open the current snapshot read-only. Retries when a load swapped and cleaned it meanwhile."""
    last_error: Exception | None = None
    for attempt in range(5):
        snap = current_snapshot(path)
        if snap is None:
            raise FileNotFoundError(f"no database at {db_path(path)}")
        try:
            return duckdb.connect(str(snap), read_only=True), snap
        except (duckdb.IOException, FileNotFoundError) as exc:  # cleaned between resolve and open
            last_error = exc
            time.sleep(0.05 * (attempt + 1))
    assert last_error is not None
    raise last_error


@contextlib.contextmanager
def write_lock(db: Path) -> Iterator[None]:
    """Exclusive lock so that concurrent loads queue instead of racing for the pointer."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with open(db.with_name(db.name + ".lock"), "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _new_snapshot_path(db: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    return snapshots_dir(db) / f"{stamp}-{os.getpid()}-{secrets.token_hex(3)}.duckdb"


@contextlib.contextmanager
def new_snapshot(
    path: str | os.PathLike[str] | None = None, *, fresh: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a read-write connection to a copy of the current snapshot (an empty one if `fresh`);
    publish it on success. On any exception the copy is deleted and the current snapshot stays.
    """
    db = db_path(path)
    with write_lock(db):
        snaps = snapshots_dir(db)
        snaps.mkdir(parents=True, exist_ok=True)
        target = _new_snapshot_path(db)
        current = current_snapshot(db)
        if current is not None and not fresh:
            shutil.copyfile(current, target)
        con = duckdb.connect(str(target), config=_writer_config(snaps))
        try:
            yield con
            con.execute("CHECKPOINT")
            con.close()
        except BaseException:
            con.close()
            _remove(target)
            raise
        _fsync(target)
        publish(db, target)
        cleanup(db)


def etl_memory_limit() -> str:
    """The loader's DuckDB memory limit: FUPIN_ETL_MEMORY (e.g. 8GB), else 1400MB (a 2 GiB process)."""
    return os.environ.get("FUPIN_ETL_MEMORY", "1400MB")


def _writer_config(snaps: Path) -> dict[str, str]:
    """Bound the loader's memory: DuckDB spills to disk past the limit."""
    tmp = snaps / ".tmp"
    tmp.mkdir(exist_ok=True)
    return {
        "memory_limit": etl_memory_limit(),
        "temp_directory": str(tmp),
        "preserve_insertion_order": "false",
    }


def publish(db: Path, snapshot: Path) -> None:
    """Atomically point the database path at a snapshot (a relative link, so the folder can move).

    The snapshot it replaces gets its mtime set to now: the cleanup's grace period counts from the
    moment it stopped being current, not from when it was written.
    """
    previous = current_snapshot(db)
    if previous is not None and previous != snapshot.resolve():
        with contextlib.suppress(OSError):
            os.utime(previous)
    tmp_link = db.with_name(f".{db.name}.{secrets.token_hex(4)}.link")
    os.symlink(os.path.relpath(snapshot, db.parent), tmp_link)
    os.replace(tmp_link, db)
    _fsync_dir(db.parent)


def cleanup(db: Path, grace: float = GRACE_SECONDS) -> list[Path]:
    """Delete superseded snapshots older than the grace period, keeping the newest superseded one.

    Runs under the write lock (no writer is active), so a snapshot with a WAL beside it is the partial
    file of a killed writer, never published (a published one is checkpointed and closed first): it
    is not kept as the newest superseded one."""
    current = current_snapshot(db)
    snaps = snapshots_dir(db)
    if not snaps.is_dir():
        return []
    superseded = sorted(
        (p for p in snaps.glob("*.duckdb") if current is None or p.resolve() != current),
        key=lambda p: (not p.with_name(p.name + ".wal").exists(), p.stat().st_mtime),
        reverse=True,
    )
    removed = []
    now = time.time()
    for p in superseded[KEEP_SUPERSEDED:]:
        if now - p.stat().st_mtime >= grace:
            _remove(p)
            removed.append(p)
    for wal in snaps.glob("*.duckdb.wal"):  # left by a killed writer
        if not wal.with_suffix("").exists():
            _remove(wal)
    return removed


def _remove(p: Path) -> None:
    for q in (p, p.with_name(p.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            q.unlink()


def _fsync(p: Path) -> None:
    fd = os.open(p, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(d: Path) -> None:
    fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
