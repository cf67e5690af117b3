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
Connections: one read-only DuckDB connection per snapshot file, shared by the sessions of this process
(`_Pool`); each query uses its own cursor so concurrent sessions do not share a cursor. A query leases
the connection while it runs; a connection to a superseded snapshot is closed as soon as nobody leases
it (a thread checks twice a second), because the next load writes that file in place and waits for
its viewers to close it (etl.snapshot).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from etl.snapshot import connect_read, current_snapshot
from queries.filters import Viewer
from queries.paging import DEFAULT_LIMIT, ListQuery
from ui.context import PageContext
from ui.login import VIEWER_KEY

_SNAP_KEY = "_fupin_snapshot"
T = TypeVar("T")


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


def viewer(state: Any = None) -> Viewer:
    """The Viewer of this session (of `state`, another session's state: ui.serve asks for an upload)."""
    state = st.session_state if state is None else state
    v = state[VIEWER_KEY] if VIEWER_KEY in state else None
    if isinstance(v, Viewer):
        return v
    from ui import auth

    return NOBODY if auth.enabled() else Viewer()


class _Pool:
    """Read-only connections per snapshot file with lease counts; superseded idle ones are closed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, list[Any]] = {}  # path -> [connection, leases]
        self.sweeper: threading.Thread | None = None

    def lease(self, snapshot_path: str) -> tuple[duckdb.DuckDBPyConnection, str]:
        with self.lock:
            entry = self.entries.get(snapshot_path)
            if entry is None:
                con, real = _open(snapshot_path)
                entry = self.entries.get(real)
                if entry is None:
                    entry = self.entries[real] = [con, 0]
                else:
                    con.close()
                snapshot_path = real
            entry[1] += 1
            if self.sweeper is None:
                self.sweeper = threading.Thread(target=self._sweep_forever, name="fupin-pool", daemon=True)
                self.sweeper.start()
            return entry[0], snapshot_path

    def release(self, snapshot_path: str) -> None:
        with self.lock:
            entry = self.entries.get(snapshot_path)
            if entry is not None:
                entry[1] -= 1
        self.sweep()

    def sweep(self) -> None:
        """Close the connections nobody leases to files that are no longer current."""
        current = current_snapshot()
        keep = str(current) if current else None
        with self.lock:
            for path, (con, leases) in list(self.entries.items()):
                if leases <= 0 and path != keep:
                    con.close()
                    del self.entries[path]

    def _sweep_forever(self) -> None:
        while True:
            time.sleep(0.5)
            try:
                self.sweep()
            except Exception:  # noqa: S110 - a sweep that fails is retried half a second later
                pass


def _open(snapshot_path: str) -> tuple[duckdb.DuckDBPyConnection, str]:
    try:
        con = duckdb.connect(snapshot_path, read_only=True)
        rows = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'slot'").fetchall()
        if rows[0][0] and con.execute("SELECT state FROM slot").fetchall()[0][0] == "writing":
            con.close()
            raise duckdb.IOException(f"{snapshot_path} is being written")
        return con, snapshot_path
    except (duckdb.IOException, duckdb.ConnectionException, FileNotFoundError):
        # Superseded and taken by a load between this run's resolve and its first query (a run that
        # outlived the next load): read the current snapshot instead. The next rerun re-keys.
        con, snap = connect_read()
        return con, str(snap)


_POOL = _Pool()


class LeasedCursor:
    """A cursor on a snapshot's shared connection; `close()` also ends the lease."""

    def __init__(self, snapshot_path: str) -> None:
        con, self._path = _POOL.lease(snapshot_path)
        try:
            self._cursor = con.cursor()
        except Exception:
            _POOL.release(self._path)
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def close(self) -> None:
        if self._path is not None:
            try:
                self._cursor.close()
            finally:
                _POOL.release(self._path)
                self._path = None  # type: ignore[assignment]


def cursor_on(snapshot_path: Path) -> LeasedCursor:
    """A cursor on a given snapshot, for deferred download callables: they run outside the script run,
    so they must capture the snapshot and the viewer when the button is drawn, never read the session.
    Close it when done."""
    return LeasedCursor(str(snapshot_path))


def cursor() -> LeasedCursor:
    """A cursor on this run's snapshot (for uncached use; close it when done)."""
    snap = snapshot()
    if snap is None:
        raise NoDatabase
    return LeasedCursor(str(snap))


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(snapshot_path: str, fn_name: str, key: str, _fn: Callable[..., Any], _args: tuple,
            _kwargs: dict[str, Any]) -> Any:
    cur = LeasedCursor(snapshot_path)
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


def _first_rows(con: Any, query: ListQuery, limit: int | None) -> pd.DataFrame:
    return query.page(con, limit)


def page(query: ListQuery, limit: int | None = DEFAULT_LIMIT) -> pd.DataFrame:
    """The first `limit` rows of a list with its `total`, cached: a page builds the list's query once and
    hands the same object to `ui.table.show_list`, which writes the full list from it."""
    return call(_first_rows, query, limit)


def run(query_fn: Callable[..., T], ctx: PageContext, /, **kwargs: Any) -> T:
    """`query_fn(con, ctx.flt, ctx.viewer, **kwargs)`, cached: a page's filters and viewer come from its
    context only, never from the session directly."""
    return call(query_fn, ctx.flt, ctx.viewer, **kwargs)
