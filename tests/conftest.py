"""Shared test fixtures: a small hand-made DuckDB database with hand-computable answers.

Reusable by every test module:
- `build_fixture_db(path)`: writes the 12-household fixture (base tables via etl.schema, derived tables
  via etl.derive.build_all) to a plain DuckDB file and returns its path. A plain file is its own
  snapshot, so `etl.snapshot.connect_read(path)` and `FUPIN_DB=path` work on it.
- fixtures `fixture_db` (session-scoped path), `con` (read-only connection to it), `app_db`
  (sets FUPIN_DB to the fixture for AppTest), `empty_db` (schema only, no rows).
- the demo county as `python -m etl demo` builds it: `demo_cli_db` (session, built once, read-only),
  `demo_snapshot` and `demo_con` (its snapshot file, a read-only connection), `demo_db` (a copy of
  the module's own, for the pages to run on), `copy_demo(demo_cli_db, folder)` for a test that writes.
  A build that fails fails the tests that need it; it never skips them.
- `open_page(page, params)`: AppTest of the dashboard on `page`, with URL parameters, no exception.
- strict labels: `labels.t()` raises on a missing key in every test (and the processes tests start).

The fixture county (data as-of 2020-06-30, from the latest visit):

| hh  | township     | village     | cause  | status          | exit | income (yr) | notes                        |
|-----|--------------|-------------|--------|-----------------|------|-------------|------------------------------|
| H01 | 乌加河镇     | 联丰奋斗村  | 因病   | 已脱贫          | 2019 | 8000 (2019) | 2 elderly; phone             |
| H02 | 乌加河镇     | 联丰奋斗村  | 因病   | 已脱贫          | 2019 | 3000 (2019) | below line -> wrong exit     |
| H03 | 乌加河镇     | 红旗村      | 因残   | 未脱贫          |      | 2500 (2019) | uninsured, child out of school; no measure |
| H04 | 乌加河镇     | 红旗村      | 缺技术 | 已脱贫          | 2018 | 6000 (2019) | unsafe housing -> wrong exit |
| H05 | 德岭山镇     | 兴丰村      | 因病   | 已脱贫          | 2017 | 9000 (2019) |                              |
| H06 | 德岭山镇     | 兴丰村      | 因病   | 未脱贫          |      | 4000 (2019) |                              |
| H07 | 德岭山镇     | 胜利村      | 因学   | 返贫            | 2017 | 2000 (2019) | no measure                   |
| H08 | 德岭山镇     | 胜利村      | 缺劳力 | 已脱贫          | 2019 | 7000 (2019) | unsafe water -> wrong exit   |
| H09 | 呼勒斯太苏木 | 温更嘎查    | 因病   | 未脱贫          |      | 3500 (2019) | elderly alone                |
| H10 | 呼勒斯太苏木 | 温更嘎查    | 缺水   | 已脱贫          | 2019 | 5000 (2019) | head's name starts with '='  |
| H11 | 乌加河镇     | 联丰奋斗村  | (none) | edge 边缘易致贫户 |    | 4500 (2020) | not registered; no measure   |
| H12 | 德岭山镇     | 兴丰村      | 因灾   | 已脱贫 + 脱贫不稳定户 | 2019 | 4200 (2019) | monitored, risk eliminated |
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from etl import derive, schema
from etl.load import LoadReport, load_files, write_meta
from etl.snapshot import current_snapshot
from labels import STRICT_ENV

# A missing label raises in every test, and in the processes tests start (they inherit the environment).
os.environ[STRICT_ENV] = "1"

AS_OF = dt.date(2020, 6, 30)
D = dt.date

# household_id, township, village, attribute, main_cause, other_causes, exit_status, exit_year,
# identified_date, income, income_year, unsafe_housing, safe_water, monitoring_type, risk_eliminated,
# registered, phone
HOUSEHOLDS = [
    ("H01", "乌加河镇", "联丰奋斗村", "一般贫困户", "因病", ["缺技术"], "已脱贫", 2019, D(2014, 10, 1),
     8000.0, 2019, False, True, None, None, True, "13812345678"),
    ("H02", "乌加河镇", "联丰奋斗村", "低保贫困户", "因病", [], "已脱贫", 2019, D(2014, 10, 1),
     3000.0, 2019, False, True, None, None, True, None),
    ("H03", "乌加河镇", "红旗村", "一般贫困户", "因残", ["缺劳力", "因病"], "未脱贫", None, D(2014, 10, 1),
     2500.0, 2019, False, True, None, None, True, None),
    ("H04", "乌加河镇", "红旗村", "一般贫困户", "缺技术", [], "已脱贫", 2018, D(2014, 10, 1),
     6000.0, 2019, True, True, None, None, True, None),
    ("H05", "德岭山镇", "兴丰村", "一般贫困户", "因病", [], "已脱贫", 2017, D(2014, 10, 1),
     9000.0, 2019, False, True, None, None, True, None),
    ("H06", "德岭山镇", "兴丰村", "低保贫困户", "因病", ["缺资金"], "未脱贫", None, D(2014, 10, 1),
     4000.0, 2019, False, True, None, None, True, None),
    ("H07", "德岭山镇", "胜利村", "一般贫困户", "因学", ["因病"], "返贫", 2017, D(2015, 7, 1),
     2000.0, 2019, False, True, None, None, True, None),
    ("H08", "德岭山镇", "胜利村", "特困供养贫困户", "缺劳力", [], "已脱贫", 2019, D(2014, 10, 1),
     7000.0, 2019, False, False, None, None, True, None),
    ("H09", "呼勒斯太苏木", "温更嘎查", "特困供养贫困户", "因病", ["缺劳力"], "未脱贫", None, D(2014, 10, 1),
     3500.0, 2019, False, True, None, None, True, "13900001111"),
    ("H10", "呼勒斯太苏木", "温更嘎查", "一般贫困户", "缺水", [], "已脱贫", 2019, D(2014, 10, 1),
     5000.0, 2019, False, True, None, None, True, None),
    ("H11", "乌加河镇", "联丰奋斗村", None, None, [], None, None, D(2020, 3, 1),
     4500.0, 2020, False, True, "边缘易致贫户", False, False, None),
    ("H12", "德岭山镇", "兴丰村", "一般贫困户", "因灾", [], "已脱贫", 2019, D(2016, 5, 1),
     4200.0, 2019, False, True, "脱贫不稳定户", True, True, None),
]

# household_id, name, id_number, relation, birth, health, labor, insured, school_status
MEMBERS = [
    ("H01", "张林春", "150824195503011234", "户主", D(1955, 3, 1), ["健康"], "普通劳动力", True, None),
    ("H01", "李桂兰", "150824195705012345", "配偶", D(1957, 5, 1), ["长期慢性病"], "弱劳动力或半劳动力", True, None),
    ("H02", "王秀英", "150824194001013456", "户主", D(1940, 1, 1), ["患有大病"], "丧失劳动力", True, None),
    ("H03", "赵铁柱", "150824197502024567", "户主", D(1975, 2, 2), ["残疾"], "弱劳动力或半劳动力", False, None),
    ("H03", "刘芳", "150824197803035678", "配偶", D(1978, 3, 3), ["健康"], "普通劳动力", True, None),
    ("H03", "赵小明", "150824201009016789", "之子", D(2010, 9, 1), ["健康"], "无劳动力", True, "辍学"),
    ("H04", "孙建国", "150824197001017890", "户主", D(1970, 1, 1), ["健康"], "普通劳动力", True, None),
    ("H04", "周丽", "150824197201018901", "配偶", D(1972, 1, 1), ["健康"], "普通劳动力", True, None),
    ("H05", "钱德福", "150824196201019012", "户主", D(1962, 1, 1), ["长期慢性病"], "普通劳动力", True, None),
    ("H05", "吴英", "150824196301010123", "配偶", D(1963, 1, 1), ["健康"], "普通劳动力", True, None),
    ("H06", "郑强", "150824196801011111", "户主", D(1968, 1, 1), ["患有大病"], "丧失劳动力", True, None),
    ("H07", "冯军", "150824197801012222", "户主", D(1978, 1, 1), ["健康"], "普通劳动力", True, None),
    ("H07", "陈霞", "150824198001013333", "配偶", D(1980, 1, 1), ["健康"], "普通劳动力", True, None),
    ("H07", "冯小", "150824200401014444", "之子", D(2004, 1, 1), ["健康"], "普通劳动力", True, "在校生"),
    ("H07", "冯二", "150824200801015555", "之女", D(2008, 1, 1), ["健康"], "无劳动力", True, "在校生"),
    ("H08", "褚老汉", "150824193801016666", "户主", D(1938, 1, 1), ["健康"], "丧失劳动力", True, None),
    ("H09", "岳明", "150824194201017777", "户主", D(1942, 1, 1), ["长期慢性病"], "无劳动力", True, None),
    ("H10", "=SUM(A1)", "150824196501018888", "户主", D(1965, 1, 1), ["健康"], "普通劳动力", True, None),
    ("H10", "韩梅", "150824196701019999", "配偶", D(1967, 1, 1), ["健康"], "普通劳动力", True, None),
    ("H11", "杨光", "150824198501011212", "户主", D(1985, 1, 1), ["健康"], "普通劳动力", True, None),
    ("H11", "杨小光", "150824201501012323", "之子", D(2015, 1, 1), ["健康"], "无劳动力", True, "学龄前"),
    ("H12", "朱大海", "150824197201013434", "户主", D(1972, 1, 1), ["健康"], "普通劳动力", True, None),
    ("H12", "秦红", "150824197401014545", "配偶", D(1974, 1, 1), ["健康"], "普通劳动力", True, None),
    ("H12", "朱小海", "150824200601015656", "之子", D(2006, 1, 1), ["健康"], "无劳动力", True, "在校生"),
]

# household_id, category, content, project, year, amount
INTERVENTIONS = [
    ("H01", "产业帮扶", "入股合作社", "亿丰惠农专业合作社", 2019, 3000.0),
    ("H01", "健康帮扶", "慢病签约", None, 2019, 500.0),
    ("H02", "兜底保障", "低保", None, 2019, 2000.0),
    ("H04", "就业帮扶", "转移就业", None, 2018, 1000.0),
    ("H04", "产业帮扶", "蜜瓜种植", "万亩蜜瓜产业园区", 2019, 1500.0),
    ("H05", "健康帮扶", "家庭医生", None, 2018, 800.0),
    ("H06", "健康帮扶", "大病救助", None, 2019, 1200.0),
    ("H08", "兜底保障", "特困供养", None, 2019, 3000.0),
    ("H09", "健康帮扶", "慢病随访", None, 2020, 600.0),
    ("H10", "饮水安全", "改水", None, 2019, 1500.0),
    ("H12", "产业帮扶", "蜜瓜种植", "万亩蜜瓜产业园区", 2020, 2000.0),
]

VISITS = [
    ("H09", D(2020, 6, 25), "入户走访", "苏木干部", "独居老人，生活用品需定期运送"),
    ("H05", D(2020, 6, 24), "家庭医生随访", "乡村医生", "血压平稳"),
    ("H06", D(2020, 6, 30), "健康体检", "卫生院", "年度体检"),
]

RECTIFICATIONS = [
    ("R1", "工作总队调研", D(2020, 6, 27), "乌加河镇", None, None, "档案资料不规范", "贫困户档案不规范",
     "乌加河镇政府", "刘建友", "逐户完善档案", D(2020, 7, 31), "整改中", None),
    ("R2", "工作总队调研", D(2020, 6, 27), "乌加河镇", "联丰奋斗村", "H01", "扶贫手册更新不及时",
     "扶贫工作手册更新不及时", "联丰奋斗村委会", "驻村工作队", "更新手册", D(2020, 6, 28), "未整改", None),
    ("R3", "旗级自查", D(2020, 4, 1), "德岭山镇", "兴丰村", "H06", "收入核算不准", "收入未计入转移性收入",
     "德岭山镇政府", "杨帆", "重新核算", D(2020, 5, 31), "已销号", D(2020, 5, 20)),
]


def _create_derived_prereqs(con: duckdb.DuckDBPyConnection) -> None:
    schema.create_all(con)


def build_fixture_db(path: Path, *, with_rows: bool = True) -> Path:
    """Write the fixture database (base + derived tables) to `path` and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        _create_derived_prereqs(con)
        if with_rows:
            _insert_rows(con)
        derive.build_all(con)
        write_meta(con)  # as every load does: the schema version the dashboard checks
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


