"""Per-household lookups through the snapshot's `ix_<table>` indexes (`etl.hh_lookup`) return exactly
what scanning the ledgers returns, fall back to the scan when the index cannot be trusted, and the
stored masked rectification texts equal the Python redaction, on the demo county loaded by the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl import derive_inspection, hh_lookup
from etl.load import load_files
from etl.snapshot import current_snapshot
from queries import lookup, profile, rectification
from queries.filters import ALL, Viewer, names_by_household, redact_names

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2020, 6, 30)


def member_names(con: duckdb.DuckDBPyConnection, household_ids: list[str], *,
                 located: lookup.Located | None = None) -> dict[str, list[str]]:
    """The full names of each household's members and head, read through the lookup layer (the oracle
    of the names `list_rectification` masks in SQL). `located`: where these households' rows are, if known."""
    ids = sorted({str(h) for h in household_ids if h is not None})
    if not ids:
        return {}
    if located is None or set(located.household_ids) != set(ids):
        located = lookup.locate(con, ids, ("members", "households"))
    params: dict[str, object] = {"ids": list(located.household_ids)}
    frames = [lookup.fetch(con, f"SELECT household_id, {column} AS name FROM {table} WHERE {{IDS}}",  # noqa: S608
                           table, located, params)
              for table, column in (("members", "name"), ("households", "head_name"))]
    return names_by_household(pd.concat(frames, ignore_index=True))


