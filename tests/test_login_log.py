"""The login log's rules below Streamlit (issue 14 §8): which address is believed, what an attempted
name becomes, where the file lives, and that the shared JSON-lines writer keeps lines whole under
concurrent appends. The logins themselves are tested through AppTest in test_roles.py (passwords) and
test_sso.py (OIDC), and in a browser in tests/e2e/test_sso.py."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from ui import extract_log, jsonl_log, login_log
from ui.login_log import client_address

NGINX = frozenset({"10.0.0.5"})


@pytest.mark.parametrize(("peer", "xff", "connected", "expected"), [
    (None, [], False, None),                                   # no browser connection (AppTest, bare mode)
    (None, [], True, "localhost"),                             # a browser on this machine, no proxy
    (None, ["203.0.113.7"], True, "203.0.113.7"),              # nginx on this machine (docs/DEPLOY.md)
    (None, ["6.6.6.6, 203.0.113.7"], True, "203.0.113.7"),     # a forged first hop is not believed
    (None, ["6.6.6.6", "203.0.113.7"], True, "203.0.113.7"),   # nor a forged first header
    (None, ["2001:db8::1"], True, "2001:db8::1"),
    (None, ["not-an-address"], True, "localhost"),
    ("198.51.100.9", ["6.6.6.6"], True, "198.51.100.9"),       # a direct client: its own header is ignored
    ("10.0.0.5", ["203.0.113.7"], True, "203.0.113.7"),        # nginx on another machine, listed as trusted
    ("10.0.0.5", [], True, "10.0.0.5"),
])
def test_client_address(peer: str | None, xff: list[str], connected: bool, expected: str | None) -> None:
    assert client_address(peer, xff, connected=connected, trusted=NGINX) == expected


def test_trusted_proxies_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(login_log.ENV_PROXIES, " 10.0.0.5, ::ffff:0a00:0006 ,junk,")
    assert login_log.trusted_proxies() == frozenset({"10.0.0.5", "::ffff:a00:6"})
    monkeypatch.delenv(login_log.ENV_PROXIES)
    assert login_log.trusted_proxies() == frozenset()


def test_attempted_name() -> None:
    assert login_log.attempted_name("  wang\x00\t\x1b\x7f\x85\u202e\u200b ") == "wang"
    cut = login_log.attempted_name("长" * 40)
    assert len(cut) == login_log.NAME_MAX and cut.endswith("…")
    assert login_log.attempted_name(None) == ""


def test_entry_cleans_what_was_typed_never_a_known_user() -> None:
    failed = login_log.entry(user="x\x00" * 40, method="password", result="failed", address=None)
    assert len(failed["user"]) == login_log.NAME_MAX and "\x00" not in failed["user"]
    ok = login_log.entry(user="u" * 60, method="oidc", result="ok", address="203.0.113.7", display_name="王芳")
    assert ok == {"user": "u" * 60, "display_name": "王芳", "method": "oidc", "result": "ok", "address": "203.0.113.7"}
    with pytest.raises(ValueError):
        login_log.entry(user="u", method="sso", result="ok", address=None)
    with pytest.raises(ValueError):
        login_log.entry(user="u", method="password", result="maybe", address=None)


def test_beside_the_extract_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_DB", str(tmp_path / "data" / "fupin.duckdb"))
    monkeypatch.delenv(login_log.ENV_LOG, raising=False)
    monkeypatch.delenv(extract_log.ENV_LOG, raising=False)
    assert login_log.log_path() == tmp_path / "data" / "login_log.jsonl"
    assert login_log.log_path().parent == extract_log.log_path().parent
    monkeypatch.setenv(login_log.ENV_LOG, str(tmp_path / "elsewhere.jsonl"))
    assert login_log.log_path() == tmp_path / "elsewhere.jsonl"


def test_read_newest_first_and_skips_broken_lines(tmp_path: Path) -> None:
    path = tmp_path / "login_log.jsonl"
    assert login_log.read(path).empty and list(login_log.read(path).columns) == login_log.COLUMNS
    for i in range(5):
        login_log.append(login_log.entry(user=f"u{i}", method="password", result="ok", address=None), path)
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"user": "half a line\n[1, 2]\n')
    log = login_log.read(path, limit=3)
    assert log["user"].tolist() == ["u4", "u3", "u2"] and list(log.columns) == login_log.COLUMNS


def _append_many(path: str, n: int, who: str) -> None:
    for i in range(n):
        jsonl_log.append(Path(path), {"user": who, "i": i, "pad": who * 2000})


def test_concurrent_appends_keep_lines_whole(tmp_path: Path) -> None:
    path = tmp_path / "login_log.jsonl"
    procs = [multiprocessing.get_context("fork").Process(target=_append_many, args=(str(path), 50, w))
             for w in "abcd"]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 200 and {r["user"] for r in lines} == set("abcd")
