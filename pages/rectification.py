"""问题整改 Rectification: status by township, overdue, ageing, burn-down, categories, due soon, ledger."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from etl import rules
from etl.codes import CODE_ORDER
from queries import profile as qprofile
from queries import rectification as q
from queries.filters import area_level
from ui import by_place, charts, data, empty, extract, figures, header, layout, profile_html, table
from ui import filters as ui_filters
from ui.context import PageContext, current
from ui.formats import plain_dates


def _states(df: pd.DataFrame, ctx: PageContext) -> pd.Series:
    """Each item's state marker, most urgent wins: overdue (with days), due soon (with days left), open,
    closed late (with days), closed."""
    out = pd.Series(ctx.t("insp.rect.state.closed"), index=df.index, dtype=object)
    late = df["late"].fillna(False).astype(bool).to_numpy()
    days_late = df.loc[late, "days_late"].astype(int)
    out[late] = days_late.map({d: ctx.t("insp.rect.state.closed_late", days=d) for d in days_late.unique()})
    out[df["is_open"].fillna(False).astype(bool).to_numpy()] = ctx.t("insp.rect.state.open")
    soon = df["due_soon"].fillna(False).astype(bool).to_numpy()
    left = df.loc[soon, "days_to_deadline"].astype(int)
    out[soon] = left.map({d: ctx.t("insp.rect.state.due_today") if d == 0 else ctx.t("insp.rect.state.due_in", days=d)
                          for d in left.unique()})
    overdue = df["overdue"].fillna(False).astype(bool).to_numpy()
    days = df.loc[overdue, "days_overdue"].astype(int)
    out[overdue] = days.map({d: ctx.t("insp.rect.state.overdue", days=d) for d in days.unique()})
    return out


def ledger_view(df: pd.DataFrame, ctx: PageContext) -> pd.DataFrame:
    """The ledger as shown and extracted: a state marker first, the contract's columns, level."""
    out = df.copy()
    out.insert(0, "state", _states(out, ctx))
    out["level"] = out["level"].map({v: ctx.t(f"insp.rect.level.{v}") for v in out["level"].unique()})
    out[["village", "household_id"]] = out[["village", "household_id"]].fillna("")
    return plain_dates(out)[["state", "issue_id", "problem_category", "description", "status", "deadline",
                             "days_overdue", "township", "village", "household_id", "level", "responsible_unit",
                             "responsible_person", "source", "found_date", "rect_measures", "completed_date",
                             "days_late", "age_days"]]


def burn_down_figure(bd: pd.DataFrame, ctx: PageContext) -> go.Figure:
    """Open items per week, a step panel per source (oldest source on top), each ending at the first
    week all its items are closed."""
    parts = []
    for _, part in bd.assign(source=bd["source"].replace("", "—")).groupby("source", sort=False):
        part = part.sort_values("week_end")
        nonzero = [i for i, v in enumerate(part["open_items"]) if v]
        parts.append(part.iloc[: nonzero[-1] + 2 if nonzero else 1])  # up to the first week all are closed
    shown = pd.concat(sorted(parts, key=lambda p: (p["week_end"].iloc[0], str(p["source"].iloc[0]))))
    return charts.step_panels(shown, "week_end", "open_items", "source", x_title=ctx.t("insp.axis.week"),
                              y_title=ctx.t("insp.axis.items"))


def status_section(ctx: PageContext) -> None:
    """Items by status per township, or per village when the view is one township (township-level
    items, which name no village, have a bar of their own)."""
    level = area_level(ctx.flt, ctx.viewer)
    st.subheader(ctx.t(by_place.title_key("rect.status", level)))
    by = data.run(q.status_by_township, ctx, as_of=ctx.as_of, level=level)
    by = by_place.rect_places(by, level, ctx.lang)
    by["status_label"] = by["status"].map(ctx.code)
    fig = charts.bar(by, level, "items", color="status_label", orientation="h",
                     color_order=[ctx.code(v) for v in CODE_ORDER["rectification_status"]],
                     x_title=ctx.t(f"field.{level}"), y_title=ctx.t("insp.axis.items"))
    charts.show(fig, "rect_by_status", figure="rect.by_status")


def tiles_section(ctx: PageContext, df: pd.DataFrame) -> None:
    s = q.summary(df)
    cols = figures.tile_slots(7, "rect")
    for col, (key, fig, label) in zip(cols[:6], (
            ("total", "rect_total", ctx.t("insp.rect.kpi.total")), ("open", "rect_open", ctx.t("insp.rect.kpi.open")),
            ("overdue", "rect_overdue", ctx.t("insp.rect.kpi.overdue")),
            ("due_soon", "rect_due_soon", ctx.t("insp.rect.kpi.due_soon", days=rules.DUE_SOON_DAYS)),
            ("closed", "rect_closed", ctx.t("insp.rect.kpi.closed")),
            ("late", "rect_late", ctx.t("insp.rect.kpi.late"))), strict=True):
        figures.metric(col, ctx, fig, s[key], ctx.num(s[key]), label=label)
    # were they fixed on time: a share fits a tile, the counts go in its help
    rate = q.on_time_rate(s)
    figures.metric(cols[6], ctx, "rect_on_time_rate", rate, ctx.pct(rate), label=ctx.t("insp.rect.kpi.on_time"),
                   extra=f"{s['on_time']:,} / {s['on_time'] + s['late']:,}")


