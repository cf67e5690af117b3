"""Roles and personal data (issue 6 §4): login, township scope on every page, masking, extract log, and
the login log (issue 14 §8).

Real Streamlit AppTest on real DuckDB files (a copy of the fixture database per test, so the extract
log lands next to it) and a real users file written by `python -m ui.auth`.
"""

from __future__ import annotations

import ast
import gc
import io
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from google.protobuf import text_format
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from etl.cli_parser import display_width
from tests.conftest import HOUSEHOLDS, MEMBERS
from tests.test_cli_language import ARGPARSE_ENGLISH, english_help
from ui import auth

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
PAGES = ["overview", "causes", "exit_status", "assistance", "rectification", "health", "visits", "quality",
         "briefing", "data_admin"]
PASSWORDS = {"boss": "leader-pass-1", "wujia": "wujia-pass-1", "wujia_pii": "wujia-pass-2", "pii": "pii-pass-12",
             "office": "office-pass-1"}
OWN = "乌加河镇"
OWN_HH = {h[0] for h in HOUSEHOLDS if h[1] == OWN}
OTHER_TOWNS = sorted({h[1] for h in HOUSEHOLDS} - {OWN})
OTHER_HH = {h[0] for h in HOUSEHOLDS} - OWN_HH
# the fixture's full ID numbers: a page must never show one to a viewer without personal-data rights
# (matched literally: element protos also carry random 18-digit numbers, e.g. widget ids)
FULL_IDS = {m[2] for m in MEMBERS if isinstance(m[2], str) and re.fullmatch(r"\d{17}[\dXx]", m[2])}


def _full_ids(text: str) -> list[str]:
    return sorted(i for i in FULL_IDS if i in text)
FULL_NAMES = {m[1] for m in MEMBERS if len(m[1]) >= 2 and not m[1].startswith("=")}


