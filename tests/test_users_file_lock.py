"""The users file locks the app on any doubt (issue 14 §2).

A users path that is a dangling symbolic link, a link loop, unreadable, not a regular file, or a file
that repeats a key (at any level) must never open the app without login: `ui.auth.enabled()` is True,
`load_users` refuses it, and the dashboard (real AppTest) shows only the lock message.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import auth

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
HASH = "$2b$04$" + "x" * 53
LOCKED = "用户配置文件无法使用"
GOOD_ENTRY = f"    role: leader\n    password_hash: '{HASH}'\n"


def _dangling(d: Path) -> Path:
    (d / "users.yaml").symlink_to(d / "gone.yaml")
    return d / "users.yaml"


def _loop(d: Path) -> Path:
    (d / "a.yaml").symlink_to(d / "users.yaml")
    (d / "users.yaml").symlink_to(d / "a.yaml")
    return d / "users.yaml"


def _self_loop(d: Path) -> Path:
    (d / "users.yaml").symlink_to("users.yaml")
    return d / "users.yaml"


def _directory(d: Path) -> Path:
    (d / "users.yaml").mkdir()
    return d / "users.yaml"


def _fifo(d: Path) -> Path:
    os.mkfifo(d / "users.yaml")  # reading it would block forever: it must be refused unread
    return d / "users.yaml"


def _device(d: Path) -> Path:
    (d / "users.yaml").symlink_to("/dev/null")
    return d / "users.yaml"


def _link_to_directory(d: Path) -> Path:
    (d / "users.yaml").symlink_to(d)
    return d / "users.yaml"


def _write(text: str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        (d / "users.yaml").write_text(text, encoding="utf-8")
        return d / "users.yaml"
    return make


DUPLICATES = {
    # the case: a township user listed again as a leader, who would see every township
    "user": f"users:\n  zhao:\n    role: township\n    townships: [乌加河镇]\n    password_hash: '{HASH}'\n"
            f"  zhao:\n{GOOD_ENTRY}",
    "top": f"users:\n  a:\n{GOOD_ENTRY}users:\n  b:\n{GOOD_ENTRY}",
    "field": f"users:\n  zhao:\n    role: township\n    townships: [乌加河镇]\n    pii: false\n    pii: true\n"
             f"    password_hash: '{HASH}'\n",
    "flow": f"users: {{a: {{role: leader, role: leader, password_hash: '{HASH}'}}}}\n",
    "sso": f"users:\n  a:\n{GOOD_ENTRY}    sso: {{email: a@x.cn, email: b@x.cn}}\n",
}

CASES: dict[str, Callable[[Path], Path]] = {
    "dangling symlink": _dangling,
    "symlink loop": _loop,
    "symlink to itself": _self_loop,
    "directory": _directory,
    "fifo": _fifo,
    "device": _device,
    "symlink to a directory": _link_to_directory,
    **{f"duplicate key ({k})": _write(v) for k, v in DUPLICATES.items()},
}


@pytest.fixture()
def folder() -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="fupin-users-"))
    d.chmod(0o755)  # reachable by an unprivileged user (the unreadable case)
    try:
        yield d
    finally:
        for p in sorted(d.rglob("*"), reverse=True):
            if p.is_dir() and not p.is_symlink():
                p.rmdir()
            else:
                p.unlink()
        d.rmdir()


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_unusable_users_path_is_refused(folder: Path, make: Callable[[Path], Path]) -> None:
    path = make(folder)
    assert auth.enabled(path), "login must stay required"
    with pytest.raises(auth.AuthConfigError):
        auth.load_users(path)


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_unusable_users_path_locks_the_app(folder: Path, make: Callable[[Path], Path], fixture_db: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_DB", str(fixture_db))
    monkeypatch.setenv("FUPIN_USERS", str(make(folder)))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(LOCKED in e.value for e in at.error), [e.value for e in at.error]
    assert not at.text_input and not at.metric and not at.dataframe and not at.get("plotly_chart")


def test_the_same_file_without_the_duplicate_loads(folder: Path) -> None:
    """The duplicate-key cases fail for the duplicate, not for something else in them."""
    path = _write(f"users:\n  zhao:\n    role: township\n    townships: [乌加河镇]\n    password_hash: '{HASH}'\n")(folder)
    assert auth.load_users(path)["zhao"].townships == ("乌加河镇",)
    link = folder / "link.yaml"
    link.symlink_to(path)  # a symlink to a good file is fine
    assert auth.load_users(link)["zhao"].role == "township"


def test_a_missing_file_turns_login_off(folder: Path) -> None:
    assert not auth.enabled(folder / "no-such.yaml")


def _unprivileged(fn: Callable[[], object]) -> object:
    """Run `fn` in a child process that has dropped root (uid/gid 65534), so that file permissions
    apply as they do to the dashboard's service account; its result (or exception) comes back pickled."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            try:
                out: object = ("ok", fn())
            except Exception as e:  # noqa: BLE001 (sent back to the parent)
                out = ("error", e)
            os.write(w, pickle.dumps(out))
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0 and data, "the unprivileged child failed"
    return pickle.loads(data)  # noqa: S301 (our own child's answer)


