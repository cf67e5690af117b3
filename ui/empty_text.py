"""Empty states' texts with no Streamlit, shared by the pages (ui.empty) and the briefing's HTML
(ui.briefing_html), as ui.since_figures is for the "since" section."""

from __future__ import annotations

import duckdb

from labels import t
from queries import meta


def no_household_text(con: duckdb.DuckDBPyConnection, lang: str) -> str | None:
    """Why the data holds no household at all (its registry rows were all rejected, or none was loaded);
    None when it holds one."""
    reg = meta.registry_rows(con).iloc[0]
    if int(reg["households"]):
        return None
    rejected = int(reg["rejected"])
    return t("empty.registry_rejected", lang, n=rejected) if rejected else t("empty.no_registry", lang)
