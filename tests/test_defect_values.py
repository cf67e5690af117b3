"""The defect list of the archive-quality page: a failed completeness check reads as a failure (未通过,
4人中1人未通过), on screen and in its download, not as the raw count of checks passed (0/1, 3/4)."""

from __future__ import annotations

import re
from pathlib import Path

from labels import t
from tests import conftest
from tests.test_extract import _deferred_files, _rows


def test_failed_checks_read_as_failures_on_screen_and_in_the_file(demo_env: Path) -> None:
    at = conftest.open_page("quality", {})
    shown = next(d.value for d in at.dataframe if {"来源", "原始值"} <= set(d.value.columns))
    checks = shown[shown["来源"] == t("insp.quality.source.check")]
    values = set(checks["原始值"])
    assert not any(re.fullmatch(r"\d+/\d+", v) for v in values), values  # 0/1 read as a raw code
    assert "未通过" in values and "4人中1人未通过" in values, values  # the demo's 3/4 valid IDs
    files = _deferred_files(at)
    rows = _rows(files[next(n for n in files if n.startswith("档案问题清单") and n.endswith(".csv"))]())
    source, value = rows[0].index("来源"), rows[0].index("原始值")
    written = {r[value] for r in rows[1:] if r[source] == t("insp.quality.source.check")}
    assert written >= values and not any(re.fullmatch(r"\d+/\d+", v) for v in written), written
    issues = shown[shown["来源"] != t("insp.quality.source.check")]
    assert len(issues) and issues["原始值"].notna().any()  # an issue keeps the value the file held


def test_failed_checks_in_english(demo_env: Path) -> None:
    at = conftest.open_page("quality", {"lang": "en"})
    shown = next(d.value for d in at.dataframe if {"Source", "Raw value"} <= set(d.value.columns))
    values = set(shown.loc[shown["Source"] == t("insp.quality.source.check", "en"), "Raw value"])
    assert "Failed" in values and "1 of 4 people failed" in values, values
