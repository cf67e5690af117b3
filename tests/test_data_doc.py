"""docs/DATA.md, the data contract, covers exactly what the loader accepts (issue 18).

The document is generated from the code's tables (etl.docs); these tests read the committed file back:
every header spelling and code value the loader accepts is in it, and everything it lists is accepted
by the loader (the same column, the same canonical value), so neither can drift from the other."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from etl import codes, docs, headers, schema
from etl.cli import build_parser
from labels import LABELS

ROOT = Path(__file__).resolve().parents[1]
TEXT = docs.OUT.read_text(encoding="utf-8")
TICKED = re.compile(r"`([^`]+)`")


def sections(level: str = "### ") -> dict[str, list[str]]:
    """Heading text -> the table rows under it (each row split into cells)."""
    out: dict[str, list[str]] = {}
    current = None
    for line in TEXT.splitlines():
        if line.startswith(("## ", "### ")):
            current = line if line.startswith(level) else None
            if current:
                out[current] = []
        elif current and line.startswith("| ") and not line.startswith("|---"):
            out[current].append(line)
    return out


def cells(row: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]


def test_the_committed_document_is_what_the_generator_writes() -> None:
    assert TEXT == docs.generate(), "docs/DATA.md is out of date: run `make docs`"


@pytest.mark.parametrize("kind", list(headers.spellings()))
def test_every_accepted_header_is_documented_and_every_documented_header_is_accepted(kind: str) -> None:
    [rows] = [rows for heading, rows in sections().items() if f" `{kind}` → " in heading]
    documented: dict[str, set[str]] = {}
    for row in rows[1:]:  # the first row is the table's header
        column, _name, spellings, *_ = cells(row)
        documented[TICKED.findall(column)[0]] = set(TICKED.findall(spellings))
    accepted = {c: set(v) for c, v in headers.spellings()[kind].items()}
    assert documented == accepted
    for column, spellings in documented.items():
        for spelling in spellings:  # the loader itself maps each documented header to its column
            assert headers.canonical_for(kind, spelling) == column, (kind, spelling)
            assert headers.canonical_for(kind, f"*{spelling.replace('(', '（').replace(')', '）')} ") == column


def test_every_code_value_is_documented_and_every_documented_value_is_accepted() -> None:
    loader = {(f, raw): canonical for f, raw, canonical in codes.synonym_rows()}
    found: set[tuple[str, str]] = set()
    for heading, rows in sections().items():
        m = re.match(r"### `([a-z_]+)`（", heading)
        if not m or m.group(1) not in codes.CODE_LISTS:
            continue
        for row in rows[1:]:
            canonical_cell, synonyms = cells(row)
            [canonical] = TICKED.findall(canonical_cell)
            for raw in [canonical, *TICKED.findall(synonyms)]:
                assert loader.get((m.group(1), raw)) == canonical, (m.group(1), raw)
                found.add((m.group(1), raw))
    assert found == set(loader)
    yes_no = {r: cells(r)[0] for r in sections()["### 是/否"][1:]}
    documented_yn = {c: set(TICKED.findall(cells(r)[1])) for r, c in yes_no.items()}
    assert documented_yn == {"是": set(codes.YES), "否": set(codes.NO)}


def test_every_table_and_column_is_documented() -> None:
    secs = sections()
    for table, ddl in schema.TABLES_DDL.items():
        rows = secs[f"### `{table}`"]
        documented = {TICKED.findall(cells(r)[0])[0] for r in rows[1:]}
        in_ddl = set(re.findall(r"^\s*([a-z_][a-z0-9_]*) [A-Z]", ddl, flags=re.M)) | set(
            re.findall(r", ([a-z_][a-z0-9_]*) [A-Z]", ddl))
        assert documented == in_ddl, table


def test_every_command_option_and_rule_is_documented() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, p in sub.choices.items():
        assert f"### `python -m etl {name}`" in TEXT
        for action in p._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert f"`{flag}`" in TEXT, (name, flag)
    for key in LABELS:
        if key.startswith("rulename."):
            assert f"`{key.removeprefix('rulename.')}`" in TEXT, key
        if key.startswith("read."):
            assert f"`{key.removeprefix('read.')}`" in TEXT, key


def test_docs_point_to_the_contract_in_the_repository() -> None:
    """A fresh clone holds the contract: no document sends the reader outside the repository."""
    for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        assert "../shared" not in path.read_text(encoding="utf-8"), path
    assert "docs/DATA.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_environment_variable_the_code_reads_is_documented() -> None:
    """DATA.md §7 lists the environment variables; FUPIN_RUN_SLOTS was read by the server and missing."""
    root = Path(__file__).resolve().parents[1]
    sources = [p for d in ("etl", "ui", "queries", "pages", "labels") for p in (root / d).rglob("*.py")]
    read = {v for p in [*sources, root / "dashboard.py"] for v in re.findall(r"FUPIN_[A-Z_]+", p.read_text("utf-8"))}
    assert read == set(docs.ENV_VARS)
    assert all(f"`{v}`" in TEXT for v in read)
