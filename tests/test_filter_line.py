"""Each page says under its title which filters are on (a browser review: with 德岭山镇 chosen, 致贫原因
read "因病 7（70.0%）" with no place named, so a printout or a screenshot without the sidebar read as the
banner's figures), and a year range says whom it leaves out: 脱贫年度 2015–2020 left every 未脱贫户 out
and the overview read 未脱贫户 0户, 脱贫率 99.1%, with nothing on the page saying why. AppTest on the
fixture database."""

from __future__ import annotations

from pathlib import Path

import pytest

from labels import t
from tests.conftest import open_page

PAGES = ["overview", "causes", "exit_status", "assistance", "rectification", "health", "visits", "quality",
         "inspection_rates", "briefing"]


def _lines(at) -> list[str]:  # noqa: ANN001
    return [m.value for m in at.markdown if t("header.filters", "zh", filters="") in m.value
            or t("header.filters", "en", filters="").strip() in m.value]


@pytest.mark.parametrize("page", PAGES)
def test_the_page_names_the_filters_and_whom_a_year_range_leaves_out(app_db: Path, page: str) -> None:
    at = open_page(page, {"town": "德岭山镇", "cause": "因病", "exy": "2017-2018"})
    [line] = _lines(at)
    assert "德岭山镇" in line and "因病" in line and "2017–2018" in line
    assert t("filter.exit_years.only", "zh") in line


def test_no_filter_no_line_and_english(app_db: Path) -> None:
    assert _lines(open_page("causes")) == []
    at = open_page("causes", {"town": "德岭山镇", "exy": "2018-2019", "lang": "en"})
    [line] = _lines(at)
    assert line.startswith(":material/filter_alt: Filtered:") and "德岭山镇" in line and "2018–2019" in line
    assert t("filter.exit_years.only", "en") in line


def test_the_slider_says_whom_a_range_leaves_out(app_db: Path) -> None:
    at = open_page("overview")
    helps = {s.label: s.help for s in at.sidebar.slider}
    assert helps[t("filter.exit_years", "zh")] == t("filter.exit_years.only", "zh")


@pytest.mark.parametrize("page", ["data_admin", "dictionary"])
def test_a_page_no_filter_applies_to_says_so_instead_of_naming_them_as_applied(app_db: Path, page: str) -> None:
    """The data page wrote 筛选条件：乡镇（苏木）：德岭山镇；主要致贫原因：因病 above the banner's load history,
    rows and logs, none of which follows a filter; the dictionary dropped the filter without a word (a
    leader's path through the pages). Both say now that nothing on them follows the chosen filters."""
    at = open_page(page, {"town": "德岭山镇", "cause": "因病"})
    assert _lines(at) == []
    said = [m.value for m in at.markdown if m.value.startswith(":material/filter_alt_off:")]
    assert said == [":material/filter_alt_off: " + t("header.filters_unused", "zh",
                                                      filters="乡镇（苏木）：德岭山镇；主要致贫原因：因病")]
    assert not [m.value for m in open_page(page).markdown if m.value.startswith(":material/filter_alt_off:")]
