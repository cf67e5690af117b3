"""What the file readers say about undecodable rows and skipped sheets (data-spec §1.3, §3).

- A few undecodable rows in a UTF-8 or GB18030 file are rejected with their lines and the rest loads;
  only a file mostly undecodable (more than half of its data rows) is refused.
- The refusal names the first line that does not decode in the file's encoding (a clean UTF-8 header
  above rows of junk: line 2, not line 1).
- A workbook sheet whose header lacks a required column is skipped with the columns named, as a single
  CSV's message names them.
Real files, real DuckDB."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest

from etl import csv_file, readers, snapshot
from etl.load import load_files
from etl.messages import read_error_text
from tests import conftest

VISIT_HEADER = "户编号,走访日期,走访类型,走访人,情况记录\r\n"


def visit_row(i: int) -> str:
    return f"SHH00{1 + i % 5},2020-08-{1 + i % 28:02d},入户走访,走访员{i},正常{i}\r\n"


def visits(path: Path, encoding: str, n: int, bad_lines: set[int]) -> Path:
    """A visits CSV of n data rows in `encoding`; the rows on file lines `bad_lines` carry bytes that
    decode neither as UTF-8 nor as GB18030 (0xFF)."""
    out = VISIT_HEADER.encode(encoding)
    for i in range(n):
        row = visit_row(i).encode(encoding)
        if i + 2 in bad_lines:
            row = row.replace("正常".encode(encoding), b"\xff\xfe")
        out += row
    path.write_bytes(out)
    return path


def rejected(db: Path) -> list[tuple[int, str]]:
    con, _ = snapshot.connect_read(db)
    try:
        return con.execute("SELECT line, rule FROM rejected_rows ORDER BY line").fetchall()
    finally:
        con.close()


# ---- 1. a few undecodable rows reject their rows, not the file

@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("fast", [True, False])
def test_two_bad_rows_of_thirty_are_rejected_and_the_rest_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               encoding: str, fast: bool) -> None:
    """2 of 30 rows (6.7%) were enough to refuse the whole file; now they are rejected with their lines."""
    monkeypatch.setattr(csv_file, "FAST_CSV", fast)
    path = visits(tmp_path / "走访.csv", encoding, 30, {5, 20})
    raw = readers.read_file(path)
    assert raw.encoding == encoding  # the GB18030 file is still read as GB18030
    assert [line for line, _ in raw.undecodable] == [5, 20] and raw.table.num_rows == 28
    db = tmp_path / "db" / "fupin.duckdb"
    report = load_files([path], db=db)
    f = report.files[0]
    assert report.exit_code == 0 and f.error is None
    assert (f.rows_read, f.rows_loaded, f.rows_rejected) == (30, 28, 2)
    assert rejected(db) == [(5, "undecodable_row"), (20, "undecodable_row")]


def test_the_refusal_states_the_threshold_as_half(tmp_path: Path) -> None:
    path = visits(tmp_path / "坏.csv", "gb18030", 30, set(range(2, 22)))
    with pytest.raises(readers.ReadError) as err:
        readers.read_file(path)
    zh, en = read_error_text(err.value, "坏.csv"), read_error_text(err.value, "坏.csv", "en")
    assert zh == ("坏.csv：20行（共30行，超过一半）无法解码，第一处在第2行，整个文件未入库。"
                  "请另存为 UTF-8 或 GB18030 编码后重新导入。"), zh
    assert en.startswith("坏.csv: 20 of 30 rows (more than half) cannot be decoded, the first at line 2;"), en
    assert "5%" not in zh + en and "5%" not in str(err.value)


# ---- 2. the refusal names the first line that does not decode

def mostly_bad(path: Path) -> Path:
    """A clean UTF-8 header, then 30 rows whose notes are random high bytes (neither UTF-8 nor GB18030),
    as a probe with unseen exports wrote it."""
    rng = random.Random(7)
    out = VISIT_HEADER.encode("utf-8")
    for i in range(30):
        junk = bytes(rng.choice([0xFF, 0xFE, 0x80, 0xC0, 0xF8]) for _ in range(12))
        out += f"SHH00{1 + i % 5},2020-08-01,".encode() + junk + b",x,y\r\n"
    path.write_bytes(out)
    return path


def test_a_mostly_undecodable_file_names_its_first_bad_line_not_its_good_header(tmp_path: Path) -> None:
    path = mostly_bad(tmp_path / "visits_mostly_bad.csv")
    with pytest.raises(readers.ReadError) as err:
        readers.read_file(path)
    assert err.value.code == "undecodable_rows" and err.value.params["line"] == 2
    report = load_files([path], db=tmp_path / "db" / "fupin.duckdb")
    assert report.exit_code == 1
    message = report.files[0].error or ""
    assert "第一处在第2行" in message and "第1行" not in message, message
    assert message.startswith("visits_mostly_bad.csv：30行（共30行，超过一半）无法解码"), message


def test_a_gb18030_file_with_a_junk_body_names_its_first_bad_line(tmp_path: Path) -> None:
    """The same with a GBK header: judged GB18030, and line 2 is its first bad line too."""
    path = tmp_path / "gb.csv"
    path.write_bytes(VISIT_HEADER.encode("gb18030")
                     + b"".join(b"SHH001,2020-08-01,\xff\xff\xff,x,y\r\n" for _ in range(10)))
    with pytest.raises(readers.ReadError) as err:
        readers.read_file(path)
    assert err.value.code == "undecodable_rows" and err.value.params["line"] == 2


# ---- 3. a skipped sheet names the required columns it lacks

CHECK_HEADER = ["调查日期", "乡(镇)", "行政村", "户编号", "户主姓名", "证件号码", "户类型", "家庭人口", "人均纯收入",
                "不愁吃", "不愁穿", "义务教育保障", "基本医疗保障", "住房安全保障", "饮水安全保障", "核查结论", "是否认可",
                "调查人", "备注"]
REGISTRY_HEADER = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系"]


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def check_row(township: str, household: str, name: str) -> list[object]:
    return ["2021-06-21", township, "胜利村", household, name, "", "脱贫户", 3, 6000, *["是"] * 6, "正常", "认可", "甲", ""]


def test_a_skipped_sheet_names_its_missing_column(tmp_path: Path) -> None:
    from etl.messages import skipped_sheet_json, skipped_sheet_text

    lacking = [c for c in CHECK_HEADER if c != "行政村"]
    path = workbook(tmp_path / "核查_分乡镇.xlsx", {
        "乌加河镇": [CHECK_HEADER, check_row("乌加河镇", "1508241012010002", "邓俊")],
        "德岭山镇": [lacking, [v for c, v in zip(CHECK_HEADER, check_row("德岭山镇", "1508241022040001", "龚德胜"),
                                                strict=True) if c != "行政村"]],
    })
    book = readers.read_book(path)
    assert [p.sheet for p in book.parts] == ["乌加河镇"]
    assert book.skipped_sheets == [("德岭山镇", "missing_required")]
    (sheet, reason), = book.skipped_sheets
    assert skipped_sheet_text(sheet, reason) == "德岭山镇（缺少必填列：行政村）"
    assert skipped_sheet_text(sheet, reason, "en") == "德岭山镇 (required columns missing: 行政村)"
    assert skipped_sheet_json(sheet, reason) == {"sheet": "德岭山镇", "reason": "missing_required",
                                                 "missing": ["village"], "columns": ["行政村"]}
    # the same words as a single CSV lacking the column
    csv_path = tmp_path / "德岭山镇.csv"
    csv_path.write_text(",".join(lacking) + "\n", encoding="utf-8")
    with pytest.raises(readers.ReadError) as err:
        readers.read_file(csv_path)
    assert "缺少必填列：行政村。表头可写作：行政村、村、嘎查村、" in read_error_text(err.value, csv_path.name)


def test_a_registry_sheet_without_village_names_it(tmp_path: Path) -> None:
    from etl.messages import skipped_sheet_text

    path = workbook(tmp_path / "人口.xlsx", {
        "乌加河镇": [REGISTRY_HEADER, ["乌加河镇", "联丰奋斗村", "150824101001", "张三春", "15082419800101123X", "户主"]],
        "德岭山镇": [[c for c in REGISTRY_HEADER if c != "行政村"],
                     ["德岭山镇", "150824102001", "李四", "150824198001011234", "户主"]],
    })
    book = readers.read_book(path)
    assert book.skipped_sheets == [("德岭山镇", "missing_required")]
    assert [skipped_sheet_text(n, r) for n, r in book.skipped_sheets] == ["德岭山镇（缺少必填列：行政村）"]
    assert [skipped_sheet_text(n, r, "en") for n, r in book.skipped_sheets] == [
        "德岭山镇 (required columns missing: 行政村)"]


def test_other_skip_reasons_read_as_before(tmp_path: Path) -> None:
    from etl.messages import skipped_sheet_json, skipped_sheet_text

    path = workbook(tmp_path / "人口.xlsx", {
        "填表说明": [["本表由乡镇填报"]],
        "乌加河镇": [REGISTRY_HEADER, ["乌加河镇", "联丰奋斗村", "150824101001", "张三春", "15082419800101123X", "户主"]],
    })
    book = readers.read_book(path)
    assert book.skipped_sheets == [("填表说明", "no_header")]
    (sheet, reason), = book.skipped_sheets
    assert skipped_sheet_text(sheet, reason) == "填表说明（未找到表头）"
    assert skipped_sheet_text(sheet, reason, "en") == "填表说明 (no header found)"
    assert skipped_sheet_json(sheet, reason) == {"sheet": "填表说明", "reason": "no_header"}
    assert skipped_sheet_text("代码表", "hidden") == "代码表（隐藏的工作表，无可识别的表头）"


def test_an_issue_names_the_column_as_its_file_kind_heads_it() -> None:
    """A check form's 家庭人口 is not the registry's 人数: the sentence names the column the file has."""
    from etl.messages import issue_text

    check = issue_text("not_a_number", file="核查.csv", line=3, field="household_size", value="三",
                       table="household_checks")
    registry = issue_text("not_a_number", file="人口.csv", line=3, field="household_size", value="三",
                          table="households")
    assert "家庭人口" in check and "人数" not in check, check
    assert "人数" in registry, registry


def test_a_folder_or_a_missing_path_is_named_as_such(tmp_path: Path) -> None:
    """A folder given for a file, or a folder that is not there, read as "unsupported type, please upload"."""
    from etl.messages import read_error_text

    for path, said in ((tmp_path, "这是一个文件夹，不是文件"), (tmp_path / "missing", "文件不存在")):
        with pytest.raises(readers.ReadError) as err:
            readers.read_book(path)
        assert said in read_error_text(err.value, path.name), path


@pytest.mark.parametrize(("lang", "said"), [("zh", "unreadable.csv：无法读取此文件（没有权限）。请检查"),
                                             ("en", "unreadable.csv: cannot be read (Permission denied). Check")],
                         ids=["zh", "en"])
def test_a_file_the_user_may_not_read_is_said_so(tmp_path: Path, lang: str, said: str) -> None:
    """`etl load` of a file without read permission said 入库失败，数据库未作任何更改（PermissionError）:
    Python's class name, and nothing of what to do (a probe). Root runs the command in a user namespace,
    where the file's owner bits count."""
    import subprocess
    import sys

    path = visits(tmp_path / "unreadable.csv", "utf-8", 3, set())
    path.chmod(0)
    prefix = conftest.unprivileged()
    p = subprocess.run([*prefix, sys.executable, "-m", "etl", "--lang", lang, "load", str(path),
                        "--db", str(tmp_path / "db" / "fupin.duckdb")],
                       cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=300)
    assert p.returncode == 1 and said in p.stdout and "PermissionError" not in p.stdout, (p.stdout, p.stderr)


