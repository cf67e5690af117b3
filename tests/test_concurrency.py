"""Loads under concurrent use (issue 6 §2).

8 reader sessions browse while `python -m etl load` publishes 20 new snapshots, one after another.
Each load file `gen_NN.csv` adds exactly one registered household (one member) in the township
并发测试镇, so after generation g the database holds g such households, g members and g `gen_` batches,
and the derived `hh_facts` agrees. A reader "run" (like one Streamlit rerun) opens the current snapshot
once with `snapshot.connect_read()` and asks several questions; all answers must give the same g
(never a mix), and g never goes backwards for a reader (old snapshot or new). Any exception is an error.

Disk: two snapshot files (the current one, and the one the next load writes in place), a third only
while a load copies the current one because a viewer still held the other. A monitor thread samples
the snapshots folder all along.

A real Streamlit server is browsed by several chromium pages at the same time when /usr/bin/chromium
is there (the browser part is skipped otherwise, the rest still runs).

A load killed with SIGKILL at several points of its run leaves the link on the last good snapshot,
readable and complete, and the next load works.
Everything is loopback and bounded (about a minute).
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from etl import snapshot
from queries import figures
from tests.conftest import build_fixture_db

ROOT = Path(__file__).resolve().parents[1]
TOWN = "并发测试镇"
SESSIONS = 8
LOADS = 20
READER_PAUSE = 0.05
BROWSER_PAGES = 2
HEADER = "乡(镇),行政村,户编号,人编号,姓名,身份证号码,与户主关系,家庭人口数,致贫原因,脱贫属性,脱贫年份,人均纯收入,收入年度\n"


def gen_file(folder: Path, g: int) -> Path:
    """Generation g: one new registered household CC…g in 并发测试镇 (distinct content, so never 'unchanged')."""
    path = folder / f"gen_{g:02d}.csv"
    path.write_text(
        HEADER + f"{TOWN},并发村{g % 3},CC{g:014d},CC{g:014d}01,测试{g},,户主,1,1,1,2019,{5000 + g},2019\n",
        encoding="utf-8-sig",
    )
    return path


def big_file(folder: Path, households: int) -> Path:
    """A registry file large enough that a load of it takes a few seconds (for the SIGKILL test)."""
    path = folder / "big.csv"
    with open(path, "w", encoding="utf-8-sig") as f:
        f.write(HEADER)
        for i in range(households):
            f.write(f"大文件镇,大文件村{i % 50},BIG{i:013d},BIG{i:013d}01,大{i},,户主,1,1,1,2019,{4000 + i % 999},2019\n")
    return path


def load(db: Path, *files: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "etl", "load", *map(str, files), "--db", str(db), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def snapshot_files(db: Path) -> list[Path]:
    return sorted(snapshot.snapshots_dir(db).glob("*.duckdb"))


@dataclass
class Stats:
    runs: int = 0
    errors: list[str] = field(default_factory=list)
    generations: set[int] = field(default_factory=set)


def read_generation(db: Path) -> int:
    """One 'rerun': one snapshot, several queries; returns g or raises if the answers disagree."""
    con, _snap = snapshot.connect_read(db)
    try:
        def one(sql: str, params: list[object] | None = None) -> int:
            return int(con.execute(sql, params or []).fetchall()[0][0])

        answers = {
            "households": one("SELECT count(*) FROM households WHERE township = ?", [TOWN]),
            "hh_facts": one("SELECT count(*) FROM hh_facts WHERE township = ? AND registered", [TOWN]),
            "members": one("SELECT count(*) FROM members WHERE household_id LIKE 'CC%'"),
            "batches": one("SELECT count(*) FROM load_batches WHERE file_name LIKE 'gen_%'"),
            "last_file": one("SELECT coalesce(max(CAST(substr(file_name, 5, 2) AS INTEGER)), 0) "
                             "FROM load_batches WHERE file_name LIKE 'gen_%'"),
            "income": one("SELECT coalesce(max(income_per_capita), 5000)::INTEGER - 5000 FROM households "
                          "WHERE township = ?", [TOWN]),
        }
    finally:
        con.close()
    if len(set(answers.values())) != 1:
        raise AssertionError(f"mixed snapshot: {answers}")
    return answers["households"]


def reader(db: Path, stop: threading.Event, stats: Stats) -> None:
    last = -1
    while not stop.is_set():
        try:
            g = read_generation(db)
            if g < last:
                raise AssertionError(f"went back from generation {last} to {g}")
            last = g
            stats.generations.add(g)
        except Exception:
            stats.errors.append(traceback.format_exc(limit=3))
        stats.runs += 1
        time.sleep(READER_PAUSE)  # a user reads for a moment; without it 8 threads starve 2 cores


def monitor(db: Path, stop: threading.Event, samples: list[tuple[int, int]]) -> None:
    snaps = snapshot.snapshots_dir(db)
    while not stop.is_set():
        files = list(snaps.glob("*.duckdb*"))
        size = 0
        for p in files:
            try:
                size += p.stat().st_size
            except FileNotFoundError:
                pass
        samples.append((len([p for p in files if p.suffix == ".duckdb"]), size))
        time.sleep(0.01)


def browser_sessions(url: str, pages: int, stop: threading.Event, stats: Stats, base: int) -> None:
    """Several chromium pages rerun the overview over and over; the KPI must always be a valid g."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tabs = [browser.new_context(viewport={"width": 1300, "height": 900}).new_page() for _ in range(pages)]
            last = [-1] * pages
            while not stop.is_set():
                for i, page in enumerate(tabs):
                    try:
                        page.goto(f"{url}/?town={TOWN}")
                        card = page.get_by_test_id("stMetric").filter(has_text=figures.entry("households").text("name", "zh")).first
                        value = card.get_by_test_id("stMetricValue")
                        value.wait_for(timeout=30_000)
                        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
                        errs = page.get_by_test_id("stException").all_inner_texts()
                        if errs:
                            raise AssertionError(errs[0][:1500])
                        g = int(value.inner_text().replace(",", "").removesuffix("户"))  # 20户
                        if g < last[i]:
                            raise AssertionError(f"page {i} went back from {last[i]} to {g}")
                        last[i] = g
                        stats.generations.add(g)
                    except Exception:
                        stats.errors.append(traceback.format_exc(limit=2))
                    stats.runs += 1
                    time.sleep(1.0)  # a reader, not a load generator: 2 cores are shared with the loads
        finally:
            browser.close()


