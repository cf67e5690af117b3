"""File-reading layer: messy CSV/Excel exports → RawFile (etl.headers, etl.readers and the readers it dispatches to)."""

from __future__ import annotations

import gzip
import hashlib
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
import xlsxwriter

from etl import archive_checks, csv_blocks, csv_file, headers, raw_file, readers
from etl.excel import cell_text, excel_general
from etl.readers import RawFile, ReadError, read_file

REG_HEADER = ["序号", "乡（镇）", "行政村", "户编号*", "姓名", "证件号码", "与户主关系", "人数", "县(市、区、旗)"]


def write_csv(path: Path, rows: list[list[str]] | list[str], *, encoding: str = "utf-8", delimiter: str = ",",
              newline: str = "\r\n") -> Path:
    """Rows are lists of cells (joined with the delimiter, no quoting) or raw lines."""
    lines = [r if isinstance(r, str) else delimiter.join(r) for r in rows]
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def col(raw: RawFile, name: str) -> list[object]:
    return raw.table.column(name).to_pylist()


def check_invariant(raw: RawFile) -> None:
    assert raw.rows_read == (raw.table.num_rows + raw.skipped + len(raw.malformed) + len(raw.undecodable)
                             + len(raw.unclosed_quote))
    assert raw.sha256 == hashlib.sha256(raw.path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------ headers


def test_clean_header_variants() -> None:
    assert headers.clean_header("乡（镇）") == "乡(镇)"
    assert headers.clean_header(" 户编号* ") == "户编号"
    assert headers.clean_header("＊证件\n号码\u3000") == "证件号码"
    assert headers.clean_header("务工时间\r\n（月）") == "务工时间(月)"
    assert headers.clean_header(None) == ""


@pytest.mark.parametrize(
    ("cells", "kind"),
    [
        (["乡（镇）", "行政村", "户编号*", "姓名", "证件号码", "与户主关系"], "registry"),
        (["乡镇(苏木)", "嘎查村", "户编号", "身份证号"], "registry"),
        (["户编号", "措施类别", "措施内容", "金额（元）"], "interventions"),
        (["户编号", "走访日期", "走访类型", "走访人"], "visits"),
        (["户编号", "证件号码", "入院日期", "总费用", "个人自付"], "medical_claims"),
        (["问题编号", "乡(镇)", "行政村", "户编号", "问题描述", "整改时限"], "rectifications"),
    ],
)
def test_recognize_kinds(cells: list[str], kind: str) -> None:
    match = headers.recognize(cells)
    assert match is not None and match.kind == kind


def test_recognize_mapping_ignored_and_duplicates() -> None:
    match = headers.recognize(["序号", "乡（镇）", "乡镇", "行政村", "户编号*", "姓名", "自然村", ""])
    assert match is not None
    assert match.columns == {"township": 1, "village": 3, "household_id": 4, "name": 5}
    assert match.ignored == ["序号", "乡镇", "自然村"]  # the repeated township header is not used twice


def test_recognize_rejects_non_headers() -> None:
    assert headers.recognize(["乌拉特中旗建档立卡贫困人口信息表", "", ""]) is None
    assert headers.recognize(["1", "乌加河镇", "联丰奋斗村", "150824101001", "张三"]) is None
    # three known headers but no kind marker (no household id, no ledger column)
    assert headers.recognize(["乡镇", "行政村", "姓名"]) is None
    assert headers.known_header_count(["乡镇", "行政村", "姓名"]) == 3


def test_bracketed_units_and_fallbacks() -> None:
    assert headers.canonical_for("interventions", "金额(元)") == "amount_yuan"
    assert headers.canonical_for("interventions", "金额（万元）") is None  # 10,000 yuan is another unit
    assert headers.canonical_for("registry", "户编号(必填)") == "household_id"
    assert headers.canonical_for("registry", "务工时间（月）") == "work_months"
    assert headers.canonical_for("registry", "苏木（镇）") == "township"


def test_header_spellings_of_real_exports() -> None:
    """饮水是否安全, 帮扶年度 and a measure list's 帮扶单位 were left unused; none of them changes a kind."""
    registry = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "饮水是否安全", "帮扶单位", "帮扶责任人"]
    match = headers.recognize(registry)
    assert match is not None and match.kind == "registry" and match.ignored == []
    assert (match.columns["safe_water"], match.columns["helper_unit"]) == (6, 7)
    measures = ["户编号", "户主姓名", "措施类别", "措施内容", "帮扶年度", "金额(元)", "帮扶单位"]
    match = headers.recognize(measures)
    assert match is not None and match.kind == "interventions" and match.ignored == ["户主姓名"]
    assert (match.columns["year"], match.columns["responsible_unit"]) == (4, 6)
    # beside 责任单位, 帮扶单位 is the household's paired unit: the measure's unit is under 责任单位
    match = headers.recognize([*measures, "责任单位"])
    assert match is not None and match.columns["responsible_unit"] == 7 and "帮扶单位" in match.ignored
    check = ["调查日期", "乡(镇)", "行政村", "户编号", "户类型", "饮水是否安全", "核查结论"]
    match = headers.recognize(check)
    assert match is not None and match.kind == "household_checks" and match.columns["water_ok"] == 5


