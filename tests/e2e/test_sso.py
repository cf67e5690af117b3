"""Single sign-on end to end (issue 14 §7): chromium, the dashboard and a real OpenID provider on
loopback (the `oidc-provider-mock` package: a complete OIDC provider with discovery, signed ID tokens
and an authorisation form, started by the test; `st.login` itself is Streamlit's, untouched).

The dashboard's `.streamlit/secrets.toml` [auth] section names the provider; `users.yaml` maps a
township user's e-mail and a leader's `sub`. Covered: a township user's scope after signing in, an
identity the file does not name (the no-access page and nothing else), logout (the next visit asks to
log in again), and that local passwords still work beside single sign-on; each leaves its line in the
login log (method, result, the browser's loopback address).
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml

from labels import t
from tests.e2e.conftest import ARTIFACTS, SCREENSHOTS, StreamlitServer, free_port
from tests.e2e.test_browser import TOWN, assert_no_exception, screenshot, wait_idle
from ui import auth

pytestmark = pytest.mark.e2e

TOWN_USER = {"sub": "wang-7f3a", "email": "wang.fang@example.gov.cn", "name": "王芳"}
STRANGER = {"sub": "stranger-0001", "email": "stranger@example.org", "name": "陌生人"}
PASSWORD = "local-pass-123"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    import oidc_provider_mock

    with oidc_provider_mock.run_server_in_thread(port=free_port()) as server:
        url = f"http://localhost:{server.server_port}"
        for claims in (TOWN_USER, STRANGER):
            body = json.dumps({k: v for k, v in claims.items() if k != "sub"}).encode()
            req = urllib.request.Request(f"{url}/users/{quote(claims['sub'])}", data=body, method="PUT",
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310 (loopback)
                assert r.status == 204
        yield url


@pytest.fixture(scope="module")
def sso_server(browser: Any, e2e_db: Path, provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    folder = tmp_path_factory.mktemp("sso")
    users = folder / "users.yaml"
    users.write_text(yaml.safe_dump({"users": {
        "wang": {"display_name": "王芳", "role": "township", "townships": [TOWN],
                 "sso": {"email": TOWN_USER["email"]}},
        "boss": {"display_name": "旗领导", "role": "leader", "sso": {"sub": "boss-0001"},
                 "password_hash": auth.hash_password(PASSWORD, rounds=4)},
    }}, allow_unicode=True), encoding="utf-8")
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-test-cookie-secret-of-enough-length-0123456789"\n'
        'client_id = "fupin-dashboard"\n'
        'client_secret = "fupin-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    srv = StreamlitServer(e2e_db, ARTIFACTS / "streamlit-e2e-sso.log", port=port,
                          env={"FUPIN_USERS": str(users), "FUPIN_LOGIN_LOG": str(folder / "login_log.jsonl")},
                          args=["--secrets.files", str(secrets)]).start()
    srv.login_log = folder / "login_log.jsonl"  # type: ignore[attr-defined]
    try:
        yield srv
    finally:
        srv.stop()


def login_lines(server: StreamlitServer, user: str) -> list[tuple[str, str, str | None]]:
    """(method, result, address) of the login log's lines for `user`, oldest first."""
    log: Path = server.login_log  # type: ignore[attr-defined]
    lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    return [(r["method"], r["result"], r["address"]) for r in lines if r["user"] == user]


def sign_in(page: Any, server: StreamlitServer, sub: str) -> None:
    """From the dashboard's login page through the provider's form and back."""
    page.goto(server.url)
    page.get_by_role("button", name=t("auth.sso", "zh")).click()
    page.get_by_placeholder("sub").first.wait_for(timeout=30_000)  # the provider's authorisation form
    assert "/oauth2/authorize" in page.url
    page.get_by_placeholder("sub").first.fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(re.compile(re.escape(server.url) + r"/?(\?.*)?$"), timeout=30_000)
    wait_idle(page)
    assert_no_exception(page)


def log_in_with_password(page: Any, user: str, landing_title: str) -> None:
    """Fill the dashboard's own login form and wait for the page it lands on (title label key)."""
    page.get_by_label(t("auth.username", "zh")).fill(user)
    page.get_by_label(t("auth.password", "zh")).fill(PASSWORD)
    page.get_by_test_id("stMain").get_by_role("button", name=t("auth.submit", "zh"), exact=True).click()
    page.get_by_test_id("stMain").get_by_role("heading", name=t(landing_title, "zh"), exact=True).wait_for(
        timeout=45_000)
    wait_idle(page)