def overdue_section(ctx: PageContext, df: pd.DataFrame, view: pd.DataFrame) -> None:
    """The overdue items, each bar of days overdue drawn in its row."""
    st.subheader(ctx.t("insp.rect.overdue"))
    overdue = view[df["overdue"].to_numpy()]
    if overdue.empty:
        st.success(ctx.t("insp.rect.overdue_none"))
        return
    table.show("rect_overdue", overdue, ctx.t("insp.what.overdue"),
               column_config={"days_overdue": st.column_config.ProgressColumn(
                   format="%d", min_value=0, max_value=int(overdue["days_overdue"].max()) or 1)})


def ageing_section(ctx: PageContext, df: pd.DataFrame) -> None:
    """How long open items have been open, beside the open items per week of each source."""
    left, right = layout.pair("ageing")
    with left:
        st.subheader(ctx.t("insp.rect.ageing"))
        ag = data.run(q.ageing, ctx, as_of=ctx.as_of)
        if ag.empty:  # the ageing is of open items: none open says so (not "none overdue")
            st.caption(ctx.t("insp.rect.open_none"))
        else:
            ag["bucket_label"] = [ctx.t(f"insp.rect.bucket.{b}") for b in ag["bucket"]]
            ag["overdue_label"] = [ctx.t("insp.series.overdue" if o else "insp.series.not_overdue")
                                   for o in ag["overdue"]]
            # undated, and found after the reference date (a date typed wrong), last
            order = [ctx.t(f"insp.rect.bucket.{b}") for b in (*range(len(q.AGE_BUCKETS)), -1, -2)]
            # each bar's count above it, as every stacked chart: a bar of a single item had no number (the
            # segment's own is hidden where it does not fit), and a bar of one segment says it there only
            fig = charts.bar(ag, "bucket_label", "items", color="overdue_label", order=order,
                             x_title=ctx.t("insp.axis.age"), y_title=ctx.t("insp.axis.items"), height=340)
            charts.show(fig, "rect_ageing", figure="rect.ageing")
    with right:
        st.subheader(ctx.t("insp.rect.burn_down"))
        bd = data.run(q.burn_down, ctx, as_of=ctx.as_of)
        if bd.empty:
            st.caption("—")
        else:
            charts.show(burn_down_figure(bd, ctx), "rect_burn_down", figure="rect.burn_down")
        # an open item without 发现日期 has no week to start in: said, not silently left out (a probe: the
        # panels summed to 7 beside 8 open)
        undated = int((df["is_open"].astype(bool) & df["found_date"].isna()).sum())
        if undated:
            st.caption(ctx.t("insp.rect.burn_down_undated", n=undated))
        # nor has one found after the reference date (a 发现日期 typed wrong, 2030 for 2020)
        later = int((df["is_open"].astype(bool) & (pd.to_datetime(df["found_date"]) > pd.Timestamp(ctx.as_of))).sum())
        if later:
            st.caption(ctx.t("insp.rect.burn_down_later", n=later))


def dimensions_section(ctx: PageContext) -> None:
    """Open and overdue items by problem category and by responsible unit."""
    left, right = layout.pair("dimensions")
    for col, dim, title, what in ((left, "problem_category", "insp.rect.by_category", "insp.what.by_category"),
                                  (right, "responsible_unit", "insp.rect.by_unit", "insp.what.by_unit")):
        with col:
            st.subheader(ctx.t(title))
            dd = data.run(q.by_dimension, ctx, as_of=ctx.as_of, dimension=dim)
            _open_by_dimension(ctx, dd, dim)
            table.show(f"rect_tbl_{dim}", dd, ctx.t(what))


def due_soon_section(ctx: PageContext, df: pd.DataFrame, view: pd.DataFrame) -> None:
    st.subheader(ctx.t("insp.rect.due_soon", days=rules.DUE_SOON_DAYS))
    due = view[df["due_soon"].to_numpy()]
    if due.empty:
        st.caption(ctx.t("insp.rect.due_none", days=rules.DUE_SOON_DAYS))
    else:
        table.show("rect_due", due, ctx.t("insp.what.due_soon"))


