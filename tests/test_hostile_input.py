"""Hostile input (issue 6 §3): the loader never crashes, hangs or loads part of a file.

Every case goes through `etl.load.load_files` (the code path of the command line and the upload page)
on a real snapshot database. The outcome must be one of:
- a clear error for that file (`FileResult.error`, naming the file; exit code 1) and the database
  unchanged: same current snapshot, same row counts, no snapshot or WAL file left behind; or
- a load whose bad values are rejected rows or data issues (never an exception).
Each load runs under an alarm (a hang fails the test). Inputs: truncations, wrong encodings, binary
garbage, 1 MB cells, thousands of columns, formulas, HTML/<script>, xlsx zip bombs, odd file names,
upload type/size limits, and hypothesis-generated CSVs. docs/RELIABILITY.md lists what each did.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import random
import re
import shutil
import signal
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import demo, readers, snapshot
from etl.load import LoadReport, load_files
from tests.conftest import build_fixture_db
from ui import extract
from ui.upload import load_uploads

TABLES = ("households", "members", "interventions", "visits", "medical_claims", "rectifications",
          "load_batches", "rejected_rows", "data_issues")
LOAD_SECONDS = 60  # per file; anything slower counts as a hang


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    files = demo.write_demo_files(tmp_path_factory.mktemp("demo_files"))
    by_kind: dict[str, Path] = {}
    for f in files:
        kind = readers.read_file(f).kind
        if f.suffix == ".xlsx":
            by_kind.setdefault("registry_xlsx", f)
        else:
            by_kind.setdefault(kind, f)
    assert {"registry", "registry_xlsx", "visits", "rectifications"} <= set(by_kind), by_kind
    return by_kind


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot database (the fixture county, published once so the path is a link)."""
    root = tmp_path_factory.mktemp("template")
    path = build_fixture_db(root / "db" / "fupin.duckdb")
    seed = root / "seed.csv"
    seed.write_text("户编号,走访日期,走访类型,走访人,情况记录\nH01,2020-06-01,入户走访,甲,种子\n", encoding="utf-8")
    assert load_files([seed], db=path).exit_code == 0
    assert path.is_symlink()
    return path


@pytest.fixture()
def db(template_db: Path, tmp_path: Path) -> Path:
    """A private copy of the template database (link + snapshots folder)."""
    shutil.copytree(template_db.parent, tmp_path / "db", symlinks=True)
    return tmp_path / "db" / template_db.name


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    def boom(_sig: int, _frame: object) -> None:
        raise TimeoutError(f"no answer in {seconds}s: a hang")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def state(db: Path) -> tuple[object, ...]:
    con, snap = snapshot.connect_read(db)
    try:
        counts = tuple(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES)  # noqa: S608
    finally:
        con.close()
    # the other snapshot file may have been brought up to the current generation by the failed load
    # (it is then renamed as the current generation's other file): a change of neither data nor state
    files = sorted(p.name for p in snapshot.snapshots_dir(db).iterdir()
                   if p.resolve() == snap.resolve() or not p.name.startswith("g"))
    slots = len(list(snapshot.snapshots_dir(db).glob("g*.duckdb")))
    return snap, counts, tuple(files), slots


def load_one(db: Path, path: Path, *, name: str | None = None) -> tuple[LoadReport, bool]:
    """Load one file; returns the report and whether the database changed. Checks the invariants."""
    before = state(db)
    with deadline(LOAD_SECONDS):
        report = load_files([path], db=db, display_names=[name] if name else None)
    after = state(db)
    f = report.files[0]
    if f.error:
        assert isinstance(f.error, str) and f.error.strip()
        assert (name or path.name) in f.error, f.error  # names the file
        assert report.exit_code == 1
        assert not report.published
        assert after == before, "a file that failed changed the database"
    else:
        assert report.exit_code == 0
    assert not list(snapshot.snapshots_dir(db).glob("*.wal"))
    return report, after != before


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- corrupted real export files -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["registry", "registry_xlsx", "visits"])
@pytest.mark.parametrize("fraction", [0.0005, 0.01, 0.3, 0.5, 0.97])
def test_truncated_exports(db: Path, demo_files: dict[str, Path], tmp_path: Path, kind: str,
                           fraction: float) -> None:
    src = demo_files[kind]
    data = src.read_bytes()
    cut = max(1, int(len(data) * fraction))
    report, _ = load_one(db, write(tmp_path / f"trunc{src.suffix}", data[:cut]))
    if src.suffix == ".xlsx":
        assert report.files[0].error, "a truncated xlsx must be refused as a whole"


