"""Two replicas behind Debian's nginx with the project's own configuration (deploy/nginx/fupin.conf).

Real processes on loopback ports: two dashboard servers (`python -m ui.serve`) reading one snapshot
directory, nginx with deploy/nginx/fupin.conf (ports replaced), sessions speaking Streamlit's websocket
protocol through the proxy (bench.sessions). The test shows:
- a browser's cookie pins its session to one replica, and sessions land on both;
- after a load with the CLI, sessions on both replicas see the new snapshot (the new item on the page,
  the new snapshot file open in both processes);
- after one replica is killed, sessions on the other keep working, and new sessions (and the killed
  replica's browsers reconnecting) go to the survivor.

nginx comes from Debian (scripts/install-nginx.sh, run here when it is missing, as `make test` does):
the test fails rather than skips without it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from bench.proxy import Proxy, nginx_path
from bench.session_bench import Server
from bench.sessions import Session, run_in_thread
from etl.snapshot import current_snapshot
from tests.conftest import copy_demo

ROOT = Path(__file__).resolve().parents[1]
TOWN = "德岭山镇"
MARK = "副本测试整改事项"  # the loaded ledger item's description: unique in the demo county


def _browser_cookie(url: str) -> str:
    """What a browser gets when it first loads the app: the proxy's sticky-session cookie."""
    with urllib.request.urlopen(f"{url}/", timeout=30) as r:  # noqa: S310 (loopback)
        jar = SimpleCookie()
        for header in r.headers.get_all("Set-Cookie") or []:
            jar.load(header)
    assert "fupin_route" in jar, "the proxy set no fupin_route cookie"
    return f"fupin_route={jar['fupin_route'].value}"


async def _session(url: str, cookie: str | None = None) -> Session:
    s = Session(url, timeout=90)
    s.cookies = cookie or await asyncio.to_thread(_browser_cookie, url)
    await s.connect()
    return s


def _open_files(pid: int) -> set[str]:
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            out.add(os.readlink(fd))
        except OSError:
            continue
    return out


@pytest.fixture()
def cluster(demo_cli_db: Path, tmp_path: Path) -> Iterator[tuple[Path, list[Server], Proxy]]:
    nginx_path()
    db = copy_demo(demo_cli_db, tmp_path / "data")  # the test loads a file into it
    replicas = [Server(db, tmp_path / f"replica-{i}.log") for i in range(2)]
    proxy = None
    try:
        for r in replicas:
            r.start()
        (tmp_path / "nginx").mkdir()
        proxy = Proxy(tmp_path / "nginx", [r.port for r in replicas]).start()
        yield db, replicas, proxy
    finally:
        if proxy is not None:
            proxy.stop()
        for r in replicas:
            r.stop()


async def _scenario(db: Path, replicas: list[Server], proxy: Proxy, tmp_path: Path) -> None:
    by_port = {f"127.0.0.1:{r.port}": r for r in replicas}
    # sessions through the proxy until both replicas hold some (each browser's cookie is random)
    sessions: list[Session] = []
    for _ in range(24):
        s = await _session(proxy.url)
        assert s.headers.get("x-fupin-replica") in by_port, s.headers
        sessions.append(s)
        if len({x.headers["x-fupin-replica"] for x in sessions}) == 2 and len(sessions) >= 4:
            break
    on = {addr: [s for s in sessions if s.headers["x-fupin-replica"] == addr] for addr in by_port}
    assert all(on.values()), f"sessions did not reach both replicas: { {k: len(v) for k, v in on.items()} }"
    for s in sessions:
        result = await s.open_page("home", f"town={TOWN}")
        assert result.error is None, result
    # the same cookie reaches the same replica again (sticky)
    again = await _session(proxy.url, sessions[0].cookies)
    assert again.headers["x-fupin-replica"] == sessions[0].headers["x-fupin-replica"]
    await again.close()

    # a load with the CLI: every replica serves the new snapshot from its sessions' next run
    before = current_snapshot(db)
    ledger = tmp_path / "问题整改台账.csv"
    ledger.write_text("问题编号,问题来源,发现日期,乡镇,村,问题类别,问题描述,责任单位,整改时限,整改状态\n"
                      f"RP-1,自查,2020-06-01,{TOWN},兴丰村,政策落实,{MARK},乡政府,2020-07-01,整改中\n",
                      encoding="utf-8")
    proc = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "etl", "load", str(ledger), "--db", str(db)],
                                   cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    after = current_snapshot(db)
    assert after is not None and after != before
    for addr, group in on.items():
        s = group[0]
        s.keep_messages = True
        result = await s.open_page("rectification-tracker", f"town={TOWN}")
        assert result.error is None, result
        assert any(MARK.encode() in m for m in s.messages), f"replica {addr} did not show the loaded item"
        assert str(after) in _open_files(by_port[addr].proc.pid), f"replica {addr} has not opened {after.name}"

    # kill one replica: the other's sessions keep working, new sessions go to the survivor
    dead_addr, live_addr = list(on)
    os.kill(by_port[dead_addr].proc.pid, signal.SIGKILL)
    by_port[dead_addr].proc.wait(timeout=10)
    for s in on[live_addr]:
        result = await s.open_page("poverty-causes", f"town={TOWN}")
        assert result.error is None, result
    for _ in range(6):
        s = await _session(proxy.url)
        assert _served_by(s.headers) == live_addr, s.headers
        result = await s.open_page("exit-status", f"town={TOWN}")
        assert result.error is None, result
        await s.close()
    # a browser of the dead replica reconnects with its cookie: it reaches the survivor
    orphan = await _session(proxy.url, on[dead_addr][0].cookies)
    assert _served_by(orphan.headers) == live_addr, orphan.headers
    assert (await orphan.open_page("home")).error is None
    await orphan.close()
    for s in sessions:
        try:
            await s.close()
        except Exception:  # noqa: S110 - the dead replica's sockets are gone already
            pass


def _served_by(headers: dict) -> str:
    """The replica that answered: nginx lists every upstream it tried ("dead:port, live:port" when it
    tried the killed replica first and failed over), the one that answered last."""
    return headers["x-fupin-replica"].split(",")[-1].strip()


def test_two_replicas_behind_nginx(cluster: tuple[Path, list[Server], Proxy], tmp_path: Path) -> None:
    db, replicas, proxy = cluster
    run_in_thread(_scenario, db, replicas, proxy, tmp_path)