@pytest.mark.parametrize(("header", "missing"), [
    ("户编号,措施内容,金额(元),实施年度", "缺少必填列：措施类别。表头可写作：措施类别"),
    ("户编号,走访类型,走访人,情况记录", "缺少必填列：走访日期。表头可写作：走访日期"),
    # a measures list repeating its household's poverty columns is still a measures list
    ("户编号,措施内容,实施年度,主要致贫原因,脱贫属性", "缺少必填列：措施类别。表头可写作：措施类别"),
])
def test_a_ledger_without_the_column_that_marks_its_kind_names_that_column(tmp_path: Path, header: str,
                                                                           missing: str) -> None:
    """A measures list without 措施类别 (or a visit log without 走访日期) lacks the very column that tells
    its kind, yet its other columns are the measures ledger's own: the refusal names the missing column,
    as a registry without 与户主关系 does, instead of listing seven kinds (probe with unseen exports)."""
    path = tmp_path / "台账.csv"
    path.write_text(header + "\nH001,养羊,3000,2020\n", encoding="utf-8")
    with pytest.raises(readers.ReadError) as err:
        readers.read_file(path)
    assert err.value.code == "missing_required"
    assert missing in read_error_text(err.value, path.name)


@pytest.mark.parametrize("header", [
    "乡镇,行政村,户编号,户主姓名,户主身份证号码,家庭人口数,主要致贫原因,脱贫属性,脱贫年度",
    "乡镇,行政村,户编号,户主姓名,户主身份证号,贫困户属性,致贫原因,贫困户状态",
])
def test_a_registry_of_one_row_per_household_is_told_it_needs_its_members(tmp_path: Path, header: str) -> None:
    """A roster of one row per household (户主姓名 and 户主身份证号码 beside 致贫原因 and 脱贫属性), the registry
    without its member rows, was taken for a household-check form lacking its 调查日期: the refusal asked for a
    survey date, and a clerk who added one would have loaded the poor households as survey findings of the
    exit inspection. Its poverty columns are the registry's own: the refusal names the member columns."""
    path = tmp_path / "贫困户花名册.csv"
    path.write_text(header + "\n乌加河镇,联丰奋斗村,150824101001,张三,15082419800101123X,3,因病,已脱贫,2019\n",
                    encoding="utf-8")
    with pytest.raises(readers.ReadError) as err:
        readers.read_file(path)
    assert err.value.code == "missing_required"
    assert err.value.params["kind"] == "registry"
    text = read_error_text(err.value, path.name)
    assert "缺少必填列：姓名、证件号码、与户主关系" in text and "调查日期" not in text, text


