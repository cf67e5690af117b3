"""Uploads in a real browser, on a server of its own (the uploads change its data; FUPIN_UPLOAD_MB=1):

- a file over the product's limit is named, in Chinese, with the limit (probe D §3: Streamlit's widget
  dropped it with an English tooltip only, and the summary did not name it);
- a load waiting behind another (a command-line load holding the lock) says it waits (probe D §7);
- a load started on the page finishes when its administrator clicks another page meanwhile, and the
  data page shows its summary on their return (probe D §2: the load was silently dropped).
"""

from __future__ import annotations

import fcntl
import re
from typing import Any

import pytest

from etl import snapshot
from labels import t
from tests.e2e.conftest import ARTIFACTS, SCREENSHOTS, StreamlitServer, build_demo
from tests.e2e.test_browser import _upload, assert_no_exception, metric, open_page, screenshot

pytestmark = pytest.mark.e2e
LIMIT_MB = 1
VISITS_HEADER = "户编号,走访日期,走访类型,走访人,情况记录\n"


def visits_csv(rows: int, note: str = "正常") -> bytes:
    body = "".join(f"1508241012030002,2020-07-{1 + i % 28:02d},入户走访,走访员{i % 7},{note}{i}\n" for i in range(rows))
    return (VISITS_HEADER + body).encode("utf-8")


@pytest.fixture(scope="module")
def upload_server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = tmp_path_factory.mktemp("upload_e2e") / "fupin.duckdb"
    build_demo(db)
    srv = StreamlitServer(db, ARTIFACTS / "streamlit-e2e-upload.log", env={"FUPIN_UPLOAD_MB": str(LIMIT_MB)}).start()
    try:
        yield srv
    finally:
        srv.stop()


def test_a_file_over_the_limit_is_named_with_the_limit(page: Any, upload_server: StreamlitServer) -> None:
    big = visits_csv(30_000)  # about 1.5 MB: over the product's 1 MB, under twice that
    assert LIMIT_MB * 2**20 < len(big) < 2 * LIMIT_MB * 10**6
    open_page(page, upload_server, "data-management", "insp.page.data")
    main = page.get_by_test_id("stMain")
    assert t("insp.data.limit", "zh", limit=LIMIT_MB) in main.inner_text()  # beside the uploader
    _upload(page, [{"name": "走访_太大.csv", "mimeType": "text/csv", "buffer": big}])
    error = main.get_by_test_id("stAlertContentError").inner_text()
    screenshot(page, SCREENSHOTS, "zh-upload-too-large")
    expected = t("insp.data.too_large", "zh", file="走访_太大.csv", size=f"{len(big) / 2**20:.1f}", limit=LIMIT_MB)
    assert expected in error, error


def test_a_load_finishes_after_the_page_is_left_and_says_it_waited(page: Any, upload_server: StreamlitServer) -> None:
    from playwright.sync_api import expect

    name = "走访_离开页面.csv"
    lock_file = snapshot.lock_path(snapshot.db_path(upload_server.db))
    open_page(page, upload_server, "data-management", "insp.page.data")
    uploader = page.get_by_test_id("stFileUploader")
    with open(lock_file, "a+") as held:  # another load (the command line's) holds the lock
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            uploader.locator('input[type="file"]').set_input_files(
                [{"name": name, "mimeType": "text/csv", "buffer": visits_csv(200, "离开页面")}])
            expect(uploader).to_contain_text(name[-8:])
            submit = page.get_by_test_id("stMain").get_by_role(
                "button", name=re.compile(re.escape(t("insp.data.load", "zh"))))
            expect(submit).to_be_enabled(timeout=60_000)
            submit.click()
            expect(page.get_by_test_id("stMain").get_by_text(t("insp.data.queued", "zh"))).to_be_visible(timeout=30_000)
            expect(page.get_by_test_id("stStatusWidget")).to_be_hidden()  # no English "Stop" while it loads
            screenshot(page, SCREENSHOTS, "zh-upload-queued")
            open_page(page, upload_server, "home", "overview.title")  # the administrator clicks away
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
    open_page(page, upload_server, "data-management", "insp.page.data")
    summary = page.get_by_test_id("stMain").get_by_test_id("stCode")
    expect(summary).to_contain_text(name, timeout=60_000)
    assert_no_exception(page)
    screenshot(page, SCREENSHOTS, "zh-upload-after-leaving")
    con, _ = snapshot.connect_read(upload_server.db)
    try:
        assert con.execute("SELECT count(*) FROM load_batches WHERE file_name = ?", [name]).fetchone()[0] == 1
    finally:
        con.close()


REGISTRY = ("乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,脱贫年度,主要致贫原因\n"
            "甲镇,一村,H1,张一,,户主,已脱贫,2019,因病\n"
            "甲镇,一村,H1,李一,,配偶,已脱贫,2019,因病\n"
            "甲镇,二村,H2,张二,,户主,未脱贫,,因残\n")


def test_a_server_with_no_database_loads_the_county_s_exports_from_the_browser(
        page: Any, browser: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A county that does not want the demo had to load its first files with the command line: the start
    page of a server with no database only showed `python -m etl demo`. It offers the upload form too; when
    the load is done the app opens the overview on the county's own data, and the data page keeps the
    load's summary."""
    from playwright.sync_api import expect

    db = tmp_path_factory.mktemp("upload_nodb") / "data" / "fupin.duckdb"
    assert not db.exists()
    srv = StreamlitServer(db, ARTIFACTS / "streamlit-e2e-upload-nodb.log").start()
    try:
        page.goto(srv.url)
        main = page.get_by_test_id("stMain")
        expect(main).to_contain_text(t("nodb.upload_note", "zh")[:20], timeout=45_000)
        uploader = page.get_by_test_id("stFileUploader")
        uploader.locator('input[type="file"]').set_input_files(
            [{"name": "贫困人口信息.csv", "mimeType": "text/csv", "buffer": REGISTRY.encode("utf-8")}])
        expect(uploader).to_contain_text("人口信息.csv")
        submit = main.get_by_role("button", name=re.compile(re.escape(t("insp.data.load", "zh"))))
        expect(submit).to_be_enabled(timeout=60_000)
        submit.click()
        main.get_by_role("heading", name=t("overview.title", "zh"), exact=True).wait_for(timeout=120_000)
        assert_no_exception(page)
        expect(metric(page, "households")).to_have_text("2户", timeout=30_000)
        assert snapshot.current_snapshot(db) is not None
        open_page(page, srv, "data-management", "insp.page.data")
        expect(main).to_contain_text(t("insp.data.summary", "zh"))
        expect(main).to_contain_text("贫困人口信息.csv")
    finally:
        srv.stop()
