"""No markup from data in charts (issue 14 §1), below the browser: every chart builder's figure, once
through `ui.charts.safe_spec`, holds no tag outside its templates, and every figure leaves the app
through it (pages: `charts.show`; HTML files: `profile_html.spec_div`). tests/e2e/test_chart_markup.py
checks what chromium draws."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from ui import charts, profile_html

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ['<a href="https://evil.example/v">链接村</a>', "<b>粗体</b><br>第二行", "<i>斜</i>", "A &amp; B",
           "&lt;b&gt;已转义&lt;/b&gt;", "<span style='color:red'>红</span>", "<sup>1</sup>", "村\n二行"]
TAG = re.compile(r"<\s*/?\s*[a-zA-Z]")


def _strings(node: Any, key: str = "") -> list[tuple[str, str]]:
    """(attribute, text) of every string in a figure spec, templates excluded."""
    if isinstance(node, str):
        return [(key, node)]
    if isinstance(node, dict):
        return [s for k, v in node.items() if not (k.endswith("template") or k == "template")
                for s in _strings(v, k)]
    if isinstance(node, list | tuple):
        return [s for v in node for s in _strings(v, key)]
    return []


def _assert_plain(spec: dict[str, Any]) -> None:
    tags = [(k, s) for k, s in _strings(spec) if TAG.search(s)]
    assert not tags, tags[:5]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "place": HOSTILE * 2, "series": [HOSTILE[1]] * len(HOSTILE) + [HOSTILE[2]] * len(HOSTILE),
        "n": range(1, 2 * len(HOSTILE) + 1), "code": HOSTILE * 2,
    })


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_escapes_and_reads_back(text: str) -> None:
    out = charts.plain(text)
    assert "<" not in out and ">" not in out
    assert html.unescape(out) == text  # what Plotly draws: entities become the characters again


@pytest.mark.parametrize("orientation", ["h", "v"])
def test_bar_spec_is_plain_after_safe_spec(orientation: str) -> None:
    df = _frame()
    spec = charts.bar_spec(df, "place", "n", color="series", orientation=orientation, customdata="code",
                           title=f"标题 {HOSTILE[0]}", x_title=HOSTILE[2], y_title=HOSTILE[1])
    raw = [s for _, s in _strings(spec)]
    assert any(TAG.search(s) for s in raw), "the test's data must hold markup to begin with"
    safe = charts.safe_spec(spec)
    _assert_plain(safe)
    # every hostile name is still there, escaped: categories, legend names, custom data, title
    texts = {s for _, s in _strings(safe)}
    for name in HOSTILE:
        assert charts.plain(name) in texts, name
    assert any(charts.plain(HOSTILE[0]) in s for s in texts)
    # the categories keep their order and stay matched to their axis order
    cat_axis = safe["layout"]["yaxis" if orientation == "h" else "xaxis"]
    bars = [tr for tr in safe["data"] if tr["type"] == "bar"]
    assert set(bars[0]["y" if orientation == "h" else "x"]) <= set(cat_axis["categoryarray"])


def test_go_figures_are_plain_after_safe_spec() -> None:
    df = _frame()
    df["lo"], df["hi"], df["rate"], df["ok"] = 0.01, 0.05, 0.03, [True, False] * len(HOSTILE)
    figures = [
        charts.bar(df, "place", "n", color="series", orientation="h"),
        charts.line(df.assign(x=df["place"]), "x", [("n", HOSTILE[0])]),
        charts.rate_bars(df.drop_duplicates("place"), "place", "rate", "lo", "hi", "ok", 0.03,
                         line_label=HOSTILE[1]),
    ]
    for fig in figures:
        assert any(TAG.search(s) for _, s in _strings(fig.to_plotly_json()))
        _assert_plain(charts.safe_spec(fig))


def test_templates_keep_their_markup() -> None:
    spec = {"data": [{"type": "heatmap", "z": [[1]], "x": [HOSTILE[0]], "y": ["y"], "text": [["50%"]],
                      "customdata": [["(3)"]], "texttemplate": "%{text}<br>%{customdata}",
                      "hovertemplate": "%{y} · %{x}<extra></extra>"}], "layout": {}}
    safe = charts.safe_spec(spec)
    assert safe["data"][0]["texttemplate"] == "%{text}<br>%{customdata}"
    assert safe["data"][0]["hovertemplate"] == "%{y} · %{x}<extra></extra>"
    assert safe["data"][0]["x"] == [charts.plain(HOSTILE[0])]


def test_html_files_escape_their_figures() -> None:
    spec = charts.bar_spec(_frame(), "place", "n", color="series", orientation="h")
    div = profile_html.spec_div(spec)
    data = div.split("Plotly.newPlot(", 1)[1]
    # the figure JSON in the script: no tag of the data (the script escaper writes "<" as \u003c)
    decoded = data.encode().decode("unicode_escape", errors="ignore")
    for name in HOSTILE:
        if "<" in name:
            assert name not in decoded, name


def test_every_figure_leaves_through_safe_spec() -> None:
    """Only `charts.show` hands a figure to Streamlit, only `profile_html.spec_div` writes one to HTML."""
    sources = {p: p.read_text(encoding="utf-8") for d in ("pages", "ui") for p in (ROOT / d).glob("*.py")}
    sources[ROOT / "dashboard.py"] = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    plotly_chart = [p.name for p, s in sources.items() if "plotly_chart(" in s]
    new_plot = [p.name for p, s in sources.items() if "Plotly.newPlot" in s]
    assert plotly_chart == ["charts.py"]
    assert new_plot == ["profile_html.py"]
