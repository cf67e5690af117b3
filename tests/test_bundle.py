"""The offline bundle (issue 18): built by `scripts/bundle.py` (`make bundle`), unpacked into an empty
folder and installed by its own script into a fresh virtual environment with the package index
unreachable (pip's configuration and find-links of this machine ignored, the index and every proxy
pointing at 127.0.0.1:9, and the script installs with `--no-index`). The script then builds the demo
county and opens every page with AppTest (`install.sh --check`), and, run without it, serves the
dashboard. Slow (about two minutes: the wheels are cached between runs in .venv/wheel-cache)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

import pytest

from ui.selfcheck import page_files

ROOT = Path(__file__).resolve().parents[1]
NOWHERE = "http://127.0.0.1:9"

pytestmark = pytest.mark.slow


def offline_env(home: Path) -> dict[str, str]:
    """This process's environment without pip's settings, every way to the network pointing nowhere."""
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith(("PIP_", "VIRTUAL_ENV", "FUPIN_")) and "PROXY" not in k.upper()}
    env.update({"HOME": str(home), "PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": f"{NOWHERE}/simple",
                "PIP_EXTRA_INDEX_URL": "", "PIP_FIND_LINKS": "", "PIP_NO_CACHE_DIR": "1",
                "http_proxy": NOWHERE, "https_proxy": NOWHERE, "HTTP_PROXY": NOWHERE, "HTTPS_PROXY": NOWHERE,
                "PYTHON": sys._base_executable})  # the machine's Python, not this virtual environment's
    return env


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, "scripts/bundle.py", "--out", str(out)], cwd=ROOT,
                           capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stderr[-3000:]
    [archive] = out.glob("fupin-dashboard-*.tar.gz")
    target = tmp_path_factory.mktemp("office")
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    [folder] = target.iterdir()
    return folder


def test_the_bundle_holds_the_app_wheels_demo_files_and_the_script(unpacked: Path) -> None:
    names = {p.name for p in (unpacked / "wheels").iterdir()}
    for package in ("streamlit", "duckdb", "pandas", "pyarrow", "plotly", "python_calamine", "bcrypt"):
        assert any(n.startswith(f"{package}-") and n.endswith(".whl") for n in names), package
    assert (unpacked / "app" / "dashboard.py").is_file() and (unpacked / "app" / "docs" / "DATA.md").is_file()
    assert not (unpacked / "app" / "tests").exists()
    assert any((unpacked / "demo").glob("*贫困人口信息*.xlsx"))
    assert "--no-index" in (unpacked / "install.sh").read_text(encoding="utf-8")


def test_installs_offline_builds_the_demo_and_opens_every_page(unpacked: Path, tmp_path: Path) -> None:
    env = offline_env(tmp_path)
    p = subprocess.run(["sh", str(unpacked / "install.sh"), "--check"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=1200)
    assert p.returncode == 0, (p.stdout[-3000:], p.stderr[-3000:])
    for page in page_files():
        assert f"ok   {page}" in p.stdout, p.stdout
    venv_python = unpacked / ".venv" / "bin" / "python"
    where = subprocess.run([str(venv_python), "-c", "import streamlit, duckdb; print(streamlit.__file__)"],
                           env=env, capture_output=True, text=True, check=True).stdout
    assert str(unpacked / ".venv") in where  # installed into the bundle's own environment
    assert (unpacked / "app" / "data" / "fupin.duckdb").exists()

    # run again without --check: installed already, so it starts the dashboard straight away
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(["sh", str(unpacked / "install.sh")], cwd=tmp_path, env={**env, "PORT": str(port)},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        health = ""
        while time.monotonic() < deadline and not health:
            try:
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                health = opener.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read().decode()
            except OSError:
                time.sleep(0.5)
        assert health == "ok"
    finally:
        server.terminate()
        server.wait(timeout=30)
