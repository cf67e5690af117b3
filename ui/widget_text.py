"""Streamlit's own words in its select boxes and its skip link, in the user's language.

Streamlit 1.67 writes "No results" in the list of a multiselect or a select box that has nothing to
offer: a clerk typing a village that is not there (or a name in pinyin) into 行政村（嘎查）, every
cause already chosen in 主要致贫原因, a batch number that is not in 批次. It has no parameter for the
text. As for the file uploader (ui.uploader), one style rule hides it and shows the label table's
words in its place; should a later Streamlit rename its parts, the rule matches nothing and the
English shows again, the widget unharmed. The lists are drawn outside the sidebar and the page
(a popover at the end of the document), so the rule is the whole app's, written once per run by the
entry point. The link the first Tab press shows ("Skip to main content", a keyboard user's first words
on every page) is replaced the same way.
"""

from __future__ import annotations

import streamlit as st

from labels import t
from ui.uploader import css_text

# The empty list of a multiselect or a select box: the listbox says it is empty (react-aria's
# data-empty), its only "option" holds the text.
_EMPTY = [f'[data-testid^="{w}"] [role="listbox"][data-empty="true"] > [role="option"] > span'
          for w in ("stMultiSelect", "stSelectbox")]


# The link to the page's content that the first Tab press shows at the top left ("Skip to main content").
_SKIP = 'a[data-testid="stSkipToContent"]:focus-visible'  # drawn only when focused, by a rule of that state


def style(lang: str) -> str:
    text = css_text(t("widget.no_results", lang))
    skip = css_text(t("widget.skip_to_content", lang))
    return (f"<style>{', '.join(_EMPTY)} {{ font-size: 0; }} "
            f"{', '.join(f'{sel}::after' for sel in _EMPTY)} {{ content: {text}; font-size: 0.875rem; }} "
            f"{_SKIP} {{ font-size: 0; }} {_SKIP}::after {{ content: {skip}; font-size: 0.875rem; }}</style>")


def show(lang: str) -> None:
    st.html(style(lang))  # style only: Streamlit puts it in the page's event container, taking no space
