"""Users and roles (no Streamlit here): the users file, password checks and a small command line.

The users file is YAML at `config/users.yaml` (or `$FUPIN_USERS`). Without it the dashboard runs as
one local user who sees the whole county with personal data masked, and shows no login. With it,
everyone logs in first; a file that cannot be read or is invalid locks the app (never falls back to
no login).

    users:
      zhaoxm:
        display_name: 赵晓明
        role: township          # leader | township | pii_viewer | county_viewer
        townships: [乌加河镇]    # township: required; pii_viewer: optional (absent = whole county)
        pii: false              # true = names, ID numbers and phones unmasked
        password_hash: $2b$12$...   # local password (optional when `sso` is given)
        sso:                    # single sign-on identities (OIDC claims; optional when a password is)
          sub: "2f1c9a7e-..."   # the provider's subject identifier, and/or
          email: zhaoxm@example.gov.cn   # the verified e-mail address (compared without case)

Single sign-on (OIDC through Streamlit's st.login, configured in .streamlit/secrets.toml): a signed-in
identity is the user whose `sso.sub` equals the token's `sub` claim, else whose `sso.email` equals its
`email` claim (not when the provider says `email_verified: false`). Role, townships and personal data
come from the entry, as for a password. An identity that no entry names has no access. Two entries
naming the same identity make the file unusable (it locks).

Roles: `leader` sees every township; `township` only the listed townships; `pii_viewer` sees personal
data unmasked (the whole county, or the listed townships). `pii: true` unmasks personal data for any
role. Passwords are bcrypt hashes (cost 12); a password is 8 to 72 bytes (bcrypt's limit).

Command line (the password is read from a prompt, or from the first line of stdin when piped; never
from the command line). Its help, usage errors, prompts and messages are in the language of `--lang`
(before the command) or $FUPIN_LANG, else Chinese, as `python -m etl` (etl.cli_parser); exit code 2 for
a usage error or a refused change:

    python -m ui.auth [--lang zh|en] [--file PATH] COMMAND ...
    python -m ui.auth add-user NAME --role township --township 乌加河镇 [--township ...] [--pii]
        [--display-name 赵晓明] [--replace] [--file PATH]
        [--sso-email ADDRESS] [--sso-sub SUB] [--no-password]   # single sign-on identity (only)
    python -m ui.auth remove-user NAME [--file PATH]
    python -m ui.auth list-users [--file PATH]
    python -m ui.auth hash-password          # prints a hash for editing the file by hand
"""

from __future__ import annotations

import argparse
import getpass
import os
import stat
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import bcrypt
import yaml

from etl.cli_parser import LabelledParser, add_lang_option, argv_lang, os_reason, parse
from etl.normalize import normalize_values, sql_place
from labels import t
from queries.filters import Viewer

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_USERS = PROJECT_ROOT / "config" / "users.yaml"
ENV_USERS = "FUPIN_USERS"
ROLES = ("leader", "township", "pii_viewer", "county_viewer")
# Roles that see the whole county and every township's data, as a leader, and never load files: an
# inspection team's or a 旗委 office's account (every county-wide user could upload before)
READ_ONLY_ROLES = ("county_viewer",)
BCRYPT_ROUNDS = 12
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72
_MAX_NAME = 64


@cache
def _dummy_hash() -> bytes:
    """A valid hash of a random password: checked when the user name is unknown, so that a wrong name
    and a wrong password take the same time."""
    return bcrypt.hashpw(os.urandom(16).hex().encode(), bcrypt.gensalt(BCRYPT_ROUNDS))