def test_missing_required() -> None:
    assert headers.missing_required("registry", {"household_id": 0, "name": 1, "township": 2}) == [
        "village", "id_number", "relation"]
    assert headers.missing_required("visits", {"household_id": 0, "visit_date": 1}) == []


# --------------------------------------------------------------------------------------------- CSV


def messy_registry_rows() -> list[list[str] | str]:
    return [
        "乌拉特中旗建档立卡贫困人口信息表,,,,,,,,",  # line 1: title
        "填报单位：乌加河镇,,,,,,,,",  # line 2: title
        REG_HEADER,  # line 3
        ["1", " 乌加河镇 ", "联丰奋斗村", "150824101001", "张三", "15082419800101123X", "户主", "2", "乌拉特中旗"],
        ["2", "乌加河镇", "联丰奋斗村", "150824101001", "李四\u3000", "150824198202021234", "配偶", "2", ""],
        ",,,,,,,,",  # line 6: blank row
        "",  # line 7: empty line
        ["3", "乌加河镇", "联丰奋斗村", "0150824101002", "王五", "150824199003033456", "户主", "1", ""],
        ["合 计", "", "", "", "", "", "", "3", ""],  # line 9: summary
        ["4", "德岭山镇", "兴丰", "150824102001", "赵六", "", "户主", "", ""],
    ]


@pytest.mark.parametrize(("encoding", "expected"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                    ("gb18030", "gb18030"), ("gbk", "gb18030")])
def test_csv_messy_registry(tmp_path: Path, encoding: str, expected: str) -> None:
    raw = read_file(write_csv(tmp_path / "人口.csv", messy_registry_rows(), encoding=encoding))
    assert raw.kind == "registry"
    assert raw.encoding == expected
    assert raw.header_line == 3
    assert raw.columns == {"township": "乡（镇）", "village": "行政村", "household_id": "户编号*", "name": "姓名",
                           "id_number": "证件号码", "relation": "与户主关系", "household_size": "人数"}
    assert raw.ignored_columns == ["序号", "县(市、区、旗)"]
    assert raw.table.column_names == ["_line", "township", "village", "household_id", "name", "id_number",
                                      "relation", "household_size"]
    assert col(raw, "_line") == [4, 5, 8, 10]
    assert col(raw, "township") == ["乌加河镇", "乌加河镇", "乌加河镇", "德岭山镇"]
    assert col(raw, "name") == ["张三", "李四", "王五", "赵六"]  # full-width space stripped
    assert col(raw, "household_id") == ["150824101001", "150824101001", "0150824101002", "150824102001"]
    assert col(raw, "id_number") == ["15082419800101123X", "150824198202021234", "150824199003033456", None]
    assert col(raw, "household_size") == ["2", "2", "1", None]
    assert raw.rows_read == 9  # 2 title rows + 7 rows below the header
    assert raw.skipped == 5  # 2 titles, 2 blank, 1 summary
    assert raw.malformed == []
    check_invariant(raw)


def test_csv_tab_delimited_quoted(tmp_path: Path) -> None:
    rows: list[list[str] | str] = [
        ["户编号", "走访日期", "走访类型", "走访人", "情况记录"],
        ["150824101001", "2020/6/22", "入户走访", "王干部", '"家中无人, 电话联系"'],
        ["150824101002", "2020年6月23日", "帮扶责任人走访", "李干部", ""],
    ]
    raw = read_file(write_csv(tmp_path / "visits.txt", rows, delimiter="\t"))
    assert raw.kind == "visits"
    assert col(raw, "_line") == [2, 3]
    assert col(raw, "notes") == ["家中无人, 电话联系", None]
    assert col(raw, "visit_date") == ["2020/6/22", "2020年6月23日"]
    check_invariant(raw)