def _insert_rows(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO load_batches VALUES (1, '乌拉特中旗建档立卡贫困人口信息表.xlsx', 'sha-reg', 'registry', "
        "TIMESTAMP '2020-06-30 10:00:00', 24, 24, 0, 2, 1, [], 'xlsx', 2, NULL), "
        "(2, '帮扶措施台账.csv', 'sha-int', 'interventions', TIMESTAMP '2020-06-30 10:05:00', 11, 11, 0, 0, 0, "
        "[], 'utf-8-sig', 1, NULL)"
    )
    members_by_hh: dict[str, list[tuple]] = {}
    for m in MEMBERS:
        members_by_hh.setdefault(m[0], []).append(m)
    for line, h in enumerate(HOUSEHOLDS, start=3):
        (hid, town, village, attr, cause, other, status, exit_year, ident, income, income_year, unsafe,
         water, mon, risk, registered, phone) = h
        head = members_by_hh[hid][0]
        size = len(members_by_hh[hid])
        con.execute(
            """INSERT INTO households (household_id, township, village, household_size_declared,
                household_size, head_name, head_id_number, household_attribute, identification_standard,
                main_cause, other_causes, exit_status, enjoys_policy, exit_year, identified_date, identified_year,
                income_per_capita, income_year, unsafe_housing, safe_water, monitoring_type, monitored,
                risk_eliminated, registered, helper_name, helper_unit, phone, batch_id, source_line)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, '国家标准', ?, ?, ?, ?, ?, ?, year(?::DATE), ?, ?, ?, ?, ?, ?, ?, ?, ?,
                       ?, ?, 1, ?)""",
            [hid, town, village, size, size, head[1], head[2], attr, cause, other, status,
             True if status == "已脱贫" else None, exit_year, ident, ident, income, income_year, unsafe, water, mon,
             mon is not None, risk, registered, "帮扶干部" + hid, "旗直单位", phone, line],
        )
        con.execute("INSERT INTO household_income (household_id, income_year, income_per_capita, batch_id) VALUES (?, ?, ?, 1)", [hid, income_year, income])
    for i, m in enumerate(MEMBERS, start=3):
        hid, name, idn, rel, birth, health, labor, insured, school = m
        con.execute(
            """INSERT INTO members (household_id, member_key, member_id, name, id_number, id_valid, sex,
                birth_date, ethnicity, relation, is_head, education, school_status, health, labor_skill,
                work_months, medical_insurance, critical_illness_insurance, family_doctor_signed, batch_id,
                source_line) VALUES (?, ?, NULL, ?, ?, TRUE, NULL, ?, '汉族', ?, ?, NULL, ?, ?, ?, 0, ?, ?, ?, 1, ?)""",
            [hid, idn, name, idn, birth, rel, rel == "户主", school, health, labor, insured, insured,
             any(x in ("长期慢性病", "患有大病") for x in health), i],
        )
    for i, (hid, cat, content, project, year, amount) in enumerate(INTERVENTIONS, start=2):
        con.execute(
            "INSERT INTO interventions (record_key, household_id, category, content, project, year, start_date, amount_yuan, status, responsible_unit, batch_id, source_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '已完成', '旗扶贫办', 2, ?)",
            [f"I{i}", hid, cat, content, project, year, D(year, 3, 1), amount, i],
        )
    for i, (hid, date, vtype, visitor, notes) in enumerate(VISITS, start=2):
        con.execute("INSERT INTO visits (record_key, household_id, visit_date, visit_type, visitor, notes, batch_id, source_line) VALUES (?, ?, ?, ?, ?, ?, 1, ?)", [f"V{i}", hid, date, vtype, visitor,
                                                                            notes, i])
    con.execute(
        "INSERT INTO medical_claims (record_key, household_id, id_number, admission_date, institution, total_cost, basic_insurance, critical_illness_insurance, medical_assistance, other_support, out_of_pocket, batch_id, source_line) VALUES ('C1', 'H06', '150824196801011111', DATE '2020-03-01', '巴彦淖尔市医院', "
        "20000, 12000, 4000, 2000, 0, 2000, 1, 2)"
    )
    for i, r in enumerate(RECTIFICATIONS, start=2):
        con.execute(
            "INSERT INTO rectifications (record_key, issue_id, source, found_date, township, village, household_id, category, description, responsible_unit, responsible_person, measures, deadline, status, completed_date, batch_id, source_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
            [r[0], *r, i],
        )
    con.execute(
        "INSERT INTO data_issues (batch_id, file_name, line, table_name, record_key, household_id, field, raw_value, rule) VALUES (1, '乌拉特中旗建档立卡贫困人口信息表.xlsx', 21, 'members', "
        "'150824196501018888', 'H10', 'name', '=SUM(A1)', 'household_fields_differ')"
    )


ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")


def unprivileged(mount: bool = False) -> list[str]:
    """The command prefix that runs a child without root's rights over files (root's in a user namespace,
    where a file's owner bits count; `mount`: with a mount namespace of its own, for a tmpfs), or [] for a
    user who has none. Skips the test where user namespaces are off (a container's default seccomp):
    what the test asks of the file system cannot be set up there."""
    if os.geteuid() != 0 and not mount:
        return []
    prefix = ["unshare", "--user", *(["--map-root-user", "--mount"] if mount else [])]
    if shutil.which("unshare") is None or subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("needs unprivileged user namespaces (util-linux unshare --user)")
    return prefix


def load_lines(root: Path, files: dict[str, list[str]]) -> tuple[Path, LoadReport]:
    """Each file of `files` (name -> its lines) written as UTF-8 text under `root`, then all loaded in
    that order into `root`/data/fupin.duckdb: the database and the load's report."""
    paths = []
    for name, lines in files.items():
        (root / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(root / name)
    db = root / "data" / "fupin.duckdb"
    return db, load_files(paths, db=db)


def serve_lines(root: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, list[str]]) -> Path:
    """`load_lines` (which must succeed), and the pages opened after it read that database, with no
    users file (the local user)."""
    db, report = load_lines(root, files)
    assert report.exit_code == 0
    monkeypatch.setenv("FUPIN_DB", str(db))
    monkeypatch.setenv("FUPIN_USERS", str(root / "no-users.yaml"))
    return db


@contextlib.contextmanager
def held_open(db: Path) -> Iterator[int]:
    """The current snapshot of `db` held open for writing by another process (a DuckDB shell left open
    on it), while the block runs; yields that process's id."""
    code = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(120)"
    proc = subprocess.Popen([sys.executable, "-c", code, str(current_snapshot(db))], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
        yield proc.pid
    finally:
        proc.kill()
        proc.wait(timeout=10)


def build_demo_db(db: Path) -> Path:
    """Run `python -m etl demo --db db`. A build that fails fails the caller with the command's output."""
    db.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, "-m", "etl", "demo", "--db", str(db)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0 or not db.exists():
        pytest.fail(f"`python -m etl demo` exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}",
                    pytrace=False)
    return db


def copy_demo(demo_cli_db: Path, folder: Path) -> Path:
    """A copy of the demo county's data folder (snapshots, symlink, demo files) in `folder`; its database."""
    shutil.copytree(demo_cli_db.parent, folder, symlinks=True)
    return folder / demo_cli_db.name


@pytest.fixture(scope="session")
def demo_cli_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo county as `python -m etl demo` loads it (snapshot, derived tables), shared read-only by
    the modules that compare stored answers with computed ones; a test that writes copies it first."""
    return build_demo_db(tmp_path_factory.mktemp("demo_cli") / "fupin.duckdb")


@pytest.fixture(scope="module")
def demo_db(demo_cli_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo county in a folder of the module's own: the app may write next to its database."""
    return copy_demo(demo_cli_db, tmp_path_factory.mktemp("demo") / "data")


@pytest.fixture(scope="session")
def demo_snapshot(demo_cli_db: Path) -> Path:
    snap = current_snapshot(demo_cli_db)
    assert snap is not None
    return snap


@pytest.fixture(scope="module")
def demo_con(demo_snapshot: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(demo_snapshot), read_only=True)
    yield c
    c.close()


DEMO_TOWN = "德岭山镇"  # the demo township the one-township views are tested with


@pytest.fixture()
def demo_env(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app (AppTest) pointed at the module's demo county."""
    monkeypatch.setenv("FUPIN_DB", str(demo_db))
    yield demo_db


@pytest.fixture(scope="module")
def villages(demo_con: duckdb.DuckDBPyConnection) -> set[str]:
    """The villages of DEMO_TOWN."""
    rows = demo_con.execute("SELECT DISTINCT village FROM households WHERE township = ?", [DEMO_TOWN]).fetchall()
    return {r[0] for r in rows}


COUNTY_TOWN = "海流图镇"  # the scaled county's largest township: 30 villages


@pytest.fixture(scope="session")
def county_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A county of a real county's size (etl.scaled_demo: ten townships of 10 to 30 villages, 3,000
    households), loaded into a real DuckDB file: "by village" charts of COUNTY_TOWN hold 30 places, where
    the demo county's townships have 3 to 5."""
    from etl.scaled_demo import write_scaled_files

    root = tmp_path_factory.mktemp("county")
    db = root / "data" / "fupin.duckdb"
    report = load_files(write_scaled_files(root / "files", 3000), db=db, fresh=True)
    assert report.exit_code in (0, 1) and db.exists()  # planted defects are findings, not failures
    return db


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("fixture") / "fupin.duckdb")


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("empty") / "fupin.duckdb", with_rows=False)


@pytest.fixture()
def con(fixture_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(fixture_db), read_only=True)
    yield c
    c.close()


@pytest.fixture()
def app_db(fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app (AppTest) at the fixture database through FUPIN_DB."""
    monkeypatch.setenv("FUPIN_DB", str(fixture_db))
    return fixture_db


def open_page(page: str = "overview", params: dict[str, str | list[str]] | None = None, *,
              timeout: float = 90) -> AppTest:
    """The dashboard (FUPIN_DB as the test set it) opened on `page` with these URL parameters; fails on
    an exception."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception, [e.message for e in at.exception]
    return at
