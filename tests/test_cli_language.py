"""The command line's usage errors and `--help` read in the user's language (Chinese unless --lang en or
FUPIN_LANG=en), like every other message of the product: argparse's own English ("usage:", "error:",
"invalid choice", "the following arguments are required", "options", …) never reaches the user.

The real CLI runs in a subprocess; exit code 2 for a usage error, 0 for --help. With --json a usage error
is the same JSON error object other failures print (`{"error": …}` on stdout)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.cli_parser import display_width

ROOT = Path(__file__).resolve().parents[1]

# argparse's own English, as a user saw it before
ARGPARSE_ENGLISH = ("usage:", "error:", "invalid choice", "choose from", "the following arguments are required",
                    "unrecognized arguments", "positional arguments", "options:", "show this help message",
                    "expected one argument", "invalid int value")


def run(*args: str, lang: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "FUPIN_LANG"}
    if lang is not None:
        env["FUPIN_LANG"] = lang
    env["COLUMNS"] = "80"
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)


def no_english(text: str) -> None:
    for phrase in ARGPARSE_ENGLISH:
        assert phrase not in text, (phrase, text)


def test_a_mistyped_command_is_a_chinese_usage_error() -> None:
    p = run("lod")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.startswith("用法：python -m etl"), p.stderr
    assert "python -m etl：错误：" in p.stderr and "'lod'" in p.stderr and "'load'" in p.stderr, p.stderr
    assert "命令" in p.stderr
    no_english(p.stderr)


def test_a_missing_argument_is_a_chinese_usage_error() -> None:
    p = run("load")
    assert p.returncode == 2
    assert p.stderr.startswith("用法：python -m etl load"), p.stderr
    assert "python -m etl load：错误：缺少必需的参数：文件" in p.stderr, p.stderr
    no_english(p.stderr)
    p = run()  # no command at all
    assert p.returncode == 2 and "缺少必需的参数：命令" in p.stderr, p.stderr
    no_english(p.stderr)


def test_unrecognized_arguments_and_bad_values_are_chinese_usage_errors(tmp_path) -> None:
    p = run("backup", str(tmp_path), "--bogus")
    assert p.returncode == 2 and "无法识别的参数：--bogus" in p.stderr, p.stderr
    no_english(p.stderr)
    # with the command's own usage, which names its options (the top command's named none of load's)
    assert p.stderr.startswith("用法：python -m etl backup"), p.stderr
    p = run("demo", "--households", "many")
    assert p.returncode == 2 and "--households" in p.stderr and "'many' 不是有效的整数" in p.stderr, p.stderr
    no_english(p.stderr)
    p = run("load", "a.csv", "--db")
    assert p.returncode == 2 and "参数 --db：需要一个值" in p.stderr, p.stderr
    no_english(p.stderr)
    p = run("--lang", "fr", "load", "a.csv")
    assert p.returncode == 2 and "参数 --lang：无效的选择 'fr'" in p.stderr, p.stderr
    no_english(p.stderr)


def test_help_is_chinese() -> None:
    p = run("--help")
    assert p.returncode == 0 and p.stderr == ""
    assert p.stdout.startswith("用法：python -m etl"), p.stdout
    for text in ("命令：", "选项：", "显示本帮助并退出", "导入数据库", "提示语言"):
        assert text in p.stdout, (text, p.stdout)
    no_english(p.stdout)
    p = run("load", "--help")
    assert p.returncode == 0 and p.stdout.startswith("用法：python -m etl load"), p.stdout
    for text in ("位置参数：", "选项：", "显示本帮助并退出", "数据库路径", "输出一个 JSON 对象", "文件"):
        assert text in p.stdout, (text, p.stdout)
    no_english(p.stdout)


def english_help(p: subprocess.CompletedProcess, usage: str, texts: tuple[str, ...], *others: str) -> None:
    """A `--help` run in English: exit 0, argparse's usage line, each of `texts`, and no Chinese in it or in
    the `others` (more help texts of the same command line)."""
    assert p.returncode == 0 and p.stdout.startswith(f"usage: {usage}"), p.stdout
    for text in texts:
        assert text in p.stdout, (text, p.stdout)
    assert not [c for c in p.stdout + "".join(others) if "\u4e00" <= c <= "\u9fff"]


def test_chinese_help_fits_the_terminal() -> None:
    """Argparse wraps by characters; a Chinese character takes two columns."""
    for args in (["--help"], ["load", "--help"], ["demo", "--help"], ["export-parquet", "--help"]):
        out = run(*args).stdout
        for line in out.splitlines():
            assert display_width(line) <= 80, (args, line)


@pytest.mark.parametrize("how", ["option", "environment"])
def test_english_when_the_language_is_english(how: str) -> None:
    def en(*args: str) -> subprocess.CompletedProcess:
        return run("--lang", "en", *args) if how == "option" else run(*args, lang="en")

    p = en("lod")
    assert p.returncode == 2 and p.stderr.startswith("usage: python -m etl"), p.stderr
    assert "python -m etl: error: argument command: invalid choice: 'lod'" in p.stderr, p.stderr
    p = en("load")
    assert p.returncode == 2
    assert "python -m etl load: error: the following arguments are required: FILE" in p.stderr, p.stderr
    english_help(en("load", "--help"), "python -m etl load",
                 ("options:", "show this help message and exit", "database path", "print one JSON object"),
                 en("--help").stdout)


def test_the_language_option_anywhere_picks_the_language_of_the_error() -> None:
    """`--lang en` after the command is not accepted there, but the user asked for English."""
    p = run("load", "a.csv", "--lang", "en")
    assert p.returncode == 2 and "unrecognized arguments: --lang en" in p.stderr, p.stderr


def test_a_usage_error_with_json_is_the_json_error_object() -> None:
    for args in (["load", "--json"], ["load", "a.csv", "--json", "--bogus"], ["demo", "--json", "--households", "x"]):
        p = run(*args)
        assert p.returncode == 2, (args, p.stderr)
        out = json.loads(p.stdout)
        assert set(out) == {"error"} and "错误" in out["error"], out
        no_english(out["error"])
        assert p.stderr == ""
    p = run("--lang", "en", "load", "--json")
    assert p.returncode == 2 and "the following arguments are required" in json.loads(p.stdout)["error"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_argparse_text_is_translated(lang: str) -> None:
    """Each of argparse's fixed messages the table knows, as argparse writes it, becomes a label."""
    from etl import cli_parser

    samples = {
        "argument --db: expected one argument": ("参数 --db：需要一个值", "argument --db: expected one argument"),
        "argument command: invalid choice: 'x' (choose from 'load', 'demo')":
            ("参数 命令：无效的选择 'x'（可选：'load', 'demo'）",
             "argument command: invalid choice: 'x' (choose from 'load', 'demo')"),
        "the following arguments are required: files, --x": ("缺少必需的参数：files、--x",
                                                              "the following arguments are required: files, --x"),
        "unrecognized arguments: a b": ("无法识别的参数：a b", "unrecognized arguments: a b"),
        "argument --households: invalid int value: 'x'": ("参数 --households：'x' 不是有效的整数",
                                                          "argument --households: invalid int value: 'x'"),
        "argument --json: ignored explicit argument 'x'": ("参数 --json：不接受值：'x'",
                                                           "argument --json: ignored explicit argument 'x'"),
        "ambiguous option: --re could match --reload, --replace":
            ("选项 --re 有歧义，可能是 --reload, --replace", "ambiguous option: --re could match --reload, --replace"),
        "argument files: expected at least one argument": ("参数 files：至少需要一个值",
                                                           "argument files: expected at least one argument"),
        "argument x: expected at most one argument": ("参数 x：最多只能有一个值", "argument x: expected at most one argument"),
        "something argparse says one day": ("something argparse says one day", "something argparse says one day"),
    }
    for english, (zh, en) in samples.items():
        assert cli_parser.translate(english, lang) == (zh if lang == "zh" else en), english


def test_the_self_check_command_line_speaks_the_user_s_language() -> None:
    """`python -m ui.selfcheck` (install.sh --check) was argparse's English: its help, its usage errors and its
    "no title" were written in the module, not the label table (a probe)."""
    def selfcheck(*args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "FUPIN_LANG"}
        return subprocess.run([sys.executable, "-m", "ui.selfcheck", *args], cwd=ROOT, capture_output=True, text=True,
                              env={**env, "COLUMNS": "80"}, timeout=120)

    p = selfcheck("--help")
    assert p.returncode == 0 and p.stdout.startswith("用法：") and "逐页打开看板" in p.stdout, p.stdout
    no_english(p.stdout)
    p = selfcheck("--bogus")
    assert p.returncode == 2 and "错误：无法识别的参数：--bogus" in p.stderr, p.stderr
    no_english(p.stderr)
    p = selfcheck("--lang", "en", "--bogus")
    assert p.returncode == 2 and "error: unrecognized arguments: --bogus" in p.stderr, p.stderr
