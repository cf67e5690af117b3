"""The per-run page context: filters, viewer, language and dates resolved once by dashboard.py.

Pages call `ctx = ui.context.current()` and use `ctx.flt`, `ctx.viewer`, `ctx.lang`, `ctx.as_of` (the
reference date for "overdue"/"days since": the data's as-of date by default, today as an option),
`ctx.data_as_of`, `ctx.t(key, **params)`, `ctx.code(value)`, `ctx.num(n)` / `ctx.pct(x)` (a KPI
tile's figure), `ctx.user` (ui.auth.User: who is logged in,
the local user without a users file) and `ctx.page` (the page's URL path, for the extract log).

With a users file and nobody logged in, `current()` stops the run: a page file run without the entry
point (Streamlit's legacy `pages/` handling can do that on a fresh server) shows nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

import streamlit as st

from labels import code_label, t
from queries.filters import Filters, Viewer
from ui import formats
from ui.auth import LOCAL_USER, User
from ui.formats import md_escape  # noqa: F401 (pages import it from here)

_KEY = "_fupin_ctx"


@dataclass(frozen=True)
class PageContext:
    flt: Filters = field(default_factory=Filters)
    viewer: Viewer = field(default_factory=Viewer)
    lang: str = "zh"
    as_of: dt.date = field(default_factory=dt.date.today)
    data_as_of: dt.date = field(default_factory=dt.date.today)
    snapshot: Path | None = None
    user: User = LOCAL_USER
    page: str = ""
    # the population a page's switch chose when not the default (population.MONITORED): downloads name it
    population: str = ""

    def t(self, key: str, /, **params: object) -> str:
        return t(key, self.lang, **params)

    def md(self, key: str, /, **params: object) -> str:
        """A label for a Markdown element (title, caption, alert): values from the data (township,
        file and household names) are escaped, so a loaded name never becomes a link or an image."""
        return t(key, self.lang, **{k: md_escape(str(v)) for k, v in params.items()})

    def code(self, value: str | None) -> str | None:
        return code_label(value, self.lang)

    def num(self, n: object) -> str:
        """A KPI tile's count in this language (ui.formats.compact_count)."""
        return formats.compact_count(n, self.lang)

    def pct(self, x: object) -> str:
        return formats.pct(x)


def set_current(ctx: PageContext) -> None:
    st.session_state[_KEY] = ctx


def set_population(population: str) -> None:
    """The page counts this population ("" = the default): its downloads say so (ui.extract)."""
    set_current(replace(current(), population=population))


def current() -> PageContext:
    """The context of this run (a default one if dashboard.py has not set it, e.g. in a unit test)."""
    ctx = st.session_state.get(_KEY)
    if isinstance(ctx, PageContext):
        return ctx
    from ui import auth, login

    if auth.enabled() and login.current_user() is None:
        lang = st.session_state.get("lang", "zh")
        st.warning(t("auth.login_first", lang if lang in ("zh", "en") else "zh"), icon=":material/lock:")
        st.stop()
    return PageContext()