def test_columns_shared_by_several_kinds_do_not_guess_a_kind(tmp_path: Path) -> None:
    """户编号, 姓名 and 备注 head several kinds' files: with nothing of one kind's own, the kind stays unknown."""
    path = tmp_path / "名单.csv"
    path.write_text("户编号,姓名,证件号码,备注\nH001,张三,,\n", encoding="utf-8")
    with pytest.raises(readers.ReadError) as err:
        readers.read_file(path)
    assert err.value.code == "unknown_kind"


def test_a_workbook_without_any_header_names_its_sheets(tmp_path: Path) -> None:
    """Probe D §8: a workbook of notes sheets only was refused with "在前30行中找不到表头" and no sheet
    named; the summary lists skipped sheets when one loads, so the refusal names them too."""
    path = workbook(tmp_path / "只有说明页.xlsx", {"填表说明": [["本表由乡镇填报"]], "代码说明": [["1", "因病"]]})
    with pytest.raises(readers.ReadError) as err:
        readers.read_book(path)
    zh = read_error_text(err.value, path.name)
    en = read_error_text(err.value, path.name, "en")
    assert "「填表说明」、「代码说明」" in zh and "30" in zh, zh
    assert "'填表说明', '代码说明'" in en, en
    assert "户编号" in zh  # still says what a header must hold


