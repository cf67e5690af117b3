"""The DuckDB fast path of the CSV reader gives exactly what the block reader gives.

Each case reads one file both ways into a DuckDBSink and compares the RawFile fields and every row
of the sink's table; awkward files must fall back (and so match trivially), plain ones must not.
A random fuzz over awkward tokens and a full load of a small county both ways close the loop.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import duckdb
import pytest

from etl import csv_fast, csv_file, load, readers
from etl.raw_file import quote_ident

REG = "乡（镇）,行政村,户编号,人编号,姓名,证件号码,与户主关系,人数,健康状况,人均纯收入"
ROW = '乌加河镇,联丰奋斗村,150824101001,15082410100101,张三,15082419800101123X,户主,2,健康,3500'
QROW = '"乌加河镇","联丰奋斗村","150824101001","15082410100101","张三","15082419800101123X","户主",2,"健康",3500'
VISITS = "户编号,走访日期,走访类型,走访人,情况记录"


def _read(path: Path, fast: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, object], list[tuple]]:
    monkeypatch.setattr(csv_file, "FAST_CSV", fast)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")  # as the loader's connection
    sink = readers.DuckDBSink(con)
    try:
        raw = readers.read_file(path, sink=sink)
    except readers.ReadError as exc:
        return {"error": exc.code, "params": exc.params}, []
    sink.ensure(raw.table.column_names)
    fields = {k: getattr(raw, k) for k in ("kind", "encoding", "header_line", "columns", "ignored_columns",
                                           "rows_read", "skipped", "malformed", "sha256", "data_rows")}
    cols = ", ".join(quote_ident(c) for c in sink.columns)
    rows = con.execute(f"SELECT {cols} FROM {sink.ref} ORDER BY _line").fetchall()  # noqa: S608
    fields["columns_in_table"] = sink.columns
    con.close()
    return fields, rows


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Compare both paths on `path`; True when the fast path was taken."""
    taken: list[bool] = []
    fast_read = csv_fast.read_csv_duckdb

    def spy(*args: object, **kwargs: object) -> readers.RawFile | None:
        result = fast_read(*args, **kwargs)  # type: ignore[arg-type]
        taken.append(result is not None)
        return result

    monkeypatch.setattr(csv_fast, "read_csv_duckdb", spy)
    slow = _read(path, False, monkeypatch)
    fast = _read(path, True, monkeypatch)
    assert fast == slow
    return any(taken)


def _write(tmp_path: Path, name: str, lines: list[str], *, newline: str = "\n", encoding: str = "utf-8",
           end: bool = True) -> Path:
    path = tmp_path / name
    path.write_bytes((newline.join(lines) + (newline if end else "")).encode(encoding))
    return path


FAST_CASES = {
    "plain": [REG, ROW, QROW],
    "crlf": [REG, ROW, QROW],
    "bom": [REG, ROW],
    "title_rows": ["乌拉特中旗贫困人口信息表,,,", "填报单位：乌加河镇", REG, ROW, QROW],
    "two_row_header": ["乡（镇）,行政村,户编号,人编号,姓名,证件号码,与户主关系,人数,成员状况,收入情况",
                       ",,,,,,,,健康状况,人均纯收入", ROW, QROW],
    "blank_and_quoted_title_rows": ["", '"贫困人口信息表,2020年"', ",,,", REG, ROW],
    "blank_and_summary_rows": [REG, ROW, ",,,,,,,,,", "合 计,,,,,,,,,", "乌加河镇小计,,,,,,,,,", QROW,
                               ",,,,,,,,,", "乌加河镇,联丰奋斗村,,,,,,,,"],
    "whitespace": [REG, ' 乌加河镇\u3000,联丰奋斗村\xa0,150824101001 ,\u2003x\u2009,\u3000,  ,户主,\t2,\u00b7健康\u200b,35 00',
                   '乌加河镇,\u3000联丰,150824101001," \u3000x",张\u3000三,"",户主 ,2,健康,\u2028'],
    "quotes_inside": [REG, 'a"b,村,1,"x""y","名,字",证,户主,2,健康,1'],
    "no_final_newline": [REG, ROW, QROW],
    "header_only": [REG],
    "unicode": [REG, "苏木,嘎查,1,😀,𠀀𠀁,证,户主,2,健康,1"],
    # a subtotal labelled in the household's or the person's column, a signature footer, a row numbering
    # the columns (栏次), and data rows of small numbers that do not number them
    "labels_footer_numbering": [REG, "1,2,3,4,5,6,7,8,9,10", ROW, "乌加河镇,联丰奋斗村,小计,,,,,,,3500",
                                "乌加河镇,联丰奋斗村,,,合计,,,,,", "填表人：张三,,,,审核人：李四,,,,,",
                                "苏木,嘎查,1,2,3,证,户主,2,健康,1", "1,2,3,4,5,6,7,8,9,11", QROW],
    # a delimiter after a row's last value (empty fields past the header): DuckDB reads the row as it is,
    # the block reader must too, not reject it as of another width
    "trailing_empty_fields": [REG, ROW + ",", QROW, ROW + ",,", QROW + ',""'],
}


