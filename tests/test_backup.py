"""Backups and restores (issue 18) on real snapshot files: `python -m etl backup DIR` copies the current
published file under the loaders' lock with a manifest; `restore` publishes a backup as the next
generation through the same atomic link switch as a load. Both while viewers read and loads run."""

from __future__ import annotations

import json
import shutil
import threading
import time
import traceback
from pathlib import Path

import duckdb
import pytest

from etl import backup, schema, snapshot
from etl.load import load_files
from tests import conftest
from tests.conftest import held_open
from tests.test_concurrency import TOWN, big_file, gen_file, read_generation
from tests.test_load import run_cli

ROOT = Path(__file__).resolve().parents[1]
BASE_TABLES = [t for t in schema.TABLES_DDL if t != "meta"]



def base_rows(path: Path) -> dict[str, list[str]]:
    """Every row of every base table of a snapshot file (or of a database path's current snapshot)."""
    con = duckdb.connect(str(snapshot.current_snapshot(path) or path), read_only=True)
    try:
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) if t in present else []
                for t in BASE_TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def three_generations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("three")
    db = folder / "data" / "fupin.duckdb"
    for g in (1, 2, 3):
        assert load_files([gen_file(folder, g)], db=db).published
    return db.parent


@pytest.fixture()
def db(tmp_path: Path, three_generations: Path) -> Path:
    """A database of three generations: households CC…1, CC…2, CC…3 in 并发测试镇 (a copy per test)."""
    shutil.copytree(three_generations, tmp_path / "data", symlinks=True)
    return tmp_path / "data" / "fupin.duckdb"


def test_backup_then_restore_brings_back_exactly_the_backed_up_rows(tmp_path: Path, db: Path) -> None:
    p = run_cli("backup", str(tmp_path / "bk"), "--db", str(db))
    assert p.returncode == 0, p.stderr
    assert "已备份" in p.stdout and f"程序版本 {schema.SCHEMA_VERSION}" in p.stdout
    [file] = backup.backups(tmp_path / "bk")
    manifest = json.loads(file.with_suffix(".json").read_text(encoding="utf-8"))
    assert (manifest["generation"], manifest["schema_version"]) == (3, schema.SCHEMA_VERSION)
    assert manifest["rows"]["households"] == 3 and manifest["bytes"] == file.stat().st_size
    at_backup = base_rows(db)
    assert base_rows(file) == at_backup

    for g in (4, 5):
        load_files([gen_file(tmp_path, g)], db=db)
    assert read_generation(db) == 5
    old_con, old_snap = snapshot.connect_read(db)  # a viewer in the middle of a run

    p = run_cli("restore", str(tmp_path / "bk"), "--db", str(db))
    assert p.returncode == 0, p.stderr
    assert "已恢复" in p.stdout
    assert read_generation(db) == 3
    assert base_rows(db) == at_backup
    new = snapshot.current_snapshot(db)
    assert new is not None and snapshot.generation(new) == 6  # published as the next generation
    # the viewer's file was not overwritten: it still reads generation 5's answers
    assert old_con.execute("SELECT count(*) FROM households WHERE township = ?", [TOWN]).fetchall() == [(5,)]
    old_con.close()
    assert old_snap != new
    # the next load builds on the restored data
    load_files([gen_file(tmp_path, 4)], db=db)
    assert read_generation(db) == 4