def test_a_word_document_named_xlsx_is_told_what_is_accepted(tmp_path: Path) -> None:
    """Probe D §8: a .docx renamed .xlsx got only "Excel 文件已损坏或无法读取。"; data-spec §3: say what
    would be accepted."""
    import zipfile

    path = tmp_path / "工作汇报.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(readers.ReadError) as err:
        readers.read_book(path)
    zh = read_error_text(err.value, path.name)
    en = read_error_text(err.value, path.name, "en")
    for text in (zh, en):
        assert ".xlsx" in text and ".csv" in text and ".htm" in text, text
    assert "Word" in zh and "Word" in en, (zh, en)


def test_the_english_refusal_lists_headers_with_english_punctuation(tmp_path: Path) -> None:
    """'Headers accepted: 与户主关系、与户主的关系.' mixed Chinese list marks into English (a probe)."""
    path = tmp_path / "人口.csv"
    path.write_text("乡镇,户编号,姓名,证件号码\n甲镇,H1,张三,\n", encoding="utf-8")
    with pytest.raises(readers.ReadError) as err:
        readers.read_file(path)
    en = read_error_text(err.value, path.name, "en")
    assert en == ("人口.csv: required columns are missing: 行政村, 与户主关系. Headers accepted: "
                  "行政村 (" + ", ".join(headers_of("village")) + "); 与户主关系 (与户主关系, 与户主的关系).")
    zh = read_error_text(err.value, path.name)
    assert zh.startswith("人口.csv：缺少必填列：行政村、与户主关系。表头可写作：行政村（行政村、村、")


