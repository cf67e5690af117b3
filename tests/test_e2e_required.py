"""Under `make test` a missing browser fails the run: the end-to-end tests (the security ones among
them) never skip quietly there; elsewhere they skip with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _collect(required: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FUPIN_CHROMIUM": str(ROOT / "no-such-browser")}
    env.pop("FUPIN_E2E_REQUIRED", None)
    if required:
        env["FUPIN_E2E_REQUIRED"] = "1"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           "tests/e2e/test_chart_markup.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def test_missing_browser_fails_when_required() -> None:
    run = _collect(required=True)
    assert run.returncode != 0
    assert "FUPIN_E2E_REQUIRED" in run.stdout + run.stderr and "no-such-browser" in run.stdout + run.stderr


def test_missing_browser_skips_otherwise() -> None:
    run = _collect(required=False)
    assert run.returncode == 0, run.stdout[-2000:]
    assert "skipped" in run.stdout and "no-such-browser" not in run.stderr
