"""The benchmark report's session verdicts (bench.report.summary): the best configuration decides, and a
burst measured beside it is shown, not hidden."""

from __future__ import annotations

from bench.report import summary


def _run(p95: float, ramp: float, replicas: int = 1, errors: int = 0) -> dict[str, object]:
    return {"sessions": 30, "p95": p95, "p50": 0.1, "errors": errors, "think_seconds": 15.0,
            "ramp_seconds": ramp, "replicas": replicas, "rss_per_idle_session": 18 * 2**20}


def test_the_verdict_is_the_best_run_and_the_burst_is_shown_beside_it() -> None:
    size = {"label": "L", "sessions": {"runs": [_run(0.31, 30), _run(4.67, 1), _run(3.16, 1, replicas=2)]}}
    text, ok = summary(size)["sessions_30"]
    assert ok is True
    assert text.startswith("p95 0.31 s")
    assert "all within 1 s: p95 3.16 s, 0 errors (2 replica(s))" in text


def test_a_burst_alone_is_judged_without_a_second_mention() -> None:
    size = {"label": "L", "sessions": {"runs": [_run(4.67, 1)]}}
    text, ok = summary(size)["sessions_30"]
    assert ok is False
    assert "all within 1 s" not in text


def test_errors_rank_before_speed() -> None:
    size = {"label": "L", "sessions": {"runs": [_run(0.2, 30, errors=2), _run(2.5, 30)]}}
    text, ok = summary(size)["sessions_30"]
    assert ok is True and text.startswith("p95 2.50 s")
