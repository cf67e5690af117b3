"""The one label table: every text a user reads, Chinese first, English as an option.

The table is assembled from one module per area so that teams do not edit the same file; a key
lives in exactly one of them (checked at import). Look-ups go through `t()` and `code_label()`.
"""

from __future__ import annotations

import functools
import os
import re
from functools import cache

from labels import (
    by_place,
    codes_en,
    etl_text,
    inspection_rates,
    operations,
    ui_core,
    ui_figures,
    ui_inspection,
)

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# The kind of county the dashboard serves: 旗 (a banner, as the demo's 乌拉特中旗), 县, 区 or 市. The
# labels are written for a banner ("全旗", "旗级领导", "the whole banner"); a county of another kind reads
# its own word (a probe: a 县's briefing was titled 全旗…, its downloads named …_全旗_…).
COUNTY_KIND_ENV = "FUPIN_COUNTY_KIND"
COUNTY_KINDS = {"旗": "banner", "县": "county", "区": "district", "市": "city"}


def county_kind() -> str:
    kind = os.environ.get(COUNTY_KIND_ENV, "旗").strip()
    return kind if kind in COUNTY_KINDS else "旗"


def for_county(entry: tuple[str, str], kind: str) -> tuple[str, str]:
    """A label as a county of `kind` reads it (unchanged for 旗)."""
    if kind == "旗":
        return entry
    zh, en = entry
    return (zh.replace("全旗", f"全{kind}").replace("旗级", f"{kind}级"),
            en.replace("whole banner", f"whole {COUNTY_KINDS[kind]}").replace("Whole banner",
                                                                               f"Whole {COUNTY_KINDS[kind]}"))


LABELS: dict[str, tuple[str, str]] = {}
_KIND = county_kind()
for _part in (etl_text.LABELS, ui_core.LABELS, ui_inspection.LABELS, inspection_rates.LABELS,
              operations.LABELS, ui_figures.LABELS, by_place.LABELS):
    _clash = LABELS.keys() & _part.keys()
    if _clash:
        raise ValueError(f"label keys defined twice: {sorted(_clash)}")
    LABELS.update({key: for_county(entry, _KIND) for key, entry in _part.items()})


# Set to 1 (the tests do, tests/conftest.py) and a missing label raises MissingLabel instead of showing
# its key: the app never relies on the fallback, so a test that reaches a missing label fails.
STRICT_ENV = "FUPIN_STRICT_LABELS"


class MissingLabel(KeyError):
    """A label key with no entry in LABELS (raised only in strict mode, see STRICT_ENV)."""


def t(key: str, lang: str = DEFAULT_LANG, /, **params: object) -> str:
    """The label of `key` in `lang`, with `{name}` placeholders filled from params. A key with no
    entry shows as itself, or raises MissingLabel in strict mode (STRICT_ENV)."""
    entry = LABELS.get(key)
    if entry is None:
        if os.environ.get(STRICT_ENV) == "1":
            raise MissingLabel(key)
        entry = (key, key)
    zh, en = entry
    text = en if lang == "en" else zh
    return text.format(**params) if params else text


def code_label(value: str | None, lang: str = DEFAULT_LANG) -> str | None:
    """A code value for display: stored Chinese as is, or its English translation."""
    if value is None or lang != "en":
        return value
    return codes_en.CODE_EN.get(value, value)


@cache
def _keys_by_text() -> dict[str, str]:
    """Each label text without placeholders, in either language, → its key (the first one)."""
    out: dict[str, str] = {}
    for key, (zh, en) in LABELS.items():
        if "{" not in zh:
            out.setdefault(zh, key)
            out.setdefault(en, key)
    return out


_PLACEHOLDER = re.compile(r"(\{\w+\})")


@cache
def _templates() -> list[tuple[str, re.Pattern[str], str]]:
    """Each label text with placeholders and some words of its own, in either language, as (its words
    before the first placeholder, a pattern: a placeholder stands for one piece of a name, no `_`, its key)."""
    out = []
    for key, texts in LABELS.items():
        for text in texts:
            pieces = _PLACEHOLDER.split(text)
            names = [p[1:-1] for p in pieces if _PLACEHOLDER.fullmatch(p)]
            if not names or len(names) != len(set(names)) or len("".join(pieces[::2])) < 2 or "{" in "".join(pieces[::2]):
                continue
            out.append((pieces[0], re.compile("".join(f"(?P<{p[1:-1]}>[^_]+?)" if _PLACEHOLDER.fullmatch(p) else re.escape(p)
                                           for p in pieces) + r"\Z"), key))
    return out


@cache
def _codes_by_en() -> dict[str, str]:
    out: dict[str, str] = {}
    for zh, en in codes_en.CODE_EN.items():
        out.setdefault(en, zh)
    return out


def _word(text: str, lang: str) -> str | None:
    """A label's or a code value's text written in either language, in `lang`; None for other text."""
    keys = _keys_by_text()
    if text in keys:
        return t(keys[text], lang)
    if text in codes_en.CODE_EN:
        return code_label(text, lang)
    if text in _codes_by_en():
        return code_label(_codes_by_en()[text], lang)
    for sep in {t("slug.sep", "zh"), t("slug.sep", "en")}:  # two picks written as a file name writes them
        if sep in text and all(words := [_word(p, lang) for p in text.split(sep)]):
            return t("slug.sep", lang).join(w or "" for w in words)
    return None


def _piece(text: str, lang: str) -> str | None:
    """`_word`, or a label with placeholders (自查入户核查表_种子2020, 2020年度) whose values are words too."""
    if (word := _word(text, lang)) is not None:
        return word
    for start, pattern, key in _templates():
        if text.startswith(start) and (m := pattern.match(text)):
            return t(key, lang, **{k: _word(v, lang) or v for k, v in m.groupdict().items()})
    return None


@functools.lru_cache(maxsize=4096)
def relabel(text: str, lang: str = DEFAULT_LANG) -> str:
    """A name made of labels written in either language (a download's name as the extract log keeps it:
    致贫原因_农户名单, causes_households, with a population after it: …_监测对象, with a page's narrowing:
    医疗报销_按乡镇_2020年度, 数据规则提示_疑似错退户) in `lang`: its `_`-separated pieces read from the
    left, the longest run of them that is a label (or a label with placeholders, or a code value) at a
    time; other text as it is."""
    parts = text.split("_")
    out, i = [], 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            if (done := _piece("_".join(parts[i:j]), lang)) is not None:
                out.append(done)
                i = j
                break
        else:
            out.append(parts[i])
            i += 1
    return "_".join(out)
