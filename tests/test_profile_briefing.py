"""The household profile and the township briefing as self-contained HTML: no http(s) reference, the
figures inside, text from data escaped (a `<script>` in a visit note stays text)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from etl import derive
from labels import t
from queries import profile
from queries.filters import Filters, Viewer
from ui import briefing_html, profile_html

AS_OF = dt.date(2020, 6, 30)
EVIL = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def evil_db(fixture_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("evil") / "fupin.duckdb"
    shutil.copyfile(fixture_db, path)
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO visits (record_key, household_id, visit_date, visit_type, visitor, notes, batch_id, source_line) VALUES ('VX', 'H09', DATE '2020-06-29', '入户走访', ?, ?, 1, 0)",
                [EVIL, EVIL + "<img src=x onerror=alert(1)>"])
    con.execute("UPDATE rectifications SET description = ? WHERE issue_id = 'R1'", [EVIL])
    derive.build_all(con)
    con.execute("CHECKPOINT")
    con.close()
    return path


def assert_self_contained(doc: str) -> None:
    assert doc.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?://", doc, re.IGNORECASE)
    assert not re.search(r"<script[^>]*\bsrc\s*=", doc, re.IGNORECASE)  # scripts are inline
    assert not re.search(r"<link\b", doc, re.IGNORECASE)
    markup = re.sub(r"<script>.*?</script>", "", doc, flags=re.DOTALL)  # the document outside scripts
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(//|https?:)""", markup, re.IGNORECASE)
    assert "@media print" in doc


def test_profile_html(evil_db: Path) -> None:
    with duckdb.connect(str(evil_db), read_only=True) as con:
        profs = profile.profiles(con, ["H09", "H01"], Viewer(), AS_OF)
    doc = profile_html.render(profs, "zh", AS_OF, {"H09": ["独居老人", "未脱贫"]})
    assert_self_contained(doc)
    assert "window.print()" in doc and "Plotly" in doc  # embedded plotly.js, print button
    assert "岳*" in doc and "岳明" not in doc  # masked
    assert "150824********7777" in doc
    assert "独居老人" in doc and "3,500" in doc and "3,218" in doc  # reasons, income, the line
    assert EVIL not in doc and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in doc
    assert "<img src=x" not in doc
    assert doc.count('class="household"') == 2  # one printed page per household
    en = profile_html.render(profs, "en", AS_OF)
    assert "Household profile" in en and "Members" in en
    # a defect's column reads as its label (it read id_number, name …)
    with duckdb.connect(str(evil_db), read_only=True) as con:
        h10 = profile.profiles(con, ["H10"], Viewer(), AS_OF)
    field = str(h10[0].defects["field"].iloc[0])
    doc = profile_html.render(h10, "zh", AS_OF)
    assert f'<td class="nw">{t(f"field.{field}", "zh")}</td>' in doc and f">{field}</td>" not in doc


def test_profile_not_found() -> None:
    doc = profile_html.render([], "zh", AS_OF)
    assert "找不到该户" in doc


def test_briefing_html(evil_db: Path) -> None:
    with duckdb.connect(str(evil_db), read_only=True) as con:
        doc = briefing_html.build(con, Filters(townships=("乌加河镇",)), Viewer(), lang="zh", as_of=AS_OF,
                                  data_as_of=AS_OF)
        banner = briefing_html.build(con, Filters(), Viewer(), lang="en", as_of=AS_OF, data_as_of=AS_OF)
    assert_self_contained(doc)
    assert "乌加河镇脱贫攻坚督查简报" in doc
    # headline figures of 乌加河镇: 4 registered households, 8 registered people, 2 open items, 1 overdue,
    # each with its unit as the page's tiles write it
    kpis = dict(re.findall(r'<div class="v">([^<]*)</div><div class="l">([^<]*)</div>', doc))
    assert {v: k for k, v in kpis.items()}["建档立卡户"] == "4户"
    assert {v: k for k, v in kpis.items()}["建档立卡人口"] == "8人"
    assert {v: k for k, v in kpis.items()}["未完成整改事项"] == "2项"
    assert {v: k for k, v in kpis.items()}["逾期整改事项"] == "1项"
    assert doc.count('class="plotly-graph-div"') >= 5  # key charts of every page
    # the visit list; short cells (a name, a place, a code) on one line (廖*凤 wrapped to 廖* / 凤; a probe)
    assert "走访名单" in doc and '<td class="nw">H03</td>' in doc and '<td class="nw">乌加河镇</td>' in doc
    assert '<td class="nw">R2</td>' in doc and '<td class="nw">R1</td>' in doc and ">R3</td>" not in doc  # open items of the township only
    assert EVIL not in doc and "&lt;script&gt;" in doc
    assert_self_contained(banner)
    assert "Whole banner" in banner and "Headline figures" in banner


