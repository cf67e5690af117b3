"""Sessions without browsers: Streamlit's own websocket protocol, N sessions at once (issue 15).

A session connects to `/_stcore/stream` (subprotocol `streamlit`, as the frontend does), and opens
pages the way a user does: a `BackMsg.rerun_script` with the page's URL path (`page_name`, or its
`page_script_hash` once the server's `navigation` message named it) and the filter's query string,
then waits for `ForwardMsg.script_finished`. A run that ends and is followed by another (a page that
reruns itself) is waited for too. Errors: an exception element in the page, `page_not_found`, a run
that does not finish in time, a closed connection.

`run_sessions(url, n, ...)` runs N such sessions concurrently (ramped over `ramp` seconds, `think`
seconds between pages), each opening `pages` with its filter (`scenario`), and returns every page's
time to finish and the errors. `bench.session_bench` starts the server, measures its CPU and RSS and
writes the bench results; `python -m bench.sessions URL --sessions N` runs against any server (through
a proxy too).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# The pages a session opens, in this order (rotated per session), and the filter variants
# (session i uses FILTER_CASES[i % 3]): as the e2e tests open pages, with and without filters.
PAGES = ("home", "poverty-causes", "exit-status", "assistance-measures", "rectification-tracker",
         "visit-planner")
FILTER_CASES = ("none", "township", "township+cause")
SETTLE = 0.3  # seconds without a new run after script_finished before the page counts as done


@dataclass
class PageResult:
    session: int
    page: str
    query: str
    seconds: float
    error: str | None = None
    runs: int = 1


@dataclass
class Scenario:
    township: str = ""
    cause: str = ""
    pages: tuple[str, ...] = PAGES

    def query(self, case: str) -> str:
        params: dict[str, str] = {}
        if case in ("township", "township+cause") and self.township:
            params["town"] = self.township
        if case == "township+cause" and self.cause:
            params["cause"] = self.cause
        return urlencode(params)


class Session:
    """One websocket session of the dashboard."""

    def __init__(self, url: str, index: int = 0, timeout: float = 120.0) -> None:
        parts = urlsplit(url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.ws_url = f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self.index = index
        self.timeout = timeout
        self.ws: Any = None
        self.page_hash: dict[str, str] = {}  # url path -> page_script_hash (from ForwardMsg.navigation)
        self.cookies = ""  # a Cookie header to send (a proxy's sticky-session cookie)
        self.headers: dict[str, str] = {}  # the handshake response's headers
        self.keep_messages = False
        self.messages: list[bytes] = []  # with keep_messages: the last page's ForwardMsgs, serialized

    async def connect(self) -> None:
        headers = {"Cookie": self.cookies} if self.cookies else None
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=self.timeout, additional_headers=headers,
                                           ping_interval=None)  # permessage-deflate offered, as browsers do
        self.headers = {k.lower(): v for k, v in self.ws.response.headers.raw_items()}

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def open_page(self, page: str, query: str = "") -> PageResult:
        """Open a page (URL path, 'home' for the default) with a query string; wait until it is done."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        known = self.page_hash.get(page)
        if known:
            state.page_script_hash = known
        else:
            state.page_name = "" if page == "home" else page
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        error: str | None = None
        self.messages = []
        runs = 0
        finished_at = None
        deadline = start + self.timeout
        try:
            while True:
                wait = deadline - time.perf_counter()
                if finished_at is not None:
                    wait = min(wait, finished_at + SETTLE - time.perf_counter())
                if wait <= 0:
                    if finished_at is None:
                        error = "timeout"
                    break
                try:
                    data = await asyncio.wait_for(self.ws.recv(), wait)
                except TimeoutError:
                    continue
                if self.keep_messages:
                    self.messages.append(data)
                fwd = ForwardMsg()
                fwd.ParseFromString(data)
                kind = fwd.WhichOneof("type")
                if kind == "script_finished":
                    if fwd.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                               ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                        runs += 1
                        finished_at = time.perf_counter()
                        if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                            error = error or "compile_error"
                elif kind == "session_status_changed" and fwd.session_status_changed.script_is_running:
                    finished_at = None  # another run follows: wait for it too
                elif kind == "navigation":
                    for app_page in fwd.navigation.app_pages:
                        self.page_hash[app_page.url_pathname or "home"] = app_page.page_script_hash
                        if app_page.is_default:
                            self.page_hash["home"] = app_page.page_script_hash
                elif kind == "page_not_found":
                    error = error or "page_not_found"
                elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element" \
                        and fwd.delta.new_element.WhichOneof("type") == "exception":
                    error = error or f"exception: {fwd.delta.new_element.exception.message[:200]}"
        except websockets.ConnectionClosed as exc:
            error = f"closed: {exc}"
        end = finished_at if finished_at is not None and error != "timeout" else time.perf_counter()
        return PageResult(self.index, page, query, end - start, error, runs)


