"""Single sign-on below the browser (issue 14 §7): the users file maps OIDC identities to users, and the
dashboard (real AppTest) turns a signed-in `st.user` into that user's scope, or into the no-access page.

AppTest seeds `st.user` through its own `AppTest.user` (the claims a provider's ID token would give);
the sign-in itself (redirects, token, cookie) is tested against a real OIDC provider in
tests/e2e/test_sso.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from tests.conftest import HOUSEHOLDS
from ui import auth

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
HASH = "$2b$04$" + "x" * 53
OWN = "乌加河镇"
OTHER_TOWNS = sorted({h[1] for h in HOUSEHOLDS} - {OWN})


def _users(tmp_path: Path, users: dict[str, dict[str, object]]) -> Path:
    path = tmp_path / "users.yaml"
    path.write_text(yaml.safe_dump({"users": users}, allow_unicode=True), encoding="utf-8")
    return path


USERS: dict[str, dict[str, object]] = {
    "wang": {"display_name": "王芳", "role": "township", "townships": [OWN],
             "sso": {"email": "Wang.Fang@Example.gov.cn"}},
    "li": {"display_name": "李华", "role": "leader", "sso": {"sub": "li-0001"}, "password_hash": HASH},
    "zhao": {"role": "pii_viewer", "sso": {"sub": "zhao-0002", "email": "zhao@example.gov.cn"}},
}


@pytest.fixture()
def users(tmp_path: Path, app_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = _users(tmp_path, USERS)
    monkeypatch.setenv("FUPIN_USERS", str(path))
    monkeypatch.setenv("FUPIN_LOGIN_LOG", str(tmp_path / "login_log.jsonl"))
    return path


def _login_lines(users: Path) -> list[tuple[object, ...]]:
    """(user, display name, method, result) of each line of the test's login log."""
    log = users.parent / "login_log.jsonl"
    lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    return [(r["user"], r["display_name"], r["method"], r["result"]) for r in lines]


# --- the mapping ------------------------------------------------------------------------------


@pytest.mark.parametrize(("claims", "expected"), [
    ({"sub": "x", "email": "wang.fang@example.gov.cn"}, "wang"),      # e-mail, any case
    ({"sub": "x", "email": " WANG.FANG@EXAMPLE.GOV.CN "}, "wang"),
    ({"sub": "li-0001", "email": "someone@else.cn"}, "li"),           # sub first
    ({"sub": "zhao-0002"}, "zhao"),
    ({"sub": "li-0001", "email": "zhao@example.gov.cn"}, "li"),       # sub wins over e-mail
    ({"sub": "x", "email": "wang.fang@example.gov.cn", "email_verified": False}, None),
    ({"sub": "x", "email": "wang.fang@example.gov.cn", "email_verified": True}, "wang"),
    ({"sub": "LI-0001"}, None),                                        # sub is exact
    ({"sub": "nobody", "email": "nobody@example.gov.cn"}, None),
    ({}, None),
    ({"sub": "", "email": ""}, None),
])
def test_identify(tmp_path: Path, claims: dict[str, object], expected: str | None) -> None:
    user = auth.identify(claims, _users(tmp_path, USERS))
    assert (user.username if user else None) == expected
    if user:
        assert user.password_hash == ""  # the session never holds a hash


def test_identity_maps_to_role_townships_and_pii(tmp_path: Path) -> None:
    path = _users(tmp_path, USERS)
    wang = auth.identify({"email": "wang.fang@example.gov.cn"}, path)
    zhao = auth.identify({"sub": "zhao-0002"}, path)
    assert wang and wang.role == "township" and wang.townships == (OWN,) and not wang.pii
    assert wang.viewer().townships == (OWN,)
    assert zhao and zhao.pii and zhao.townships is None


@pytest.mark.parametrize("users", [
    {"a": {"role": "leader", "sso": {"sub": "s1"}}, "b": {"role": "leader", "sso": {"sub": "s1"}}},
    {"a": {"role": "leader", "sso": {"email": "A@x.cn"}}, "b": {"role": "leader", "sso": {"email": "a@x.cn"}}},
    {"a": {"role": "leader", "sso": {"oid": "s1"}}},
    {"a": {"role": "leader", "sso": {}}},
    {"a": {"role": "leader", "sso": {"sub": ""}}},
    {"a": {"role": "leader", "sso": "a@x.cn"}},
    {"a": {"role": "leader"}},  # neither a password nor an identity
    {"a": {"role": "leader", "sso": {"sub": "s1"}, "password_hash": "plain"}},
])
def test_bad_sso_entries_make_the_file_unusable(tmp_path: Path, users: dict[str, dict[str, object]]) -> None:
    with pytest.raises(auth.AuthConfigError):
        auth.load_users(_users(tmp_path, users))


def test_sso_only_user_cannot_log_in_with_a_password(tmp_path: Path) -> None:
    path = _users(tmp_path, USERS)
    assert auth.authenticate("wang", "", path) is None
    assert auth.authenticate("wang", "any-password", path) is None


# --- the dashboard with st.user signed in ------------------------------------------------------------


