"""Login, logout and the session's user (Streamlit side of ui.auth).

- `gate(lang) -> User`: called by dashboard.py before anything else. Without a users file: the local
  user (whole county, personal data masked), no login. With one: the logged-in user of this session
  (re-checked against the file on every run, so a removed user or a changed role takes effect at the
  next click); when nobody is logged in, the login page is drawn and the run stops. An unusable users
  file locks the app.
- `sidebar(user, lang)`: who is logged in, their scope, and the logout button.
- `current_user() -> User | None`: the session's user (None = nobody logged in).

Single sign-on: when `.streamlit/secrets.toml` configures OIDC (`[auth]` with a provider), the login
page offers one button per provider (`st.login`) above the password form. A signed-in identity
(`st.user`) is mapped to a user of the users file by `ui.auth.identify` on every run, so removing or
changing its entry applies at the next click; an identity the file does not name sees the no-access
page and nothing else (and may log out to try another account). Logging out ends the Streamlit
identity cookie too (`st.logout`, which also ends the provider's session when it offers that).

The session keeps the user (without the password hash) and its Viewer in st.session_state; nothing of
it goes into the URL.

Every login, failed login and logout is one line of the login log (`ui.login_log`), written at that
moment only (a form submitted, a session starting with a signed-in identity, a logout button clicked,
an entry gone from the users file), never again on the reruns that follow.
"""

from __future__ import annotations

import sys
import time

import streamlit as st

from labels import t
from ui import auth, login_log, login_throttle
from ui.auth import User

VIEWER_KEY = "viewer"  # the session's Viewer (ui.data.viewer reads it)

USER_KEY = "auth_user"
_METHOD_KEY = "_auth_method"  # "password" or "sso": how the session's user logged in
_FAILS_KEY = "_auth_failures"
_LAST_NAME_KEY = "_auth_last_name"
_NO_ACCESS_KEY = "_auth_no_access"  # the unknown identity already logged in this session
_KEEP_ON_RESET = ("lang",)  # the language survives login and logout


def current_user() -> User | None:
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, User) else None


def _reset_session() -> None:
    """Forget everything of the session (filters, cached briefings, selections) except the language."""
    for key in list(st.session_state.keys()):
        if key not in _KEEP_ON_RESET:
            del st.session_state[key]


def _client_address() -> str | None:
    """The address of this session's browser (see login_log.client_address for what is believed)."""
    try:
        headers = st.context.headers
        return login_log.client_address(st.context.ip_address, headers.get_all("x-forwarded-for"),
                                        connected=len(headers) > 0, trusted=login_log.trusted_proxies())
    except Exception:  # noqa: BLE001 (no script run context: the log says "unknown" rather than fail a login)
        return None


def _log(result: str, *, method: str, user: User | None = None, name: object = "") -> None:
    """One line of the login log; a log that cannot be written does not stop the login (stderr says it)."""
    typed = str(name or "")
    if method == "password" and user is None and typed and not auth.known_user(typed):
        typed = login_log.UNKNOWN_NAME  # perhaps a password typed into the name field: never logged
    try:
        login_log.append(login_log.entry(
            user=user.username if user else typed, display_name=user.display_name if user else None,
            method="oidc" if method == "sso" else method, result=result, address=_client_address()))
    except OSError as e:
        print(f"fupin: login log not written: {e}", file=sys.stderr)


def login(user: User, method: str = "password") -> None:
    _log("ok", method=method, user=user)
    _reset_session()
    st.session_state[USER_KEY] = user.public()
    st.session_state[VIEWER_KEY] = user.viewer()
    st.session_state[_METHOD_KEY] = method


def _sso_claims() -> dict[str, object] | None:
    """The claims of the identity signed in through OIDC (st.user), or None."""
    try:
        info = st.user.to_dict()
    except Exception:  # noqa: BLE001 (no script run context, or Streamlit without auth support)
        return None
    return info if info.get("is_logged_in") is True else None


