"""Snapshots: loads never block viewers, and cost what their files cost.

DuckDB lets one process write a file, and while it does no other process may open it, not even
read-only. So the database path (`data/fupin.duckdb` or `$FUPIN_DB`) is a symbolic link to a snapshot
file `g<generation>.duckdb` in `<db>.snapshots/`, which nobody writes while it is current.

There are two snapshot files: the current one and the other one, equal to it. A load writes the other
one in place: it loads its files and updates the derived tables for what they touched
(`etl.derive.update`), writes its changeset (`changes/c<generation>.duckdb`: the rows of every owner it
touched, `etl.changeset`), checkpoints, renames the file to the next generation and atomically swaps
the link (`os.replace`). Then, with the viewers already on the new data, it applies its changeset to
the file it replaced, which makes that the other file of the new generation (`_prepare_spare`); a load
that finds the other file behind (a viewer held it) applies the changesets it lacks first. Nothing is
copied, so a load costs what its files touch, not what the database holds. A fresh load or a full
rebuild writes a new file and copies it once as the other file.

Viewers resolve the link before each run and open that file read-only, so they see the old data or
the new, never a mix, and never a lock error. A file being written has state 'writing' (table `slot`)
and is never the link's target; a viewer that opened a superseded file keeps reading it (the writer
waits for it to close, and after `BUSY_WAIT` seconds copies the current file instead). Writers take an
exclusive `flock` on `<db>.lock`, so loads queue. A killed load leaves the link on the last good file;
the next load finds its half-written file in state 'writing', deletes it and copies the current one.
`duckdb -readonly data/fupin.duckdb` opens the current data.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import clock

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = PROJECT_ROOT / "data" / "fupin.duckdb"
BUSY_WAIT = float(os.environ.get("FUPIN_BUSY_WAIT", "10"))  # seconds a load waits for viewers of the old file
# seconds a load, after publishing, waits for viewers to leave the file it replaced (etl.snapshot._prepare_spare);
# the app's pool closes a superseded file's idle connections within half a second (ui.data)
SPARE_WAIT = min(BUSY_WAIT, 2.0)
_SLOT = re.compile(r"^g(\d{8})(b?)\.duckdb$")


def db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The database path: the argument, else $FUPIN_DB, else data/fupin.duckdb."""
    chosen = path or os.environ.get("FUPIN_DB") or DEFAULT_DB
    return Path(chosen).expanduser().absolute()


def snapshots_dir(db: Path) -> Path:
    return db.with_name(db.name + ".snapshots")


def changes_dir(db: Path) -> Path:
    return snapshots_dir(db) / "changes"