@pytest.fixture()
def db(fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the fixture database (its directory receives the extract log)."""
    copy = tmp_path / "data" / "fupin.duckdb"
    copy.parent.mkdir()
    shutil.copy(fixture_db, copy)
    monkeypatch.setenv("FUPIN_DB", str(copy))
    monkeypatch.delenv("FUPIN_EXTRACT_LOG", raising=False)
    monkeypatch.delenv("FUPIN_LOGIN_LOG", raising=False)
    monkeypatch.setenv("FUPIN_USERS", str(tmp_path / "no-users.yaml"))
    return copy


@pytest.fixture()
def users(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config" / "users.yaml"
    auth.add_user(path, "boss", PASSWORDS["boss"], "leader", display_name="旗领导", rounds=4)
    auth.add_user(path, "wujia", PASSWORDS["wujia"], "township", [OWN], display_name="乌加河镇干部", rounds=4)
    auth.add_user(path, "wujia_pii", PASSWORDS["wujia_pii"], "township", [OWN], pii=True, rounds=4)
    auth.add_user(path, "pii", PASSWORDS["pii"], "pii_viewer", rounds=4)
    auth.add_user(path, "office", PASSWORDS["office"], "county_viewer", display_name="督查组", rounds=4)
    monkeypatch.setenv("FUPIN_USERS", str(path))
    return path


def _login(user: str, password: str | None = None, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    at.text_input(key="auth_username").input(user)
    at.text_input(key="auth_password").input(PASSWORDS.get(user, "") if password is None else password)
    next(b for b in at.button if b.label in ("登录", "Log in")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _goto(at: AppTest, page: str) -> AppTest:
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _walk(node: object):  # noqa: ANN202
    yield node
    for child in getattr(node, "children", {}).values() if isinstance(getattr(node, "children", None), dict) else []:
        yield from _walk(child)


_RANDOM_IDS = re.compile(r'^\s*(?:file_id|id|form_id|page_script_hash|url): "[^"]*"$', re.M)


def _texts(at: AppTest) -> list[str]:
    """Everything the page shows as text: element protos, table cells, chart specs."""
    out: list[str] = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            # without the random hashes Streamlit names widgets and files by: a search for "0124" (the
            # tail of a phone number) once found it in `file_id: "101243c6…"`
            out.append(_RANDOM_IDS.sub("", text_format.MessageToString(proto, as_utf8=True)))
            spec = getattr(proto, "spec", None)
            if isinstance(spec, str) and spec:
                out.append(json.dumps(json.loads(spec), ensure_ascii=False))
    for d in at.dataframe:
        out.extend(str(v) for v in d.value.astype(str).to_numpy().ravel())
        out.extend(str(c) for c in d.value.columns)
    return out


def _visible(body: bytes) -> str:
    """A downloaded file as text, without embedded scripts (Plotly's bundle holds long digit runs). An
    Excel file is read as its parts' XML: its compressed bytes held no cell text to check, and once held
    `H08` by chance."""
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "\n".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    return re.sub(r"<script>.*?</script>", "", body.decode("utf-8", errors="replace"), flags=re.S)


_MANAGERS: list[MediaFileManager] = []


@pytest.fixture(autouse=True)
def _keep_media_managers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Hold the AppTest runtime's media file manager: once a run ends nothing else references it, and
    a garbage collection between the run and the download would take the deferred files with it."""
    original = MediaFileManager.__init__

    def keep(self: MediaFileManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        _MANAGERS.append(self)

    monkeypatch.setattr(MediaFileManager, "__init__", keep)
    yield
    _MANAGERS.clear()


def _download_bytes(button: object) -> bytes:
    """The file a download button serves: its deferred callable, run as the browser's click would."""
    file_id = button.proto.deferred_file_id  # type: ignore[attr-defined]
    if not file_id:
        return b""
    for mgr in [*reversed(_MANAGERS), *(o for o in gc.get_objects() if isinstance(o, MediaFileManager))]:
        entry = mgr._deferred_callables.get(file_id)
        if entry is not None:
            data = entry["callable"]()
            return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    raise AssertionError("deferred download not found")


# --- no users file: the local user, masked, no login --------------------------------------------


def test_without_users_file_no_login(db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert not [w for w in at.text_input if w.key == "auth_username"]
    assert not [b for b in at.button if b.key == "auth_logout"]
    assert at.metric  # the overview is there
    text = "\n".join(_texts(at))
    assert not _full_ids(text)


# --- login ------------------------------------------------------------------------------------


def test_login_form_first_and_nothing_else(users: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["town"] = "德岭山镇"
    at.run()
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    assert at.text_input(key="auth_password").proto.type == 1  # password field
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    assert not at.sidebar.multiselect  # no filters before login
    assert "德岭山镇" not in "\n".join(_texts(at))


def test_login_english(users: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert [w.label for w in at.text_input] == ["User name", "Password"]
    assert any(b.label == "Log in" for b in at.button)


@pytest.fixture(autouse=True)
def _no_failed_logins() -> None:
    """Failed logins are counted per server process (ui.login_throttle): each test starts with none."""
    from ui import login_throttle

    login_throttle.reset()


def test_failed_logins_lock_the_name_across_sessions(users: Path) -> None:
    """The delay after failed logins lived in the session: opening the page again reset it (a probe guessed
    on at 1.3 s a try). Five failures of a name, in five sessions, lock it for 15 minutes, the right
    password too; the lock says so and is logged; another name logs in."""
    from ui import login_throttle

    for _ in range(login_throttle.MAX_FAILURES):
        assert [e.value for e in _login("wujia", "wrong-password").error] == ["用户名或密码不正确。"]
    at = _login("WuJia ", PASSWORDS["wujia"])
    assert [e.value for e in at.error] == ["该用户名登录失败次数过多，已暂停登录 15 分钟。请稍后再试，或联系管理员。"]
    assert "auth_user" not in at.session_state and not at.metric
    assert _login_lines(users)[-1]["result"] == "throttled"
    assert "auth_user" in _login("boss").session_state
    now = login_throttle.time.monotonic()
    assert login_throttle.locked("wujia", now) and not login_throttle.locked("wujia", now + login_throttle.WINDOW)


def test_failed_logins_lock_the_client_address_across_names() -> None:
    """The name's lock let one client try four passwords on each of any number of names, unthrottled (each
    a bcrypt check). MAX_ADDRESS_FAILURES failures from one address, for different names, lock that
    address for any name, the right password too, until WINDOW has passed; another address, and a
    session whose address is not known (no connection, loopback without a proxy), go on by name."""
    from ui import login_throttle
    from ui.login_log import LOCALHOST

    now = 1000.0
    for i in range(login_throttle.MAX_ADDRESS_FAILURES):
        assert login_throttle.locked(f"name{i}", now, address="203.0.113.9") is None
        login_throttle.failed(f"name{i}", now, address="203.0.113.9")
        login_throttle.failed(f"name{i}", now, address=LOCALHOST)
    assert login_throttle.locked("boss", now, address="203.0.113.9") == "address"
    assert login_throttle.locked("boss", now, address="203.0.113.10") is None
    assert login_throttle.locked("boss", now, address=LOCALHOST) is None
    assert login_throttle.locked("boss", now) is None
    assert login_throttle.locked("name0", now, address="203.0.113.9") == "address"
    assert login_throttle.locked("boss", now + login_throttle.WINDOW, address="203.0.113.9") is None
    for _ in range(login_throttle.MAX_FAILURES):
        login_throttle.failed("wujia", now, address="198.51.100.1")
    assert login_throttle.locked("wujia", now, address="198.51.100.2") == "name"


@pytest.mark.parametrize(("user", "password"), [("wujia", "wrong-password"), ("nobody", "wujia-pass-1"),
                                                 ("wujia", ""), ("wujia", "x" * 100)])
def test_login_failure_says_so_without_saying_why(users: Path, user: str, password: str) -> None:
    at = _login(user, password)
    assert [e.value for e in at.error] == ["用户名或密码不正确。"]
    assert not at.metric and not at.dataframe
    assert "auth_user" not in at.session_state
    assert "viewer" not in at.session_state


def test_login_success_sidebar_and_logout(users: Path) -> None:
    at = _login("wujia")
    assert at.metric
    sidebar = [t.value for t in at.sidebar.text]
    assert "当前用户：乌加河镇干部（wujia，乡镇工作人员）" in sidebar
    assert "可查看：乌加河镇 · 个人信息脱敏" in sidebar
    assert not any("password" in k or "auth_password" == k for k in at.query_params)
    assert set(at.query_params) <= {"town", "village", "cause", "attr", "status", "mon", "idy", "exy", "lang", "asof"}
    at.button(key="auth_logout").click().run()
    assert not at.exception
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    assert not at.metric
    assert "auth_user" not in at.session_state


def test_removed_user_is_logged_out_and_role_change_applies(users: Path) -> None:
    at = _login("boss")
    assert at.sidebar.multiselect(key="flt_townships").options == ["乌加河镇", "德岭山镇", "呼勒斯太苏木"]
    auth.add_user(users, "boss", PASSWORDS["boss"], "township", ["德岭山镇"], replace=True, rounds=4)
    at.run()
    assert at.sidebar.multiselect(key="flt_townships").options == ["德岭山镇"]
    auth.remove_user(users, "boss")
    at.run()
    assert not at.metric
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    assert [(r["user"], r["result"]) for r in _login_lines(users)] == [("boss", "ok"), ("boss", "removed")]


def test_invalid_users_file_locks_the_app(users: Path) -> None:
    users.write_text("users:\n  boss: {role: leader, townships: [乌加河镇], password_hash: x}\n", encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert any("用户配置文件无法使用" in e.value for e in at.error)
    assert not at.text_input and not at.metric


def test_page_file_run_directly_shows_nothing_without_login(users: Path) -> None:
    """Streamlit's legacy pages/ handling can run a page file without dashboard.py on a fresh server."""
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
        at.run()
        assert not at.exception, (page, [e.message for e in at.exception])
        assert not at.dataframe and not at.metric and not at.get("plotly_chart"), page
        assert not at.get("download_button"), page


# --- township scope on every page (and through the URL) ---------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_township_user_sees_only_own_township(users: Path, page: str) -> None:
    at = _goto(_login("wujia", params={"town": "德岭山镇", "hh": "H05"}), page)
    assert at.sidebar.multiselect(key="flt_townships").options == [OWN]
    assert at.sidebar.multiselect(key="flt_townships").value == []
    assert at.query_params.get("town") in (None, [], "")
    text = "\n".join(_texts(at))
    for town in OTHER_TOWNS:
        assert town not in text, (page, town)
    found = set(re.findall(r"\bH\d\d\b", text))
    assert not (found & OTHER_HH), (page, found & OTHER_HH)
    assert not _full_ids(text), page
    assert not [n for n in FULL_NAMES if n in text], page
    if page == "data_admin":
        assert "下载记录" not in [s.value for s in at.subheader]  # the extract log is for leaders
        assert "登录记录" not in [s.value for s in at.subheader]  # and so is the login log
        assert any("insp.data.restricted" not in i.value for i in at.info)  # no upload for township staff
        assert not at.get("file_uploader")
    for button in at.get("download_button"):
        body = _visible(_download_bytes(button))
        for town in OTHER_TOWNS:
            assert town not in body, (page, button.label, town)
        assert not (set(re.findall(r"\bH\d\d\b", body)) & OTHER_HH), (page, button.label)
        assert not _full_ids(body), (page, button.label)


def test_township_user_url_with_only_other_township(users: Path) -> None:
    at = _login("wujia", params={"town": "德岭山镇", "village": "兴丰村"})
    assert at.sidebar.multiselect(key="flt_townships").value == []
    # the link's places are said to be ignored, without naming another township's
    assert [w.value for w in at.warning] == [
        "链接中的筛选值无法识别，已忽略：乡镇（苏木）（不在查看范围内或不存在）、行政村（嘎查）（不在查看范围内或不存在）。"
        "页面按其余筛选条件显示。"]
    assert at.sidebar.multiselect(key="flt_villages").value == []
    m = {x.label: x.value for x in at.metric}
    assert m["建档立卡户"] == f"{sum(1 for h in HOUSEHOLDS if h[1] == OWN and h[15])}户"


def test_leader_sees_every_township_and_the_extract_log(users: Path) -> None:
    at = _login("boss", params={"town": "德岭山镇"})
    assert at.sidebar.multiselect(key="flt_townships").value == ["德岭山镇"]
    at = _goto(at, "data_admin")
    assert "下载记录" in [s.value for s in at.subheader]


def test_a_county_viewer_sees_every_township_but_may_not_upload(users: Path) -> None:
    """Every county-wide user could upload: an inspection team's or an office's account changed the data
    it was given to look at. county_viewer sees the whole county as a leader does, masked, and the data
    page says its account may only view, with no upload form (the server refuses its files too:
    tests/e2e/test_upload_guard.py)."""
    from labels import t

    at = _login("office", params={"town": "德岭山镇"})
    assert at.sidebar.multiselect(key="flt_townships").value == ["德岭山镇"]
    assert sorted(at.sidebar.multiselect(key="flt_townships").options) == sorted({h[1] for h in HOUSEHOLDS})
    assert not _full_ids("\n".join(_texts(at)))
    at = _goto(at, "data_admin")
    assert t("insp.data.restricted", "zh") in [i.value for i in at.info]
    assert not at.get("file_uploader")
    assert "下载记录" in [s.value for s in at.subheader]
    boss = _goto(_login("boss"), "data_admin")
    assert boss.get("file_uploader") and t("insp.data.restricted", "zh") not in [i.value for i in boss.info]


def test_a_county_viewer_is_given_no_township(tmp_path: Path) -> None:
    with pytest.raises(auth.AuthConfigError):
        auth.add_user(tmp_path / "u.yaml", "office", "office-pass-1", "county_viewer", ["乌加河镇"], rounds=4)
    assert not (tmp_path / "u.yaml").exists()


def test_the_download_log_names_each_download_in_the_reader_s_language(users: Path) -> None:
    """A download made in English was logged as causes_households (its file name's stem) and showed so
    in the Chinese log, and a Chinese one the other way round."""
    from queries.filters import Filters, Viewer
    from ui import extract_log

    for what in ("causes_households", "致贫原因_农户名单_监测对象"):
        extract_log.append(extract_log.entry(
            user="boss", display_name="旗领导", role="leader", viewer=Viewer(), page="causes", what=what, fmt="csv",
            file_name=f"{what}.csv", flt=Filters(), rows=3, snapshot=None))
    at = _goto(_login("boss"), "data_admin")
    shown = [v for df in at.dataframe for v in (df.value["内容"] if "内容" in df.value.columns else [])]
    assert shown[:2] == ["致贫原因 农户名单 监测对象 (csv)", "致贫原因 农户名单 (csv)"], shown


# --- login log ------------------------------------------------------------------------------------


def _login_lines(users: Path) -> list[dict[str, object]]:
    """The login log beside the test's database (users.yaml is in tmp/config, the database in tmp/data)."""
    log = users.parent.parent / "data" / "login_log.jsonl"
    return [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def test_login_log_failed_ok_reruns_and_logout(users: Path) -> None:
    log = users.parent.parent / "data" / "login_log.jsonl"
    at = _login("wujia", "wrong-secret-123")
    assert [(r["user"], r["method"], r["result"]) for r in _login_lines(users)] == [("wujia", "password", "failed")]
    at.run()
    assert len(_login_lines(users)) == 1  # a rerun of the login page logs nothing
    at.text_input(key="auth_username").input("wujia")
    at.text_input(key="auth_password").input(PASSWORDS["wujia"])
    next(b for b in at.button if b.label == "登录").click().run()
    assert at.metric
    lines = _login_lines(users)
    assert [(r["user"], r["display_name"], r["method"], r["result"]) for r in lines[1:]] == [
        ("wujia", "乌加河镇干部", "password", "ok")]
    for _ in range(2):
        at.run()
    _goto(at, "causes")
    at.sidebar.multiselect(key="flt_townships").select(OWN).run()
    assert len(_login_lines(users)) == 2  # reruns, another page, a filter: nothing more
    at.button(key="auth_logout").click().run()
    at.run()
    lines = _login_lines(users)
    assert [(r["user"], r["method"], r["result"]) for r in lines[2:]] == [("wujia", "password", "logout")]
    assert all(set(r) == {"ts", "user", "display_name", "method", "result", "address"} for r in lines)
    assert all(r["address"] is None for r in lines)  # AppTest has no browser connection
    text = log.read_text(encoding="utf-8")
    assert "wrong-secret" not in text and PASSWORDS["wujia"] not in text and "$2b$" not in text


def test_login_log_keeps_no_name_of_no_user(users: Path) -> None:
    """A password typed into the name field (a privacy probe found one in the log every county user
    reads) or any other name of no user: the log says an unknown name was tried, not what was typed."""
    _login("Town#2024pw", "")
    _login("bad\x00\x1b[31m\u202ename" + "y" * 40, "wrong-secret-456")  # the form takes 64 characters
    lines = _login_lines(users)
    assert [(r["user"], r["result"], r["method"]) for r in lines] == [("?", "failed", "password")] * 2
    assert "Town#2024pw" not in json.dumps(lines) and "wrong-secret" not in json.dumps(lines)


def test_login_log_on_the_data_page_newest_first(users: Path) -> None:
    _login("nobody", "wrong-secret-789")
    at = _goto(_login("boss"), "data_admin")
    assert "登录记录" in [s.value for s in at.subheader]
    log_table = next(d.value for d in at.dataframe if "结果" in d.value.columns)
    assert list(log_table.columns) == ["时间", "用户", "方式", "结果", "地址"]
    assert log_table[["用户", "方式", "结果"]].values.tolist() == [
        ["旗领导 (boss)", "用户名和密码", "登录成功"], ["（不存在的用户名，未记录所填内容）", "用户名和密码", "用户名或密码不正确"]]
    at = _goto(_login("wujia"), "data_admin")  # a township user: no login log
    assert "登录记录" not in [s.value for s in at.subheader]
    assert not [d for d in at.dataframe if "结果" in d.value.columns]


# --- personal data: masked unless the viewer may see it, on screen and in extracts ----------------


def _health_downloads(at: AppTest) -> str:
    return "\n".join(_download_bytes(b).decode("utf-8", errors="replace") for b in at.get("download_button")
                     if b.label in ("下载 CSV",))


def test_masked_user_never_sees_full_ids_or_names_in_extracts(users: Path) -> None:
    for page in ("health", "visits", "quality", "exit_status"):
        at = _goto(_login("boss"), page)
        text = "\n".join(_texts(at)) + _health_downloads(at)
        assert not _full_ids(text), page
        assert not [n for n in FULL_NAMES if n in text], page
    at = _goto(_login("boss"), "health")
    assert "150824********1111" in _health_downloads(at)  # 郑强's ID, masked


@pytest.mark.parametrize("user", ["wujia_pii", "pii"])
def test_pii_user_sees_full_ids_and_names(users: Path, user: str) -> None:
    at = _goto(_login(user), "health")
    body = _health_downloads(at)
    assert "150824194001013456" in body  # 王秀英 (H02, 乌加河镇), unmasked
    assert "王秀英" in body
    if user == "wujia_pii":
        assert "150824196801011111" not in body  # 郑强 of 德岭山镇 stays out of scope


# --- extract log ---------------------------------------------------------------------------------


def test_extract_log_line_per_download(users: Path, db: Path) -> None:
    log = db.parent / "extract_log.jsonl"
    at = _goto(_login("wujia", params={"cause": "因病"}), "causes")
    buttons = at.get("download_button")
    assert buttons
    assert not log.exists()
    buttons[0].click().run()
    assert not at.exception
    lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1
    rec = lines[0]
    assert rec["user"] == "wujia" and rec["role"] == "township" and rec["scope"] == [OWN]
    assert rec["pii"] is False and rec["page"] == "poverty-causes" and rec["format"] == "csv"
    assert rec["filter"] == {"cause": ["因病"]}
    assert rec["rows"] >= 1 and rec["ts"] and rec["file_name"].endswith(".csv")
    assert OWN in rec["file_name"]  # the file name names the user's township, not the whole banner
    # the leader sees it on the data page
    at = _goto(_login("boss"), "data_admin")
    log_table = next(d.value for d in at.dataframe if "行数" in d.value.columns and "用户" in d.value.columns)
    assert len(log_table) == 1 and "wujia" in log_table.iloc[0]["用户"]
    # its time on the county's clock as the load records show it (the server's zone put downloads before
    # the load they followed), its page by name
    assert rec["ts"].endswith("+08:00")
    shown = log_table.iloc[0]
    assert shown.iloc[0] == rec["ts"][:19].replace("T", " ") and "致贫原因" in list(shown)
    assert "主要致贫原因：因病" in list(shown)  # the filter as a reader reads it, not cause=因病


def _button(at: AppTest, prefix: str):  # noqa: ANN202
    return next(b for b in at.get("download_button") if b.proto.label.startswith(prefix))


def test_extract_log_briefing_and_profiles(users: Path, db: Path) -> None:
    log = db.parent / "extract_log.jsonl"
    at = _goto(_login("wujia"), "briefing")
    at.button(key="brief_go").click().run()
    brief = _button(at, "下载简报")
    html = re.sub(r"<script>.*?</script>", "", at.session_state["brief_html"][-1], flags=re.S)
    assert "H01" in html and not (set(re.findall(r"\bH\d\d\b", html)) & OTHER_HH)
    assert "德岭山镇" not in html and "呼勒斯太苏木" not in html and OWN in html
    brief.click().run()
    assert not at.exception
    rec = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    assert rec["format"] == "html" and rec["page"] == "township-briefing" and rec["user"] == "wujia"
    assert rec["rows"] >= 1
    at = _goto(at, "visits")
    many = _button(at, "下载名单中前")
    body = _visible(_download_bytes(many))
    assert "H03" in body and not (set(re.findall(r"\bH\d\d\b", body)) & OTHER_HH)
    assert not _full_ids(body) and not [n for n in FULL_NAMES if n in body]
    many.click().run()
    rec = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    assert rec["format"] == "html" and rec["page"] == "visit-planner" and rec["rows"] >= 1
    one = _button(at, "下载该户简介")
    one.click().run()
    rec = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    assert rec["rows"] == 1 and rec["what"].startswith("家庭情况简介") or rec["rows"] == 1
    assert len(log.read_text(encoding="utf-8").splitlines()) == 3


def test_local_user_downloads_are_logged(db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.get("download_button")[0].click().run()
    rec = json.loads((db.parent / "extract_log.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert rec["user"] == "local" and rec["scope"] is None and rec["page"] == "home"


# --- command line ---------------------------------------------------------------------------------


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ui.auth", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_cli_add_list_remove(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    proc = _cli("add-user", "zhao", "--role", "township", "--township", OWN, "--pii", "--display-name", "赵",
                "--file", str(path), stdin="secret-pass-1\n")
    assert proc.returncode == 0, proc.stderr
    text = path.read_text(encoding="utf-8")
    assert "secret-pass-1" not in text and "$2b$" in text
    assert path.stat().st_mode & 0o077 == 0
    doc = yaml.safe_load(text)["users"]["zhao"]
    assert doc["role"] == "township" and doc["townships"] == [OWN] and doc["pii"] is True
    assert auth.authenticate("zhao", "secret-pass-1", path) == auth.User("zhao", "赵", "township", (OWN,), True)
    assert auth.authenticate("zhao", "secret-pass-2", path) is None
    assert _cli("add-user", "zhao", "--role", "leader", "--file", str(path), stdin="another-pass\n").returncode == 2
    assert _cli("add-user", "li", "--role", "township", "--file", str(path), stdin="another-pass\n").returncode == 2
    assert _cli("add-user", "li", "--role", "leader", "--file", str(path), stdin="short\n").returncode == 2
    assert _cli("add-user", "li", "--role", "leader", "--file", str(path), stdin="another-pass\n").returncode == 0
    listed = _cli("list-users", "--file", str(path))
    assert "zhao" in listed.stdout and "li" in listed.stdout and "$2b$" not in listed.stdout
    assert _cli("remove-user", "zhao", "--file", str(path)).returncode == 0
    assert set(auth.load_users(path)) == {"li"}
    hashed = _cli("hash-password", stdin="printed-pass\n").stdout.strip()
    assert hashed.startswith("$2b$12$")


def test_cli_writes_townships_as_the_data_does_and_says_when_the_data_has_none(db: Path, tmp_path: Path) -> None:
    """A privacy probe added 不存在镇 and "乌加河 镇" without a word: both users saw an empty dashboard.
    A township is written as the loader writes places (no inner spaces); one the data has no household
    of is still saved (users may come before the data) but the command says so. A pii_viewer's entry
    says pii: true, as the role grants (it said false)."""
    path = tmp_path / "u.yaml"
    env = {**os.environ, "FUPIN_DB": str(db)}

    def add(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ui.auth", "add-user", *args, "--file", str(path)], cwd=ROOT,
                              input="secret-pass-1\n", capture_output=True, text=True, env=env, timeout=60)
    spaced = add("wu", "--role", "township", "--township", "乌加河 镇")
    assert spaced.returncode == 0 and "注意" not in spaced.stderr, spaced.stderr
    missing = add("no", "--role", "township", "--township", "不存在镇")
    assert missing.returncode == 0 and "当前数据中没有乡镇「不存在镇」的户" in missing.stderr, missing.stderr
    assert add("au", "--role", "pii_viewer").returncode == 0
    users = yaml.safe_load(path.read_text(encoding="utf-8"))["users"]
    assert users["wu"]["townships"] == [OWN] and users["no"]["townships"] == ["不存在镇"]
    assert users["au"]["pii"] is True and auth.load_users(path)["au"].pii


# --- the command line in the user's language (as python -m etl: etl.cli_parser) -------------------


def _users_cli(*args: str, lang: str | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m ui.auth ARGS` with FUPIN_LANG unset (or `lang`), in an 80-column terminal."""
    env = {k: v for k, v in os.environ.items() if k != "FUPIN_LANG"} | {"COLUMNS": "80"}
    if lang is not None:
        env["FUPIN_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "ui.auth", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, env=env, timeout=60)


def _typed(*args: str, answers: list[tuple[str, str]], lang: str | None = None) -> tuple[int, str, str]:
    """`python -m ui.auth ARGS` at a terminal (a pseudo-terminal as stdin, no controlling terminal, so
    getpass prompts on stderr): waits for each prompt, then types its answer. (exit code, stdout, stderr)"""
    env = {k: v for k, v in os.environ.items() if k != "FUPIN_LANG"}
    if lang is not None:
        env["FUPIN_LANG"] = lang
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "ui.auth", *args], cwd=ROOT, stdin=slave, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, start_new_session=True)
    os.close(slave)
    err, seen = b"", 0
    try:
        for prompt, answer in answers:
            while (at := err.find(prompt.encode(), seen)) < 0:  # the next prompt is after this one
                ready, _, _ = select.select([proc.stderr], [], [], 30)
                chunk = os.read(proc.stderr.fileno(), 4096) if ready else b""  # type: ignore[union-attr]
                assert chunk, (prompt, err.decode())
                err += chunk
            seen = at + len(prompt.encode())
            os.write(master, answer.encode() + b"\n")
        out, rest = proc.communicate(timeout=60)
    finally:
        proc.kill()
        os.close(master)
    return proc.returncode, out.decode(), (err + rest).decode()


def _no_argparse_english(text: str) -> None:
    for phrase in ARGPARSE_ENGLISH:
        assert phrase not in text, (phrase, text)


def _columns(text: str) -> int:
    return max(display_width(line) for line in text.splitlines())


def test_users_cli_usage_errors_are_chinese(tmp_path: Path) -> None:
    path = str(tmp_path / "users.yaml")
    p = _users_cli("add-user", "li", "--role", "boss", "--file", path)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.startswith("用法：python -m ui.auth add-user"), p.stderr
    assert ("python -m ui.auth add-user：错误：参数 --role：无效的选择 'boss'（可选：'leader', 'township', "
            "'pii_viewer', 'county_viewer'）") in p.stderr, p.stderr
    _no_argparse_english(p.stderr)
    p = _users_cli("add-user", "--file", path)
    assert p.returncode == 2 and "python -m ui.auth add-user：错误：缺少必需的参数：用户名、--role" in p.stderr, p.stderr
    _no_argparse_english(p.stderr)
    for args, error in [((), "缺少必需的参数：命令"), (("add-usr",), "参数 命令：无效的选择 'add-usr'"),
                        (("list-users", "--bogus"), "无法识别的参数：--bogus"),
                        (("remove-user", "li", "--file"), "参数 --file：需要一个值")]:
        p = _users_cli(*args)
        assert p.returncode == 2 and error in p.stderr and p.stderr.startswith("用法："), (args, p.stderr)
        _no_argparse_english(p.stderr)
    assert not Path(path).exists()


def test_users_cli_help_is_chinese() -> None:
    p = _users_cli("--help")
    assert p.returncode == 0 and p.stderr == ""
    assert p.stdout.startswith("用法：python -m ui.auth"), p.stdout
    for text in ("命令：", "选项：", "显示本帮助并退出", "用户文件", "提示语言", "添加用户", "删除用户", "列出用户",
                 "bcrypt 哈希"):
        assert text in p.stdout, (text, p.stdout)
    _no_argparse_english(p.stdout)
    p = _users_cli("add-user", "--help")
    assert p.returncode == 0 and p.stdout.startswith("用法：python -m ui.auth add-user"), p.stdout
    for text in ("位置参数：", "选项：", "用户名", "角色", "旗级领导", "乡镇（可重复）", "未脱敏", "--replace", "统一身份认证"):
        assert text in p.stdout, (text, p.stdout)
    _no_argparse_english(p.stdout)
    for args in (["--help"], ["add-user", "--help"], ["remove-user", "--help"], ["list-users", "--help"],
                 ["hash-password", "--help"]):
        p = _users_cli(*args)
        assert p.returncode == 0 and _columns(p.stdout) <= 80, (args, p.stdout)


@pytest.mark.parametrize("how", ["option", "environment"])
def test_users_cli_in_english(tmp_path: Path, how: str) -> None:
    def en(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return _users_cli("--lang", "en", *args, stdin=stdin) if how == "option" else _users_cli(*args, lang="en",
                                                                                                  stdin=stdin)

    path = str(tmp_path / "users.yaml")
    p = en("add-user", "li", "--role", "boss", "--file", path)
    assert p.returncode == 2 and p.stderr.startswith("usage: python -m ui.auth add-user"), p.stderr
    assert "python -m ui.auth add-user: error: argument --role: invalid choice: 'boss'" in p.stderr, p.stderr
    p = en("add-user", "--file", path)
    assert "the following arguments are required: NAME, --role" in p.stderr, p.stderr
    english_help(en("add-user", "--help"), "python -m ui.auth add-user",
                 ("positional arguments:", "options:", "show this help message and exit", "repeatable"),
                 en("--help").stdout)
    assert en("add-user", "li", "--role", "leader", "--file", path, stdin="a-long-pass\n").returncode == 0
    p = en("add-user", "li", "--role", "leader", "--file", path, stdin="a-long-pass\n")
    assert p.returncode == 2 and p.stderr == "error: user li exists (use --replace to change it)\n", p.stderr
    p = en("remove-user", "li", "--file", path)
    assert p.returncode == 0 and p.stdout.startswith("removed li from "), p.stdout


def test_users_cli_messages_are_chinese(tmp_path: Path) -> None:
    path = str(tmp_path / "users.yaml")
    p = _users_cli("add-user", "zhao", "--role", "township", "--township", OWN, "--file", path, stdin="a-long-pass\n")
    assert p.returncode == 0 and p.stdout.startswith("已保存用户 zhao"), p.stdout
    assert "乡镇工作人员" in p.stdout and OWN in p.stdout
    p = _users_cli("add-user", "zhao", "--role", "leader", "--file", path, stdin="a-long-pass\n")
    assert p.returncode == 2 and p.stderr == "错误：用户 zhao 已存在（要修改请加 --replace）\n", p.stderr
    p = _users_cli("add-user", "li", "--role", "leader", "--file", path, stdin="short\n")
    assert p.returncode == 2 and p.stderr == "错误：密码至少需要 8 个字符\n", p.stderr
    p = _users_cli("add-user", "li", "--role", "township", "--file", path, stdin="a-long-pass\n")
    assert p.returncode == 2 and p.stderr == "错误：li：角色 township 至少要指定一个乡镇\n", p.stderr
    p = _users_cli("remove-user", "nobody", "--file", path)
    assert p.returncode == 2 and p.stderr == "错误：没有用户 nobody\n", p.stderr
    p = _users_cli("list-users", "--file", str(tmp_path / "none.yaml"))
    assert p.returncode == 2 and p.stderr.startswith("错误：无法使用 ") and "路径不存在" in p.stderr, p.stderr
    p = _users_cli("list-users", "--file", path)
    assert p.returncode == 0 and p.stdout == f"zhao\tzhao\ttownship\t{OWN} · 个人信息脱敏\n", p.stdout
    p = _users_cli("remove-user", "zhao", "--file", path)
    assert p.returncode == 0 and p.stdout == f"已从 {path} 删除用户 zhao\n", p.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_users_cli_password_prompts(tmp_path: Path, lang: str) -> None:
    first, again, differ = {"zh": ("密码：", "再次输入密码：", "错误：两次输入的密码不一致"),
                            "en": ("Password: ", "Repeat the password: ", "error: the passwords differ")}[lang]
    path = str(tmp_path / "users.yaml")
    code, out, err = _typed("add-user", "li", "--role", "leader", "--file", path,
                            answers=[(first, "a-long-pass"), (again, "another-pass")], lang=lang)
    assert code == 2 and differ in err and out == "", err
    assert not Path(path).exists()
    code, out, err = _typed("add-user", "li", "--role", "leader", "--file", path,
                            answers=[(first, "a-long-pass"), (again, "a-long-pass")], lang=lang)
    assert code == 0, err
    assert auth.authenticate("li", "a-long-pass", Path(path)) is not None


def test_every_users_error_names_a_label() -> None:
    """The users file's and the command line's errors are label keys (ui.auth.AuthConfigError and
    PasswordError): their text in either language, str() in English for the server's log."""
    from labels import LABELS

    keys = []
    for node in ast.walk(ast.parse((ROOT / "ui" / "auth.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("AuthConfigError", "PasswordError"):
            assert node.args and isinstance(node.args[0], ast.Constant), ast.unparse(node)
            keys.append(node.args[0].value)
    assert len(keys) >= 15 and not [k for k in keys if k not in LABELS], keys
    e = auth.AuthConfigError("auth.error.exists", name="li")
    assert str(e) == "user li exists (use --replace to change it)" and e.text("zh") == "用户 li 已存在（要修改请加 --replace）"


@pytest.mark.parametrize("entry", [
    {"role": "boss", "password_hash": "$2b$04$" + "x" * 53},
    {"role": "township", "password_hash": "$2b$04$" + "x" * 53},
    {"role": "leader", "townships": ["乌加河镇"], "password_hash": "$2b$04$" + "x" * 53},
    {"role": "leader", "password_hash": "plain-text"},
    {"role": "leader", "pii": "yes", "password_hash": "$2b$04$" + "x" * 53},
])
def test_invalid_entries_rejected(tmp_path: Path, entry: dict[str, object]) -> None:
    path = tmp_path / "users.yaml"
    path.write_text(yaml.safe_dump({"users": {"u": entry}}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(auth.AuthConfigError):
        auth.load_users(path)


def test_township_data_page_does_not_say_there_are_no_rejected_rows(users: Path, db: Path) -> None:
    """Probe D §10: a township user read "拒收行 0 行" and "没有被拒收的行。" while the county had rejected rows
    (which cannot be placed in a township and are shown to county-wide users only): say that instead."""
    import duckdb

    from labels import t

    with duckdb.connect(str(db)) as con:  # a row the 走访 file of batch 1 had without a 户编号
        con.execute("""INSERT INTO rejected_rows SELECT batch_id, file_name, 7, 'no_household_id', 'household_id',
                       '{"户编号": "", "走访日期": "2020-06-01"}' FROM load_batches ORDER BY batch_id LIMIT 1""")
    at = _goto(_login("wujia"), "data_admin")
    text = "\n".join(_texts(at))
    assert t("insp.data.rejected_none", "zh") not in text
    assert "拒收行 0 行" not in text
    assert t("insp.data.rejected_scope", "zh") in text
    boss = _goto(_login("boss"), "data_admin")
    assert t("insp.data.rejected_scope", "zh") not in "\n".join(_texts(boss))


def test_a_one_township_user_is_not_asked_to_choose_a_township_for_the_visit_list(users: Path) -> None:
    """乌加河镇's user opened 入户走访 on the list of their township and read 在左侧选择乡镇或村，得到该地的走访
    名单, where the only township to choose is theirs (every other page treats one township in view as
    chosen: queries.filters.area_level). A leader without a place chosen is still asked."""
    from labels import t

    ask = t("insp.visits.choose_area")
    assert ask not in [i.value for i in _goto(_login("wujia"), "visits").info]
    assert ask in [i.value for i in _goto(_login("boss"), "visits").info]


def test_a_one_township_user_has_no_back_to_the_banner_button(users: Path) -> None:
    """The overview of 乌加河镇's user (by village, as one township in view is) offered 返回全旗, which
    cleared a filter they had not set and left the page as it was. A leader who drilled in keeps it."""
    from labels import t

    back = t("common.back_to_county")
    assert back not in [b.label for b in _login("wujia").button]
    assert back in [b.label for b in _login("boss", params={"town": OWN}).button]


def test_the_server_s_path_is_said_to_who_manages_the_data_not_to_a_township(users: Path, db: Path) -> None:
    """A database held open by another program: every viewer read the server's path and the holder's
    process id (the in-use message is the command line's). A township's user reads that the data cannot
    be read now and whom to tell; a county-wide user, who manages the loads, reads the path and the pid."""
    from labels import t
    from tests.conftest import held_open

    with held_open(db) as pid:
        township = _login("wujia")
        leader = _login("boss")
        office = _login("office")
    said = [e.value for e in township.error]
    assert said == [t("app.db_unavailable", "zh")], said
    assert str(pid) not in said[0] and "/" not in said[0]
    # the read-only county role, county-wide, is not told the path either, nor that county-wide accounts see it
    assert [e.value for e in office.error] == said
    for lang in ("zh", "en"):
        assert not any(w in t("app.db_unavailable", lang) for w in ("全旗账号", "county-wide")), lang
    assert [e.value for e in leader.error] == [t("cli.db_in_use", "zh", pid=pid, path=db)], leader.error
