"""A data issue's raw value is masked as its field is everywhere else (data-spec §6: phone `138****5678`,
ID `150824********123X`, name `张*春`), in the archive's defect list, its extract and the household
profile, unless the viewer may see personal data. A probe found a phone masked as an ID number
(`139333*4444`: 10 of 11 digits shown). Real file, real loader, real DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl import snapshot
from etl.load import load_files
from etl.sqlexpr import redacted_text_sql
from queries import assistance, profile, quality
from queries.filters import Filters, Viewer, redact_names
from queries.meta import data_as_of

# one household whose member rows disagree on its phone, and a member whose ID number is invalid
ROWS = ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,脱贫年度,主要致贫原因,联系电话",
        "乌加河镇,联丰奋斗村,T6,张三春,150824196001010118,户主,已脱贫,2019,因病,13933334444",
        "乌加河镇,联丰奋斗村,T6,李四,150824196001010119,配偶,已脱贫,2019,因病,13811112222"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("masking")
    (root / "人口.csv").write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    path = root / "data" / "fupin.duckdb"
    load_files([root / "人口.csv"], db=path)
    return path


def _household_views(db: Path, household: str) -> tuple[profile.Profile | None, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What a viewer without personal-data rights reads of `household` and its ledgers: its profile, the
    rectification ledger (and as one with the rights does), the 养羊项目 project's households (and with)."""
    from queries import rectification

    con, _ = snapshot.connect_read(db)
    try:
        as_of = data_as_of(con)
        return (profile.profile(con, household, Viewer(), as_of),
                rectification.ledger(con, Filters(), Viewer(), as_of),
                rectification.ledger(con, Filters(), Viewer(pii=True), as_of),
                assistance.project_households(con, Filters(), Viewer(), project="养羊项目"),
                assistance.project_households(con, Filters(), Viewer(pii=True), project="养羊项目"))
    finally:
        con.close()


def _rejected_raw(db: Path) -> tuple[list[str], list[str]]:
    """The rejected rows' raw text on the data page, as a viewer without personal-data rights reads it
    and as one with them does."""
    from queries import data_admin

    con, _ = snapshot.connect_read(db)
    try:
        return (data_admin.rejected_rows(con, Viewer())["raw"].tolist(),
                data_admin.rejected_rows(con, Viewer(pii=True))["raw"].tolist())
    finally:
        con.close()


