"""Who a figure counts: one definition per population, used by every query and named on screen.

- 建档立卡户 (registered): a household with an exit status (已脱贫, 未脱贫, 返贫). The default of every
  figure labelled 户数.
- 监测对象 (monitored): a household with a monitoring type. A 脱贫不稳定户 that is also 已脱贫 is in both,
  so the two are never added up; a figure about the monitored says so in its name.
- A household with neither is an archive defect (`monitored_without_type`), in no population.
- People (人数) are member rows of the population's households: a person whose ID number is registered
  in two households counts in each (both rows are flagged `id_duplicate`). Rows, not distinct ID
  numbers, because counts must add up over townships, villages and cells, and a member without a valid
  ID number is still a person.

The predicates read a household's cell columns (`exit_status`, `monitoring_type`), so they apply alike
to hh_facts (alias `f`) and to every summary table keyed by the filter columns (alias `c`).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from queries.figures import Text
from queries.filters import Filters, Viewer, fetch, household_where

REGISTERED = "registered"
MONITORED = "monitored"
POPULATIONS = (REGISTERED, MONITORED)

_WHERE = {REGISTERED: "{a}.exit_status IS NOT NULL", MONITORED: "{a}.monitoring_type IS NOT NULL"}

TEXT: dict[str, Text] = {
    REGISTERED: ("建档立卡户（有脱贫状态：已脱贫、未脱贫或返贫的户；既无脱贫状态又无监测类别的户属档案问题，不计入）",
                 "Registered households (with an exit status: exited, not exited or returned; a household with "
                 "neither an exit status nor a monitoring type is an archive defect and not counted)"),
    MONITORED: ("监测对象（有监测对象类别的户，其中可含已脱贫的脱贫不稳定户）",
                "Monitored households (with a monitoring type; may include exited households)"),
}
PEOPLE: Text = ("人数 = 这些户的家庭成员行数（同一证件号码登记在两户时各计一次，并列为档案问题）",
                "People = member rows of these households (an ID number registered in two households counts "
                "in each and is listed as an archive defect)")


def where(population: str, alias: str = "c") -> str:
    """The SQL predicate of a population over rows with the cell columns (hh_facts or an agg_* table)."""
    if population not in _WHERE:
        raise ValueError(population)
    return _WHERE[population].format(a=alias)


def people_text(population: str) -> Text:
    zh, en = TEXT[population]
    return (f"{zh}；{PEOPLE[0]}", f"{en}; {PEOPLE[1]}")


def counts(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer) -> pd.DataFrame:
    """One row: the households of each population under the filters (`registered`, `monitored`), so that
    a page empty for one can say the other has households."""
    where_, params = household_where(flt, viewer, alias="c")
    cols = ", ".join(f"coalesce(sum(c.households) FILTER (WHERE {where(p)}), 0)::BIGINT AS {p}" for p in POPULATIONS)
    return fetch(con, f"SELECT {cols} FROM agg_household c WHERE {where_}", params)  # noqa: S608 - ours
