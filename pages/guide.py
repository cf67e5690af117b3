"""使用手册 User guide: the guide in the reader's language rendered inside the dashboard, offline, pictures
included (docs/使用手册.md; docs/user-guide.en.md when the dashboard is in English).

Markdown images (`![说明](img/overview.png)`) are drawn with st.image from docs/ on disk, since the
browser cannot fetch a path of the server's file system; everything else is the guide's Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from ui.context import current

DOCS = Path(__file__).resolve().parents[1] / "docs"
# the guide of each language; the Chinese one for any other
GUIDES = {"zh": DOCS / "使用手册.md", "en": DOCS / "user-guide.en.md"}
_IMAGE = re.compile(r"^!\[([^\]]*)\]\(([^)\s]+)\)\s*$", re.M)
# a link to another document beside the guide ([DATA.md](DATA.md)): right on a repository's web page, a
# path the app does not serve here (Streamlit's English "Page not found")
_DOC_LINK = re.compile(r"\[([^\]]+)\]\(([\w.-]+\.md)(#[^)]*)?\)")


def doc_links_as_text(text: str) -> str:
    """Links to the documents of docs/ as their names in the installed folder (`docs/DATA.md`)."""
    return _DOC_LINK.sub(lambda m: f"`docs/{m.group(2)}`", text)


def parts(text: str) -> list[tuple[str, str]]:
    """The guide as ('md', text) and ('img', path relative to docs/, caption) pieces, in order."""
    out: list[tuple[str, ...]] = []
    pos = 0
    for m in _IMAGE.finditer(text):
        if text[pos:m.start()].strip():
            out.append(("md", text[pos:m.start()]))
        out.append(("img", m.group(2), m.group(1)))
        pos = m.end()
    if text[pos:].strip():
        out.append(("md", text[pos:]))
    return out  # type: ignore[return-value]


def main() -> None:
    ctx = current()
    guide = GUIDES.get(ctx.lang, GUIDES["zh"])
    if not guide.is_file():
        st.error(ctx.t("guide.missing", file=f"docs/{guide.name}"))
        return
    text = guide.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    if first.startswith("# "):  # the guide's heading is the page's title
        st.title(first[2:].strip())
        text = rest
    for part in parts(text):
        if part[0] == "img":
            image = (DOCS / part[1]).resolve()
            if image.is_file() and DOCS in image.parents:
                st.image(str(image), caption=part[2], width="stretch")
        else:
            st.markdown(doc_links_as_text(part[1]))


main()