def sso_providers() -> list[str | None]:
    """The OIDC providers `.streamlit/secrets.toml` configures: None for the unnamed one (`[auth]` with
    its own client_id), else the names of `[auth.<name>]` sections. Empty without an [auth] section."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # noqa: BLE001 (no secrets file, or one that cannot be parsed)
        return []
    if not hasattr(section, "get"):
        return []
    named = [str(k) for k, v in section.items() if hasattr(v, "get") and v.get("client_id")]
    return ([None] if section.get("client_id") else []) + named


def logout(result: str = "logout") -> None:
    """Forget the session's user; an OIDC sign-in ends too (the identity cookie, and the provider's
    session when the provider offers an end-session endpoint). `result` "removed": the user's entry
    left the users file (the login log tells that from a click on the logout button)."""
    claims = _sso_claims()
    user = current_user()
    if user is not None:
        _log(result, method=st.session_state.get(_METHOD_KEY, "password"), user=user)
    elif claims is not None:  # the no-access page's button: the identity the provider vouched for
        _log(result, method="sso", name=_identity_text(claims))
    _reset_session()
    if claims is not None:
        st.logout()


def _locked_page(lang: str) -> None:
    def page() -> None:
        st.title(t("app.title", lang))
        st.error(t("auth.config_error", lang), icon=":material/lock:")

    st.navigation([st.Page(page, title=t("auth.title", lang), url_path="locked", default=True)],
                  position="hidden").run()
    st.stop()


def _identity_text(claims: dict[str, object]) -> str:
    """How a signed-in identity is named to people: its e-mail address, else its subject."""
    return next((str(claims[c]) for c in ("email", "sub") if claims.get(c)), "?")


def _no_access_page(claims: dict[str, object], lang: str) -> None:
    """A signed-in identity the users file does not name: this and nothing else."""
    who = "`" + _identity_text(claims).replace("`", "'").replace("\n", " ") + "`"  # a code span, never a link

    def page() -> None:
        st.title(t("app.title", lang))
        st.error(t("auth.no_access", lang, who=who), icon=":material/block:")
        st.button(t("auth.logout", lang), key="auth_logout", on_click=logout, icon=":material/logout:")

    st.navigation([st.Page(page, title=t("auth.title", lang), url_path="no-access", default=True)],
                  position="hidden").run()
    st.stop()


def _sso_buttons(lang: str) -> None:
    providers = sso_providers()
    for provider in providers:
        label = t("auth.sso", lang) if provider is None else t("auth.sso_named", lang, provider=provider)
        if st.button(label, key=f"auth_sso_{provider or ''}", type="primary", icon=":material/badge:"):
            st.login(provider)
    if providers:
        st.caption(t("auth.or_password", lang))


def _login_form(lang: str) -> None:
    from ui.navigation import not_found_notice

    not_found_notice(lang)
    st.title(t("app.title", lang))
    st.subheader(t("auth.title", lang))
    _sso_buttons(lang)
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
    address = _client_address()
    lock = login_throttle.locked(username or "", address=address)  # across sessions: a new page reset the delay
    if lock is not None:
        _log("throttled", method="password", name=username)
        st.error(t("auth.throttled" if lock == "name" else "auth.throttled_address", lang,
                   minutes=login_throttle.WINDOW // 60), icon=":material/lock_clock:")
        return
    try:
        user = auth.authenticate(username, password)
    except auth.AuthConfigError as e:
        print(f"fupin: users file unusable: {e}", file=sys.stderr)
        _log("locked", method="password", name=username)
        st.error(t("auth.config_error", lang), icon=":material/lock:")
        return
    if user is None:
        _log("failed", method="password", name=username)
        login_throttle.failed(username or "", address=address)
        st.session_state[_FAILS_KEY] = fails + 1
        st.session_state[_LAST_NAME_KEY] = (username or "").strip()[:64]
        st.error(t("auth.failed", lang), icon=":material/error:")
        return
    login_throttle.succeeded(username or "")
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
    claims = _sso_claims()
    user = current_user()
    if claims is not None and (user is None or st.session_state.get(_METHOD_KEY) == "sso"):
        try:  # the identity decides on every run: a removed or changed entry applies at the next click
            mapped = auth.identify(claims)
        except auth.AuthConfigError:
            _locked_page(lang)
        if mapped is None:
            identity = _identity_text(claims)
            logged = st.session_state.get(_NO_ACCESS_KEY) == identity
            _reset_session()
            st.session_state[_NO_ACCESS_KEY] = identity  # the page reruns: one line per session and identity
            if not logged:
                _log("unknown_identity", method="sso", name=identity)
            _no_access_page(claims, lang)
        if user is None or user.username != mapped.username:
            login(mapped, "sso")  # a session starting signed in (or another identity): one "ok" line
        elif mapped != user:  # the entry's role, townships or pii changed: the same login goes on
            st.session_state[USER_KEY] = mapped
            st.session_state[VIEWER_KEY] = mapped.viewer()
        return mapped
    if user is not None and st.session_state.get(_METHOD_KEY) == "sso":  # signed out elsewhere
        _reset_session()
        user = None
    if user is not None:
        fresh = auth.refresh(user)
        if fresh is None:
            logout("removed")
        else:
            if fresh != user:  # role, townships or pii changed in the file
                st.session_state[USER_KEY] = fresh
                st.session_state[VIEWER_KEY] = fresh.viewer()
            return fresh

    def page() -> None:
        _login_form(lang)

    # the form under every page's path too: a link to /assistance-measures?town=… opened before logging in
    # showed Streamlit's "Page not found" and, after the login, the overview; now the same path, filters
    # and all, is the page that opens once the user is in
    from ui.navigation import not_found_page, url_paths

    paths = url_paths()[1:]  # the first page is served at the root
    form = st.Page(page, title=t("auth.title", lang), url_path="login", default=True)
    pages = [form, *(st.Page(page, title=t("auth.title", lang), url_path=p) for p in paths if p != "login")]
    # an address no page has: the form at the root, saying so (Streamlit's box left the form unusable)
    missing = not_found_page(form, ["login", *paths], lang)
    st.navigation([*pages, *([missing] if missing else [])], position="hidden").run()
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