def _run(claims: dict[str, object] | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if claims is not None:
        at.user = {"is_logged_in": True, **claims}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _page_text(at: AppTest) -> str:
    parts = [str(e.value) for e in at.markdown] + [str(e.value) for e in at.caption] + [str(m.value) for m in at.metric]
    for d in at.dataframe:
        parts += [str(v) for v in d.value.astype(str).to_numpy().ravel()]
    return "\n".join(parts)


def test_township_identity_sees_its_township_only(users: Path) -> None:
    at = _run({"sub": "opaque-1", "email": "wang.fang@example.gov.cn", "name": "王芳"})
    assert at.metric, "the dashboard is shown"
    sidebar = "\n".join(str(e.value) for e in at.sidebar.text)
    assert "王芳" in sidebar and OWN in sidebar
    text = _page_text(at)
    assert OWN in text
    assert not [town for town in OTHER_TOWNS if town in text]
    assert [w.label for w in at.text_input if w.key == "auth_username"] == []  # no login form


def test_unknown_identity_sees_no_access_and_nothing_else(users: Path) -> None:
    at = _run({"sub": "stranger", "email": "stranger@example.org"})
    assert [e.value for e in at.error if "没有本看板的使用权限" in e.value]
    assert "`stranger@example.org`" in at.error[0].value  # named as text (a code span, no mailto link)
    assert not at.metric and not at.dataframe and not at.get("plotly_chart") and not at.text_input
    assert [b.label for b in at.button] == ["退出登录"]
    assert not at.sidebar.text


def test_unverified_email_has_no_access(users: Path) -> None:
    at = _run({"sub": "x", "email": "wang.fang@example.gov.cn", "email_verified": False})
    assert any("没有本看板的使用权限" in e.value for e in at.error)
    assert not at.metric


def test_removing_the_identity_applies_at_the_next_run(users: Path) -> None:
    at = _run({"sub": "li-0001"})
    assert at.metric
    users.write_text(yaml.safe_dump({"users": {k: v for k, v in USERS.items() if k != "li"}}, allow_unicode=True),
                     encoding="utf-8")
    at.run()
    assert any("没有本看板的使用权限" in e.value for e in at.error)
    assert not at.metric


def test_an_unusable_file_locks_a_signed_in_identity_too(users: Path) -> None:
    users.write_text(users.read_text(encoding="utf-8") + "users: {}\n", encoding="utf-8")  # a duplicate key
    at = _run({"sub": "li-0001"})
    assert any("用户配置文件无法使用" in e.value for e in at.error)
    assert not at.metric and not at.button


def test_login_log_of_a_signed_in_identity(users: Path) -> None:
    at = _run({"sub": "li-0001", "email": "li@example.gov.cn"})
    assert at.metric
    assert _login_lines(users) == [("li", "李华", "oidc", "ok")]
    at.run()
    at.switch_page("pages/data_admin.py")
    at.run()
    assert not at.exception
    assert _login_lines(users) == [("li", "李华", "oidc", "ok")]  # reruns and pages: nothing more
    log_table = next(d.value for d in at.dataframe if "结果" in d.value.columns)  # a leader sees the log
    assert log_table[["用户", "方式", "结果"]].values.tolist() == [["李华 (li)", "统一身份认证", "登录成功"]]
    at.button(key="auth_logout").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert _login_lines(users)[1:] == [("li", "李华", "oidc", "logout")]


def test_login_log_of_an_unknown_identity_once_per_session(users: Path) -> None:
    at = _run({"sub": "stranger", "email": "stranger@example.org"})
    at.run()
    at.run()
    assert _login_lines(users) == [("stranger@example.org", None, "oidc", "unknown_identity")]
    at.button(key="auth_logout").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert _login_lines(users)[1:] == [("stranger@example.org", None, "oidc", "logout")]


def test_without_a_sign_in_the_password_form_is_shown(users: Path) -> None:
    at = _run(None)
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    assert not at.metric


def test_cli_adds_a_single_sign_on_user(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "users.yaml"

    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ui.auth", "--file", str(path), *args], cwd=ROOT, input=stdin,
                              capture_output=True, text=True, timeout=60)

    ok = cli("add-user", "wang", "--role", "township", "--township", OWN, "--sso-email", "Wang@Example.gov.cn",
             "--no-password")
    assert ok.returncode == 0, ok.stderr
    user = auth.identify({"email": "wang@example.gov.cn"}, path)
    assert user and user.username == "wang" and user.townships == (OWN,)
    assert auth.load_users(path)["wang"].password_hash == ""
    # neither a password nor an identity; the same identity for a second user: refused, file unchanged
    before = path.read_text(encoding="utf-8")
    assert cli("add-user", "x", "--role", "leader", "--no-password").returncode == 2
    assert cli("add-user", "y", "--role", "leader", "--sso-email", "wang@example.gov.cn", "--no-password").returncode == 2
    assert path.read_text(encoding="utf-8") == before
    # password and identity together
    both = cli("add-user", "li", "--role", "leader", "--sso-sub", "li-1", stdin="a-long-password\n")
    assert both.returncode == 0, both.stderr
    assert auth.identify({"sub": "li-1"}, path).username == "li"  # type: ignore[union-attr]
