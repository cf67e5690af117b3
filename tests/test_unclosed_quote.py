"""A quote without its pair in a CSV export (a clerk typed `"张二`): the parser read every line after it,
up to the next quote or the file's end, as that one value, so whole households vanished into a 姓名
(a registry of 19 rows read as 11: 8 households gone, one row loaded with 户主 as its 脱贫状态). The
quote's row is rejected with its text; the lines it swallowed are read as the rows they are. A note of
several lines (a quoted value holding line breaks and ending as a value ends) is kept whole. Real files
through the real reader and loader."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from etl import csv_blocks, snapshot
from etl.readers import read_file
from labels import t
from tests import conftest

HEADER = "乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,脱贫年度,主要致贫原因,健康状况"


def row(i: int, name: str | None = None) -> str:
    return f"乙镇,三村,H{i},{name or f'王{i}'},,户主,已脱贫,2019,因病,"


def households(db: Path) -> dict[str, tuple[str, str | None, str | None]]:
    con, _ = snapshot.connect_read(db)
    try:
        return {h: (t, n, s) for h, t, n, s in con.execute(
            "SELECT household_id, township, head_name, exit_status FROM households").fetchall()}
    finally:
        con.close()


def rejected(db: Path) -> list[tuple[int, str, str]]:
    con, _ = snapshot.connect_read(db)
    try:
        return [(line, rule, json.loads(raw)["row"]) for line, rule, raw in con.execute(
            "SELECT line, rule, raw FROM rejected_rows ORDER BY line").fetchall()]
    finally:
        con.close()


def test_a_stray_quote_closed_lines_later_swallows_no_household(tmp_path: Path) -> None:
    """The stray quote of line 3 met the quote of `"王,十"` on line 12: lines 4-11 were one 姓名."""
    lines = [HEADER, "甲镇,一村,H1,张一,,户主,未脱贫,,因病,长期慢性病", '甲镇,一村,H2,"张二,,户主,已脱贫,2019,因残,',
             *(row(i) for i in range(3, 10)), row(10, '"王,十"'), *(row(i) for i in range(11, 20))]
    db, report = conftest.load_lines(tmp_path, {"人口.csv": lines})
    assert report.exit_code == 0
    got = households(db)
    assert sorted(got) == sorted(f"H{i}" for i in range(1, 20) if i != 2)
    assert got["H5"] == ("乙镇", "王5", "已脱贫") and got["H10"] == ("乙镇", "王,十", "已脱贫")
    assert rejected(db) == [(3, "unclosed_quote_row", lines[2])]


def test_an_unclosed_quote_takes_nothing_after_it(tmp_path: Path) -> None:
    """Never closed: every line to the file's end was one value (49 rows read as 2)."""
    lines = [HEADER, '甲镇,一村,H1,"张一,,户主,未脱贫,,因病,长期慢性病', *(row(i) for i in range(2, 50))]
    db, _ = conftest.load_lines(tmp_path, {"人口.csv": lines})
    assert sorted(households(db)) == sorted(f"H{i}" for i in range(2, 50))
    assert rejected(db) == [(2, "unclosed_quote_row", lines[1])]


def test_a_note_of_several_lines_stays_one_value(tmp_path: Path) -> None:
    """A visit's 情况记录 written with line breaks (Alt+Enter in Excel) is one quoted value: no row set aside."""
    path = tmp_path / "走访.csv"
    path.write_text('户编号,走访日期,走访类型,走访人,情况记录\nH1,2020-05-01,入户走访,李四,"第一行,有逗号\n第二行"\n'
                    'H2,2020-05-02,入户走访,李四,"他说""好""\n再见",\nH3,2020-05-03,入户走访,李四,无\n', encoding="utf-8")
    raw = read_file(path)
    assert raw.unclosed_quote == [] and raw.malformed == []
    notes = raw.table.column("notes").to_pylist()
    assert notes == ["第一行,有逗号\n第二行", '他说"好"\n再见', "无"]
    assert raw.table.column("_line").to_pylist() == [2, 4, 6]