def test_loads_under_concurrent_use(tmp_path: Path) -> None:
    db = build_fixture_db(tmp_path / "db" / "fupin.duckdb")
    files = tmp_path / "files"
    files.mkdir()
    gens = [gen_file(files, g) for g in range(1, LOADS + 1)]
    # the fixture DB is a plain file; one load makes it a link to a snapshot
    first = load(db, gens[0])
    assert first.returncode == 0, first.stdout + first.stderr
    assert db.is_symlink()
    assert read_generation(db) == 1

    stop = threading.Event()
    stats = [Stats() for _ in range(SESSIONS)]
    samples: list[tuple[int, int]] = []
    threads = [threading.Thread(target=reader, args=(db, stop, s), daemon=True) for s in stats]
    threads.append(threading.Thread(target=monitor, args=(db, stop, samples), daemon=True))

    server = None
    web = Stats()
    from tests.e2e.conftest import CHROMIUM

    if CHROMIUM.exists():
        from tests.e2e.conftest import StreamlitServer

        server = StreamlitServer(db, ROOT / "test-artifacts" / "streamlit-concurrency.log").start()
        threads.append(threading.Thread(target=browser_sessions, args=(server.url, BROWSER_PAGES, stop, web, 0), daemon=True))
    t0 = time.monotonic()
    try:
        for th in threads:
            th.start()
        time.sleep(1.0)
        load_times = []
        for g, path in enumerate(gens[1:], start=2):
            t1 = time.monotonic()
            res = load(db, path)
            load_times.append(time.monotonic() - t1)
            assert res.returncode == 0, res.stdout + res.stderr
            out = json.loads(res.stdout)
            assert out["files"][0]["rows_loaded"] == 1, out
            assert read_generation(db) == g
            time.sleep(0.05)
        # let every session see the last generation: readers within a second; a browser tab reruns the
        # page in turn with the others, which takes longer on a machine busy with other tests
        time.sleep(1.0)
        deadline = time.monotonic() + 60
        while server is not None and LOADS not in web.generations and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        stop.set()
        for th in threads:
            th.join(timeout=60)
        if server is not None:
            server.stop()
    elapsed = time.monotonic() - t0

    runs = sum(s.runs for s in stats)
    errors = [e for s in stats for e in s.errors]
    seen = set().union(*(s.generations for s in stats))
    max_files = max(n for n, _ in samples)
    max_bytes = max(b for _, b in samples)
    figures = {
        "sessions": SESSIONS, "loads": LOADS, "reader_runs": runs, "errors": len(errors),
        "generations_seen": len(seen), "browser_runs": web.runs, "browser_errors": len(web.errors),
        "max_snapshots_on_disk": max_files, "max_snapshot_bytes": max_bytes,
        "load_seconds_mean": round(sum(load_times) / len(load_times), 2), "elapsed_seconds": round(elapsed, 1),
    }
    print("CONCURRENCY", json.dumps(figures))
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "concurrency.json").write_text(json.dumps(figures, indent=2))
    assert not errors, errors[:3]
    assert not web.errors, web.errors[:3]
    assert runs > SESSIONS * LOADS, figures  # sessions really browsed during the loads
    assert max(seen) == LOADS and len(seen) >= LOADS // 2, sorted(seen)
    if server is not None:
        assert web.runs >= 3 and LOADS in web.generations, (web.runs, sorted(web.generations))
    # the current file and the one being written (a third only while a copy is made)
    assert max_files <= 3, figures
    assert len(snapshot_files(db)) <= 2
    assert not list(snapshot.snapshots_dir(db).glob("*.wal"))


