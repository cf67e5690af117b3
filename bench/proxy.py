"""Debian's nginx in front of K dashboard replicas, with the project's own configuration
(deploy/nginx/fupin.conf, loopback ports put in): used by tests/test_replicas.py and by the bench's
sessions phase (`--replicas K`). nginx comes from Debian (scripts/install-nginx.sh, run when it is
missing, as `make test` does)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from bench.session_bench import Server, free_port, healthy

ROOT = Path(__file__).resolve().parents[1]
NGINX = Path("/usr/sbin/nginx")


def nginx_path() -> Path:
    if not NGINX.exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "install-nginx.sh")], check=True, timeout=900)
    assert NGINX.exists(), "scripts/install-nginx.sh did not install nginx"
    return NGINX


class Proxy:
    """nginx running deploy/nginx/fupin.conf on a loopback port, upstreams replaced by `ports`."""

    def __init__(self, work: Path, ports: list[int]) -> None:
        self.work = work
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        conf = (ROOT / "deploy" / "nginx" / "fupin.conf").read_text(encoding="utf-8")
        conf, n = re.subn(r"listen 80;", f"listen 127.0.0.1:{self.port};", conf)
        assert n == 1
        servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in ports)
        conf, n = re.subn(r"(    server 127\.0\.0\.1:\d+ [^\n]*\n)+", servers + "\n", conf)
        assert n == 1
        (work / "fupin.conf").write_text(conf, encoding="utf-8")
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (work / d).mkdir(exist_ok=True)
        user = "user root;\n" if os.geteuid() == 0 else ""
        (work / "nginx.conf").write_text(
            f"{user}worker_processes 1;\nerror_log {work}/error.log info;\npid {work}/nginx.pid;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n  access_log {work}/access.log;\n  client_body_temp_path {work}/body;\n"
            f"  proxy_temp_path {work}/proxy;\n  fastcgi_temp_path {work}/fastcgi;\n"
            f"  uwsgi_temp_path {work}/uwsgi;\n  scgi_temp_path {work}/scgi;\n"
            f"  include {work}/fupin.conf;\n}}\n", encoding="utf-8")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Proxy:
        nginx = nginx_path()
        check = subprocess.run([str(nginx), "-t", "-p", str(self.work), "-c", str(self.work / "nginx.conf")],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen([str(nginx), "-p", str(self.work), "-c", str(self.work / "nginx.conf"),
                                      "-g", "daemon off;"], start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not healthy(self.url):
            assert self.proc.poll() is None, (self.work / "error.log").read_text()
            time.sleep(0.2)
        assert healthy(self.url)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


class Cluster:
    """K dashboard replicas (`python -m ui.serve`) on one snapshot behind a `Proxy`: a server for the
    sessions phase (`--replicas K`), its CPU and memory the replicas' sums."""

    def __init__(self, db: Path, log: Path, replicas: int) -> None:
        self.servers = [Server(db, log.with_name(f"{log.stem}-r{i}{log.suffix}")) for i in range(replicas)]
        self.work = log.with_name(f"{log.stem}-nginx")
        self.proxy: Proxy | None = None
        self.url = ""

    def start(self) -> Cluster:
        try:
            for s in self.servers:
                s.start()
            self.work.mkdir(parents=True, exist_ok=True)
            self.proxy = Proxy(self.work, [s.port for s in self.servers]).start()
        except BaseException:
            self.stop()
            raise
        self.url = self.proxy.url
        return self

    def cpu_seconds(self) -> float:
        return sum(s.cpu_seconds() for s in self.servers)

    def rss_bytes(self) -> int:
        return sum(s.rss_bytes() for s in self.servers)

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        for s in self.servers:
            s.stop()
