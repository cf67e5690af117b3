"""A data issue's raw value is masked as its field is everywhere else (data-spec §6: phone `138****5678`,
ID `150824********123X`, name `张*春`), in the archive's defect list, its extract and the household
profile, unless the viewer may see personal data. A probe found a phone masked as an ID number
(`139333*4444`: 10 of 11 digits shown). Real file, real loader, real DuckDB."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import snapshot
from etl.load import load_files
from queries import profile, quality
from queries.filters import Filters, Viewer
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