def test_a_restore_backs_the_current_data_up_first_and_that_backup_undoes_it(tmp_path: Path, db: Path) -> None:
    """A restore replaced the current data with no way back: the loads since the backup were gone with it
    (a restore of the wrong night's backup lost them). The current data is now backed up beside the backup
    restored, under the same lock; restoring the folder again (its newest) undoes the restore."""
    assert run_cli("backup", str(tmp_path / "bk"), "--db", str(db)).returncode == 0
    [night] = backup.backups(tmp_path / "bk")
    at_night = base_rows(db)
    load_files([gen_file(tmp_path, 4)], db=db)
    at_four = base_rows(db)
    assert at_four != at_night

    p = run_cli("restore", str(tmp_path / "bk"), "--db", str(db))
    assert p.returncode == 0, p.stderr
    assert base_rows(db) == at_night
    [_, kept] = backup.backups(tmp_path / "bk")
    assert f"恢复前的数据已备份：{kept}" in p.stdout and f"python -m etl restore {kept}" in p.stdout, p.stdout
    assert base_rows(kept) == at_four and backup.verify(kept).generation == 4

    p = run_cli("--lang", "en", "restore", str(tmp_path / "bk"), "--db", str(db))  # the folder's newest: the undo
    assert p.returncode == 0 and "The data before the restore was backed up" in p.stdout, p.stdout + p.stderr
    assert base_rows(db) == at_four

    p = run_cli("restore", str(night), "--db", str(db), "--no-backup")
    assert p.returncode == 0 and "恢复前" not in p.stdout, p.stdout
    assert base_rows(db) == at_night and len(backup.backups(tmp_path / "bk")) == 3