def _ledgers(db: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rectification ledger of `db` as a viewer without personal-data rights reads it, and with them."""
    from queries import rectification

    con, _ = snapshot.connect_read(db)
    try:
        as_of = data_as_of(con)
        return (rectification.ledger(con, Filters(), Viewer(), as_of),
                rectification.ledger(con, Filters(), Viewer(pii=True), as_of))
    finally:
        con.close()


@pytest.mark.parametrize(("viewer", "phone", "id_number"), [
    (Viewer(), "138****2222", "150824********0119"),
    (Viewer(townships=("乌加河镇",)), "138****2222", "150824********0119"),
    (Viewer(pii=True), "13811112222", "150824196001010119"),
])
def test_defect_list_and_profile(db: Path, viewer: Viewer, phone: str, id_number: str) -> None:
    con, _ = snapshot.connect_read(db)
    try:
        as_of = data_as_of(con)
        found = quality.defects(con, Filters(), viewer, as_of)
        found = found[found["defect_source"] == "issue"]
        values = dict(zip(found["field"], found["raw_value"], strict=False))
        p = profile.profile(con, "T6", viewer, as_of)
    finally:
        con.close()
    assert (values["phone"], values["id_number"]) == (phone, id_number), values
    assert p is not None
    assert dict(zip(p.defects["field"], p.defects["raw_value"], strict=False)) == values


def test_numbers_inside_free_text_are_masked(tmp_path: Path) -> None:
    """A visit note or a rectification item that writes a phone or ID number shows it masked, as the
    household's member names in it are (they were shown in full)."""

    root = tmp_path
    (root / "人口.csv").write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    (root / "走访.csv").write_text("户编号,走访日期,走访类型,情况记录\n"
                                   "T6,2020-06-01,入户走访,张三春电话13812345678，身份证150824196001010118\n",
                                   encoding="utf-8")
    (root / "整改.csv").write_text("问题编号,乡(镇),户编号,问题描述\n"
                                   "R1,乌加河镇,T6,张三春（13812345678）档案缺页\n", encoding="utf-8")
    # a project's measure naming the member with a phone: the assistance page's project households
    # showed it in full while the same row masked the head's name and ID
    (root / "措施.csv").write_text("户编号,措施类别,措施内容,项目名称\n"
                                   "T6,产业帮扶,为张三春办卡，电话13812345678,养羊项目\n", encoding="utf-8")
    db = root / "data" / "fupin.duckdb"
    load_files([root / "人口.csv", root / "走访.csv", root / "整改.csv", root / "措施.csv"], db=db)
    p, items, full, project, project_full = _household_views(db, "T6")
    assert p is not None
    assert list(p.visits["notes"]) == ["张*春电话138****5678，身份证150824********0118"]
    assert list(items["description"]) == ["张*春（138****5678）档案缺页"]
    assert list(full["description"]) == ["张三春（13812345678）档案缺页"]
    assert list(project["content"]) == ["为张*春办卡，电话138****5678"]
    assert list(project_full["content"]) == ["为张三春办卡，电话13812345678"]


def test_the_upload_summary_quotes_values_masked_for_the_viewer(tmp_path: Path) -> None:
    """The upload page's summary quoted an invalid ID number and a name with a control character in
    full to a viewer without personal-data rights, while every page masked them."""
    from ui.upload import load_uploads

    rows = ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,脱贫年度,主要致贫原因,联系电话",
            "乌加河镇,联丰奋斗村,T7,王\x07小明,150824196702111070,户主,已脱贫,2019,因病,1393333444"]
    content = ("\n".join(rows) + "\n").encode("utf-8")
    masked = load_uploads([("人口.csv", content)], "zh", db=tmp_path / "a" / "fupin.duckdb", viewer=Viewer())
    shown = load_uploads([("人口.csv", content)], "zh", db=tmp_path / "b" / "fupin.duckdb",
                         viewer=Viewer(pii=True))
    masked_text, shown_text = "\n".join(masked.lines), "\n".join(shown.lines)
    assert "150824196702111070" in shown_text and "王␇小明" in shown_text
    assert "150824196702111070" not in masked_text and "150824********1070" in masked_text
    assert "小明" not in masked_text and "原值：王**明" in masked_text


