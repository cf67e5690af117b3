"""Start the dashboard: `python -m ui.serve [streamlit options]` (what `make run` calls).

Streamlit still honours the legacy `pages/` folder next to the entry script until the first
`st.navigation` call of the process: the very first request after a start would run the requested
page file on its own (no sidebar, no filters, no login) or show "Page not found" over a deep link
(streamlit#9992). This project's `pages/` are modules of `st.navigation`, so the launcher switches
that legacy mode off before the server starts; every request then goes through `dashboard.py`.

It also lets uploads of twice the product's size limit (FUPIN_UPLOAD_MB) reach the server, unless
`--server.maxUploadSize` is given: the loader, not the widget, refuses a file over the limit, naming it in
the user's language (ui.uploader.widget_limit_mb).
"""

from __future__ import annotations

import sys
from pathlib import Path

ENTRY = Path(__file__).resolve().parents[1] / "dashboard.py"


def main(argv: list[str]) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    if not any(a.startswith("--server.maxUploadSize") for a in argv):
        from ui.upload import UPLOAD_LIMIT_MB

        argv = ["--server.maxUploadSize", str(2 * UPLOAD_LIMIT_MB), *argv]
    sys.argv = ["streamlit", "run", str(ENTRY), *argv]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