@pytest.mark.parametrize("case", sorted(FAST_CASES))
def test_fast_path_equal(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = FAST_CASES[case]
    path = _write(tmp_path, "人口.csv", lines, newline="\r\n" if case == "crlf" else "\n",
                  encoding="utf-8-sig" if case == "bom" else "utf-8", end=case != "no_final_newline")
    assert _both(path, monkeypatch)


SLOW_CASES = {
    "quoted_newline": [REG, '乌加河镇,"联丰\n奋斗村",150824101001,1,张三,证,户主,2,健康,1', ROW],
    "empty_line": [REG, ROW, "", QROW],
    "trailing_empty_line": [REG, ROW, ""],
    "short_row": [REG, ROW, "乌加河镇,联丰奋斗村,150824101001"],
    "long_row": [REG, ROW, QROW, ROW + ",extra,more"],
    "trailing_blank_field": [REG, ROW, ROW + ", ", ROW + ",\u3000,"],
    # most rows padded with a delimiter (their width is the data's), one not: it lacks an unlabelled field
    "trailing_delimiter_but_one": [REG, ROW + ",", ROW + ",", ROW, QROW + ","],
    "blank_before_quote": [REG, '乌加河镇, "联丰奋斗村",150824101001,1,张三,证,户主,2,健康,1'],
    "tab_before_quote": [REG, '乌加河镇,\t"联丰奋斗村",150824101001,1,张三,证,户主,2,健康,1'],
    "text_after_quote": [REG, '乌加河镇,"联丰"奋斗村,150824101001,1,张三,证,户主,2,健康,1'],
    "unterminated_quote": [REG, ROW, '乌加河镇,"联丰奋斗村,150824101001,1,张三,证,户主,2,健康,1'],
    "lone_cr": [REG, ROW + "\r" + QROW],
    "mixed_line_ends": [REG, ROW + "\r", QROW],
    "nul": [REG, ROW.replace("张三", "张\x00三")],
    "multiline_header": ['乡（镇）,"行政\n村",户编号,人编号,姓名,证件号码,与户主关系,人数,健康状况,人均纯收入', ROW],
}


@pytest.mark.parametrize("case", sorted(SLOW_CASES))
def test_fallback_equal(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "人口.csv", SLOW_CASES[case])
    assert not _both(path, monkeypatch)


def test_encodings_fall_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gbk = _write(tmp_path, "gbk.csv", [REG, ROW], encoding="gb18030")
    assert not _both(gbk, monkeypatch)
    # an ASCII head, GBK further down: DuckDB refuses the bytes, the block reader retries as GB18030
    late = tmp_path / "late.csv"
    head = (VISITS + "\n" + "\n".join(f"{i},2020-01-01,电话,x,ok" for i in range(40_000)) + "\n").encode()
    late.write_bytes(head + "1,2020-01-02,电话,张三,好\n".encode("gb18030"))
    assert not _both(late, monkeypatch)
    bad = tmp_path / "bad.csv"
    bad.write_bytes((VISITS + "\n1,2020-01-01,电话,x,ok\n").encode() + b"2,2020-01-01,\xff\xfe,x,ok\n")
    assert not _both(bad, monkeypatch)


def test_tab_separated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "v.txt", [VISITS.replace(",", "\t"), "1\t2020-01-01\t电话\t张 三\t\"a,b\"",
                                      "2\t2020-01-02\t入户\t\t"])
    assert _both(path, monkeypatch)


