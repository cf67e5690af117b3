"""`make run` (python -m ui.serve --server.port N) on a port another program holds: the start stops at once
with a sentence in the user's language that names a free port and how to ask for it (make run PORT=…,
PORT=… sh install.sh). Streamlit alone logged only "Port 8501 is not available", in English, and a new
user who already had something on 8501 was not told the Makefile takes PORT. And a headless start
asks no service on the internet for the machine's address.

The real launcher runs in a subprocess against a real listening socket."""

from __future__ import annotations

import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
import time
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


class _Recorder(socketserver.BaseRequestHandler):
    """An HTTP proxy on loopback that notes each request line and answers with an address, as
    checkip.amazonaws.com would."""

    def handle(self) -> None:
        line = self.request.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
        self.server.requests.append(line)  # type: ignore[attr-defined]
        self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\n203.0.113.7")


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[str]]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Recorder)
    server.requests = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.requests  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def test_a_headless_start_asks_no_service_for_the_external_address(tmp_path: Path,
                                                                    proxy: tuple[str, list[str]]) -> None:
    """`make run` starts Streamlit headless, which asked checkip.amazonaws.com for the machine's address
    (and, offline, printed "Did not auto detect external IP. Please go to https://docs.streamlit.io/…")."""
    url, requests = proxy
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "HTTP_PROXY": url, "HTTPS_PROXY": url, "http_proxy": url, "https_proxy": url,
           "NO_PROXY": "", "no_proxy": "", "PYTHONUNBUFFERED": "1", "FUPIN_DB": str(tmp_path / "fupin.duckdb")}
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "ui.serve", "--server.port", str(port),
                                   "--server.headless", "true"], cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while "Local URL" not in log.read_text() and time.monotonic() < deadline:
                assert server.poll() is None, log.read_text()
                time.sleep(0.2)
            said = log.read_text()
            assert "Local URL" in said, said
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert requests == [], requests
    assert "External URL" not in said and "external IP" not in said, said


def test_an_address_that_cannot_be_bound_is_left_to_streamlit(held_port: int) -> None:
    """Only a port held by another program stops the launcher: a name that does not resolve is not
    a taken port (Streamlit says what is wrong with it, as before), and no traceback comes of it."""
    assert serve.port_free(held_port, "no-such-host.invalid")
    assert serve.port_taken_message(["--server.port", str(held_port), "--server.address", "no-such-host.invalid"]) is None