def test_csv_numbers_stay_text(tmp_path: Path) -> None:
    rows = [
        ["户编号", "措施类别", "金额(元)", "实施年度"],
        ["000150824101", "产业帮扶", '"4,300.50"', "2020"],
        ["150824101002", "就业帮扶", "3200元", "2019.0"],
    ]
    raw = read_file(write_csv(tmp_path / "措施.csv", rows))
    assert raw.kind == "interventions"
    assert col(raw, "household_id") == ["000150824101", "150824101002"]
    assert col(raw, "amount_yuan") == ["4,300.50", "3200元"]
    assert col(raw, "year") == ["2020", "2019.0"]
    assert raw.table.schema.field("household_id").type == "string"


def test_csv_wrong_shape_rows_exact_lines(tmp_path: Path) -> None:
    rows = [
        "问题整改台账",  # 1: title (one field)
        "问题编号,乡(镇),问题描述,整改时限",  # 2
        "Q1,乌加河镇,档案不规范,2020-07-31",  # 3
        "Q2,乌加河镇,手册未更新",  # 4: too few fields: the last one empty (Excel's CSV)
        'Q3,德岭山镇,"描述含\r\n换行",2020-08-01',  # 5-6: quoted newline
        "Q4,德岭山镇,多了一列,2020-08-01,x",  # 7: too many fields
        "",  # 8: blank (one field) → skipped
        "合计,,,",  # 9: summary
        "小计",  # 10: summary of another shape → skipped, not malformed
        "Q5,石哈河镇,收入核算不准,2020-09-30",  # 11
    ]
    raw = read_file(write_csv(tmp_path / "整改.csv", rows))
    assert raw.kind == "rectifications"
    assert raw.header_line == 2
    assert col(raw, "_line") == [3, 4, 5, 11]
    assert col(raw, "issue_id") == ["Q1", "Q2", "Q3", "Q5"]
    assert col(raw, "deadline")[1] is None
    assert col(raw, "description")[2] == "描述含\r\n换行"
    assert raw.malformed == [(7, "Q4,德岭山镇,多了一列,2020-08-01,x")]
    assert raw.rows_read == 9  # title + 8 rows below the header (the quoted newline is one row)
    assert raw.skipped == 4
    check_invariant(raw)


def test_csv_many_blocks_keep_line_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", 256)  # many tiny blocks, cut between rows
    rows: list[list[str] | str] = ["标题", ["户编号", "走访日期", "走访人", "情况记录"]]
    expected_lines, bad_lines = [], []
    line = 3
    for i in range(300):
        if i % 37 == 5:  # text past the header: malformed (a short row loads: Excel's CSV)
            rows.append(f"H{i},2020-01-01,甲,记录,多出")
            bad_lines.append(line)
            line += 1
        elif i % 41 == 7:
            rows.append(f'H{i},2020-01-01,甲,"第一行\n第二行, 第三""行"""')  # spans two lines
            rows.append("")  # then a blank line: skipped
            expected_lines.append(line)
            line += 3
        else:
            rows.append(f"H{i},2020-01-01,乙,")
            expected_lines.append(line)
            line += 1
    raw = read_file(write_csv(tmp_path / "v.csv", rows, newline="\n"))
    assert col(raw, "_line") == expected_lines
    assert [line for line, _ in raw.malformed] == bad_lines
    notes = [n for n in col(raw, "notes") if n]
    assert notes and all(n == '第一行\n第二行, 第三"行"' for n in notes)
    check_invariant(raw)


def test_csv_gb18030_many_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", 1000)
    rows: list[list[str] | str] = [REG_HEADER]
    rows += [[str(i), "呼勒斯太苏木", "温更嘎查", f"1508242{i:05d}", f"巴特尔{i}", "", "户主", "1", ""]
             for i in range(500)]
    raw = read_file(write_csv(tmp_path / "g.csv", rows, encoding="gb18030"))
    assert raw.encoding == "gb18030"
    assert raw.table.num_rows == 500
    assert col(raw, "_line") == list(range(2, 502))
    assert col(raw, "name")[-1] == "巴特尔499"
    check_invariant(raw)


