"""How many page runs of this process compute at once: `slot()` around a script run.

Streamlit runs each session's script in a thread of its own, and the page code is mostly Python, so
the runs of a burst share one interpreter lock: thirty leaders who open the dashboard in the same
second each got a thirtieth of it, and all thirty pages finished together, after the last one's work
(bench.sessions, 30 sessions within a second on the demo county). Taking them a few at a time, in
order of arrival, gives the same throughput with the first pages out at once: page p95 falls and no
page finishes later than it did. A run waiting for a slot that is told to stop (its leader clicked on)
stops at its first Streamlit call after it gets one.

`FUPIN_RUN_SLOTS` sets the number (default: the process's CPUs, at least 2: DuckDB's part of a page
runs outside the lock, so two runs keep both busy); 0 lets every run compute at once, as Streamlit does.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext


def _slots() -> int:
    raw = os.environ.get("FUPIN_RUN_SLOTS", "").strip()
    if raw.isdigit():
        return int(raw)
    return max(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 2)


SLOTS = _slots()
_GATE = threading.Semaphore(SLOTS) if SLOTS > 0 else None


@contextmanager
def slot() -> Iterator[None]:
    """Hold one of the process's run slots for the block (waiting runs get them about in arrival order)."""
    with _GATE if _GATE is not None else nullcontext():
        yield
