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


def _query(name: str, median: float, raw: float | None = None) -> dict[str, object]:
    raw = median if raw is None else raw
    return {"query": name, "filter": "none", "app": {"median_ms": median, "p95_ms": median * 1.1},
            "raw": {"median_ms": raw}, "ratio_app_raw": median / raw}


def test_the_briefing_is_judged_as_a_document_not_as_a_page_query() -> None:
    """The briefing is built on a click into a download (every page's key queries in one go): its own
    target (≤ 1 s), not the 100 ms of a page query; its app layer still counts against its SQL."""
    size = {"label": "L", "queries": [_query("overview.kpis", 40.0), _query("briefing_html.build", 270.0, 200.0)]}
    s = summary(size)
    assert s["query_median"][1] is True and "overview.kpis" in s["query_median"][0]
    assert s["query_median"][0].endswith("0 of 1 query×filter cases over target")  # no 'failed' either
    assert s["document"][1] is True and "briefing_html.build" in s["document"][0]
    assert s["layer_ratio"][1] is True
    slow = {"label": "L", "queries": [_query("overview.kpis", 140.0), _query("briefing_html.build", 1200.0, 500.0)]}
    s = summary(slow)
    assert s["query_median"][1] is False and s["document"][1] is False
    assert s["layer_ratio"][1] is False and "briefing_html.build" in s["layer_ratio"][0]
