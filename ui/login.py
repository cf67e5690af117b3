"""Login, logout and the session's user (Streamlit side of ui.auth).

- `gate(lang) -> User`: called by dashboard.py before anything else. Without a users file: the local
  user (whole county, personal data masked), no login. With one: the logged-in user of this session
  (re-checked against the file on every run, so a removed user or a changed role takes effect at the
  next click); when nobody is logged in, the login page is drawn and the run stops. An unusable users
  file locks the app.
- `sidebar(user, lang)`: who is logged in, their scope, and the logout button.
- `current_user() -> User | None`: the session's user (None = nobody logged in).

The session keeps the user (without the password hash) and its Viewer in st.session_state; nothing of
it goes into the URL.
"""

from __future__ import annotations

import sys
import time

import streamlit as st

from labels import t
from ui import auth
from ui.auth import User

USER_KEY = "auth_user"
_FAILS_KEY = "_auth_failures"
_LAST_NAME_KEY = "_auth_last_name"
_KEEP_ON_RESET = ("lang",)  # the language survives login and logout


def current_user() -> User | None:
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, User) else None


def _reset_session() -> None:
    """Forget everything of the session (filters, cached briefings, selections) except the language."""
    for key in list(st.session_state.keys()):
        if key not in _KEEP_ON_RESET:
            del st.session_state[key]


def login(user: User) -> None:
    from ui.data import VIEWER_KEY

    _reset_session()
    st.session_state[USER_KEY] = user.public()
    st.session_state[VIEWER_KEY] = user.viewer()


def logout() -> None:
    _reset_session()


def _locked_page(lang: str) -> None:
    def page() -> None:
        st.title(t("app.title", lang))
        st.error(t("auth.config_error", lang), icon=":material/lock:")

    st.navigation([st.Page(page, title=t("auth.title", lang), url_path="locked", default=True)],
                  position="hidden").run()
    st.stop()


def _login_form(lang: str) -> None:
    st.title(t("app.title", lang))
    st.subheader(t("auth.title", lang))
    with st.form("auth_login", clear_on_submit=True, enter_to_submit=True):
        username = st.text_input(t("auth.username", lang), value=st.session_state.get(_LAST_NAME_KEY, ""),
                                 max_chars=64, autocomplete="username", key="auth_username")
        password = st.text_input(t("auth.password", lang), type="password", max_chars=128,
                                 autocomplete="current-password", key="auth_password")
        submitted = st.form_submit_button(t("auth.submit", lang), type="primary", icon=":material/login:")
    if not submitted:
        st.caption(t("auth.hint", lang))
        return
    fails = int(st.session_state.get(_FAILS_KEY, 0))
    if fails >= 3:  # slow down guessing in this session (bcrypt itself costs ~0.2 s per try)
        time.sleep(min(2 ** (fails - 3), 8))
    try:
        user = auth.authenticate(username, password)
    except auth.AuthConfigError as e:
        print(f"fupin: users file unusable: {e}", file=sys.stderr)
        st.error(t("auth.config_error", lang), icon=":material/lock:")
        return
    if user is None:
        st.session_state[_FAILS_KEY] = fails + 1
        st.session_state[_LAST_NAME_KEY] = (username or "").strip()[:64]
        st.error(t("auth.failed", lang), icon=":material/error:")
        return
    login(user)
    st.rerun()


def gate(lang: str) -> User:
    """The user of this run, or (login required, nobody logged in) the login page and a stop."""
    if not auth.enabled():
        return auth.LOCAL_USER
    try:
        auth.load_users()
    except auth.AuthConfigError as e:
        print(f"fupin: users file unusable: {e}", file=sys.stderr)
        _locked_page(lang)
    user = current_user()
    if user is not None:
        fresh = auth.refresh(user)
        if fresh is None:
            logout()
        else:
            if fresh != user:  # role, townships or pii changed in the file
                from ui.data import VIEWER_KEY

                st.session_state[USER_KEY] = fresh
                st.session_state[VIEWER_KEY] = fresh.viewer()
            return fresh

    def page() -> None:
        _login_form(lang)

    st.navigation([st.Page(page, title=t("auth.title", lang), url_path="login", default=True)],
                  position="hidden").run()
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def sidebar(user: User, lang: str) -> None:
    """Who is logged in, what they see, and the logout button (only when login is enabled)."""
    if not auth.enabled():
        return
    box = st.sidebar.container(border=True)
    box.text(t("auth.who", lang, name=user.display_name, username=user.username,
               role=t(f"auth.role.{user.role}", lang)))
    box.text(t("auth.scope", lang, scope=auth.scope_text(user, lang)))
    box.button(t("auth.logout", lang), key="auth_logout", on_click=logout, icon=":material/logout:")
