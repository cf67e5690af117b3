"""Login log (no Streamlit here): every login, failed login and logout, with the client's address.

One JSON object per line, appended to `<database dir>/login_log.jsonl` beside the extract log (written
and read by `ui.jsonl_log`, as the extract log). `FUPIN_LOGIN_LOG` overrides the path. A line holds
`ts`, `user` (the user name, or the name a failed attempt typed, or the identity a single sign-on
provider vouched for), `display_name` (when a user of the users file is known), `method`
(`password` | `oidc`), `result` (see RESULTS) and `address` (the client's, see `client_address`).
Never a password, a token or a cookie.

- `log_path() -> Path`
- `entry(*, user, method, result, address, display_name=None) -> dict`
- `append(record, path=None)` / `read(path=None, limit=200) -> DataFrame` (newest first)
- `attempted_name(text) -> str`: what a failed attempt typed, short and without control characters.
- `UNKNOWN_NAME`: logged instead of a typed name that names no user (it may be a password).
- `client_address(peer, forwarded_for, connected, trusted) -> str | None`
"""

from __future__ import annotations

import ipaddress
import os
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ui import jsonl_log

ENV_LOG = "FUPIN_LOGIN_LOG"
ENV_PROXIES = "FUPIN_TRUSTED_PROXIES"
FILE_NAME = "login_log.jsonl"
COLUMNS = ["ts", "user", "display_name", "method", "result", "address"]
METHODS = ("password", "oidc")
RESULTS = (
    "ok",                # logged in
    "failed",            # wrong user name or password (which of the two is not told, here either)
    "unknown_identity",  # signed in at the provider, but no entry of the users file names the identity
    "locked",            # the users file could not be used at the attempt
    "throttled",         # too many failed logins of the name (ui.login_throttle): no password was checked
    "logout",            # the user logged out
    "removed",           # the user's entry left the users file: the session ended at the next click
)
NAME_MAX = 32  # an attempted name is cut to this many characters
# what a password attempt under a name of no user leaves in the log instead of that name: people type
# their password into the name field (a privacy probe found one in the log every county user can read)
UNKNOWN_NAME = "?"
LOCALHOST = "localhost"  # a connection over loopback (Streamlit does not tell 127.0.0.1 from ::1)


def log_path() -> Path:
    return jsonl_log.log_path(ENV_LOG, FILE_NAME)


def attempted_name(text: object) -> str:
    """A name typed at the login form or given by a provider, as the log keeps it: control and format
    characters (C0, DEL, C1, bidirectional overrides, ...) removed, trimmed, at most NAME_MAX characters
    (an ellipsis marks a cut)."""
    clean = "".join(c for c in str(text or "") if unicodedata.category(c)[0] != "C").strip()
    return clean if len(clean) <= NAME_MAX else clean[: NAME_MAX - 1] + "…"


def entry(*, user: str, method: str, result: str, address: str | None,
          display_name: str | None = None) -> dict[str, Any]:
    if method not in METHODS or result not in RESULTS:
        raise ValueError(f"login log: method {method!r}, result {result!r}")
    return {"user": attempted_name(user) if result in ("failed", "unknown_identity", "locked", "throttled") else user,
            "display_name": display_name, "method": method, "result": result, "address": address}


def append(record: Mapping[str, Any], path: Path | None = None) -> dict[str, Any]:
    return jsonl_log.append(path or log_path(), record)


def read(path: Path | None = None, limit: int = 200) -> pd.DataFrame:
    return jsonl_log.read(path or log_path(), COLUMNS, limit)


def trusted_proxies() -> frozenset[str]:
    """Addresses of reverse proxies on other machines whose X-Forwarded-For is believed
    ($FUPIN_TRUSTED_PROXIES, comma-separated). Loopback always is (docs/DEPLOY.md: nginx on the
    replica's machine, replicas listening on 127.0.0.1)."""
    raw = os.environ.get(ENV_PROXIES, "")
    return frozenset(str(ip) for ip in (_ip(p) for p in raw.split(",")) if ip is not None)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: Iterable[str], *, connected: bool,
                   trusted: frozenset[str] = frozenset()) -> str | None:
    """The client's address for the log.

    `peer` is the TCP peer of the session's websocket (Streamlit's `st.context.ip_address`: None for
    loopback), `forwarded_for` the X-Forwarded-For headers of that request, `connected` False when there
    is no browser connection at all (then None). When the peer is loopback or a trusted proxy, the last
    X-Forwarded-For hop is the client: nginx's `$proxy_add_x_forwarded_for` appends the address it saw
    last, while earlier hops are whatever the client sent and are not believed. Any other peer is the
    client itself (its X-Forwarded-For, which it may have written, is ignored)."""
    if not connected:
        return None
    if peer is not None and peer not in trusted:
        return str(_ip(peer) or attempted_name(peer))
    hops = [h for h in ",".join(forwarded_for).split(",") if h.strip()]
    last = _ip(hops[-1]) if hops else None
    if last is not None:
        return str(last)
    return peer or LOCALHOST