def test_a_gb18030_csv_behind_a_utf8_bom_reads_as_gb18030(tmp_path: Path) -> None:
    """Some tools put a UTF-8 byte-order mark before a GBK export: it was refused as undecodable from
    line 1, with advice to save it as GB18030, which it was (a probe of the upload page)."""
    rows: list[list[str] | str] = [REG_HEADER]
    rows += [[str(i), "呼勒斯太苏木", "温更嘎查", f"1508242{i:05d}", f"巴特尔{i}", "", "户主", "1", ""] for i in range(5)]
    plain = write_csv(tmp_path / "g.csv", rows, encoding="gb18030")
    marked = tmp_path / "bom.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    raw, expected = read_file(marked), read_file(plain)
    assert raw.encoding == "gb18030" and raw.columns == expected.columns
    assert col(raw, "name") == col(expected, "name") == [f"巴特尔{i}" for i in range(5)]
    assert col(raw, "_line") == list(range(2, 7))


def test_csv_undecodable(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\x80\x81garbage\xff\n" * 20)
    with pytest.raises(ReadError) as err:
        read_file(path)
    assert err.value.code == "undecodable"
    assert err.value.params["line"] == 1
    assert "bad.csv" in str(err.value) and "无法解码" in str(err.value)


def test_csv_undecodable_late_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_file, "HEAD_BYTES", 200)
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", 300)
    rows: list[list[str] | str] = [["户编号", "走访日期", "走访人"]] + [[f"H{i}", "2020-01-01", "王"] for i in range(60)]
    path = write_csv(tmp_path / "late.csv", rows, encoding="gb18030")
    data = path.read_bytes().splitlines(keepends=True)
    data[40] = b"H39,2020-01-01,\xff\xff\r\n"  # line 41 cannot be GB18030
    path.write_bytes(b"".join(data))
    raw = read_file(path)  # one row of 60 that cannot be decoded is rejected, not the file (issue 14)
    assert raw.undecodable == [(41, "H39,2020-01-01,\\xff\\xff")]
    assert raw.table.num_rows == 59 and 41 not in col(raw, "_line")
    assert raw.rows_read == 60


def test_csv_ascii_head_then_gbk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a GBK file whose sample is pure ASCII is first tried as UTF-8, then read as GB18030
    monkeypatch.setattr(csv_file, "HEAD_BYTES", 64)
    monkeypatch.setattr(headers, "_LOOKUP", {k: {**v, "hid": "household_id", "vdate": "visit_date",
                                                 "who": "visitor"} for k, v in headers._LOOKUP.items()})
    rows = [["hid", "vdate", "who"]] + [["H1", "2020-01-01", "x"]] * 10 + [["H2", "2020-01-02", "王干部"]]
    raw = read_file(write_csv(tmp_path / "a.csv", rows, encoding="gbk"))
    assert raw.encoding == "gb18030"
    assert col(raw, "visitor")[-1] == "王干部"


@pytest.mark.parametrize(
    ("rows", "code", "params"),
    [
        ([["姓名", "性别", "民族"], ["张三", "男", "汉族"]], "unknown_kind", {"line": 1}),
        ([["a", "b", "c"], ["1", "2", "3"]], "no_header", {"rows": 30}),
        ([["户编号", "姓名", "乡镇", "证件号码"], ["1", "张三", "x", "y"]], "missing_required",
         {"kind": "registry", "missing": ["village", "relation"], "columns": "行政村、与户主关系", "line": 1}),
    ],
)
def test_csv_header_errors(tmp_path: Path, rows: list[list[str]], code: str, params: dict[str, object]) -> None:
    with pytest.raises(ReadError) as err:
        read_file(write_csv(tmp_path / "x.csv", rows))
    assert err.value.code == code
    for key, value in params.items():
        assert err.value.params[key] == value


def test_header_beyond_scan_rows_not_found(tmp_path: Path) -> None:
    rows: list[list[str] | str] = ["标题"] * 30 + [REG_HEADER]
    with pytest.raises(ReadError) as err:
        read_file(write_csv(tmp_path / "late.csv", rows))
    assert err.value.code == "no_header"
    raw = read_file(write_csv(tmp_path / "ok.csv", rows[1:]))
    assert raw.header_line == 30 and raw.skipped == 29 and raw.rows_read == 29