def test_a_row_kept_whole_shows_its_names_masked(tmp_path: Path) -> None:
    """A row of another shape (one field too many) is kept whole; its name was shown in full on the
    data page and in its downloads, only the numbers masked."""

    rows = ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,脱贫年度,主要致贫原因",
            "温更镇,巴音村,H1,丙一,150824196001010118,户主,1,2019,因病",
            "温更镇,巴音村,H2,杨建国,15082419600102013X,户主,1,2019,因病,多余"]
    (tmp_path / "人口.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    path = tmp_path / "data" / "fupin.duckdb"
    assert load_files([tmp_path / "人口.csv"], db=path).files[0].rows_rejected == 1
    masked, shown = _rejected_raw(path)
    assert "杨建国" in shown[0] and "15082419600102013X" in shown[0]
    assert "杨建国" not in masked[0] and "杨*国" in masked[0] and "150824********013X" in masked[0]


@pytest.mark.parametrize(("text", "masked"), [
    # grouped with spaces or hyphens, as people write them: shown in full before
    ("电话138 1234 5678，身份证150824 19381103 4895", "电话138 **** 5678，身份证150824 ******** 4895"),
    ("手机138-1234-5678", "手机138 **** 5678"),
    ("银行卡6228 4804 0256 4890 018", "银行卡6228 **** **** 018"),
    ("银行卡6228480402564890018", "银行卡622848********0018"),
    # full-width digits, a landline with its area code
    ("电话１３８１２３４５６７８，证件号１５０８２４１９５７０５３０７３０２", "电话１３８****５６７８，证件号１５０８２４********７３０２"),
    ("座机0478-5212345", "座机0478-****2345"),
    # a number written after another is never taken into it
    ("身份证150824196001010118 13812345678", "身份证150824********0118 138****5678"),
    # as a probe of masked viewers wrote them, shown in full before: a mobile 3-8, in dots, in
    # full-width spaces; an ID in full-width spaces; a card 4-8-7; a landline with its code in brackets
    ("电话138 12345678", "电话138 **** 5678"),
    ("手机138.1234.5678", "手机138 **** 5678"),
    ("手机138\u30001234\u30005678", "手机138 **** 5678"),
    ("身份证150824\u300019381103\u30004895", "身份证150824 ******** 4895"),
    ("卡号6228 48001234 5678912", "卡号6228 **** **** 912"),
    ("座机(0478)8123456，（0478）8123456", "座机(0478)****3456，（0478）****3456"),
    # amounts and dates stay
    ("2020-06-22 补贴3000元，人均4,300.50元", "2020-06-22 补贴3000元，人均4,300.50元"),
    ("2020.06.22 走访，2020 06 22 再访，第3.5亩", "2020.06.22 走访，2020 06 22 再访，第3.5亩"),
])
def test_numbers_are_masked_as_people_write_them(text: str, masked: str) -> None:
    import duckdb

    from etl.sqlexpr import masked_numbers_sql
    from queries.filters import mask_numbers_value

    with duckdb.connect() as con:
        in_sql = con.execute(f"SELECT {masked_numbers_sql('$t')}", {"t": text}).fetchone()[0]
    assert in_sql == mask_numbers_value(text) == masked


def test_a_township_user_s_profile_shows_the_items_of_their_household_as_their_page_does(tmp_path: Path) -> None:
    """An item another township's ledger filed against a household of 乌加河镇 showed in that household's
    profile to a 乌加河镇 user, whose rectification page hid it: the profile follows the page. The page
    now places an item of a registered household where the registry places the household (it was in
    no township's view: the 德岭山镇 user's scope follows the household), so both show it."""
    from queries import rectification

    root = tmp_path
    (root / "人口.csv").write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    (root / "整改.csv").write_text("问题编号,乡(镇),户编号,问题描述\n"
                                   "R1,乌加河镇,T6,档案缺页\nR2,德岭山镇,T6,帮扶重复\n", encoding="utf-8")
    db = root / "data" / "fupin.duckdb"
    load_files([root / "人口.csv", root / "整改.csv"], db=db)
    town = Viewer(townships=("乌加河镇",))
    con, _ = snapshot.connect_read(db)
    try:
        as_of = data_as_of(con)
        shown = profile.profile(con, "T6", town, as_of)
        county = profile.profile(con, "T6", Viewer(), as_of)
        page = rectification.ledger(con, Filters(), town, as_of)
    finally:
        con.close()
    assert shown is not None and county is not None
    assert sorted(page["issue_id"]) == ["R1", "R2"] and sorted(shown.open_items["issue_id"]) == ["R1", "R2"]
    assert sorted(county.open_items["issue_id"]) == ["R1", "R2"]


def test_an_item_of_a_whole_township_masks_the_registered_people_it_names(tmp_path: Path) -> None:
    """An item filed for a township, with no household, named registered people in full (its numbers
    were masked): it had no household whose names to mask. The registered people of its township (of
    its village, when it has one) are masked in it; a name of another township's registry is not
    looked for there."""

    root = tmp_path
    (root / "人口.csv").write_text("\n".join([*ROWS, "德岭山镇,兴丰村,T9,王五六,,户主,已脱贫,2019,因病,"]) + "\n",
                                   encoding="utf-8")
    (root / "整改.csv").write_text("问题编号,乡(镇),问题描述,整改措施\n"
                                   "R1,乌加河镇,张三春家危房未改造,联系李四和王五六\n", encoding="utf-8")
    db = root / "data" / "fupin.duckdb"
    load_files([root / "人口.csv", root / "整改.csv"], db=db)
    masked, shown = _ledgers(db)
    assert list(masked["description"]) == ["张*春家危房未改造"]
    assert list(masked["rect_measures"]) == ["联系李*和王五六"]
    assert list(shown["rect_measures"]) == ["联系李四和王五六"]


def test_a_personal_number_typed_into_another_column_is_masked_in_its_issue(tmp_path: Path) -> None:
    """A visit's 走访日期 holding an ID number or a phone, a measure's 金额 holding a card number: the
    issue's raw value was shown in full to masked viewers (only name, phone and ID fields were masked),
    in the defect list, the profile and the upload summary (a probe of masked viewers)."""
    from queries.filters import mask_raw_value

    root = tmp_path
    (root / "人口.csv").write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    (root / "走访.csv").write_text("户编号,走访日期,走访类型\nT6,150824193811034895,入户走访\nT6,电话13812345678,电话回访\n",
                                  encoding="utf-8")
    (root / "措施.csv").write_text("户编号,措施类别,金额(元)\nT6,金融帮扶,卡6217000830001234567\n", encoding="utf-8")
    path = root / "data" / "fupin.duckdb"
    load_files([root / "人口.csv", root / "走访.csv", root / "措施.csv"], db=path)
    con, _ = snapshot.connect_read(path)
    try:
        as_of = data_as_of(con)
        found = {v: quality.defects(con, Filters(), v, as_of) for v in (Viewer(), Viewer(pii=True))}
        p = profile.profile(con, "T6", Viewer(), as_of)
    finally:
        con.close()
    typed = ["150824193811034895", "电话13812345678", "卡6217000830001234567"]
    masked = ["150824********4895", "电话138****5678", "卡621700********4567"]
    for v, expected in ((Viewer(pii=True), typed), (Viewer(), masked)):
        values = found[v]
        values = sorted(values.loc[values["field"].isin(["visit_date", "amount_yuan"]), "raw_value"])
        assert values == sorted(expected)
        assert sorted(mask_raw_value(f, t, v) for f, t in zip(["visit_date", "visit_date", "amount_yuan"], typed,
                                                               strict=True)) == sorted(expected)
    assert p is not None
    shown = " ".join(map(str, p.defects["raw_value"]))
    assert all(t not in shown for t in typed) and all(m in shown for m in masked)
    # a 户编号 is no personal number, though its 16 digits read as a card's
    assert mask_raw_value("household_id", "1508241012010001", Viewer()) == "1508241012010001"
    with duckdb.connect() as con:
        sql = quality.masked_raw_value_sql("$f", "$v", Viewer())
        assert con.execute(f"SELECT {sql}", {"f": "household_id", "v": "1508241012010001"}).fetchone() == (
            "1508241012010001",)


@pytest.mark.parametrize(("text", "names", "masked"), [
    ("随访张树林:高血压", ["张树林", "李四"], "随访张*林:高血压"),
    # a name inside a longer one: the longer is masked first, the shorter then no longer stands there
    ("户主张三丰与三丰嫂", ["张三丰", "三丰"], "户主张*丰与三*嫂"),
    # no name in the text: only its numbers change
    ("电话13812345678", ["王五", "赵六"], "电话138****5678"),
    ("王五13812345678", ["王五"], "王*138****5678"),
    ("发展养殖业", None, "发展养殖业"),
    (None, ["王五"], None),
])
def test_names_inside_free_text_are_masked_in_sql_as_in_python(text: str | None, names: list[str] | None,
                                                              masked: str | None) -> None:
    with duckdb.connect() as con:
        in_sql = con.execute(f"SELECT {redacted_text_sql('$t::VARCHAR', '$n::VARCHAR[]')}",
                             {"t": text, "n": names}).fetchone()[0]
    frame = pd.DataFrame({"household_id": ["H1"], "notes": [text]})
    in_python = redact_names(frame, ["notes"], {"H1": names or []}, Viewer())["notes"][0]
    assert in_sql == masked
    assert in_python == masked or (masked is None and in_python is None)


def test_an_id_number_typed_as_a_household_number_is_masked_in_the_upload_summary(tmp_path: Path) -> None:
    """A household check whose 户编号 is a valid ID number (a clerk's slip: the household is outside
    the registry) is quoted by the upload summary ("户编号「…」不在贫困人口信息中"). A privacy probe saw
    it in full to a leader without personal-data rights, while the data page's rows outside the registry
    mask it (queries.filters.mask_household_id); an ordinary 户编号 stays as it is."""
    from ui.upload import load_uploads

    checks = ["调查日期,乡(镇),行政村,户编号,户主姓名,户类型,家庭人口,核查结论,是否认可",
              "2020-06-10,乌加河镇,联丰奋斗村,150824198508089012,上官婉儿,一般农户,1,正常,认可",
              "2020-06-10,乌加河镇,联丰奋斗村,1508241012019999,公孙胜,一般农户,1,正常,认可"]
    files = [("人口.csv", ("\n".join(ROWS) + "\n").encode("utf-8")),
             ("核查.csv", ("\n".join(checks) + "\n").encode("utf-8"))]
    masked = "\n".join(load_uploads(files, "zh", db=tmp_path / "a" / "fupin.duckdb", viewer=Viewer()).lines)
    shown = "\n".join(load_uploads(files, "zh", db=tmp_path / "b" / "fupin.duckdb", viewer=Viewer(pii=True)).lines)
    assert "户编号「150824198508089012」" in shown
    assert "150824198508089012" not in masked and "户编号「150824********9012」" in masked
    assert "户编号「1508241012019999」" in masked  # no ID number: no personal data


@pytest.mark.parametrize(("value", "masked"), [("150824198508089012", "150824********9012"),
                                               ("1508241012019999", "1508241012019999"),
                                               ("150824198508089013", "150824198508089013")])  # wrong check digit
def test_a_household_number_raw_value_is_masked_alike_in_sql_and_python(value: str, masked: str) -> None:
    from queries.filters import mask_raw_value

    with duckdb.connect() as con:
        in_sql = con.execute(f"SELECT {quality.masked_raw_value_sql('$f', '$v', Viewer())}",
                             {"f": "household_id", "v": value}).fetchone()[0]
    assert in_sql == mask_raw_value("household_id", value, Viewer()) == masked


def test_a_dotted_name_is_masked_however_its_dot_is_written(tmp_path: Path) -> None:
    """A name written with a dot between its parts (买买提·艾力) was masked in a note only where the note
    wrote the registry's dot: 买买提•艾力 and 买买提.艾力 (another dot), 买买提艾力 (none) were shown in
    full in the household's profile, its rectification item and its project's measure (a privacy probe)."""

    spellings = "买买提•艾力、买买提.艾力、买买提艾力、买买提·艾力"
    rows = ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,脱贫年度,主要致贫原因",
            "乌加河镇,联丰奋斗村,T8,买买提·艾力,150824197001011238,户主,已脱贫,2019,因病",
            "乌加河镇,联丰奋斗村,T8,古丽,150824197502034569,配偶,已脱贫,2019,因病"]
    (tmp_path / "人口.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "走访.csv").write_text(f"户编号,走访日期,走访类型,情况记录\nT8,2020-06-01,入户走访,{spellings}在家\n",
                                       encoding="utf-8")
    (tmp_path / "整改.csv").write_text(f"问题编号,乡(镇),户编号,问题描述\nR1,乌加河镇,T8,{spellings}档案缺页\n",
                                       encoding="utf-8")
    (tmp_path / "措施.csv").write_text(f"户编号,措施类别,措施内容,项目名称\nT8,产业帮扶,为{spellings}办卡,养羊项目\n",
                                       encoding="utf-8")
    db = tmp_path / "data" / "fupin.duckdb"
    load_files([tmp_path / n for n in ("人口.csv", "走访.csv", "整改.csv", "措施.csv")], db=db)
    p, items, full, project, _ = _household_views(db, "T8")
    masked = "买****力、买****力、买***力、买****力"
    assert p is not None
    assert list(p.visits["notes"]) == [f"{masked}在家"]
    assert list(p.open_items["description"]) == [f"{masked}档案缺页"]
    assert list(items["description"]) == [f"{masked}档案缺页"]
    assert list(full["description"]) == [f"{spellings}档案缺页"]
    assert list(project["content"]) == [f"为{masked}办卡"]


