"""`make run` after a .venv without pip: what Debian's `python3 -m venv` leaves behind when the package
python3-venv is missing (it makes bin/python, then fails at ensurepip). The user installs python3-venv as
told and runs `make run` again; the Makefile saw bin/python, kept the broken .venv and stopped at
"No module named pip" on every later run until the user found and deleted .venv.

The real Makefile runs with real make and venv in a copy of the project's Makefile and pyproject.toml,
with pip's index switched off (no network): the install itself then fails, after the .venv was made again
with pip in it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_venv_without_pip_is_made_again(tmp_path: Path) -> None:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / ".venv")], check=True)
    venv_python = tmp_path / ".venv" / "bin" / "python"
    assert subprocess.run([str(venv_python), "-m", "pip", "--version"], capture_output=True).returncode != 0
    (tmp_path / "no-wheels").mkdir()
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1",
           "PIP_FIND_LINKS": str(tmp_path / "no-wheels")}
    done = subprocess.run(["make", "setup", f"PYTHON={sys.executable}"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert "No module named pip" not in done.stdout + done.stderr, done
    assert subprocess.run([str(venv_python), "-m", "pip", "--version"], capture_output=True).returncode == 0


def test_every_phony_target_has_a_rule() -> None:
    """`make clean-data` answered "Nothing to be done for 'clean-data'": a target named in .PHONY with no
    rule, which a user reads as "the data is already clean" while nothing was deleted. (Read from the
    Makefile: `make -n` says the same of a rule whose prerequisites are up to date, as `setup` is after
    a first run.)"""
    text = (ROOT / "Makefile").read_text()
    phony = next(line for line in text.splitlines() if line.startswith(".PHONY:"))
    rules = set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", text, flags=re.MULTILINE)) - {"PHONY"}
    missing = [t for t in phony.split(":", 1)[1].split() if t not in rules]
    assert not missing, missing


def test_make_run_without_the_demo_starts_on_no_database(tmp_path: Path) -> None:
    """A county that does not want the demo: `make run` built it whenever there was no database, so the
    start page's upload (for a server with no database) could not be reached through the quick start.
    `make run DEMO=0` starts the dashboard on no database, the demo not built."""
    import socket
    import time
    import urllib.request

    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")  # the project's own, set up already
    cksum = subprocess.run(["cksum", "pyproject.toml"], cwd=tmp_path, capture_output=True, text=True, check=True)
    stamp = f".venv/.installed-{cksum.stdout.split()[0]}"  # never remade here (`make -o`): no install
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "data" / "fupin.duckdb"  # what the Makefile tests, and the server reads through FUPIN_DB
    env = {**os.environ, "FUPIN_DB": str(db), "FUPIN_USERS": str(tmp_path / "no-users.yaml")}
    server = subprocess.Popen(["make", "-o", stamp, "run", "DEMO=0", f"PORT={port}"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        assert server.poll() is None, server.stdout.read() if server.stdout else ""
        assert not db.exists() and not (tmp_path / "data").exists()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
