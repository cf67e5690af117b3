"""`make run` (python -m ui.serve --server.port N) on a port another program holds: the start stops at once
with a sentence in the user's language that names a free port and how to ask for it (make run PORT=…,
PORT=… sh install.sh). Streamlit alone logged only "Port 8501 is not available", in English, and a new
user who already had something on 8501 was not told the Makefile takes PORT.

The real launcher runs in a subprocess against a real listening socket."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ui import serve

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def held_port() -> Iterator[int]:
    """A loopback port some other program listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def launch(port: int, lang: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "FUPIN_LANG"}
    if lang:
        env["FUPIN_LANG"] = lang
    env["FUPIN_DB"] = "/nonexistent/fupin.duckdb"  # never opened: the launcher stops before the server
    return subprocess.run([sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.address",
                           "127.0.0.1", "--server.headless", "true"], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.mark.parametrize("lang", [None, "en"])
def test_taken_port_is_said_in_the_users_language_with_a_free_one(held_port: int, lang: str | None) -> None:
    done = launch(held_port, lang)
    assert done.returncode == 1, done
    said = done.stderr
    assert "is not available" not in said  # Streamlit's own words never started
    free = int(re.search(r"PORT=(\d+)", said).group(1))
    assert free != held_port and serve.port_free(free, "127.0.0.1")
    if lang == "en":
        assert f"Port {held_port} is taken" in said and f"make run PORT={free}" in said, said
    else:
        assert f"端口 {held_port} 已被占用" in said and f"make run PORT={free}" in said, said
        assert f"PORT={free} sh install.sh" in said


def test_a_free_port_or_none_given_goes_on_to_streamlit(held_port: int) -> None:
    assert serve.port_taken_message(["--server.port", str(held_port), "--server.address", "127.0.0.1"])
    assert serve.port_taken_message([f"--server.port={held_port}", "--server.address=127.0.0.1"])
    assert serve.port_taken_message(["--server.headless", "true"]) is None  # Streamlit picks a port itself
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    assert serve.port_taken_message(["--server.port", str(free), "--server.address", "127.0.0.1"]) is None
