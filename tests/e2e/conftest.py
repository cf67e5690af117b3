"""End-to-end fixtures: a demo database, a real `streamlit run` server and Debian's headless chromium.

- `e2e_db` (session): the demo county built in a temp dir by `python -m etl demo --db` (its export
  files land in `<db dir>/demo_files/`).
- `server` (session): `streamlit run dashboard.py` on a free loopback port with FUPIN_DB set; waits for
  `/_stcore/health`; stopped (SIGTERM, then SIGKILL) at the end. Its log goes to test-artifacts/.
- `browser` (session): Playwright driving /usr/bin/chromium (never a Playwright browser download).
- `context` / `page`: a fresh browser context (1400x900, zh-CN, downloads accepted) per test.

Browser tests are marked `e2e`; they are skipped with a reason only when /usr/bin/chromium (or the
Playwright package) is missing. `make test` installs chromium first (scripts/install-browser.sh).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import build_demo_db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("FUPIN_CHROMIUM", "/usr/bin/chromium"))
# Set by `make test` (the README's test command): without a browser the run fails instead of skipping
# the end-to-end tests, the security ones among them (markup in charts, hostile file names, SSO).
REQUIRED_ENV = "FUPIN_E2E_REQUIRED"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 900}
SERVER_START_TIMEOUT = 90.0


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (run scripts/install-browser.sh or `make browser`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[dev]')"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    if os.environ.get(REQUIRED_ENV) and any("e2e" in item.keywords for item in items):
        raise pytest.UsageError(f"{REQUIRED_ENV} is set: the end-to-end tests must run, but {reason}")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_demo(db: Path) -> Path:
    """The demo county built into `db` (tests.conftest.build_demo_db: a failed build fails the test);
    returns the folder of the demo's export files."""
    build_demo_db(db)
    return db.parent / "demo_files"


class StreamlitServer:
    """`streamlit run dashboard.py` on a loopback port; `url` is its base URL (no trailing slash)."""

    def __init__(self, db: Path, log: Path, port: int | None = None, env: dict[str, str] | None = None,
                 args: list[str] | None = None) -> None:
        self.db = db
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = env or {}  # more environment (e.g. FUPIN_USERS)
        self.args = args or []  # more Streamlit options (e.g. --secrets.files)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> StreamlitServer:
        env = {**os.environ, "FUPIN_DB": str(self.db), "PYTHONUNBUFFERED": "1", **self.env}
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # the project's launcher (ui/serve.py: no legacy pages/ mode), without `make run`'s
        # --browser.gatherUsageStats false: .streamlit/config.toml must keep the pages offline however the
        # server is started (test_every_page_opens_without_exception sees any request to another host)
        cmd = [sys.executable, "-m", "ui.serve",
               "--server.headless", "true", "--server.port", str(self.port), "--server.address", "127.0.0.1",
               "--server.fileWatcherType", "none", *self.args]
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            if self.healthy():
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy in {SERVER_START_TIMEOUT}s")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:  # noqa: S310 (loopback)
                return r.status == 200 and r.read().strip() == b"ok"
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def e2e_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if _skip_reason():
        pytest.skip(_skip_reason() or "")
    db = tmp_path_factory.mktemp("e2e") / "fupin.duckdb"
    build_demo(db)
    return db


@pytest.fixture(scope="session")
def server(e2e_db: Path, browser: Any) -> Iterator[StreamlitServer]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    srv = StreamlitServer(e2e_db, ARTIFACTS / f"streamlit-e2e-{worker}.log").start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def new_context(browser: Any, **kwargs: Any) -> Any:
    """A browser context like a user's: Chinese locale, downloads accepted. The data grid's own CSV
    export uses showSaveFilePicker when it exists; removing it makes that a normal download too."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai",
                              accept_downloads=True, **kwargs)
    ctx.add_init_script("delete window.showSaveFilePicker;")
    ctx.set_default_timeout(30_000)
    return ctx


@pytest.fixture()
def context(browser: Any) -> Iterator[Any]:
    ctx = new_context(browser)
    yield ctx
    ctx.close()


@pytest.fixture()
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