def test_township_user_signs_in_sees_own_township_and_logs_out(page: Any, sso_server: StreamlitServer) -> None:
    sign_in(page, sso_server, TOWN_USER["sub"])
    page.get_by_test_id("stMain").get_by_role("heading", name=t("overview.title", "zh"), exact=True).wait_for()
    wait_idle(page)
    sidebar = page.get_by_test_id("stSidebar").inner_text()
    assert "王芳" in sidebar and TOWN in sidebar, sidebar
    main = page.get_by_test_id("stMain")
    chart = main.get_by_test_id("stPlotlyChart").first
    chart.locator(".ytick text").first.wait_for()
    ticks = {(e.text_content() or "").strip() for e in chart.locator(".ytick text").all()}
    assert ticks and ticks <= {TOWN, "兴丰村", "乌镇村", "四义堂村", "胜利村"}, ticks
    assert "海流图镇" not in main.inner_text()
    screenshot(page, SCREENSHOTS, "zh-sso-township-user")
    # the browser reaches the server over loopback, without a proxy
    assert login_lines(sso_server, "wang") == [("oidc", "ok", "localhost")]

    page.get_by_test_id("stSidebar").get_by_role("button", name=t("auth.logout", "zh")).click()
    # Streamlit ends its cookie and sends the browser to the provider's end-session page
    page.get_by_role("button", name="End session").click(timeout=30_000)
    page.wait_for_url(re.compile(re.escape(sso_server.url)), timeout=30_000)
    page.goto(sso_server.url)
    page.get_by_role("button", name=t("auth.sso", "zh")).wait_for(timeout=30_000)
    wait_idle(page)
    assert page.get_by_test_id("stMetric").count() == 0
    assert "王芳" not in page.get_by_test_id("stApp").inner_text()
    assert login_lines(sso_server, "wang") == [("oidc", "ok", "localhost"), ("oidc", "logout", "localhost")]


def test_unknown_identity_sees_no_access_and_nothing_else(page: Any, sso_server: StreamlitServer) -> None:
    sign_in(page, sso_server, STRANGER["sub"])
    error = page.get_by_test_id("stAlertContentError")
    error.wait_for(timeout=30_000)
    assert "没有本看板的使用权限" in error.inner_text() and STRANGER["email"] in error.inner_text()
    assert error.locator("a").count() == 0  # the address is text, not a mailto link
    screenshot(page, SCREENSHOTS, "zh-sso-no-access")
    assert page.get_by_test_id("stMetric").count() == 0
    assert page.get_by_test_id("stPlotlyChart").count() == 0
    assert page.get_by_test_id("stDataFrame").count() == 0
    assert page.get_by_test_id("stSidebarNav").count() == 0
    buttons = page.get_by_test_id("stMain").get_by_role("button")
    assert buttons.count() == 1 and t("auth.logout", "zh") in buttons.first.inner_text()
    # a deep link changes nothing
    page.goto(f"{sso_server.url}/poverty-causes?town={quote(TOWN)}")
    page.get_by_test_id("stAlertContentError").wait_for(timeout=30_000)
    wait_idle(page)
    assert page.get_by_test_id("stMetric").count() == 0 and page.get_by_test_id("stPlotlyChart").count() == 0
    # one line per session: the sign-in's, and the deep link's (a new page load is a new session)
    assert login_lines(sso_server, STRANGER["email"]) == [("oidc", "unknown_identity", "localhost")] * 2


def test_local_password_still_works_beside_single_sign_on(page: Any, sso_server: StreamlitServer) -> None:
    page.goto(sso_server.url)
    page.get_by_role("button", name=t("auth.sso", "zh")).wait_for(timeout=30_000)
    wait_idle(page)
    screenshot(page, SCREENSHOTS, "zh-sso-login-page")
    log_in_with_password(page, "boss", "overview.title")
    assert "旗领导" in page.get_by_test_id("stSidebar").inner_text()
    assert login_lines(sso_server, "boss") == [("password", "ok", "localhost")]


def test_a_link_opened_before_logging_in_opens_its_page_after(page: Any, sso_server: StreamlitServer) -> None:
    """A copied link (/poverty-causes?town=…) opened before logging in showed Streamlit's "Page not
    found" over the login form, which it left unusable, and the overview after the login. The form is
    served under every page's path: the link's page, filters and all, opens once the user is in."""
    page.goto(f"{sso_server.url}/poverty-causes?town={quote(TOWN)}")
    page.get_by_label(t("auth.username", "zh")).wait_for(timeout=30_000)
    wait_idle(page)
    assert page.get_by_text("Page not found").count() == 0
    log_in_with_password(page, "boss", "causes.title")
    assert "/poverty-causes" in page.url and quote(TOWN) in page.url
    assert_no_exception(page)


def test_an_address_without_a_page_before_logging_in_opens_the_form_with_a_notice(
        page: Any, sso_server: StreamlitServer) -> None:
    """An address no page has (/nonexistent) opened before logging in showed Streamlit's English "Page
    not found" over the login form. The form opens at the root with the label table's notice naming
    the address, and the login lands on the overview."""
    from playwright.sync_api import expect

    page.goto(f"{sso_server.url}/nonexistent")
    page.get_by_label(t("auth.username", "zh")).wait_for(timeout=30_000)
    wait_idle(page)
    assert page.get_by_text("Page not found").count() == 0
    expect(page.get_by_test_id("stMain").get_by_test_id("stAlert")).to_have_text(
        t("nav.not_found", "zh", path="nonexistent"))
    log_in_with_password(page, "boss", "overview.title")
    assert re.fullmatch(re.escape(sso_server.url) + r"/?(\?.*)?", page.url), page.url
    assert_no_exception(page)
