"""No markup from data in charts, in chromium (issue 14 §1).

The demo county plus one township whose names are markup: the township `<i>斜体</i>镇`, a village
`<a/href="https://evil.example/v">链接村</a>`, another `<b>粗体</b><br>第二行村`, a 责任单位
`<b>粗体</b><br>第二行`, a 问题来源 `<i>斜体</i>来源` — loaded with `python -m etl load` into their own
database and server. Every page is opened for the whole county and for that township; in every chart's
SVG there must be no `<a>`, no bold or italic text and no line break made from those names, and the
names must read exactly as written (Plotly draws the escaped entities as the characters). The briefing
and a household profile are written as HTML files and opened in chromium too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
import pytest

from labels import t
from tests.e2e.conftest import ARTIFACTS, ROOT, SCREENSHOTS, StreamlitServer, build_demo
from tests.e2e.test_browser import PAGES, assert_no_exception, screenshot, wait_idle

pytestmark = pytest.mark.e2e

TOWN = "<i>斜体</i>镇"
# no space in it: a place name loses its spaces (etl field type `place`); `/` separates an attribute as
# well for a browser's HTML parser
LINK_VILLAGE = '<a/href="https://evil.example/v">链接村</a>'
BOLD_VILLAGE = "<b>粗体</b><br>第二行村"
UNIT = "<b>粗体</b><br>第二行"
SOURCE = "<i>斜体</i>来源"
NAMES = (TOWN, LINK_VILLAGE, BOLD_VILLAGE, UNIT, SOURCE)
# fragments of the names: an element whose text holds one and that is a link, bold, italic or a line
# of a broken text was made from file text
FRAGMENTS = ("斜体", "链接村", "粗体", "第二行")


def _id_number(serial: int) -> str:
    body = f"15082419700101{serial:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8-sig")
    return path


def hostile_files(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    households = [  # (户编号, village, 致贫原因, 脱贫属性, 脱贫年份, 人均纯收入)
        ("XSS0000000000001", LINK_VILLAGE, "因病", "已脱贫", "2019", "3000"),
        ("XSS0000000000002", LINK_VILLAGE, "因残", "未脱贫", "", "2500"),
        ("XSS0000000000003", BOLD_VILLAGE, "因病", "已脱贫", "2018", "9000"),
        ("XSS0000000000004", BOLD_VILLAGE, "缺劳力", "返贫", "2018", "2800"),
    ]
    q = '"'
    registry = [
        f'"{TOWN}",{q}{v.replace(q, q * 2)}{q},{hh},{hh}01,户主{n},{_id_number(n)},户主,1,患有大病,{cause},{status},'
        f'{year},{income},2019,"{UNIT}","{UNIT}"'
        for n, (hh, v, cause, status, year, income) in enumerate(households, start=1)
    ]
    files = [_csv(folder / "hostile_registry.csv",
                  "乡(镇),行政村,户编号,人编号,姓名,身份证号码,与户主关系,家庭人口数,健康状况,致贫原因,脱贫属性,"
                  "脱贫年份,人均纯收入,收入年度,帮扶责任人,帮扶单位", registry)]
    files.append(_csv(folder / "hostile_interventions.csv", "户编号,措施类别,措施内容,实施年度,金额(元),责任单位",
                      [f'{hh},产业帮扶,"{UNIT}",2019,1000,"{UNIT}"' for hh, *_ in households]))
    files.append(_csv(folder / "hostile_claims.csv", "户编号,入院日期,出院日期,医疗机构,总费用,基本医保报销,个人自付",
                      [f'{hh},2019-05-01,2019-05-09,"{UNIT}",10000,6000,4000' for hh, *_ in households]))
    files.append(_csv(folder / "hostile_visits.csv", "户编号,走访日期,走访类型,走访人,情况记录",
                      [f'{hh},2020-06-01,入户走访,"{UNIT}","{UNIT}"' for hh, *_ in households]))
    files.append(_csv(
        folder / "hostile_ledger.csv",
        "问题编号,问题来源,发现日期,乡(镇),行政村,户编号,问题类别,问题描述,责任单位,责任人,整改措施,整改时限,整改状态",
        [f'XSS-{n},"{SOURCE}",2020-0{n}-01,"{TOWN}",{q}{v.replace(q, q * 2)}{q},{hh},档案资料不规范,"{UNIT}",'
         f'"{UNIT}",张三,整改,2020-0{n + 1}-01,未整改' for n, (hh, v, *_) in enumerate(households, start=1)]))
    files.append(_csv(folder / "hostile_population.csv", "年度,乡(镇),行政村,乡村户数,乡村人口",
                      [f'2020,"{TOWN}",{q}{v.replace(q, q * 2)}{q},50,150' for v in (LINK_VILLAGE, BOLD_VILLAGE)]))
    files.append(_csv(
        folder / "hostile_checks.csv",
        "调查日期,乡(镇),行政村,户编号,户主姓名,证件号码,户类型,家庭人口,人均纯收入,不愁吃,不愁穿,义务教育保障,"
        "基本医疗保障,住房安全保障,饮水安全保障,核查结论,是否认可,调查人,备注",
        [f'2020-06-28,"{TOWN}",{q}{v.replace(q, q * 2)}{q},{hh},户主{n},,{kind},1,{income},是,是,是,是,是,是,正常,'
         f'{"不认可" if n == 2 else "认可"},"{UNIT}","{UNIT}"'
         for n, (hh, v, _, status, _, income) in enumerate(households, start=1)
         for kind in ["脱贫户" if status == "已脱贫" else "未脱贫户"]]))
    return files


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("markup_e2e")
    db = root / "db" / "fupin.duckdb"
    build_demo(db)
    files = hostile_files(root / "hostile")
    res = subprocess.run([sys.executable, "-m", "etl", "load", *map(str, files), "--db", str(db)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    con = duckdb.connect(str(db.resolve()), read_only=True)
    try:  # the names are in the data as written (else the test would prove nothing)
        assert con.execute("SELECT count(*) FROM households WHERE township = ?", [TOWN]).fetchone()[0] == 4
        assert con.execute("SELECT count(*) FROM households WHERE village = ?", [LINK_VILLAGE]).fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM rectifications WHERE responsible_unit = ? AND source = ?",
                           [UNIT, SOURCE]).fetchone()[0] == 4
    finally:
        con.close()
    return db


@pytest.fixture(scope="module")
def markup_server(browser: Any, hostile_db: Path) -> Any:
    srv = StreamlitServer(hostile_db, ARTIFACTS / "streamlit-e2e-markup.log").start()
    try:
        yield srv
    finally:
        srv.stop()


# Everything made from text in the charts' SVG: links, bold or italic spans (Plotly's <b>, <i>, <em>,
# <span style>), and the lines of a text broken by <br> (tspan.line), each with its text.
_SVG_MARKUP = """(root) => {
  const out = [];
  for (const svg of root.querySelectorAll('svg')) {
    for (const a of svg.querySelectorAll('a')) out.push(['a', a.textContent]);
    for (const s of svg.querySelectorAll('tspan')) {
      const style = (s.getAttribute('style') || '').replace(/\\s/g, '');
      if (/font-weight:bold/.test(style)) out.push(['b', s.textContent]);
      if (/font-style:italic/.test(style)) out.push(['i', s.textContent]);
      if (s.classList.contains('line')) out.push(['br', s.parentNode.textContent]);
      if (/baseline-shift|fill:|color:/.test(style)) out.push(['span', s.textContent]);
    }
  }
  return out;
}"""
_SVG_TEXTS = """(root) => Array.from(root.querySelectorAll('svg text')).map(e => e.textContent)"""


def chart_markup(page: Any) -> tuple[list[list[str]], list[str]]:
    """(markup made from the hostile names, every SVG text) over all charts on the page."""
    made: list[list[str]] = []
    texts: list[str] = []
    for chart in page.get_by_test_id("stPlotlyChart").all():
        chart.locator("svg.main-svg").first.wait_for(state="attached", timeout=30_000)
        made += [m for m in chart.evaluate(_SVG_MARKUP) if any(f in m[1] for f in FRAGMENTS)]
        texts += chart.evaluate(_SVG_TEXTS)
    return made, texts


def _open(page: Any, server: StreamlitServer, path: str, title_key: str, query: str = "") -> None:
    page.goto(f"{server.url}/{'' if path == 'home' else path}{('?' + query) if query else ''}")
    page.get_by_test_id("stMain").get_by_role("heading", name=t(title_key, "zh"), exact=True).first.wait_for(
        timeout=45_000)
    wait_idle(page)
    assert_no_exception(page)
    page.wait_for_timeout(400)  # charts draw after the run


def test_no_markup_from_file_text_in_any_chart(page: Any, markup_server: StreamlitServer) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    seen: set[str] = set()
    charts_seen = 0
    for query in ("", urlencode({"town": TOWN})):
        for path, key in PAGES:
            _open(page, markup_server, path, key, query)
            made, texts = chart_markup(page)
            charts_seen += page.get_by_test_id("stPlotlyChart").count()
            assert not made, f"{path}?{query}: markup made from file text: {made[:5]}"
            seen.update(n for n in NAMES if any(n in s for s in texts))
            # no half-shown name: every text holding a fragment holds the whole name as written
            broken = [s for s in texts if any(f in s for f in FRAGMENTS) and not any(n in s for n in NAMES)]
            assert not broken, f"{path}?{query}: names not shown as written: {broken[:5]}"
            if path in ("home", "rectification-tracker") and query:
                screenshot(page, SCREENSHOTS, f"zh-markup-{path}")
    assert charts_seen >= 20, charts_seen
    # every hostile name was drawn somewhere, as plain text reading exactly as in the file
    assert seen == set(NAMES), set(NAMES) - seen
    assert not [u for u in requests if "evil.example" in u]


def test_clicking_a_hostile_village_bar_filters_to_it(page: Any, markup_server: StreamlitServer) -> None:
    """The chart's categories are escaped for Plotly; the selection gives the name back as written."""
    _open(page, markup_server, "home", "overview.title", urlencode({"town": TOWN}))
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    tick = chart.locator(".ytick text", has_text="链接村").first
    assert tick.text_content() == LINK_VILLAGE  # drawn as written
    tick_box = tick.bounding_box()
    bars = chart.locator(".barlayer").first.bounding_box()
    assert tick_box and bars
    page.mouse.click(bars["x"] + 10, tick_box["y"] + tick_box["height"] / 2)  # its bar, beside the label
    wait_idle(page)
    assert_no_exception(page)
    page.wait_for_function("() => decodeURIComponent(location.search).includes('链接村')", timeout=30_000)
    assert LINK_VILLAGE in page.evaluate("() => new URLSearchParams(location.search).getAll('village').join('|')")


