"""Streamlit components of the dashboard (the only package that imports Streamlit besides pages/).

Shared infrastructure for every page (core and inspection):

- `ui.context.current() -> PageContext`: what dashboard.py resolved for this run — `flt` (Filters),
  `viewer` (Viewer), `lang`, `as_of` (date used for overdue/days-since), `data_as_of`, `snapshot`;
  helpers `ctx.t(key, **params)` and `ctx.code(value)` (label table look-ups in the page's language).
- `ui.data.run(query_fn, ctx, **kwargs)`: call `query_fn(con, ctx.flt, ctx.viewer, **kwargs)` cached on
  (snapshot, function, filters, viewer, kwargs); `ui.data.call(fn, *args, **kwargs)`: cached
  `fn(con, *args, **kwargs)` for queries without filters.
- `ui.table.show(key, df, what=..., ...)`: labelled dataframe + CSV/XLSX downloads (or empty state).
- `ui.extract.show(key, df, what)`: the two download buttons for any (labelled) view;
  `ui.extract.csv_bytes/xlsx_bytes/file_name` are pure functions.
- `ui.charts`: `bar(...)`, `line(...)`, `style(fig)`, `show(fig, key, on_select=None, *, figure)` (figure: its indicator-dictionary key), `COLORS`.
- `ui.header.show(title_key)`: title + as-of date + batches line; `ui.empty.show()`: the empty state.
- `ui.filters.show(...)` (sidebar, called by dashboard.py), `ui.filters.drill_to(township=...,
  village=...)` for click-to-filter callbacks.
"""
