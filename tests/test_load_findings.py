"""What a load tells its user about the rows it rejected and the issues it found (data-spec §3: "Error
messages users see are in Chinese (English when the UI is English), name the file, line and column, and
say what would be accepted").

- The command line and the upload page quote a file's first rejected rows and issues as sentences, in
  line order, the column named as the file heads it (身份证号, not the contract's 证件号码), and say how
  many more there are and where to find them.
- The data page's rejected rows carry the same sentence.
Real files, real DuckDB, the real CLI and the real page (AppTest)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl.load import FINDINGS_SHOWN, load_files
from tests import conftest

ROOT = Path(__file__).resolve().parents[1]
# a registry headed as some exports head it: 身份证号, a starred 户编号, 人数
HEADER = "乡镇,行政村,*户编号,姓名,身份证号,与户主关系,人数,脱贫状态,脱贫年度,主要致贫原因,人均纯收入,收入年度"
ROWS = [
    "海流图镇,红旗村,H1,甲一,150824196001010118,户主,2,已脱贫,2019,因病,5200,2019",
    "海流图镇,红旗村,,甲二,150824196001010126,配偶,2,已脱贫,2019,因病,5200,2019",  # line 3: no 户编号
    "海流图镇,红旗村,H2,乙一,1.50824E+17,户主,1,未脱贫,,因懒,abc,2019",  # line 4: ID mangled, code, number
]


def registry(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="gb18030")
    return path


def test_summary_quotes_the_first_findings_in_line_order(tmp_path: Path) -> None:
    path = registry(tmp_path / "人口.csv", ROWS)
    report = load_files([path], db=tmp_path / "db" / "fupin.duckdb")
    f = report.files[0]
    assert (f.rows_rejected, f.issues) == (1, 4)
    lines, errors = report.summary_lines()
    assert not errors
    assert lines == [
        "人口.csv：贫困人口信息，读取3行，入库2行，拒收1行，跳过0行，数据问题4条",
        "  · 人口.csv 第2行「人数」值「2」与户编号「H1」的成员行数不符。应等于该户的成员行数（每位成员一行）。",
        "  · 人口.csv 第3行「户编号」为空：无法确定所属农户，该行未入库。请填写户编号。",
        "  · 人口.csv 第4行「身份证号」值「1.50824E+17」已被 Excel 转为科学计数法，无法恢复。请将该列设为文本格式后重新导出。",
        "  · 人口.csv 第4行「人均纯收入」值「abc」不是数字。可接受如 3200、3,200.50、3200元。",
        "  · 人口.csv 第4行「主要致贫原因」值「因懒」不在代码表中。可接受：因病、因残、因学、因灾、缺土地、缺水、缺技术、"
        "缺劳力、缺资金、交通条件落后、自身发展动力不足、因婚、因丧、其他。",
    ]
    english, _ = report.summary_lines("en")
    # the column by its English name and the header the file has: the reader looks for it in a Chinese
    # file (it said 'Main cause' alone; a probe)
    assert english[-1] == ("  · 人口.csv line 4, 'Main cause (主要致贫原因)' = '因懒' is not in the code list. Accepted: "
                           "因病, 因残, 因学, 因灾, 缺土地, 缺水, 缺技术, 缺劳力, 缺资金, 交通条件落后, 自身发展动力不足, 因婚, "
                           "因丧, 其他.")
    assert english[3] == "  · 人口.csv line 4, 'ID number (身份证号)' = '1.50824E+17' was turned into scientific " \
        "notation by Excel and cannot be recovered. Format the column as text and export again."
    # the same file again changes nothing, and recalls only that its last load rejected a row
    again = load_files([path], db=tmp_path / "db" / "fupin.duckdb")
    lines = again.summary_lines()[0]
    assert lines[0] == "人口.csv：与已入库的文件相同，未作更改。"
    assert len(lines) == 2 and lines[1].startswith("  上次导入此文件时拒收1行")


def test_more_findings_than_shown_are_counted_and_pointed_to(tmp_path: Path) -> None:
    rows = [f"海流图镇,红旗村,,无户{i},,户主,1,未脱贫,,因病,3000,2019" for i in range(FINDINGS_SHOWN + 5)]
    report = load_files([registry(tmp_path / "缺户编号.csv", rows)], db=tmp_path / "db" / "fupin.duckdb")
    lines, _ = report.summary_lines()
    quoted = [line for line in lines if line.startswith("  · ")]
    assert len(quoted) == FINDINGS_SHOWN
    assert quoted[0].startswith("  · 缺户编号.csv 第2行「户编号」为空") and "第11行" in quoted[-1]
    assert lines[-1] == "  …另有5条，见「数据管理」页的拒收行与「档案规范性」页的问题清单"


def test_command_line_prints_them(tmp_path: Path) -> None:
    path = registry(tmp_path / "人口.csv", ROWS)
    out = subprocess.run([sys.executable, "-m", "etl", "load", str(path), "--db", str(tmp_path / "db" / "x.duckdb")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, check=True).stdout
    assert "  · 人口.csv 第3行「户编号」为空：无法确定所属农户，该行未入库。请填写户编号。" in out.splitlines()


@pytest.fixture()
def loaded_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "data" / "fupin.duckdb"
    load_files([registry(tmp_path / "人口.csv", ROWS)], db=db)
    monkeypatch.setenv("FUPIN_DB", str(db))
    return db


def test_data_page_says_what_to_do_with_a_rejected_row(loaded_db: Path) -> None:
    at: AppTest = conftest.open_page("data_admin")
    rejected = next(d.value for d in at.dataframe if "说明" in d.value.columns)
    assert list(rejected["说明"]) == ["人口.csv 第3行「户编号」为空：无法确定所属农户，该行未入库。请填写户编号。"]


def test_a_count_and_a_claim_without_total_are_told_what_they_need(tmp_path: Path) -> None:
    """A count written in words (乡村人口「三百」) is told to write a whole number, not given an amount's
    examples (3,200.50、3200元); a claim with a blank 总费用 is told the total is missing, not that its parts
    differ from 「」."""
    base = tmp_path / "人口基数.csv"
    base.write_text("年度,乡镇,行政村,乡村人口\n2020,海流图镇,红旗村,三百\n", encoding="utf-8")
    claims = tmp_path / "报销.csv"
    claims.write_text("户编号,入院日期,总费用,基本医保报销,个人自付\nH1,2020-03-01,,300,100\n"
                      "H1,2020-04-01,1000,300,100\n", encoding="utf-8")
    report = load_files([base, claims], db=tmp_path / "db" / "fupin.duckdb")
    lines, _ = report.summary_lines()
    assert "  · 人口基数.csv 第2行「乡村人口」值「三百」不是整数。请用阿拉伯数字填写，可接受如 3、3人、1,200。" in lines
    assert "  · 报销.csv 第2行：未填写总费用，无法核对各项报销与个人自付之和。请填写总费用。" in lines
    assert "  · 报销.csv 第3行：各项报销与个人自付之和与「总费用」「1000」不符。各项之和应等于总费用（可差1元以内）。" in lines
