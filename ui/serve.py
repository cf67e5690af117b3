"""Start the dashboard: `python -m ui.serve [streamlit options]` (what `make run` calls).

Streamlit still honours the legacy `pages/` folder next to the entry script until the first
`st.navigation` call of the process: the very first request after a start would run the requested
page file on its own (no sidebar, no filters, no login) or show "Page not found" over a deep link
(streamlit#9992). This project's `pages/` are modules of `st.navigation`, so the launcher switches
that legacy mode off before the server starts; every request then goes through `dashboard.py`.

It also lets uploads of twice the product's size limit (FUPIN_UPLOAD_MB) reach the server, unless
`--server.maxUploadSize` is given: the loader, not the widget, refuses a file over the limit, naming it in
the user's language (ui.uploader.widget_limit_mb).

A port given with `--server.port` (as `make run` and install.sh give it) that another program holds stops
the start with a sentence in the user's language ($FUPIN_LANG) naming a free port and how to ask for it
(`make run PORT=…`); Streamlit alone logged "Port 8501 is not available" and nothing else.

Files reach the server only from sessions that may load them (`guard_uploads`): Streamlit kept every file
PUT to /_stcore/upload_file by any live session, in memory until the session ended, so anyone who opened
the login page could fill the server's memory, 200 MB a request.

No call out at start: a headless Streamlit (`make run`, install.sh, the systemd units all start it
headless) asked http(s)://checkip.amazonaws.com for the machine's external address to print an "External
URL", from a server that holds household data and often has no network, where it printed "Did not auto
detect external IP. Please go to https://docs.streamlit.io/ for debugging hints." after up to two
seconds. The launcher answers that question with "none" (the local and network URLs are still printed),
as `.streamlit/config.toml` switches off the usage statistics.
"""

from __future__ import annotations

import errno
import socket
import sys
from pathlib import Path

ENTRY = Path(__file__).resolve().parents[1] / "dashboard.py"


def option(argv: list[str], name: str) -> str | None:
    """The value of the Streamlit option `name` (`--server.port 8501` or `--server.port=8501`), the last
    one given, else None."""
    value = None
    for i, word in enumerate(argv):
        if word == name and i + 1 < len(argv):
            value = argv[i + 1]
        elif word.startswith(name + "="):
            value = word.split("=", 1)[1]
    return value


def port_free(port: int, address: str | None) -> bool:
    """Whether a server could listen on `port` at `address` (every address when None), bound as
    Streamlit binds it (SO_REUSEADDR, so a port left in TIME_WAIT by a stopped server counts as free).
    False only when another program holds the port (or it is reserved)."""
    family = socket.AF_INET6 if address is None or ":" in address else socket.AF_INET
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError:  # no IPv6 on this machine
        family, sock = socket.AF_INET, socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and address is None:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        try:
            sock.bind((address or ("::" if family == socket.AF_INET6 else "0.0.0.0"), port))
            sock.listen(1)
        except OSError as exc:  # another reason (an address not of this machine, a name that does not
            # resolve) is Streamlit's to report, as before
            return exc.errno not in {errno.EADDRINUSE, errno.EACCES}
    return True


def port_taken_message(argv: list[str]) -> str | None:
    """What to tell the user when the port given on the command line is taken, else None."""
    from etl.cli_parser import argv_lang
    from labels import t

    given, address = option(argv, "--server.port"), option(argv, "--server.address")
    if given is None or not given.isdigit() or int(given) == 0:
        return None  # Streamlit picks a port itself
    port = int(given)
    if port_free(port, address):
        return None
    free = next((p for p in range(port + 1, min(port + 100, 65536)) if port_free(p, address)), port + 1)
    return t("serve.port_taken", argv_lang([]), port=port, free=free)


def no_external_ip() -> None:
    """Streamlit's `net_util.get_external_ip` for this dashboard: never asked of a service on the internet."""
    return None


def upload_allowed(session_id: str) -> bool:
    """Whether the session may send files: it is live, and its viewer may upload (ui.upload.may_upload;
    nobody logged in, a township user: no)."""
    from streamlit.runtime import Runtime

    from ui.data import viewer
    from ui.upload import may_upload

    info = Runtime.instance()._session_mgr.get_active_session_info(session_id)
    return info is not None and may_upload(viewer(info.session.session_state))


def guard_uploads() -> None:
    """Streamlit's uploaded-file store refuses (403) a file from a session `upload_allowed` refuses."""
    from starlette.exceptions import HTTPException
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    from labels import t

    add_file = MemoryUploadedFileManager.add_file

    def guarded(self: MemoryUploadedFileManager, session_id: str, file: object) -> None:
        if not upload_allowed(session_id):
            raise HTTPException(status_code=403, detail=t("insp.data.restricted", "en"))
        add_file(self, session_id, file)  # type: ignore[arg-type]

    MemoryUploadedFileManager.add_file = guarded  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    taken = port_taken_message(argv)
    if taken:
        print(taken, file=sys.stderr)
        raise SystemExit(1)

    from streamlit import net_util
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    net_util.get_external_ip = no_external_ip
    guard_uploads()
    if not any(a.startswith("--server.maxUploadSize") for a in argv):
        from ui.upload import UPLOAD_LIMIT_MB

        argv = ["--server.maxUploadSize", str(2 * UPLOAD_LIMIT_MB), *argv]
    sys.argv = ["streamlit", "run", str(ENTRY), *argv]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
