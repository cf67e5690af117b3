"""Bench phase `sessions`: N concurrent dashboard sessions against one server (bench.sessions).

For each N (1, 10, 30, 100): a fresh server (`python -m ui.serve`, as `make run` starts it) on a free
loopback port, a warm-up session (every page with every filter, then gone: the caches all sessions
share), then N sessions that each open the six pages of `bench.sessions.PAGES` with their filter and
stay connected. Per N: page p50/p95/max,
errors, server CPU seconds per page, the server's RSS before, at its peak and with the N sessions
idle, and (RSS idle − RSS before) / N as memory per idle session.

`browser_check`: one session's page times against Debian's Chromium (Playwright, as tests/e2e): every
page opened fresh (a new websocket session; in the browser `page.goto`), the median of `repeats`
openings each way; the bench records both and their ratio.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.sessions import FILTER_CASES, Scenario, Session, run_in_thread, run_sessions_async, summary

ROOT = Path(__file__).resolve().parents[1]
COUNTS = (1, 10, 30, 100)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:  # noqa: S310 (loopback)
            return r.status == 200
    except OSError:
        return False


class Server:
    """`python -m ui.serve` on a free loopback port for database `db`."""

    def __init__(self, db: Path, log: Path, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.db, self.log, self.port = db, log, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> Server:
        env = {**os.environ, "FUPIN_DB": str(self.db), "PYTHONUNBUFFERED": "1", **self.env}
        cmd = [sys.executable, "-m", "ui.serve", "--server.headless", "true", "--server.port", str(self.port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            if healthy(self.url):
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"server not healthy within {timeout} s")

    def cpu_seconds(self) -> float:
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime

    def rss_bytes(self) -> int:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


async def _measure(server: Served, n: int, scenario: Scenario, think: float, ramp: float,
                   rss_after_home: int) -> dict[str, Any]:
    """N sessions from now on; `rss_after_home`: the server's RSS after its first page, before the
    warm-up session filled the shared caches (the baseline of the figure before 2026-12-04)."""
    hold = asyncio.Event()
    idle: dict[str, Any] = {}
    peak = [server.rss_bytes()]
    stop = asyncio.Event()

    async def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], server.rss_bytes())
            await asyncio.sleep(0.2)

    async def on_idle() -> None:
        await asyncio.sleep(1.0)  # let the last runs' garbage go
        idle["rss"] = server.rss_bytes()
        idle["cpu"] = server.cpu_seconds()
        idle["t"] = time.perf_counter()

    cpu0, rss0, t0 = server.cpu_seconds(), server.rss_bytes(), time.perf_counter()
    sampler = asyncio.create_task(sample())
    results = await run_sessions_async(server.url, n, scenario, think=think, ramp=ramp, hold=hold, on_idle=on_idle)
    stop.set()
    await sampler
    out = summary(results)
    cpu = idle.get("cpu", server.cpu_seconds()) - cpu0
    out.update({
        "sessions": n, "think_seconds": think, "ramp_seconds": ramp,
        "wall_seconds": idle.get("t", time.perf_counter()) - t0, "server_cpu_seconds": cpu,
        "server_cpu_per_page": cpu / max(1, out["pages"]),
        "rss_before": rss0, "rss_peak": peak[0], "rss_idle": idle.get("rss"),
        "rss_per_idle_session": (idle["rss"] - rss0) / n if "rss" in idle else None,
        "rss_after_home": rss_after_home,
        "rss_per_idle_session_after_home": (idle["rss"] - rss_after_home) / n if "rss" in idle else None,
        "by_page": {p: summary([r for r in results if r.page == p]) for p in scenario.pages},
    })
    return out


class Served(Protocol):
    """What the phase measures: a `Server`, or replicas behind a proxy (bench.proxy.Cluster)."""

    url: str

    def cpu_seconds(self) -> float: ...
    def rss_bytes(self) -> int: ...
    def stop(self) -> None: ...


def run_phase(db: Path, scenario: Scenario, log: Callable[[str], None], counts: tuple[int, ...] = COUNTS,
              thinks: tuple[float, ...] = (0.0,), ramp: float = 1.0, logs: Path | None = None,
              browser: bool = True, serve: Callable[[Path, Path], Served] | None = None,
              replicas: int = 1) -> dict[str, Any]:
    """`serve(db, log)` starts what the sessions talk to (default: one `Server`); `replicas` is recorded."""
    res: dict[str, Any] = {"scenario": {"township": scenario.township, "cause": scenario.cause,
                                        "pages": list(scenario.pages)}, "runs": [], "replicas": replicas}
    logs = logs or (ROOT / "bench" / "out" / "logs")
    start = serve or (lambda d, lg: Server(d, lg).start())
    for think, n in ((t, n) for t in thinks for n in counts):
        server = start(db, logs / f"sessions-{n}.log")
        try:
            asyncio.run(_warm_up(server.url))
            after_home = server.rss_bytes()
            asyncio.run(_warm_up(server.url, scenario))
            one = asyncio.run(_measure(server, n, scenario, think, ramp, after_home))
        finally:
            server.stop()
        one["replicas"] = replicas
        one["date"] = time.strftime("%Y-%m-%dT%H:%M")  # runs of several invocations share the table
        log(f"  {n} sessions, think {think:g} s, {replicas} replica(s): p50 {one['p50'] or 0:.2f} s, p95 {one['p95'] or 0:.2f} s, errors {one['errors']}, "
            f"CPU {one['server_cpu_per_page']:.3f} s/page, RSS {one['rss_before'] / 2**20:.0f} → "
            f"{(one['rss_idle'] or 0) / 2**20:.0f} MiB ({(one['rss_per_idle_session'] or 0) / 2**20:.1f} MiB/session)")
        res["runs"].append(one)
    if browser:
        server = Server(db, logs / "sessions-browser.log").start()
        try:
            asyncio.run(_warm_up(server.url))
            try:
                res["browser_check"] = browser_check(server.url, scenario, log, cpu=server.cpu_seconds)
            except Exception as exc:  # the browser's failure is reported, the load figures are kept
                res["browser_check"] = {"skipped": f"failed: {type(exc).__name__}: {str(exc)[:300]}"}
                log(f"  browser check failed: {exc}")
        finally:
            server.stop()
    return res


def run_key(run: dict[str, Any]) -> tuple[int, float, int, float]:
    return run["sessions"], run.get("think_seconds", 0.0), run.get("replicas", 1), run.get("ramp_seconds", 1.0)


def merge_runs(previous: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """This run's figures, plus the earlier runs of other (sessions, think, replicas, ramp): one process
    and K replicas are measured by separate invocations and reported side by side."""
    if not previous:
        return new
    keys = {run_key(r) for r in new["runs"]}
    kept = [r for r in previous.get("runs", []) if run_key(r) not in keys]
    out = {**previous, **new, "runs": sorted(kept + new["runs"], key=run_key)}
    if "browser_check" not in new and "browser_check" in previous:
        out["browser_check"] = previous["browser_check"]
    return out


async def _warm_up(url: str, scenario: Scenario | None = None) -> None:
    """One session that opens the home page (imports, the first connection), or, with `scenario`, every
    page with every filter the measured sessions use, then leaves: what the server caches for all
    sessions (query results per snapshot and filter, DuckDB's buffers) is in place before the
    measurement, so its RSS growth is what the sessions themselves hold."""
    session = Session(url)
    await session.connect()
    try:
        if scenario is None:
            await session.open_page("home")
            return
        for case in FILTER_CASES:
            for page in scenario.pages:
                await session.open_page(page, scenario.query(case))
    finally:
        await session.close()


def browser_check(url: str, scenario: Scenario, log: Callable[[str], None], repeats: int = 3,
                  cpu: Callable[[], float] | None = None) -> dict[str, Any]:
    """One session's page times through the protocol client and through Chromium, the same way: open
    the app with the filter, then go from page to page in the same session (the browser clicks the
    sidebar's links; the client sends the page's rerun). Median of `repeats` rounds per page."""
    chromium = Path(os.environ.get("FUPIN_CHROMIUM", "/usr/bin/chromium"))
    if not chromium.exists():
        return {"skipped": f"{chromium} is missing"}
    from playwright.sync_api import sync_playwright

    query = scenario.query("township")
    rounds = [*scenario.pages[1:], scenario.pages[0]] * repeats  # from the first page on, back to it
    cpu = cpu or (lambda: 0.0)
    cpu0 = cpu()
    ours = run_in_thread(_client_rounds, url, query, rounds)
    cpu_client = (cpu() - cpu0) / len(rounds)
    theirs: dict[str, list[float]] = {p: [] for p in scenario.pages}
    rendered: dict[str, list[float]] = {p: [] for p in scenario.pages}
    finished: list[float] = []  # when Chromium's websocket received script_finished

    def on_frame(payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg()
            try:
                msg.ParseFromString(payload)
            except Exception:  # noqa: S112 - not a ForwardMsg: nothing to time
                return
            if msg.WhichOneof("type") == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                finished.append(time.perf_counter())

    done = """(old) => { const h = document.querySelector('[data-testid="stMain"] h1');
        const app = document.querySelector('[data-testid="stApp"]');
        return h && h.innerText !== old && app.getAttribute('data-test-script-state') === 'notRunning'; }"""
    click = """(path) => { const a = [...document.querySelectorAll('[data-testid="stSidebarNavLink"]')]
        .find(x => new URL(x.href).pathname === path); a.click(); return true; }"""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-quic"])
        ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
        page.goto(f"{url}/?{query}")
        page.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
        cpu0 = cpu()
        for p in rounds:
            old = page.evaluate("""() => { const h = document.querySelector('[data-testid="stMain"] h1');
                return h ? h.innerText : ''; }""")
            start = time.perf_counter()
            page.evaluate(click, "/" if p == "home" else f"/{p}")
            finished.clear()
            page.wait_for_function(done, arg=old, timeout=60_000, polling=20)
            rendered[p].append(time.perf_counter() - start)
            page.wait_for_timeout(300)  # a run that follows would show up here, as the client waits for it
            if finished:
                theirs[p].append(finished[-1] - start)
        cpu_chromium = (cpu() - cpu0) / len(rounds)
        ctx.close()
        browser.close()
    per_page = {p: {"client": statistics.median(ours[p]), "chromium": statistics.median(theirs[p]),
                    "ratio": statistics.median(ours[p]) / statistics.median(theirs[p]),
                    "chromium_rendered": statistics.median(rendered[p])} for p in scenario.pages}
    total_client = sum(v["client"] for v in per_page.values())
    total_chromium = sum(v["chromium"] for v in per_page.values())
    total_rendered = sum(v["chromium_rendered"] for v in per_page.values())
    out = {"repeats": repeats, "query": query, "per_page": per_page, "client_total": total_client,
           "chromium_total": total_chromium, "ratio": total_client / total_chromium,
           "chromium_rendered_total": total_rendered, "server_cpu_per_page_client": cpu_client,
           "server_cpu_per_page_chromium": cpu_chromium}
    log(f"  browser check: client {total_client:.2f} s vs chromium {total_chromium:.2f} s to script_finished "
        f"for {len(per_page)} pages (×{out['ratio']:.2f}); chromium until drawn {total_rendered:.2f} s; "
        f"server CPU per page {cpu_client:.3f} s (client) vs {cpu_chromium:.3f} s (chromium)")
    return out


async def _client_rounds(url: str, query: str, rounds: list[str]) -> dict[str, list[float]]:
    session = Session(url)
    await session.connect()
    out: dict[str, list[float]] = {p: [] for p in rounds}
    try:
        first = await session.open_page("home", query)
        if first.error:
            raise RuntimeError(f"home: {first.error}")
        for p in rounds:
            result = await session.open_page(p, query)
            if result.error:
                raise RuntimeError(f"{p}: {result.error}")
            out[p].append(result.seconds)
    finally:
        await session.close()
    return out