def test_an_id_number_typed_as_a_household_number_is_masked_in_the_inspection_cases(tmp_path: Path) -> None:
    """The 三率一度 page lists the surveyed households behind a figure (漏评, 不认可) with their 户编号: a
    check form whose 户编号 is a valid ID number (a household outside the registry) showed it in full to
    a viewer without personal-data rights, in the list and its extracts, while its head's ID beside it
    was masked. A 户编号 that is no ID number stays as it is."""
    from queries import inspection_rates

    checks = ["调查日期,乡(镇),行政村,户编号,户主姓名,户类型,家庭人口,核查结论,是否认可",
              "2020-06-10,乌加河镇,联丰奋斗村,150824198508089012,上官婉儿,一般农户,1,漏评,不认可",
              "2020-06-10,乌加河镇,联丰奋斗村,1508241012019999,公孙胜,一般农户,2,漏评,不认可"]
    (tmp_path / "人口.csv").write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    (tmp_path / "核查.csv").write_text("\n".join(checks) + "\n", encoding="utf-8")
    db = tmp_path / "data" / "fupin.duckdb"
    load_files([tmp_path / "人口.csv", tmp_path / "核查.csv"], db=db)
    con, _ = snapshot.connect_read(db)
    try:
        for kind in ("missed", "disapproved"):
            for viewer in (Viewer(), Viewer(townships=("乌加河镇",))):
                masked = inspection_rates.cases(con, Filters(), viewer, kind)
                assert sorted(masked["household_id"]) == sorted(["150824********9012", "1508241012019999"]), (kind, viewer)
            full = inspection_rates.cases(con, Filters(), Viewer(pii=True), kind)
            assert sorted(full["household_id"]) == sorted(["150824198508089012", "1508241012019999"]), kind
    finally:
        con.close()


