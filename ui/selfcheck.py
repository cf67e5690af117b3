"""Open every page of the dashboard headless (Streamlit's AppTest) and report what failed:
`python -m ui.selfcheck [--lang zh|en] [--db PATH]`, exit 0 when every page ran without an exception.
Its help, usage errors and report are in the user's language, by the rule of the other command lines
(etl.cli_parser: --lang, else $FUPIN_LANG, else Chinese).

The offline bundle's install script runs it after installing (`install.sh --check`), and the tests of
the bundle and of upgrades call `check_pages`: a page that fails to open is found before a user does.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def page_files() -> list[str]:
    """Every page module, as `pages/<name>.py` (what AppTest.switch_page takes)."""
    return [f"pages/{p.name}" for p in sorted((ROOT / "pages").glob("*.py")) if not p.name.startswith("_")]


def check_pages(db: Path | None = None, timeout: float = 120, lang: str = "zh") -> dict[str, list[str]]:
    """{page file: exception messages} for every page, opened on `db` (default $FUPIN_DB)."""
    from streamlit.testing.v1 import AppTest

    from labels import t

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
            errors.append(t("selfcheck.no_title", lang))
        if errors:
            failures[page] = errors
    return failures


def main(argv: list[str] | None = None) -> int:
    from etl.cli_parser import LabelledParser, add_lang_option, argv_lang, parse
    from labels import t

    argv = sys.argv[1:] if argv is None else list(argv)
    lang = argv_lang(argv)
    parser = LabelledParser(prog="python -m ui.selfcheck", description=t("selfcheck.description", lang), lang=lang)
    add_lang_option(parser)
    parser.add_argument("--db", type=Path, default=None, metavar=t("cli.metavar.path", lang), help=t("cli.help.db", lang))
    args = parse(parser, argv)
    if isinstance(args, int):  # a usage error (said) or --help
        return args
    logging.disable(logging.WARNING)  # Streamlit's bare-mode warnings; failures are listed below
    failures = check_pages(args.db, lang=args.lang)
    for page in page_files():
        print(t("selfcheck.fail" if page in failures else "selfcheck.ok", args.lang, page=page))
        for message in failures.get(page, []):
            print(f"     {message}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
