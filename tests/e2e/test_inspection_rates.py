"""The 三率一度 round trip in a real browser (issue 17): draw a self-check sample on the page, download
its check form, fill it in (calamine + xlsxwriter: openpyxl is not a dependency), upload it on the data
page, and see the figures change. Its own server and demo database: the upload changes the data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from labels import t
from tests.e2e.conftest import ARTIFACTS, SCREENSHOTS, StreamlitServer, build_demo, new_context
from tests.e2e.test_browser import _upload, assert_no_exception, open_page, screenshot, wait_idle
from ui.check_form import HEADERS

pytestmark = pytest.mark.e2e
TOWN = "乌加河镇"


@pytest.fixture(scope="module")
def rates_server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = tmp_path_factory.mktemp("rates_e2e") / "fupin.duckdb"
    build_demo(db)
    srv = StreamlitServer(db, ARTIFACTS / "streamlit-e2e-rates.log").start()
    try:
        yield srv
    finally:
        srv.stop()


def tile(page: Any, label_key: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text=t(label_key, "zh"))
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def fill_in(form: Path, out: Path) -> int:
    """Every sampled 脱贫户 found 疑似错退 and not approving; everyone else 正常 and 认可."""
    rows = CalamineWorkbook.from_path(str(form)).get_sheet_by_name("入户核查表").to_python()
    assert tuple(rows[0]) == HEADERS
    col = {h: i for i, h in enumerate(HEADERS)}
    body = [list(r) for r in rows[1:] if r[col["户类型"]]]
    wb = xlsxwriter.Workbook(str(out))
    ws = wb.add_worksheet("入户核查表")
    ws.write_row(0, 0, HEADERS)
    for n, r in enumerate(body, start=1):
        exited = r[col["户类型"]] == "脱贫户"
        for item in HEADERS[9:15]:
            r[col[item]] = "是"
        r[col["核查结论"]] = "疑似错退" if exited else "正常"
        r[col["是否认可"]] = "不认可" if exited else "认可"
        r[col["调查人"]] = "自查组"
        if r[col["户类型"]] == "一般农户":
            r[col["户主姓名"]], r[col["家庭人口"]] = f"农户{n}", 3
        ws.write_row(n, 0, r)
        ws.write_datetime(n, col["调查日期"], datetime(2020, 7, 1))
    wb.close()
    return len(body)


def test_plan_form_upload_and_the_rates_change(browser: Any, rates_server: StreamlitServer, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    ctx = new_context(browser)
    page = ctx.new_page()
    try:
        open_page(page, rates_server, "inspection-rates", "rates.page", query=f"town={TOWN}")
        assert tile(page, "rates.ind.wrong_exit") == "0.0%"
        assert page.get_by_text("随机种子 2020", exact=False).count() >= 1  # the seed is on screen
        button = page.get_by_test_id("stMain").get_by_role("button", name=t("rates.plan.form", "zh"))
        button.scroll_into_view_if_needed()
        wait_idle(page)
        with page.expect_download() as dl:
            button.click()
        form = tmp_path / "form.xlsx"
        dl.value.save_as(form)
        assert dl.value.suggested_filename.endswith(".xlsx") and "种子2020" in dl.value.suggested_filename
        filled = tmp_path / "自查结果.xlsx"
        assert fill_in(form, filled) > 0
        open_page(page, rates_server, "data-management", "insp.page.data")
        _upload(page, [filled])
        summary = page.get_by_test_id("stMain").get_by_test_id("stCode").inner_text()
        assert filled.name in summary and t("kind.household_checks", "zh") in summary, summary
        open_page(page, rates_server, "inspection-rates", "rates.page", query=f"town={TOWN}")
        expect(page.get_by_test_id("stMetric").first).to_be_visible()
        assert tile(page, "rates.ind.wrong_exit") != "0.0%"
        # the wrong-exit figure now fails: its tile badge and its row in the figures table say so
        assert page.get_by_text(t("rates.fail", "zh"), exact=True).count() >= 2
        assert_no_exception(page)
        screenshot(page, SCREENSHOTS, "zh-inspection-rates-after-self-check")
    finally:
        ctx.close()