@pytest.mark.parametrize("registry_first", [True, False])
def test_an_item_of_a_whole_township_masks_a_dotted_name(tmp_path: Path, registry_first: bool) -> None:
    """An item of a whole township is masked by the 2-4 character pieces of its text that its township's
    registry names; a name with a dot between its parts (买买提·艾力, 阿卜杜热合曼·买买提) is longer and
    was shown in full (a privacy probe), whatever dot the item wrote. Pieces that hold a dot are looked
    up too, in each spelling of the dot, whether the registry came before the ledger or after it."""

    rows = ["乡镇,行政村,户编号,姓名,证件号码,与户主关系,脱贫状态,脱贫年度,主要致贫原因",
            "乌加河镇,联丰奋斗村,T8,买买提·艾力,150824197001011238,户主,已脱贫,2019,因病",
            "乌加河镇,联丰奋斗村,T8,阿卜杜热合曼·买买提,150824196005056789,之父,已脱贫,2019,因病"]
    (tmp_path / "人口.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "整改.csv").write_text("问题编号,乡(镇),问题描述,整改措施\n"
                                       "R1,乌加河镇,买买提·艾力家危房未改造,联系阿卜杜热合曼•买买提和古丽·沙拉木\n",
                                       encoding="utf-8")
    db = tmp_path / "data" / "fupin.duckdb"
    files = [tmp_path / "人口.csv", tmp_path / "整改.csv"]
    for f in files if registry_first else files[::-1]:
        load_files([f], db=db)
    masked, shown = _ledgers(db)
    assert list(masked["description"]) == ["买****力家危房未改造"]
    # 古丽·沙拉木 is no registered person: left as written
    assert list(masked["rect_measures"]) == ["联系阿********提和古丽·沙拉木"]
    assert list(shown["rect_measures"]) == ["联系阿卜杜热合曼•买买提和古丽·沙拉木"]