def test_trailing_delimiter_on_data_rows(tmp_path: Path) -> None:
    rows = ["户编号,走访日期,走访人"] + ["H1,2020-01-01,王,"] * 3  # every data row has one more field
    raw = read_file(write_csv(tmp_path / "t.csv", rows))
    assert raw.malformed == []
    assert col(raw, "visitor") == ["王"] * 3


def test_file_level_errors(tmp_path: Path) -> None:
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"\xef\xbb\xbf\r\n")
    cases = [
        (tmp_path / "a.pdf", b"%PDF", "unsupported_type"),
        (empty, None, "empty_file"),
        (tmp_path / "z.csv", b"", "empty_file"),
        (tmp_path / "fake.xlsx", "户编号,姓名\n1,2\n".encode(), "corrupt_xlsx"),
        (tmp_path / "trunc.xlsx", b"PK\x03\x04" + b"\x00" * 100, "corrupt_xlsx"),
        (tmp_path / "missing.csv", None, "not_found"),
    ]
    for path, data, code in cases:
        if data is not None:
            path.write_bytes(data)
        with pytest.raises(ReadError) as err:
            read_file(path)
        assert err.value.code == code, path
        assert str(err.value).startswith(path.name + "：")


def test_file_suffix() -> None:
    assert [readers.file_suffix(n) for n in ["a.CSV", "a.csv.GZ", "户.txt.gz", "a.xlsx", "a.gz", "a.xlsx.gz", "a"]] == [
        ".csv", ".csv.gz", ".txt.gz", ".xlsx", ".gz", ".gz", ""]


def test_gzip_errors(tmp_path: Path) -> None:
    """A damaged or cut-off .csv.gz is a file-level error in words; .gz of anything else is unsupported."""
    text = "\r\n".join([",".join(REG_HEADER)] + ["1,乌加河镇,联丰,H1,张三,x,户主,1,乌拉特中旗"] * 50).encode()
    packed = gzip.compress(text)
    middle = len(packed) // 2
    cases = {"cut.csv.gz": packed[:middle], "tail.csv.gz": packed[:-4],
             "flipped.csv.gz": packed[:middle] + bytes(b ^ 0xFF for b in packed[middle:middle + 8]) + packed[middle + 8:]}
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ReadError) as err:
            read_file(path)
        assert err.value.code == "bad_gzip", name
        assert str(err.value).startswith(f"{name}：压缩文件已损坏")
    # a text named .csv.gz is not damaged: it is not compressed, and is told so
    (tmp_path / "plain.csv.gz").write_bytes(text)
    with pytest.raises(ReadError) as err:
        read_file(tmp_path / "plain.csv.gz")
    assert err.value.code == "not_gzip" and "去掉文件名末尾的 .gz" in str(err.value)
    for name in ("a.gz", "a.xlsx.gz"):
        (tmp_path / name).write_bytes(packed)
        with pytest.raises(ReadError) as err:
            read_file(tmp_path / name)
        assert err.value.code == "unsupported_type"


def test_every_read_error_has_a_sentence_in_both_languages() -> None:
    from labels import LABELS

    for code in raw_file.MESSAGES:
        zh, en = LABELS[f"read.{code}"]
        assert "{file}" in zh and "{file}" in en, code


def test_too_large(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", [REG_HEADER] * 100)
    with pytest.raises(ReadError) as err:
        read_file(path, max_bytes=1000)
    assert err.value.code == "too_large"
    assert err.value.params["limit_bytes"] == 1000


def test_zip_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 << 20))  # 20 MB → ~20 KB
    with pytest.raises(ReadError) as err:
        read_file(path)
    assert err.value.code == "corrupt_xlsx"
    monkeypatch.setattr(archive_checks, "RATIO_MIN_BYTES", 1 << 30)
    monkeypatch.setattr(archive_checks, "MAX_UNCOMPRESSED", 10 << 20)
    with pytest.raises(ReadError) as err:
        read_file(path)
    assert err.value.code == "corrupt_xlsx"
    assert "超过上限" in str(err.value.params["reason"])


def test_zip_with_lying_directory(tmp_path: Path) -> None:
    path = tmp_path / "lie.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<a/>" * 1000)
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")  # declared size 10 bytes
    local = data.find(b"PK\x03\x04")
    data[local + 22:local + 26] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(ReadError) as err:
        read_file(path)
    assert err.value.code == "corrupt_xlsx"


# -------------------------------------------------------------------------------------------- Excel