def test_briefing_and_profile_files_draw_names_as_text(page: Any, hostile_db: Path, tmp_path: Path) -> None:
    import datetime as dt

    from queries.filters import Filters, Viewer
    from queries.profile import profile as load_profile
    from ui import briefing_html, profile_html

    con = duckdb.connect(str(hostile_db.resolve()), read_only=True)
    try:
        as_of = dt.date(2020, 6, 30)
        files = {
            "briefing": briefing_html.build(con, Filters(townships=(TOWN,)), Viewer(), lang="zh", as_of=as_of,
                                            data_as_of=as_of),
            "briefing-county": briefing_html.build(con, Filters(), Viewer(), lang="zh", as_of=as_of,
                                                   data_as_of=as_of),
            "profile": profile_html.render([load_profile(con, "XSS0000000000001", Viewer(), as_of)], "zh", as_of),
        }
    finally:
        con.close()
    seen: set[str] = set()
    for name, text in files.items():
        path = tmp_path / f"{name}.html"
        path.write_text(text, encoding="utf-8")
        page.goto(path.as_uri())
        page.wait_for_function("() => document.querySelectorAll('.plotly-graph-div svg.main-svg').length > 0",
                               timeout=30_000)
        page.wait_for_timeout(300)
        made = page.locator("body").evaluate(_SVG_MARKUP)
        made = [m for m in made if any(f in m[1] for f in FRAGMENTS)]
        assert not made, f"{name}: markup made from file text: {made[:5]}"
        texts = page.evaluate("() => Array.from(document.querySelectorAll('svg text')).map(e => e.textContent)")
        seen.update(n for n in NAMES if any(n in s for s in texts))
        assert page.locator("a[href*='evil.example']").count() == 0, name
        if name == "briefing":
            page.screenshot(path=str(SCREENSHOTS / "zh-markup-briefing-file.png"), full_page=True)
    assert TOWN in seen, seen