def test_truncated_in_the_middle_of_a_character(db: Path, demo_files: dict[str, Path], tmp_path: Path) -> None:
    data = demo_files["visits"].read_bytes()
    text_end = data.rfind("记".encode())
    load_one(db, write(tmp_path / "mid_char.csv", data[: text_end + 1]))  # half of a 3-byte character


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "big5", "shift_jis", "latin-1-mojibake"])
def test_wrong_encodings(db: Path, demo_files: dict[str, Path], tmp_path: Path, encoding: str) -> None:
    text = demo_files["visits"].read_bytes().decode("utf-8-sig")
    if encoding == "latin-1-mojibake":  # UTF-8 bytes shown as latin-1 and saved again as UTF-8
        data = text.encode("utf-8").decode("latin-1").encode("utf-8")
    else:
        data = text.encode(encoding, errors="replace")
    load_one(db, write(tmp_path / "enc.csv", data))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".xls", ".txt"])
@pytest.mark.parametrize("seed", [1, 2])
def test_binary_garbage(db: Path, tmp_path: Path, suffix: str, seed: int) -> None:
    rnd = random.Random(seed)
    data = bytes(rnd.getrandbits(8) for _ in range(20_000))
    if seed == 2 and suffix in (".xlsx", ".xls"):
        data = b"PK\x03\x04" + data  # looks like a zip at first sight
    report, changed = load_one(db, write(tmp_path / f"garbage{suffix}", data))
    assert report.files[0].error and not changed


def test_random_byte_flips_in_real_files(db: Path, demo_files: dict[str, Path], tmp_path: Path) -> None:
    rnd = random.Random(7)
    for kind in ("registry", "registry_xlsx", "rectifications"):
        src = demo_files[kind]
        for i in range(3):
            data = bytearray(src.read_bytes())
            for _ in range(20):
                data[rnd.randrange(len(data))] = rnd.getrandbits(8)
            load_one(db, write(tmp_path / f"flip{i}{src.suffix}", bytes(data)))


def test_not_a_spreadsheet_with_a_spreadsheet_name(db: Path, tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    assert load_one(db, write(tmp_path / "photo.xlsx", png))[0].files[0].error
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    assert load_one(db, write(tmp_path / "plain.xlsx", z.getvalue()))[0].files[0].error
    assert load_one(db, write(tmp_path / "empty.csv", b""))[0].files[0].error
    assert load_one(db, write(tmp_path / "bom_only.csv", b"\xef\xbb\xbf"))[0].files[0].error
    assert load_one(db, write(tmp_path / "program.exe", b"MZ" + b"\x00" * 100))[0].files[0].error


# --- very long cells, many columns, formulas, HTML ---------------------------------------------------

VISITS_HEAD = "户编号,走访日期,走访类型,走访人,情况记录\n"


def test_one_megabyte_cells(db: Path, tmp_path: Path) -> None:
    big = "长" * (1 << 20)
    path = write(tmp_path / "long.csv", (VISITS_HEAD + f"H02,2020-06-02,入户走访,{big},{big}\n").encode("utf-8"))
    report, _ = load_one(db, path)
    f = report.files[0]
    if not f.error:
        assert f.rows_loaded + f.rows_rejected == 1
    long_id = write(tmp_path / "long_id.csv", (VISITS_HEAD + f"{'9' * (1 << 20)},2020-06-02,入户走访,甲,乙\n").encode())
    load_one(db, long_id)


def test_thousands_of_columns(db: Path, demo_files: dict[str, Path], tmp_path: Path) -> None:
    extra = ",".join(f"多余列{i}" for i in range(5000))
    rows = [VISITS_HEAD.strip() + "," + extra]
    rows += [f"H0{i},2020-06-0{i},入户走访,甲,乙," + ",".join("x" for _ in range(5000)) for i in range(1, 4)]
    report, _ = load_one(db, write(tmp_path / "wide.csv", ("\n".join(rows) + "\n").encode()))
    f = report.files[0]
    assert not f.error, f.error
    assert f.rows_loaded == 3 and len(f.ignored_columns) == 5000
    # and a file that is nothing but 20 000 columns of noise
    noise = ",".join(f"c{i}" for i in range(20_000)) + "\n" + ",".join("1" for _ in range(20_000)) + "\n"
    assert load_one(db, write(tmp_path / "noise.csv", noise.encode()))[0].files[0].error


FORMULAS = ['=HYPERLINK("http://127.0.0.1:9/x","点击")', "=cmd|' /C calc'!A0", "+SUM(A1:A9)", "-2+3",
            "@SUM(A1)", "\t=1+1", "\r=1+1"]
MARKUP = ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "![x](http://127.0.0.1:9/p.png)",
          "[点我](javascript:alert(1))", "<b>粗</b>", "&lt;escaped&gt;", "{{7*7}}", "${7*7}"]


