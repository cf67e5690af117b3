"""Load batches and file names for viewers without full rights (privacy probe C, F3).

A file's name may carry a person's name and mobile (德岭山镇马淑芬13669390124走访.csv): the personal
numbers in a file name are masked wherever a name is shown, unless the viewer may see personal data. A
viewer limited to some townships sees of each batch when it was loaded and of what kind, not its file's
name or its row counts (another township's file and figures). Real files, real loader, real DuckDB, a
real Streamlit AppTest of the data page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl import snapshot
from etl.load import load_files
from queries import data_admin, meta, profile, quality
from queries.filters import Filters, Viewer, mask_file_name_value
from tests.test_roles import _goto, _texts
from ui import auth

ROOT = Path(__file__).resolve().parents[1]
FILE = "德岭山镇马淑芬13669390124走访.csv"
MASKED = "德岭山镇马淑芬136****0124走访.csv"
PHONE = "13669390124"
REGISTRY = ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,脱贫年度,主要致贫原因,联系电话",
            "乌加河镇,联丰奋斗村,W1,张三春,150824196001010118,户主,已脱贫,2019,因病,13933334444",
            "德岭山镇,德岭山村,D1,马淑芬,150824196201010127,户主,已脱贫,2019,因病,13669390124"]
# D1's visits: one recorded with an issue (a date that is no date), one rejected (no 户编号)
VISITS = ["户编号,走访日期,走访类型,情况记录", "D1,2020-06-01,入户走访,了解情况", "D1,2020-13-45,入户走访,了解情况",
          ",2020-06-02,入户走访,无户编号"]
TOWN = Viewer(townships=("乌加河镇",))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("batches")
    (root / "人口.csv").write_text("\n".join(REGISTRY) + "\n", encoding="utf-8")
    (root / FILE).write_text("\n".join(VISITS) + "\n", encoding="utf-8")
    path = root / "data" / "fupin.duckdb"
    load_files([root / "人口.csv", root / FILE], db=path)
    return path


def _read(db: Path, fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
    con, _ = snapshot.connect_read(db)
    try:
        return fn(con, *args, **kwargs)
    finally:
        con.close()


@pytest.mark.parametrize(("viewer", "name"), [(Viewer(), MASKED), (Viewer(pii=True), FILE)])
def test_county_viewers_see_every_batch_numbers_masked_unless_pii(db: Path, viewer: Viewer, name: str) -> None:
    for fn in (data_admin.load_history, meta.batches, quality.issue_trend):
        got = _read(db, fn, viewer)
        assert set(got["file_name"]) == {"人口.csv", name}, fn.__name__
        visits = got[got["kind"] == "visits"].iloc[0]
        assert (visits["rows_loaded"], visits["rows_rejected"]) == (2, 1), fn.__name__
    rejected = _read(db, data_admin.rejected_rows, viewer)
    assert set(rejected["file_name"]) == {name}
    issues = quality.defects  # the data issues list, and the household's profile
    found = _read(db, lambda con: issues(con, Filters(), viewer, meta.data_as_of(con)))
    assert name in set(found.loc[found["defect_source"] == "issue", "file_name"])
    p = _read(db, lambda con: profile.profile(con, "D1", viewer, meta.data_as_of(con)))
    assert p is not None and name in set(p.defects["file_name"])
    assert mask_file_name_value(FILE, viewer) == name


def test_township_viewer_sees_when_and_what_kind_only(db: Path) -> None:
    for fn in (data_admin.load_history, meta.batches, quality.issue_trend):
        got = _read(db, fn, TOWN)
        assert set(got.columns) == {"batch_id", "kind", "loaded_at"}, fn.__name__
        assert sorted(got["kind"]) == ["registry", "visits"], fn.__name__
        assert got["loaded_at"].notna().all()
    assert _read(db, data_admin.rejected_rows, TOWN).empty


@pytest.fixture()
def app_db(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Users of each kind over a copy of the database (the extract and login logs land beside it)."""
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(db.parent, copy, symlinks=True)
    monkeypatch.setenv("FUPIN_DB", str(copy / db.name))
    monkeypatch.setenv("FUPIN_EXTRACT_LOG", str(tmp_path / "extract.jsonl"))
    monkeypatch.setenv("FUPIN_LOGIN_LOG", str(tmp_path / "login.jsonl"))
    users = tmp_path / "users.yaml"
    auth.add_user(users, "wujia", "wujia-pass-1", "township", ["乌加河镇"], rounds=4)
    auth.add_user(users, "boss", "leader-pass-1", "leader", rounds=4)
    monkeypatch.setenv("FUPIN_USERS", str(users))
    return copy


