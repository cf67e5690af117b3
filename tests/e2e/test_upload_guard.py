"""Files sent to the server's upload endpoint, in chromium against a real server (ui.serve.guard_uploads).

Streamlit keeps every file PUT to /_stcore/upload_file/<session>/<file> by a live session, in memory
until the session ends, whoever the session is: the login page's session stored 50 MB a request (the
server's memory grew by as much each time). A session may now send files only when its viewer may upload
(ui.upload.may_upload): nobody logged in, a township user and a read-only county viewer are refused (403);
a county leader's files are kept, as the data page's uploader sends them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from labels import t
from tests.e2e.conftest import ARTIFACTS, StreamlitServer, new_context
from tests.e2e.test_browser import wait_idle
from ui import auth

pytestmark = pytest.mark.e2e

PASSWORD = "local-pass-123"
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def guarded_server(browser: Any, e2e_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    users = tmp_path_factory.mktemp("upload_guard") / "users.yaml"
    users.write_text(yaml.safe_dump({"users": {
        "boss": {"display_name": "旗领导", "role": "leader", "password_hash": auth.hash_password(PASSWORD, rounds=4)},
        "town": {"display_name": "乡镇", "role": "township", "townships": ["乌加河镇"],
                 "password_hash": auth.hash_password(PASSWORD, rounds=4)},
        "office": {"display_name": "督查组", "role": "county_viewer",
                   "password_hash": auth.hash_password(PASSWORD, rounds=4)},
    }}, allow_unicode=True), encoding="utf-8")
    srv = StreamlitServer(e2e_db, ARTIFACTS / "streamlit-e2e-upload-guard.log", env={"FUPIN_USERS": str(users)}).start()
    try:
        yield srv
    finally:
        srv.stop()


def session_page(ctx: Any, server: StreamlitServer, user: str | None) -> tuple[Any, set[str]]:
    """A page on the server (logged in as `user`, or at the login form) and the ids its websocket was
    told (its session's among them)."""
    page = ctx.new_page()
    ids: set[str] = set()
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: ids.update(
        m.decode() for m in UUID.findall(payload if isinstance(payload, bytes) else payload.encode()))))
    page.goto(server.url)
    main = page.get_by_test_id("stMain")
    main.get_by_role("button", name=t("auth.submit", "zh"), exact=True).wait_for()
    if user is not None:
        page.get_by_label(t("auth.username", "zh"), exact=True).fill(user)
        page.get_by_label(t("auth.password", "zh"), exact=True).fill(PASSWORD)
        main.get_by_role("button", name=t("auth.submit", "zh"), exact=True).click()
        main.get_by_role("heading", name=t("overview.title", "zh"), exact=True).wait_for(timeout=45_000)
    wait_idle(page)
    return page, ids


def put_file(page: Any, server: StreamlitServer, ids: set[str], size: int) -> list[int]:
    """PUT a file of `size` bytes to the upload endpoint under each id, as the uploader widget does (its
    XSRF cookie sent back as the header); the statuses of the ids that are live sessions."""
    xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_streamlit_xsrf")
    statuses = []
    for i, sid in enumerate(sorted(ids)):
        r = page.request.put(f"{server.url}/_stcore/upload_file/{sid}/probe-{i}", headers={"X-Xsrftoken": xsrf},
                             multipart={"file": {"name": "走访记录.csv", "mimeType": "text/csv", "buffer": b"A" * size}})
        if r.status != 400:  # 400: not a session id
            statuses.append(r.status)
    return statuses


def test_only_a_county_wide_user_s_session_may_send_files(browser: Any, guarded_server: StreamlitServer) -> None:
    ctx = new_context(browser)
    try:
        anonymous, ids = session_page(ctx, guarded_server, None)
        assert put_file(anonymous, guarded_server, ids, 1 << 20) == [403]  # was 204: kept in memory
        town, ids = session_page(ctx, guarded_server, "town")
        assert put_file(town, guarded_server, ids, 1 << 20) == [403]
        office, ids = session_page(ctx, guarded_server, "office")  # county-wide, read-only
        assert put_file(office, guarded_server, ids, 1 << 20) == [403]
        boss, ids = session_page(ctx, guarded_server, "boss")
        assert put_file(boss, guarded_server, ids, 1 << 20) == [204]
    finally:
        ctx.close()