def test_a_rejected_row_masks_its_name_in_its_other_fields(tmp_path: Path) -> None:
    """A rejected household check (no 乡镇, it cannot be placed) showed its 户主姓名 masked (慕*复) and the
    same name in full in its 备注 beside it, on the data page and in its downloads (a privacy probe):
    the row's own names are masked in every field of its raw text."""

    checks = ["调查日期,乡(镇),行政村,户编号,户主姓名,证件号码,户类型,家庭人口,核查结论,是否认可,调查人,备注",
              "2020-06-10,,,,慕容复,150824197009091113,一般农户,3,漏评,不认可,周杰,慕容复本人称收入低，慕容复之妻患病"]
    (tmp_path / "核查.csv").write_text("\n".join(checks) + "\n", encoding="utf-8")
    db = tmp_path / "data" / "fupin.duckdb"
    assert load_files([tmp_path / "核查.csv"], db=db).files[0].rows_rejected == 1
    masked, shown = (json.loads(raw[0]) for raw in _rejected_raw(db))
    assert (masked["head_name"], masked["notes"]) == ("慕*复", "慕*复本人称收入低，慕*复之妻患病")
    assert masked["surveyor"] == "周杰"  # an official's name is no personal data
    assert (shown["head_name"], shown["notes"]) == ("慕容复", "慕容复本人称收入低，慕容复之妻患病")


