"""Failed logins per user name, shared by every session of this server process.

The per-session delay of `ui.login` was reset by opening the page again (a new Streamlit session): a
probe guessed on at 1.3 s a try. So after MAX_FAILURES failed logins of one user name within WINDOW
seconds, that name is locked until WINDOW seconds after the first of them (attempts while locked do not count): no password is checked for it,
the correct one included (told apart from a wrong one, a lock would confirm a guess). Kept in memory:
each replica counts its own failures, and a restart forgets them (the login log keeps every attempt).
Keyed by name, not by address: behind a proxy every client has the proxy's address."""

from __future__ import annotations

import threading
import time
from collections import deque

MAX_FAILURES = 5
WINDOW = 15 * 60  # seconds
_MAX_NAMES = 10_000  # names tracked at most: typed names are the attacker's to choose

_lock = threading.Lock()
_failures: dict[str, deque[float]] = {}


def _key(name: str) -> str:
    return name.strip().casefold()[:64]


def _recent(key: str, now: float) -> deque[float]:
    times = _failures.get(key) or deque(maxlen=MAX_FAILURES)
    while times and times[0] <= now - WINDOW:
        times.popleft()
    return times


def locked(name: str, now: float | None = None) -> bool:
    """True while `name` has MAX_FAILURES failures within WINDOW seconds of now."""
    now = time.monotonic() if now is None else now
    with _lock:
        return len(_recent(_key(name), now)) >= MAX_FAILURES


def failed(name: str, now: float | None = None) -> None:
    """Count one failed login of `name`."""
    now = time.monotonic() if now is None else now
    key = _key(name)
    with _lock:
        if key not in _failures and len(_failures) >= _MAX_NAMES:  # forget the names idle longest
            for old in [k for k, v in _failures.items() if not v or v[-1] <= now - WINDOW] or list(_failures)[:1]:
                del _failures[old]
        times = _recent(key, now)
        times.append(now)  # the deque keeps the last MAX_FAILURES: all a lock needs
        _failures[key] = times


def succeeded(name: str) -> None:
    """A login of `name` succeeded: its count starts again."""
    with _lock:
        _failures.pop(_key(name), None)


def reset() -> None:
    """Forget every count (tests)."""
    with _lock:
        _failures.clear()
