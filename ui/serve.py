"""Start the dashboard: `python -m ui.serve [streamlit options]` (what `make run` calls).

Streamlit still honours the legacy `pages/` folder next to the entry script until the first
`st.navigation` call of the process: the very first request after a start would run the requested
page file on its own (no sidebar, no filters, no login) or show "Page not found" over a deep link
(streamlit#9992). This project's `pages/` are modules of `st.navigation`, so the launcher switches
that legacy mode off before the server starts; every request then goes through `dashboard.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ENTRY = Path(__file__).resolve().parents[1] / "dashboard.py"


def main(argv: list[str]) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(ENTRY), *argv]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
