"""Failed logins from one client address, in chromium against a real server (ui.login_throttle).

A name's lock (five failures) let one client try four passwords on each of many names, each a bcrypt
check of the server's CPU. The address is the one nginx appends to X-Forwarded-For (the server believes
the last hop from a loopback peer, as behind the shipped nginx): the browser here sends that header
itself, one address per context. After MAX_ADDRESS_FAILURES failures from an address, for names never
failed five times, that address is paused for every name (the right password too), in the user's
language; another address logs in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from labels import t
from tests.e2e.conftest import ARTIFACTS, StreamlitServer, new_context
from tests.e2e.test_browser import wait_idle
from ui import auth, login_throttle

pytestmark = pytest.mark.e2e

PASSWORD = "local-pass-123"
GUESSER, OFFICE = "203.0.113.9", "198.51.100.20"


@pytest.fixture(scope="module")
def guarded_server(browser: Any, e2e_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    folder = tmp_path_factory.mktemp("throttle")
    users = folder / "users.yaml"
    users.write_text(yaml.safe_dump({"users": {
        "boss": {"display_name": "旗领导", "role": "leader", "password_hash": auth.hash_password(PASSWORD, rounds=4)},
    }}, allow_unicode=True), encoding="utf-8")
    srv = StreamlitServer(e2e_db, ARTIFACTS / "streamlit-e2e-throttle.log",
                          env={"FUPIN_USERS": str(users), "FUPIN_LOGIN_LOG": str(folder / "login_log.jsonl")}).start()
    srv.login_log = folder / "login_log.jsonl"  # type: ignore[attr-defined]
    try:
        yield srv
    finally:
        srv.stop()


def try_login(ctx: Any, server: StreamlitServer, user: str, password: str, expect: str, lang: str = "zh") -> None:
    """A new page (a new session: no per-session delay), the form filled and sent, and the message or
    page title `expect` (a label key) waited for."""
    page = ctx.new_page()
    page.goto(server.url + ("/?lang=en" if lang == "en" else ""))
    page.get_by_label(t("auth.username", lang), exact=True).fill(user)
    page.get_by_label(t("auth.password", lang), exact=True).fill(password)
    page.get_by_test_id("stMain").get_by_role("button", name=t("auth.submit", lang), exact=True).click()
    main = page.get_by_test_id("stMain")
    if expect.endswith(".title"):
        main.get_by_role("heading", name=t(expect, lang), exact=True).wait_for(timeout=45_000)
    else:
        main.get_by_text(t(expect, lang, minutes=login_throttle.WINDOW // 60), exact=True).wait_for(timeout=45_000)
    wait_idle(page)
    page.close()


def test_failures_from_one_address_pause_it_for_every_name(browser: Any, guarded_server: StreamlitServer) -> None:
    guesser = new_context(browser, extra_http_headers={"X-Forwarded-For": GUESSER})
    office = new_context(browser, extra_http_headers={"X-Forwarded-For": OFFICE})
    try:
        for i in range(login_throttle.MAX_ADDRESS_FAILURES):  # four names, each below its own lock
            try_login(guesser, guarded_server, f"name{i % 4}-{i // 4}", "wrong-password", "auth.failed")
        try_login(guesser, guarded_server, "boss", PASSWORD, "auth.throttled_address")
        try_login(guesser, guarded_server, "boss", PASSWORD, "auth.throttled_address", lang="en")
        try_login(office, guarded_server, "boss", PASSWORD, "overview.title")
    finally:
        guesser.close()
        office.close()
    log: Path = guarded_server.login_log  # type: ignore[attr-defined]
    lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert [(r["result"], r["address"]) for r in lines if r["user"] == "boss"] == [
        ("throttled", GUESSER), ("throttled", GUESSER), ("ok", OFFICE)]