def test_the_data_page_says_the_data_was_restored_and_from_which_backup(
        tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a restore the load history is the backup's: the loads made after the backup were gone from it
    with no word of why (it left no line in the history). The data page now says when and from which file."""
    monkeypatch.setenv("FUPIN_DB", str(db))
    monkeypatch.setenv("FUPIN_USERS", str(tmp_path / "no-users.yaml"))
    at = conftest.open_page("data_admin")
    assert not [i for i in at.info if "备份" in i.value]  # never restored: nothing said
    file, _ = backup.backup(tmp_path / "bk", db)
    load_files([gen_file(tmp_path, 4)], db=db)
    backup.restore(tmp_path / "bk", db, keep_current=False)
    at = conftest.open_page("data_admin")
    said = [i.value for i in at.info if "恢复" in i.value]
    assert len(said) == 1 and f"由备份 {file.name} 恢复" in said[0], said
    load_files([gen_file(tmp_path, 5)], db=db)  # a later load keeps it: still how the history came to be
    assert any(file.name in i.value for i in conftest.open_page("data_admin").info)


def test_a_restore_right_after_its_backup_keeps_both_files(tmp_path: Path, db: Path) -> None:
    """A backup and a restore of it within one second (a script): the restore's backup of the current data
    had the same name (time to the second, same generation) and replaced the backup being restored."""
    file, m = backup.backup(tmp_path / "bk", db)
    _, restored, kept = backup.restore(file, db)
    assert kept is not None and kept != file and file.is_file() and kept.is_file()
    assert backup.verify(file).sha256 == m.sha256 and restored.sha256 == m.sha256
    assert backup.backups(tmp_path / "bk") == [file, kept]  # the undo is still the folder's newest


def test_a_restore_that_cannot_back_up_the_current_data_changes_nothing(tmp_path: Path, db: Path) -> None:
    """The backup before a restore needs room (a file-size cap under the snapshot's size stands in for a full
    disk): the restore is refused, said with what to do, and nothing is left behind."""
    import resource
    import subprocess
    import sys

    assert run_cli("backup", str(tmp_path / "bk"), "--db", str(db)).returncode == 0
    load_files([gen_file(tmp_path, 4)], db=db)
    before, rows = snapshot.current_snapshot(db), base_rows(db)
    limit = before.stat().st_size // 2

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    p = subprocess.run([sys.executable, "-m", "etl", "restore", str(tmp_path / "bk"), "--db", str(db)], cwd=ROOT,
                       capture_output=True, text=True, timeout=300, preexec_fn=cap)  # noqa: PLW1509
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr
    assert f"恢复前须先备份当前数据，但未能写入：{tmp_path / 'bk'}" in p.stderr and "--no-backup" in p.stderr, p.stderr
    assert snapshot.current_snapshot(db) == before and base_rows(db) == rows
    assert len(backup.backups(tmp_path / "bk")) == 1 and not list((tmp_path / "bk").glob(".*part"))


def test_restore_into_an_empty_place_and_the_newest_of_several(tmp_path: Path, db: Path) -> None:
    first, _ = backup.backup(tmp_path / "bk", db)
    time.sleep(1.1)  # backup names carry the second
    load_files([gen_file(tmp_path, 4)], db=db)
    second, m = backup.backup(tmp_path / "bk", db)
    assert backup.backups(tmp_path / "bk") == [first, second]
    other = tmp_path / "elsewhere" / "fupin.duckdb"
    backup.restore(tmp_path / "bk", other)
    assert read_generation(other) == 4 == m.rows["households"]
    backup.restore(first, other)  # a file names the backup itself
    assert read_generation(other) == 3
    files = sorted(p.name for p in snapshot.snapshots_dir(other).glob("*.duckdb"))
    assert files == ["g00000002.duckdb", "g00000002b.duckdb"]  # current and its spare, nothing else


def test_a_damaged_backup_is_refused_and_changes_nothing(tmp_path: Path, db: Path) -> None:
    file, _ = backup.backup(tmp_path / "bk", db)
    with open(file, "r+b") as fh:
        fh.seek(file.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(-1, 1)
        fh.write(bytes([byte[0] ^ 0xFF]))
    before = snapshot.current_snapshot(db)
    p = run_cli("restore", str(file), "--db", str(db))
    assert p.returncode == 1 and "校验和" in p.stderr
    assert snapshot.current_snapshot(db) == before
    notdb = tmp_path / "x" / "fupin-other.duckdb"
    notdb.parent.mkdir()
    duckdb.connect(str(notdb)).close()
    p = run_cli("restore", str(notdb.parent), "--db", str(db))
    assert p.returncode == 1 and "不是看板数据库" in p.stderr
    p = run_cli("restore", str(tmp_path / "empty-dir-that-is-not-there"), "--db", str(db))
    assert p.returncode == 1
    assert snapshot.current_snapshot(db) == before
    # a damaged file without its manifest (no checksum to compare): it opened and its rows counted, so it
    # was published, and every query then failed (a probe). Every block it uses is read now.
    bare, _ = backup.backup(tmp_path / "bk2", db)
    bare.with_suffix(".json").unlink()
    with open(bare, "r+b") as fh:
        for block in range(3, bare.stat().st_size // 262144):  # a few bytes inside every data block
            fh.seek(block * 262144 + 12288 + 5000)
            fh.write(b"\xde\xad\xbe\xef")
    p = run_cli("restore", str(bare), "--db", str(db))
    assert p.returncode == 1 and "已损坏" in p.stderr, p.stderr
    assert snapshot.current_snapshot(db) == before


def test_a_backup_of_a_newer_version_is_refused(tmp_path: Path, db: Path) -> None:
    file, _ = backup.backup(tmp_path / "bk", db)
    con = duckdb.connect(str(file))
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.close()
    file.with_suffix(".json").unlink()  # a backup copied without its manifest is still accepted ...
    before = snapshot.current_snapshot(db)
    p = run_cli("restore", str(file), "--db", str(db))
    assert p.returncode == 1 and "更新的第 999 版" in p.stderr  # ... but not one of a newer program
    assert snapshot.current_snapshot(db) == before


def test_no_database_to_back_up(tmp_path: Path) -> None:
    p = run_cli("backup", str(tmp_path / "bk"), "--db", str(tmp_path / "none" / "fupin.duckdb"))
    assert p.returncode == 1 and "数据库不存在：" in p.stderr and "no database" not in p.stderr
    assert not (tmp_path / "bk").exists() and not (tmp_path / "none").exists()  # no folder, no lock left behind


def test_operator_mistakes_get_a_sentence_not_a_traceback(tmp_path: Path, db: Path) -> None:
    """A path that cannot be written, a backup that is not there: a sentence naming the path and why, exit
    1, nothing changed (a probe met tracebacks, and 数据库不存在：2 for a backup folder it could not make)."""
    afile = tmp_path / "a.txt"
    afile.write_text("x", encoding="utf-8")
    p = run_cli("backup", str(afile / "bk"), "--db", str(db))
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert f"无法完成：{afile / 'bk'}（路径中有一项不是文件夹）" in p.stderr, p.stderr
    p = run_cli("restore", str(tmp_path / "nowhere"), "--db", str(db))
    assert p.returncode == 1 and f"找不到备份：{tmp_path / 'nowhere'}" in p.stderr
    before = snapshot.current_snapshot(db)
    p = run_cli("load", str(afile), "--db", str(afile / "fupin.duckdb"), "--json")
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert "无法完成" in json.loads(p.stdout.splitlines()[-1])["error"]
    assert snapshot.current_snapshot(db) == before


def test_backups_and_restores_while_viewers_read_and_loads_run(tmp_path: Path, db: Path) -> None:
    """Readers never see an error or a mix of generations; every backup is one whole generation; loads
    queue behind backups and restores and lose nothing that was published after the restore."""
    stop = threading.Event()
    errors: list[str] = []
    seen: set[int] = set()

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.add(read_generation(db))
            except Exception:
                errors.append(traceback.format_exc(limit=3))
            time.sleep(0.05)

    def loader() -> None:
        for g in range(4, 7):
            if load_files([gen_file(tmp_path, g)], db=db).exit_code:
                errors.append(f"load {g} failed")

    readers = [threading.Thread(target=reader, daemon=True) for _ in range(3)]
    for th in readers:
        th.start()
    load_thread = threading.Thread(target=loader)
    load_thread.start()
    taken: list[tuple[Path, backup.Manifest]] = []
    while load_thread.is_alive() or len(taken) < 3:
        taken.append(backup.backup(tmp_path / "bk" / str(len(taken)), db))
        time.sleep(0.2)  # flock is not fair: leave the loads a moment to take the lock
    load_thread.join()
    backup.restore(taken[0][0], db)  # back while the readers read
    time.sleep(0.3)
    stop.set()
    for th in readers:
        th.join(timeout=30)
    assert not errors, errors[:3]
    for file, m in taken:
        n = read_generation(file)  # a whole generation: every table agrees
        assert n == m.rows["households"] == m.generation, (file, m)
    assert read_generation(db) == taken[0][1].generation
    assert len(seen) > 2


def test_a_load_on_a_full_disk_says_so_and_counts_nothing(tmp_path: Path, db: Path) -> None:
    """A file-size limit just above the snapshot's size stands in for a full disk: the load fails, says the
    disk is full (it quoted DuckDB's FATAL checkpoint error), `--json` counts no file as loaded (each said
    its rows were), and the data is as it was. Python ignores SIGXFSZ, so writes fail with EFBIG."""
    import resource
    import subprocess
    import sys

    before = snapshot.current_snapshot(db)
    rows = base_rows(db)
    limit = before.stat().st_size + 64 * 1024
    big = big_file(tmp_path, 20_000)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    p = subprocess.run([sys.executable, "-m", "etl", "load", str(big), "--db", str(db), "--json"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300, preexec_fn=cap)  # noqa: PLW1509
    out = json.loads(p.stdout.splitlines()[-1])
    assert p.returncode == 1 and "磁盘空间不足" in out["error"], out
    assert all(f["rows_loaded"] == 0 for f in out["files"]), out
    assert snapshot.current_snapshot(db) == before and base_rows(db) == rows
    assert load_files([big], db=db).published  # and the next load, with room, goes through


@pytest.mark.parametrize("delay", [0.3, 1.0, 2.5, 4.0])
def test_ctrl_c_says_what_stands(tmp_path: Path, db: Path, delay: float) -> None:
    """Ctrl-C during a load printed a KeyboardInterrupt traceback; now a sentence: interrupted before the
    publish, nothing changed (exit 130), or the new data already published (exit 0). At several moments:
    importing the modules (0.3 s; a fresh clone's CI run took over 1 s to import and printed a traceback
    until 2026-12-07), reading, validating, building the derived tables (DuckDB 2.0 raises RuntimeError
    "Query interrupted" inside a statement: a traceback, or "cannot rollback" reported as a failed load,
    until 2026-12-05)."""
    import signal
    import subprocess
    import sys

    before = snapshot.current_snapshot(db)
    proc = subprocess.Popen([sys.executable, "-m", "etl", "load", str(big_file(tmp_path, 200_000)), "--db", str(db)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err and "失败" not in out, (out, err)
    if snapshot.current_snapshot(db) == before:
        assert proc.returncode == 130 and ("已中断：数据库仍是中断前最后一次发布的数据" in err
                                           or "已中断：尚未读取任何文件，数据库未作更改" in err), err
    elif "新数据在中断前已发布" in err:
        assert proc.returncode == 0, err
    else:  # the signal came as the finished load was exiting: its summary said it all
        assert "入库" in out and not err.strip() and proc.returncode in (0, -signal.SIGINT), (out, err)


@pytest.mark.parametrize("command", [["rebuild"], ["export-parquet", "out"], ["backup", "bk"]])
def test_no_database_is_said_on_stderr_by_every_command(tmp_path: Path, command: list[str]) -> None:
    """backup and restore said it on stderr, rebuild and export-parquet on stdout (a probe)."""
    args = [a if a not in ("out", "bk") else str(tmp_path / a) for a in command]
    p = run_cli(*args, "--db", str(tmp_path / "none" / "fupin.duckdb"))
    assert p.returncode == 1 and "数据库不存在" in p.stderr and not p.stdout.strip(), (p.stdout, p.stderr)


@pytest.mark.parametrize(("lang", "said"), [("zh", "数据库文件正被另一个程序（进程号 {pid}）打开："),
                                             ("en", "The database file is open in another program (process {pid}): ")],
                         ids=["zh", "en"])
def test_a_database_held_open_by_another_program_is_said_in_the_user_s_language(
        tmp_path: Path, db: Path, lang: str, said: str) -> None:
    """A DuckDB shell left open on the current file: the load and the rebuild said DuckDB's English,
    cut at 200 characters, inside 无法完成：（IO Error: Could not set lock on file …） with advice
    about paths and disk space (a probe)."""
    before = snapshot.current_snapshot(db)
    with held_open(db) as pid:
        for command in (["load", str(gen_file(tmp_path, 4))], ["rebuild"]):
            p = run_cli("--lang", lang, *command, "--db", str(db))
            assert p.returncode == 1 and said.format(pid=pid) + str(before) in p.stderr, p.stderr
            assert "IO Error" not in p.stderr and "lock" not in p.stderr.lower(), p.stderr
    assert snapshot.current_snapshot(db) == before


def test_a_backup_of_a_database_that_is_not_the_dashboard_s_is_refused_in_the_user_s_language(tmp_path: Path) -> None:
    """It was refused in Chinese under --lang en, naming the hidden copy (bk/.fupin-….duckdb.part) the
    user never sees (a probe)."""
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    for lang, said in (("en", "Not a usable backup, nothing was changed: {db} (not a dashboard database)"),
                       ("zh", "不是可用的备份，数据未作任何更改：{db}（不是看板数据库）")):
        p = run_cli("--lang", lang, "backup", str(tmp_path / "bk"), "--db", str(other))
        assert p.returncode == 1 and said.format(db=other) in p.stderr, p.stderr
        assert ".part" not in p.stderr
    assert list((tmp_path / "bk").iterdir()) == []


@pytest.mark.parametrize("command", [["load", "FILE"], ["rebuild"], ["backup", "bk"], ["export-parquet", "out"]])
def test_a_folder_given_for_the_database_is_said_before_any_work(tmp_path: Path, command: list[str]) -> None:
    """`--db data/`: a load read and checked its files, built a snapshot, then said 无法完成：…/.data.1a2b3c4d.link
    （这是一个文件夹） and left that link, a lock and a snapshots folder beside the folder (a probe)."""
    folder = tmp_path / "data"
    folder.mkdir()
    args = [str(gen_file(tmp_path, 1)) if a == "FILE" else str(tmp_path / a) if a in ("bk", "out") else a
            for a in command]
    for lang, said in (("zh", f"数据库路径是一个文件夹：{folder}。"), ("en", f"The database path is a folder: {folder}.")):
        p = run_cli("--lang", lang, *args, "--db", str(folder))
        assert p.returncode == 1 and said in p.stderr and ".link" not in p.stderr, p.stderr
    assert sorted(x.name for x in tmp_path.iterdir() if x.name not in ("data", "gen_01.csv")) == [], list(tmp_path.iterdir())
    p = run_cli(*args, "--db", str(folder), "--json") if command[0] == "load" else None
    assert p is None or "数据库路径是一个文件夹" in json.loads(p.stdout)["error"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_command_behind_another_load_says_it_waits(tmp_path: Path, db: Path, lang: str) -> None:
    """The page's upload says it is queued behind a command-line load; the command line behind another
    load waited without a word (a probe)."""
    import fcntl
    import select
    import subprocess
    import sys

    from labels import t

    with open(snapshot.lock_path(db), "a+") as held:  # another load holds the lock
        fcntl.flock(held, fcntl.LOCK_EX)
        proc = subprocess.Popen([sys.executable, "-m", "etl", "--lang", lang, "load", str(gen_file(tmp_path, 4)),
                                 "--db", str(db)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stderr is not None
            said = select.select([proc.stderr], [], [], 60)[0]  # a silent wait fails, not hangs
            assert said and proc.stderr.readline().strip() == t("insp.data.queued", lang)
            assert proc.poll() is None  # still waiting
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, (out, err)
    assert len(base_rows(db)["households"]) == 4  # and then it loaded


def _loads_on_a_small_disk(tmp_path: Path, *files: Path) -> tuple[list[tuple[int, dict]], Path]:
    """Load `files` one by one (`--json`) into a new database on a real tmpfs with room for one and a half
    snapshot files of one household (in a user and mount namespace; gone when it ends): each load's exit
    code and JSON object, and a copy of the disk's folder as the loads left it."""
    import subprocess
    import sys

    prefix = conftest.unprivileged(mount=True)
    reference = tmp_path / "ref" / "fupin.duckdb"
    assert load_files([gen_file(tmp_path, 1)], db=reference).published
    size = snapshot.current_snapshot(reference).stat().st_size
    disk, kept = tmp_path / "disk", tmp_path / "kept"
    disk.mkdir()
    db = disk / "fupin.duckdb"
    loads = "".join(f"{sys.executable} -m etl load {f} --db {db} --json; echo \"rc=$?\" >&2; " for f in files)
    script = f"mount -t tmpfs -o size={size * 3 // 2} tmpfs {disk} || exit 99; {loads}cp -a {disk} {kept}"
    p = subprocess.run([*prefix, "sh", "-c", script], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    codes = [int(line[3:]) for line in p.stderr.splitlines() if line.startswith("rc=")]
    outs = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    assert len(codes) == len(outs) == len(files), (p.stdout, p.stderr)
    return list(zip(codes, outs, strict=True)), kept


def test_a_first_load_on_a_disk_with_room_for_one_copy_publishes_and_says_so(tmp_path: Path) -> None:
    """A disk with room for the new snapshot but not for its other copy: the first load published its data,
    then said 无法完成：…（磁盘空间不足）…数据库未作更改, printed no file's summary (--json counted no row)
    and left the half copy filling the disk (a probe)."""
    [(code, out)], kept = _loads_on_a_small_disk(tmp_path, gen_file(tmp_path, 1))
    assert code == 0 and out["error"] is None and out["files"][0]["rows_loaded"] == 1, out
    assert read_generation(kept / "fupin.duckdb") == 1
    assert not list((kept / "fupin.duckdb.snapshots").glob("tmp-*")), list((kept / "fupin.duckdb.snapshots").iterdir())


def test_a_load_that_finds_no_room_for_its_copy_leaves_the_disk_as_it_was(tmp_path: Path) -> None:
    """The next load on that disk cannot copy the current file: it says the disk is full, and left its half
    copy (work-….duckdb, most of a snapshot) on the full disk until some later load (a probe)."""
    [_, (code, out)], kept = _loads_on_a_small_disk(tmp_path, gen_file(tmp_path, 1), gen_file(tmp_path, 2))
    assert code == 1 and "磁盘空间不足" in out["error"], out
    assert read_generation(kept / "fupin.duckdb") == 1
    snaps = kept / "fupin.duckdb.snapshots"
    assert [p.name for p in snaps.glob("*.duckdb")] == ["g00000001.duckdb"], list(snaps.iterdir())


@pytest.mark.parametrize(("lang", "said"), [("zh", "（文件超过大小上限）。请检查"), ("en", " (file too large). Check")],
                         ids=["zh", "en"])
def test_a_rebuild_restore_or_backup_on_a_full_disk_says_so_in_the_user_s_language(tmp_path: Path, db: Path, lang: str, said: str) -> None:
    """A file-size limit under the snapshot's size stands in for a full disk: `rebuild` (and `make run`'s
    upgrade) ended in DuckDB's FatalException traceback; a restore said the backup file was too large, a
    backup named no path: 无法完成：（文件超过大小上限） (a probe)."""
    import resource
    import subprocess
    import sys

    before = snapshot.current_snapshot(db)
    assert run_cli("backup", str(tmp_path / "bk"), "--db", str(db)).returncode == 0
    limit = before.stat().st_size // 2

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    snaps = str(snapshot.snapshots_dir(db))
    for command, where in ((["rebuild"], snaps), (["restore", str(tmp_path / "bk"), "--no-backup"], snaps),
                           (["backup", str(tmp_path / "bk2")], f"{tmp_path / 'bk2'}（" if lang == "zh" else f"{tmp_path / 'bk2'} (")):
        p = subprocess.run([sys.executable, "-m", "etl", "--lang", lang, *command, "--db", str(db)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300, preexec_fn=cap)  # noqa: PLW1509
        assert p.returncode == 1 and "Traceback" not in p.stderr and said in p.stderr, p.stderr
        assert where in p.stderr and "File too large" not in p.stderr, p.stderr
    assert list((tmp_path / "bk2").iterdir()) == []
    assert snapshot.current_snapshot(db) == before


@pytest.mark.parametrize(("lang", "said"), [("zh", "（没有权限）。请检查"), ("en", " (permission denied). Check")],
                         ids=["zh", "en"])
def test_a_database_folder_without_write_permission_is_said_in_the_user_s_language(
        tmp_path: Path, db: Path, lang: str, said: str) -> None:
    """The snapshots folder made read-only (root runs the commands in a user namespace, where its owner's
    bits count): a load said 入库失败…（TransactionException: …Permission denied）, a rebuild
    无法完成：（IO Error: Cannot open file …: Permission denied）, DuckDB's English in Chinese (a probe)."""
    import subprocess
    import sys

    before = snapshot.current_snapshot(db)
    prefix = conftest.unprivileged()
    snaps = snapshot.snapshots_dir(db)
    snaps.chmod(0o555)
    try:
        for command in (["load", str(gen_file(tmp_path, 4))], ["rebuild"]):
            p = subprocess.run([*prefix, sys.executable, "-m", "etl", "--lang", lang, *command, "--db", str(db)],
                               cwd=ROOT, capture_output=True, text=True, timeout=300)
            out = p.stdout + p.stderr  # a load's summary on stdout, a rebuild's failure on stderr
            assert p.returncode == 1 and said in out and str(snaps) in out, out
            assert "Permission denied" not in out and "Error" not in out, out
    finally:
        snaps.chmod(0o755)
    assert snapshot.current_snapshot(db) == before


def test_an_error_after_the_publish_does_not_say_nothing_changed(tmp_path: Path, db: Path) -> None:
    """`etl load … | head -1`: the summary met a closed pipe after the new data was published, and the
    command said 无法完成：（Broken pipe）…数据库未作更改, exit 1, of a load that stood (a probe)."""
    import subprocess
    import sys

    before = snapshot.generation(snapshot.current_snapshot(db))
    proc = subprocess.Popen([sys.executable, "-m", "etl", "load", str(gen_file(tmp_path, 4)), "--db", str(db)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader went away before the summary
    _, err = proc.communicate(timeout=120)
    assert snapshot.generation(snapshot.current_snapshot(db)) == before + 1 and read_generation(db) == 4
    assert proc.returncode == 0 and f"新数据已发布（{db}），但随后未能完成" in err, err
    assert "未作更改" not in err and "Broken pipe" not in err, err


def test_a_json_summary_into_a_closed_pipe_ends_without_a_traceback(tmp_path: Path, db: Path) -> None:
    """`etl load … --json | head -c0`: the JSON object met a closed pipe after the publish, and so did the
    JSON error object after it: two tracebacks, exit 1, of a load that stood (left open by a probe)."""
    import subprocess
    import sys

    before = snapshot.generation(snapshot.current_snapshot(db))
    proc = subprocess.Popen([sys.executable, "-m", "etl", "load", str(gen_file(tmp_path, 4)), "--db", str(db),
                             "--json"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert snapshot.generation(snapshot.current_snapshot(db)) == before + 1 and read_generation(db) == 4
    assert proc.returncode == 0 and f"新数据已发布（{db}），但随后未能完成" in err, err
    assert "Traceback" not in err and "Exception ignored" not in err, err


def test_a_killed_backup_s_half_copy_goes_at_the_next_backup(tmp_path: Path, db: Path) -> None:
    """A backup killed while copying (a reboot at 2 a.m.) left .fupin-….duckdb.part, as large as the copy,
    hidden in the backup folder for good, one more each time (a probe). One still being written stays."""
    import os

    folder = tmp_path / "bk"
    folder.mkdir()
    killed = folder / ".fupin-20261201-020000-g00000002.duckdb.part"
    writing = folder / ".fupin-20261207-020000-g00000009.duckdb.part"
    for part in (killed, writing):
        part.write_bytes(b"\0" * 4096)
    hour_ago = time.time() - 3600
    os.utime(killed, (hour_ago, hour_ago))
    assert run_cli("backup", str(folder), "--db", str(db)).returncode == 0
    assert not killed.exists() and writing.exists()
    assert len(backup.backups(folder)) == 1


def test_backup_keep_deletes_the_oldest_backups_of_the_folder_only(tmp_path: Path, db: Path) -> None:
    """The guide's nightly `etl backup` kept every backup, a whole database a night, until the disk was
    full. `--keep N` deletes the folder's backups (and their manifests) older than the newest N after a
    backup is written, and says which; nothing else in the folder is touched."""
    folder = tmp_path / "bk"
    made, _ = backup.backup(folder, db)
    for day in ("20260101", "20260102"):  # earlier nights' backups: real ones, named as made then
        copy = folder / made.name.replace(made.name[len(backup.PREFIX):len(backup.PREFIX) + 8], day)
        shutil.copy(made, copy)
        shutil.copy(made.with_suffix(".json"), copy.with_suffix(".json"))
    made.unlink()
    made.with_suffix(".json").unlink()
    (folder / "说明.txt").write_text("备份目录", encoding="utf-8")
    bad = run_cli("backup", str(folder), "--keep", "0", "--db", str(db))
    assert bad.returncode == 2 and "--keep" in bad.stderr and len(backup.backups(folder)) == 2, bad.stderr
    p = run_cli("backup", str(folder), "--keep", "2", "--db", str(db))
    assert p.returncode == 0, p.stderr
    kept = backup.backups(folder)
    assert [f.name[len(backup.PREFIX):len(backup.PREFIX) + 8] for f in kept][0] == "20260102" and len(kept) == 2
    assert "删除了 1 份较早的备份" in p.stdout and "20260101" in p.stdout, p.stdout
    assert sorted(f.name for f in folder.iterdir() if not f.name.startswith(backup.PREFIX)) == ["说明.txt"]
    assert {f.with_suffix(".json").is_file() for f in kept} == {True}
    assert not list(folder.glob(f"{backup.PREFIX}20260101*"))