@pytest.fixture(scope="module")
def con(demo_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return demo_con  # the demo county as the command line loads it (conftest)


def _copy(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A writable copy of the snapshot (to break the index on purpose)."""
    src = Path(con.execute("PRAGMA database_list").fetchall()[0][2])
    dst = tmp_path / "copy.duckdb"
    shutil.copyfile(src, dst)
    return duckdb.connect(str(dst))


def _ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [str(r[0]) for r in con.execute("SELECT household_id FROM hh_facts ORDER BY seq").fetchall()]


def _plain(v: object) -> object:
    return None if v is None or (isinstance(v, float) and v != v) else v  # NaN == NaN for the comparison


def _frames(p: profile.Profile) -> dict[str, object]:
    parts = ("members", "measures", "income", "visits", "claims", "open_items", "defects")
    return {"household": {k: _plain(v) for k, v in p.household.items()},
            **{k: [{c: _plain(v) for c, v in r.items()} for r in getattr(p, k).to_dict("records")] for k in parts}}


def test_index_rows_are_exactly_each_households_rows(con: duckdb.DuckDBPyConnection) -> None:
    assert hh_lookup.hashes_match(con)
    ids = _ids(con)
    for table in hh_lookup.TABLES:
        for hid in ids[::37]:
            rids = (lookup.locate(con, [hid]).rids or {})[table]
            want = con.execute(f"SELECT rowid FROM {table} WHERE household_id = ? ORDER BY rowid",  # noqa: S608
                               [hid]).fetchall()
            assert sorted(rids) == [r[0] for r in want], (table, hid)
        # the index is stored in hash order, so that a lookup reads one row group
        keys = [r[0] for r in con.execute(f"SELECT hkey FROM {hh_lookup.index_name(table)}").fetchall()]  # noqa: S608
        assert keys == sorted(keys), table


@pytest.mark.parametrize("viewer", [Viewer(), Viewer(pii=True)], ids=["masked", "pii"])
def test_profiles_through_the_index_equal_the_scan(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                                                   viewer: Viewer) -> None:
    ids = _ids(con)
    batch = ids[5:25]
    indexed = [_frames(p) for p in profile.profiles(con, batch, viewer, AS_OF)]
    single = [_frames(p) for hid in ids[::53] if (p := profile.profile(con, hid, viewer, AS_OF))]
    assert len(indexed) == len(batch)
    assert any(f["visits"] for f in indexed) and any(f["measures"] for f in indexed)
    scan = _copy(con, tmp_path)
    scan.execute("DELETE FROM facts_meta WHERE key = 'hash_probe'")  # no probe: the query layer scans
    assert not hh_lookup.hashes_match(scan)
    assert indexed == [_frames(p) for p in profile.profiles(scan, batch, viewer, AS_OF)]
    assert single == [_frames(p) for hid in ids[::53] if (p := profile.profile(scan, hid, viewer, AS_OF))]
    scan.close()


def test_member_names_through_the_index_equal_the_scan(con: duckdb.DuckDBPyConnection) -> None:
    ids = _ids(con)
    names = member_names(con, ids)
    assert lookup.locate(con, ids).rids is not None
    assert names == member_names(con, ids, located=lookup.Located(tuple(ids)))  # no rowids: the scan
    assert len(names) == len(ids)
    assert all(ns == sorted(ns, key=lambda n: (-len(n), n)) for ns in names.values())


def test_a_stale_index_falls_back_to_the_scan(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Rows deleted after the index was built (rowids that point elsewhere) never reach a profile."""
    w = _copy(con, tmp_path)
    hid = w.execute("SELECT household_id FROM members GROUP BY ALL HAVING count(*) >= 3 LIMIT 1").fetchall()[0][0]
    w.execute("DELETE FROM members WHERE household_id = ? AND NOT is_head", [hid])
    w.execute("CHECKPOINT")
    assert len((lookup.locate(w, [hid]).rids or {})["members"]) >= 3  # the index still has them
    got = profile.profile(w, hid, Viewer(pii=True), AS_OF)
    assert got is not None
    assert len(got.members) == w.execute("SELECT count(*) FROM members WHERE household_id = ?", [hid]).fetchall()[0][0]
    w.close()


def test_a_changed_hash_function_is_not_trusted(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    w = _copy(con, tmp_path)
    w.execute("UPDATE facts_meta SET value = '0' WHERE key = 'hash_probe'")
    assert not hh_lookup.hashes_match(w)
    w.close()


def test_index_follows_a_reload_that_replaces_households(demo_cli_db: Path, tmp_path: Path) -> None:
    """A second registry file replacing some households (the loader deletes their old rows) gives a
    snapshot whose index still finds exactly every household's rows."""
    db = tmp_path / "fupin.duckdb"
    shutil.copytree(demo_cli_db.parent, tmp_path, dirs_exist_ok=True)
    registry = next(p for p in (tmp_path / "demo_files").iterdir() if p.suffix == ".csv" and "人口" in p.name)
    with registry.open(encoding="gb18030", newline="") as f:  # the demo writes this export as GB18030
        rows = list(csv.reader(f))
    at = next(i for i, r in enumerate(rows) if "户编号" in r)  # a title line comes first, as exported
    title, header, body = rows[:at], rows[at], rows[at + 1:]
    hh_col = header.index("户编号")
    first = body[0][hh_col]
    kept = [r for r in body if r[hh_col] == first][:1] + [r for r in body if r[hh_col] != first][:40]
    changed = tmp_path / "贫困人口信息_更正.csv"
    with changed.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([*title, header, *kept])
    report = load_files([changed], db=db)
    assert report.published
    snap = current_snapshot(db)
    assert snap is not None
    c = duckdb.connect(str(snap), read_only=True)
    assert hh_lookup.hashes_match(c)
    assert c.execute("SELECT count(*) FROM members WHERE household_id = ?", [first]).fetchall()[0][0] == 1
    for table in ("members", "households", "hh_facts"):
        want = c.execute(f"SELECT household_id, count(*) FROM {table} GROUP BY ALL").fetchall()  # noqa: S608
        for hid, n in want[::7] + [(first, dict(want)[first])]:
            assert len((lookup.locate(c, [hid]).rids or {})[table]) == n, (table, hid)
    c.close()


def test_stored_masked_rectification_text_equals_the_python_redaction(con: duckdb.DuckDBPyConnection,
                                                                       tmp_path: Path) -> None:
    w = _copy(con, tmp_path)
    # put members' names into the free text of every household-level item
    w.execute("""UPDATE rectifications r SET description = '核查' || m.name || '家住房；' || coalesce(r.description, ''),
                     measures = '帮扶责任人' || m.name || '入户'
                 FROM (SELECT household_id, max(name) AS name FROM members GROUP BY ALL) m
                 WHERE m.household_id = r.household_id""")
    w.execute(derive_inspection.LIST_RECTIFICATION_SQL)
    masked = rectification.ledger(w, ALL, Viewer(), AS_OF)
    plain = rectification.ledger(w, ALL, Viewer(pii=True), AS_OF)
    assert len(masked) == len(plain) > 0
    names = member_names(w, [str(h) for h in plain["household_id"].dropna()])
    want = redact_names(plain, ["description", "rect_measures"], names, Viewer())
    pd.testing.assert_frame_equal(masked, want)
    with_names = plain["household_id"].notna()
    assert with_names.any()
    assert (masked.loc[with_names, "description"] != plain.loc[with_names, "description"]).all()
    w.close()


def test_rectification_items_follow_household_filters_and_scope(con: duckdb.DuckDBPyConnection) -> None:
    """`list_rectification.hh` (the named household's filter columns) selects exactly the items the
    rule selects from the ledger and hh_facts: area on the item, household filters and scope on the
    named household, township- and village-level items by area only."""
    from queries.filters import Filters

    town, cause = con.execute("SELECT f.township, f.main_cause FROM rectifications r JOIN hh_facts f "
                              "USING (household_id) GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").fetchall()[0]
    cases = [(Filters(), Viewer()), (Filters(main_causes=(cause,)), Viewer()),
             (Filters(townships=(town,), main_causes=(cause,)), Viewer()),
             (Filters(), Viewer(townships=(town,))), (Filters(main_causes=(cause,)), Viewer(townships=(town,)))]
    for flt, viewer in cases:
        got = sorted(rectification.ledger(con, flt, viewer, AS_OF)["issue_id"])
        towns = list(viewer.townships or []) or None
        want = sorted(r[0] for r in con.execute("""
            SELECT r.issue_id FROM rectifications r LEFT JOIN hh_facts f USING (household_id)
            WHERE ($t IS NULL OR r.township = $t) AND ($vt IS NULL OR list_contains($vt, r.township))
              AND (r.household_id IS NULL OR (
                   ($vt IS NULL OR list_contains($vt, f.township))
                   AND ($c IS NULL OR (f.main_cause = $c AND ($t IS NULL OR f.township = $t)))))""",
            {"t": flt.townships[0] if flt.townships else None, "c": flt.main_causes[0] if flt.main_causes else None,
             "vt": towns}).fetchall())
        assert got == want, (flt, viewer)
        assert got, (flt, viewer)