def test_a_name_spaced_to_align_it_is_the_name_a_measure_writes_plainly(tmp_path: Path) -> None:
    """Forms space a two-character name to the width of three (`李  四`, `王　五` with an ideographic space):
    stored as 李 四, the member was another person than the 李四 a measure, a visit note or an item names,
    and those names were shown in full to a viewer without personal-data rights. A name of Chinese
    characters holds no space; a Latin name keeps its own."""
    root = tmp_path
    (root / "人口.csv").write_text("\n".join([
        ROWS[0], ROWS[1], "乌加河镇,联丰奋斗村,T6,李  四,150824196001010119,配偶,已脱贫,2019,因病,",
        "乌加河镇,联丰奋斗村,T6,王　五,,子女,已脱贫,2019,因病,", "乌加河镇,联丰奋斗村,T6,Anna  Li,,儿媳,已脱贫,2019,因病,"])
        + "\n", encoding="utf-8")
    (root / "措施.csv").write_text("户编号,措施类别,措施内容,项目名称\n"
                                   "T6,产业帮扶,为李四、王五购买基础母羊,养羊项目\n", encoding="utf-8")
    db = root / "data" / "fupin.duckdb"
    load_files([root / "人口.csv", root / "措施.csv"], db=db)
    con, _ = snapshot.connect_read(db)
    try:
        assert con.execute("SELECT name FROM members ORDER BY source_line").fetchall() == [
            ("张三春",), ("李四",), ("王五",), ("Anna Li",)]
    finally:
        con.close()
    p, _, _, project, _ = _household_views(db, "T6")
    assert p is not None and list(p.measures["content"]) == ["为李*、王*购买基础母羊"]
    assert list(project["content"]) == ["为李*、王*购买基础母羊"]
