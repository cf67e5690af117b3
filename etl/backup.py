"""Backups and restores of the current data: `python -m etl backup DIR`, `python -m etl restore DIR|FILE`.

A backup is a copy of the current published snapshot file (`etl.snapshot`), which holds everything:
base tables, keys, derived tables, `meta` (with the schema version) and the load history. It is taken
under the loaders' write lock, so no load can publish, and therefore none can start rewriting the file
in place as the next load's target, while it is copied; viewers only read, so they go on undisturbed,
and a load that starts meanwhile waits for the copy. The copy is written under a temporary name,
checked (it opens, its `slot` says published, the generation is the one copied) and renamed, beside a
manifest (`.json`: sha256, size, generation, schema version, base-table row counts), so a half-written
backup is never taken for one.

A restore publishes the backup the way a load publishes: a copy becomes the next generation's file and
the link is switched atomically, under the same lock. A viewer reading the current file keeps reading
it until its next run, then sees the restored data; no file a viewer may have open is overwritten. A
backup of an older schema version is upgraded on the way in (`etl.load.rebuild` from the backup file:
base tables copied, derived tables built anew); one of a newer version is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from etl import clock, schema, snapshot
from etl.cli_parser import path_and_reason
from etl.load import rebuild, set_meta
from etl.raw_file import quote_ident
from labels import t

PREFIX = "fupin-"
CHUNK = 4 << 20
# a half-written backup untouched this long is a killed backup's (a copy in progress writes every moment)
STALE_PART_SECONDS = 600


@dataclass
class Manifest:
    """What a backup holds; written beside it as `<name>.json`."""

    file: str
    sha256: str
    bytes: int
    generation: int
    schema_version: str
    built_at: str | None
    created_at: str
    rows: dict[str, int]

    @property
    def households(self) -> int:
        return self.rows.get("households", 0)


class BackupError(RuntimeError):
    """A file that is not a usable backup; nothing was changed."""


def _copy_hashing(src: Path, dst: Path) -> str:
    """Copy a file and return its sha256, reading it once."""
    digest = hashlib.sha256()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(CHUNK):
            digest.update(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def describe(path: Path, lang: str = "zh", whole: bool = False, shown: Path | None = None
             ) -> tuple[str | None, int | None, str, str | None, dict[str, int]]:
    """(slot state, slot generation, schema version, built_at, base-table row counts) of a snapshot
    file, opened read-only. Raises BackupError when it is not a dashboard database, or damaged, naming
    `shown` (the file the user named; by default `path`).
    `whole`: read every value of every table first, so that DuckDB checks each block's checksum (a
    backup without its manifest has no file checksum, and opening a damaged file and counting its rows
    read no data block: it was published; a probe)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise BackupError(t("cli.restore_bad", lang, file=shown or path, reason=t("backup.reason.unreadable", lang))) from exc
    try:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
        if not {"households", "load_batches", "meta"} <= tables:
            raise BackupError(t("cli.restore_bad", lang, file=shown or path, reason=t("backup.reason.not_db", lang)))
        for table in tables if whole else ():
            con.execute(f"SELECT sum(hash(t)) FROM {quote_ident(table)} t").fetchall()  # noqa: S608 - quoted
        state, gen = snapshot._state(con)
        built = con.execute("SELECT max(value) FROM meta WHERE key = 'built_at'").fetchall()[0][0]
        rows = {table: int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])  # noqa: S608
                for table in schema.TABLES_DDL if table in tables and table != "meta"}
        return state, gen, schema.recorded_version(con), built, rows
    except duckdb.Error as exc:  # a block that fails its checksum
        raise BackupError(t("cli.restore_bad", lang, file=shown or path, reason=t("backup.reason.damaged", lang))) from exc
    finally:
        con.close()


def backup(dest: Path, db: str | os.PathLike[str] | None = None, lang: str = "zh") -> tuple[Path, Manifest]:
    """Copy the current snapshot into `dest` as `fupin-<time>-g<generation>.duckdb` with its manifest
    (the time on the county's clock, as the load records)."""
    target = snapshot.db_path(db)
    if snapshot.current_snapshot(target) is None:  # before the lock and the folder: nothing left behind
        raise BackupError(t("cli.no_db", lang, db=target))
    with snapshot.write_lock(target):  # no load publishes, so the current file stays unwritten
        current = snapshot.current_snapshot(target)
        if current is None:
            raise BackupError(t("cli.no_db", lang, db=target))
        return _copy_current(current, dest, lang)


