"""The product's status colours read by someone who does not tell red from green, computed: each colour
simulated for protanopia, deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009, severity 1,
applied to linear RGB) and compared by CIEDE2000 in CIELAB (D65). Pure Python, no browser."""

from __future__ import annotations

import itertools
import math

import pytest

from labels import t
from ui import charts

# Machado et al. (2009), severity 1.0, on linear sRGB
CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
APART = 20.0  # CIEDE2000; 2.3 is a just-noticeable difference, green/red to a deuteranope was 4.6
SERIES_APART = 12.0  # series without a good/bad meaning, of one chart: distinct, if less far apart


def _linear(colour: str) -> tuple[float, ...]:
    c = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return tuple(v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c)


def _simulate(rgb: tuple[float, ...], vision: str) -> tuple[float, ...]:
    if vision == "normal":
        return rgb
    return tuple(min(1.0, max(0.0, sum(m * v for m, v in zip(row, rgb, strict=True)))) for row in CVD[vision])


def _lab(rgb: tuple[float, ...]) -> tuple[float, float, float]:
    r, g, b = rgb
    xyz = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b, 0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
           0.0193339 * r + 0.1191920 * g + 0.9503041 * b)
    f = [v / w for v, w in zip(xyz, (0.95047, 1.0, 1.08883), strict=True)]
    f = [v ** (1 / 3) if v > (6 / 29) ** 3 else v / (3 * (6 / 29) ** 2) + 4 / 29 for v in f]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p, h2p = math.degrees(math.atan2(b1, a1p)) % 360, math.degrees(math.atan2(b2, a2p)) % 360
    dh = 0.0 if c1p * c2p == 0 else h2p - h1p - 360 if h2p - h1p > 180 else h2p - h1p + 360 if h2p - h1p < -180 \
        else h2p - h1p
    d_l, d_c, d_h = l2 - l1, c2p - c1p, 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_m, c_m = (l1 + l2) / 2, (c1p + c2p) / 2
    h_m = h1p + h2p if c1p * c2p == 0 else (h1p + h2p) / 2 if abs(h1p - h2p) <= 180 \
        else (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    tt = (1 - 0.17 * math.cos(math.radians(h_m - 30)) + 0.24 * math.cos(math.radians(2 * h_m))
          + 0.32 * math.cos(math.radians(3 * h_m + 6)) - 0.20 * math.cos(math.radians(4 * h_m - 63)))
    s_l = 1 + 0.015 * (l_m - 50) ** 2 / math.sqrt(20 + (l_m - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_m, 1 + 0.015 * c_m * tt
    r_t = -math.sin(math.radians(60 * math.exp(-(((h_m - 275) / 25) ** 2)))) * 2 * math.sqrt(c_m ** 7 / (c_m ** 7 + 25 ** 7))
    return math.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h))


def test_ciede2000_reference_pairs() -> None:
    """Sharma, Wu & Dalal (2005), the formula's published test data."""
    assert ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert ciede2000((50, -1.3802, -84.2814), (50, 0, -82.7485)) == pytest.approx(1.0, abs=1e-4)
    assert ciede2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)


def _status_groups() -> dict[str, dict[str, str]]:
    c = charts.COLORS
    return {
        "exit status": {k: c[k] for k in ("已脱贫", "未脱贫", "返贫", "监测户")},  # as the exit page charts them
        "household attribute": {k: c[k] for k in ("一般贫困户", "低保贫困户", "特困供养贫困户", "未填写")},
        "rectification status": {k: c[k] for k in ("未整改", "整改中", "已整改", "已销号")},
        "verdict (达标/不达标)": {"pass": charts.PASS_COLOR, "unsure": charts.UNSURE_COLOR,
                                 "fail": charts.FAIL_COLOR, "none": charts.NO_FIGURE_COLOR},
        "items (未完成/逾期)": {k: c[t(k, "zh")] for k in
                             ("insp.series.open", "insp.series.overdue", "insp.series.not_overdue")},
    }


def _series_groups() -> dict[str, dict[str, str]]:
    c = charts.COLORS

    def keyed(*keys: str) -> dict[str, str]:
        return {k: c[t(k, "zh")] for k in keys}

    return {
        "health payers": keyed("insp.series.basic", "insp.series.critical", "insp.series.assistance",
                               "insp.series.other"),
        "health coverage": keyed("col.medical_insured_share", "col.critical_insured_share", "col.doctor_signed_share"),
    }


def _closest(colours: dict[str, str], vision: str) -> tuple[float, str, str]:
    return min((ciede2000(_lab(_simulate(_linear(ca), vision)), _lab(_simulate(_linear(cb), vision))), a, b)
               for (a, ca), (b, cb) in itertools.combinations(colours.items(), 2))


@pytest.mark.parametrize("vision", ["normal", *CVD])
@pytest.mark.parametrize("group", list(_status_groups()))
def test_statuses_told_apart_without_red_green(group: str, vision: str) -> None:
    closest = _closest(_status_groups()[group], vision)
    assert closest[0] >= APART, (group, vision, closest)


@pytest.mark.parametrize("vision", ["normal", "protanopia", "deuteranopia"])
@pytest.mark.parametrize("group", list(_series_groups()))
def test_series_of_one_chart_told_apart(group: str, vision: str) -> None:
    closest = _closest(_series_groups()[group], vision)
    assert closest[0] >= SERIES_APART, (group, vision, closest)


def test_english_statuses_share_the_colours() -> None:
    from labels.codes_en import CODE_EN
    for zh in ("已脱贫", "未脱贫", "返贫", "未整改", "整改中", "已整改", "已销号"):
        assert charts.color_for(CODE_EN[zh]) == charts.color_for(zh)


def test_contrast_reference() -> None:
    assert charts.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert charts.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WCAG's classic near miss


def test_numbers_inside_bars_meet_wcag_aa() -> None:
    """Every colour a stacked bar can take (each code, series and the default) writes its numbers inside
    at 4.5:1 or more (WCAG AA for text under 18 pt): Plotly's own white on 已脱贫 was 3.4:1, its #444 on
    未脱贫 3.9:1."""
    import pandas as pd

    names = [*charts.COLORS, "no colour of its own"]
    df = pd.DataFrame({"place": ["甲"] * len(names), "status": names, "n": range(1, len(names) + 1)})
    spec = charts.bar_spec(df, "place", "n", color="status")
    bars = [tr for tr in spec["data"] if tr["type"] == "bar"]
    assert len(bars) == len(names) and all(tr["textposition"] == "inside" for tr in bars)
    low = [(tr["name"], tr["marker"]["color"], round(charts.contrast(tr["insidetextfont"]["color"], tr["marker"]["color"]), 2))
           for tr in bars if charts.contrast(tr.get("insidetextfont", {}).get("color", "#444444"), tr["marker"]["color"]) < 4.5]
    assert not low, low