class _LabelledError(ValueError):
    """An error whose text is a label (`key` and its `params`; an OSError param reads as its reason):
    `text(lang)` in either language, str() in English (the server's log)."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        params = {k: os_reason(v, lang) if isinstance(v, OSError) else v for k, v in self.params.items()}
        return t(self.key, lang, **params)

    def __reduce__(self) -> tuple[object, ...]:  # pickled (a worker's answer) with its key, not its English
        return _labelled_error, (type(self), self.key, self.params)


def _labelled_error(cls: type[_LabelledError], key: str, params: dict[str, object]) -> _LabelledError:
    return cls(key, **params)


class AuthConfigError(_LabelledError):
    """The users file exists but cannot be used (or a change to it is refused)."""


class PasswordError(_LabelledError):
    """A password the rules refuse, or two entries that differ."""


@dataclass(frozen=True)
class User:
    """A user of the dashboard. `townships` None = the whole county."""

    username: str
    display_name: str
    role: str
    townships: tuple[str, ...] | None = None
    pii: bool = False
    password_hash: str = field(default="", repr=False, compare=False)
    sso: tuple[tuple[str, str], ...] = ()  # (claim, value): ("sub", ...), ("email", lower case)

    def viewer(self) -> Viewer:
        return Viewer(pii=self.pii, townships=self.townships, name=self.username,
                      loads=self.role not in READ_ONLY_ROLES)

    def public(self) -> User:
        """The same user without the password hash (what the session keeps)."""
        return User(self.username, self.display_name, self.role, self.townships, self.pii, sso=self.sso)

    @property
    def is_leader(self) -> bool:
        """Sees the whole county (may see the extract log and rejected rows)."""
        return self.townships is None


LOCAL_USER = User("local", "本机用户", "leader", None, False)


def users_path() -> Path:
    """The users file: $FUPIN_USERS, else config/users.yaml."""
    raw = os.environ.get(ENV_USERS)
    return Path(raw).expanduser().absolute() if raw else DEFAULT_USERS


def enabled(path: Path | None = None) -> bool:
    """Login is required unless the users path is certainly absent. Anything at the path counts, even
    what cannot be used (a dangling symlink, a loop, a directory, a file nobody may read, a path that
    cannot be looked at): then `load_users` fails and nobody gets in. Only "no such file" turns login
    off; `Path.exists()` would answer False for a dangling link or a loop and open the app."""
    try:
        os.lstat(path or users_path())
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return True


def _str_list(value: object, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise AuthConfigError("auth.error.townships", user=what)
    out: list[str] = []
    for v in value:
        if v.strip() not in out:
            out.append(v.strip())
    return tuple(out)


def parse_user(username: str, raw: object) -> User:
    """One entry of the users file, validated."""
    if not isinstance(username, str) or not username.strip() or len(username) > _MAX_NAME:
        raise AuthConfigError("auth.error.name", name=repr(username))
    if not isinstance(raw, dict):
        raise AuthConfigError("auth.error.entry", user=username)
    role = raw.get("role")
    if role not in ROLES:
        raise AuthConfigError("auth.error.role", user=username, roles=", ".join(ROLES))
    towns = raw.get("townships")
    townships = _str_list(towns, username) if towns not in (None, []) else None
    if role == "township" and not townships:
        raise AuthConfigError("auth.error.township_needs", user=username)
    if role in ("leader", *READ_ONLY_ROLES) and townships:
        raise AuthConfigError("auth.error.leader_townships", user=username)
    pii = raw.get("pii", False)
    if not isinstance(pii, bool):
        raise AuthConfigError("auth.error.pii", user=username)
    sso = _sso_identities(username, raw.get("sso"))
    pw = raw.get("password_hash")
    if (pw is not None or not sso) and (not isinstance(pw, str) or not pw.startswith(("$2a$", "$2b$", "$2y$"))):
        raise AuthConfigError("auth.error.password_hash", user=username)
    display = raw.get("display_name") or username
    return User(username.strip(), str(display), role, townships, pii or role == "pii_viewer", pw or "", sso)


SSO_CLAIMS = ("sub", "email")


def _sso_identities(username: str, raw: object) -> tuple[tuple[str, str], ...]:
    """An entry's `sso` mapping as (claim, value) pairs; e-mail addresses in lower case."""
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw or set(raw) - set(SSO_CLAIMS):
        raise AuthConfigError("auth.error.sso", user=username)  # names SSO_CLAIMS
    out: list[tuple[str, str]] = []
    for claim in SSO_CLAIMS:
        if claim in raw:
            key = _claim_key(claim, raw[claim])
            if key is None:
                raise AuthConfigError("auth.error.sso_claim", user=username, claim=claim)
            out.append(key)
    return tuple(out)


def _claim_key(claim: str, value: object) -> tuple[str, str] | None:
    """(claim, value) as identities are compared: trimmed text, e-mail in lower case; None if empty."""
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        return None
    text = str(value).strip()
    return claim, text.lower() if claim == "email" else text