async def _one_session(url: str, index: int, scenario: Scenario, think: float, ramp: float, rng: random.Random,
                       results: list[PageResult], hold: asyncio.Event | None, timeout: float) -> None:
    await asyncio.sleep(rng.uniform(0, ramp) if ramp > 0 else 0)
    session = Session(url, index, timeout)
    case = FILTER_CASES[index % len(FILTER_CASES)]
    pages = scenario.pages[index % len(scenario.pages):] + scenario.pages[:index % len(scenario.pages)]
    try:
        await session.connect()
    except Exception as exc:  # a refused or failed handshake is this session's error
        results.append(PageResult(index, "connect", "", 0.0, f"connect: {type(exc).__name__}: {exc}"))
        return
    try:
        for i, page in enumerate(pages):
            if i and think > 0:
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
            results.append(await session.open_page(page, scenario.query(case)))
        if hold is not None:  # stay connected (idle) until told to leave
            await hold.wait()
    finally:
        await session.close()


async def run_sessions_async(url: str, n: int, scenario: Scenario, think: float = 0.0, ramp: float = 1.0,
                             seed: int = 15, hold: asyncio.Event | None = None, on_idle: Any = None,
                             timeout: float = 120.0) -> list[PageResult]:
    """N concurrent sessions; with `hold`, they stay connected after their pages until it is set, and
    `on_idle()` (a coroutine function) runs once every session has finished its pages."""
    rng = random.Random(seed)
    results: list[PageResult] = []
    tasks = [asyncio.create_task(_one_session(url, i, scenario, think, ramp, random.Random(rng.random()), results,
                                              hold, timeout)) for i in range(n)]
    if hold is not None and on_idle is not None:
        expected = n * len(scenario.pages)
        while len(results) < expected and not all(t.done() for t in tasks):
            await asyncio.sleep(0.1)
        try:
            await on_idle()
        finally:
            hold.set()
    await asyncio.gather(*tasks)
    return results


def run_sessions(url: str, n: int, scenario: Scenario, **kwargs: Any) -> list[PageResult]:
    return asyncio.run(run_sessions_async(url, n, scenario, **kwargs))


def run_in_thread(fn: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> Any:
    """asyncio.run(fn(*args)) in a thread of its own: Playwright's sync API keeps an event loop running
    in the calling thread (in a test worker, after any browser test), where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(fn(*args))).result()


def summary(results: list[PageResult]) -> dict[str, Any]:
    times = sorted(r.seconds for r in results if r.error is None)
    errors = [r for r in results if r.error is not None]

    def pct(p: float) -> float | None:
        if not times:
            return None
        return times[min(len(times) - 1, max(0, round(p * (len(times) - 1))))]

    return {"pages": len(results), "ok": len(times), "errors": len(errors),
            "error_kinds": sorted({(e.error or "")[:80] for e in errors})[:5],
            "p50": pct(0.5), "p95": pct(0.95), "max": times[-1] if times else None,
            "mean": statistics.fmean(times) if times else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sessions",
                                     description="N dashboard sessions over Streamlit's websocket protocol")
    parser.add_argument("url", help="the dashboard's base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--township", default="")
    parser.add_argument("--cause", default="")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between a session's pages")
    parser.add_argument("--ramp", type=float, default=1.0, help="sessions start within this many seconds")
    args = parser.parse_args(argv)
    scenario = Scenario(args.township, args.cause, tuple(p for p in args.pages.split(",") if p))
    results = run_sessions(args.url, args.sessions, scenario, think=args.think, ramp=args.ramp)
    print(json.dumps(summary(results), ensure_ascii=False))
    return 0 if all(r.error is None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
