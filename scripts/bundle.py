"""The offline bundle: one archive to carry the dashboard into an office without internet (`make bundle`).

    .venv/bin/python scripts/bundle.py [--out dist] [--cache DIR]

The archive `fupin-dashboard-<version>-<python>-<platform>.tar.gz` holds
- `app/`: the application (the repository's files without tests and benchmarks);
- `wheels/`: every wheel the application needs, for this platform and this Python version
  (`pip download --only-binary=:all:`), and `requirements.txt` naming the pinned dependencies;
- `demo/`: the demo county's export files, as the national system writes them, to try a load;
- `install.sh`: makes a virtual environment, installs with `pip --no-index --find-links wheels`
  (never the network), builds the demo database on the first run and starts the dashboard;
  `install.sh --check` opens every page headless instead of starting (ui.selfcheck);
- `安装说明.txt`: the steps in Chinese.

`--python 3.12` builds for another Python version of the same platform. Wheels are cached in `--cache` (default `.venv/wheel-cache`, or $FUPIN_WHEEL_CACHE): a rebuild with
every wheel cached needs no index at all.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXCLUDED = ("tests/", "bench/", ".ci/", "scripts/", "data/", "dist/", "test-artifacts/")
APP_DIRS = ("etl", "queries", "ui", "labels", "pages", "config", "docs", ".streamlit")
APP_FILES = ("dashboard.py", "pyproject.toml", "README.md", "Makefile")

INSTALL_SH = r"""#!/bin/sh
# 扶贫督查看板 offline install: sh install.sh [--check]
#   first run: a virtual environment in .venv, installed from wheels/ only (no network), the demo county
#   built when there is no database yet; then the dashboard starts on port $PORT (default 8501).
#   --check: open every page headless and report, instead of starting.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}
PORT=${PORT:-8501}
NEED="{python_version}"
HAVE=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo none)
if [ "$HAVE" != "$NEED" ]; then
    echo "需要 Python $NEED（本安装包的依赖为 Python $NEED 编译），找到的是：$HAVE。可用 PYTHON=/path/to/python$NEED sh install.sh 指定。" >&2
    echo "This bundle needs Python $NEED; found $HAVE. Set PYTHON=/path/to/python$NEED." >&2
    exit 1
fi
if [ ! -x "$HERE/.venv/bin/python" ] || [ ! -f "$HERE/.venv/.installed" ]; then
    echo "安装依赖（离线）…"
    "$PYTHON" -m venv "$HERE/.venv"
    "$HERE/.venv/bin/python" -m pip install --quiet --no-index --find-links "$HERE/wheels" \
        --disable-pip-version-check -r "$HERE/wheels/requirements.txt"
    touch "$HERE/.venv/.installed"
fi
cd "$HERE/app"
PY="$HERE/.venv/bin/python"
if [ ! -e data/fupin.duckdb ]; then
    echo "生成示范旗县数据…"
    "$PY" -m etl demo
fi
"$PY" -m etl refresh --if-stale
if [ "${1:-}" = "--check" ]; then
    exec "$PY" -m ui.selfcheck
fi
echo "看板地址：http://localhost:$PORT"
exec "$PY" -m ui.serve --server.port "$PORT" --server.headless true --browser.gatherUsageStats false
"""

README_TXT = """扶贫督查看板 · 离线安装包（{name}）

适用：{platform}，Python {python_version}。安装和运行都不需要联网。

1. 把本压缩包复制到电脑上（如 U 盘拷贝），解压：tar xzf {name}.tar.gz
2. 进入解压出的目录，运行：sh install.sh
   第一次运行会在本目录下建立 .venv 并从 wheels/ 安装全部依赖，然后生成示范旗县数据并启动看板。
   以后每次启动也只需运行 sh install.sh（已安装则直接启动）。端口可用 PORT=8600 sh install.sh 指定。
3. 用浏览器打开 http://localhost:8501 。
4. 导入本县的导出文件：cd app && ../.venv/bin/python -m etl load 文件1.xlsx 文件2.csv
   demo/ 目录里是示范旗县的导出文件，可以照着核对格式。
5. 检查安装是否完好：sh install.sh --check（逐页打开看板，全部显示 ok 即可）。

使用手册：app/docs/使用手册.md（看板侧栏“使用手册”也可打开）；数据约定：app/docs/DATA.md。
"""


def requirements() -> list[str]:
    """The pinned runtime dependencies (pyproject.toml)."""
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return list(tomllib.load(fh)["project"]["dependencies"])


def app_files() -> list[Path]:
    """The application's files, relative to the repository: tracked files when this is a git checkout."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        names = [n for n in out.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = [str(p.relative_to(ROOT)) for d in APP_DIRS for p in (ROOT / d).rglob("*") if p.is_file()]
        names += list(APP_FILES)
    keep = [n for n in names if not n.startswith(EXCLUDED) and "__pycache__" not in n]
    return [Path(n) for n in sorted(keep) if (ROOT / n).is_file()]


def download_wheels(reqs: Path, cache: Path, dest: Path, python_version: str) -> None:
    """Every wheel the requirements need, for `python_version` on this platform, into `dest`: taken from
    `cache` alone when it holds them all, else downloaded into the cache first."""
    cache.mkdir(parents=True, exist_ok=True)
    base = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
            "--only-binary=:all:", "--python-version", python_version, "-r", str(reqs)]
    offline = [*base, "--no-index", "--find-links", str(cache)]
    if subprocess.run([*offline, "-d", str(cache)], capture_output=True).returncode != 0:
        subprocess.run([*base, "-d", str(cache)], check=True)
    subprocess.run([*offline, "-d", str(dest)], check=True)  # exactly the wheels needed, none stale


def build(out: Path, cache: Path, python_version: str) -> Path:
    from etl import demo

    with open(ROOT / "pyproject.toml", "rb") as fh:
        version = tomllib.load(fh)["project"]["version"]
    platform = sysconfig.get_platform().replace("-", "_")
    name = f"fupin-dashboard-{version}-py{python_version}-{platform}"
    stage = out / f".{name}.staging"
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "wheels").mkdir(parents=True)
    reqs = stage / "wheels" / "requirements.txt"
    reqs.write_text("\n".join(requirements()) + "\n", encoding="utf-8")
    download_wheels(reqs, cache, stage / "wheels", python_version)
    for rel in app_files():
        dest = stage / "app" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest)
    demo.write_demo_files(stage / "demo")
    (stage / "install.sh").write_text(INSTALL_SH.replace("{python_version}", python_version), encoding="utf-8")
    (stage / "install.sh").chmod(0o755)
    (stage / "安装说明.txt").write_text(
        README_TXT.format(name=name, platform=platform, python_version=python_version), encoding="utf-8")
    archive = out / f"{name}.tar.gz"
    part = out / f".{name}.tar.gz.part"
    with tarfile.open(part, "w:gz", compresslevel=1) as tar:  # wheels are zips already: fast, barely larger
        tar.add(stage, arcname=name)
    os.replace(part, archive)
    shutil.rmtree(stage)
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bundle.py", description="write the offline bundle")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--cache", type=Path,
                        default=Path(os.environ.get("FUPIN_WHEEL_CACHE", ROOT / ".venv" / "wheel-cache")))
    parser.add_argument("--python", default=f"{sys.version_info.major}.{sys.version_info.minor}",
                        help="the Python version of the office's machine (default: this one's), e.g. 3.12")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    archive = build(args.out, args.cache, args.python)
    print(f"{archive} ({archive.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