def test_cell_text() -> None:
    assert cell_text(150824198001011234.0) == "1.50824E+17"
    assert cell_text(1e15) == "1E+15"
    assert cell_text(-2.5e16) == "-2.5E+16"
    assert cell_text(150824101001.0) == "150824101001"
    assert cell_text(3.0) == "3"
    assert cell_text(4300.5) == "4300.5"
    assert cell_text(0.1) == "0.1"
    assert cell_text(7) == "7"
    assert cell_text(True) == "是" and cell_text(False) == "否"
    assert cell_text(date(2020, 6, 22)) == "2020-06-22"
    assert cell_text(datetime(2020, 6, 22)) == "2020-06-22"
    assert cell_text(datetime(2020, 6, 22, 10, 30, 5)) == "2020-06-22 10:30:05"
    assert cell_text(time(8, 0)) == "08:00:00"
    assert cell_text("  \u3000") is None and cell_text("") is None and cell_text(None) is None
    assert excel_general(1.2345678e20) == "1.23457E+20"


def write_registry_xlsx(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    notes = wb.add_worksheet("说明")  # a first sheet without a header: skipped
    notes.write(0, 0, "填表说明")
    ws = wb.add_worksheet("人口信息")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, 8, "乌拉特中旗建档立卡贫困人口信息表")  # row 1: title
    header = ["序号", "乡（镇）", "行政村", "户编号 *", "姓名", "证件号码", "与户主关系", "首次识别时间", "是否危房户"]
    ws.write_row(1, 0, header)  # row 2
    # household 1: rows 3-4, township/village/household merged down
    ws.merge_range(2, 1, 3, 1, "乌加河镇")
    ws.merge_range(2, 2, 3, 2, "联丰奋斗村")
    ws.merge_range(2, 3, 3, 3, "150824101001")  # text household id
    ws.write_row(2, 4, ["张三", "15082419800101123X", "户主"])
    ws.write_datetime(2, 7, datetime(2014, 6, 1), date_fmt)
    ws.write_boolean(2, 8, True)
    ws.write_row(3, 4, ["李四"])
    ws.write_number(3, 5, 150824198202021234)  # numeric ID: Excel keeps 15 digits
    ws.write(3, 6, "配偶")
    ws.write_datetime(3, 7, datetime(2014, 6, 1, 9, 30), date_fmt)
    ws.write_number(2, 0, 1)
    ws.write_number(3, 0, 2)
    # row 5 blank; row 6: household 2 with a numeric household id
    ws.write_number(5, 0, 3)
    ws.write_row(5, 1, ["德岭山镇", "兴丰"])
    ws.write_number(5, 3, 150824102001)
    ws.write_row(5, 4, ["王五", "150824199003033456", "户主"])
    ws.write_datetime(5, 7, datetime(2015, 1, 2), date_fmt)
    ws.write_string(5, 8, "否")
    ws.merge_range(6, 0, 6, 2, "合计")  # row 7: summary
    ws.write_number(6, 3, 3)
    ws.write(8, 0, "")
    wb.close()
    return path


def test_xlsx_registry(tmp_path: Path) -> None:
    raw = read_file(write_registry_xlsx(tmp_path / "人口.xlsx"))
    assert raw.kind == "registry"
    assert raw.encoding == "xlsx"
    assert raw.sheet == "人口信息"
    assert raw.header_line == 2
    assert raw.columns["household_id"] == "户编号 *"
    assert raw.ignored_columns == ["序号"]
    assert col(raw, "_line") == [3, 4, 6]
    assert col(raw, "township") == ["乌加河镇", "乌加河镇", "德岭山镇"]
    assert col(raw, "village") == ["联丰奋斗村", "联丰奋斗村", "兴丰"]
    assert col(raw, "household_id") == ["150824101001", "150824101001", "150824102001"]
    assert col(raw, "id_number") == ["15082419800101123X", "1.50824E+17", "150824199003033456"]
    assert col(raw, "identified_date") == ["2014-06-01", "2014-06-01 09:30:00", "2015-01-02"]
    assert col(raw, "unsafe_housing") == ["是", None, "否"]
    assert raw.rows_read == 6  # title + rows 3, 4, 5 (blank), 6, 7 (合计)
    assert raw.skipped == 3  # title, blank, 合计
    assert raw.malformed == []
    check_invariant(raw)


