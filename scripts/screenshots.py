"""Screenshots of every page of the dashboard, to look at as a user would, and for the user guide.

    .venv/bin/python scripts/screenshots.py http://localhost:8501 test-artifacts/screenshots [query]
        full-page shots of a running dashboard;
    .venv/bin/python scripts/screenshots.py --guide [docs/img]      (make screenshots)
        builds the demo county in a temporary folder, starts the dashboard on it, and writes one
        screenshot per page (the window a user sees first, 1280×860) for docs/使用手册.md.
Uses Debian's chromium (scripts/install-browser.sh), never a browser download.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from ui.navigation import url_paths  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
GUIDE_IMAGES = ROOT / "docs" / "img"
GUIDE_SKIPPED = ("user-guide",)  # the guide shows these pictures; a picture of it is of no use


BUSY = ('document.querySelector(\'[data-testid="stStatusWidget"]\') || '
        'document.querySelector(\'[data-testid="stSkeleton"]\')')


def settle(page: object, quiet_ms: int = 1500, timeout_ms: int = 90000) -> None:
    """Wait until the page has finished running: no status widget and no placeholder skeleton for
    `quiet_ms` in a row (a page draws skeletons while its queries run)."""
    waited = quiet = 0
    page.wait_for_timeout(500)
    while quiet < quiet_ms and waited < timeout_ms:
        busy = page.evaluate(f"!!({BUSY})")
        quiet = 0 if busy else quiet + 250
        page.wait_for_timeout(250)
        waited += 250


def main(base: str, out: Path, query: str = "", *, full_page: bool = True,
         viewport: tuple[int, int] = (1440, 1000), skip: tuple[str, ...] = ()) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        first = True
        for url in url_paths():
            path = "" if first else url  # the default page lives at the root
            first = False
            if url in skip:
                continue
            page.goto(f"{base}/{path}{'?' + query if query else ''}")
            page.wait_for_selector('[data-testid="stAppViewContainer"]')
            settle(page)
            target = out / f"{url}.png"
            page.screenshot(path=str(target), full_page=full_page)
            written.append(target)
            print(target)
        browser.close()
    return written


def guide(out: Path = GUIDE_IMAGES) -> list[Path]:
    """The user guide's screenshots, of the demo county, by a dashboard started for them."""
    from tests.e2e.conftest import StreamlitServer, build_demo

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "data" / "fupin.duckdb"
        build_demo(db)
        server = StreamlitServer(db, Path(tmp) / "server.log").start()
        try:
            return main(server.url, out, full_page=False, viewport=(1280, 860), skip=GUIDE_SKIPPED)
        finally:
            server.stop()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--guide"]:
        guide(Path(sys.argv[2]) if len(sys.argv) > 2 else GUIDE_IMAGES)
    else:
        main(sys.argv[1], Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "")