def _sso_index(users: dict[str, User]) -> dict[tuple[str, str], User]:
    index: dict[tuple[str, str], User] = {}
    for user in users.values():
        for identity in user.sso:
            other = index.setdefault(identity, user)
            if other is not user:
                raise AuthConfigError("auth.error.sso_twice", claim=identity[0], value=repr(identity[1]),
                                      first=other.username, second=user.username)
    return index


def identify(claims: dict[str, Any], path: Path | None = None) -> User | None:
    """The user (without the hash) a signed-in OIDC identity maps to: by its `sub` claim, else by its
    `email` claim unless the provider marks that address unverified; None = no access."""
    index = _sso_index(load_users(path))
    keys = [_claim_key("sub", claims.get("sub"))]
    if claims.get("email_verified") is not False:
        keys.append(_claim_key("email", claims.get("email")))
    for key in keys:
        if key is not None and key in index:
            return index[key].public()
    return None


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A mapping that repeats `key` (its second place is `problem_mark`)."""

    def __init__(self, key: Any, context_mark: yaml.Mark, problem_mark: yaml.Mark) -> None:
        super().__init__("while constructing a mapping", context_mark, f"found duplicate key {key!r}", problem_mark)
        self.key = key


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a mapping that repeats a key (at any level): YAML requires keys to
    be unique, and PyYAML would otherwise keep the last one silently (a user listed twice, once as a
    township user and once as a leader, would log in as the leader)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: the base class reports it
                break
            if duplicate:
                raise _DuplicateKey(key, node.start_mark, key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_users_text(path: Path) -> tuple[str, tuple[int, int]]:
    """The users file's text and its (mtime, size), refusing anything but a readable regular file
    reached without a loop (a FIFO would block the read, a device or directory is not a users file)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as e:
        raise AuthConfigError("auth.error.no_file", path=path) from e
    except OSError as e:  # a loop (ELOOP), no permission, ...
        raise AuthConfigError("auth.error.cannot_open", path=path, reason=e) from e
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise AuthConfigError("auth.error.not_regular", path=path)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read()
    except OSError as e:
        raise AuthConfigError("auth.error.cannot_read", path=path, reason=e) from e
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8"), (st.st_mtime_ns, st.st_size)
    except UnicodeDecodeError as e:
        raise AuthConfigError("auth.error.not_utf8", path=path, byte=e.start + 1) from e  # not Python's English


def _parse_users_doc(text: str, path: Path) -> Any:
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except _DuplicateKey as e:
        raise AuthConfigError("auth.error.duplicate_key", path=path, key=e.key, line=e.problem_mark.line + 1) from e
    except yaml.YAMLError as e:  # where, in the user's language (PyYAML's English said it inside the Chinese)
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        if mark is None:
            raise AuthConfigError("auth.error.cannot_read", path=path, reason=str(e)) from e
        raise AuthConfigError("auth.error.not_yaml", path=path, line=mark.line + 1, column=mark.column + 1,
                              problem=getattr(e, "problem", None) or "") from e  # YAML's words: in English only


_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int], dict[str, User]]] = {}


