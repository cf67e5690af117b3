"""The filter specification (etl.filter_spec.FILTERS): one row per dimension, everything derived from it.

- The WHERE clause of each dimension, as a table of (selection, SQL, parameters), datasette-style.
- The published URL keys do not change.
- `Filters`, the URL keys, the ETL's filter columns and the demo database's `cell_keys` follow the table.
- A dimension added by one row and one label (帮扶单位 over `hh_facts.helper_unit`) appears in the
  sidebar, the URL, the SQL of every query and the CSV extract: tests/added_dimension.py runs the real
  ETL and a real Streamlit AppTest in a fresh interpreter (the table is read at import time, as the
  source would be) and reports what it saw.

Why a test-only row rather than a new product dimension such as the head's 民族: hh_facts has no head
ethnicity (it is a member column), so adding it means new ETL columns, a schema version and a bigger
`cell` grain for every county; that is a product decision, not needed to prove the mechanism. The
helper unit is a real column of the data contract (帮扶单位) that every household of the demo county has.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl.filter_spec import FILTERS, FilterDef, check
from etl.schema import FILTER_COLUMNS
from queries.filters import URL_KEYS, Filters, Viewer, area_where, household_where, to_query_params

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("selection", "where", "params"),
    [
        ({}, "TRUE", {}),
        ({"townships": ("乌加河镇",)}, "list_contains($p_townships_0, f.township)", {"p_townships_0": ["乌加河镇"]}),
        ({"villages": ("红旗村", "联丰奋斗村")}, "list_contains($p_villages_0, f.village)",
         {"p_villages_0": ["红旗村", "联丰奋斗村"]}),
        ({"main_causes": ("因病",)}, "list_contains($p_main_causes_0, f.main_cause)", {"p_main_causes_0": ["因病"]}),
        ({"household_attributes": ("低保贫困户",)}, "list_contains($p_household_attributes_0, f.household_attribute)",
         {"p_household_attributes_0": ["低保贫困户"]}),
        ({"exit_statuses": ("返贫",)}, "list_contains($p_exit_statuses_0, f.exit_status)",
         {"p_exit_statuses_0": ["返贫"]}),
        ({"monitoring_types": ("边缘易致贫户",)}, "list_contains($p_monitoring_types_0, f.monitoring_type)",
         {"p_monitoring_types_0": ["边缘易致贫户"]}),
        ({"identified_years": (2014, 2016)}, "f.identified_year BETWEEN $p_identified_years_0 AND $p_identified_years_1",
         {"p_identified_years_0": 2014, "p_identified_years_1": 2016}),
        ({"exit_years": (2018, 2019)}, "f.exit_year BETWEEN $p_exit_years_0 AND $p_exit_years_1",
         {"p_exit_years_0": 2018, "p_exit_years_1": 2019}),
        ({"townships": ("德岭山镇",), "main_causes": ("'; DROP TABLE hh_facts; --",)},
         "list_contains($p_townships_0, f.township) AND list_contains($p_main_causes_1, f.main_cause)",
         {"p_townships_0": ["德岭山镇"], "p_main_causes_1": ["'; DROP TABLE hh_facts; --"]}),
    ],
)
def test_where_clause(selection: dict[str, object], where: str, params: dict[str, object]) -> None:
    assert household_where(Filters(**selection), Viewer()) == (where, params)


def test_area_where_uses_only_place_dimensions() -> None:
    flt = Filters(townships=("德岭山镇",), villages=("胜利村",), main_causes=("因病",), exit_years=(2018, 2019))
    assert area_where(flt, Viewer(), "r.township", "r.village") == (
        "list_contains($p_townships_0, r.township) AND list_contains($p_villages_1, r.village)",
        {"p_townships_0": ["德岭山镇"], "p_villages_1": ["胜利村"]})
    assert area_where(flt, Viewer(), "r.township", None)[0] == "list_contains($p_townships_0, r.township)"


def test_published_url_keys_do_not_change() -> None:
    flt = Filters(townships=("乌加河镇",), villages=("红旗村",), main_causes=("因病",),
                  household_attributes=("低保贫困户",), exit_statuses=("已脱贫",), monitoring_types=("边缘易致贫户",),
                  identified_years=(2014, 2016), exit_years=(2018, 2019))
    assert to_query_params(flt) == {
        "town": ["乌加河镇"], "village": ["红旗村"], "cause": ["因病"], "attr": ["低保贫困户"], "status": ["已脱贫"],
        "mon": ["边缘易致贫户"], "idy": ["2014-2016"], "exy": ["2018-2019"]}


def test_everything_follows_the_table(demo_snapshot: Path) -> None:
    assert [f.name for f in dataclasses.fields(Filters)] == [d.name for d in FILTERS]
    with pytest.raises(TypeError):  # keywords only: a new row never shifts an existing call
        Filters(("乌加河镇",))  # type: ignore[misc]
    assert URL_KEYS == tuple(d.url_key for d in FILTERS)
    assert FILTER_COLUMNS == tuple(d.column for d in FILTERS)
    con = duckdb.connect(str(demo_snapshot), read_only=True)
    try:
        cell_columns = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() "
                                                  "WHERE table_name = 'cell_keys' ORDER BY column_index").fetchall()]
    finally:
        con.close()
    assert cell_columns == ["cell", *FILTER_COLUMNS]


def test_the_table_is_checked() -> None:
    twice = (*FILTERS, FilterDef("more_towns", "township", "town2", "filter.townships"))
    with pytest.raises(ValueError, match="column used twice"):
        check(twice)
    with pytest.raises(ValueError, match="url_key used twice"):
        check((*FILTERS, FilterDef("units", "helper_unit", "town", "filter.units")))
    with pytest.raises(ValueError, match="not an earlier filter"):
        check((*FILTERS, FilterDef("units", "helper_unit", "unit", "filter.units", within="nothing")))


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    work = tmp_path_factory.mktemp("added_dimension")
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "added_dimension.py"), str(work)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_added_dimension_reaches_the_etl(added: dict[str, object]) -> None:
    assert added["filter_columns"] == [*FILTER_COLUMNS, "helper_unit"]
    # every summary and list table a page filters without hh_facts carries the new column
    assert {"cell_keys", "hh_facts", "agg_household", "list_visit"} <= set(added["derived_tables_with_column"])  # type: ignore[arg-type]


def test_added_dimension_in_the_sidebar(added: dict[str, object]) -> None:
    assert added["sidebar_labels"][-1] == "帮扶单位"  # type: ignore[index]
    assert added["widget_value"] == [added["unit"]]  # from ?unit=...
    assert added["widget_options"] == added["options"]
    assert len(added["options"]) > 5 and added["other"] in added["options"]  # type: ignore[arg-type, operator]


def test_added_dimension_in_the_url(added: dict[str, object]) -> None:
    assert added["url"] == {"unit": [added["unit"]]}
    assert added["url_on_load"] == [added["unit"]]
    assert added["url_after_choice"] == [added["unit"], added["other"]]
    assert added["url_after_reset"] == []


def test_added_dimension_in_the_sql(added: dict[str, object]) -> None:
    assert added["where"] == "list_contains($p_helper_units_0, f.helper_unit)"
    assert added["params"] == [str([added["unit"]])]  # a bound parameter, never in the SQL text
    assert added["where_selects_the_unit"] is True
    # every query function ran with it (over the derived tables) and restricts as an existing one does
    assert added["query_frames"] > 1000  # type: ignore[operator]
    assert added["queries_outside_unit"] == added["queries_outside_cause"]


def test_added_dimension_in_the_extract(added: dict[str, object]) -> None:
    assert 0 < added["csv_rows"] < added["csv_rows_unfiltered"]  # type: ignore[operator]
    assert added["csv_is_unit_cut"] is True
