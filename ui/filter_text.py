"""The chosen filters as a reader reads them (主要致贫原因：因病、因残；脱贫年度：2016–2019): the line under
every page's title, the briefing's scope and the extract log's filter column. No Streamlit here."""

from __future__ import annotations

from etl.filter_spec import FILTERS
from labels import code_label, t
from queries.filters import Filters
from ui.formats import joined


def filter_text(flt: Filters, lang: str, areas: bool = False, notes: bool = False) -> str:
    """The filters besides the place (`areas`: the place too). `notes`: a year range says whom it leaves
    out (a household not yet exited has no exit year: 脱贫年度 2015–2020 left every 未脱贫户 out, and the
    overview read 未脱贫户 0户, 脱贫率 99.1% with nothing on the page saying why)."""
    parts = []
    for d in FILTERS:
        value = getattr(flt, d.name)
        if (d.area and not areas) or not value:
            continue
        shown = joined((code_label(v, lang) for v in value), lang) if d.kind == "multi" else f"{value[0]}–{value[1]}"
        if notes and d.note_key is not None:
            shown += f"（{t(d.note_key, lang)}）" if lang == "zh" else f" ({t(d.note_key, lang)})"
        parts.append(f"{t(d.label_key, lang)}{'：' if lang == 'zh' else ': '}{shown}")
    return ("；" if lang == "zh" else "; ").join(parts)