def test_formulas_and_markup_are_stored_verbatim_and_extracts_are_neutralised(db: Path, tmp_path: Path) -> None:
    values = FORMULAS + MARKUP
    lines = [VISITS_HEAD.strip()]
    for i, v in enumerate(values):
        q = '"' + v.replace('"', '""') + '"'
        lines.append(f"H0{1 + i % 9},2020-05-{1 + i:02d},入户走访,{q},{q}")
    report, changed = load_one(db, write(tmp_path / "formulas.csv", ("\n".join(lines) + "\n").encode("utf-8")))
    f = report.files[0]
    assert not f.error and changed and f.rows_loaded == len(values), f
    con, _ = snapshot.connect_read(db)
    try:
        stored = {r[0] for r in con.execute("SELECT notes FROM visits").fetchall()}
    finally:
        con.close()
    for v in values:
        assert v.strip() in stored or v in stored, v  # text, untouched (no evaluation, no escaping in the DB)
    import pandas as pd

    out = extract.csv_bytes(pd.DataFrame({"情况记录": values})).decode("utf-8-sig")
    cells = [r[0] for r in csv.reader(io.StringIO(out, newline=""))][1:]
    assert cells[: len(FORMULAS)] == ["'" + v for v in FORMULAS], cells
    assert cells[len(FORMULAS):] == MARKUP


# --- xlsx zip bombs ------------------------------------------------------------------------------------


