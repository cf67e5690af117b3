"""ui.run_slots: a burst of page runs computes a few at a time, in about the order they came."""

from __future__ import annotations

import importlib
import threading
import time

import pytest

from ui import run_slots


@pytest.fixture(autouse=True)
def _restored(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN202 - a fixture
    """The tests reload the module under other settings: later tests in this worker get the default."""
    yield
    monkeypatch.undo()
    importlib.reload(run_slots)


@pytest.mark.parametrize("slots", [1, 2])
def test_runs_beyond_the_slots_wait_their_turn(monkeypatch: pytest.MonkeyPatch, slots: int) -> None:
    monkeypatch.setenv("FUPIN_RUN_SLOTS", str(slots))
    module = importlib.reload(run_slots)
    inside, most, order = [0], [0], []
    lock = threading.Lock()

    def page(i: int) -> None:
        with module.slot():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                order.append(i)
            time.sleep(0.05)
            with lock:
                inside[0] -= 1

    threads = []
    for i in range(6):
        threads.append(threading.Thread(target=page, args=(i,)))
        threads[-1].start()
        time.sleep(0.005)  # arrivals a little apart, as a burst's requests are
    for th in threads:
        th.join(10)
    assert most[0] == slots
    assert sorted(order) == list(range(6))
    assert order[:slots] == list(range(slots))  # the first to come are the first served


def test_zero_lets_every_run_compute_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_RUN_SLOTS", "0")
    module = importlib.reload(run_slots)
    assert module.SLOTS == 0
    monkeypatch.delenv("FUPIN_RUN_SLOTS")
    assert importlib.reload(run_slots).SLOTS >= 2