# Each character trimming removes, once, at a value's edge, in an otherwise clean file: the fast path's
# scan (csv_fast.may_need_trim) must see it, or the value would stay untrimmed.
EDGES = {
    "start": lambda c: f"1,2020-01-01,电话,{c}张三,好",
    "end": lambda c: f"1,2020-01-01,电话,张三{c},好",
    "first_of_line": lambda c: f"{c}1,2020-01-01,电话,张三,好",
    "last_of_line": lambda c: f"1,2020-01-01,电话,张三,好{c}",
    "quoted_start": lambda c: f'1,2020-01-01,电话,"{c}张三",好',
    "quoted_end": lambda c: f'1,2020-01-01,电话,张三,"好{c}"',
    "alone": lambda c: f"1,2020-01-01,电话,{c},好",
}
EDGE_CHARS = [c for c in csv_fast.TRIM_CHARS if c not in "\n\r"]


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_one_trim_character_at_an_edge_is_trimmed_on_the_fast_path(edge: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    clean = "2,2020-01-02,入户,李 四,“好”、《手册》已发·3000元"  # blanks and CJK punctuation inside values only
    for i, char in enumerate(EDGE_CHARS):
        for end in (True, False):  # the row last, without a line end, too
            path = _write(tmp_path, f"走访{i}{end}.csv", [VISITS, clean, EDGES[edge](char)], end=end)
            assert csv_fast.may_need_trim(path, len(VISITS.encode()) + 1, ","), (edge, hex(ord(char)))
            _both(path, monkeypatch)


def test_a_clean_file_is_read_without_the_trim(tmp_path: Path) -> None:
    rows = [VISITS] + [f"{i},2020-01-0{i % 9 + 1},电话,张 三{i},“好”、《手册》已发·3000元" for i in range(50_000)]
    path = _write(tmp_path, "走访.csv", rows, end=False)
    assert not csv_fast.may_need_trim(path, len(VISITS.encode()) + 1, ",")
    tab = _write(tmp_path, "走访.txt", [r.replace(",", "\t") for r in rows])
    assert not csv_fast.may_need_trim(tab, len(VISITS.encode()) + 1, "\t")


TOKENS = ["乌加河镇", "联丰", "1508", "x", "", " ", "\u3000", "\xa0", "\t", '"', '""', '"a,b"', '"a""b"', "合计",
          "小 计", "序号", "a b", " a", "a ", '"\n"', "\r", "😀", "·", "\u2003", ",", "\x00", "\u200b", '" a "']


def _fuzz_lines(rng: random.Random) -> list[str]:
    width = len(VISITS.split(","))
    lines = [VISITS]
    for _ in range(rng.randint(0, 12)):
        if rng.random() < 0.05:
            lines.append(rng.choice(["", ",,,,", "合计,,,,"]))
            continue
        n = width if rng.random() < 0.9 else rng.randint(1, width + 2)
        cells = ["".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 3))) for _ in range(n)]
        lines.append(",".join(cells))
    return lines


@pytest.mark.parametrize("seed", range(16))
def test_fuzz_equal(seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    for i in range(10):
        lines = _fuzz_lines(rng)
        path = _write(tmp_path, f"走访{i}.csv", lines, newline=rng.choice(["\n", "\r\n"]), end=rng.random() < 0.9)
        _both(path, monkeypatch)


def _tables(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out: dict[str, list[tuple]] = {}
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
                                    "ORDER BY table_name").fetchall():
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND column_name <> 'loaded_at'",
                [table]).fetchall()]
            names = ", ".join(quote_ident(c) for c in cols)
            where = " WHERE key <> 'built_at'" if table in ("meta", "facts_meta") else ""
            rows = con.execute(f"SELECT {names} FROM {quote_ident(table)}{where}").fetchall()  # noqa: S608
            out[table] = sorted(map(repr, rows))
        return out
    finally:
        con.close()


def test_load_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole load (registry with awkward rows, then a ledger) gives the same database both ways."""
    reg = _write(tmp_path, "人口.csv", ["贫困人口信息表,,,", REG, ROW, QROW.replace("张三", "李四").replace("123X", "1234")
                                        .replace("户主", "配偶"), ",,,,,,,,,", "合 计,,,,,,,,,",
                                        ",联丰奋斗村,150824101002,1,王五,150824199003033456,户主,1,健康,abc",
                                        " 德岭山镇 ,兴丰,150824102001,,赵六\u3000,,户主,x,,"])
    visits = _write(tmp_path, "走访.csv", [VISITS, "150824101001,2020-01-01,电话,x,ok", "150824101001,2020-13-01,电话,,"
                                           , ",2020-01-01,电话,x,"])
    results = []
    for fast in (False, True):
        monkeypatch.setattr(csv_file, "FAST_CSV", fast)
        db = tmp_path / f"db{fast}" / "fupin.duckdb"
        db.parent.mkdir()
        report = load.load_files([reg, visits], db)
        results.append(([f.to_json() for f in report.files], _tables(db)))
    assert results[0][0] == results[1][0]
    for table in results[0][1]:
        assert (table, results[0][1][table]) == (table, results[1][1][table])


@pytest.mark.parametrize("case", ["plain", "title_rows", "blank_and_summary_rows", "quoted_newline", "short_row"])
def test_gzip_reads_as_its_text(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A .csv.gz gives what its text gives, hash included, on both paths; DuckDB still takes plain ones."""
    lines = {**FAST_CASES, **SLOW_CASES}[case]
    text = _write(tmp_path, "人口.csv", lines)
    packed = tmp_path / "人口.csv.gz"
    with gzip.open(packed, "wb") as f:
        f.write(text.read_bytes())
    assert packed.stat().st_size != text.stat().st_size
    assert _both(packed, monkeypatch) == (case in FAST_CASES)
    for fast in (False, True):
        assert _read(packed, fast, monkeypatch) == _read(text, fast, monkeypatch)