def _bomb(path: Path, members: int, member_mb: int) -> Path:
    chunk = b"0" * (1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        for m in range(members):
            with zf.open(f"xl/worksheets/sheet{m + 1}.xml", "w", force_zip64=True) as w:
                for _ in range(member_mb):
                    w.write(chunk)
    return path


def test_xlsx_zip_bomb_one_huge_member(db: Path, tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.xlsx", 1, 1500)  # 1.5 GB of zeros in ~1.5 MB
    assert path.stat().st_size < 5 << 20
    report, changed = load_one(db, path)
    assert report.files[0].error and not changed


def test_xlsx_zip_bomb_many_members_under_the_ratio_threshold(db: Path, tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb_many.xlsx", 70, 15)  # 70 x 15 MB: each member under the 16 MB ratio floor
    report, changed = load_one(db, path)
    assert report.files[0].error and not changed


def test_xlsx_entity_expansion(db: Path, tmp_path: Path) -> None:
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
           + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
           "<si><t>&lol9;</t></si></sst>")
    z = tmp_path / "lol.xlsx"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/sharedStrings.xml", lol)
    report, changed = load_one(db, z)
    assert report.files[0].error and not changed


def _spans_page(spans: int, rows: int) -> str:
    """A registry header, then one row of `spans` cells each spanning 1000 rows and 1000 columns, then
    `rows` empty rows under them: a few kilobytes that Excel would open as a grid of millions of cells."""
    head = "".join(f"<th>{h}</th>" for h in ("乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系"))
    cells = '<td rowspan="1000" colspan="1000">x</td>' * spans
    return f"<html><body><table><tr>{head}</tr><tr>{cells}</tr>{'<tr></tr>' * rows}</table></body></html>"


def test_html_spans_are_not_a_memory_bomb(db: Path, tmp_path: Path) -> None:
    """Twenty 1000×1000 spans in 934 bytes: each span was kept as the million cells it covers (3 GB, 15 s);
    with rows under them the grid itself is millions of cells: refused, in both languages, by name."""
    from etl.html_tables import read_html

    one_row = tmp_path / "spans.html"
    one_row.write_text(_spans_page(20, 0), encoding="utf-8")
    with deadline(5):
        book = read_html(one_row)  # was 15 s and 3 GB (a cell set of 20 million positions)
    assert len(book.parts) == 1
    page = write(tmp_path / "spans_rows.xls", _spans_page(6, 999).encode("utf-8"))  # 6 million cells under spans
    report, changed = load_one(db, page)
    f = report.files[0]
    assert f.error and not changed
    assert "表格的范围过大" in f.error_texts["zh"] and "range is too large" in f.error_texts["en"], f.error_texts


def _far_cell_workbook(path: Path, row: int, col: int, *, suffix_rows: int = 0, sheets: int = 1) -> Path:
    """A registry header in A1:F1, `suffix_rows` households under it, and one cell at (row, col); on each
    of `sheets` sheets."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    for k in range(sheets):
        ws = wb.add_worksheet("户籍" if k == 0 else f"户籍{k + 1}")
        ws.write_row(0, 0, ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系"])
        for i in range(suffix_rows):
            ws.write_row(i + 1, 0, ["乡甲镇", "一村", f"H{i:05d}", "某某", "", "户主"])
        ws.write(row, col, "x")
    wb.close()
    return path


def test_xlsx_cells_far_apart_are_refused_not_a_crash(db: Path, tmp_path: Path) -> None:
    """Cells at A1 and XFD1048576 (a few KB): calamine asked for 512 GiB for the dense grid between them and
    aborted the process (the server with it: SIGABRT, no Python exception). A grid far larger than the
    cells written is refused by name, in the user's language; a sheet as sparse as exports are still loads."""
    import subprocess
    import sys

    bomb = _far_cell_workbook(tmp_path / "远处的单元格.xlsx", 1_048_575, 16_383)
    assert bomb.stat().st_size < 10_000
    for lang, words in (("zh", "表格的范围过大"), ("en", "range is too large")):
        res = subprocess.run([sys.executable, "-m", "etl", "--lang", lang, "load", str(bomb), "--db", str(db)],
                             capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])
        assert res.returncode == 1, (res.returncode, res.stderr[-2000:])  # was -6 (SIGABRT)
        assert words in res.stdout + res.stderr and bomb.name in res.stdout + res.stderr
    report, changed = load_one(db, _far_cell_workbook(tmp_path / "稀疏.xlsx", 28_500, 701))  # ZZ28501: 1 GB
    assert report.files[0].error and not changed
    # three sheets of 2.8 million cells each: the reader holds every sheet at once, so their grids add up
    report, changed = load_one(db, _far_cell_workbook(tmp_path / "三张.xlsx", 4_000, 701, sheets=3))
    assert report.files[0].error and not changed
    # the same workbook named .xls (systems do; calamine reads it by its bytes) skipped the zip's checks
    named_xls = tmp_path / "远处的单元格.xls"
    named_xls.write_bytes(bomb.read_bytes())
    res = subprocess.run([sys.executable, "-m", "etl", "load", str(named_xls), "--db", str(db)],
                         capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])
    assert res.returncode == 1 and "表格的范围过大" in res.stdout + res.stderr, (res.returncode, res.stderr[-2000:])
    # a note far right of a real sheet (200 households, a cell at Z201): an export's sparseness, loaded
    report, changed = load_one(db, _far_cell_workbook(tmp_path / "备注.xlsx", 200, 25, suffix_rows=200))
    assert not report.files[0].error, report.files[0].error


def _rezipped(book: Path, out_path: Path, member: str, edit: Callable[[bytes], bytes]) -> Path:
    """A copy of the workbook `book` at `out_path` whose part `member` is `edit`ed."""
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info, edit(data) if info.filename == member else data)
    return out_path


