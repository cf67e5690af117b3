"""Filters: WHERE clause, scoping, URL round trip (plain strings, junk dropped)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from queries.filters import (
    PUBLIC,
    Filters,
    Viewer,
    fetch,
    from_query_params,
    household_where,
    households_in,
    in_place_order,
    merge,
    options,
    prefixed,
    restrict_to_options,
    to_query_params,
)


def _ids(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer = PUBLIC) -> list[str]:
    where, params = household_where(flt, viewer)
    return list(fetch(con, f"SELECT household_id FROM hh_facts f WHERE {where} ORDER BY 1", params)["household_id"])  # noqa: S608


def test_no_filter_is_everything(con: duckdb.DuckDBPyConnection) -> None:
    assert len(_ids(con, Filters())) == 12
    assert household_where(Filters(), Viewer()) == ("TRUE", {})


def test_each_dimension(con: duckdb.DuckDBPyConnection) -> None:
    assert _ids(con, Filters(townships=("呼勒斯太苏木",))) == ["H09", "H10"]
    assert _ids(con, Filters(villages=("红旗村",))) == ["H03", "H04"]
    assert _ids(con, Filters(main_causes=("因病",))) == ["H01", "H02", "H05", "H06", "H09"]
    assert _ids(con, Filters(household_attributes=("特困供养贫困户",))) == ["H08", "H09"]
    assert _ids(con, Filters(exit_statuses=("返贫",))) == ["H07"]
    assert _ids(con, Filters(monitoring_types=("边缘易致贫户", "脱贫不稳定户"))) == ["H11", "H12"]
    assert _ids(con, Filters(identified_years=(2015, 2020))) == ["H07", "H11", "H12"]
    assert _ids(con, Filters(exit_years=(2017, 2018))) == ["H04", "H05", "H07"]
    assert _ids(con, Filters(townships=("德岭山镇",), main_causes=("因病",))) == ["H05", "H06"]


def test_nothing_matches(con: duckdb.DuckDBPyConnection) -> None:
    assert _ids(con, Filters(townships=("呼勒斯太苏木",), main_causes=("因学",))) == []


def test_scope_is_enforced_even_against_the_filter(con: duckdb.DuckDBPyConnection) -> None:
    scoped = Viewer(townships=("德岭山镇",))
    assert _ids(con, Filters(), scoped) == ["H05", "H06", "H07", "H08", "H12"]
    assert _ids(con, Filters(townships=("乌加河镇",)), scoped) == []
    opts = options(con, scoped)
    assert opts.townships == ("德岭山镇",)
    assert opts.villages() == ("兴丰村", "胜利村")


def test_user_values_are_parameters_not_sql(con: duckdb.DuckDBPyConnection) -> None:
    evil = "乌加河镇') OR TRUE --"
    sql, params = household_where(Filters(townships=(evil,)), Viewer())
    assert evil not in sql
    assert _ids(con, Filters(townships=(evil,))) == []


def test_households_in_and_merge(con: duckdb.DuckDBPyConnection) -> None:
    a = households_in(Filters(townships=("德岭山镇",)), Viewer(), "v.household_id")
    b = households_in(Filters(main_causes=("因病",)), Viewer(), "v.household_id")
    sql, params = merge(a, b)
    df = fetch(con, f"SELECT household_id FROM visits v WHERE {sql} ORDER BY 1", params)  # noqa: S608
    assert list(df["household_id"]) == ["H05", "H06"]


def test_prefixed_renames_whole_parameter_names_only(con: duckdb.DuckDBPyConnection) -> None:
    sql, params = prefixed("SELECT $p_1 AS a, $p_10 AS b", {"p_1": 1, "p_10": 2}, "x_")
    assert params == {"x_p_1": 1, "x_p_10": 2}
    assert sql == "SELECT $x_p_1 AS a, $x_p_10 AS b"
    assert con.execute(sql, params).fetchall() == [(1, 2)]


def test_townships_of_another_county_follow_the_codes_levels() -> None:
    """Outside the demo county no code is known: the codes' own order of levels (GB/T 10114: 街道, then
    镇, then 乡 and 苏木, then the rest), by name within each. By name alone 巴音乌兰苏木 came first."""
    from queries.filters import township_order

    towns = ["红旗乡", "巴音乌兰苏木", "国营农场", "新城街道", "希望镇", "八一镇"]
    assert township_order(towns) == ("新城街道", "八一镇", "希望镇", "巴音乌兰苏木", "红旗乡", "国营农场")


def test_in_place_order_lists_townships_by_code_villages_by_name_missing_places_last() -> None:
    df = pd.DataFrame({"township": ["呼勒斯太苏木", None, "德岭山镇", "乌加河镇", "德岭山镇", np.nan, "乌加河镇"],
                       "village": ["甲村", "乙村", None, "红旗村", "东村", "丙村", "联丰奋斗村"],
                       "n": range(7)})
    out = in_place_order(df)
    # statistical-code order (乌加河镇, 德岭山镇, 呼勒斯太苏木), a missing village last in its township,
    # rows of no township last, by village
    assert list(out["n"]) == [3, 6, 4, 2, 0, 5, 1]
    assert list(in_place_order(df.drop(columns=["village"]))["n"]) == [3, 6, 2, 4, 0, 1, 5]  # stable
    assert in_place_order(df.iloc[0:0]).empty


def test_options(con: duckdb.DuckDBPyConnection) -> None:
    opts = options(con, Viewer())
    assert opts.townships == ("乌加河镇", "德岭山镇", "呼勒斯太苏木")  # statistical-code order
    assert opts.villages(["乌加河镇"]) == ("红旗村", "联丰奋斗村")
    assert opts.main_causes[0] == "因病"  # code-list order
    assert opts.exit_statuses == ("未脱贫", "已脱贫", "返贫")
    assert opts.identified_years == (2014, 2020)
    assert opts.exit_years == (2017, 2019)


@pytest.mark.parametrize(
    "flt",
    [
        Filters(),
        Filters(townships=("乌加河镇", "德岭山镇"), villages=("联丰奋斗村",)),
        Filters(main_causes=("因病", "缺劳力"), household_attributes=("低保贫困户",), exit_statuses=("已脱贫",),
                monitoring_types=("边缘易致贫户",), identified_years=(2014, 2016), exit_years=(2018, 2019)),
    ],
)
def test_url_round_trip(flt: Filters) -> None:
    assert from_query_params(to_query_params(flt)) == flt
    # st.query_params collapses a single value to a str
    single = {k: v[0] if len(v) == 1 else v for k, v in to_query_params(flt).items()}
    assert from_query_params(single) == flt


def test_url_junk_is_dropped_not_evaluated() -> None:
    flt = from_query_params({
        "town": ["乌加河镇", "", "乌加河镇", "x" * 500],
        "idy": "2014-abc",
        "exy": "2019-2017",
        "cause": "因病,因残",
        "unknown": "whatever",
        "mon": b"\x80\x04pickle",  # not a str: ignored
    })
    assert flt.townships == ("乌加河镇",)
    assert flt.identified_years is None
    assert flt.exit_years == (2017, 2019)
    assert flt.main_causes == ("因病", "因残")
    assert flt.monitoring_types == ()


def test_restrict_to_options() -> None:
    flt = Filters(townships=("乌加河镇", "不存在镇"), main_causes=("因病",))
    out = restrict_to_options(flt, {"townships": ["乌加河镇"], "main_causes": ["因残"]})
    assert out == Filters(townships=("乌加河镇",))


def test_filters_are_hashable_and_frozen() -> None:
    a = Filters(townships=["乌加河镇"])  # type: ignore[arg-type]
    assert a == Filters(townships=("乌加河镇",))
    assert hash(a) == hash(Filters(townships=("乌加河镇",)))
    with pytest.raises(AttributeError):
        a.townships = ()  # type: ignore[misc]


def test_area_only_keeps_the_place_and_clears_every_other_dimension() -> None:
    from queries.filters import Filters

    flt = Filters(townships=("甲镇",), villages=("一村",), main_causes=("因病",), exit_years=(2016, 2019))
    assert flt.area_only() == Filters(townships=("甲镇",), villages=("一村",))
    assert Filters().area_only() == Filters()
