"""An argparse parser that speaks the user's language: usage errors and `--help` from the label table
(labels.etl_text, keys `argparse.*`), Chinese unless the language is English.

Argparse writes its fixed texts in English (through gettext, which has no Chinese catalogue for it).
Instead of replacing gettext for the whole process, `LabelledParser` sets the texts it owns (section
titles, the help option's help, the usage prefix through `LabelledFormatter`) and, for an error, maps
argparse's finished English message back to its template (`ARGPARSE_TEXTS`, argparse's own message ids)
and writes the template's label. A message no template matches (a newer Python's new wording) is shown
as argparse wrote it, still under the translated `用法：` and `错误：`.

`error()` raises UsageError instead of exiting: the command line decides how to report it (stderr, or
the JSON error object under --json), always with exit code 2.

The language rule of every command line of the product (`python -m etl`, `python -m ui.auth`):
`argv_lang` reads it before parsing (a usage error is written in it), `add_lang_option` adds the
`--lang` option that names it; `errno_label` words a path's OSError for both, `in_use_text` a database
file another program holds open, `duck_os_text` a file DuckDB could not open or write,
`path_error_text` any of these or an OSError; `terminal_text` is what a command line writes of a file's
name or content.
"""

from __future__ import annotations

import argparse
import errno
import functools
import os
import re
import sys
import textwrap
import unicodedata
from collections.abc import Sequence
from typing import NoReturn

from labels import DEFAULT_LANG, LABELS, LANGS, t

# argparse's messages (its gettext ids, Python 3.11–3.13) -> label key. `%s`/`%r` becomes {arg}, a named
# `%(name)s`/`%(name)r` becomes {name}; a value argparse wrote with repr() keeps its quotes.
ARGPARSE_TEXTS: dict[str, str] = {
    "argument %(argument_name)s: %(message)s": "argparse.argument",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse.invalid_choice",
    "the following arguments are required: %s": "argparse.required",
    "unrecognized arguments: %s": "argparse.unrecognized",
    "invalid %(type)s value: %(value)r": "argparse.invalid_value",
    "expected one argument": "argparse.expected_one",
    "expected at least one argument": "argparse.expected_at_least_one",
    "expected at most one argument": "argparse.expected_at_most_one",
    "ambiguous option: %(option)s could match %(matches)s": "argparse.ambiguous",
    "ignored explicit argument %r": "argparse.explicit_argument",
}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)[sr]|%[sr]", template)
    # re.split with a group: text, name, text, name, …; an unnamed %s gives None
    out = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p or 'arg'}>.+?)" for i, p in enumerate(parts))
    return re.compile(out, re.S)


_PATTERNS = [(_pattern(template), key) for template, key in ARGPARSE_TEXTS.items()]

# What a terminal acts on or hides rather than shows: C0 controls but tab and line end, DEL, C1 (0x9b is
# CSI to some terminals), bidirectional controls, zero-width characters, and undecodable bytes kept as
# surrogates (a file name in another encoding: printed as is, it raised UnicodeEncodeError).
_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
                         "\ud800-\udfff]")


def _shown(match: re.Match[str]) -> str:
    ch = match.group()
    if ch < " ":
        return chr(0x2400 + ord(ch))  # its control picture: ESC → ␛
    return "\u2421" if ch == "\x7f" else "\ufffd"


def terminal_text(text: str) -> str:
    """`text` (a line of a load's summary, naming files and quoting their values) as a terminal shows it:
    a control character as its picture (ESC → ␛, as the load's control_chars issue shows it), a C1 or
    format character or an undecodable byte as �. A file named `…\x1b]0;…\x07\x1b[2J.csv` retitled the
    window and cleared the screen when `etl load` echoed its name."""
    return _UNSHOWABLE.sub(_shown, text)


def _name(name: str, lang: str) -> str:
    """An argument's name in a message: a positional's dest has a label (`command` -> 命令), a flag is itself."""
    key = f"argparse.name.{name}"
    return t(key, lang) if key in LABELS else name


def translate(message: str, lang: str) -> str:
    """Argparse's English `message` in `lang`, through the label table; unknown messages unchanged."""
    for pattern, key in _PATTERNS:
        m = pattern.fullmatch(message)
        if m is None:
            continue
        params = m.groupdict()
        if "message" in params:
            params["message"] = translate(params["message"], lang)
        if key == "argparse.required":
            params["arg"] = t("list.sep", lang).join(_name(n, lang) for n in params["arg"].split(", "))
        if "argument_name" in params:
            params["argument_name"] = _name(params["argument_name"], lang)
        if "type" in params:
            key_type = f"argparse.type.{params['type']}"
            params["type"] = t(key_type, lang) if key_type in LABELS else params["type"]
        return t(key, lang, **params)
    return message


