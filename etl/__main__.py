"""`python -m etl`: the command line (etl.cli).

Its modules (pandas, DuckDB, the loaders) take a second or more to import on a cold machine; a Ctrl-C
then came before etl.cli could catch it and printed a KeyboardInterrupt traceback (CI, a fresh clone).
Nothing has been read or written yet, so it says so and exits 130, as an interrupted load does.
"""

from __future__ import annotations

import sys


def _start() -> int:
    try:
        from etl.cli import main
    except KeyboardInterrupt:
        from etl.cli_parser import argv_lang
        from labels import t

        print(t("cli.interrupted_at_start", argv_lang(sys.argv[1:])), file=sys.stderr)
        return 130
    return main()


if __name__ == "__main__":
    sys.exit(_start())