def test_xlsx_ledger_and_missing_required(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["户编号", "证件号码", "入院日期", "总费用", "基本医保报销", "个人自付"])
    ws.write_row(1, 0, ["150824101001", "15082419800101123X"])
    ws.write_datetime(1, 2, datetime(2020, 3, 5), wb.add_format({"num_format": "yyyy/m/d"}))
    ws.write_row(1, 3, [5230.5, 3000, 2230.5])
    ws.write_row(2, 0, ["150824101002", "", 43900, "1,200.00", "", "1200元"])  # serial date, numbers as text
    wb.close()
    raw = read_file(path)
    assert raw.kind == "medical_claims"
    assert col(raw, "admission_date") == ["2020-03-05", "43900"]
    assert col(raw, "total_cost") == ["5230.5", "1,200.00"]
    assert col(raw, "basic_insurance") == ["3000", None]
    assert col(raw, "out_of_pocket") == ["2230.5", "1200元"]

    bad = tmp_path / "bad.xlsx"
    wb = xlsxwriter.Workbook(str(bad))
    wb.add_worksheet().write_row(2, 0, ["户编号", "走访人", "走访类型"])
    wb.close()
    with pytest.raises(ReadError) as err:
        read_file(bad)
    # a visit log's own columns without its 走访日期: that column is named (it was "no known kind")
    assert err.value.code == "missing_required" and err.value.params["missing"] == ["visit_date"]

    bad2 = tmp_path / "bad2.xlsx"
    wb = xlsxwriter.Workbook(str(bad2))
    wb.add_worksheet().write_row(0, 0, ["户编号", "姓名", "乡镇"])
    wb.close()
    with pytest.raises(ReadError) as err:
        read_file(bad2)
    assert err.value.code == "missing_required"
    assert err.value.params["missing"] == ["village", "id_number", "relation"]


def test_stray_quote_and_tsv_named_xls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", 64)
    rows = ["户编号,走访日期,走访人"] + [f'H{i},2020-01-01,王"大' if i == 3 else f"H{i},2020-01-01,王" for i in range(40)]
    raw = read_file(write_csv(tmp_path / "q.csv", rows, newline="\n"))
    assert col(raw, "_line") == list(range(2, 42))
    assert col(raw, "visitor")[3] == '王"大'
    # many systems export tab-separated GBK text named .xls
    raw = read_file(write_csv(tmp_path / "走访.xls", [["户编号", "走访日期", "走访人"], ["H1", "2020-01-01", "王"]],
                              encoding="gbk", delimiter="\t"))
    assert (raw.kind, raw.encoding, col(raw, "visitor")) == ("visits", "gb18030", ["王"])


@pytest.mark.parametrize("block_bytes", [8 << 20, 64])  # one block; blocks cut between rows
def test_csv_quote_inside_an_unquoted_value_is_text_for_line_numbers_and_blocks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int) -> None:
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", block_bytes)
    # A quote inside an unquoted value (王"五) is text to the parser; counted as opening a quoted value
    # it cut the file in the middle of a later quoted line break (丢了「老师」, its line read as a row of
    # its own) and numbered every later row and rejected row wrong.
    rows = [
        "户编号,走访日期,走访人,情况记录",  # 1
        "H1,2020-01-01,王\"五,正常",  # 2: a quote inside a value
        "H2,2020-01-02,李 \"老\" 师,正常",  # 3: two of them
        'H3,2020-01-03,刘,"第一行\n第二行"',  # 4-5: a quoted line break
        "H4,2020-01-04,赵,正常",  # 6
        "H5,2020-01-05",  # 7: too few fields: the last two empty (Excel's CSV)
        'H6,2020-01-06,"钱,未闭合',  # 8: a quote never closed: its row set aside, not the rest of the file
        "H7,2020-01-07,孙,正常",  # 9 (tests/test_unclosed_quote.py)
    ]
    raw = read_file(write_csv(tmp_path / "v.csv", rows, newline="\n"))
    assert col(raw, "household_id") == ["H1", "H2", "H3", "H4", "H5", "H7"]
    assert col(raw, "_line") == [2, 3, 4, 6, 7, 9]
    assert col(raw, "visitor")[:2] == ['王"五', '李 "老" 师']
    assert col(raw, "notes")[2] == "第一行\n第二行"
    assert raw.malformed == []
    assert [line for line, _ in raw.unclosed_quote] == [8]
    check_invariant(raw)
