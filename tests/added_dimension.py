"""Run by tests/test_filter_spec.py in a fresh interpreter: the whole app with one more filter dimension.

`python tests/added_dimension.py WORK_DIR` prints one JSON object of what it saw; the test asserts on it.

The dimension is added the way a developer adds one, before anything reads the table: one
`FilterDef` (帮扶单位, the helper unit: `hh_facts.helper_unit`, free values, multi-select, URL key `unit`)
and one label. A fresh interpreter is needed because the table is read when modules are imported
(`Filters`, the ETL's cell keys), exactly as a new row in etl/filter_spec.py would be. Then, with no
other change: the real ETL builds the demo county (its derived tables keyed by the filter columns, now
including helper_unit), every query function runs with the new filter, and the causes page runs in a
real Streamlit AppTest whose household list is written out as CSV by the real extract code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import sys
from pathlib import Path

from etl import filter_spec

ADDED = filter_spec.FilterDef("helper_units", "helper_unit", "unit", "filter.helper_units")
LABEL = ("帮扶单位", "Helper unit")
filter_spec.FILTERS = (*filter_spec.FILTERS, ADDED)
filter_spec.check(filter_spec.FILTERS)

import labels  # noqa: E402 - after the spec row, as if both were in the source

labels.LABELS[ADDED.label_key] = LABEL

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
LIST_KEY = "causes_households"  # the causes page's household list (ui.table.show_list key)


def _spy_extracts() -> dict[str, object]:
    """Record the SqlView each list hands to its download buttons (the real function still runs)."""
    from ui import extract

    seen: dict[str, object] = {}
    real = extract.show_sql

    def show_sql(key: str, view: extract.SqlView, what: str, *args: object, **kwargs: object) -> None:
        seen[key] = view
        real(key, view, what, *args, **kwargs)  # type: ignore[arg-type]

    extract.show_sql = show_sql  # type: ignore[assignment]
    return seen


def _causes_page(params: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/causes.py")
    at.run()
    if at.exception:
        raise AssertionError([e.message for e in at.exception])
    return at


def _url(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key)
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _csv_ids(con: duckdb.DuckDBPyConnection, view: object) -> list[str]:
    from ui import extract, table

    df = pd.read_csv(io.BytesIO(extract.csv_from_sql(con, view)), dtype=str, encoding="utf-8-sig")  # type: ignore[arg-type]
    return sorted(df[table.column_label("household_id", "zh")])


def main(work: Path) -> dict[str, object]:
    from etl.cli import main as etl_main
    from etl.schema import FILTER_COLUMNS
    from etl.snapshot import current_snapshot
    from queries.filters import Filters, Viewer, fetch, household_where, options, to_query_params

    db = work / "fupin.duckdb"
    with contextlib.redirect_stdout(sys.stderr):  # stdout is the JSON alone
        built = etl_main(["demo", "--db", str(db)])
    if built != 0:
        raise AssertionError("the demo county could not be built")
    snap = current_snapshot(db)
    assert snap is not None
    con = duckdb.connect(str(snap), read_only=True)
    out: dict[str, object] = {"filter_columns": list(FILTER_COLUMNS)}
    # the unit and cause with the most households, and a second unit
    pairs = con.execute("""SELECT helper_unit, main_cause FROM hh_facts WHERE registered
                           GROUP BY ALL ORDER BY count(*) DESC, 1, 2""").fetchall()
    unit, cause = pairs[0]
    other = next(u for u, _ in pairs if u != unit)
    out |= {"unit": unit, "other": other, "cause": cause}
    unit_ids = {r[0] for r in con.execute("SELECT household_id FROM hh_facts WHERE helper_unit = ?", [unit]).fetchall()}

    # the SQL: a bound parameter, and the households it selects
    flt = Filters(helper_units=(unit,))
    where, params = household_where(flt, Viewer())
    out |= {"where": where, "params": [str(v) for v in params.values()]}
    chosen = fetch(con, f"SELECT household_id FROM hh_facts f WHERE {where}", params)["household_id"]  # noqa: S608
    out["where_selects_the_unit"] = set(chosen) == unit_ids
    out["url"] = to_query_params(flt)
    out["options"] = list(options(con, Viewer()).helper_units)
    out["derived_tables_with_column"] = sorted(r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_columns() WHERE column_name = 'helper_unit'").fetchall())

    # every query function of every page, with the new filter: each runs, and lists only the unit's
    # households unless it does so for an existing household dimension too (by-id profiles, the
    # inspection plan's whole villages)
    sys.path.insert(0, str(Path(__file__).parent))
    from query_calls import every_result

    ids = [r[0] for r in con.execute("SELECT household_id FROM households").fetchall()]
    projects = [r[0] for r in con.execute("SELECT DISTINCT project FROM interventions WHERE project IS NOT NULL "
                                          "ORDER BY 1").fetchall()]
    cause_ids = {r[0] for r in con.execute("SELECT household_id FROM hh_facts WHERE main_cause = ?", [cause]).fetchall()}

    def outside(flt: Filters, inside: set[str]) -> tuple[int, list[str]]:
        frames, names = 0, set()
        for where, df in every_result(con, Viewer(pii=True), flt, dt.date(2020, 6, 30), projects, ids):
            frames += 1
            if "household_id" in df.columns and any(str(h) not in inside for h in df["household_id"].dropna()):
                names.add(where.split("(")[0])
        return frames, sorted(names)

    frames, unit_outside = outside(flt, unit_ids)
    out |= {"query_frames": frames, "queries_outside_unit": unit_outside,
            "queries_outside_cause": outside(Filters(main_causes=(cause,)), cause_ids)[1]}

    # the app: sidebar widget and URL from ?unit=..., then a second unit chosen in the widget
    os.environ["FUPIN_DB"] = str(db)
    views = _spy_extracts()
    at = _causes_page({"unit": unit, "cause": cause})
    widget = next(m for m in at.sidebar.multiselect if m.label == LABEL[0])
    out |= {"sidebar_labels": [m.label for m in at.sidebar.multiselect], "widget_value": list(widget.value),
            "widget_options": list(widget.options), "url_on_load": _url(at, "unit")}
    filtered_ids = _csv_ids(con, views[LIST_KEY])
    widget.set_value([unit, other]).run()
    out["url_after_choice"] = _url(at, "unit")
    at.button(key="flt_reset").click().run()  # reset: the dimension leaves the URL with the others
    out["url_after_reset"] = _url(at, "unit")

    # the CSV extract of the causes page's household list: with the unit = without it, cut to the unit
    views.clear()
    _causes_page({"cause": cause})
    all_ids = _csv_ids(con, views[LIST_KEY])
    out |= {"csv_rows": len(filtered_ids), "csv_rows_unfiltered": len(all_ids),
            "csv_is_unit_cut": filtered_ids == sorted(h for h in all_ids if h in unit_ids)}
    return out


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), ensure_ascii=False))