class UsageError(Exception):
    """A command line argparse refused: `usage` (the parser's usage, translated) and `message` (one line,
    `prog：错误：…`)."""

    def __init__(self, usage: str, message: str) -> None:
        super().__init__(message)
        self.usage = usage
        self.message = message

    def __str__(self) -> str:
        return f"{self.usage}{self.message}"


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: a Chinese character takes two (the tests measure help with it)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class LabelledFormatter(argparse.HelpFormatter):
    """Help in `lang`: the usage prefix and the section headings' colon from the label table, and lines
    wrapped by display width (argparse counts characters, and a Chinese line would be twice too wide)."""

    def __init__(self, prog: str, *args: object, lang: str = "zh", **kwargs: object) -> None:
        super().__init__(prog, *args, **kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self._headings: list[str] = []

    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # noqa: ANN001 - argparse's signature
        super().add_usage(usage, actions, groups, t("argparse.usage", self.lang) if prefix is None else prefix)

    # argparse pads and indents by len(); a Chinese metavar or prefix takes more columns than characters
    def _format_usage(self, usage, actions, groups, prefix) -> str:  # noqa: ANN001 - argparse's signature
        extra = display_width(prefix or "") - len(prefix or "")
        width = self._width
        try:
            for _ in range(3):  # narrower until every line fits
                text = super()._format_usage(usage, actions, groups, prefix)
                if extra:  # the lines under the first are indented by the prefix's length
                    text = text.replace("\n ", "\n" + " " * (extra + 1))
                over = max(map(display_width, text.splitlines())) + self._current_indent - width
                if over <= 0:
                    break
                self._width -= over
        finally:
            self._width = width
        return text

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            width = display_width(self._format_action_invocation(action)) + self._current_indent
            self._action_max_length = max(self._action_max_length, width)

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        invocation = " " * self._current_indent + self._format_action_invocation(action)
        extra = display_width(invocation) - len(invocation)
        if extra and text.startswith(invocation + " " * (extra + 2)):
            text = invocation + text[len(invocation) + extra:]
        return text

    def start_section(self, heading: str | None) -> None:
        if heading:
            self._headings.append(heading)
        super().start_section(heading)

    def format_help(self) -> str:
        text = super().format_help()
        for heading in self._headings:  # argparse writes `heading:`; Chinese takes a full-width colon
            text = text.replace(f"\n{heading}:\n", "\n" + t("argparse.section", self.lang, title=heading) + "\n")
        return text

    def _split_lines(self, text: str, width: int) -> list[str]:
        text = self._whitespace_matcher.sub(" ", text).strip()
        return _wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        text = self._whitespace_matcher.sub(" ", text).strip()
        return "\n".join(indent + line for line in _wrap(text, width - len(indent)))


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CLOSING = "，。、；：）》」』！？"  # never at the start of a line
_OPENING = "（《「『"  # never at the end of one
# a word or one Chinese character (with an opening bracket before it and the punctuation after it), or a
# run of spaces
_TOKEN = re.compile(rf"[{_OPENING}]*[^\s{_CJK}]+[{_CLOSING}]*|\s+|[{_OPENING}]*.[{_CLOSING}]*")


def _wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` columns: between words, or between any two Chinese characters."""
    if display_width(text) == len(text):
        return textwrap.wrap(text, width)
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        if line and display_width(line + token.rstrip()) > width:
            lines.append(line.rstrip())
            line = "" if token.isspace() else token
        else:
            line += token
    return [*lines, line.rstrip()] if line.strip() else lines


class LabelledParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors and help are in `lang` (see the module's docstring); its
    subcommands' parsers are LabelledParsers of the same language."""

    def __init__(self, *args: object, lang: str = "zh", **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", functools.partial(LabelledFormatter, lang=lang))
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self._positionals.title = t("argparse.positionals", lang)
        self._optionals.title = t("argparse.options", lang)
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help=t("argparse.help", lang))

    def add_subparsers(self, **kwargs: object) -> argparse._SubParsersAction:
        kwargs.setdefault("parser_class", functools.partial(type(self), lang=self.lang))
        return super().add_subparsers(**kwargs)  # type: ignore[arg-type]

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        """As argparse's, but an unknown option after a command is that command's error, with its usage
        (`etl load --bogus x.csv` printed the top command's usage, which names no option of `load`)."""
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            commands = [a for a in self._actions if isinstance(a, argparse._SubParsersAction)]
            chosen = commands[0].choices.get(getattr(parsed, commands[0].dest, None)) if commands else None
            (chosen or self).error("unrecognized arguments: %s" % " ".join(extra))  # noqa: UP031 - argparse's text
        return parsed

    def error(self, message: str) -> NoReturn:
        raise UsageError(self.format_usage(),
                         t("argparse.error", self.lang, prog=self.prog, message=translate(message, self.lang)))


def options(argv: list[str]) -> list[str]:
    """The words of the command line before `--` (after it, every word is an argument)."""
    return argv[:argv.index("--")] if "--" in argv else argv


def argv_lang(argv: list[str]) -> str:
    """The language the user asked for, read before parsing (a usage error is written in it): `--lang X`
    or `--lang=X` anywhere before `--`, else $FUPIN_LANG, else Chinese."""
    words = options(argv)
    for i, word in enumerate(words):
        value = word.removeprefix("--lang=") if word.startswith("--lang=") else (
            words[i + 1] if word == "--lang" and i + 1 < len(words) else None)
        if value in LANGS:
            return value
    env = os.environ.get("FUPIN_LANG", DEFAULT_LANG)
    return env if env in LANGS else DEFAULT_LANG


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code to return: 2 after a usage error (said on stderr, in the
    user's language), 0 after --help."""
    try:
        return parser.parse_args(argv)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)


def add_lang_option(parser: LabelledParser) -> None:
    """The global `--lang zh|en` option (before the command), its default $FUPIN_LANG, else zh."""
    parser.add_argument("--lang", choices=list(LANGS), default=argv_lang([]), help=t("cli.help.lang", parser.lang))


def errno_label(exc: BaseException, lang: str) -> str | None:
    """Why a path could not be used, as the label table words its errno (路径不存在, 没有权限 …); None for
    an errno without a label (the caller gives the system's words)."""
    key = f"oserror.{errno.errorcode.get(getattr(exc, 'errno', None) or 0, '')}"
    return t(key, lang) if key in LABELS else None


def os_reason(exc: OSError, lang: str) -> str:
    """Why a file could not be used: the label of its errno in Chinese (路径不存在, 没有权限 …), else the
    system's words (in English always: the server's log and str() keep them)."""
    return (errno_label(exc, lang) if lang != "en" else None) or exc.strerror or str(exc)


# DuckDB's words (1.x) when another process holds the file open for writing: a DuckDB shell or a Python
# session left open on the current snapshot. Its English, with its advice cut at 200 characters, reached
# the Chinese message ("无法完成：（IO Error: Could not set lock on file …）", a probe).
_IN_USE_RE = re.compile(r'Could not set lock on file "(?P<path>[^"]+)": Conflicting lock is held in .*?'
                        r'\(PID (?P<pid>\d+)\)')


def in_use_text(exc: BaseException, lang: str) -> str | None:
    """A database file another program holds open (DuckDB's "Conflicting lock" error), as the label table
    says it: the file and the holder's process id; None for any other error."""
    m = _IN_USE_RE.search(str(exc))
    return t("cli.db_in_use", lang, path=m["path"], pid=m["pid"]) if m else None


# DuckDB's words (1.x, 2.0) for a file it could not open or write: the system's reason after the quoted
# path. A rebuild in a folder without write permission said 无法完成：（IO Error: Cannot open file "…":
# Permission denied）, a load 入库失败…（TransactionException: …）, a rebuild on a full disk a traceback
# (FatalException: Could not write file "…": No space left on device) (a probe).
_DUCK_OS_RE = re.compile(r'file "(?P<path>[^"]+)": (?P<reason>Permission denied|No space left on device|'
                         r'File too large|Disk quota exceeded|Read-only file system)')
_DUCK_OS_ERRNO = {"Permission denied": errno.EACCES, "No space left on device": errno.ENOSPC,
                  "File too large": errno.EFBIG, "Disk quota exceeded": errno.ENOSPC,
                  "Read-only file system": errno.EROFS}


def _duck_path_reason(exc: BaseException, lang: str) -> tuple[str, str] | None:
    m = _DUCK_OS_RE.search(str(exc))
    if not m:
        return None
    return m["path"], errno_label(OSError(_DUCK_OS_ERRNO[m["reason"]], m["reason"]), lang) or m["reason"]


def duck_os_text(exc: BaseException, lang: str) -> str | None:
    """A file DuckDB could not open or write (no permission, a full disk), as the label table says an
    OSError of that path (`cli.os_error`); None for any other error."""
    found = _duck_path_reason(exc, lang)
    return t("cli.os_error", lang, path=found[0], reason=found[1]) if found else None


def path_and_reason(exc: BaseException, lang: str) -> tuple[str, str] | None:
    """(the path, why it could not be used, in `lang`) of an OSError or of DuckDB's words for one; None
    for any other error."""
    found = _duck_path_reason(exc, lang)
    if found is None and isinstance(exc, OSError):
        # a copy that filled the disk names its source first (shutil): the disk is the target's
        full = exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
        found = ((full and exc.filename2) or exc.filename or "",
                 errno_label(exc, lang) or exc.strerror or str(exc).splitlines()[0][:200])
    return found


def path_error_text(exc: BaseException, lang: str, published: object = None) -> str | None:
    """A file or folder that could not be used, said in `lang` by the command line and the upload page
    alike: a database another program holds open (`in_use_text`), a file DuckDB could not open or write
    (`duck_os_text`), an OSError (`cli.os_error`: its path and the label of its errno); None for any other
    error. The upload page said an OSError as Python wrote it, in English with its errno (入库程序出错…：
    OSError: [Errno 27] File too large: '…g00000006.duckdb' -> '…work-00000007.duckdb', a probe).
    `published`: the database whose new data the command had published before the error (then not
    "数据库未作更改" but that the new data stands, `cli.os_error_published`)."""
    if published is None and (text := in_use_text(exc, lang)) is not None:
        return text
    found = path_and_reason(exc, lang)
    if found is None:
        return None
    if published is not None:
        return t("cli.os_error_published", lang, db=published, path=found[0], reason=found[1])
    return t("cli.os_error", lang, path=found[0], reason=found[1])
