"""Findings of a probe with a small unseen county (data-spec §1, §2), written from the data contract alone:
each test writes its files in tmp_path, loads them through the real loader into a real DuckDB file and
reads the figures through the query layer, against a hand count."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl.load import load_files
from etl.snapshot import connect_read
from queries import health
from queries.filters import Filters, Viewer
from tests.test_unseen_exports import write_csv

ALL, V = Filters(), Viewer()


def test_follow_up_compliance_at_an_earlier_reference_date_ignores_later_follow_ups(tmp_path: Path) -> None:
    """A chronic patient followed up four times up to 2020-06-01 (a check-up in March) and again on
    2020-11-20, the data's as-of date. At 2020-10-15 the last follow-up is 136 days old: out of compliance.
    The query read the stored last follow-up (2020-11-20, the last up to the snapshot's date), so the patient
    was "followed up -36 days ago" and compliant, as the rule's own window count did not allow."""
    registry = write_csv(tmp_path / "registry.csv", [
        ["乡(镇)", "行政村", "户编号", "姓名", "与户主关系", "证件号码", "健康状况", "主要致贫原因", "脱贫属性", "脱贫年度"],
        ["红山镇", "东沟村", "C001", "王大山", "户主", "150824195001010113", "长期慢性病", "因病", "已脱贫", "2019"],
    ])
    visits = write_csv(tmp_path / "visits.csv", [
        ["户编号", "走访日期", "走访类型", "走访人", "情况记录"],
        *(["C001", d, "家庭医生随访", "李医生", "随访"] for d in ("2019-12-01", "2020-02-01", "2020-04-01", "2020-06-01",
                                                               "2020-11-20")),
        ["C001", "2020-03-01", "健康体检", "李医生", "体检"],
    ])
    report = load_files([registry, visits], db=tmp_path / "fupin.duckdb")
    assert report.exit_code == 0, [f.error for f in report.files]
    con = connect_read(tmp_path / "fupin.duckdb")[0]
    earlier = date(2020, 10, 15)
    assert health.compliance(con, ALL, V, earlier) == {"chronic": 1, "compliant": 0}
    gaps = health.follow_up_gap_list(con, ALL, V, earlier)
    assert len(gaps) == 1
    row = gaps.iloc[0]
    assert row["days_since_follow_up"] == 136 and bool(row["no_recent_follow_up"])
    assert str(row["last_follow_up_date"])[:10] == "2020-06-01"
    # at the data's own date the patient is followed up (20 November, four in the 12 months before it)
    assert health.compliance(con, ALL, V, date(2020, 11, 20)) == {"chronic": 1, "compliant": 1}
