"""Thin cache over the query layer, keyed on the data snapshot.

- `begin_run()`: resolve the current snapshot once per script run (dashboard.py calls it first), so
  every query of a run reads the same snapshot and a new load is seen at the next rerun.
- `snapshot() -> Path | None`: the snapshot of this run (None = no database yet).
- `run(query_fn, flt, **kwargs)`: `query_fn(con, flt, viewer, **kwargs)`, cached with st.cache_data
  on (snapshot path, function, filters, viewer, kwargs). The viewer is the session's (`viewer()`).
- `call(fn, *args, **kwargs)`: cached `fn(con, *args, **kwargs)` for queries that take no filters.
- `cursor_on(snapshot)`: a cursor for code that runs outside the script run (deferred downloads).
- `viewer() -> Viewer`: the session's viewer (ui.login sets `st.session_state["viewer"]` at login);
  without a users file: whole county, personal data masked; with one and nobody logged in: NOBODY
  (no township at all), so a page reached without the login still queries nothing.
Connections: one read-only DuckDB connection per snapshot (st.cache_resource); each query uses its own
cursor so concurrent sessions do not share a cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from etl.snapshot import connect_read, current_snapshot
from queries.filters import Filters, Viewer

_SNAP_KEY = "_fupin_snapshot"
VIEWER_KEY = "viewer"


class NoDatabase(RuntimeError):
    """No database has been built yet."""


def begin_run() -> Path | None:
    snap = current_snapshot()
    st.session_state[_SNAP_KEY] = str(snap) if snap else None
    return snap


def snapshot() -> Path | None:
    value = st.session_state.get(_SNAP_KEY, "__unset__")
    if value == "__unset__":
        return begin_run()
    return Path(value) if value else None


NOBODY = Viewer(pii=False, townships=())


def viewer() -> Viewer:
    v = st.session_state.get(VIEWER_KEY)
    if isinstance(v, Viewer):
        return v
    from ui import auth

    return NOBODY if auth.enabled() else Viewer()


@st.cache_resource(max_entries=4, show_spinner=False)
def _connection(snapshot_path: str) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(snapshot_path, read_only=True)
    except (duckdb.IOException, FileNotFoundError):
        # Superseded and cleaned up between this run's resolve and its first query (a run that
        # outlived the grace period): read the current snapshot instead. The next rerun re-keys.
        con, _ = connect_read()
        return con


def cursor_on(snapshot_path: Path) -> duckdb.DuckDBPyConnection:
    """A cursor on a given snapshot, for deferred download callables: they run outside the script run,
    so they must capture the snapshot and the viewer when the button is drawn, never read the session."""
    return _connection(str(snapshot_path)).cursor()


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on this run's snapshot (for uncached use; close it when done)."""
    snap = snapshot()
    if snap is None:
        raise NoDatabase
    return _connection(str(snap)).cursor()


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(snapshot_path: str, fn_name: str, key: str, _fn: Callable[..., Any], _args: tuple,
            _kwargs: dict[str, Any]) -> Any:
    cur = _connection(snapshot_path).cursor()
    try:
        return _fn(cur, *_args, **_kwargs)
    finally:
        cur.close()


def _fn_name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{getattr(fn, '__qualname__', repr(fn))}"


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    snap = snapshot()
    if snap is None:
        raise NoDatabase
    key = repr((args, sorted(kwargs.items())))
    return _cached(str(snap), _fn_name(fn), key, fn, args, kwargs)


def run(query_fn: Callable[..., pd.DataFrame], flt: Filters, /, **kwargs: Any) -> pd.DataFrame:
    return call(query_fn, flt, viewer(), **kwargs)