def _copy_current(current: Path, dest: Path, lang: str) -> tuple[Path, Manifest]:
    """The backup of `current` (the published file, under the write lock) written into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    gen = snapshot.generation(current)
    _remove_stale_parts(dest)
    stamp = clock.now()
    name = f"{PREFIX}{stamp:%Y%m%d-%H%M%S}-g{gen:08d}.duckdb"
    for n in range(2, 1000):  # never over another backup: a restore's backup of the data it replaces, taken in
        if not (dest / name).exists():  # the second its backup was, replaced the very file being restored
            break
        name = f"{PREFIX}{stamp:%Y%m%d-%H%M%S}-g{gen:08d}_{n}.duckdb"  # "_" sorts after "."
    part = dest / f".{name}.part"
    try:
        sha = _copy_hashing(current, part)
        state, slot_gen, version, built, rows = describe(part, lang, shown=current)  # names the file copied
        if state not in (None, "published") or (slot_gen is not None and gen and slot_gen != gen):
            raise BackupError(f"{current}: slot {state} {slot_gen}, expected published {gen}")
        manifest = Manifest(name, sha, part.stat().st_size, gen, version, built,
                            stamp.isoformat(timespec="seconds"), rows)
        final = dest / name
        os.replace(part, final)
        _write_json(final.with_suffix(".json"), asdict(manifest))
    except OSError as exc:
        if exc.filename is None:  # a write that filled the disk names no file: 无法完成：（磁盘空间不足） (a probe)
            exc.filename = str(dest)
        raise
    finally:
        part.unlink(missing_ok=True)
    return final, manifest


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete the backups of `directory` (and their manifests) older than its newest `keep`, after a backup
    has been written (`etl backup --keep`): the guide's nightly backup filled its disk over months, a
    whole database a night.
    Only files named as backups are touched; the deleted ones are returned."""
    old = backups(directory)[:-keep] if keep > 0 else []
    for file in old:
        file.unlink(missing_ok=True)
        file.with_suffix(".json").unlink(missing_ok=True)
    return old


def _remove_stale_parts(dest: Path) -> None:
    """Delete the half-written copies of backups killed in `dest` (a reboot during the nightly backup): each
    stayed there, hidden, as large as the data, night after night (a probe). One written now (a backup of
    another database into the same folder) is younger than `STALE_PART_SECONDS` and stays."""
    now = time.time()
    for part in dest.glob(f".{PREFIX}*.duckdb.part"):
        with contextlib.suppress(FileNotFoundError):
            if now - part.stat().st_mtime > STALE_PART_SECONDS:
                part.unlink()


def _write_json(path: Path, value: object) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def backups(directory: Path) -> list[Path]:
    """The backup files in a directory, oldest first (names start with their time)."""
    return sorted(p for p in directory.glob(f"{PREFIX}*.duckdb") if p.is_file())


def choose(source: Path, lang: str = "zh") -> Path:
    """The backup to restore: `source` itself, or the newest backup in the directory `source`."""
    if source.is_dir():
        found = backups(source)
        if not found:
            raise BackupError(t("cli.restore_none", lang, dir=source))
        return found[-1]
    if not source.is_file():
        raise BackupError(t("cli.restore_missing", lang, path=source))
    return source


def verify(file: Path, lang: str = "zh") -> Manifest:
    """Check a backup against its manifest (when it has one) and read what it holds."""
    manifest_path = file.with_suffix(".json")
    sha = _sha256(file)
    has_manifest = manifest_path.is_file()
    if has_manifest:
        try:
            recorded = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            recorded = {}
        if not isinstance(recorded, dict) or recorded.get("sha256") != sha:
            raise BackupError(t("cli.restore_bad", lang, file=file, reason=t("backup.reason.checksum", lang)))
    _state, gen, version, built, rows = describe(file, lang, whole=not has_manifest)
    return Manifest(file.name, sha, file.stat().st_size, gen or 0, version, built,
                    clock.now().isoformat(timespec="seconds"), rows)


def restore(source: Path, db: str | os.PathLike[str] | None = None, lang: str = "zh",
            keep_current: bool = True) -> tuple[Path, Manifest, Path | None]:
    """Publish a backup as the next generation of `db` (the newest in `source` if it is a directory).
    A backup of an older schema version is upgraded on the way in; the current data stays until the
    new file is published, and stays if anything fails.

    With `keep_current`, the current data is first backed up beside the backup restored (in its folder,
    under the same write lock, so no load falls between): a restore replaced it with no way back, and
    the loads since the backup were gone with it (a restore of the wrong night's backup lost them). That
    backup is returned (None without a current database): `restore` of it, or of the folder, whose
    newest it is, undoes the restore."""
    file = choose(source, lang)
    manifest = verify(file, lang)
    kept: list[Path] = []

    def keep(current: Path | None) -> None:
        if keep_current and current is not None:
            try:
                kept.append(_copy_current(current, file.parent, lang)[0])
            except OSError as exc:  # a full disk, a folder not writable: no restore, said why and what to do
                path, reason = path_and_reason(exc, lang) or (str(file.parent), str(exc))
                raise BackupError(t("cli.restore_keep_failed", lang, path=path, reason=reason)) from exc

    # the data page says the history it shows is the backup's, since when and from which file
    restored = {schema.RESTORED_FROM: file.name, schema.RESTORED_AT: clock.now().isoformat(timespec="seconds")}
    if manifest.schema_version == schema.SCHEMA_VERSION:
        with snapshot.writer(db, source=file, before=keep) as w:
            set_meta(w.con, restored)
            w.full = True  # a whole file: the other snapshot file is made a copy of it
    else:  # raises UpgradeError for a newer version, changing nothing
        rebuild(db, source=file, lang=lang, before=keep, meta=restored)
    return snapshot.db_path(db), manifest, kept[0] if kept else None


def human_size(n: int) -> str:
    """1234567 -> '1.2 MB'."""
    size = float(n)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"