def current_snapshot(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The snapshot file the database path points to now (a plain DuckDB file is its own snapshot)."""
    db = db_path(path)
    try:
        target = db.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        return None
    return target if target.is_file() else None


def generation(snapshot: Path | None) -> int:
    """The generation in a snapshot file's name (0 for none or a plain file)."""
    m = _SLOT.match(snapshot.name) if snapshot else None
    return int(m.group(1)) if m else 0


def slot_name(gen: int, spare: bool = False) -> str:
    return f"g{gen:08d}{'b' if spare else ''}.duckdb"


def _state(con: duckdb.DuckDBPyConnection) -> tuple[str | None, int | None]:
    """(state, generation) of an open snapshot file; (None, None) for a file of an older version."""
    try:
        rows = con.execute("SELECT state, generation FROM slot").fetchall()
    except duckdb.CatalogException:
        return None, None
    return (rows[0][0], rows[0][1]) if rows else (None, None)


def connect_read(path: str | os.PathLike[str] | None = None) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """Open the current snapshot read-only. Retries when a load swapped the link meanwhile."""
    last_error: Exception | None = None
    for attempt in range(8):
        snap = current_snapshot(path)
        if snap is None:
            raise FileNotFoundError(f"no database at {db_path(path)}")
        try:
            con = duckdb.connect(str(snap), read_only=True)
        except (duckdb.IOException, duckdb.ConnectionException, FileNotFoundError) as exc:
            last_error = exc  # renamed or taken by a load between resolve and open: resolve again
            time.sleep(0.05 * (attempt + 1))
            continue
        if _state(con)[0] == "writing":  # resolved long ago, now being written: never read it
            con.close()
            last_error = RuntimeError(f"{snap} is being written")
            continue
        return con, snap
    assert last_error is not None
    raise last_error


def lock_path(db: Path) -> Path:
    """The file whose exclusive `flock` a writer holds (`<db>.lock`)."""
    return db.with_name(db.name + ".lock")


@contextlib.contextmanager
def write_lock(db: Path) -> Iterator[None]:
    """Exclusive lock so that concurrent loads queue instead of racing for the files."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path(db), "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_lock_busy(path: str | os.PathLike[str] | None = None) -> bool:
    """Whether a load holds the write lock of `path` now: a load starting now would wait for it (the
    page says so instead of an empty progress bar)."""
    lock = lock_path(db_path(path))
    if not lock.is_file():
        return False
    with open(lock, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


def etl_memory_limit() -> str:
    """The loader's DuckDB memory limit: FUPIN_ETL_MEMORY (e.g. 8GB), else 1400MB (a 2 GiB process)."""
    return os.environ.get("FUPIN_ETL_MEMORY", "1400MB")


def _writer_config(snaps: Path, memory_limit: str | None = None) -> dict[str, str]:
    """Bound the loader's memory: DuckDB spills to disk past the limit."""
    tmp = snaps / ".tmp"
    tmp.mkdir(exist_ok=True)
    return {
        "memory_limit": memory_limit or etl_memory_limit(),
        "temp_directory": str(tmp),
        "preserve_insertion_order": "false",
        # A semi-join on up to 1,000 keys (a small load's households, a file's ID hashes) is pushed into
        # the scan as an IN filter, which the zone maps of the tables stored by key (ix_id_numbers and
        # the other lookup indexes) use to skip row groups: the ID check of a 100-household update read
        # 30M hashes in 130-190 ms, now 60-80 ms (L). DuckDB's default stops at 50 keys.
        "dynamic_or_filter_threshold": "1000",
    }


def _connect_writer(path: Path, snaps: Path, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), config=_writer_config(snaps, memory_limit))
    clock.use_county_day(con)
    return con


@dataclass
class Writer:
    """An open snapshot file being written as generation `gen`.

    `how`: 'fresh' (a new empty file), 'copied' (a copy of the current file), 'caught_up' (the other
    file, brought up to date with the changesets since it was current) or 'restored' (a copy of a
    backup). `full`: the load rewrote whole tables (then no changeset is written: the other file is
    copied from this one)."""

    con: duckdb.DuckDBPyConnection
    path: Path
    gen: int
    how: str
    full: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def from_current(self) -> bool:
        """Whether the file started equal to the current one: the load's changeset then brings the
        current file up to this one (`_prepare_spare`)."""
        return self.how in ("caught_up", "copied")