def load_users(path: Path | None = None) -> dict[str, User]:
    """The users of the file (re-read when it changes). Raises AuthConfigError when it is unusable."""
    path = path or users_path()
    try:
        st = path.stat()
    except OSError as e:  # missing, a dangling link, a loop, no permission
        raise AuthConfigError("auth.error.cannot_use", path=path, reason=e) from e
    key = (st.st_mtime_ns, st.st_size)
    with _cache_lock:
        hit = _cache.get(str(path))
        if hit and hit[0] == key and stat.S_ISREG(st.st_mode):
            return hit[1]
    text, key = _read_users_text(path)
    doc = _parse_users_doc(text, path)
    raw_users = doc.get("users") if isinstance(doc, dict) else None
    if not isinstance(raw_users, dict) or not raw_users:
        raise AuthConfigError("auth.error.no_users", path=path)
    users = {str(name).strip(): parse_user(str(name), entry) for name, entry in raw_users.items()}
    _sso_index(users)  # an identity named twice: unusable
    with _cache_lock:
        _cache[str(path)] = (key, users)
    return users


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise PasswordError("auth.error.password_short", n=MIN_PASSWORD)
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise PasswordError("auth.error.password_long", n=MAX_PASSWORD_BYTES)


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    check_password_rules(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def _checkpw(password: str, hashed: str) -> bool:
    pw = password.encode("utf-8")
    if len(pw) > MAX_PASSWORD_BYTES:  # bcrypt 5 raises; such a password was never accepted
        bcrypt.checkpw(b"x", _dummy_hash())
        return False
    try:
        return bcrypt.checkpw(pw, hashed.encode("ascii"))
    except ValueError:
        return False


def known_user(username: str, path: Path | None = None) -> bool:
    """A user of the users file has this name (False when the file cannot be read)."""
    try:
        return (username or "").strip() in load_users(path)
    except AuthConfigError:
        return False


def authenticate(username: str, password: str, path: Path | None = None) -> User | None:
    """The user (without the hash) when name and password match, else None. Which of the two was
    wrong is not told, and both cases cost one bcrypt check."""
    users = load_users(path)
    user = users.get((username or "").strip())
    if user is None or not user.password_hash:  # unknown, or single sign-on only
        _checkpw(password or "", _dummy_hash().decode("ascii"))
        return None
    return user.public() if _checkpw(password or "", user.password_hash) else None


def refresh(user: User, path: Path | None = None) -> User | None:
    """The session's user as the file says now (role or townships may have changed); None when the
    user was removed or the file became unusable."""
    try:
        current = load_users(path).get(user.username)
    except AuthConfigError:
        return None
    return current.public() if current is not None else None


def scope_text(user: User, lang: str = "zh") -> str:
    area = "、".join(user.townships) if user.townships else t("auth.scope.all", lang)
    pii = t("auth.scope.pii" if user.pii else "auth.scope.masked", lang)
    return f"{area} · {pii}"


# --- writing the file (command line) ------------------------------------------------------------


def _read_doc(path: Path) -> dict[str, Any]:
    if not enabled(path):
        return {"users": {}}
    doc = _parse_users_doc(_read_users_text(path)[0], path) or {}
    if not isinstance(doc, dict):
        raise AuthConfigError("auth.error.not_mapping", path=path)
    if not isinstance(doc.get("users"), dict):
        doc["users"] = {}
    return doc


def _write_doc(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = ("# 扶贫督查看板 users (see README, 'Roles and personal data'). Edit with: python -m ui.auth\n"
            + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    fd, tmp = tempfile.mkstemp(prefix=".users-", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def unknown_townships(townships: tuple[str, ...] | None, db: Path | None = None) -> list[str]:
    """The townships of a user that the current data has no household in ([] without data yet: users
    may be added before the first load). Such a user would see an empty dashboard without a word."""
    from etl import snapshot

    if not townships or snapshot.current_snapshot(db) is None:
        return []
    con, _ = snapshot.connect_read(db)
    try:
        known = {r[0] for r in con.execute("SELECT DISTINCT township FROM households").fetchall()}
    finally:
        con.close()
    return [town for town in townships if town not in known] if known else []


def add_user(path: Path, username: str, password: str | None, role: str, townships: list[str] | None = None,
             pii: bool = False, display_name: str | None = None, replace: bool = False,
             rounds: int = BCRYPT_ROUNDS, sso: dict[str, str] | None = None) -> User:
    """Add (or with replace=True, overwrite) a user in the file; the entry, and the file with it, are
    validated first. `password` None: single sign-on only (`sso` = {"sub": ..., "email": ...})."""
    doc = _read_doc(path)
    name = username.strip()
    if name in doc["users"] and not replace:
        raise AuthConfigError("auth.error.exists", name=name)
    entry: dict[str, Any] = {"display_name": display_name or name, "role": role}
    if townships:  # written as the loader writes a place ("乌加河 镇" was a township of no data)
        entry["townships"] = list(dict.fromkeys(p for p in normalize_values(sql_place, list(townships)) if p))
    entry["pii"] = bool(pii) or role == "pii_viewer"  # the file says what the role grants (it said false)
    if password is not None:
        entry["password_hash"] = hash_password(password, rounds)
    identities = {k: v for k, v in (sso or {}).items() if v}
    if identities:
        entry["sso"] = identities
    user = parse_user(name, entry)
    doc["users"][name] = entry
    _sso_index({n: parse_user(str(n), e) for n, e in doc["users"].items()})  # an identity used twice
    _write_doc(path, doc)
    return user


def remove_user(path: Path, username: str) -> None:
    doc = _read_doc(path)
    if username not in doc["users"]:
        raise AuthConfigError("auth.error.no_user", name=username)
    del doc["users"][username]
    _write_doc(path, doc)


def _read_password(confirm: bool, lang: str) -> str:
    if sys.stdin.isatty():
        pw = getpass.getpass(t("auth.cli.password", lang))
        if confirm and getpass.getpass(t("auth.cli.password_again", lang)) != pw:
            raise PasswordError("auth.error.passwords_differ")
        return pw
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The users command line's parser, its help and usage errors in `lang` (etl.cli_parser)."""
    parser = LabelledParser(prog="python -m ui.auth", description=t("auth.cli.description", lang), lang=lang)
    add_lang_option(parser)

    def file_option(p: argparse.ArgumentParser, dest: str = "file") -> None:
        p.add_argument("--file", type=Path, default=None, dest=dest, metavar=t("cli.metavar.path", lang),
                       help=t("auth.cli.help.file", lang))

    def name_argument(p: argparse.ArgumentParser) -> None:
        p.add_argument("name", metavar=t("auth.cli.metavar.name", lang), help=t("auth.cli.help.name", lang))

    file_option(parser)
    sub = parser.add_subparsers(dest="command", required=True, title=t("cli.commands", lang))

    def command(name: str, key: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=t(key, lang), description=t(key, lang))

    add = command("add-user", "auth.cli.help.add")
    name_argument(add)
    add.add_argument("--role", choices=ROLES, required=True, help=t("auth.cli.help.role", lang))
    add.add_argument("--township", action="append", default=[], metavar=t("auth.cli.metavar.township", lang),
                     help=t("auth.cli.help.township", lang))
    add.add_argument("--pii", action="store_true", help=t("auth.cli.help.pii", lang))
    add.add_argument("--display-name", default=None, metavar=t("auth.cli.metavar.display_name", lang),
                     help=t("auth.cli.help.display_name", lang))
    add.add_argument("--replace", action="store_true", help=t("auth.cli.help.replace", lang))
    add.add_argument("--sso-email", default=None, metavar=t("auth.cli.metavar.email", lang),
                     help=t("auth.cli.help.sso_email", lang))
    add.add_argument("--sso-sub", default=None, metavar=t("auth.cli.metavar.sub", lang),
                     help=t("auth.cli.help.sso_sub", lang))
    add.add_argument("--no-password", action="store_true", help=t("auth.cli.help.no_password", lang))
    file_option(add, "file_sub")
    rm = command("remove-user", "auth.cli.help.remove")
    name_argument(rm)
    file_option(rm, "file_sub")
    ls = command("list-users", "auth.cli.help.list")
    file_option(ls, "file_sub")
    command("hash-password", "auth.cli.help.hash")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv_lang(argv))
    args = parse(parser, argv)
    if isinstance(args, int):  # a usage error (said) or --help
        return args
    lang = args.lang
    path = getattr(args, "file_sub", None) or args.file or users_path()
    try:
        if args.command == "hash-password":
            print(hash_password(_read_password(True, lang)))
        elif args.command == "add-user":
            sso = {"sub": args.sso_sub, "email": args.sso_email}
            password = None if args.no_password else _read_password(True, lang)
            user = add_user(path, args.name, password, args.role, args.township, args.pii, args.display_name,
                            args.replace, sso=sso)
            print(t("auth.cli.added", lang, name=user.username, role=user.role, role_name=t(f"auth.role.{user.role}", lang),
                    scope=scope_text(user, lang), path=path))
            unknown = unknown_townships(user.townships)
            if unknown:
                print(t("auth.cli.unknown_townships", lang, townships=t("list.sep", lang).join(unknown)), file=sys.stderr)
        elif args.command == "remove-user":
            remove_user(path, args.name)
            print(t("auth.cli.removed", lang, name=args.name, path=path))
        elif args.command == "list-users":
            for u in load_users(path).values():
                print(f"{u.username}\t{u.display_name}\t{u.role}\t{scope_text(u, lang)}")
    except (AuthConfigError, ValueError) as e:
        message = e.text(lang) if isinstance(e, _LabelledError) else str(e)
        print(t("auth.cli.error", lang, message=message), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