def test_unreadable_users_file_is_refused(folder: Path) -> None:
    path = _write(f"users:\n  a:\n{GOOD_ENTRY}")(folder)
    path.chmod(0o000)

    def probe() -> object:
        return (auth.enabled(path), auth.load_users(path))

    result = _unprivileged(probe) if os.geteuid() == 0 else _in_process(probe)
    kind, value = result  # type: ignore[misc]
    assert kind == "error" and isinstance(value, auth.AuthConfigError), result
    assert "Permission denied" in str(value)
    if os.geteuid() == 0:  # and the enabled() half, separately (load_users raised first)
        kind, value = _unprivileged(lambda: auth.enabled(path))  # type: ignore[misc]
        assert (kind, value) == ("ok", True)


def test_unreachable_users_file_keeps_login_required(folder: Path) -> None:
    """A users file in a folder the service may not enter: there may be a file; login stays on."""
    inner = folder / "config"
    inner.mkdir()
    path = _write(f"users:\n  a:\n{GOOD_ENTRY}")(inner)
    inner.chmod(0o700 if os.geteuid() == 0 else 0o000)

    def probe() -> object:
        enabled = auth.enabled(path)
        try:
            auth.load_users(path)
        except auth.AuthConfigError:
            return (enabled, "refused")
        return (enabled, "loaded")

    result = _unprivileged(probe) if os.geteuid() == 0 else _in_process(probe)
    inner.chmod(0o755)
    assert result == ("ok", (True, "refused")), result


def _in_process(fn: Callable[[], object]) -> object:
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001
        return ("error", e)


@pytest.mark.parametrize(("text", "zh", "en"), [
    (DUPLICATES["user"], "第 6 行的 zhao 在同一处已写过一次", "zhao on line 6 is written twice"),
    ("users: [\n", "第 2 行第 1 列附近不是有效的 YAML 格式", "not valid YAML near line 2, column 1 (expected the node"),
], ids=["duplicate", "broken"])
def test_a_users_file_that_is_not_valid_yaml_is_said_in_the_user_s_language(folder: Path, text: str, zh: str, en: str) -> None:
    """`python -m ui.auth list-users` said PyYAML's English inside the Chinese: 错误：无法读取 users.yaml：while
    parsing a flow node expected the node content, … (a probe)."""
    path = _write(text)(folder)
    with pytest.raises(auth.AuthConfigError) as e:
        auth.load_users(path)
    assert zh in e.value.text("zh") and "while " not in e.value.text("zh") and "found" not in e.value.text("zh")
    assert en in e.value.text("en") and en in str(e.value)  # the server's log line, in English


def test_a_users_file_not_in_utf8_is_said_in_the_user_s_language(folder: Path) -> None:
    """错误：无法读取 users.yaml：不是 UTF-8 编码（'utf-8' codec can't decode byte 0xd3 …）: Python's English
    inside the Chinese (a probe)."""
    path = folder / "users.yaml"
    path.write_bytes("users:\n  zhao:\n    display_name: 赵\n".encode("gb18030"))
    with pytest.raises(auth.AuthConfigError) as e:
        auth.load_users(path)
    assert "第 34 个字节起无法解码" in e.value.text("zh") and "codec" not in e.value.text("zh"), e.value.text("zh")
    assert "cannot be decoded from byte 34" in e.value.text("en")