KILL_POINTS = (0.15, 0.3, 0.45, 0.6, 0.75, 0.9)  # fractions of an uninterrupted load's time


def test_killed_load_leaves_the_last_good_snapshot(tmp_path: Path) -> None:
    """SIGKILL at several points of a load (reading, writing, deriving, publishing): each time the link
    still points at the last good snapshot, which reads complete, readers saw no error, and the next
    load goes through."""
    db = build_fixture_db(tmp_path / "db" / "fupin.duckdb")
    files = tmp_path / "files"
    files.mkdir()
    assert load(db, gen_file(files, 1)).returncode == 0
    assert load(db, gen_file(files, 2)).returncode == 0  # the other file now catches up with a changeset
    good = snapshot.current_snapshot(db)
    assert good is not None and read_generation(db) == 2
    big = big_file(files, 40_000)
    # how long the load takes uninterrupted, on a copy
    trial = tmp_path / "trial"
    shutil.copytree(db.parent, trial, symlinks=True)
    t0 = time.monotonic()
    assert load(trial / db.name, big).returncode == 0
    duration = time.monotonic() - t0

    stop = threading.Event()
    stats = Stats()
    th = threading.Thread(target=reader, args=(db, stop, stats), daemon=True)
    th.start()
    kills = 0
    try:
        for fraction in KILL_POINTS:
            proc = subprocess.Popen([sys.executable, "-m", "etl", "load", str(big), "--db", str(db)], cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(duration * fraction)
            if proc.poll() is not None:  # finished early: that point is past the end of this run
                break
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            con, _ = snapshot.connect_read(db)
            try:
                big_rows = con.execute("SELECT count(*) FROM households WHERE township = '大文件镇'").fetchall()[0][0]
            finally:
                con.close()
            assert read_generation(db) == 2  # complete: every table agrees
            if snapshot.current_snapshot(db) != good:  # killed after it published (making the other file)
                assert big_rows == 40_000  # then the new snapshot is whole
                break
            assert big_rows == 0  # still the last good snapshot
            kills += 1
        # the lock died with each process: the next load goes through and publishes
        res = load(db, gen_file(files, 3))
        assert res.returncode == 0, res.stdout + res.stderr
        assert read_generation(db) == 3
    finally:
        stop.set()
        th.join(timeout=30)
    assert kills >= 3, (kills, duration)
    assert not stats.errors, stats.errors[:3]
    assert stats.runs > 0
    # what killed loads left (their half-written files) is gone after the next load
    assert len(snapshot_files(db)) == 2
    leftovers = [p.name for p in snapshot.snapshots_dir(db).iterdir() if p.name not in (".tmp", "changes")
                 and p not in snapshot_files(db)]
    assert leftovers == []


@pytest.mark.parametrize("n", [2])
def test_concurrent_loads_queue(tmp_path: Path, n: int) -> None:
    """Two loads started at the same moment both publish (the flock queues them); nothing is lost."""
    db = build_fixture_db(tmp_path / "db" / "fupin.duckdb")
    files = tmp_path / "files"
    files.mkdir()
    assert load(db, gen_file(files, 1)).returncode == 0
    procs = [subprocess.Popen([sys.executable, "-m", "etl", "load", str(gen_file(files, g)), "--db", str(db)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for g in range(2, 2 + n)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, out + err
    assert read_generation(db) == 1 + n


def test_no_hidden_publish_link_is_left_beside_the_database(tmp_path: Path) -> None:
    """A publish is a temporary link renamed over the database path. A failed rename left the hidden
    `.fupin.duckdb.<hex>.link` beside the database (a probe), and so did a load killed between the two
    steps: the failure removes its own, the next load's cleanup any a killed load left."""
    db = build_fixture_db(tmp_path / "db" / "fupin.duckdb")
    target = snapshot.current_snapshot(db)
    assert target is not None
    blocked = tmp_path / "blocked" / "fupin.duckdb"
    blocked.mkdir(parents=True)  # a folder where the link should go: the rename fails
    with pytest.raises(OSError):
        snapshot.publish(blocked, target)
    assert [p.name for p in blocked.parent.iterdir()] == ["fupin.duckdb"]
    stale = db.with_name(f".{db.name}.0badc0de.link")
    stale.symlink_to(target)
    other = db.with_name("notes.link")  # not the loader's: left alone
    other.write_text("x")
    files = tmp_path / "files"
    files.mkdir()
    assert load(db, gen_file(files, 1)).returncode == 0
    assert not stale.is_symlink() and other.exists()