def test_gzip_of_many_members_and_gbk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exports appended chunk by chunk are gzip streams one after another; GB18030 text decompresses too."""
    packed = tmp_path / "走访.csv.gz"
    lines = [VISITS] + [f"{i},2020-01-01,电话,张三,好" for i in range(2_000)]
    for start in range(0, len(lines), 500):
        with gzip.open(packed, "ab") as f:
            f.write(("\n".join(lines[start:start + 500]) + "\n").encode())
    fields, rows = _read(packed, True, monkeypatch)
    assert fields["data_rows"] == 2_000 and rows[-1][0] == 2_001  # _line of the last row
    assert _both(packed, monkeypatch)
    gbk = tmp_path / "gbk.csv.gz"
    with gzip.open(gbk, "wb") as f:
        f.write(("\n".join([REG, ROW]) + "\n").encode("gb18030"))
    fields, rows = _read(gbk, True, monkeypatch)
    assert fields["encoding"] == "gb18030" and rows[0][5] == "张三"


def _wrapped(line: str) -> str:
    """A CSV line with every cell in Excel's text formula, as some web systems write them (`=""` if empty)."""
    return ",".join(f'="{cell}"' for cell in line.split(","))


def test_a_fully_wrapped_file_takes_the_fast_path_and_skips_what_its_plain_twin_skips(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every cell `="…"`, the header's too: the header is recognised, the title, blank, 合计 and 小计 rows
    are skipped, the rest read as the plain file is (it had no header; with a plain header, its 合计 and
    blank rows were rejected as rows without a household)."""
    lines = ["乌拉特中旗贫困人口信息表,,,,,,,,,", REG, ROW, ",,,,,,,,,", "合 计,,,,,,,,,", "乌加河镇小计,,,,,,,,,",
             '乌加河镇,联丰奋斗村,150824101001,2,李四,证,配偶,2,健康,3500',
             '乌加河镇,联丰奋斗村,150824101001,3,王五\u3000,证,子,2,\u3000健康,3500']
    plain = _write(tmp_path, "plain.csv", lines)
    wrapped = _write(tmp_path, "wrapped.csv", [_wrapped(line) for line in lines])
    body = _write(tmp_path, "body.csv", lines[:2] + [_wrapped(line) for line in lines[2:]])
    assert _both(plain, monkeypatch) and _both(wrapped, monkeypatch) and _both(body, monkeypatch)
    expected = _read(plain, True, monkeypatch)
    for path in (wrapped, body):
        got = _read(path, True, monkeypatch)
        assert got[1] == expected[1]
        assert {k: got[0][k] for k in ("kind", "columns", "rows_read", "skipped", "data_rows")} == {
            k: expected[0][k] for k in ("kind", "columns", "rows_read", "skipped", "data_rows")}
    assert expected[0]["skipped"] == 4 and expected[0]["data_rows"] == 3
    assert expected[1][-1][5] == "王五" and expected[1][-1][9] == "健康"


def test_wrapped_cells_past_the_sample_send_the_file_to_the_block_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path unwraps when the first MB of the body holds `="`; a file whose first wrapped cell comes
    later (a 合计 row at the end) is read block by block, which unwraps every cell."""
    rows = [f"{i},2020-01-01,电话,x,ok" for i in range(60_000)]
    path = _write(tmp_path, "visits.csv", [VISITS, *rows, _wrapped("合计,,,,"), _wrapped("1,2020-01-02,入户走访,张三,")])
    assert not _both(path, monkeypatch)
    fields, got = _read(path, True, monkeypatch)
    assert (fields["skipped"], got[-1][1:]) == (1, ("1", "2020-01-02", "入户走访", "张三", None))
