"""Labels: every key the code names has an entry, and a missing one raises in tests (labels.STRICT_ENV).

The static check reads every `t(...)`, `ctx.t(...)`, `ctx.md(...)` and `self.t(...)` call of the app (dashboard.py, every
module of pages/, ui/, queries/ and etl/): a literal key must be in LABELS, and a key built with an
f-string (`t(f"kind.{kind}")`) must start like at least one entry. Keys built at run time are checked when
the tests run them: strict mode (conftest) turns the fallback to the key itself into MissingLabel.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import labels
from labels import LABELS, MissingLabel, t
from labels.codes_en import CODE_EN
from queries.figures import PARTS, all_figures

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "pages").glob("*.py"))
SOURCES = [ROOT / "dashboard.py", *PAGES, *(p for d in ("ui", "queries", "etl") for p in sorted((ROOT / d).rglob("*.py")))]


def label_calls(path: Path) -> list[tuple[int, ast.expr]]:
    """(line, first argument) of each `t(...)` / `<x>.t(...)` / `ctx.md(...)` call in the file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and (
                (isinstance(node.func, ast.Name) and node.func.id == "t")
                or (isinstance(node.func, ast.Attribute) and node.func.attr in ("t", "md"))):
            out.append((node.lineno, node.args[0]))
    return out


def test_every_page_is_read() -> None:
    assert len(PAGES) >= 13, PAGES  # the sidebar's pages (dashboard.PAGES), the guide among them
    for page in PAGES:
        assert label_calls(page), f"{page.name} names no label: is it still a page?"


def test_every_label_key_in_the_code_exists() -> None:
    missing, unknown_prefix = [], []
    for path in SOURCES:
        where = path.relative_to(ROOT)
        for line, arg in label_calls(path):
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if arg.value not in LABELS:
                    missing.append(f"{where}:{line}: {arg.value}")
            elif isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
                prefix = str(arg.values[0].value)
                if not any(k.startswith(prefix) for k in LABELS):
                    unknown_prefix.append(f"{where}:{line}: {prefix}…")
    assert not missing, "label keys without an entry:\n" + "\n".join(missing)
    assert not unknown_prefix, "no label starts like:\n" + "\n".join(unknown_prefix)


def test_a_missing_label_raises_in_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MissingLabel):
        t("no_such.label")
    assert t("kind.registry") == LABELS["kind.registry"][0]
    monkeypatch.delenv(labels.STRICT_ENV)  # the app itself shows the key
    assert t("no_such.label", "en") == "no_such.label"


# Chinese that stays Chinese in the English UI: what the user types or finds in a file (column, sheet and
# file names, accepted spellings of a value). A code value may also stay as a glossary in brackets after
# its English name ("Missed (漏评)"): GLOSSARY strips those before the scan.
CJK_ALLOWED: dict[str, str] = {
    **{c: "a column of the household check form, to be typed as is"
       for c in ("调查日期", "乡(镇)", "行政村", "户编号", "户类型", "核查结论", "是否认可")},
    "入户核查表": "the sheet name of the check form",
    "户主": "the value of 与户主关系 the registry must hold",
    **{c: "an accepted spelling of a date, year, count or amount in a file (2020年6月22日, 3人, 3200元)"
       for c in ("年", "月", "日", "人", "元")},
    **{c: "an accepted spelling of yes/no in a file" for c in ("是", "否", "有", "无")},
}
CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
CJK_TERM = re.compile(rf"{CJK}+(?:\({CJK}+\))?")
GLOSSARY = re.compile(rf"(?<= )\((?:{CJK}|[ /])+\)")


def english_texts() -> dict[str, str]:
    """Every English text of the label table, the code translations and the indicator dictionary."""
    texts = {key: en for key, (_zh, en) in LABELS.items()}
    texts |= {f"code {code}": en for code, en in CODE_EN.items()}
    for fig in all_figures():
        for part in PARTS:
            value = getattr(fig, part)
            if isinstance(value, tuple):
                texts[f"figure {fig.key}.{part}"] = value[1]
    return texts


def test_english_labels_have_no_chinese_outside_the_allow_list() -> None:
    leaks, used = [], set()
    for key, text in english_texts().items():
        for term in CJK_TERM.findall(GLOSSARY.sub("", text)):
            if term in CJK_ALLOWED:
                used.add(term)
            else:
                leaks.append(f"{key}: {term}  ({text[:80]}…)")
    assert not leaks, "Chinese in English labels:\n" + "\n".join(leaks)
    assert used == CJK_ALLOWED.keys(), f"allowed but no longer used: {CJK_ALLOWED.keys() - used}"


def _labels_of_kind(kind: str | None) -> dict[str, tuple[str, str]]:
    """The label table as a server started with FUPIN_COUNTY_KIND=kind builds it (read at import)."""
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != labels.COUNTY_KIND_ENV}
    if kind is not None:
        env[labels.COUNTY_KIND_ENV] = kind
    out = subprocess.run([sys.executable, "-c", "import json, labels; print(json.dumps(labels.LABELS))"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return {k: tuple(v) for k, v in json.loads(out).items()}


def test_a_county_of_another_kind_reads_its_own_word() -> None:
    """A 县 reads 全县 and 县级领导 where a banner reads 全旗 and 旗级领导 (a probe: a 县's briefing was titled
    全旗…, its downloads named …_全旗_…); nothing else changes, and an unknown kind keeps the banner's."""
    banner, county = _labels_of_kind(None), _labels_of_kind("县")
    assert county["insp.brief.banner"] == ("全县", "Whole county")
    assert county["slug.county"][0] == "全县" and county["auth.role.leader"][0] == "县级领导"
    assert county["common.back_to_county"] == ("返回全县", "Back to the whole county")
    changed = {k for k in banner if banner[k] != county[k]}
    assert changed == {k for k, (zh, en) in banner.items() if "全旗" in zh or "旗级" in zh or "hole banner" in en}
    assert county["cli.demo_written"] == banner["cli.demo_written"]  # 示范旗县: the demo is a banner
    assert _labels_of_kind("州") == banner and _labels_of_kind("旗") == banner


@pytest.mark.parametrize(("zh", "en"), [
    ("致贫原因_农户名单", "causes_households"),
    ("致贫原因_农户名单_监测对象", "causes_households_Monitored"),
    ("医疗报销_按乡镇_2020年度", "claims_by_township_year2020"),  # a page's narrowing: a label with a value
    ("自查入户核查表_种子2020", "self_check_form_seed2020"),
    ("数据规则提示_疑似错退户", "data_rule_signals_Suspected wrong exits"),  # a value that is a label itself
    ("产业项目带动农户_肉羊养殖扶贫项目", "project_households_肉羊养殖扶贫项目"),  # data stays as it is
])
def test_a_download_s_name_reads_in_the_reader_s_language(zh: str, en: str) -> None:
    """The download log on the data page showed 医疗报销 按乡镇 2020年度, 自查入户核查表 种子2020 to an English
    reader (and their English to a Chinese one): only a name that was one label, or two, was relabelled
    (a probe)."""
    assert labels.relabel(zh, "en") == en and labels.relabel(en, "zh") == zh
    assert labels.relabel(zh, "zh") == zh and labels.relabel(en, "en") == en