@pytest.mark.parametrize("block_bytes", [128, 300, 1 << 20])
def test_line_numbers_hold_across_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int) -> None:
    """Blocks cut anywhere (tiny ones too): each row keeps its line, each stray quote its own row."""
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", block_bytes)
    body = [row(i, f'"王{i}' if i in (5, 30) else None) for i in range(2, 60)]
    path = tmp_path / "人口.csv"
    path.write_text("\n".join([HEADER, *body]) + "\n", encoding="utf-8")
    raw = read_file(path)
    assert [line for line, _ in raw.unclosed_quote] == [5, 30]
    assert raw.table.num_rows == 58 - 2
    ids = raw.table.column("household_id").to_pylist()
    assert ids == [f"H{i}" for i in range(2, 60) if i not in (5, 30)]
    assert raw.table.column("_line").to_pylist() == [i for i in range(2, 60) if i not in (5, 30)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_load_says_which_line_and_why(tmp_path: Path, lang: str) -> None:
    """The command line names the line and the quote, in the user's language."""
    path = tmp_path / "人口.csv"
    path.write_text("\n".join([HEADER, '甲镇,一村,H1,"张一,,户主,未脱贫,,因病,', row(2)]) + "\n", encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "etl", "--lang", lang, "load", str(path), "--db", str(tmp_path / "d.duckdb")],
                       cwd=conftest.ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert t("rule.unclosed_quote_row", lang, file="人口.csv", line=2) in p.stdout, p.stdout


@pytest.mark.parametrize("last", ['"乙镇,三村,H3,王3,,户主,已脱贫,2019,因病,', '乙镇,三村,H3,"王3,,户主,已脱贫,2019,因病,'])
def test_a_stray_quote_on_the_last_line_is_an_unclosed_quote(tmp_path: Path, last: str) -> None:
    """On the file's last line the quote swallows only the rest of its line: the row was skipped unsaid
    (a quote before its first field: one cell, taken for a title) or rejected as of another shape."""
    lines = [HEADER, row(1), row(2), last]
    db, _ = conftest.load_lines(tmp_path, {"人口.csv": lines})
    assert sorted(households(db)) == ["H1", "H2"]
    assert rejected(db) == [(4, "unclosed_quote_row", last)]


@pytest.mark.parametrize("block_bytes", [100, 200])
def test_a_stray_quote_on_a_blocks_last_line_is_an_unclosed_quote(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int) -> None:
    """A block is cut before a row whose quote is open: that quote, on the block's last line, was a
    malformed row, the same quote elsewhere an unclosed one."""
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", block_bytes)
    path = tmp_path / "人口.csv"
    path.write_text("\n".join([HEADER, *(row(i, '"q' if i in (4, 7) else None) for i in range(1, 12))]) + "\n",
                    encoding="utf-8")
    raw = read_file(path)
    assert raw.malformed == []
    assert [line for line, _ in raw.unclosed_quote] == [5, 8]
    assert raw.table.column("_line").to_pylist() == [i + 1 for i in range(1, 12) if i not in (4, 7)]


@pytest.mark.parametrize("block_bytes", [64, 100, 128])
def test_a_stray_quote_does_not_cut_a_later_note_in_two(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int) -> None:
    """A stray quote put the blocks' cut out of step (quotes counted in pairs from it): a block ended inside
    a later note of several lines, the note was rejected as an unclosed quote and its other lines skipped
    unsaid. The stray quote's row alone is rejected; every visit else loads on its line."""
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", block_bytes)

    def note(i: int) -> str:
        return {3: '"第一行,有逗号\n第二行\n第三行"', 9: '"第一行,有逗号\n第二行\n第三行"', 6: '"跑掉', 12: '王"五'}.get(i, "无")

    path = tmp_path / "走访.csv"
    path.write_text("户编号,走访日期,走访类型,走访人,情况记录\n"
                    + "".join(f"H{i},2020-05-01,入户走访,李四,{note(i)}\n" for i in range(1, 16)), encoding="utf-8")
    raw = read_file(path)
    assert raw.unclosed_quote == [(9, 'H6,2020-05-01,入户走访,李四,"跑掉')] and raw.malformed == []
    assert (raw.rows_read, raw.skipped) == (15, 0)
    assert raw.table.column("household_id").to_pylist() == [f"H{i}" for i in range(1, 16) if i != 6]
    assert raw.table.column("_line").to_pylist() == [2, 3, 4, 7, 8, 10, 11, 12, 15, 16, 17, 18, 19, 20]
    assert raw.table.column("notes").to_pylist()[7] == "第一行,有逗号\n第二行\n第三行"


def test_a_stray_quote_behind_a_quote_that_is_text_is_found(tmp_path: Path) -> None:
    """王"五's quote (text) made a block's quotes even: the stray quote open on the block's last line was
    not looked for, and its row loaded (情况记录 `跑`) where the same quote elsewhere is rejected."""
    path = tmp_path / "走访.csv"
    notes = {1: '王"五', 2: '"跑', 3: '"跑'}
    path.write_text("户编号,走访日期,走访类型,走访人,情况记录\n"
                    + "".join(f"H{i},2020-05-01,入户走访,李四,{notes.get(i, '无')}\n" for i in range(1, 7)), encoding="utf-8")
    raw = read_file(path)
    assert [line for line, _ in raw.unclosed_quote] == [3, 4]
    assert raw.table.column("household_id").to_pylist() == ["H1", "H4", "H5", "H6"]
    assert raw.table.column("notes").to_pylist()[0] == '王"五'


@pytest.mark.parametrize("stray", ['"H2,2020-05-01,入户走访,李四,"备注"', '"H2,2020-05-01,入户走访,李四,"多行,\n备注"'])
def test_a_stray_quote_closed_on_its_own_line_past_a_delimiter(tmp_path: Path, stray: str) -> None:
    """A quote typed before a row's first field met the quote of the row's own note: the fields between
    were one, the row of two fields was taken for a title and skipped unsaid (and a note's second line
    with it). The row is rejected with its text; a quote that merges no field (`"王五"(户主)`) stays text."""
    path = tmp_path / "走访.csv"
    path.write_text("户编号,走访日期,走访类型,走访人,情况记录\nH1,2020-05-01,入户走访,李四,\"王五\"(户主)\n"
                    f"{stray}\nH3,2020-05-01,入户走访,李四,无\n", encoding="utf-8")
    raw = read_file(path)
    assert raw.unclosed_quote == [(3, stray)] and raw.skipped == 0
    assert raw.table.column("household_id").to_pylist() == ["H1", "H3"]
    assert raw.table.column("notes").to_pylist()[0] == "王五(户主)"