def _data_page(user: str, password: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.text_input(key="auth_username").input(user)
    at.text_input(key="auth_password").input(password)
    next(b for b in at.button if b.label in ("登录", "Log in")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    return _goto(at, "data_admin")


def test_data_page_of_a_township_user(app_db: Path) -> None:
    at = _data_page("wujia", "wujia-pass-1")
    text = "\n".join(_texts(at))
    for secret in ("德岭山镇", "马淑芬", PHONE, "0124", "人口.csv"):
        assert secret not in text, secret
    history = next(d.value for d in at.dataframe if "visits" in d.value.astype(str).to_numpy().ravel().tolist()
                   or "走访记录" in d.value.astype(str).to_numpy().ravel().tolist())
    assert len(history) == 2  # each batch: its time and kind


def test_data_page_of_a_masked_leader(app_db: Path) -> None:
    at = _data_page("boss", "leader-pass-1")
    text = "\n".join(_texts(at))
    assert MASKED in text
    assert PHONE not in text


def test_a_batch_load_time_is_to_the_second_as_the_tables_show_it(db: Path) -> None:
    """The 数据来源批次 download held 14:37:46.585498 where the table showed 14:37:46."""
    for viewer in (Viewer(), TOWN):
        for fn in (data_admin.load_history, meta.batches, quality.issue_trend):
            got = _read(db, fn, viewer)["loaded_at"]
            assert (got.dt.microsecond == 0).all() and (got.dt.nanosecond == 0).all(), fn.__name__


def test_numbers_in_a_file_s_headers_and_sheet_names_are_masked_as_in_its_name(tmp_path: Path) -> None:
    """A column the contract does not know is listed by its header (未使用的列), and a sheet without a
    header by its name (未导入的工作表): a probe wrote a mobile number into both (紧急联系人13904781234,
    a cover sheet 说明 联系人13904781234), and the load history and the upload summary showed it in full
    to a leader without personal-data rights, while the file's own name had its numbers masked."""
    import io

    import openpyxl

    from ui.upload import load_uploads

    registry = [REGISTRY[0] + ",紧急联系人13904781234", REGISTRY[1] + ",x"]
    path = tmp_path / "data" / "fupin.duckdb"
    (tmp_path / "人口.csv").write_text("\n".join(registry) + "\n", encoding="utf-8")
    load_files([tmp_path / "人口.csv"], db=path)
    for viewer, shown in ((Viewer(), "紧急联系人139****1234"), (Viewer(pii=True), "紧急联系人13904781234")):
        history = _read(path, data_admin.load_history, viewer)
        assert list(history["ignored_columns"]) == [shown]

    book = openpyxl.Workbook()
    book.active.title = "说明 联系人13904781234"
    book.active.append(["填表说明：本表由乌加河镇上报"])
    sheet = book.create_sheet("乌加河镇")
    for row in registry:
        sheet.append(row.split(","))
    buf = io.BytesIO()
    book.save(buf)
    files = [("人口.xlsx", buf.getvalue())]
    masked = load_uploads(files, "zh", db=tmp_path / "a" / "fupin.duckdb", viewer=Viewer())
    full = load_uploads(files, "zh", db=tmp_path / "b" / "fupin.duckdb", viewer=Viewer(pii=True))
    masked_text, full_text = ("\n".join([*o.lines, *o.notices, *o.errors]) for o in (masked, full))
    assert "紧急联系人13904781234" in full_text and "联系人13904781234（" in full_text
    assert "13904781234" not in masked_text
    assert "紧急联系人139****1234" in masked_text and "说明 联系人139****1234" in masked_text
