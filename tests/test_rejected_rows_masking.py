"""Rejected rows' raw values are masked in SQL (`list_rejected.raw_masked`, stored with the snapshot):
names, ID numbers and phones inside the raw JSON are masked for a viewer without personal-data rights,
shown as stored to one with them, and the masked text is exactly what the earlier Python masking
(parse, mask the name fields, dump compact) wrote."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.derive import FULL
from etl.quality_checks import build_rejected
from etl.schema import create_all
from queries import data_admin
from queries.filters import Viewer, mask_name_value

FULL_ID = re.compile(r"\d{17}[\dXx]")
FULL_PHONE = re.compile(r"1\d{10}")
NAMES = ("张三春", "欧阳娜娜", "李四", "王")

# raw values as the loader writes them: DuckDB's json_object of the row's raw text fields
LOADER_ROWS = [
    {"name": "张三春", "head_name": "欧阳娜娜", "id_number": "150824196112150332", "phone": "13812345678",
     "village": "民东村", "household_id": "1508241012010001"},
    {"name": "李四", "head_name": None, "id_number": "15082420080924029X", "phone": None},
    {"name": "王", "head_name": "张三春", "id_number": None, "phone": "19126004763"},
    {"name": None, "head_name": None, "id_number": "150824196112150332", "phone": "13812345678"},
    # hostile text: quotes, backslashes, every control character, a literal "\u001F", emoji
    {"name": '张"三\\春', "head_name": "欧阳\u001f娜娜\u000b", "note": "".join(chr(i) for i in range(32)) + "\\u001F 😀 /",
     "id_number": "150824196112150332"},
    # a row's name written into another of its fields (a check's notes): masked there too
    {"name": None, "head_name": "慕容复", "notes": "慕容复本人称收入低，慕容复之妻患病", "surveyor": "周杰"},
]
OTHER_RAW = [
    json.dumps({"row": "张三春,150824196112150332,13812345678\u001f\u001a\u001a"}, ensure_ascii=False),  # malformed
    # a whole row with the name its name column holds (etl.load._whole_row): masked inside the text too
    json.dumps({"row": "温更镇,H1,钱少少,150824196112150332,钱少少之父", "name": "钱少少"}, ensure_ascii=False),
    json.dumps({"row": "H2,欧阳娜娜,\\xff", "head_name": "欧阳娜娜", "name": '张"三'}, ensure_ascii=False),
    '{"姓名": "张三", "证件号码": "150824195503011234", "联系电话": "13812345678"}',  # spaced JSON
    '{"name": 5, "head_name": ["欧阳娜娜"]}',  # name fields that are not strings stay as they are
    "张三春 150824196112150332 13812345678",  # not JSON
    "[\"李四\", \"150824196112150332\"]",  # JSON, not an object
    '{"name": "李四"',  # broken JSON
    "",
    None,
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("rejected") / "fupin.duckdb"
    con = duckdb.connect(str(path))
    create_all(con)
    con.execute("INSERT INTO load_batches VALUES (1, 'x.csv', 'abc', 'registry', ?, 20, 7, 13, 0, 0, [], 'utf-8', 1, NULL)",
                [dt.datetime(2024, 1, 2, 3, 4, 5)])
    for line, row in enumerate(LOADER_ROWS, start=2):
        obj = ", ".join(f"'{k}', ${k}" for k in row)
        con.execute(f"INSERT INTO rejected_rows SELECT 1, 'x.csv', {line}, 'no_township', 'township', "
                    f"json_object({obj})::VARCHAR", row)  # noqa: S608 - test keys are constants
    for line, raw in enumerate(OTHER_RAW, start=100):
        con.execute("INSERT INTO rejected_rows VALUES (1, 'x.csv', ?, 'malformed_row', 'row', ?)", [line, raw])
    build_rejected(con, FULL, None)  # as every snapshot build does (etl.derive -> etl.quality_checks.build)
    con.close()
    yield path


def _python_mask(raw: object) -> object:
    """The earlier implementation: ID numbers and phones by regex, then the JSON's name fields in Python."""
    if not isinstance(raw, str):
        return raw
    original = raw
    raw = re.sub(r"(\d{6})\d{5,8}(\d{3}[0-9Xx])", r"\1********\2", raw)
    raw = re.sub(r"(1\d{2})\d{4}(\d{4})", r"\1****\2", raw)
    try:
        obj = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(obj, dict):
        return raw
    if "household_id" in obj:  # a 户编号 is shown as it was (16 digits read as a card's)
        obj["household_id"] = json.loads(original)["household_id"]
    for key in ("name", "head_name"):
        if key in obj:
            name = obj[key]
            obj[key] = mask_name_value(name, Viewer())
            plain = isinstance(name, str) and len(name) >= 2 and json.dumps(name, ensure_ascii=False) == f'"{name}"'
            if plain:  # its names inside its other values as well (a whole row's text, a check's notes)
                obj = {k: v.replace(name, str(obj[key])) if isinstance(v, str) and k != "household_id" else v
                       for k, v in obj.items()}
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _values(column: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in column]  # a NULL comes back as NaN