def test_xlsx_overlapping_merged_cells_are_refused_quickly(db: Path, tmp_path: Path) -> None:
    """50,000 copies of the merged range A3:A5000 (a few KB zipped): each was filled down row by row, 250
    million steps of the loader's CPU (the server's, for an upload) before a summary; Excel calls such a
    file damaged. Refused at once, naming the sheet, in each language."""
    import time

    book = _far_cell_workbook(tmp_path / "plain.xlsx", 4_999, 0)
    merges = '<mergeCells count="50000">' + '<mergeCell ref="A3:A5000"/>' * 50_000 + "</mergeCells>"
    bomb = _rezipped(book, tmp_path / "合并重叠.xlsx", "xl/worksheets/sheet1.xml",
                     lambda data: data.replace(b"</sheetData>", b"</sheetData>" + merges.encode()))
    assert bomb.stat().st_size < 50_000
    started = time.monotonic()
    report, changed = load_one(db, bomb)
    assert time.monotonic() - started < 5
    f = report.files[0]
    assert f.error and not changed
    assert "「户籍」的合并单元格相互重叠" in f.error_texts["zh"] and "merged cells overlap on sheet '户籍'" in f.error_texts["en"]


def test_xlsx_sheets_sharing_one_part_are_refused(db: Path, tmp_path: Path) -> None:
    """Twelve sheets of workbook.xml naming one worksheet part (Excel never writes that): calamine read the
    part once per sheet and held every copy (a sheet of 4.8 million cells: 2.2 GB, 18 s, from a few KB).
    Refused as a damaged workbook."""
    book = _far_cell_workbook(tmp_path / "one.xlsx", 20_000, 4)
    def eleven_more(data: bytes) -> bytes:
        sheet = re.search(rb'<sheet name="[^"]*" sheetId="1" r:id="(rId\d+)"/>', data)
        assert sheet is not None, data
        copies = b"".join(b'<sheet name="S%d" sheetId="%d" r:id="%s"/>' % (k, k + 2, sheet.group(1))
                          for k in range(11))
        return data.replace(sheet.group(0), sheet.group(0) + copies)

    shared = _rezipped(book, tmp_path / "同一部件.xlsx", "xl/workbook.xml", eleven_more)
    report, changed = load_one(db, shared)
    f = report.files[0]
    assert f.error and not changed
    assert "Excel 文件已损坏" in f.error_texts["zh"], f.error_texts


def test_xlsx_cells_naming_one_long_shared_string_are_refused(db: Path, tmp_path: Path) -> None:
    """Cells of an xlsx name a shared string by its index, and calamine and the reader copy the string into
    each: 2,000 cells naming one string of a million characters (15 KB zipped) took 21 GB and the process
    was killed. Here 3,000 cells name one 32,000-character string (xlsxwriter writes it once): 280 MB of
    text from a few hundred KB, over the floor of 256 MB; refused by name, in each language."""
    import xlsxwriter

    path = tmp_path / "长文字.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("户籍")
    ws.write_row(0, 0, ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "备注"])
    note = "说明" * 16_000
    for r in range(1, 3_001):
        ws.write_row(r, 0, ["乡甲镇", "一村", f"H{r:05d}", "某某", "", "户主", note])
    wb.close()
    assert path.stat().st_size < 1 << 20
    report, changed = load_one(db, path)
    f = report.files[0]
    assert f.error and not changed
    assert "很长的文字" in f.error_texts["zh"] and "one very long text" in f.error_texts["en"], f.error_texts


def _biff_workbook(path: Path, sheets: int, far: tuple[int, int] | None) -> Path:
    """An Excel 97-2003 workbook (xlwt writes BIFF8): `sheets` sheets with a registry header, each with a
    cell at `far` when given."""
    import xlwt

    wb = xlwt.Workbook()
    for k in range(sheets):
        ws = wb.add_sheet(f"表{k + 1}")
        for i, h in enumerate(["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系"]):
            ws.write(0, i, h)
        if far is not None:
            ws.write(*far, "x")
    wb.save(str(path))
    return path


