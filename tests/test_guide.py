"""The user guide (issue 18): docs/使用手册.md has a screenshot of every page (made by `make screenshots`),
every picture it shows is in the repository, and the dashboard renders it offline from the sidebar."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.navigation import url_paths

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "使用手册.md"
TEXT = GUIDE.read_text(encoding="utf-8")
IMAGES = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", TEXT)


def test_every_page_has_its_screenshot_in_the_guide() -> None:
    for url in url_paths():
        if url == "user-guide":
            continue
        assert f"img/{url}.png" in IMAGES, url
        assert (ROOT / "docs" / "img" / f"{url}.png").stat().st_size > 20_000, url  # a picture, not a stub


def test_every_picture_and_link_of_the_guide_is_in_the_repository() -> None:
    for src in IMAGES:
        assert not src.startswith(("http:", "https:", "//")), src  # offline
        assert (GUIDE.parent / src).is_file(), src
    for target in re.findall(r"\]\(([^)#]+\.md)\)", TEXT):
        assert (GUIDE.parent / target).is_file(), target
    assert "English summary" in TEXT


@pytest.fixture()
def app(app_db: Path) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception
    return at


def test_the_sidebar_links_to_the_guide_and_the_page_renders_it_with_its_pictures(app: AppTest) -> None:
    links = [e for e in app.sidebar if getattr(e, "type", "") == "page_link"]
    assert [(e.proto.label, e.proto.page) for e in links] == [("使用手册", "user-guide")]
    app.switch_page("pages/guide.py").run()
    assert not app.exception, [e.message for e in app.exception]
    assert app.title[0].value == "扶贫督查看板 使用手册"
    shown = [e for e in app.main if getattr(e, "type", "") == "image"]
    assert len(shown) == len(IMAGES)  # every picture drawn from disk, none left as a broken link
    assert any("备份与恢复" in m.value for m in app.markdown)
    # a link to another document of docs/ (DATA.md) opened /DATA.md in the app, Streamlit's English
    # "Page not found": in the app it names the file where it is, as text
    said = "\n".join(m.value for m in app.markdown)
    assert "](DATA.md)" not in said and "docs/DATA.md" in said
