"""The household check form (入户核查表) of a self-check sample, as an Excel workbook to fill in offline and
upload back on the data page (pure: no Streamlit).

Sheet 1 `填表说明` (`Instructions` in English): the sample's seed and settings and how to fill in the form (no recognised header: the
loader skips it). Sheet 2 `入户核查表`: exactly the data-spec §1.4 headers on its first row, one row per
sampled household (place, 户编号, 户类型, 家庭人口 prefilled; names and ID numbers only for a viewer who
may see them, else blank: the 户编号 identifies the household), blank rows for the 一般农户 chosen on the
spot, and drop-down lists (数据验证) for 户类型, the yes/no items, 核查结论 and 是否认可, a date check on
调查日期. Every cell is written as text or a number, never as a formula. The headers, the sheet name 入户核查表
and the lists' values stay Chinese in either language (the loader reads them back); the cover sheet's name
and the lists' and date's prompts are in the user's language (labels `rates.plan.form.*`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd

from etl.codes import CODE_ORDER
from labels import t

# data-spec §1.4, in its order: the header row of the form
HEADERS = ("调查日期", "乡(镇)", "行政村", "户编号", "户主姓名", "证件号码", "户类型", "家庭人口", "人均纯收入", "不愁吃",
           "不愁穿", "义务教育保障", "基本医疗保障", "住房安全保障", "饮水安全保障", "核查结论", "是否认可", "调查人",
           "备注")
YES_NO = ("是", "否")
FINDINGS = (*CODE_ORDER["finding"], "疑似错退", "疑似漏评", "疑似错评")
LISTS: dict[str, Sequence[str]] = {
    "户类型": CODE_ORDER["household_type"], "核查结论": FINDINGS, "是否认可": CODE_ORDER["approval"],
    **{h: YES_NO for h in HEADERS[9:15]},
}
SPARE_ROWS = 20  # blank rows below the sample for households added on the spot


def form_bytes(sample: pd.DataFrame, notes: Sequence[str], *, with_names: bool, lang: str = "zh") -> bytes:
    """The workbook of `sample` (queries.inspection_plan.plan). `notes`: the cover sheet's lines (seed,
    settings, instructions), in the user's language."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    cover = wb.add_worksheet(t("rates.plan.form.cover", lang))
    cover.set_column(0, 0, 110)
    for i, line in enumerate(notes):
        cover.write_string(i, 0, str(line))
    ws = wb.add_worksheet("入户核查表")
    head = wb.add_format({"bold": True, "border": 1, "bg_color": "#E2EFDA", "text_wrap": True})
    text = wb.add_format({"num_format": "@"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for c, h in enumerate(HEADERS):
        ws.write_string(0, c, h, head)
        ws.set_column(c, c, 18 if h in ("户编号", "证件号码", "备注") else 11, text if h in ("户编号", "证件号码") else None)
    ws.set_column(0, 0, 12, date_fmt)
    ws.freeze_panes(1, 3)
    for r, row in enumerate(sample.itertuples(index=False), start=1):
        values = {"乡(镇)": row.township, "行政村": row.village, "户类型": row.group}
        if isinstance(row.household_id, str) and row.household_id:
            values["户编号"] = row.household_id
            if pd.notna(row.member_count):
                values["家庭人口"] = int(row.member_count)
            if with_names:
                values["户主姓名"] = row.head_name
                values["证件号码"] = row.head_id_number
        for c, h in enumerate(HEADERS):
            v = values.get(h)
            if isinstance(v, int):
                ws.write_number(r, c, v)
            elif isinstance(v, str) and v:
                ws.write_string(r, c, v, text if h in ("户编号", "证件号码") else None)
    last = len(sample) + SPARE_ROWS
    for c, h in enumerate(HEADERS):
        if h in LISTS:
            ws.data_validation(1, c, last, c, {"validate": "list", "source": list(LISTS[h]),
                                               "error_title": h, "error_message": t("rates.plan.form.pick", lang)})
    ws.data_validation(1, 0, last, 0, {"validate": "date", "criteria": "between",
                                       "minimum": pd.Timestamp("2014-01-01").to_pydatetime(),
                                       "maximum": pd.Timestamp("2035-12-31").to_pydatetime(),
                                       "input_title": "调查日期", "input_message": t("rates.plan.form.date_hint", lang)})
    wb.close()
    return buf.getvalue()
