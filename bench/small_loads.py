"""Small loads (issue 12): what one township clerk's upload costs on a database of the size measured.

On a copy of the size's database (the other phases keep the fresh one), in child processes (peak
memory and bytes written are the load's own), round after round:
- `rectification_item`: a 50-row rectification ledger, 49 items as they are and one new 问题编号;
- `registry_100`: the member rows of 100 households spread over the county, their income changed;
- `visits_1000`: 1,000 visits of the week after the data's as-of date (the as-of date moves, so the
  households whose dated facts change with it are recomputed too: etl.dated);
- `village_again` (beyond the issue's three): one village's whole registry exported again, 100 of
  its households with their income changed (a township's weekly export; the rest are left as stored);
- `visits_village` (beyond them too): 1,000 visits of the same week in one village, as a work team's
  ledger has them (`visits_1000` spreads its households over the whole county: the worst case for
  reading their rows, which lie scattered over every row group).
Twenty loads in all; then the current snapshot file and the whole snapshots folder are compared with
those of the fresh full load (`bloat`). Every load's touched households come from its changeset.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from bench.spawn import measure

KINDS = ("rectification_item", "registry_100", "visits_1000", "village_again", "visits_village")
TARGET_KINDS = KINDS[:3]  # the loads the targets are about
LOADS = 20

RECT_COLUMNS = {"issue_id": "问题编号", "source": "问题来源", "found_date": "发现日期", "township": "乡(镇)",
                "village": "行政村", "household_id": "户编号", "category": "问题类别", "description": "问题描述",
                "responsible_unit": "责任单位", "responsible_person": "责任人", "measures": "整改措施",
                "deadline": "整改时限", "status": "整改状态", "completed_date": "完成日期"}
REGISTRY_COLUMNS = {
    "h.township": "乡(镇)", "h.village": "行政村", "h.household_id": "户编号", "m.member_id": "人编号", "m.name": "姓名",
    "m.id_number": "身份证号码", "m.relation": "与户主关系", "h.household_size_declared": "家庭人口数",
    "m.education": "文化程度", "array_to_string(m.health, '、')": "健康状况", "m.labor_skill": "劳动技能",
    "m.school_status": "在校生状况", "h.household_attribute": "贫困户属性", "h.main_cause": "主要致贫原因",
    "array_to_string(h.other_causes, '、')": "其他致贫原因", "h.exit_status": "脱贫属性", "h.exit_year": "脱贫年度",
    "h.identified_date": "首次识别时间", "h.income_per_capita + CASE WHEN changed THEN $round + 1 ELSE 0 END": "人均纯收入",
    "h.income_year": "收入年度",
    "h.monitoring_type": "监测对象类别", "h.helper_name": "帮扶责任人", "h.phone": "联系电话",
}


def _write(path: Path, header: list[str], rows: list[tuple]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(["" if v is None else v for v in r] for r in rows)
    return path


def _registry_rows(con: duckdb.DuckDBPyConnection, pick: str, params: dict[str, object]) -> list[tuple]:
    """The member rows, as a registry export has them, of the households of the CTEs `pick` (hk, changed:
    whether the household's income is changed, by `$round` + 1)."""
    cols = ", ".join(f"{expr} AS c{i}" for i, expr in enumerate(REGISTRY_COLUMNS))
    return con.execute(f"""
        WITH {pick}
        SELECT {cols} FROM households h JOIN pick USING (hk) JOIN members m USING (hk)
        ORDER BY h.household_id, m.is_head DESC, m.member_key""", params).fetchall()  # noqa: S608 - ours


def write_file(con: duckdb.DuckDBPyConnection, kind: str, folder: Path, round_no: int) -> Path:
    """One small export file of `kind`, different in every round (`round_no` seeds the sample)."""
    seed = {"seed": f"bench-{round_no}"}
    if kind == "rectification_item":
        cols = ", ".join(RECT_COLUMNS)
        rows = con.execute(f"SELECT {cols} FROM rectifications WHERE issue_id IS NOT NULL "  # noqa: S608 - ours
                           "ORDER BY md5(issue_id || $seed) LIMIT 49", seed).fetchall()
        town = rows[0][3] if rows else "海流图镇"
        rows.append((f"BENCH-{round_no:03d}", "旗级自查", "2020-06-01", town, None, None, "其他",
                     f"基准测试新增问题{round_no}", "乡镇政府", "责任人", "整改", "2020-12-31", "未整改", None))
        return _write(folder / f"rect_{round_no:02d}.csv", list(RECT_COLUMNS.values()), rows)
    if kind == "registry_100":
        pick = "pick AS (SELECT hk, true AS changed FROM households ORDER BY md5(household_id || $seed) LIMIT 100)"
        return _write(folder / f"registry_{round_no:02d}.csv", list(REGISTRY_COLUMNS.values()),
                      _registry_rows(con, pick, {**seed, "round": round_no}))
    if kind == "village_again":
        pick = """village AS (SELECT area FROM households ORDER BY md5(household_id || $seed) LIMIT 1),
            inside AS (SELECT hk, household_id FROM households WHERE area = (SELECT area FROM village)),
            pick AS (SELECT hk, md5(household_id || $seed) IN (
                        SELECT md5(household_id || $seed) FROM inside ORDER BY 1 LIMIT 100) AS changed FROM inside)"""
        return _write(folder / f"village_{round_no:02d}.csv", list(REGISTRY_COLUMNS.values()),
                      _registry_rows(con, pick, {**seed, "round": round_no}))
    as_of = con.execute("SELECT CAST(value AS DATE) FROM facts_meta WHERE key = 'as_of'").fetchall()[0][0]
    village = "" if kind == "visits_1000" else \
        "WHERE area = (SELECT area FROM households ORDER BY md5(household_id || $seed || 'v') LIMIT 1)"
    rows = con.execute(f"""
        SELECT household_id, CAST($as_of AS DATE) + 1 + CAST(abs(hash(household_id || $seed)) % 7 AS INTEGER),
            ['入户走访', '帮扶责任人走访', '家庭医生随访'][1 + CAST(abs(hash($seed || household_id)) % 3 AS INTEGER)],
            '基准测试', '本周走访'
        FROM households {village} ORDER BY md5(household_id || $seed) LIMIT 1000""",  # noqa: S608 - ours
        {**seed, "as_of": as_of}).fetchall()
    name = "visits" if kind == "visits_1000" else kind
    return _write(folder / f"{name}_{round_no:02d}.csv", ["户编号", "走访日期", "走访类型", "走访人", "情况记录"], rows)


def _touched(db: Path) -> dict[str, int]:
    """What the last load touched, from its changeset (empty when it rebuilt whole)."""
    from etl import snapshot

    cur = snapshot.current_snapshot(db)
    path = snapshot.changes_dir(db) / f"c{snapshot.generation(cur):08d}.duckdb"
    if not path.is_file():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {kind: int(con.execute(f"SELECT count(*) FROM t_{kind}").fetchall()[0][0])  # noqa: S608
                for kind in ("hk", "cell", "area")}
    finally:
        con.close()


def run_small_loads(db: Path, size_dir: Path, log: Callable[[str], None], loads: int = LOADS,
                    in_place: bool = False) -> dict[str, Any]:
    """The loads on a copy of `db` (removed afterwards), or on `db` itself (`in_place`)."""
    from etl import snapshot

    fresh = snapshot.current_snapshot(db)
    assert fresh is not None, f"no snapshot at {db}"
    work = size_dir / "small_loads"
    shutil.rmtree(work, ignore_errors=True)
    (work / "files").mkdir(parents=True)
    copy = db if in_place else work / "db" / db.name
    if not in_place:
        log("  small loads: copying the database ...")
        shutil.copytree(db.parent, copy.parent, symlinks=True, ignore=shutil.ignore_patterns("*.lock", ".tmp"))
    out: dict[str, Any] = {"fresh_snapshot_bytes": fresh.stat().st_size, "in_place": in_place,
                           "fresh_folder_bytes": snapshot.disk_usage(db), "loads": []}
    first_round = snapshot.generation(fresh)
    for i in range(loads):
        kind = KINDS[i % len(KINDS)]
        con = duckdb.connect(str(snapshot.current_snapshot(copy)), read_only=True)
        try:
            # rounds numbered from the database's generation: a rerun in place on the same database
            # sends new content, not the files it loaded last time (which change next to nothing)
            path = write_file(con, kind, work / "files", first_round + i // len(KINDS))
        finally:
            con.close()
        res = measure("etl", {"files": [str(path)], "db": str(copy)})
        cur = snapshot.current_snapshot(copy)
        entry = {"kind": kind, "seconds": res["seconds"], "published_seconds": res.get("published_seconds"),
                 "wall_seconds": res["wall_seconds"],
                 "peak_rss_bytes": res["peak_rss_bytes"], "write_bytes": res.get("io_write_bytes"),
                 "rows": res["rows_read"], "published": res["published"], "retried": res.get("retried", False),
                 "touched": _touched(copy),
                 "snapshot_bytes": cur.stat().st_size if cur else None, "folder_bytes": snapshot.disk_usage(copy),
                 "file_bytes": path.stat().st_size}
        out["loads"].append(entry)
        log(f"    {i + 1:2d} {kind:<18} {entry['seconds']:6.2f} s  published {entry['published_seconds'] or 0:6.2f} s  peak {entry['peak_rss_bytes'] / 2**30:.2f} GiB  "
            f"written {(entry['write_bytes'] or 0) / 2**20:7.1f} MiB  touched {entry['touched'].get('hk', '-')}"
            + ("  (out of its memory cap: loaded again at full memory)" if entry["retried"] else ""))
    last = out["loads"][-1]
    out["bloat_snapshot"] = last["snapshot_bytes"] / out["fresh_snapshot_bytes"]
    out["bloat_folder"] = last["folder_bytes"] / out["fresh_folder_bytes"]
    log(f"  after {loads} small loads: snapshot x{out['bloat_snapshot']:.3f}, folder x{out['bloat_folder']:.3f} "
        "of the fresh load's")
    out["date"] = dt.datetime.now().isoformat(timespec="seconds")
    shutil.rmtree(work, ignore_errors=True)
    return out