def test_xls_lying_dimensions_and_far_cells_are_refused(db: Path, tmp_path: Path) -> None:
    """Excel 97-2003: a DIMENSIONS record of 4 billion rows made calamine reserve 11 PB when the workbook
    was opened and abort the process (SIGABRT); four sheets of 6 KB with a cell at IV65536 each took
    4.5 GB. Both refused by name, in each language; the honest workbook still reads."""
    import struct
    import subprocess
    import sys

    honest = _biff_workbook(tmp_path / "正常.xls", 1, (1, 0))
    data = bytearray(honest.read_bytes())
    at = data.find(b"\x00\x02\x0e\x00")  # the sheet's DIMENSIONS record (BIFF8: 14 bytes)
    assert at > 0
    struct.pack_into("<IIHHH", data, at + 4, 0, 0xFFFFFFF0, 0, 0xFFF0, 0)
    lying = tmp_path / "范围不实.xls"
    lying.write_bytes(bytes(data))
    for lang, words in (("zh", "表格的范围过大"), ("en", "range is too large")):
        res = subprocess.run([sys.executable, "-m", "etl", "--lang", lang, "load", str(lying), "--db", str(db)],
                             capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])
        assert res.returncode == 1, (res.returncode, res.stderr[-2000:])  # was -6 (SIGABRT)
        assert words in res.stdout + res.stderr and lying.name in res.stdout + res.stderr
    far = _biff_workbook(tmp_path / "远处.xls", 4, (65_535, 255))
    assert far.stat().st_size < 10_000
    report, changed = load_one(db, far)
    assert report.files[0].error and not changed
    assert "range is too large" in report.files[0].error_texts["en"], report.files[0].error_texts
    report, _ = load_one(db, honest)
    assert not report.files[0].error, report.files[0].error
    # three sheets whose BOUNDSHEET records name one substream: read and held once per sheet, as an
    # xlsx's shared part; refused as damaged
    data = bytearray(_biff_workbook(tmp_path / "三表.xls", 3, (2000, 5)).read_bytes())
    sheets = [m.start() for m in re.finditer(rb"\x85\x00[\x08-\xff]\x00.{6}\x02", bytes(data), re.DOTALL)]
    assert len(sheets) == 3, sheets
    for at in sheets[1:]:
        data[at + 4:at + 8] = data[sheets[0] + 4:sheets[0] + 8]
    shared = write(tmp_path / "同一工作表.xls", bytes(data))
    report, changed = load_one(db, shared)
    assert report.files[0].error and not changed
    assert "Excel 文件已损坏" in report.files[0].error_texts["zh"], report.files[0].error_texts


def test_a_web_archive_s_pages_share_one_grid_budget(db: Path, tmp_path: Path) -> None:
    """A web archive (.mht) is read page by page: each page had its own budget of GRID_FLOOR cells, so a
    few kilobytes of pages each just under it added up (three pages of two million cells: 550 MB). The
    file's pages now share one budget."""
    page = _spans_page(2, 999)  # two million cells under spans: under the floor on its own
    boundary = "----=_NextPart_01"
    parts = "".join(f"--{boundary}\r\nContent-Location: file:///C:/x/sheet{i}.htm\r\n"
                    f'Content-Type: text/html; charset="utf-8"\r\n\r\n{page}\r\n\r\n' for i in range(3))
    archive = write(tmp_path / "页面.mht", (f'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="{boundary}"'
                                          f"\r\n\r\n{parts}--{boundary}--\r\n").encode())
    report, changed = load_one(db, archive)
    f = report.files[0]
    assert f.error and not changed
    assert "表格的范围过大" in f.error_texts["zh"], f.error_texts


@pytest.mark.parametrize("shape", ["nested", "one after another"])
def test_html_with_thousands_of_tables_is_refused_in_a_short_message(db: Path, tmp_path: Path, shape: str) -> None:
    """A million nested <table><tr><td> (15 MB) took 84 s and 3.7 GB, each table read as a sheet, and the
    message named every one of them (表1、表2 … 表1000000). A page opening more than MAX_TABLES tables is
    refused at once, in a sentence."""
    n = 10_001  # etl.html_tables.MAX_TABLES + 1
    body = "<table><tr><td>" * n + "x" if shape == "nested" else "<table><tr><td>x</td></tr></table>" * n
    page = write(tmp_path / "tables.html", f"<html><body>{body}</body></html>".encode())
    report, changed = load_one(db, page)
    f = report.files[0]
    assert f.error and not changed
    assert "表格超过 10,000 个" in f.error_texts["zh"] and "more than 10,000 tables" in f.error_texts["en"], f.error
    assert len(f.error) < 500