def _open_rw(path: Path, snaps: Path, wait: float, memory_limit: str | None) -> duckdb.DuckDBPyConnection | None:
    """Open a snapshot file read-write, waiting up to `wait` seconds for viewers to close it."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return _connect_writer(path, snaps, memory_limit)
        except (duckdb.IOException, duckdb.ConnectionException):
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)


def _set_state(con: duckdb.DuckDBPyConnection, state: str, gen: int) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS slot (state VARCHAR, generation BIGINT)")
    con.execute("DELETE FROM slot")
    con.execute("INSERT INTO slot VALUES (?, ?)", [state, gen])


def _slots(db: Path) -> list[Path]:
    snaps = snapshots_dir(db)
    return sorted((p for p in snaps.glob("g*.duckdb") if _SLOT.match(p.name)), key=lambda p: p.name) \
        if snaps.is_dir() else []


def _changeset(db: Path, gen: int) -> Path:
    return changes_dir(db) / f"c{gen:08d}.duckdb"


def _claim(db: Path, current: Path | None, fresh: bool, memory_limit: str | None,
           source: Path | None = None) -> Writer:
    """The file this load writes: the other snapshot file caught up, else a copy of the current one,
    else (fresh, or no database yet) a new empty file; with `source`, a copy of that file (a restore)."""

    snaps = snapshots_dir(db)
    gen = generation(current) + 1
    if source is not None:
        return _copy_of(source, snaps, gen, memory_limit, how="restored")
    if fresh or current is None:
        work = snaps / f"work-{gen:08d}.duckdb"
        _remove(work)
        con = _connect_writer(work, snaps, memory_limit)
        _set_state(con, "writing", gen)
        return Writer(con, work, gen, "fresh")
    cur_gen = generation(current)
    for other in reversed([p for p in _slots(db) if p.resolve() != current.resolve()]):
        if generation(other) > cur_gen:
            continue
        caught_up = _brought_up(db, other, cur_gen, gen, BUSY_WAIT, memory_limit)
        if caught_up is not None:
            return Writer(caught_up, other, gen, "caught_up")
    return _copy_of(current, snaps, gen, memory_limit)


def _brought_up(db: Path, other: Path, upto: int, gen: int, wait: float,
                memory_limit: str | None) -> duckdb.DuckDBPyConnection | None:
    """The other snapshot file `other` open read-write, in state 'writing' as generation `gen`, with the
    changesets up to generation `upto` replayed; None when a viewer still holds it after `wait` seconds
    (the file stays), or when it cannot catch up (not a published file of its generation, a changeset
    gone, a replay that failed): the file is then deleted (it is only a cache of the current one), before
    any copy, so the disk holds two snapshot files, not three."""
    snaps = snapshots_dir(db)
    con = _open_rw(other, snaps, wait, memory_limit)
    if con is None:
        return None
    state, slot_gen = _state(con)
    needed = [_changeset(db, g) for g in range((slot_gen or 0) + 1, upto + 1)]
    if state != "published" or slot_gen != generation(other) or not all(p.is_file() for p in needed):
        con.close()
        _remove(other)
        return None
    _set_state(con, "writing", gen)
    caught_up = _replayed(con, other, snaps, needed, memory_limit)
    if caught_up is None:
        _remove(other)
    return caught_up


def _replayed(con: duckdb.DuckDBPyConnection, other: Path, snaps: Path, needed: list[Path],
              memory_limit: str | None) -> duckdb.DuckDBPyConnection | None:
    """`con` (open on the other file) with the changesets `needed` replayed, or None (`con` closed).

    Another load's changes are not this load's size: a replay that failed (a small load's 512MB ran out
    deleting a visits file's households from 20M visits at 10M households) is tried once more at the
    loader's full memory, in a fresh connection (the failed transaction left the old one unable to
    delete those rows again). The replays are idempotent: rows by their owners."""
    if _catch_up(con, needed):
        return con
    con.close()
    if memory_limit is None:
        return None
    con = _open_rw(other, snaps, BUSY_WAIT, None)
    if con is None:
        return None
    if _catch_up(con, needed):
        con.execute("SET memory_limit = ?", [memory_limit])
        return con
    con.close()
    return None


def _catch_up(con: duckdb.DuckDBPyConnection, needed: list[Path]) -> bool:
    """Replay the changesets `needed` on the other file; False when one fails."""
    from etl import changeset as changes

    try:
        for path in needed:
            changes.apply(con, path)
    except duckdb.Error:
        return False
    return True


def _copy_of(source: Path, snaps: Path, gen: int, memory_limit: str | None, how: str = "copied") -> Writer:
    work = snaps / f"work-{gen:08d}.duckdb"
    _remove(work)
    try:
        shutil.copyfile(source, work)
    except BaseException:  # a full disk: the half copy left it full until the next load's cleanup (a probe)
        _remove(work)
        raise
    con = _connect_writer(work, snaps, memory_limit)
    _set_state(con, "writing", gen)
    return Writer(con, work, gen, how)


def changeset_path(w: Writer, db: Path) -> Path:
    """Where the load writing `w` puts its changeset (etl.changeset.write)."""
    return _changeset(db, w.gen)


@contextlib.contextmanager
def writer(path: str | os.PathLike[str] | None = None, *, fresh: bool = False,
           memory_limit: str | None = None, source: Path | None = None,
           on_published: Callable[[], None] | None = None,
           before: Callable[[Path | None], None] | None = None) -> Iterator[Writer]:
    """Yield the snapshot file this load writes (`Writer`), and publish it as the next generation when
    the block ends. The block writes the load's changeset (`changeset_path`) or sets `w.full`; without
    either the other file is made a copy of this one. On any exception the link stays where it was;
    after `Unchanged` the file (equal to the current one) is kept as the other file, after anything
    else it is deleted. `memory_limit`: DuckDB's, instead of `etl_memory_limit()`. `source`: start
    from a copy of that file instead of the current data (`etl.backup.restore`). `on_published` is
    called as soon as viewers see the new generation, before the other file is made ready for the
    next load (`_prepare_spare`), which the caller's user need not wait for. `before` is called under the
    write lock with the current file, before anything is written: a restore backs the current data up
    there, so that no load can publish between that backup and the restore."""
    db = db_path(path)
    with write_lock(db):
        current = current_snapshot(db)
        if before is not None:
            before(current)
        snaps = snapshots_dir(db)
        snaps.mkdir(parents=True, exist_ok=True)
        changes_dir(db).mkdir(exist_ok=True)
        cleanup(db)
        w = _claim(db, current, fresh, memory_limit, source)
        try:
            yield w
            _set_state(w.con, "published", w.gen)
            w.con.execute("CHECKPOINT")
            w.con.close()
        except Unchanged:
            _keep_as_spare(w, current)
            raise
        except BaseException:
            w.con.close()
            _remove(w.path)
            _remove(_changeset(db, w.gen))
            raise
        _fsync(w.path)
        final = snaps / slot_name(w.gen)
        os.replace(w.path, final)
        publish(db, final)
        if on_published is not None:
            on_published()
        # the file this one replaced: none for a plain database file (the link took its path)
        replaced = current if current is not None and _SLOT.match(current.name) else None
        if not w.full and w.from_current and replaced is not None and _changeset(db, w.gen).is_file():
            _prepare_spare(db, replaced, w.gen, memory_limit)
        else:
            # no other file can catch up with a changeset (it was written whole, restored from a
            # backup, or the database was one plain file): copy this one as the other file now, after
            # the older files are gone (at 33M households each is 27 GB: the copy beside two of them
            # filled the disk)
            _remove(_changeset(db, w.gen))
            for old in _slots(db):
                if old.resolve() != final.resolve():
                    _remove(old)
            _copy_spare(final)
        cleanup(db)


def _prepare_spare(db: Path, previous: Path, gen: int, memory_limit: str | None) -> None:
    """After generation `gen` is published from a file that started equal to the current one (caught up,
    or copied): replay its changeset on the file that was current before (`previous`, generation
    `gen - 1`), so the next load starts from a ready file. After a copy this replaces a second copy
    of the whole file (a small load's memory retry copied 27.5 GB twice at 33M households).

    This is the catch-up `_claim` would do at the start of the next load, done now, after the viewers
    already see the new data: an upload's wait ends at the publish, not two seconds of replaying the
    load before it later (L, 1,000 visits). Best effort: if a viewer still holds the file after
    `SPARE_WAIT` seconds, the next load catches it up as before; if the replay fails, the file goes and
    the next load copies the current one. A killed replay leaves the file in state 'writing', which no
    load takes as ready."""
    con = _brought_up(db, previous, gen, gen, SPARE_WAIT, memory_limit)
    if con is None:
        return
    try:
        _set_state(con, "published", gen)
        con.execute("CHECKPOINT")
    except duckdb.Error:
        con.close()
        _remove(previous)
        return
    con.close()
    _fsync(previous)
    os.replace(previous, previous.with_name(slot_name(gen, spare=True)))


class Unchanged(Exception):
    """Raised inside `writer` when the load changed nothing: no new generation is published."""


def _keep_as_spare(w: Writer, current: Path | None) -> None:
    """A load that changed nothing: its file equals the current one (caught up, then only rolled-back
    work), so it is kept as the other file of the current generation; a fresh file is dropped."""
    gen = w.gen - 1
    if w.how == "fresh" or current is None:
        w.con.close()
        _remove(w.path)
        return
    _set_state(w.con, "published", gen)
    w.con.execute("CHECKPOINT")
    w.con.close()
    spare = w.path.with_name(slot_name(gen, spare=True))
    os.replace(w.path, spare)


def _copy_spare(final: Path) -> None:
    """The other file of a generation written whole: a copy, written under a temporary name first.

    Best effort, like `_prepare_spare`: it runs after the publish, so a disk with room for the new file
    but not for its copy must not turn a published load into a failure. A first load on such a disk
    said 无法完成：…（磁盘空间不足）…数据库未作更改 while its data was published, printed no file's
    summary, and left the half copy filling the disk (a probe). Without the other file the next load
    copies the current one (`_claim`)."""
    spare = final.with_name(slot_name(generation(final), spare=True))
    tmp = final.with_name(f"tmp-{secrets.token_hex(4)}.duckdb")
    try:
        shutil.copyfile(final, tmp)
        _fsync(tmp)
        os.replace(tmp, spare)
    except OSError:
        _remove(tmp)


def publish(db: Path, snapshot: Path) -> None:
    """Atomically point the database path at a snapshot (a relative link, so the folder can move)."""
    tmp_link = db.with_name(f"{_link_prefix(db)}{secrets.token_hex(4)}.link")
    os.symlink(os.path.relpath(snapshot, db.parent), tmp_link)
    try:
        os.replace(tmp_link, db)
    except OSError:  # a failed publish leaves no hidden link beside the database (a probe found one)
        tmp_link.unlink(missing_ok=True)
        raise
    _fsync_dir(db.parent)


def _link_prefix(db: Path) -> str:
    """The start of a publish's temporary link's name (hidden, beside the database)."""
    return f".{db.name}."


def cleanup(db: Path) -> list[Path]:
    """Under the write lock: delete what no load needs. Kept: the current file, the newest other file
    of an older or the same generation (the next load's target), the changesets newer than that
    file's generation and the current generation's. Deleted: half-written files of killed loads
    (`work-*`, `tmp-*`, and any slot newer than the current one), older slots and changesets. A viewer
    that still reads a deleted file keeps reading it (Linux keeps an unlinked file until it is closed)."""
    snaps = snapshots_dir(db)
    current = current_snapshot(db)
    removed: list[Path] = []
    if not snaps.is_dir():
        return removed
    for p in [*snaps.glob("work-*.duckdb"), *snaps.glob("tmp-*.duckdb")]:
        _remove(p)
        removed.append(p)
    cur_gen = generation(current)
    others = [p for p in _slots(db) if current is None or p.resolve() != current.resolve()]
    keep = None
    for p in sorted(others, key=lambda p: (generation(p), p.name), reverse=True):
        if generation(p) <= cur_gen and keep is None:
            keep = p
        else:
            _remove(p)
            removed.append(p)
    # the changesets the other file lacks, and the current generation's: what the last load touched
    # (a small file; the bench and the tests read it)
    oldest_kept = min(generation(keep) + 1 if keep is not None else cur_gen + 1, cur_gen)
    for c in changes_dir(db).glob("c*.duckdb") if changes_dir(db).is_dir() else []:
        m = re.match(r"^c(\d{8})\.duckdb$", c.name)
        if not m or not oldest_kept <= int(m.group(1)) <= cur_gen:
            _remove(c)
            removed.append(c)
    for wal in snaps.glob("*.duckdb.wal"):  # left by a killed writer
        if not wal.with_suffix("").exists():
            _remove(wal)
    for link in db.parent.iterdir() if db.parent.is_dir() else []:  # a load killed between its two publish steps
        if link.name.startswith(_link_prefix(db)) and link.name.endswith(".link") and link.is_symlink():
            link.unlink()
            removed.append(link)
    return removed


def disk_usage(db: Path) -> int:
    """Bytes of every file of the database (snapshots, changesets)."""
    snaps = snapshots_dir(db)
    return sum(p.stat().st_size for p in snaps.rglob("*") if p.is_file()) if snaps.is_dir() else 0


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
    _fsync_dir(p.parent)


def _fsync_dir(d: Path) -> None:
    fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
