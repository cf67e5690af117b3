"""The 三率一度 round trip in a real browser (issue 17): draw a self-check sample on the page, download
its check form, fill in that very workbook (openpyxl, as a clerk's Excel would: the cover sheet and the
drop-down lists stay), upload it on the data page, and see the figures change. Its own server and demo
database: the upload changes the data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from labels import t
from tests.e2e.conftest import ARTIFACTS, SCREENSHOTS, StreamlitServer, build_demo, new_context
from tests.e2e.test_browser import _upload, assert_no_exception, click_download, open_page, screenshot
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
    """Every sampled 脱贫户 found 疑似错退 and not approving; everyone else 正常 and 认可. The downloaded
    workbook itself is filled in and saved under a new name, its other sheets and validations kept."""
    wb = openpyxl.load_workbook(form)
    assert "填表说明" in wb.sheetnames  # the cover sheet, which the loader must skip
    ws = wb["入户核查表"]
    assert ws.data_validations.dataValidation  # the drop-down lists the clerk chooses from
    assert tuple(c.value for c in ws[1]) == HEADERS
    col = {h: i + 1 for i, h in enumerate(HEADERS)}
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, col["户类型"]).value]
    for n, r in enumerate(rows, start=1):
        exited = ws.cell(r, col["户类型"]).value == "脱贫户"
        for item in HEADERS[9:15]:
            ws.cell(r, col[item], "是")
        ws.cell(r, col["核查结论"], "疑似错退" if exited else "正常")
        ws.cell(r, col["是否认可"], "不认可" if exited else "认可")
        ws.cell(r, col["调查人"], "自查组")
        ws.cell(r, col["调查日期"], datetime(2020, 7, 1))
        if ws.cell(r, col["户类型"]).value == "一般农户":
            ws.cell(r, col["户主姓名"], f"农户{n}")
            ws.cell(r, col["家庭人口"], 3)
    wb.save(out)
    return len(rows)


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
        download = click_download(page, button)
        form = tmp_path / "form.xlsx"
        download.save_as(form)
        assert download.suggested_filename.endswith(".xlsx") and "种子2020" in download.suggested_filename
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