def ledger_section(ctx: PageContext, df: pd.DataFrame, view: pd.DataFrame) -> None:
    """The ledger, narrowed by status, category, open or overdue; an item's place or household below."""
    st.subheader(ctx.t("insp.rect.ledger"))
    c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
    # no "Select all" (Streamlit's English): 不限 is choosing nothing (ui.filters says the same)
    statuses = c1.multiselect(ctx.t("field.status"), sorted(df["status"].dropna().unique()),
                              format_func=ctx.code, select_all=False,
                              persist_state="session", key="rect_f_status", placeholder=ctx.t("insp.any"))
    cats = c2.multiselect(ctx.t("col.problem_category"), sorted(df["problem_category"].dropna().unique()),
                          format_func=ctx.code, select_all=False,
                          persist_state="session", key="rect_f_cat", placeholder=ctx.t("insp.any"))
    only_open = c3.checkbox(ctx.t("insp.rect.only_open"), persist_state="session", key="rect_f_open")
    only_overdue = c4.checkbox(ctx.t("insp.rect.only_overdue"), persist_state="session", key="rect_f_overdue")
    mask = pd.Series(True, index=df.index)
    if statuses:
        mask &= df["status"].isin(statuses)
    if cats:
        mask &= df["problem_category"].isin(cats)
    if only_open:
        mask &= df["is_open"].astype(bool)
    if only_overdue:
        mask &= df["overdue"].astype(bool)
    # the file names the narrowing: 问题整改台账_全旗 of 13 overdue items read as the whole ledger
    what = extract.narrowed(ctx.t("insp.what.ledger"), ctx.lang, [ctx.code(v) for v in statuses],
                            [ctx.code(v) for v in cats], ctx.t("insp.series.open") if only_open else None,
                            ctx.t("insp.series.overdue") if only_overdue else None)
    table.show("rect_ledger", view[mask.to_numpy()], what)
    _details(ctx, df[mask.to_numpy()])


def main() -> None:
    ctx = current()
    header.show("insp.page.rectification")
    header.rules(ctx.t("insp.rect.rules", days=rules.DUE_SOON_DAYS))
    if empty.not_loaded("rectifications"):
        return
    df = data.run(q.ledger, ctx, as_of=ctx.as_of)
    if df.empty:
        empty.show()
        return
    view = ledger_view(df, ctx)
    tiles_section(ctx, df)
    status_section(ctx)
    overdue_section(ctx, df, view)
    ageing_section(ctx, df)
    dimensions_section(ctx)
    due_soon_section(ctx, df, view)
    ledger_section(ctx, df, view)


def _open_by_dimension(ctx: PageContext, dd: pd.DataFrame, dim: str) -> None:
    """Open and overdue items per category or unit: only those with open items are charted (a unit
    whose items are all closed is an empty row); the table under the chart lists every one."""
    pending = dd[dd["open_items"] > 0]
    if pending.empty:
        st.caption(ctx.t("insp.rect.none_open"))
        return
    long = pending.melt(id_vars=[dim], value_vars=["open_items", "overdue"], var_name="series", value_name="n")
    long["series"] = long["series"].map({"open_items": ctx.t("insp.series.open"),
                                         "overdue": ctx.t("insp.series.overdue")})
    long[dim] = long[dim].map(ctx.code)
    fig = charts.bar(long, dim, "n", color="series", orientation="h", barmode="group",
                     order=list(pending[dim].map(ctx.code))[::-1],  # most open on top, as the table
                     x_title=ctx.t(f"col.{dim}"), y_title=ctx.t("insp.axis.items"))
    charts.show(fig, f"rect_by_{dim}", figure="rect.by_dim")
    if len(pending) < len(dd):
        st.caption(ctx.t("insp.rect.rest_closed", n=len(dd) - len(pending), what=ctx.t(f"col.{dim}")))


PICK_LIMIT = 1000  # items offered in the details picker (a longer list is narrowed with the filters above)


def _item_labels(df: pd.DataFrame) -> pd.Series:
    """`问题编号 · 乡镇 · 村 · 户编号 · 描述` per item (blank parts left out), built column-wise."""
    def part(col: str) -> pd.Series:
        return (" · " + df[col].fillna("").astype(str)).where(df[col].notna(), "")

    return (df["issue_id"].fillna("").astype(str) + " · " + df["township"].astype(str) + part("village")
            + part("household_id") + " · " + df["description"].fillna("").astype(str))


def _details(ctx: PageContext, df: pd.DataFrame) -> None:
    """An item's place: a township/village item filters to it, a household item shows its profile."""
    if df.empty:
        return
    first = df.iloc[:PICK_LIMIT]
    labels = dict(zip(first.index, _item_labels(first), strict=True))
    title = ctx.t("insp.rect.pick") if len(df) <= PICK_LIMIT else ctx.t("insp.rect.pick_first", n=PICK_LIMIT)
    pick = st.selectbox(title, list(labels), format_func=labels.get, index=None,
                        key="rect_pick", placeholder=ctx.t("insp.choose"))
    if pick is None:
        return
    row = df.loc[pick]
    village = row["village"] if pd.notna(row["village"]) else None
    area = row["township"] + (f" · {village}" if village else "")
    st.button(ctx.t("insp.rect.goto_area", area=area), on_click=ui_filters.drill_to,
              kwargs={"township": row["township"], "village": village}, key="rect_goto")
    if pd.notna(row["household_id"]):
        prof = data.call(qprofile.profile, str(row["household_id"]), ctx.viewer, ctx.as_of)
        profile_html.show(prof, ctx, key="rect_profile")


main()