# --- odd file names -------------------------------------------------------------------------------------

ODD_NAMES = ["带 空格 的 文件.csv", "走访记录（2020年）.csv", "../../etc/passwd.csv", "..\\..\\evil.csv",
             "a" * 240 + ".csv", "-rf.csv", "名字;DROP TABLE visits;--.csv", "\u202egnp.csv", "tab\tname.csv"]


@pytest.mark.parametrize("name", ODD_NAMES, ids=range(len(ODD_NAMES)))
def test_odd_file_names_through_the_upload_path(db: Path, tmp_path: Path, name: str) -> None:
    content = (VISITS_HEAD + f"H03,2020-04-0{1 + len(name) % 9},入户走访,甲,{name}\n").encode("utf-8")
    before = {p for p in Path(tmp_path).rglob("*")}
    with deadline(LOAD_SECONDS):
        outcome = load_uploads([(name, content)], "zh", db=db)
    assert outcome.exit_code == 0, outcome.errors
    assert any(Path(name).name in line for line in outcome.lines), outcome.lines  # the summary shows the base name
    snaps = snapshot.snapshots_dir(db)
    assert {p for p in Path(tmp_path).rglob("*")} - before <= {*snaps.iterdir(), *snapshot.changes_dir(db).iterdir()}
    assert not (tmp_path.parent / "etc").exists()
    con, _ = snapshot.connect_read(db)
    try:
        names = [r[0] for r in con.execute("SELECT file_name FROM load_batches").fetchall()]
        assert con.execute("SELECT count(*) FROM visits").fetchall()[0][0] > 0
    finally:
        con.close()
    assert name in names or Path(name).name in names, names  # kept as data, never used as a path


@pytest.mark.parametrize("name", ["带 空格.csv", "走访记录（2020年）.csv", "a" * 200 + ".csv"])
def test_odd_file_names_on_the_command_line(db: Path, tmp_path: Path, name: str) -> None:
    import subprocess
    import sys

    path = write(tmp_path / name, (VISITS_HEAD + "H04,2020-03-03,入户走访,甲,命令行\n").encode("utf-8"))
    res = subprocess.run([sys.executable, "-m", "etl", "load", str(path), "--db", str(db), "--json"],
                         capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])
    assert res.returncode == 0, res.stdout + res.stderr


# --- upload limits -------------------------------------------------------------------------------------


def test_upload_type_and_size_limits(db: Path) -> None:
    before = state(db)
    out = load_uploads([("x.exe", b"MZ"), ("x.gz", b"\x1f\x8b"), ("x.json", b"{}"), ("noext", b"a,b")], "zh", db=db)
    assert out.exit_code == 1 and len(out.errors) == 4 and not out.lines
    assert all(".csv.gz" in e for e in out.errors)  # the message names every accepted suffix
    # an .xls is accepted as an upload, and a broken one fails in the reader, changing nothing
    out = load_uploads([("x.xls", b"\xd0\xcf")], "zh", db=db)
    assert out.exit_code == 1 and "x.xls" in out.errors[0] and "只接受" not in out.errors[0]
    big = (VISITS_HEAD + "H05,2020-02-02,入户走访,甲,乙\n").encode() + b" " * (2 << 20)
    out = load_uploads([("big.csv", big)], "zh", db=db, limit_mb=1)
    assert out.exit_code == 1 and "big.csv" in out.errors[0]
    assert state(db) == before
    # the widget limits the size too (ui/upload_panel.py through ui/uploader.py), not the type: it
    # dropped a .docx chosen with a .csv with an English note of its own, and the summary never named it;
    # load_uploads refuses it
    root = Path(__file__).resolve().parents[1]
    panel = (root / "ui" / "upload_panel.py").read_text(encoding="utf-8")
    assert 'uploader.show(ctx, "data_files", UPLOAD_LIMIT_MB)' in panel
    widget = (root / "ui" / "uploader.py").read_text(encoding="utf-8")
    uploader = re.search(r"st\.file_uploader\((.*?)\)\n", widget, flags=re.S)
    assert uploader and "max_upload_size=widget_limit_mb(limit_mb)" in uploader[1] and "type=" not in uploader[1]


