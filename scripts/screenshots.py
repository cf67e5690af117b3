"""Full-page screenshots of every page of a running dashboard, to look at as a user would.

    .venv/bin/python scripts/screenshots.py http://localhost:8501 test-artifacts/screenshots [query]
Uses Debian's chromium (scripts/install-browser.sh), never a browser download.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dashboard import PAGES  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def main(base: str, out: Path, query: str = "") -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        first = True
        for _, entries in PAGES:
            for _file, _label, _icon, url in entries:
                path = "" if first else url  # the default page lives at the root
                first = False
                page.goto(f"{base}/{path}{'?' + query if query else ''}")
                page.wait_for_selector('[data-testid="stAppViewContainer"]')
                page.wait_for_timeout(1500)
                page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
                page.wait_for_timeout(1500)
                page.screenshot(path=str(out / f"{url}.png"), full_page=True)
                print(out / f"{url}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "")
