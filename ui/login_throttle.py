"""Failed logins per user name and per client address, shared by every session of this server process.

The per-session delay of `ui.login` was reset by opening the page again (a new Streamlit session): a
probe guessed on at 1.3 s a try. So after MAX_FAILURES failed logins of one user name within WINDOW
seconds, that name is locked until WINDOW seconds after the first of them (attempts while locked do not count): no password is checked for it,
the correct one included (told apart from a wrong one, a lock would confirm a guess). Kept in memory:
each replica counts its own failures, and a restart forgets them (the login log keeps every attempt).

A name's lock does not stop one client trying four passwords on each of many names (or guessing names),
each try a bcrypt check of the server's CPU. So a client address is locked the same way after
MAX_ADDRESS_FAILURES failures within WINDOW, whatever names they were for: an office behind one address
may mistype that often, a guesser is stopped. The address is the one the login log believes
(`ui.login_log.client_address`: nginx's last X-Forwarded-For hop, never one the client wrote); a session
whose address is not known (no connection, or loopback without a proxy's header) is counted by name only."""

from __future__ import annotations

import threading
import time
from collections import deque

from ui.login_log import LOCALHOST

MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 20
WINDOW = 15 * 60  # seconds
_MAX_KEYS = 10_000  # names and addresses tracked at most: typed names are the attacker's to choose

_lock = threading.Lock()
_failures: dict[tuple[str, str], deque[float]] = {}  # ("name" or "address", key) -> failure times


def _keys(name: str, address: str | None) -> list[tuple[tuple[str, str], int]]:
    """The counts a login attempt touches, each with its limit."""
    keys = [(("name", name.strip().casefold()[:64]), MAX_FAILURES)]
    if address and address != LOCALHOST:
        keys.append((("address", address), MAX_ADDRESS_FAILURES))
    return keys


def _recent(key: tuple[str, str], limit: int, now: float) -> deque[float]:
    times = _failures.get(key) or deque(maxlen=limit)
    while times and times[0] <= now - WINDOW:
        times.popleft()
    return times


def locked(name: str, now: float | None = None, address: str | None = None) -> str | None:
    """What is locked for a login of `name` from `address` now: "name" (MAX_FAILURES failures of the name
    within WINDOW seconds), "address" (MAX_ADDRESS_FAILURES from the address), or None."""
    now = time.monotonic() if now is None else now
    with _lock:
        for key, limit in _keys(name, address):
            if len(_recent(key, limit, now)) >= limit:
                return key[0]
    return None


def failed(name: str, now: float | None = None, address: str | None = None) -> None:
    """Count one failed login of `name` (from `address`, when known)."""
    now = time.monotonic() if now is None else now
    with _lock:
        for key, limit in _keys(name, address):
            if key not in _failures and len(_failures) >= _MAX_KEYS:  # forget the keys idle longest
                for old in [k for k, v in _failures.items() if not v or v[-1] <= now - WINDOW] or list(_failures)[:1]:
                    del _failures[old]
            times = _recent(key, limit, now)
            times.append(now)  # the deque keeps the last `limit`: all a lock needs
            _failures[key] = times


def succeeded(name: str) -> None:
    """A login of `name` succeeded: its count starts again (its address's does not: a guesser may hold
    one account and go on guessing others)."""
    with _lock:
        _failures.pop(_keys(name, None)[0][0], None)


def reset() -> None:
    """Forget every count (tests)."""
    with _lock:
        _failures.clear()
