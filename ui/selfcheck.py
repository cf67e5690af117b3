"""Open every page of the dashboard headless (Streamlit's AppTest) and report what failed:
`python -m ui.selfcheck [--db PATH]`, exit 0 when every page ran without an exception.

The offline bundle's install script runs it after installing (`install.sh --check`), and the tests of
the bundle and of upgrades call `check_pages`: a page that fails to open is found before a user does.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def page_files() -> list[str]:
    """Every page module, as `pages/<name>.py` (what AppTest.switch_page takes)."""
    return [f"pages/{p.name}" for p in sorted((ROOT / "pages").glob("*.py")) if not p.name.startswith("_")]


def check_pages(db: Path | None = None, timeout: float = 120) -> dict[str, list[str]]:
    """{page file: exception messages} for every page, opened on `db` (default $FUPIN_DB)."""
    from streamlit.testing.v1 import AppTest

    if db is not None:
        os.environ["FUPIN_DB"] = str(db)
    failures: dict[str, list[str]] = {}
    for page in page_files():
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
        at.run()
        if not at.exception:
            at.switch_page(page).run()
        errors = [str(e.message) for e in at.exception]
        if not at.title:
            errors.append("no title")
        if errors:
            failures[page] = errors
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.selfcheck", description="open every dashboard page")
    parser.add_argument("--db", type=Path, default=None, help="database path (default $FUPIN_DB or data/fupin.duckdb)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # Streamlit's bare-mode warnings; failures are listed below
    failures = check_pages(args.db)
    for page in page_files():
        print(f"{'FAIL' if page in failures else 'ok  '} {page}")
        for message in failures.get(page, []):
            print(f"     {message}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