def test_a_bad_file_does_not_stop_the_good_ones(db: Path, demo_files: dict[str, Path], tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.xlsx", b"PK\x03\x04garbage")
    good = write(tmp_path / "good.csv", (VISITS_HEAD + "H06,2020-01-02,入户走访,甲,好文件\n").encode())
    with deadline(LOAD_SECONDS):
        report = load_files([bad, good], db=db)
    assert report.exit_code == 1 and report.files[0].error and not report.files[1].error
    assert report.files[1].rows_loaded == 1 and report.published


# --- hypothesis: generated CSV files ------------------------------------------------------------------

HEADERS = ["户编号", "乡(镇)", "行政村", "姓名", "证件号码", "与户主关系", "主要致贫原因", "脱贫属性", "走访日期",
           "走访类型", "情况记录", "问题编号", "整改状态", "金额(元)", "人均纯收入", "序号", "合计", ""]
cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "合计", "是", "否", "1", "已脱贫", "因病", "户主", "2020-06-30", "20200622", "1.50824E+17",
                     "4,300.50", "3200元", "=1+1", "<script>x</script>", '"', '""', "\n", "\r\n", ",", "\t", "\x00",
                     "150824194402279274", "H01", "乌加河镇", "联丰奋斗村"]),
)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=12))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=len(header) + 2), max_size=12))
    title = draw(st.lists(st.text(max_size=20), max_size=2))
    sep = draw(st.sampled_from([",", "\t", ";"]))
    lines = [*title, sep.join(header), *(sep.join(r) for r in rows)]
    text = "\n".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return text.encode(encoding, errors="replace")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=csv_files())
def test_generated_csvs_never_crash_the_reader(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "gen.csv", data)
    with deadline(20):
        try:
            raw = readers.read_file(path)
        except readers.ReadError as exc:
            assert str(exc)
            return
    assert raw.kind in {"registry", "interventions", "visits", "medical_claims", "rectifications"}
    # every row read is somewhere: loaded, skipped, or set aside with its reason (a lone `"` under the
    # header is an unclosed quote: hypothesis found the sum without it, 2026-12-07)
    assert raw.rows_read == (raw.table.num_rows + raw.skipped + len(raw.malformed) + len(raw.undecodable)
                             + len(raw.unclosed_quote))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=csv_files())
def test_generated_csvs_load_atomically(db: Path, tmp_path: Path, data: bytes) -> None:
    load_one(db, write(tmp_path / f"gen{os.getpid()}.csv", data))


def test_database_is_readable_after_everything(db: Path) -> None:
    con = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM hh_facts").fetchall()[0][0] == 12
    finally:
        con.close()


def test_a_file_name_in_another_encoding_loads(db: Path, tmp_path: Path) -> None:
    """A name whose bytes are not UTF-8 (GB18030, as a zip made on Chinese Windows unpacks on Linux; or a
    stray byte): the whole load failed with DuckDB's English "cannot encode str as UTF-8". Now a GB18030
    name reads as itself, another bad byte as �, and the file loads."""
    content = (VISITS_HEAD + "H03,2020-05-05,入户走访,甲,名字的编码\n").encode("utf-8")
    gbk = Path(os.fsdecode(os.fsencode(tmp_path) + "/走访记录.csv".encode("gb18030")))
    stray = Path(os.fsdecode(os.fsencode(tmp_path) + b"/visits\xff.csv"))
    gbk.write_bytes(content)
    stray.write_bytes(content.replace(b"2020-05-05", b"2020-05-06"))
    report, changed = load_one(db, gbk)
    assert not report.files[0].error, report.files[0].error
    report, changed = load_one(db, stray)
    assert not report.files[0].error, report.files[0].error
    con = duckdb.connect(str(snapshot.db_path(db)), read_only=True)
    try:
        names = {r[0] for r in con.execute("SELECT file_name FROM load_batches").fetchall()}
    finally:
        con.close()
    assert {"走访记录.csv", "visits\ufffd.csv"} <= names, names