def headers_of(column: str) -> list[str]:
    from etl.headers import spellings

    return spellings()["registry"][column]


def test_an_excel_2003_xml_spreadsheet_named_xls_is_told_how_to_load_it(tmp_path: Path) -> None:
    """Many web systems' 导出Excel write Excel 2003's XML Spreadsheet and name it .xls. Its <Table> made it
    pass for an HTML page, refused as having no header in its first 30 rows although the header was
    there (a probe): the user is told what the file is and how to get a workbook that loads."""
    cells = "".join(f'<Cell><Data ss:Type="String">{h}</Data></Cell>'
                    for h in ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系"])
    path = tmp_path / "贫困人口信息.xls"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
                    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
                    'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">\n'
                    f'<Worksheet ss:Name="Sheet1"><Table><Row>{cells}</Row></Table></Worksheet></Workbook>\n',
                    encoding="utf-8")
    db = tmp_path / "db" / "fupin.duckdb"
    report = load_files([path], db=db)
    assert report.exit_code == 1
    with pytest.raises(readers.ReadError) as err:
        readers.read_book(path)
    assert err.value.code == "xml_spreadsheet"
    zh = read_error_text(err.value, path.name)
    en = read_error_text(err.value, path.name, "en")
    assert "Excel 2003 XML" in zh and "另存为" in zh and ".xlsx" in zh, zh
    assert "XML Spreadsheet" in en and ".xlsx" in en, en


def test_a_workbook_of_many_sheets_without_a_header_names_the_first_few(tmp_path: Path) -> None:
    """Every sheet without a header was named in the message: a workbook of thousands of sheets made a
    message of thousands of names. The first ten are named, then how many in all."""
    path = workbook(tmp_path / "多表.xlsx", {f"说明{i}": [["填表说明"]] for i in range(1, 41)})
    with pytest.raises(readers.ReadError) as err:
        readers.read_book(path)
    zh, en = (read_error_text(err.value, path.name, lang) for lang in ("zh", "en"))
    assert "「说明10」等 40 个" in zh and "'说明10' and others (40 in all)" in en, (zh, en)
    assert "说明11" not in zh + en