def _stored(con: duckdb.DuckDBPyConnection) -> list[object]:
    return [r[0] for r in con.execute("SELECT raw FROM rejected_rows ORDER BY batch_id DESC, line").fetchall()]


def test_masked_for_a_viewer_without_pii(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        df = data_admin.rejected_rows(con, Viewer())
        stored = _stored(con)
    assert len(df) == len(LOADER_ROWS) + len(OTHER_RAW)
    for raw in df["raw"].dropna():
        text = re.sub(r'"household_id":"\d+"', "", raw)  # a 户编号's digits are no phone
        assert not FULL_ID.search(text) and not FULL_PHONE.search(text), raw
    loader = [json.loads(r) for r in df["raw"].iloc[:len(LOADER_ROWS)]]
    assert [o["name"] for o in loader] == ["张*春", "李*", "王", None, "张***春", None]
    assert [o["head_name"] for o in loader] == ["欧**娜", None, "张*春", None, "欧****\u000b", "慕*复"]
    assert loader[5]["notes"] == "慕*复本人称收入低，慕*复之妻患病" and loader[5]["surveyor"] == "周杰"
    assert loader[0]["id_number"] == "150824********0332" and loader[0]["phone"] == "138****5678"
    assert loader[0]["household_id"] == "1508241012010001"  # no personal number: read to complete the row
    assert loader[4]["note"] == "".join(chr(i) for i in range(32)) + "\\u001F 😀 /"  # other text intact
    # exactly what the Python masking writes, row by row (a whole row's names masked inside its text;
    # free text without a name field beside it is not: only numbers are found there)
    assert _values(df["raw"]) == [_python_mask(r) for r in stored]
    whole = [json.loads(r) for r in df["raw"] if isinstance(r, str) and "温更镇,H1" in r]
    assert whole == [{"row": "温更镇,H1,钱*少,150824********0332,钱*少之父", "name": "钱*少"}]


def test_shown_as_stored_to_a_pii_viewer(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        df = data_admin.rejected_rows(con, Viewer(pii=True))
        stored = _stored(con)
    assert _values(df["raw"]) == stored
    text = " ".join(r for r in df["raw"].dropna())
    assert "150824196112150332" in text and "13812345678" in text
    assert all(name in text for name in NAMES)


def test_township_viewer_sees_none(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        assert data_admin.rejected_rows(con, Viewer(townships=("乌加河镇",), pii=True)).empty


def test_one_batch(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        assert len(data_admin.rejected_rows(con, Viewer(), batch_id=1)) == len(LOADER_ROWS) + len(OTHER_RAW)
        assert data_admin.rejected_rows(con, Viewer(), batch_id=2).empty