def test_split_gives_each_households_rows_in_order() -> None:
    """Section frames come ordered by household (one slice each), but any order must split right."""
    import pandas as pd

    from queries.profile import _split

    for ids in (["a", "a", "b", "c", "c", "c"], ["a", "b", "a", "c", "b", "c"]):
        df = pd.DataFrame({"household_id": ids, "v": range(len(ids)), "t": [f"x{i}" for i in range(len(ids))]})
        part = _split(df)
        for hid in ("a", "b", "c", "missing"):
            want = df[df["household_id"] == hid].drop(columns=["household_id"]).reset_index(drop=True)
            got = part(hid)
            pd.testing.assert_frame_equal(got, want, check_index_type=False)
            assert list(got.index) == list(range(len(want)))


def test_the_english_profile_translates_what_the_registry_writes(demo_con) -> None:  # noqa: ANN001
    """The English profile showed 户主, 非在校生 and a measure's 已完成 as written; they read Head,
    Not a student, Completed (place and person names stay as written)."""
    from queries import profile
    from queries.filters import Viewer
    from queries.meta import data_as_of
    from ui import profile_html

    d = data_as_of(demo_con)
    hid = demo_con.execute("""SELECT household_id FROM interventions WHERE status = '已完成'
                              INTERSECT SELECT household_id FROM members WHERE school_status = '非在校生'
                              ORDER BY 1 LIMIT 1""").fetchone()[0]
    p = profile.profile(demo_con, hid, Viewer(), d)
    assert p is not None
    html = profile_html.render([p], "en", d)
    head = html.split("<h3>Visits")[0]  # visit notes are data text, as written
    assert not any(w in head for w in ("户主", "非在校生", "已完成", "：")), hid
    assert all(w in html for w in ("Head", "Not a student", "Completed"))


def test_a_household_without_other_causes_reads_blank_among_several(fixture_db: Path, tmp_path: Path) -> None:
    """The visit list's profiles of its first households (one HTML of several) wrote "其他致贫原因：nan"
    for a household the registry gives no other cause: among several households the missing text came
    back as a float NaN, which the profile took for a text (a browser review of 入户走访). The title's
    head name too."""
    path = tmp_path / "fupin.duckdb"
    shutil.copyfile(fixture_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE households SET other_causes = NULL, head_name = NULL WHERE household_id = 'H02'")
        profs = profile.profiles(con, ["H01", "H02"], Viewer(), AS_OF)
    for lang in ("zh", "en"):
        doc = profile_html.render(profs, lang, AS_OF)
        label = t("field.other_causes", lang) + t("common.colon", lang)
        shown = re.findall(re.escape(label) + r"</b>(.*?)</div>", doc)
        assert shown == ["Lack of skills" if lang == "en" else "缺技术", ""], shown
        titles = re.findall(r"<h2>(.*?)</h2>", doc)
        assert len(titles) == 2 and titles[1].endswith("H02 · "), titles  # no head name: blank, not nan


def test_the_english_profile_translates_a_member_s_several_health_values(demo_con) -> None:  # noqa: ANN001
    """A member of 长期慢性病、残疾 read so in the English profile, while the grid and the extracts say
    "Chronic illness, Disabled" (a probe)."""
    from labels import code_label
    from queries.meta import data_as_of

    d = data_as_of(demo_con)
    hid = demo_con.execute("SELECT household_id FROM members WHERE len(health) > 1 ORDER BY 1 LIMIT 1").fetchone()[0]
    p = profile.profile(demo_con, hid, Viewer(), d)
    assert p is not None
    html = profile_html.render([p], "en", d)
    several = [h for h in p.members["health"] if isinstance(h, str) and "、" in h]
    assert several, p.members["health"]
    for cell in several:
        assert cell not in html
        assert ", ".join(code_label(v, "en") for v in cell.split("、")) in html


def test_briefing_and_profile_charts_are_named(evil_db: Path) -> None:
    """A screen reader calls each chart of a downloaded briefing or profile by its heading (an unnamed
    chart is a graphic of numbers); a name from the data stays text."""
    import html as html_mod

    with duckdb.connect(str(evil_db), read_only=True) as con:
        for lang in ("zh", "en"):
            doc = briefing_html.build(con, Filters(), Viewer(), lang=lang, as_of=AS_OF, data_as_of=AS_OF)
            charts = doc.count('class="plotly-graph-div"')
            names = re.findall(r'<div class="chart" role="figure" aria-label="([^"]+)">', doc)
            assert charts and len(names) == charts, (charts, names)
            assert t("since.trend", lang) in [html_mod.unescape(n) for n in names] or not doc.count('id="since"')
            profs = profile.profiles(con, ["H01"], Viewer(), AS_OF)
            prof = profile_html.render(profs, lang, AS_OF)
            assert prof.count('class="plotly-graph-div"') == prof.count('role="figure" aria-label="')
