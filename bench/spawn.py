"""Run one benchmark task in a child process (`python -m bench.child TASK JSON_ARGS`) and read back its
result: its own peak memory, and a timeout that kills it without disturbing the caller."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class ChildTimeout(RuntimeError):
    """The child ran longer than its timeout and was killed."""


def measure(task: str, args: dict[str, Any], timeout: float | None = None,
            stderr: int | None = None) -> dict[str, Any]:
    """Run a task in a child process; its stdout's last line is the result. Raises on failure or timeout."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "bench.child", task, json.dumps(args, ensure_ascii=False)],
            cwd=ROOT, stdout=out, stderr=stderr,
        )
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.perf_counter() - started > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                raise ChildTimeout(f"bench child {task} killed after {timeout:.0f} s")
            time.sleep(0.05)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"bench child {task} failed with exit code {proc.returncode}")
    result = json.loads(lines[-1])
    # the child's own peak (bench.child); ru_maxrss (kilobytes on Linux) where /proc cannot tell
    result["peak_rss_bytes"] = result.pop("own_peak_bytes", None) or int(usage.ru_maxrss) * 1024
    result["wall_seconds"] = wall
    return result
