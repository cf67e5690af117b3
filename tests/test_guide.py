"""The user guide (issue 18): docs/使用手册.md and its English translation docs/user-guide.en.md each have a
screenshot of every page (made by `make screenshots`), every picture they show is in the repository, they
name the pages and buttons as the dashboard of their language does, and the dashboard renders the guide of
its language offline from the sidebar."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from labels import t
from tests.conftest import open_page
from ui.navigation import PAGES, url_paths

ROOT = Path(__file__).resolve().parents[1]
GUIDES = {"zh": ROOT / "docs" / "使用手册.md", "en": ROOT / "docs" / "user-guide.en.md"}
TEXTS = {lang: path.read_text(encoding="utf-8") for lang, path in GUIDES.items()}
IMAGES = {lang: re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text) for lang, text in TEXTS.items()}
LANGS = sorted(GUIDES)
# the buttons, sections and fields the guides tell the reader to find, besides the page names: the guide's
# words for them must be the dashboard's in the guide's language
NAMED = ("guide.sidebar_link", "filter.title", "extract.csv", "extract.xlsx", "insp.data.load",
         "insp.data.reload", "insp.data.outside_check", "insp.brief.generate", "insp.visits.sample",
         "rates.plan", "rates.plan.exited_cap")


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_has_its_screenshot_in_the_guide(lang: str) -> None:
    for url in url_paths():
        if url == "user-guide":
            continue
        assert f"img/{url}.png" in IMAGES[lang], url
        assert (ROOT / "docs" / "img" / f"{url}.png").stat().st_size > 20_000, url  # a picture, not a stub


@pytest.mark.parametrize("lang", LANGS)
def test_every_picture_and_link_of_the_guide_is_in_the_repository(lang: str) -> None:
    for src in IMAGES[lang]:
        assert not src.startswith(("http:", "https:", "//")), src  # offline
        assert (GUIDES[lang].parent / src).is_file(), src
    for target in re.findall(r"\]\(([^)#]+\.md)\)", TEXTS[lang]):
        assert (GUIDES[lang].parent / target).is_file(), target


def test_both_guides_show_the_same_pictures_and_the_chinese_one_has_its_english_summary() -> None:
    assert IMAGES["en"] == IMAGES["zh"]  # the translation left no picture out
    assert "English summary" in TEXTS["zh"]


@pytest.mark.parametrize("lang", LANGS)
def test_the_guide_names_pages_and_buttons_as_the_dashboard_does(lang: str) -> None:
    text = " ".join(TEXTS[lang].split())  # a name may wrap over two lines of the Markdown
    keys = [label for _, entries in PAGES for _, label, _, _ in entries] + list(NAMED)
    missing = [f"{key}: {t(key, lang)}" for key in keys if t(key, lang) not in text]
    assert not missing, f"{GUIDES[lang].name} does not name:\n" + "\n".join(missing)


# (title, a sentence of the body) of each guide as the page shows it
SHOWN = {
    "zh": ("扶贫督查看板 使用手册", "入库 + 拒收 + 跳过 = 读取"),
    "en": ("Poverty Alleviation Inspection Dashboard: User guide", "loaded + rejected + skipped = read"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_the_guide_page_shows_the_guide_of_the_dashboards_language(app_db: Path, lang: str) -> None:
    """The English dashboard showed the Chinese guide under its English sidebar link."""
    at = open_page("guide", {"lang": lang} if lang != "zh" else None)
    other = next(x for x in LANGS if x != lang)
    links = [e for e in at.sidebar if getattr(e, "type", "") == "page_link"]
    assert [(e.proto.label, e.proto.page) for e in links] == [(t("guide.sidebar_link", lang), "user-guide")]
    assert at.title[0].value == SHOWN[lang][0]
    said = "\n".join(m.value for m in at.markdown)
    assert SHOWN[lang][1] in said
    assert SHOWN[other][1] not in said and SHOWN[other][0] not in said
    if lang == "en":  # no Chinese sentence of the body: Chinese stays only as names in brackets and values
        assert "本手册写给三类读者" not in said and "备份与恢复" not in said
    # every picture drawn from disk (none left as a broken link), captioned in the page's language
    captions = [i.caption for e in at.main if getattr(e, "type", "") == "image" for i in e.proto.imgs]
    assert captions == re.findall(r"^!\[([^\]]*)\]\(", TEXTS[lang], re.M)
    # a link to another document of docs/ (DATA.md) opened /DATA.md in the app, Streamlit's English
    # "Page not found": in the app it names the file where it is, as text
    assert "](DATA.md)" not in said and "docs/DATA.md" in said
